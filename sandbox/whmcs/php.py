"""The PHP-flavoured wire details of WHMCS: form arrays, serialized arrays, json_encode, XML."""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape


def form_array(pairs: Iterable[tuple[str, str]], name: str) -> dict[int, str]:
    """The PHP array ``name`` of a form body, by index: ``name[]=a&name[]=b``, ``name[0]=a``, or a
    plain scalar ``name=a`` (index 0). Later values win, as in PHP."""
    values: dict[int, str] = {}
    next_index = 0
    pattern = re.compile(re.escape(name) + r"\[(\d*)\]")
    for key, value in pairs:
        if key == name:
            values[0] = value
            next_index = max(next_index, 1)
            continue
        match = pattern.fullmatch(key)
        if not match:
            continue
        if match.group(1) == "":
            values[next_index] = value
            next_index += 1
        else:
            index = int(match.group(1))
            values[index] = value
            next_index = max(next_index, index + 1)
    return dict(sorted(values.items()))


class UnserializeError(ValueError):
    pass


def php_unserialize(data: str) -> Any:
    """Decode PHP ``serialize()`` output: arrays, ints, floats, strings, booleans and null."""
    value, end = _unserialize(data.encode("utf-8"), 0)
    if end != len(data.encode("utf-8")):
        raise UnserializeError("trailing data")
    return value


def _unserialize(raw: bytes, pos: int) -> tuple[Any, int]:
    kind = raw[pos:pos + 1]
    if kind == b"N":
        return None, _expect(raw, pos + 1, b";")
    if raw[pos + 1:pos + 2] != b":":
        raise UnserializeError(f"unexpected {raw[pos:pos + 10]!r}")
    if kind in (b"i", b"d", b"b"):
        end = raw.index(b";", pos)
        text = raw[pos + 2:end].decode()
        value: Any = int(text) if kind == b"i" else float(text) if kind == b"d" else text == "1"
        return value, end + 1
    if kind == b"s":
        colon = raw.index(b":", pos + 2)
        length = int(raw[pos + 2:colon])
        start = colon + 2  # skip :"
        value = raw[start:start + length].decode("utf-8")
        return value, _expect(raw, _expect(raw, start + length, b'"'), b";")
    if kind == b"a":
        colon = raw.index(b":", pos + 2)
        count = int(raw[pos + 2:colon])
        pos = _expect(raw, colon + 1, b"{")
        items: dict[Any, Any] = {}
        for _ in range(count):
            key, pos = _unserialize(raw, pos)
            items[key], pos = _unserialize(raw, pos)
        return items, _expect(raw, pos, b"}")
    raise UnserializeError(f"unsupported type {kind!r}")


def _expect(raw: bytes, pos: int, token: bytes) -> int:
    if raw[pos:pos + len(token)] != token:
        raise UnserializeError(f"expected {token!r} at {pos}")
    return pos + len(token)


def decode_serialized_array(value: str) -> dict[str, str] | None:
    """``base64_encode(serialize($array))`` as AddOrder receives it; ``None`` when it does not decode."""
    try:
        decoded = php_unserialize(base64.b64decode(value, validate=False).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(decoded, dict):
        return None
    return {str(k): "" if v is None else str(v) for k, v in decoded.items()}


def php_serialize(value: Any) -> str:
    """The inverse of :func:`php_unserialize`, for tests and fixtures."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, dict):
        return f"a:{len(value)}:{{" + "".join(php_serialize(k) + php_serialize(v) for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return php_serialize(dict(enumerate(value)))
    raise TypeError(f"cannot serialize {type(value).__name__}")


def php_json(data: Any) -> bytes:
    """``json_encode`` with PHP's defaults: non-ASCII as ``\\uXXXX`` and ``/`` escaped as ``\\/``."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def to_xml(data: dict[str, Any], action: str) -> bytes:
    """The XML response format WHMCS answers when ``responsetype`` is not ``json``: a list under
    a key becomes that element repeated (``<invoices><invoice/><invoice/></invoices>``)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>', '<whmcsapi version="8.13.1">', f"<action>{escape(action)}</action>",
    ]
    for key, value in data.items():
        parts.append(_xml_element(key, value))
    parts.append("</whmcsapi>")
    return "\n".join(parts).encode("utf-8")


def _xml_element(key: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(_xml_element(key, item) for item in value)
    if isinstance(value, dict):
        return f"<{key}>" + "".join(_xml_element(k, v) for k, v in value.items()) + f"</{key}>"
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "1" if value else ""
    else:
        text = escape(str(value))
    return f"<{key}>{text}</{key}>"
