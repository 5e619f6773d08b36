"""Believable Freebit data for the demo SIMs, lined up with the WHMCS emulator's.

The SIMs are ``sandbox.whmcs.DEMO_SIMS`` (same ICCIDs and phone numbers as the WHMCS services'
custom fields), on the plan of the WHMCS product each is billed as, activated a few days after
WHMCS registered the service, with the same status:

| service | customer | number | plan | status |
| --- | --- | --- | --- | --- |
| 12 | Alice | 090-1234-0012 | Mobile Voice 20 GB | active, a 1 GB top-up last month |
| 13 | Alice | 080-1234-0013 | Mobile Voice 5 GB | active, a 1 GB top-up on the 1st of this month |
| 14 | Alice | 020-1234-0014 | Data SIM 10 GB (data only) | active |
| 15 | Alice | 070-1234-0015 | Mobile Voice 3 GB (retired plan) | suspended 45 days ago (lost SIM) |
| 21 | Bob | 090-5678-0021 | Mobile Voice 20 GB | active, a 512 MB top-up 40 days ago |

Daily usage covers the last 62 days (so the current and the previous month are complete), drawn
from a seeded generator per SIM and day: more at weekends, the odd heavy or quiet day, throttled
once a month's quota is used up. Same seed and same today: the same numbers.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sandbox.common.clock import JST, add_months
from sandbox.whmcs import DEMO_SIMS

from .store import FreebitStore, Sim

DEFAULT_USAGE_SEED = 20240401
_REQUEST_IDS = uuid.UUID("6f1d3c52-0b7e-4a8e-9a43-5c2f0e1d7b90")


@dataclass(frozen=True)
class _SimSeed:
    plan_code: str
    months: int
    """Months before the billing anchor that WHMCS registered the service (its ``started``)."""
    usage_share: float
    voice: tuple[bool, bool, bool] | None = None
    """(call waiting, voicemail, international roaming) for a voice SIM."""
    suspended_days_ago: int | None = None


SIM_SEEDS = {  # by WHMCS service id
    12: _SimSeed("MOB-VOICE-20G", 24, 0.62, voice=(True, True, False)),
    13: _SimSeed("MOB-VOICE-5G", 14, 0.80, voice=(False, True, True)),
    14: _SimSeed("MOB-DATA-10G", 8, 0.45),
    15: _SimSeed("MOB-VOICE-3G", 20, 0.50, voice=(False, False, False), suspended_days_ago=45),
    21: _SimSeed("MOB-VOICE-20G", 7, 0.55, voice=(True, False, False)),
}


def billing_anchor(today: date) -> date:
    """The WHMCS emulator's monthly billing day: 5 days ago, at most the 28th."""
    anchor = today - timedelta(days=5)
    return anchor.replace(day=min(anchor.day, 28))


def seed_store(today: date, usage_seed: int = DEFAULT_USAGE_SEED) -> FreebitStore:
    """A fresh store holding the demo SIMs, dated relative to ``today``."""
    store = FreebitStore(today, usage_seed)
    anchor = billing_anchor(today)
    by_service = {}
    for demo in DEMO_SIMS:
        seed = SIM_SEEDS.get(demo.service_id)
        if seed is None:
            raise ValueError(f"WHMCS service {demo.service_id} has a demo SIM but no Freebit seed in SIM_SEEDS")
        voice = None
        if seed.voice is not None:
            voice = dict(zip(("callWaiting", "voiceMail", "internationalRoaming"), seed.voice, strict=True))
        sim = Sim(
            iccid=demo.iccid,
            msisdn=demo.msisdn,
            client_id=demo.client_id,
            plan_code=seed.plan_code,
            status="active",
            activation_date=add_months(anchor, -seed.months) + timedelta(days=3),
            voice=voice,
            usage_share=seed.usage_share,
        )
        if seed.suspended_days_ago is not None:
            sim.status, sim.suspended_since = "suspended", today - timedelta(days=seed.suspended_days_ago)
        if sim.data_only != demo.data_only:
            raise ValueError(f"service {demo.service_id}: plan {seed.plan_code} does not match the SIM's kind")
        store.sims[sim.iccid] = sim
        by_service[demo.service_id] = sim

    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)

    def topup(service_id: int, day: date, at: time, quota_mb: int) -> None:
        request_id = str(uuid.uuid5(_REQUEST_IDS, f"{service_id}:{day.isoformat()}"))
        store.add_topup(by_service[service_id].iccid, quota_mb, request_id, datetime.combine(day, at, JST))

    # Top-ups first: they raise the month's quota the usage is throttled against.
    topup(21, today - timedelta(days=40), time(12, 30, 0), 512)
    topup(12, last_month + timedelta(days=19), time(21, 4, 37), 1024)
    topup(13, this_month, time(7, 12, 5), 1024)
    for sim in store.sims.values():
        store.fill_usage(sim)
    return store
