"""Decoding JSON from outside with a bound on nesting. Pure.

Python's ``json`` decoder recurses once per nesting level: a body of a few kilobytes of ``[[[[…``
makes it raise ``RecursionError`` (not a ``ValueError``), which every caller would have to know
about, and a merely deep body costs stack and time before anything checks its shape. So the depth
is counted first, in one linear pass that only looks at brackets and string quotes, and a body
nested deeper than ``max_depth`` is refused before it is decoded. Whatever still goes wrong while
decoding (``RecursionError`` included) is one ``InvalidJson``, a ``ValueError``.
"""
from __future__ import annotations

import json
import re
from typing import Any

DEFAULT_MAX_DEPTH = 32
"""Our own payloads (webhook events, API requests) nest two or three levels deep."""

_TOKENS = re.compile(r'[\\"\[\]{}]')


class InvalidJson(ValueError):
    """Not JSON we accept: malformed, not UTF-8, or nested too deep (``too_deep``)."""

    def __init__(self, reason: str, *, too_deep: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_deep = too_deep


def nesting_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``max_depth`` (brackets inside
    strings do not count). Linear in the length of ``text``; never recurses."""
    depth = 0
    in_string = False
    skip_to = -1
    for match in _TOKENS.finditer(text):
        position = match.start()
        if position < skip_to:  # the character after a backslash inside a string
            continue
        char = match.group()
        if in_string:
            if char == "\\":
                skip_to = position + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def loads(raw: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Decode ``raw`` (UTF-8 bytes or text) as JSON, nested at most ``max_depth`` levels
    (``NaN`` and ``Infinity``, which JSON does not have, are refused too)."""
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidJson("not UTF-8") from None
    else:
        text = raw
    if nesting_depth_exceeds(text, max_depth):
        raise InvalidJson(f"nested deeper than {max_depth} levels", too_deep=True)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise InvalidJson(f"nested deeper than {max_depth} levels", too_deep=True) from None
    except ValueError:
        raise InvalidJson("not valid JSON") from None
