"""ICCIDs (the number printed on a SIM card), checked before they go anywhere near a provider.

An ICCID is 19 or 20 digits, the last of which is a Luhn check digit over the others (ITU-T E.118);
Japanese ones start with 8981. Checking the digit catches a mistyped or mangled number before a
provider call is spent on it, and guarantees that nothing but digits is ever sent.
"""
import re
from typing import Annotated

from pydantic import AfterValidator

_ICCID = re.compile(r"\d{19,20}")


class InvalidIccid(ValueError):  # noqa: N818 - named like the domain's InvalidSalesforceId
    """Not an ICCID: wrong length, not only digits, or a check digit that does not match.

    The message never repeats the value.
    """


def luhn_valid(digits: str) -> bool:
    """Whether the last digit of `digits` is the Luhn check digit of the ones before it."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 1 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def require_iccid(value: object) -> str:
    """`value` if it is a valid ICCID (surrounding blanks removed), else InvalidIccid."""
    if not isinstance(value, str):
        raise InvalidIccid("an ICCID must be text")
    text = value.strip()
    if not _ICCID.fullmatch(text) or not text.isascii():
        raise InvalidIccid("an ICCID must be 19 or 20 digits")
    if not luhn_valid(text):
        raise InvalidIccid("the ICCID's check digit does not match (mistyped?)")
    return text


def is_valid_iccid(value: object) -> bool:
    try:
        require_iccid(value)
    except InvalidIccid:
        return False
    return True


def _checked(value: str) -> str:
    if require_iccid(value) != value:
        raise InvalidIccid("an ICCID must not have surrounding blanks")
    return value


Iccid = Annotated[str, AfterValidator(_checked)]
"""A pydantic type: a valid ICCID, exactly as given (no blanks)."""
