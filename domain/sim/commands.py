"""The arguments of a top-up or a plan change, checked before anything is sent."""
import re

from domain.sim.types import KB_PER_MB

_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PLAN_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


class InvalidSimCommand(ValueError):  # noqa: N818 - like InvalidIccid
    """A top-up or plan change argument that cannot be right; the message says which one."""


def require_top_up_mb(value: object) -> int:
    """A positive whole number of megabytes (the platform decides which amounts it sells)."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidSimCommand("the top-up amount must be a positive whole number of megabytes")
    if value * KB_PER_MB >= 2**53:
        raise InvalidSimCommand("the top-up amount is too large")
    return value


def require_request_id(value: object) -> str:
    """An idempotency key: 1 to 64 letters, digits, '-' or '_' (a UUID fits)."""
    if not isinstance(value, str) or not _REQUEST_ID.fullmatch(value) or not value.isascii():
        raise InvalidSimCommand("the request id must be 1 to 64 letters, digits, '-' or '_'")
    return value


def require_plan_code(value: object) -> str:
    if not isinstance(value, str) or not _PLAN_CODE.fullmatch(value) or not value.isascii():
        raise InvalidSimCommand("the plan code must be 1 to 40 letters, digits, '.', '-' or '_'")
    return value
