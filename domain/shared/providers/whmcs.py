"""Field types for raw WHMCS schemas: they absorb the quirks of WHMCS's JSON once, here.

- numbers and ids come as strings ("12.50", "1001") or as JSON numbers;
- dates are "YYYY-MM-DD", datetimes "YYYY-MM-DD HH:MM:SS" in the installation's own time zone
  (no offset written; ours keeps Japan time: ``WHMCS_TIME_ZONE``, docs/whmcs.md "To confirm"), and
  "0000-00-00[ 00:00:00]" means none;
- an empty collection is "" or [] (PHP's empty array) or left out, a full one `{"item": [...]}`;
- flags are "0"/"1" or 0/1.

Anything else is refused with a short reason, so the mapper raises a MappingError naming the field.
"""
import math
import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

PROVIDER = "whmcs"
WHMCS_TIME_ZONE = ZoneInfo("Asia/Tokyo")
"""The time zone of the WHMCS installation's clock (PHP's date.timezone), in which it writes datetimes."""
WHMCS_DEFAULT_PAGE_SIZE = 25
"""What WHMCS returns when a list call is sent without `limitnum`."""

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

_WHOLE = re.compile(r"\d+")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_ZERO_DATES = frozenset({"0000-00-00", "0000-00-00 00:00:00"})


class WhmcsRawModel(BaseModel):
    """A raw WHMCS object: fields we do not declare (passwords, tokens, ...) are dropped."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _whole_number(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    raise ValueError("not a whole number")


def _optional_id(value: object) -> int | None:
    """WHMCS writes "no related record" as 0, "0", "" or null."""
    if value is None or value == "":
        return None
    number = _whole_number(value)
    return number or None


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("not a decimal number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # a JSON number: take its shortest repr, not its binary value
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Decimal(repr(value))
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise ValueError("not a decimal number")


def _date(value: object) -> date:
    text = value.strip() if isinstance(value, str) else None
    if text is None or not _DATE.fullmatch(text):
        raise ValueError("not a date (YYYY-MM-DD)")
    if text in _ZERO_DATES:
        raise ValueError("is empty (0000-00-00) where a date is required")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a valid calendar date") from None


def _datetime(value: object) -> datetime:
    text = value.strip() if isinstance(value, str) else None
    if text is None or not _DATETIME.fullmatch(text):
        raise ValueError("not a datetime (YYYY-MM-DD HH:MM:SS)")
    if text in _ZERO_DATES:
        raise ValueError("is empty (0000-00-00 00:00:00) where a datetime is required")
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=WHMCS_TIME_ZONE)
    except ValueError:
        raise ValueError("not a valid calendar datetime") from None


def _is_none(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in {"", *_ZERO_DATES})


def _optional_date(value: object) -> date | None:
    return None if _is_none(value) else _date(value)


def _optional_datetime(value: object) -> datetime | None:
    return None if _is_none(value) else _datetime(value)


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("0", "1") or (isinstance(value, int) and value in (0, 1)):
        return value in ("1", 1)
    raise ValueError("not a 0/1 flag")


def _text(value: object) -> str:
    """Free text; WHMCS sends null for some unset text fields and numbers for numeric-looking ones."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError("not text")


def _as_list(value: object) -> object:
    """`""`/`{}`/null/absent -> [], a lone object -> [object]; a list passes through."""
    if value is None or value == "" or value == {}:
        return []
    if isinstance(value, dict):
        return [value]
    return value


def _as_container(value: object) -> object:
    """An empty wrapper (`"items": ""`, `[]` or null) -> `{}`, so its list defaults to empty."""
    if value is None or value == "" or value == []:
        return {}
    return value


def enum_field(enum: type[E]) -> BeforeValidator:
    """A validator turning the exact WHMCS spelling into the enum member, else 'unknown value'."""

    def parse(value: object) -> E:
        if not isinstance(value, str):
            raise ValueError(f"not text ({type(value).__name__})")
        try:
            return enum(value)
        except ValueError:
            raise ValueError(f"unknown value {value[:40]!r}") from None

    return BeforeValidator(parse)


WhmcsId = Annotated[int, BeforeValidator(_whole_number), Field(gt=0)]
WhmcsOptionalId = Annotated[int | None, BeforeValidator(_optional_id)]
WhmcsCount = Annotated[int, BeforeValidator(_whole_number), Field(ge=0)]
WhmcsDecimal = Annotated[Decimal, BeforeValidator(_decimal)]
WhmcsDate = Annotated[date, BeforeValidator(_date)]
WhmcsOptionalDate = Annotated[date | None, BeforeValidator(_optional_date)]
WhmcsDateTime = Annotated[datetime, BeforeValidator(_datetime)]
WhmcsOptionalDateTime = Annotated[datetime | None, BeforeValidator(_optional_datetime)]
WhmcsFlag = Annotated[bool, BeforeValidator(_flag)]
WhmcsText = Annotated[str, BeforeValidator(_text)]
WhmcsCurrencyCode = Annotated[str, BeforeValidator(_text), Field(pattern=r"^([A-Z]{3})?$")]
"""Three upper-case letters, or "" when the payload leaves the currency to the caller."""

WhmcsList = Annotated[list[T], BeforeValidator(_as_list)]
"""`WhmcsList[Item]`: the list inside a WHMCS wrapper such as `{"item": [...]}`."""
WhmcsContainer = Annotated[T, BeforeValidator(_as_container)]
"""`WhmcsContainer[Items]`: a wrapper object that WHMCS sends as "" or [] when it is empty."""
