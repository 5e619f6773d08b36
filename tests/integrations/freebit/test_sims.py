"""FreebitSimService against a mocked Freebit (``responses``): arguments are checked before any
call, each answer goes through its mapper, and only reads and the keyed top-up are retried."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers
from responses.registries import OrderedRegistry

from domain.shared.errors import MappingError
from domain.sim.commands import InvalidSimCommand
from domain.sim.iccid import InvalidIccid
from domain.sim.types import DataQuota, PlanChangeStatus, SimStatus, TopUpStatus
from domain.sim.usage_range import UsageRangeError
from integrations.freebit.connection import (
    DETAILS,
    PLAN_CHANGE,
    TOPUP,
    TOPUP_HISTORY,
    USAGE,
    FreebitConfig,
    FreebitConnection,
)
from integrations.freebit.errors import (
    FreebitInvalidRequest,
    FreebitMalformedResponse,
    FreebitPlanChangeRefused,
    FreebitSimSuspended,
    FreebitTransportError,
    FreebitUnknownSim,
)
from integrations.freebit.sims import FreebitSimService

BASE = "https://freebit.example.test"
FIXTURES = Path(__file__).parents[2] / "domain" / "sim" / "fixtures"
ICCID = "8981100000001001124"
OTHER_ICCID = "8981100000001001132"
REQUEST_ID = "2f0c8e5a-3b1d-4c57-9e8a-6d4f1b2a9c30"
TODAY = date(2026, 3, 10)


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def refusal(code: str, message: str) -> dict:
    return {"resultCode": code, "status": {"message": message, "statusCode": "409"}}


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def ordered() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def service(calls) -> FreebitSimService:
    config = FreebitConfig(api_url=BASE, api_key="k", max_attempts=3, backoff_base=0.001, backoff_max=0.002)
    return FreebitSimService(FreebitConnection(config, on_call=calls.append), today=lambda: TODAY)


def body(call) -> dict:
    return json.loads(call.request.body)


# --- arguments are checked before anything is sent -------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda s, iccid: s.get_details(iccid),
    lambda s, iccid: s.get_usage(iccid, date(2026, 3, 1), TODAY),
    lambda s, iccid: s.top_up(iccid, 1024, REQUEST_ID),
    lambda s, iccid: s.change_plan(iccid, "MOB-VOICE-5G", immediate=True),
    lambda s, iccid: s.top_up_history(iccid),
])
@pytest.mark.parametrize("iccid", ["8981100000001001125", "1234", "", None, "8981100000001001124' OR 1=1"])
def test_a_bad_iccid_never_reaches_freebit(mocked, service, calls, call, iccid):
    with pytest.raises(InvalidIccid):
        call(service, iccid)
    assert calls == []


@pytest.mark.parametrize("start, end", [
    (date(2026, 3, 5), date(2026, 3, 1)),
    (date(2026, 3, 1), date(2026, 3, 11)),
    (date(2026, 1, 7), TODAY),
])
def test_a_bad_usage_range_never_reaches_freebit(mocked, service, calls, start, end):
    with pytest.raises(UsageRangeError):
        service.get_usage(ICCID, start, end)
    assert calls == []


@pytest.mark.parametrize("kwargs", [
    {"quota_mb": 0}, {"quota_mb": -5}, {"quota_mb": 1.5}, {"quota_mb": "1024"},
    {"request_id": ""}, {"request_id": "a b"}, {"request_id": None},
])
def test_bad_top_up_arguments_never_reach_freebit(mocked, service, calls, kwargs):
    with pytest.raises(InvalidSimCommand):
        service.top_up(ICCID, **{"quota_mb": 1024, "request_id": REQUEST_ID, **kwargs})
    assert calls == []


def test_a_bad_plan_code_never_reaches_freebit(mocked, service, calls):
    with pytest.raises(InvalidSimCommand):
        service.change_plan(ICCID, "MOB VOICE", immediate=False)
    assert calls == []


# --- reads ----------------------------------------------------------------------------------------


def test_get_details(mocked, service):
    mocked.post(BASE + DETAILS, json=load("details_voice.json"),
                match=[matchers.json_params_matcher({"iccid": ICCID}, strict_match=True)])

    sim = service.get_details(f" {ICCID} ")

    assert (sim.iccid, sim.status, sim.plan_code) == (ICCID, SimStatus.ACTIVE, "MOB-VOICE-20G")
    assert sim.pending_plan_change is not None


def test_details_of_another_sim_are_refused(mocked, service):
    mocked.post(BASE + DETAILS, json=load("details_voice.json"))
    with pytest.raises(FreebitMalformedResponse, match="another SIM"):
        service.get_details(OTHER_ICCID)


def test_a_malformed_answer_raises_the_mappers_error(mocked, service):
    payload = load("details_voice.json")
    payload["account"]["status"] = "frozen"
    mocked.post(BASE + DETAILS, json=payload)
    with pytest.raises(MappingError) as caught:
        service.get_details(ICCID)
    assert caught.value.field == "account.status"


def test_get_usage_sends_iso_dates(mocked, service):
    mocked.post(BASE + USAGE, json=load("usage.json"), match=[matchers.json_params_matcher(
        {"iccid": ICCID, "start_date": "2026-02-27", "end_date": "2026-03-03"}, strict_match=True)])

    usage = service.get_usage(ICCID, date(2026, 2, 27), date(2026, 3, 3))

    assert usage.total_used == DataQuota(kb=2411724)
    assert len(usage.points) == 5


def test_usage_for_another_range_is_refused(mocked, service):
    mocked.post(BASE + USAGE, json=load("usage.json"))
    with pytest.raises(FreebitMalformedResponse, match="another range"):
        service.get_usage(ICCID, date(2026, 2, 26), date(2026, 3, 3))


def test_the_usage_range_uses_the_services_clock(mocked):
    mocked.post(BASE + USAGE, json=load("usage.json"))
    connection = FreebitConnection(FreebitConfig(api_url=BASE, api_key="k"))
    with pytest.raises(UsageRangeError, match="future"):
        FreebitSimService(connection, today=lambda: date(2026, 3, 2)).get_usage(ICCID, date(2026, 2, 27),
                                                                               date(2026, 3, 3))
    assert FreebitSimService(connection, today=lambda: date(2026, 3, 3)).get_usage(
        ICCID, date(2026, 2, 27), date(2026, 3, 3)).end == date(2026, 3, 3)


def test_top_up_history(mocked, service):
    mocked.post(BASE + TOPUP_HISTORY, json=load("topup_history.json"),
                match=[matchers.json_params_matcher({"iccid": ICCID}, strict_match=True)])

    history = service.top_up_history(ICCID)

    assert [t.id for t in history] == ["TP2026031000004", "TP2026022000002", "TP2026010300001"]


def test_reads_are_retried(ordered, service, calls):
    ordered.post(BASE + DETAILS, status=503)
    ordered.post(BASE + DETAILS, json=load("details_voice.json"))
    assert service.get_details(ICCID).iccid == ICCID
    assert calls == [DETAILS, DETAILS]


def test_an_unknown_sim_is_a_typed_error(mocked, service):
    mocked.post(BASE + DETAILS, json=refusal("210", "Specified SIM is not found."))
    with pytest.raises(FreebitUnknownSim):
        service.get_details(ICCID)


# --- top-up: retried only because of its request id --------------------------------------------------


def test_top_up_sends_the_amount_and_request_id(mocked, service):
    mocked.post(BASE + TOPUP, json=load("topup.json"), match=[matchers.json_params_matcher(
        {"iccid": ICCID, "quota_mb": 1024, "request_id": REQUEST_ID}, strict_match=True)])

    topup = service.top_up(ICCID, 1024, REQUEST_ID)

    assert (topup.id, topup.request_id, topup.quota_mb, topup.status) == (
        "TP2026031000004", REQUEST_ID, 1024, TopUpStatus.COMPLETED)


@pytest.mark.parametrize("failure", [
    {"status": 503},
    {"status": 429, "headers": {"Retry-After": "0"}},
    {"body": requests.exceptions.ReadTimeout("read timed out")},
    {"body": requests.exceptions.ConnectionError("reset")},
])
def test_a_failed_top_up_is_resent_with_the_same_request_id(ordered, service, calls, failure):
    ordered.post(BASE + TOPUP, **failure)
    ordered.post(BASE + TOPUP, json=load("topup.json"))

    topup = service.top_up(ICCID, 1024, REQUEST_ID)

    assert topup.request_id == REQUEST_ID
    assert calls == [TOPUP, TOPUP]
    assert body(ordered.calls[0]) == body(ordered.calls[1]) == {
        "iccid": ICCID, "quota_mb": 1024, "request_id": REQUEST_ID}


def test_a_top_up_gives_up_after_max_attempts(mocked, service, calls):
    mocked.post(BASE + TOPUP, status=503)
    with pytest.raises(FreebitTransportError):
        service.top_up(ICCID, 1024, REQUEST_ID)
    assert calls == [TOPUP] * 3


@pytest.mark.parametrize("code, expected", [
    ("230", FreebitSimSuspended), ("240", FreebitInvalidRequest), ("241", FreebitInvalidRequest),
    ("210", FreebitUnknownSim),
])
def test_a_refused_top_up_is_not_resent(mocked, service, calls, code, expected):
    mocked.post(BASE + TOPUP, json=refusal(code, "refused"))
    with pytest.raises(expected):
        service.top_up(ICCID, 1024, REQUEST_ID)
    assert calls == [TOPUP]


def test_a_malformed_top_up_answer_is_not_resent(mocked, service, calls):
    mocked.post(BASE + TOPUP, body='{"resultCode": "100", "topup": {"top')
    with pytest.raises(FreebitMalformedResponse):
        service.top_up(ICCID, 1024, REQUEST_ID)
    assert calls == [TOPUP]


def test_a_top_up_answer_for_another_request_is_refused(mocked, service):
    mocked.post(BASE + TOPUP, json=load("topup.json"))
    with pytest.raises(FreebitMalformedResponse, match="another request id"):
        service.top_up(ICCID, 1024, "another-request")


# --- plan change: sent exactly once -----------------------------------------------------------------


@pytest.mark.parametrize("immediate, effective, fixture, status", [
    (False, "next_month", "plan_change_scheduled.json", PlanChangeStatus.SCHEDULED),
    (True, "immediate", "plan_change_applied.json", PlanChangeStatus.APPLIED),
])
def test_change_plan(mocked, service, immediate, effective, fixture, status):
    iccid = load(fixture)["planChange"]["iccid"]
    plan = load(fixture)["planChange"]["planCode"]
    mocked.post(BASE + PLAN_CHANGE, json=load(fixture), match=[matchers.json_params_matcher(
        {"iccid": iccid, "plan_code": plan, "effective": effective}, strict_match=True)])

    change = service.change_plan(iccid, plan, immediate=immediate)

    assert (change.status, change.immediate, change.plan_code) == (status, immediate, plan)


@pytest.mark.parametrize("failure", [
    {"status": 503}, {"body": requests.exceptions.ReadTimeout("read timed out")}, {"status": 429},
])
def test_a_failed_plan_change_is_not_resent(mocked, service, calls, failure):
    mocked.post(BASE + PLAN_CHANGE, **failure)
    with pytest.raises(FreebitTransportError):
        service.change_plan(ICCID, "MOB-VOICE-5G", immediate=False)
    assert calls == [PLAN_CHANGE]


@pytest.mark.parametrize("code", ["220", "221", "222"])
def test_a_refused_plan_change_is_typed(mocked, service, code):
    mocked.post(BASE + PLAN_CHANGE, json=refusal(code, "Specified plan code is not available."))
    with pytest.raises(FreebitPlanChangeRefused):
        service.change_plan(ICCID, "MOB-VOICE-5G", immediate=True)


def test_a_plan_change_answer_for_another_sim_is_refused(mocked, service):
    mocked.post(BASE + PLAN_CHANGE, json=load("plan_change_scheduled.json"))
    with pytest.raises(FreebitMalformedResponse, match="another SIM"):
        service.change_plan(OTHER_ICCID, "MOB-VOICE-5G", immediate=False)
