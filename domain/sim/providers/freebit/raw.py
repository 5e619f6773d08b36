"""Raw Freebit answers, as the Freebit MVNO API returns them (wire format: ``sandbox/freebit``).

Every answer is a JSON object with ``resultCode`` ("100" = OK) and ``status`` (message and status
code); the connection checks those, so the schemas here only declare the payload the mapper reads:

- ``/api/sim/details`` -> ``account``; ``/api/sim/usage`` -> ``usage``; ``/api/sim/topup`` ->
  ``topup``; ``/api/sim/topup-history`` -> ``topupHistory``; ``/api/sim/plan-change`` -> ``planChange``.
- data amounts are whole kilobytes (``...Kb``), JSON numbers (a digit string is accepted too);
- dates are "YYYYMMDD", datetimes "YYYYMMDDhhmmss" in Japan time (JST, UTC+9, no offset written);
- states are lower-case words ("active", "suspended"); voice options are "on"/"off".

Anything else is refused with a short reason, so the mapper raises a MappingError naming the field.
"""
import re
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from domain.sim.types import PlanChangeStatus, SimStatus, TopUpStatus

PROVIDER = "freebit"
JST = timezone(timedelta(hours=9), "JST")

E = TypeVar("E", bound=Enum)

_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{8}")
_DATETIME = re.compile(r"[0-9]{14}")


class FreebitRawModel(BaseModel):
    """A raw Freebit object: fields we do not declare are dropped."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _whole_number(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise ValueError("not a whole number")


def _date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("not a date (YYYYMMDD)")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise ValueError("not a valid calendar date") from None


def _datetime(value: object) -> datetime:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise ValueError("not a datetime (YYYYMMDDhhmmss)")
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=JST)
    except ValueError:
        raise ValueError("not a valid calendar datetime") from None


def _on_off(value: object) -> bool:
    if value == "on":
        return True
    if value == "off":
        return False
    raise ValueError('not "on" or "off"')


def wire_enum(spellings: dict[str, E]) -> BeforeValidator:
    """A validator turning Freebit's exact spelling into the domain member, else 'unknown value'."""

    def parse(value: object) -> E:
        if not isinstance(value, str):
            raise ValueError(f"not text ({type(value).__name__})")
        try:
            return spellings[value]
        except KeyError:
            raise ValueError(f"unknown value {value[:40]!r}") from None

    return BeforeValidator(parse)


Kilobytes = Annotated[int, BeforeValidator(_whole_number)]
Count = Annotated[int, BeforeValidator(_whole_number)]
FreebitDate = Annotated[date, BeforeValidator(_date)]
FreebitDateTime = Annotated[datetime, BeforeValidator(_datetime)]
OnOff = Annotated[bool, BeforeValidator(_on_off)]
Text = Annotated[str, Field(strict=True)]
NonEmptyText = Annotated[str, Field(strict=True), StringConstraints(min_length=1)]

SIM_STATUSES = {
    "active": SimStatus.ACTIVE,
    "suspended": SimStatus.SUSPENDED,
    "pending": SimStatus.PENDING,
    "cancelled": SimStatus.CANCELLED,
}
SIM_TYPES = {"voice": False, "data": True}  # -> data_only
TOPUP_STATUSES = {"completed": TopUpStatus.COMPLETED, "pending": TopUpStatus.PENDING, "failed": TopUpStatus.FAILED}
PLAN_CHANGE_STATUSES = {"applied": PlanChangeStatus.APPLIED, "scheduled": PlanChangeStatus.SCHEDULED}


class FreebitVoiceOptionRaw(FreebitRawModel):
    callWaiting: OnOff
    voiceMail: OnOff
    internationalRoaming: OnOff


class FreebitPendingPlanChangeRaw(FreebitRawModel):
    planCode: NonEmptyText
    planName: Text
    effectiveDate: FreebitDate


class FreebitAccountRaw(FreebitRawModel):
    iccid: NonEmptyText
    msisdn: NonEmptyText
    status: Annotated[SimStatus, wire_enum(SIM_STATUSES)]
    simType: Annotated[bool, wire_enum(SIM_TYPES)]
    planCode: NonEmptyText
    planName: Text
    totalQuotaKb: Kilobytes
    remainingQuotaKb: Kilobytes
    activationDate: FreebitDate
    voiceOption: FreebitVoiceOptionRaw | None = None
    """Voice SIMs only; null or absent for a data SIM."""
    pendingPlanChange: FreebitPendingPlanChangeRaw | None = None


class FreebitAccountDetailsRaw(FreebitRawModel):
    """The answer of ``/api/sim/details``."""

    account: FreebitAccountRaw


class FreebitDailyUsageRaw(FreebitRawModel):
    date: FreebitDate
    usageKb: Kilobytes


class FreebitUsageRaw(FreebitRawModel):
    iccid: NonEmptyText
    startDate: FreebitDate
    endDate: FreebitDate
    totalUsageKb: Kilobytes
    daily: list[FreebitDailyUsageRaw]


class FreebitUsageDataRaw(FreebitRawModel):
    """The answer of ``/api/sim/usage``."""

    usage: FreebitUsageRaw


class FreebitTopupRaw(FreebitRawModel):
    topupId: NonEmptyText
    requestId: NonEmptyText
    iccid: NonEmptyText
    quotaKb: Kilobytes
    status: Annotated[TopUpStatus, wire_enum(TOPUP_STATUSES)]
    createdAt: FreebitDateTime


class FreebitTopupAnswerRaw(FreebitRawModel):
    """The answer of ``/api/sim/topup``."""

    topup: FreebitTopupRaw


class FreebitTopupListRaw(FreebitRawModel):
    iccid: NonEmptyText
    count: Count
    list: list[FreebitTopupRaw]


class FreebitTopupHistoryRaw(FreebitRawModel):
    """The answer of ``/api/sim/topup-history``."""

    topupHistory: FreebitTopupListRaw


class FreebitPlanChangeRaw(FreebitRawModel):
    iccid: NonEmptyText
    planCode: NonEmptyText
    planName: Text
    previousPlanCode: NonEmptyText
    status: Annotated[PlanChangeStatus, wire_enum(PLAN_CHANGE_STATUSES)]
    effectiveDate: FreebitDate


class FreebitPlanChangeAnswerRaw(FreebitRawModel):
    """The answer of ``/api/sim/plan-change``."""

    planChange: FreebitPlanChangeRaw
