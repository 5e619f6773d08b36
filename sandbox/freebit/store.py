"""The emulated Freebit platform: plans, accounts (SIM lines, keyed by phone number), their daily
usage, quota additions and booked plan changes.

Amounts are kilobytes inside (1 MB = 1024 kB, 1 GB = 1024 MB); quota additions are counted in MB as
PA04-04 takes them. The store is not thread-safe by itself: the app serialises access with one
lock. Time moves forward only through :meth:`FreebitStore.advance`, which the app calls with "now"
before every API call: it applies plan changes that have come due, brings new lines into service
and generates the usage of days not seen yet.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sandbox.common.clock import first_of_next_month
from sandbox.sim_stock import StockSim

KB_PER_MB = 1024
KB_PER_GB = 1024 * KB_PER_MB
RETENTION_DAYS = 62
"""Days of daily usage the platform generates (today included): the current and the previous month."""
RECENT_DAYS = 3
"""The window of ``inRecentDays``: the three days before today."""
THROTTLED_DAY_KB = 2_560
"""What a SIM that has used up its month's quota still uses a day at throttled speed."""
HEAVY_RECENT_KB = 3 * KB_PER_GB
"""Over this many kB in the recent days, the line is speed-restricted (``blackList`` "10")."""


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    data_only: bool
    quota_gb: int
    orderable: bool = True
    """Whether a line may be registered on it or change to it (a retired plan is kept by those who have it)."""

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
"""The plans the MVNO registered with the platform; codes are the catalog's product codes (SKUs)."""


@dataclass
class PendingChange:
    plan_code: str
    run_date: date


@dataclass
class PendingVoice:
    """A voice-option change (PA05-06) accepted and not applied yet: it lands at ``lands_at``."""

    options: dict[str, bool]
    lands_at: datetime


@dataclass
class PendingLine:
    """A contract-line switch (PA05-38) in progress: the account is locked until ``lands_at``."""

    contract_line: str
    lands_at: datetime


@dataclass(frozen=True)
class Reissue:
    """An eSIM profile reissued to a new device (PA05-41 ``addKind`` "R")."""

    account: str
    eid: str
    old_eid: str | None
    at: datetime


@dataclass(frozen=True)
class QuotaRecord:
    """One quota addition (PA04-04): never merged with another, whatever its quotaCode."""

    account: str
    quota_mb: int
    quota_code: str | None
    added_at: datetime  # JST
    expire: date

    @property
    def quota_kb(self) -> int:
        return self.quota_mb * KB_PER_MB


@dataclass
class Account:
    """A line (an MVNO account): a SIM with its phone number."""

    msisdn: str
    iccid: str
    plan_code: str
    status: str  # "active" | "suspended" | "temporary" (registered, not in service yet)
    activation_date: date
    voice: dict[str, bool] | None
    """``{"voiceMail": ..., "callWaiting": ..., "worldWing": ...}``; None for a data-only line."""
    usage_share: float
    """How much of its plan's quota the line's user uses in a month, on average (the usage profile)."""
    product_number: str | None = None
    eid: str | None = None
    client_id: int = 0
    """The demo's billing client (for the operator page only: Freebit knows nothing of it)."""
    in_service_at: datetime | None = None
    """For a line registered but not in service yet: when it will be."""
    pending: PendingChange | None = None
    suspended_since: date | None = None
    contract_line: str = "4G"
    """"4G" or "5G" (PA05-38)."""
    voice_order: PendingVoice | None = None
    line_change: PendingLine | None = None
    """While set, the account is locked: every write to it is refused (PA05-38)."""
    cancel_at: datetime | None = None
    """A cancellation booked (PA02-04): the line ends ("obsolete") at this instant."""
    cancel_run_date: date | None = None
    usage: dict[date, int] = field(default_factory=dict)
    """kB used per whole day, generated day by day."""

    @property
    def plan(self) -> Plan:
        return PLANS[self.plan_code]

    @property
    def data_only(self) -> bool:
        return self.voice is None

    @property
    def locked(self) -> bool:
        return self.line_change is not None


class FreebitStore:
    def __init__(self, now: datetime, usage_seed: int) -> None:
        self.now = now
        self.usage_seed = usage_seed
        self.accounts: dict[str, Account] = {}
        self.population: dict[str, Account] = {}
        """Lines of the generated customers (``sandbox.population``): brought up to date when looked
        up (:meth:`line`) rather than on every call, so thousands of them cost nothing until used."""
        self.quota: list[QuotaRecord] = []
        self.reissues: list[Reissue] = []
        self.orders: list[tuple[datetime, str, str, dict]] = []
        """Every write accepted: (when, PA code, account, what it asked), for the operator page and tests."""

    @property
    def today(self) -> date:
        return self.now.date()

    # -- time -------------------------------------------------------------------------------------
    def advance(self, now: datetime) -> None:
        """Move the clock to ``now`` (never backwards): lines registered come into service, due
        plan changes apply, and usage is generated up to today."""
        self.now = max(now, self.now)
        for account in self.accounts.values():
            self.settle(account)

    def line(self, msisdn: str) -> Account | None:
        """The line with this phone number, up to date (a generated line is brought up to date now)."""
        account = self.accounts.get(msisdn)
        if account is None:
            account = self.population.get(msisdn)
            if account is not None:
                self.settle(account)
        return account

    def settle(self, account: Account) -> None:
        """Bring one line up to the store's clock: in service, plan changes, voice options, the
        4G/5G switch, a cancellation due, and its usage up to today."""
        if account.status == "temporary" and account.in_service_at and account.in_service_at <= self.now:
            account.status, account.in_service_at = "active", None
        if account.pending and account.pending.run_date <= self.today:
            account.plan_code, account.pending = account.pending.plan_code, None
        if account.voice_order and account.voice_order.lands_at <= self.now and account.voice is not None:
            account.voice.update(account.voice_order.options)
            account.voice_order = None
        if account.line_change and account.line_change.lands_at <= self.now:
            account.contract_line, account.line_change = account.line_change.contract_line, None
        if account.cancel_at and account.cancel_at <= self.now and account.status != "obsolete":
            account.status = "obsolete"
            account.suspended_since = min(account.suspended_since or account.cancel_at.date(),
                                          account.cancel_at.date())  # no traffic from then on
        self.fill_usage(account)

    @property
    def retention_start(self) -> date:
        return self.today - timedelta(days=RETENTION_DAYS - 1)

    # -- usage ------------------------------------------------------------------------------------
    def fill_usage(self, account: Account) -> None:
        """Generate the usage of every day of the retention window not generated yet, in order."""
        day = max(account.activation_date, self.retention_start)
        if account.usage:
            day = max(day, max(account.usage) + timedelta(days=1))
        while day <= self.today:
            account.usage[day] = self._day_usage(account, day)
            day += timedelta(days=1)

    def _day_usage(self, account: Account, day: date) -> int:
        if account.status != "active" and account.suspended_since is None:
            return 0  # not in service yet
        if account.suspended_since is not None and day >= account.suspended_since:
            return 0  # a suspended line carries no traffic
        if day == account.activation_date:
            return 0  # in service today, in the customer's hands from tomorrow: no traffic yet
        rnd = random.Random(f"{self.usage_seed}:{account.iccid}:{day.isoformat()}")
        mean = account.plan.quota_kb * account.usage_share / 30.44
        weekend = day.weekday() >= 5
        factor = rnd.uniform(0.4, 1.6) * ((1.25 if account.data_only else 1.4) if weekend else 0.85)
        roll = rnd.random()
        if roll < 0.05:
            factor *= 3.0  # a film on a train, a video call
        elif roll < 0.10:
            factor *= 0.15  # a quiet day on Wi-Fi
        kb = int(mean * factor)
        month_used = self._whole_days_kb(account, day.replace(day=1), day - timedelta(days=1))
        left = self.month_quota_kb(account, day) - month_used
        return kb if kb <= left else max(0, min(kb, max(left, 0) + THROTTLED_DAY_KB))

    def _whole_days_kb(self, account: Account, start: date, end: date) -> int:
        return sum(kb for day, kb in account.usage.items() if start <= day <= end)

    def used_today_kb(self, account: Account) -> int:
        """Today's usage so far: the day's figure in proportion to the part of the day gone."""
        midnight = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = (self.now - midnight).total_seconds() / 86_400
        return int(account.usage.get(self.today, 0) * elapsed)

    def recent_days_kb(self, account: Account) -> int:
        return self._whole_days_kb(account, self.today - timedelta(days=RECENT_DAYS), self.today - timedelta(days=1))

    def month_used_kb(self, account: Account) -> int:
        first = self.today.replace(day=1)
        return self._whole_days_kb(account, first, self.today - timedelta(days=1)) + self.used_today_kb(account)

    def daily_kb(self, account: Account, start: date, end: date) -> list[tuple[date, int]]:
        """Whole days' usage from ``start`` to ``end`` (for tests and the operator page)."""
        return [(day, kb) for day, kb in sorted(account.usage.items()) if start <= day <= end]

    # -- quota ------------------------------------------------------------------------------------
    def valid_quota(self, account: Account, day: date) -> list[QuotaRecord]:
        """The additions that count on ``day``: made this month (by that day) and not expired."""
        return [record for record in self.quota
                if record.account == account.msisdn and record.added_at.date() <= day
                and (record.added_at.year, record.added_at.month) == (day.year, day.month) and day <= record.expire]

    def month_quota_kb(self, account: Account, day: date) -> int:
        """The month's allowance on ``day``: the plan's quota plus the month's valid additions."""
        return account.plan.quota_kb + sum(record.quota_kb for record in self.valid_quota(account, day))

    def remaining_kb(self, account: Account) -> int:
        return max(0, self.month_quota_kb(account, self.today) - self.month_used_kb(account))

    def add_quota(self, account: Account, quota_mb: int, quota_code: str | None, expire: date | None,
                  added_at: datetime) -> QuotaRecord:
        """Add data: every call adds, whatever its quotaCode (PA04-04 has no idempotency key).
        Without ``expire`` the data lasts until the month's end."""
        last_day = first_of_next_month(added_at.date()) - timedelta(days=1)
        record = QuotaRecord(account.msisdn, quota_mb, quota_code, added_at.replace(microsecond=0),
                             expire or last_day)
        self.quota.append(record)
        return record

    def quota_history(self, account: Account, start: date, end: date) -> list[QuotaRecord]:
        """Newest first."""
        return sorted((r for r in self.quota if r.account == account.msisdn and start <= r.added_at.date() <= end),
                      key=lambda r: r.added_at, reverse=True)

    # -- lines ------------------------------------------------------------------------------------
    def register(self, stock: StockSim, msisdn: str, plan: Plan, *, in_service_at: datetime | None,
                 eid: str | None = None) -> Account:
        """A new line on a SIM of the MVNO's stock: a card (PA02-01), or an eSIM profile onto the phone
        ``eid`` names (PA05-41)."""
        account = Account(
            msisdn=msisdn, iccid=stock.iccid, plan_code=plan.code,
            status="temporary" if in_service_at and in_service_at > self.now else "active",
            activation_date=(in_service_at or self.now).date(),
            voice=None if plan.data_only else {"voiceMail": True, "callWaiting": False, "worldWing": False},
            usage_share=0.4, product_number=stock.product_number, eid=eid,
            in_service_at=in_service_at if in_service_at and in_service_at > self.now else None,
        )
        self.accounts[msisdn] = account
        self.fill_usage(account)
        return account

    def used_stock(self) -> set[str]:
        """The ICCIDs of the SIMs a line is registered on."""
        return {account.iccid for account in self.accounts.values()}

    def eids_in_use(self) -> set[str]:
        """The phones an eSIM line is on."""
        return {account.eid for account in self.accounts.values() if account.eid}

    # -- state (operator actions) -------------------------------------------------------------------
    def set_status(self, account: Account, status: str) -> None:
        if status not in ("active", "suspended"):
            raise ValueError("status must be active or suspended")
        if status == account.status:
            return
        if account.status == "temporary":
            raise ValueError("the line is not in service yet")
        if account.status == "obsolete":
            raise ValueError("the line is cancelled")
        account.status = status
        account.suspended_since = self.today if status == "suspended" else None
