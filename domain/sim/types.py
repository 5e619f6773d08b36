"""SIM domain types: a SIM's details, its traffic figures and daily usage, quota additions (top-ups)
and plan changes.

Data amounts are :class:`DataQuota`, a whole number of kilobytes with binary multiples
(1 MB = 1024 kB, 1 GB = 1024 MB), which is how the MVNO platform counts; `format()` gives what a
customer reads ("3.2 GB", "850 MB").
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from domain.shared.calendar import month_start
from domain.shared.model import DomainModel
from domain.sim.iccid import Iccid

KB_PER_MB = 1024
MB_PER_GB = 1024
KB_PER_GB = KB_PER_MB * MB_PER_GB

PlanCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
"""A plan code of the MVNO platform, e.g. "MOB-VOICE-20G"."""
Msisdn = Annotated[str, StringConstraints(pattern=r"^\d{11,14}$")]
"""A phone number as the platform stores it: 11 to 14 digits, domestic, no hyphens ("09012340012").
It is the SIM's ``account`` on Freebit: every call about a SIM names it by this number."""
Eid = Annotated[str, StringConstraints(pattern=r"^[0-9]{32}$")]
"""An eUICC's EID: the 32 digits that name the phone (or other device) an eSIM profile is installed on."""
QuotaCode = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,512}$")]
"""Our marker on a quota addition (PA04-04 ``quotaCode``): 1 to 512 printable ASCII characters."""


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a time zone")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class DataQuota(DomainModel):
    """An amount of mobile data in kilobytes (binary multiples: 1 MB = 1024 kB, 1 GB = 1024 MB)."""

    kb: Annotated[int, Field(ge=0, strict=True)]

    @classmethod
    def from_mb(cls, mb: int) -> DataQuota:
        return cls(kb=mb * KB_PER_MB)

    @classmethod
    def from_gb(cls, gb: int) -> DataQuota:
        return cls(kb=gb * KB_PER_GB)

    @classmethod
    def zero(cls) -> DataQuota:
        return cls(kb=0)

    @property
    def mb(self) -> int:
        """Whole megabytes, rounded down."""
        return self.kb // KB_PER_MB

    @property
    def gb(self) -> Decimal:
        """Gigabytes, exactly (a kilobyte count over 2**20 always has a finite decimal expansion)."""
        return Decimal(self.kb) / KB_PER_GB

    def format(self) -> str:
        """"3.2 GB" from 1 GB up (one decimal, none when it is .0), else "850 MB"; "<1 MB" below
        half a megabyte but above zero, "0 MB" for nothing. Rounded half up."""
        if self.kb == 0:
            return "0 MB"
        mb = (Decimal(self.kb) / KB_PER_MB).quantize(Decimal(1), ROUND_HALF_UP)
        if mb == 0:
            return "<1 MB"
        if mb < MB_PER_GB:
            return f"{mb} MB"
        gb = self.gb.quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{gb:f}".removesuffix(".0") + " GB"

    def __str__(self) -> str:
        return self.format()

    def __add__(self, other: DataQuota) -> DataQuota:
        if not isinstance(other, DataQuota):
            return NotImplemented
        return DataQuota(kb=self.kb + other.kb)

    def minus(self, other: DataQuota) -> DataQuota:
        """`self - other`, never below zero."""
        return DataQuota(kb=max(0, self.kb - other.kb))

    def __lt__(self, other: DataQuota) -> bool:
        if not isinstance(other, DataQuota):
            return NotImplemented
        return self.kb < other.kb

    def __le__(self, other: DataQuota) -> bool:
        if not isinstance(other, DataQuota):
            return NotImplemented
        return self.kb <= other.kb

    def __gt__(self, other: DataQuota) -> bool:
        if not isinstance(other, DataQuota):
            return NotImplemented
        return self.kb > other.kb

    def __ge__(self, other: DataQuota) -> bool:
        if not isinstance(other, DataQuota):
            return NotImplemented
        return self.kb >= other.kb


def total_of(amounts: tuple[DataQuota, ...] | list[DataQuota]) -> DataQuota:
    return DataQuota(kb=sum(amount.kb for amount in amounts))


class SimStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    """Blocked (a lost SIM, an unpaid bill): no data, no top-ups, no plan changes."""
    PENDING = "pending"
    """Ordered, not activated yet."""
    CANCELLED = "cancelled"


class VoiceOption(StrEnum):
    CALL_WAITING = "Call waiting"
    VOICEMAIL = "Voicemail"
    INTERNATIONAL_ROAMING = "International roaming"


class SimKind(StrEnum):
    """A SIM card or an eSIM (the line's form, as the SIM inventory and the order name it)."""

    PHYSICAL = "Physical"
    """A SIM card: activated with PA02-01, named by its product number; replaced by a new card."""
    ESIM = "eSIM"
    """An eSIM profile: activated with PA05-41 on a phone's EID; reissued (PA05-41 "R") for a new phone."""


class NetworkType(StrEnum):
    """The SIM's contract line: 4G (LTE) or 5G (Freebit PA05-38)."""

    LTE = "4G"
    NR = "5G"


class SimDetails(DomainModel):
    iccid: Iccid
    msisdn: Msisdn
    status: SimStatus
    plan_code: PlanCode
    plan_name: str
    data_only: bool
    """A data-only SIM (its number, 020-, cannot make calls) rather than a voice SIM."""
    remaining: DataQuota
    """Data left this month."""
    total: DataQuota
    """This month's allowance: the plan's quota plus this month's top-ups."""
    activation_date: date
    voice_options: tuple[tuple[VoiceOption, bool], ...] = ()
    """(option, enabled) pairs; empty for a data-only SIM."""
    network: NetworkType = NetworkType.LTE
    """The contract line (4G or 5G) the platform reports."""
    eid: Eid | None = None
    """The eSIM's EID (the device it is installed on); None for a physical SIM."""

    @property
    def kind(self) -> SimKind:
        """An eSIM when the platform names the device it is on (its EID), else a SIM card."""
        return SimKind.ESIM if self.eid else SimKind.PHYSICAL

    @property
    def is_esim(self) -> bool:
        return self.kind is SimKind.ESIM

    @model_validator(mode="after")
    def _consistent(self) -> SimDetails:
        if self.remaining > self.total:
            raise ValueError("the remaining data cannot exceed the month's total")
        if self.data_only and self.voice_options:
            raise ValueError("a data-only SIM has no voice options")
        names = [name for name, _ in self.voice_options]
        if len(names) != len(set(names)):
            raise ValueError("a voice option is listed twice")
        return self

    @property
    def used(self) -> DataQuota:
        """Data used this month (total minus remaining)."""
        return self.total.minus(self.remaining)

    @property
    def used_percent(self) -> int:
        """Share of this month's allowance used, 0..100 (100 for a zero allowance)."""
        if self.total.kb == 0:
            return 100
        return min(100, round(self.used.kb * 100 / self.total.kb))

    def usage_started(self, today: date) -> bool:
        """Whether the SIM has any use to show. False for a SIM activated this month (in business
        time) that has used nothing yet: its usage appears after its first day of use."""
        return self.used.kb > 0 or month_start(self.activation_date) < month_start(today)

    def used_percent_on(self, today: date) -> int | None:
        """``used_percent``, or None while the SIM has no use to show (nothing to contradict the
        "no usage yet" state)."""
        return self.used_percent if self.usage_started(today) else None

    @property
    def is_active(self) -> bool:
        return self.status is SimStatus.ACTIVE

    @property
    def can_top_up(self) -> bool:
        return self.status is SimStatus.ACTIVE

    @property
    def can_change_plan(self) -> bool:
        return self.status is SimStatus.ACTIVE

    def voice_option(self, option: VoiceOption | str) -> bool | None:
        """Whether `option` is enabled; None when the SIM does not report it."""
        return next((enabled for name, enabled in self.voice_options if name == option), None)

    @property
    def formatted_msisdn(self) -> str:
        """"090-1234-0012" for an 11-digit Japanese number, the digits as they are otherwise."""
        number = self.msisdn
        if len(number) == 11 and number.startswith("0"):
            return f"{number[:3]}-{number[3:7]}-{number[7:]}"
        return number


class UsagePoint(DomainModel):
    """The data one SIM used on one day."""

    date: date
    used: DataQuota


class MonthlyUsage(DomainModel):
    year: int
    month: Annotated[int, Field(ge=1, le=12)]
    points: tuple[UsagePoint, ...]

    @property
    def total_used(self) -> DataQuota:
        return total_of([point.used for point in self.points])

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


class SimUsage(DomainModel):
    """Daily usage of one SIM over `start`..`end` (both included). Days the platform did not
    report (before activation, past its retention) have no point."""

    iccid: Iccid
    start: date
    end: date
    points: tuple[UsagePoint, ...]

    @model_validator(mode="after")
    def _ordered(self) -> SimUsage:
        if self.start > self.end:
            raise ValueError("the start date is after the end date")
        days = [point.date for point in self.points]
        if any(later <= earlier for earlier, later in zip(days, days[1:], strict=False)):
            raise ValueError("daily points must be in date order, one per day")
        if days and (days[0] < self.start or days[-1] > self.end):
            raise ValueError("a daily point lies outside the requested range")
        return self

    @property
    def total_used(self) -> DataQuota:
        return total_of([point.used for point in self.points])

    def by_month(self) -> tuple[MonthlyUsage, ...]:
        """The points grouped by calendar month, oldest month first."""
        months: dict[tuple[int, int], list[UsagePoint]] = {}
        for point in self.points:
            months.setdefault((point.date.year, point.date.month), []).append(point)
        return tuple(
            MonthlyUsage(year=year, month=month, points=tuple(points)) for (year, month), points in months.items()
        )

    def month(self, year: int, month: int) -> MonthlyUsage:
        """One calendar month's points (none if the range does not cover it)."""
        points = tuple(p for p in self.points if (p.date.year, p.date.month) == (year, month))
        return MonthlyUsage(year=year, month=month, points=points)


class SimTraffic(DomainModel):
    """What the platform reports of a SIM's traffic at the moment it is asked (PA05-01): the data
    used today so far (Japan's day) and over the days before it. It keeps no history of its own."""

    msisdn: Msisdn
    today: DataQuota
    """Used today, so far."""
    recent_days: DataQuota
    """Used over the few days before today (the platform's window for its speed limit)."""
    throttled: bool
    """The SIM's speed is restricted for heavy use."""


class QuotaAddition(DomainModel):
    """Data added to a SIM (a top-up), as the platform's quota history lists it."""

    quota: DataQuota
    quota_code: QuotaCode | None = None
    """The marker the request carried (ours is the top-up's request id); None when it had none."""
    added_at: AwareDatetime
    expires: date | None = None
    """The last day the added data can be used; None when the platform set no expiry."""


class PlanChange(DomainModel):
    """A plan change the platform accepted: made now (``run_date`` None) or on ``run_date``."""

    msisdn: Msisdn
    plan_code: PlanCode
    run_date: date | None = None
    ipv4: str = ""
    """The fixed IP address the plan comes with, when it has one."""

    @property
    def immediate(self) -> bool:
        return self.run_date is None


class TopUpStatus(StrEnum):
    """Kept for ``portal/core/formats.py``'s labels only: no Freebit answer carries a top-up status
    (PA04-04 answers success or an error; the portal's own ``portal.sim.models.TopUp`` has its own)."""

    COMPLETED = "completed"
    PENDING = "pending"
    FAILED = "failed"


class PlanChangeStatus(StrEnum):
    """Kept for ``portal/core/formats.py``'s labels only: PA05-21 answers no status (see PlanChange)."""

    APPLIED = "applied"
    SCHEDULED = "scheduled"
