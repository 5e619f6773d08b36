"""The arguments of the SIM platform's operations, checked before anything is sent.

The limits are Freebit's documented ones (docs/freebit.md): a SIM is named by its phone number
(``account``, 11 to 14 digits), a quota addition is 1 to 512000 MB with a ``quotaCode`` of 1 to
512 characters, a physical SIM's product number is two capital letters and 13 digits.
"""
import re
from datetime import date, datetime

_ACCOUNT = re.compile(r"[0-9]{11,14}")
_QUOTA_CODE = re.compile(r"[\x21-\x7e]{1,512}")
_PLAN_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_PRODUCT_NUMBER = re.compile(r"[A-Z]{2}[0-9]{13}")
_EID = re.compile(r"[0-9]{32}")

MAX_QUOTA_MB = 512_000
"""The most one quota addition (PA04-04) may add."""


class InvalidSimCommand(ValueError):  # noqa: N818 - like InvalidIccid
    """An argument that cannot be right; the message says which one (never its value)."""


def require_msisdn(value: object) -> str:
    """A SIM's phone number as Freebit's ``account``: 11 to 14 digits, no hyphens."""
    if not isinstance(value, str) or not _ACCOUNT.fullmatch(value) or not value.isascii():
        raise InvalidSimCommand("the phone number must be 11 to 14 digits")
    return value


def require_top_up_mb(value: object) -> int:
    """A whole number of megabytes Freebit can add at once: 1 to 512000 (the portal sells less)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_QUOTA_MB:
        raise InvalidSimCommand(f"the top-up amount must be a whole number of megabytes from 1 to {MAX_QUOTA_MB}")
    return value


def require_quota_code(value: object) -> str:
    """Our marker on a quota addition: 1 to 512 printable ASCII characters (a UUID fits)."""
    if not isinstance(value, str) or not _QUOTA_CODE.fullmatch(value):
        raise InvalidSimCommand("the quota code must be 1 to 512 printable ASCII characters")
    return value


def require_plan_code(value: object) -> str:
    """A Freebit plan code: 1 to 32 letters, digits, '.', '-' or '_'."""
    if not isinstance(value, str) or not _PLAN_CODE.fullmatch(value) or not value.isascii():
        raise InvalidSimCommand("the plan code must be 1 to 32 letters, digits, '.', '-' or '_'")
    return value


def require_product_number(value: object) -> str:
    """A physical SIM's product number (printed on its back): 2 capital letters and 13 digits."""
    if not isinstance(value, str) or not _PRODUCT_NUMBER.fullmatch(value):
        raise InvalidSimCommand("the SIM's product number must be 2 capital letters and 13 digits")
    return value


def require_eid(value: object) -> str:
    """An eSIM's EID: 32 digits."""
    if not isinstance(value, str) or not _EID.fullmatch(value):
        raise InvalidSimCommand("the EID must be 32 digits")
    return value


def require_day(value: object) -> date:
    """A calendar date (a datetime is refused: it would carry a time zone question)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidSimCommand("the date must be a date")
    return value


def require_voice_changes(value: object) -> dict:
    """Voice options to switch (``domain.sim.types.VoiceOption`` -> on/off): at least one."""
    from domain.sim.types import VoiceOption

    if not isinstance(value, dict) or not value:
        raise InvalidSimCommand("at least one voice option must be given")
    try:
        changes = {VoiceOption(name): enabled for name, enabled in value.items()}
    except ValueError:
        raise InvalidSimCommand("an unknown voice option was given") from None
    if any(not isinstance(enabled, bool) for enabled in changes.values()):
        raise InvalidSimCommand("a voice option is switched on or off")
    return changes


def require_network(value: object):
    """A contract line: "4G" or "5G" (``domain.sim.types.NetworkType``)."""
    from domain.sim.types import NetworkType

    try:
        return NetworkType(value)
    except ValueError:
        raise InvalidSimCommand("the network type must be 4G or 5G") from None
