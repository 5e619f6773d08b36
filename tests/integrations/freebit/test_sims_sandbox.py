"""FreebitSimClient against the Freebit emulator over real HTTP: every PA operation the portal
uses, from the wire to the domain types, with the demo lines and the MVNO's stock SIMs
(``sandbox.sim_stock``); authOem and the renewal of a refused key included."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from domain.shared.calendar import month_end, next_month_start
from domain.sim.types import DataQuota, SimStatus
from integrations.freebit.connection import FreebitConfig, FreebitConnection
from integrations.freebit.errors import (
    FreebitActivationRefused,
    FreebitAlreadyRegistered,
    FreebitAuthError,
    FreebitInvalidRequest,
    FreebitPlanChangeRefused,
    FreebitSimSuspended,
    FreebitUnknownSim,
)
from integrations.freebit.sims import FreebitSimClient
from sandbox.freebit import API_PREFIX, DEFAULT_OEM_ID, DEFAULT_OEM_KEY, start_freebit_sandbox
from sandbox.sim_stock import STOCK
from sandbox.whmcs import DEMO_SIMS

TODAY = date(2026, 3, 10)
VOICE, _, DATA, SUSPENDED, BOB = DEMO_SIMS
UNKNOWN = "09099990000"
PHYSICAL_DATA = next(sim for sim in STOCK if sim.kind == "Physical" and sim.data_only)
ESIM_VOICE = next(sim for sim in STOCK if sim.kind == "eSIM" and not sim.data_only)


@pytest.fixture(scope="module")
def freebit_sandbox():
    handle = start_freebit_sandbox(env={}, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(freebit_sandbox):
    requests.post(f"{freebit_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{freebit_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()
    requests.delete(f"{freebit_sandbox.url}/__sandbox__/stats", timeout=5).raise_for_status()


def connect(freebit_sandbox, **config) -> FreebitConnection:
    values = {"api_url": freebit_sandbox.url + API_PREFIX, "oem_id": DEFAULT_OEM_ID, "oem_key": DEFAULT_OEM_KEY,
              "backoff_base": 0.001, "backoff_max": 0.002, **config}
    return FreebitConnection(FreebitConfig(**values))


@pytest.fixture
def service(freebit_sandbox) -> FreebitSimClient:
    connection = connect(freebit_sandbox)
    yield FreebitSimClient(connection)
    connection.close()


def calls(freebit_sandbox) -> dict[str, int]:
    return freebit_sandbox.app.stats()["calls"]


# -- PA01-01 -------------------------------------------------------------------------------------------


def test_the_first_call_authenticates_and_later_ones_reuse_the_key(freebit_sandbox, service):
    service.get_details(VOICE.msisdn)
    service.get_traffic(VOICE.msisdn)

    assert calls(freebit_sandbox) == {"PA01-01": 1, "PA03-02": 1, "PA05-01": 1}


def test_an_expired_key_is_renewed_once_and_the_call_made(freebit_sandbox, service):
    service.get_details(VOICE.msisdn)
    requests.delete(f"{freebit_sandbox.url}/__sandbox__/auth-keys", timeout=5).raise_for_status()

    assert service.get_details(VOICE.msisdn).msisdn == VOICE.msisdn

    assert calls(freebit_sandbox) == {"PA01-01": 2, "PA03-02": 3}, "refused once, a new key, the call again"


def test_wrong_oem_credentials_are_an_auth_error(freebit_sandbox):
    with pytest.raises(FreebitAuthError, match="resultCode 401"):
        FreebitSimClient(connect(freebit_sandbox, oem_key="not-the-key")).get_details(VOICE.msisdn)
    assert calls(freebit_sandbox) == {"PA01-01": 1}


# -- PA03-02 / PA05-01 ---------------------------------------------------------------------------------


def test_every_demo_line_maps(service):
    sims = {sim.msisdn: service.get_details(sim.msisdn) for sim in DEMO_SIMS}

    assert all(sims[sim.msisdn].iccid == sim.iccid for sim in DEMO_SIMS)
    assert sims[VOICE.msisdn].plan_name == "Mobile Voice 20 GB" and not sims[VOICE.msisdn].data_only
    assert sims[DATA.msisdn].data_only and sims[DATA.msisdn].voice_options == ()
    assert sims[SUSPENDED.msisdn].status is SimStatus.SUSPENDED and not sims[SUSPENDED.msisdn].can_top_up
    assert all(DataQuota.zero() < s.remaining <= s.total for n, s in sims.items() if n != SUSPENDED.msisdn)


def test_an_unknown_number_is_unknown(service):
    with pytest.raises(FreebitUnknownSim):
        service.get_details(UNKNOWN)


def test_traffic_of_one_line(freebit_sandbox, service):
    traffic = service.get_traffic(VOICE.msisdn)

    account = freebit_sandbox.app.store.accounts[VOICE.msisdn]
    assert traffic.msisdn == VOICE.msisdn
    assert traffic.today.kb == freebit_sandbox.app.store.used_today_kb(account)
    assert traffic.recent_days.kb == freebit_sandbox.app.store.recent_days_kb(account)


# -- PA04-04 / PA05-02 ---------------------------------------------------------------------------------


def test_a_quota_addition_adds_every_time_it_is_sent_and_the_history_shows_its_code(service):
    before = service.get_details(VOICE.msisdn).total

    service.add_quota(VOICE.msisdn, 1024, quota_code="req-1", expires=month_end(TODAY))
    service.add_quota(VOICE.msisdn, 1024, quota_code="req-1", expires=month_end(TODAY))  # no idempotency key

    assert service.get_details(VOICE.msisdn).total == before + DataQuota.from_gb(2)
    history = service.quota_history(VOICE.msisdn, TODAY, TODAY)
    assert [(a.quota, a.quota_code, a.expires) for a in history] == [
        (DataQuota.from_gb(1), "req-1", month_end(TODAY))] * 2
    found = service.find_quota_addition(VOICE.msisdn, "req-1", start=TODAY, end=TODAY)
    assert found is not None and found.added_at.date() == TODAY
    assert service.find_quota_addition(VOICE.msisdn, "req-2", start=TODAY, end=TODAY) is None


def test_a_quota_addition_lasts_until_its_expiry(freebit_sandbox, service):
    total = service.get_details(VOICE.msisdn).total
    service.add_quota(VOICE.msisdn, 512, quota_code="short", expires=TODAY + timedelta(days=1))

    freebit_sandbox.app.set_today(TODAY + timedelta(days=2))

    assert service.get_details(VOICE.msisdn).total == total


@pytest.mark.parametrize("number, quota_mb, error", [
    (SUSPENDED.msisdn, 1024, FreebitSimSuspended),
    (UNKNOWN, 1024, FreebitUnknownSim),
])
def test_a_refused_quota_addition_adds_nothing(freebit_sandbox, service, number, quota_mb, error):
    with pytest.raises(error):
        service.add_quota(number, quota_mb, quota_code="x")
    assert freebit_sandbox.app.store.quota == [r for r in freebit_sandbox.app.store.quota if r.quota_code != "x"]


def test_the_history_of_the_seed_additions(service):
    history = service.quota_history(BOB.msisdn, TODAY - timedelta(days=60), TODAY)
    assert [a.quota.mb for a in history] == [512]


# -- PA05-21 ---------------------------------------------------------------------------------------------


def test_a_plan_change_now(service):
    change = service.change_plan(VOICE.msisdn, "MOB-VOICE-5G")

    assert change.immediate and change.plan_code == "MOB-VOICE-5G"
    assert service.get_details(VOICE.msisdn).plan_code == "MOB-VOICE-5G"


def test_a_plan_change_booked_for_the_first_is_made_that_day(freebit_sandbox, service):
    first = next_month_start(TODAY)
    change = service.change_plan(VOICE.msisdn, "MOB-VOICE-5G", run_date=first)

    assert change.run_date == first
    assert service.get_details(VOICE.msisdn).plan_code == "MOB-VOICE-20G"
    freebit_sandbox.app.set_today(first)
    assert service.get_details(VOICE.msisdn).plan_code == "MOB-VOICE-5G"


@pytest.mark.parametrize("number, plan, error", [
    (VOICE.msisdn, "MOB-DATA-10G", FreebitPlanChangeRefused),  # the other line type
    (VOICE.msisdn, "MOB-VOICE-20G", FreebitPlanChangeRefused),  # already on it
    (VOICE.msisdn, "MOB-VOICE-3G", FreebitPlanChangeRefused),  # retired
    (SUSPENDED.msisdn, "MOB-VOICE-5G", FreebitSimSuspended),
])
def test_a_refused_plan_change(service, number, plan, error):
    with pytest.raises(error):
        service.change_plan(number, plan)


# -- PA02-01 / PA05-41 -----------------------------------------------------------------------------------


def test_a_new_line_on_a_physical_sim_of_the_stock(service):
    service.register_line(PHYSICAL_DATA.msisdn, "MOB-DATA-3G", product_number=PHYSICAL_DATA.product_number)

    line = service.get_details(PHYSICAL_DATA.msisdn)
    assert (line.iccid, line.plan_code, line.data_only, line.status) == (
        PHYSICAL_DATA.iccid, "MOB-DATA-3G", True, SimStatus.ACTIVE)
    with pytest.raises(FreebitAlreadyRegistered):
        service.register_line(PHYSICAL_DATA.msisdn, "MOB-DATA-3G", product_number=PHYSICAL_DATA.product_number)


def test_a_new_line_on_an_esim(service):
    phone = "89033023426200000000000000009902"  # the customer's phone: the profile is named by its number
    service.register_esim_line(ESIM_VOICE.msisdn, "MOB-VOICE-5G", eid=phone)

    line = service.get_details(ESIM_VOICE.msisdn)
    assert (line.iccid, line.data_only, line.eid, line.is_esim) == (ESIM_VOICE.iccid, False, phone, True)


def test_a_new_line_stays_temporary_until_freebit_brings_it_into_service(freebit_sandbox):
    handle = start_freebit_sandbox(env={}, today=TODAY, activation_delay_seconds=3600)
    try:
        service = FreebitSimClient(connect(handle))
        service.register_line(PHYSICAL_DATA.msisdn, "MOB-DATA-3G", product_number=PHYSICAL_DATA.product_number)
        assert service.get_details(PHYSICAL_DATA.msisdn).status is SimStatus.PENDING
    finally:
        handle.stop()


@pytest.mark.parametrize("product_number, plan, error", [
    ("ZZ9999999999999", "MOB-DATA-3G", FreebitActivationRefused),  # not a card of the MVNO's
    (PHYSICAL_DATA.product_number, "MOB-VOICE-3G", FreebitActivationRefused),  # a retired plan
])
def test_a_refused_new_line_registers_nothing(freebit_sandbox, service, product_number, plan, error):
    with pytest.raises(error):
        service.register_line(PHYSICAL_DATA.msisdn, plan, product_number=product_number)
    assert PHYSICAL_DATA.msisdn not in freebit_sandbox.app.store.accounts


def test_a_card_already_in_use_is_refused(service):
    service.register_line(PHYSICAL_DATA.msisdn, "MOB-DATA-3G", product_number=PHYSICAL_DATA.product_number)
    with pytest.raises(FreebitActivationRefused):
        service.register_line("02069999999", "MOB-DATA-3G", product_number=PHYSICAL_DATA.product_number)


def test_arguments_are_checked_before_anything_is_sent(freebit_sandbox, service):
    with pytest.raises(ValueError, match="phone number"):
        service.get_details("090-1234-0012")
    with pytest.raises(ValueError, match="product number"):
        service.register_line(PHYSICAL_DATA.msisdn, "MOB-DATA-3G", product_number="AX12")
    with pytest.raises(ValueError, match="top-up amount"):  # more than Freebit's bound for one addition
        service.add_quota(VOICE.msisdn, 512_001, quota_code="x")
    with pytest.raises(ValueError, match="quota code"):
        service.add_quota(VOICE.msisdn, 1024, quota_code="x" * 513)
    assert calls(freebit_sandbox) == {}


def test_a_quota_out_of_freebits_range_is_refused_by_freebit(freebit_sandbox):
    """The sandbox's own check, as Freebit's (a bypass of the client's check)."""
    connection = connect(freebit_sandbox)
    with pytest.raises(FreebitInvalidRequest, match="resultCode 240"):
        connection.request("/master/addSpec/", {"kind": "MVNO", "account": VOICE.msisdn, "quota": "0"})
