"""The emulated Freebit platform: plans, SIMs, their daily usage and top-ups.

Amounts are kilobytes (1 MB = 1024 kB, 1 GB = 1024 MB), as on the wire. The store is not
thread-safe by itself: the app serialises access with one lock. Time moves forward only through
:meth:`FreebitStore.advance`, which the app calls with "today" before every API call: it applies
scheduled plan changes that have come due and generates the usage of days not seen yet.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

KB_PER_MB = 1024
KB_PER_GB = 1024 * KB_PER_MB
RETENTION_DAYS = 62
"""Days of daily usage the platform keeps (today included): the current and the previous month."""
THROTTLED_DAY_KB = 2_560
"""What a SIM that has used up its month's quota still uses a day at throttled speed."""
POOL_SIZE = 500
"""Blank SIMs the MVNO holds for new activations."""
POOL_ICCID_PREFIX = "898110000100"
"""The pool's ICCIDs: this prefix, a six-digit serial and a Luhn check digit (19 digits), apart
from the demo SIMs' (``898110000000...``)."""


def luhn_complete(digits: str) -> str:
    """``digits`` plus their Luhn check digit (as on a real ICCID)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


class PoolExhausted(Exception):
    """No blank SIM left to activate."""


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    data_only: bool
    quota_gb: int
    orderable: bool = True
    """Whether a SIM may change to this plan (a retired plan is kept only by those who have it)."""

    @property
    def quota_kb(self) -> int:
        return self.quota_gb * KB_PER_GB


PLANS = {plan.code: plan for plan in (
    Plan("MOB-DATA-3G", "Data SIM 3 GB", True, 3),
    Plan("MOB-DATA-10G", "Data SIM 10 GB", True, 10),
    Plan("MOB-DATA-20G", "Data SIM 20 GB", True, 20),
    Plan("MOB-VOICE-3G", "Mobile Voice 3 GB", False, 3, orderable=False),
    Plan("MOB-VOICE-5G", "Mobile Voice 5 GB", False, 5),
    Plan("MOB-VOICE-20G", "Mobile Voice 20 GB", False, 20),
)}
"""The plans the MVNO registered with the platform; codes are the catalog's product codes."""


@dataclass
class PendingChange:
    plan_code: str
    effective_date: date


@dataclass
class Sim:
    iccid: str
    msisdn: str
    client_id: int
    plan_code: str
    status: str  # "active" | "suspended" (then ``suspended_since`` is set)
    activation_date: date
    voice: dict[str, bool] | None
    """``{"callWaiting": ..., "voiceMail": ..., "internationalRoaming": ...}``; None for a data SIM."""
    usage_share: float
    """How much of its plan's quota the SIM's owner uses in a month, on average (the usage profile)."""
    pending: PendingChange | None = None
    suspended_since: date | None = None
    usage: dict[date, int] = field(default_factory=dict)
    """kB used per day, generated day by day."""

    @property
    def plan(self) -> Plan:
        return PLANS[self.plan_code]

    @property
    def data_only(self) -> bool:
        return self.plan.data_only


@dataclass(frozen=True)
class TopUpRecord:
    topup_id: str
    request_id: str
    iccid: str
    quota_mb: int
    created_at: datetime  # JST
    status: str = "completed"

    @property
    def quota_kb(self) -> int:
        return self.quota_mb * KB_PER_MB


@dataclass(frozen=True)
class Activation:
    """A SIM taken from the pool and activated for one request id."""

    request_id: str
    iccid: str
    plan_code: str
    client_ref: str
    created_at: datetime  # JST


class FreebitStore:
    def __init__(self, today: date, usage_seed: int, pool_size: int = POOL_SIZE) -> None:
        self.today = today
        self.usage_seed = usage_seed
        self.sims: dict[str, Sim] = {}
        self.topups: list[TopUpRecord] = []
        self.topups_by_request: dict[str, TopUpRecord] = {}
        self._topup_seq = 0
        self.pool_size = pool_size
        self.pool_used = 0
        self.activations_by_request: dict[str, Activation] = {}

    # -- time -------------------------------------------------------------------------------------
    def advance(self, today: date) -> None:
        """Move the calendar to ``today`` (never backwards): apply due plan changes, add usage."""
        self.today = max(today, self.today)
        for sim in self.sims.values():
            if sim.pending and sim.pending.effective_date <= self.today:
                sim.plan_code, sim.pending = sim.pending.plan_code, None
            self.fill_usage(sim)

    @property
    def retention_start(self) -> date:
        return self.today - timedelta(days=RETENTION_DAYS - 1)

    # -- usage ------------------------------------------------------------------------------------
    def fill_usage(self, sim: Sim) -> None:
        """Generate the usage of every day of the retention window not generated yet, in order."""
        day = max(sim.activation_date, self.retention_start)
        if sim.usage:
            day = max(day, max(sim.usage) + timedelta(days=1))
        while day <= self.today:
            sim.usage[day] = self._day_usage(sim, day)
            day += timedelta(days=1)

    def _day_usage(self, sim: Sim, day: date) -> int:
        if sim.suspended_since is not None and day >= sim.suspended_since:
            return 0  # a suspended SIM carries no traffic
        if day == sim.activation_date:
            return 0  # activated today, in the customer's hands from tomorrow: no traffic yet
        rnd = random.Random(f"{self.usage_seed}:{sim.iccid}:{day.isoformat()}")
        mean = sim.plan.quota_kb * sim.usage_share / 30.44
        weekend = day.weekday() >= 5
        factor = rnd.uniform(0.4, 1.6) * ((1.25 if sim.data_only else 1.4) if weekend else 0.85)
        roll = rnd.random()
        if roll < 0.05:
            factor *= 3.0  # a film on a train, a video call
        elif roll < 0.10:
            factor *= 0.15  # a quiet day on Wi-Fi
        kb = int(mean * factor)
        month_used = self.used_kb(sim, day.replace(day=1), day - timedelta(days=1))
        left = self.month_quota_kb(sim, day) - month_used
        return kb if kb <= left else max(0, min(kb, max(left, 0) + THROTTLED_DAY_KB))

    def used_kb(self, sim: Sim, start: date, end: date) -> int:
        return sum(kb for day, kb in sim.usage.items() if start <= day <= end)

    def daily_usage(self, sim: Sim, start: date, end: date) -> list[tuple[date, int]]:
        """The reported days of ``start``..``end``: kept (retention), after activation, up to today."""
        first = max(start, self.retention_start, sim.activation_date)
        return [(day, sim.usage.get(day, 0)) for day in _days(first, min(end, self.today))]

    # -- quota ------------------------------------------------------------------------------------
    def month_topups_kb(self, sim: Sim, day: date) -> int:
        return sum(t.quota_kb for t in self.topups
                   if t.iccid == sim.iccid and (t.created_at.year, t.created_at.month) == (day.year, day.month))

    def month_quota_kb(self, sim: Sim, day: date) -> int:
        """The month's allowance: the plan's quota plus the month's top-ups."""
        return sim.plan.quota_kb + self.month_topups_kb(sim, day)

    def remaining_kb(self, sim: Sim) -> int:
        used = self.used_kb(sim, self.today.replace(day=1), self.today)
        return max(0, self.month_quota_kb(sim, self.today) - used)

    # -- top-ups ----------------------------------------------------------------------------------
    def add_topup(self, iccid: str, quota_mb: int, request_id: str, created_at: datetime) -> TopUpRecord:
        self._topup_seq += 1
        record = TopUpRecord(
            topup_id=f"TP{created_at:%Y%m%d}{self._topup_seq:05d}",
            request_id=request_id,
            iccid=iccid,
            quota_mb=quota_mb,
            created_at=created_at.replace(microsecond=0),
        )
        self.topups.append(record)
        self.topups_by_request[request_id] = record
        return record

    def topup_history(self, iccid: str) -> list[TopUpRecord]:
        """Newest first."""
        return sorted((t for t in self.topups if t.iccid == iccid), key=lambda t: (t.created_at, t.topup_id),
                      reverse=True)

    # -- activations ------------------------------------------------------------------------------
    def activate(self, plan: Plan, request_id: str, client_ref: str, now: datetime) -> Activation:
        """Take the next blank SIM from the pool and activate it on ``plan`` today."""
        if self.pool_used >= self.pool_size:
            raise PoolExhausted()
        self.pool_used += 1
        serial = self.pool_used
        iccid = luhn_complete(f"{POOL_ICCID_PREFIX}{serial:06d}")
        msisdn = f"{'020' if plan.data_only else '070'}6{serial:07d}"
        sim = Sim(
            iccid=iccid,
            msisdn=msisdn,
            client_id=int(client_ref) if client_ref.isdigit() and len(client_ref) < 10 else 0,
            plan_code=plan.code,
            status="active",
            activation_date=self.today,
            voice=None if plan.data_only else {"callWaiting": False, "voiceMail": True, "internationalRoaming": False},
            usage_share=0.4,
        )
        self.sims[iccid] = sim
        self.fill_usage(sim)
        record = Activation(request_id, iccid, plan.code, client_ref, now.replace(microsecond=0))
        self.activations_by_request[request_id] = record
        return record

    # -- SIM state (operator actions) ---------------------------------------------------------------
    def set_status(self, sim: Sim, status: str) -> None:
        if status not in ("active", "suspended"):
            raise ValueError("status must be active or suspended")
        if status == sim.status:
            return
        sim.status = status
        sim.suspended_since = self.today if status == "suspended" else None


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)] if start <= end else []
