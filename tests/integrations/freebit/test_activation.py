"""Activating a new SIM: the answer's mapper, the typed refusals, the request ids, and
FreebitSimService.activate against the Freebit emulator over real HTTP (idempotent per request id,
retried with the same request id)."""
from __future__ import annotations

from datetime import date

import pytest
import requests
import responses

from domain.shared.errors import MappingError
from domain.sim.activation import activation_request_id
from domain.sim.commands import InvalidSimCommand
from domain.sim.iccid import is_valid_iccid
from domain.sim.providers.freebit.activation import transform_freebit_activation
from domain.sim.types import SimStatus
from integrations.freebit.connection import ACTIVATE, FreebitConfig, FreebitConnection
from integrations.freebit.errors import FreebitActivationRefused, FreebitInvalidRequest, FreebitPlanChangeRefused
from integrations.freebit.sims import FreebitSimService
from sandbox.freebit import start_freebit_sandbox

TODAY = date(2026, 3, 10)
BASE = "https://freebit.example.test"
ANSWER = {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}, "activation": {
    "requestId": "job-1-0", "iccid": "8981100001000000018", "msisdn": "02060000001", "planCode": "MOB-DATA-3G",
    "planName": "Data SIM 3 GB", "simType": "data", "status": "active", "activationDate": "20260310"}}


# -- mapper and request ids -----------------------------------------------------------------------------


def test_an_activation_answer_maps():
    activation = transform_freebit_activation(ANSWER)

    assert (activation.iccid, activation.msisdn, activation.plan_code) == ("8981100001000000018", "02060000001",
                                                                           "MOB-DATA-3G")
    assert activation.data_only and activation.status is SimStatus.ACTIVE
    assert activation.activation_date == TODAY and activation.request_id == "job-1-0"


@pytest.mark.parametrize("change, field", [
    ({"iccid": "8981100001000000019"}, "iccid"),  # Luhn check digit wrong
    ({"simType": "esim"}, "activation.simType"),
    ({"activationDate": "2026-03-10"}, "activation.activationDate"),
    ({"msisdn": "020-6000-0001"}, "msisdn"),
])
def test_a_broken_activation_answer_names_the_field(change, field):
    with pytest.raises(MappingError) as caught:
        transform_freebit_activation({**ANSWER, "activation": {**ANSWER["activation"], **change}})
    assert caught.value.field == field


@pytest.mark.parametrize("key, unit, expected", [
    ("b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57", 0, "b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57-0"),
    ("801Dn000001abcdIAA", 12, "801Dn000001abcdIAA-12"),
])
def test_a_plain_key_makes_readable_request_ids(key, unit, expected):
    assert activation_request_id(key, unit) == expected


def test_any_other_key_makes_a_stable_digest():
    long_key, odd_key = "k" * 60, "order #7 / retry"

    for key in (long_key, odd_key):
        request_id = activation_request_id(key, 3)
        assert request_id == activation_request_id(key, 3) != activation_request_id(key, 4)
        assert len(request_id) <= 64 and request_id.replace("-", "").isalnum()
    assert activation_request_id(long_key, 0) != activation_request_id("k" * 61, 0)


@pytest.mark.parametrize("key, unit", [("", 0), ("k", -1), ("k", 1000), ("k", True)])
def test_request_id_arguments_are_checked(key, unit):
    with pytest.raises(ValueError):
        activation_request_id(key, unit)


# -- over HTTP (mocked): refusals are typed by this endpoint's own codes --------------------------------


@pytest.fixture
def mocked_service():
    with responses.RequestsMock() as mocked:
        yield mocked, FreebitSimService(FreebitConnection(FreebitConfig(api_url=BASE, api_key="k",
                                                                        backoff_base=0.001, backoff_max=0.002)))


@pytest.mark.parametrize("code, error", [
    ("250", FreebitActivationRefused), ("251", FreebitActivationRefused), ("252", FreebitInvalidRequest),
])
def test_activation_refusals_are_typed(mocked_service, code, error):
    mocked, service = mocked_service
    mocked.post(BASE + ACTIVATE, json={"resultCode": code, "status": {"message": "no", "statusCode": "409"}})

    with pytest.raises(error) as caught:
        service.activate("MOB-DATA-3G", "job-1-0", client_ref="1001")
    assert caught.value.result_code == code and len(mocked.calls) == 1


def test_the_shared_codes_keep_their_meaning_elsewhere(mocked_service):
    mocked, service = mocked_service
    mocked.post(BASE + "/api/sim/plan-change", json={"resultCode": "220", "status": {"message": "no"}})

    with pytest.raises(FreebitPlanChangeRefused):
        service.change_plan("8981100000001001124", "MOB-VOICE-5G", immediate=True)


def test_an_activation_is_retried_with_the_same_request_id(mocked_service):
    mocked, service = mocked_service
    mocked.post(BASE + ACTIVATE, status=503)
    mocked.post(BASE + ACTIVATE, json=ANSWER)

    assert service.activate("MOB-DATA-3G", "job-1-0", client_ref="1001").iccid == "8981100001000000018"
    assert mocked.calls[0].request.body == mocked.calls[1].request.body


@pytest.mark.parametrize("args", [("MOB DATA", "r-1", "1"), ("MOB-DATA-3G", "r 1", "1"), ("MOB-DATA-3G", "r-1", "")])
def test_arguments_are_checked_before_any_call(mocked_service, args):
    _, service = mocked_service
    plan_code, request_id, client_ref = args
    with pytest.raises(InvalidSimCommand):
        service.activate(plan_code, request_id, client_ref=client_ref)


# -- against the Freebit emulator ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def freebit():
    handle = start_freebit_sandbox(env={}, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture
def service(freebit):
    requests.post(f"{freebit.url}/__sandbox__/reset", timeout=5).raise_for_status()
    connection = FreebitConnection(FreebitConfig(api_url=freebit.url, api_key="sandbox-freebit-key",
                                                 backoff_base=0.001, backoff_max=0.002))
    yield FreebitSimService(connection, today=lambda: TODAY)
    connection.close()


def test_a_new_sim_is_activated_once_per_request_id(freebit, service):
    data = service.activate("MOB-DATA-3G", "job-1-0", client_ref="1001")
    again = service.activate("MOB-DATA-3G", "job-1-0", client_ref="1001")
    voice = service.activate("MOB-VOICE-5G", "job-1-1", client_ref="1001")

    assert data == again and freebit.app.store.pool_used == 2
    assert is_valid_iccid(data.iccid) and data.msisdn.startswith("020") and voice.msisdn.startswith("070")
    assert data.activation_date == TODAY and data.status is SimStatus.ACTIVE
    details = service.get_details(voice.iccid)
    assert (details.plan_code, details.data_only, details.total.kb) == ("MOB-VOICE-5G", False, 5 * 1024 * 1024)
    assert freebit.app.store.sims[voice.iccid].client_id == 1001


def test_the_emulator_refuses_what_it_cannot_activate(freebit, service):
    service.activate("MOB-DATA-3G", "job-2-0", client_ref="1001")

    with pytest.raises(FreebitInvalidRequest):
        service.activate("MOB-DATA-10G", "job-2-0", client_ref="1001")  # same request id, other plan
    with pytest.raises(FreebitActivationRefused):
        service.activate("MOB-VOICE-3G", "job-2-1", client_ref="1001")  # retired
    with pytest.raises(FreebitActivationRefused):
        service.activate("NET-FIBER-1G", "job-2-2", client_ref="1001")  # not a plan
    freebit.app.store.pool_size = freebit.app.store.pool_used
    with pytest.raises(FreebitActivationRefused, match="251"):
        service.activate("MOB-DATA-3G", "job-2-3", client_ref="1001")
