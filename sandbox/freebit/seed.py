"""Believable Freebit data for the demo SIMs, lined up with the WHMCS emulator's.

The lines are ``sandbox.whmcs.DEMO_SIMS`` (same ICCIDs and phone numbers as the WHMCS services'
custom fields), on the plan of the WHMCS product each is billed as, in service from a few days
after WHMCS registered the service, with the same status:

| service | customer | number | plan | status |
| --- | --- | --- | --- | --- |
| 12 | Alice | 090-1234-0012 | Mobile Voice 20 GB, **an eSIM** (EID ``DEMO_ESIM_EID``) | active, 1 GB added last month |
| 13 | Alice | 080-1234-0013 | Mobile Voice 5 GB | active, 1 GB added on the 1st of this month |
| 14 | Alice | 020-1234-0014 | Data SIM 10 GB (data only) | active |
| 15 | Alice | 070-1234-0015 | Mobile Voice 3 GB (retired plan) | suspended 45 days ago (lost SIM) |
| 21 | Bob | 090-5678-0021 | Mobile Voice 20 GB | active, 512 MB added 40 days ago |

Every other line is a physical SIM card (no EID).

Daily usage covers the last 62 days, drawn from a seeded generator per line and day: more at
weekends, the odd heavy or quiet day, throttled once a month's quota is used up. Same seed and
same day: the same numbers. The blank SIMs the MVNO holds for new lines are ``sandbox.sim_stock``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sandbox import population
from sandbox.common.clock import JST, add_months
from sandbox.whmcs import DEMO_SIMS

from .store import Account, FreebitStore

DEFAULT_USAGE_SEED = 20240401


@dataclass(frozen=True)
class _SimSeed:
    plan_code: str
    months: int
    """Months before the billing anchor that WHMCS registered the service (its ``started``)."""
    usage_share: float
    voice: tuple[bool, bool, bool] | None = None
    """(voicemail, call waiting, international roaming) for a voice line."""
    suspended_days_ago: int | None = None
    eid: str | None = None
    """An eSIM's EID (the phone it is on); None: a SIM card."""


DEMO_ESIM_EID = "89033023426200000000000001234512"
"""The phone Alice's eSIM (service 12) is on: not one of the MVNO's stock (``sandbox.sim_stock``)."""

SIM_SEEDS = {  # by WHMCS service id
    12: _SimSeed("MOB-VOICE-20G", 24, 0.62, voice=(True, True, False), eid=DEMO_ESIM_EID),
    13: _SimSeed("MOB-VOICE-5G", 14, 0.80, voice=(True, False, True)),
    14: _SimSeed("MOB-DATA-10G", 8, 0.45),
    15: _SimSeed("MOB-VOICE-3G", 20, 0.50, voice=(False, False, False), suspended_days_ago=45),
    21: _SimSeed("MOB-VOICE-20G", 7, 0.55, voice=(False, True, False)),
}


def billing_anchor(today: date) -> date:
    """The WHMCS emulator's monthly billing day: 5 days ago, at most the 28th."""
    anchor = today - timedelta(days=5)
    return anchor.replace(day=min(anchor.day, 28))


def seed_store(now: datetime, usage_seed: int = DEFAULT_USAGE_SEED, customers: int = 0) -> FreebitStore:
    """A fresh store holding the demo lines, dated relative to ``now`` (Japan time), and the lines of
    the first ``customers`` generated customers (``sandbox.population``; none by default)."""
    store = FreebitStore(now, usage_seed)
    today = now.date()
    anchor = billing_anchor(today)
    by_service = {}
    for demo in DEMO_SIMS:
        seed = SIM_SEEDS.get(demo.service_id)
        if seed is None:
            raise ValueError(f"WHMCS service {demo.service_id} has a demo SIM but no Freebit seed in SIM_SEEDS")
        voice = None
        if seed.voice is not None:
            voice = dict(zip(("voiceMail", "callWaiting", "worldWing"), seed.voice, strict=True))
        account = Account(
            msisdn=demo.msisdn, iccid=demo.iccid, plan_code=seed.plan_code, status="active",
            activation_date=add_months(anchor, -seed.months) + timedelta(days=3), voice=voice,
            usage_share=seed.usage_share, client_id=demo.client_id, eid=seed.eid,
        )
        if seed.suspended_days_ago is not None:
            account.status, account.suspended_since = "suspended", today - timedelta(days=seed.suspended_days_ago)
        if account.data_only != demo.data_only or account.plan.data_only != demo.data_only:
            raise ValueError(f"service {demo.service_id}: plan {seed.plan_code} does not match the SIM's kind")
        store.accounts[account.msisdn] = account
        by_service[demo.service_id] = account

    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)

    def added(service_id: int, day: date, at: time, quota_mb: int) -> None:
        account = by_service[service_id]
        store.add_quota(account, quota_mb, f"seed-{service_id}-{day:%Y%m%d}", None, datetime.combine(day, at, JST))

    # Additions first: they raise the month's quota the usage is throttled against.
    added(21, today - timedelta(days=40), time(12, 30, 0), 512)
    added(12, last_month + timedelta(days=19), time(21, 4, 37), 1024)
    added(13, this_month, time(0, 0, 5), 1024)
    for account in store.accounts.values():
        store.fill_usage(account)
    seed_population(store, population.check_count(customers), anchor)
    return store


def seed_population(store: FreebitStore, count: int, anchor: date) -> None:
    """A line per SIM of the first ``count`` generated customers, active, on the plan of the WHMCS
    product it is billed as, in service from a few days after WHMCS registered it. Their usage is
    generated when a line is first looked up (``FreebitStore.line``)."""
    for customer in population.customers(count):
        for sim in customer.sims:
            voice = None if sim.data_only else {"voiceMail": True, "callWaiting": customer.index % 2 == 0,
                                                "worldWing": False}
            store.population[sim.msisdn] = Account(
                msisdn=sim.msisdn, iccid=sim.iccid, plan_code=sim.plan_code, status="active",
                activation_date=add_months(anchor, -sim.started) + timedelta(days=3), voice=voice,
                usage_share=customer.usage_share, client_id=customer.whmcs_client_id,
            )
