"""FreebitSimService against the Freebit emulator over real HTTP: the whole path from the wire to
the domain types, with the demo SIMs the WHMCS emulator bills."""
from __future__ import annotations

import random
import uuid
from datetime import date

import pytest
import requests

from domain.shared.calendar import previous_month
from domain.sim.types import DataQuota, PlanChangeStatus, SimStatus
from integrations.freebit.connection import FreebitConfig, FreebitConnection
from integrations.freebit.errors import (
    FreebitAuthError,
    FreebitInvalidRequest,
    FreebitPlanChangeRefused,
    FreebitSimSuspended,
    FreebitUnknownSim,
)
from integrations.freebit.sims import FreebitSimService
from sandbox.freebit import start_freebit_sandbox
from sandbox.whmcs import DEMO_SIMS

TODAY = date(2026, 3, 10)
VOICE, _, DATA, SUSPENDED, BOB = (sim.iccid for sim in DEMO_SIMS)
UNKNOWN = "8981100000009999998"


@pytest.fixture(scope="module")
def freebit():
    handle = start_freebit_sandbox(env={}, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(freebit):
    requests.post(f"{freebit.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{freebit.url}/__sandbox__/faults", timeout=5).raise_for_status()


@pytest.fixture
def service(freebit) -> FreebitSimService:
    config = FreebitConfig(api_url=freebit.url, api_key="sandbox-freebit-key", backoff_base=0.001, backoff_max=0.002)
    connection = FreebitConnection(config)
    yield FreebitSimService(connection, today=lambda: TODAY)
    connection.close()


def test_every_demo_sim_maps(service):
    sims = {sim.iccid: service.get_details(sim.iccid) for sim in DEMO_SIMS}

    assert sims[VOICE].plan_name == "Mobile Voice 20 GB" and not sims[VOICE].data_only
    assert sims[DATA].data_only and sims[DATA].voice_options == () and sims[DATA].msisdn.startswith("020")
    assert sims[SUSPENDED].status is SimStatus.SUSPENDED and not sims[SUSPENDED].can_top_up
    assert all(s.status is SimStatus.ACTIVE for i, s in sims.items() if i != SUSPENDED)
    assert all(DataQuota.zero() < s.remaining <= s.total for i, s in sims.items() if i != SUSPENDED)


def test_usage_of_this_and_last_month_in_one_request(service):
    start, _ = previous_month(TODAY)
    usage = service.get_usage(VOICE, start, TODAY)

    last, this = usage.by_month()
    assert (len(last.points), len(this.points)) == (28, 10)
    assert usage.total_used == last.total_used + this.total_used
    details = service.get_details(VOICE)
    assert details.used == this.total_used, "the month's usage is what the quota lost"


def test_top_up_is_idempotent_per_request_id(service):
    before = service.get_details(VOICE).total
    request_id = str(uuid.uuid4())

    first = service.top_up(VOICE, 1024, request_id)
    again = service.top_up(VOICE, 1024, request_id)

    assert first == again
    assert service.get_details(VOICE).total == before + DataQuota.from_gb(1)
    assert service.top_up_history(VOICE)[0] == first


def _seed_failing_first_then_passing(rate: float) -> int:
    """A fault seed whose first draw faults and second does not (one draw per call when only one
    fault kind is on)."""
    for seed in range(1000):
        draws = random.Random(seed)
        if draws.random() < rate <= draws.random():
            return seed
    raise AssertionError("no such seed")


def test_a_top_up_that_met_a_503_is_resent_and_counted_once(freebit, service):
    seed = _seed_failing_first_then_passing(0.5)
    requests.post(f"{freebit.url}/__sandbox__/faults", json={"error_rate": 0.5, "seed": seed},
                  timeout=5).raise_for_status()
    before = len(freebit.app.store.topup_history(VOICE))

    topup = service.top_up(VOICE, 512, "retry-me-1")

    stats = requests.get(f"{freebit.url}/__sandbox__/stats", timeout=5).json()
    assert stats["calls"]["topup"] == 2 and stats["faults_injected"]["error"] == 1
    assert len(freebit.app.store.topup_history(VOICE)) == before + 1
    assert topup.quota_mb == 512


def test_refusals_are_typed(service):
    with pytest.raises(FreebitSimSuspended):
        service.top_up(SUSPENDED, 1024, "suspended-1")
    with pytest.raises(FreebitUnknownSim):
        service.get_details(UNKNOWN)
    with pytest.raises(FreebitInvalidRequest):
        service.top_up(VOICE, 60_000, "too-much-1")
    with pytest.raises(FreebitPlanChangeRefused):
        service.change_plan(VOICE, "MOB-DATA-10G", immediate=True)  # a voice SIM cannot take a data plan
    with pytest.raises(FreebitPlanChangeRefused):
        service.change_plan(VOICE, "MOB-VOICE-20G", immediate=True)  # already on it


def test_a_scheduled_change_is_pending_until_the_first_of_next_month():
    clock = {"today": TODAY}
    with start_freebit_sandbox(env={}, today=TODAY) as own:
        connection = FreebitConnection(FreebitConfig(api_url=own.url, api_key="sandbox-freebit-key"))
        service = FreebitSimService(connection, today=lambda: clock["today"])

        change = service.change_plan(BOB, "MOB-VOICE-5G", immediate=False)

        assert (change.status, change.effective_date, change.previous_plan_code) == (
            PlanChangeStatus.SCHEDULED, date(2026, 4, 1), "MOB-VOICE-20G")
        details = service.get_details(BOB)
        assert details.plan_code == "MOB-VOICE-20G"
        assert details.pending_plan_change.plan_code == "MOB-VOICE-5G"

        own.app.set_today(date(2026, 3, 31))
        assert service.get_details(BOB).pending_plan_change is not None
        clock["today"] = date(2026, 4, 1)
        own.app.set_today(clock["today"])
        moved = service.get_details(BOB)
        assert (moved.plan_code, moved.pending_plan_change, moved.total) == ("MOB-VOICE-5G", None, DataQuota.from_gb(5))
        assert len(service.get_usage(BOB, date(2026, 4, 1), date(2026, 4, 1)).points) == 1
        connection.close()


def test_an_immediate_change_applies_now(service):
    change = service.change_plan(DATA, "MOB-DATA-20G", immediate=True)

    assert change.immediate and change.effective_date == TODAY
    details = service.get_details(DATA)
    assert (details.plan_name, details.total) == ("Data SIM 20 GB", DataQuota.from_gb(20))


def test_a_wrong_key_is_an_auth_error(freebit):
    connection = FreebitConnection(FreebitConfig(api_url=freebit.url, api_key="not-the-key"))
    with pytest.raises(FreebitAuthError):
        FreebitSimService(connection, today=lambda: TODAY).get_details(VOICE)
