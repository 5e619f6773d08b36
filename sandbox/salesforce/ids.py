"""Salesforce record ids: a 3-character key prefix (the object), 12 more case-sensitive characters,
and a 3-character suffix that encodes the letter case of the first 15, so the 18-character form
survives systems that ignore case.

Written here rather than imported from ``domain`` (the sandbox never imports our packages).
"""
from __future__ import annotations

import re

CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # ASCII order: ids sort by number
POD = "Dn"  # the two "instance" characters after the key prefix, as in the demo Account ids
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def checksum(id15: str) -> str:
    """The three characters Salesforce appends to a 15-character id: for each 5-character chunk,
    bit ``i`` is set when character ``i`` is an upper-case letter."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start:start + 5]) if "A" <= char <= "Z")
        suffix += CHECKSUM_ALPHABET[bits]
    return suffix


def to_18(value: object) -> str | None:
    """The canonical 18-character form of a 15- or 18-character id, or ``None`` when it is not one.

    As in Salesforce, an 18-character id is case-insensitive: the suffix restores the case of the
    first 15 characters (``001dn00000aliceiab`` is Alice's Account).
    """
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return None
    if len(value) == 15:
        return value + checksum(value)
    chars = list(value[:15])
    for chunk, code in enumerate(value[15:].upper()):
        bits = CHECKSUM_ALPHABET.index(code)
        for i in range(5):
            char = chars[chunk * 5 + i]
            upper = bool(bits & (1 << i))
            if char.isdigit():
                if upper:
                    return None  # a digit cannot be upper case: not a real id
            else:
                chars[chunk * 5 + i] = char.upper() if upper else char.lower()
    id15 = "".join(chars)
    return id15 + checksum(id15)


def make_id(prefix: str, number: int) -> str:
    """The ``number``-th id of an object: prefix, pod, a reserved ``0`` and 9 base-62 digits."""
    if len(prefix) != 3 or number < 0:
        raise ValueError("a key prefix is 3 characters and the number is not negative")
    digits = ""
    for _ in range(9):
        number, remainder = divmod(number, 62)
        digits = BASE62[remainder] + digits
    if number:
        raise ValueError("id space exhausted")
    id15 = f"{prefix}{POD}0{digits}"
    return id15 + checksum(id15)
