"""Raw Freebit answers, as Freebit's MVNO "PA" API returns them (reference: docs/freebit.md; the
emulator speaking the same format: ``sandbox/freebit/api.py``).

Every answer is a JSON object with ``resultCode`` ("100" = OK) and ``status`` (``message`` and
``statusCode``); the connection checks those, so the schemas here only declare the payload the
mappers read.

**This module is the one place of every assumption about the answers' payloads.** Freebit's PA
documents available to us were cut off before their response tables (PA03-02, PA05-01) or are not
available at all (PA05-02), so the field names, units and code values below are assumptions, each
marked ``ASSUMPTION`` and listed in docs/freebit.md under "To confirm with Freebit". The emulator
answers exactly this (``sandbox/freebit/api.py``); when Freebit's specification says otherwise,
change the field here and there, and nothing else.

Conventions that *are* documented and hold everywhere: scalars travel as strings, flags are
``"10"`` (yes / on) and ``"20"`` (no / off), dates are ``YYYYMMDD`` in Japan time.
"""
import re
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from domain.sim.types import NetworkType, SimStatus

PROVIDER = "freebit"
JST = timezone(timedelta(hours=9), "JST")

E = TypeVar("E", bound=Enum)

_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{8}")
_DATETIME = re.compile(r"[0-9]{14}")

YES, NO = "10", "20"
"""Freebit's two-digit flags (documented): "10" enabled / yes, "20" disabled / no."""


class FreebitRawModel(BaseModel):
    """A raw Freebit object: fields we do not declare are dropped."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _whole_number(value: object) -> int:
    """A digit string (Freebit's form), or a JSON number that is a whole, non-negative one."""
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


def _flag(value: object) -> bool:
    if value == YES:
        return True
    if value == NO:
        return False
    raise ValueError('not "10" or "20"')


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
Megabytes = Annotated[int, BeforeValidator(_whole_number)]
FreebitDate = Annotated[date, BeforeValidator(_date)]
FreebitDateTime = Annotated[datetime, BeforeValidator(_datetime)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Text = Annotated[str, Field(strict=True)]
NonEmptyText = Annotated[str, Field(strict=True), StringConstraints(min_length=1)]

CONTRACT_LINES = {"4G": NetworkType.LTE, "5G": NetworkType.NR}  # documented spellings (PA05-38)
TALK_OPTION_NAMES = {  # documented: voiceMail, callWaiting (PA05-05/06); ASSUMPTION: worldWing (roaming)
    "voiceMail": "Voicemail",
    "callWaiting": "Call waiting",
    "worldWing": "International roaming",
}

SIM_STATUSES = {  # ASSUMPTION (PA03-02 ``state``): the words and what they mean
    "active": SimStatus.ACTIVE,
    "suspended": SimStatus.SUSPENDED,
    "temporary": SimStatus.PENDING,  # registered (PA02-01 / PA05-41), not in service yet
    "obsolete": SimStatus.CANCELLED,  # cancelled (PA02-04)
}


# --- PA01-01 authOem ------------------------------------------------------------------------------
class FreebitAuthRaw(FreebitRawModel):
    """The answer of ``/authOem/`` (documented: ``authKey``)."""

    authKey: NonEmptyText


# --- PA03-02 account details ----------------------------------------------------------------------
class FreebitTalkOptionRaw(FreebitRawModel):
    """ASSUMPTION: a voice SIM's options come back as ``talkOption``, with the names PA05-05/06 use
    to set them (``voiceMail``, ``callWaiting``) plus ``worldWing`` (international roaming)."""

    voiceMail: Flag
    callWaiting: Flag
    worldWing: Flag


class FreebitAccountRaw(FreebitRawModel):
    """One ``responseDatas`` item of PA03-02 for an MVNO account. Documented: ``kind``, ``account``
    (request side). Every other field name, unit and value is an ASSUMPTION."""

    kind: NonEmptyText
    account: NonEmptyText
    """The SIM's phone number."""
    iccid: NonEmptyText
    state: Annotated[SimStatus, wire_enum(SIM_STATUSES)]
    planCode: NonEmptyText
    planName: Text | None = None
    """ASSUMPTION, and optional: the plan code stands in when Freebit gives no name."""
    startDate: FreebitDate
    """The day the line came into service."""
    talk: Flag
    """Voice service: "10" a voice SIM, "20" a data-only SIM."""
    talkOption: FreebitTalkOptionRaw | None = None
    """Voice SIMs only; null or absent for a data SIM."""
    quota: Kilobytes
    """Data left this month, in kilobytes."""
    monthQuota: Kilobytes
    """This month's allowance (the plan's data plus this month's additions), in kilobytes."""
    contractLine: Annotated[NetworkType, wire_enum(CONTRACT_LINES)] = NetworkType.LTE
    """ASSUMPTION: the contract line PA05-38 switches, "4G" or "5G" (absent: 4G)."""
    eid: Annotated[str, StringConstraints(pattern=r"^[0-9]{32}$")] | None = None
    """ASSUMPTION: an eSIM's EID (PA05-41 moves it to a new one on a reissue); null for a physical SIM."""


class FreebitAccountDetailsRaw(FreebitRawModel):
    """The answer of ``/mvno/getDetail/`` (PA03-02). ASSUMPTION: the details come back in a
    ``responseDatas`` list mirroring the request's ``requestDatas``, one item for one account."""

    responseDatas: Annotated[list[FreebitAccountRaw], Field(min_length=1, max_length=1)]


# --- PA05-01 traffic --------------------------------------------------------------------------------
class FreebitTrafficFiguresRaw(FreebitRawModel):
    """ASSUMPTION: PA05-01's traffic fields (its table was cut off at row 5)."""

    today: Kilobytes
    """Kilobytes used today (Japan's day) so far."""
    inRecentDays: Kilobytes
    """Kilobytes used over the three days before today (the window of the speed limit)."""
    blackList: Flag
    """ "10": the SIM's speed is restricted for heavy use."""


class FreebitTrafficRaw(FreebitRawModel):
    """The answer of ``/mvno/getTrafficInfo/`` (PA05-01)."""

    account: NonEmptyText
    traffic: FreebitTrafficFiguresRaw


# --- PA05-02 quota history --------------------------------------------------------------------------
class FreebitQuotaEntryRaw(FreebitRawModel):
    """ASSUMPTION (the whole of PA05-02 is unknown): one quota addition."""

    quota: Megabytes
    """Megabytes added (PA04-04's unit)."""
    quotaCode: Text | None = None
    """The ``quotaCode`` PA04-04 was sent with (PA04-04 says it is shown in this history)."""
    addDate: FreebitDateTime
    expire: FreebitDate | None = None


class FreebitQuotaHistoryRaw(FreebitRawModel):
    """The answer of PA05-02 (path: ``integrations/freebit/connection.py``)."""

    account: NonEmptyText
    quotaHistory: list[FreebitQuotaEntryRaw]


# --- PA05-21 plan change ------------------------------------------------------------------------------
class FreebitPlanChangeRaw(FreebitRawModel):
    """The answer of PA05-21: documented ``ipv4`` (a fixed IP's address, when one applies)."""

    ipv4: Text | None = None
