"""Salesforce record ids: 15 case-sensitive characters, or 18 with a case-folding checksum.

Validating an id before it is used anywhere (a query, a link to a customer) stops a crafted string
from ever reaching SOQL, and the checksum catches ids mangled by case-insensitive systems.
"""
import re
from typing import Annotated

from pydantic import AfterValidator

_ID_15_OR_18 = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class InvalidSalesforceId(ValueError):
    pass


def checksum(id15: str) -> str:
    """The three characters Salesforce appends to a 15-character id."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += _CHECKSUM_ALPHABET[bits]
    return suffix


def to_18(value: str) -> str:
    """Validate a 15- or 18-character id and return its 18-character form."""
    if not isinstance(value, str) or not _ID_15_OR_18.fullmatch(value):
        raise InvalidSalesforceId("must be 15 or 18 letters and digits")
    expected = checksum(value[:15])
    if len(value) == 18 and value[15:] != expected:
        raise InvalidSalesforceId("checksum does not match (the id may have lost its letter case)")
    return value[:15] + expected


def is_valid(value: str) -> bool:
    try:
        to_18(value)
    except InvalidSalesforceId:
        return False
    return True


SalesforceId = Annotated[str, AfterValidator(to_18)]
"""A pydantic type: any valid 15/18-character id, normalised to 18 characters."""
