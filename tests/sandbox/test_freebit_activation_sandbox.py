"""The Freebit emulator's ``/api/sim/activation`` over real HTTP: a new SIM from the pool, once per
request id, in Freebit's envelope and result codes (the wire format: ``sandbox/freebit/api.py``)."""
import re
from datetime import date

import pytest
import requests

from sandbox.freebit import DEFAULT_API_KEY, start_freebit_sandbox

TODAY = date(2026, 3, 10)
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}


@pytest.fixture(scope="module")
def freebit():
    handle = start_freebit_sandbox(env={}, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture
def api(freebit):
    requests.post(f"{freebit.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{freebit.url}/__sandbox__/stats", timeout=5).raise_for_status()

    def call(operation, *, expect_status=200, headers=AUTH, **body):
        response = requests.post(f"{freebit.url}/api/sim/{operation}", json=body, headers=headers, timeout=5)
        assert response.status_code == expect_status, response.text
        return response.json()

    return call


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 1 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def test_an_activation_takes_a_new_sim_from_the_pool(freebit, api):
    answer = api("activation", plan_code="MOB-VOICE-20G", request_id="order-7-0", client_ref="1001")

    assert answer["resultCode"] == "100" and answer["status"] == {"message": "OK", "statusCode": "200"}
    activation = answer["activation"]
    assert re.fullmatch(r"\d{19}", activation["iccid"]) and luhn_ok(activation["iccid"])
    assert re.fullmatch(r"070\d{8}", activation["msisdn"])
    assert {k: activation[k] for k in ("requestId", "planCode", "planName", "simType", "status", "activationDate")} == {
        "requestId": "order-7-0", "planCode": "MOB-VOICE-20G", "planName": "Mobile Voice 20 GB", "simType": "voice",
        "status": "active", "activationDate": "20260310"}
    details = api("details", iccid=activation["iccid"])["account"]
    assert details["totalQuotaKb"] == 20 * 1024 * 1024 and details["voiceOption"]["voiceMail"] == "on"
    listed = requests.get(f"{freebit.url}/__sandbox__/sims/{activation['iccid']}", timeout=5).json()
    assert listed["clientId"] == 1001
    stats = requests.get(f"{freebit.url}/__sandbox__/stats", timeout=5).json()
    assert stats["calls"] == {"activation": 1, "details": 1}


def test_the_same_request_id_answers_the_same_sim(freebit, api):
    first = api("activation", plan_code="MOB-DATA-3G", request_id="order-7-0", client_ref="1001")
    again = api("activation", plan_code="MOB-DATA-3G", request_id="order-7-0", client_ref="1001")
    other = api("activation", plan_code="MOB-DATA-3G", request_id="order-7-1", client_ref="1001")

    assert first == again and first["activation"]["msisdn"].startswith("020")
    assert other["activation"]["iccid"] != first["activation"]["iccid"]
    assert freebit.app.store.pool_used == 2


@pytest.mark.parametrize("body, status, code", [
    ({"plan_code": "MOB-VOICE-3G", "request_id": "r-1", "client_ref": "1"}, 200, "250"),  # retired
    ({"plan_code": "NOPE", "request_id": "r-1", "client_ref": "1"}, 200, "250"),
    ({"plan_code": "MOB-DATA-3G", "request_id": "r 1", "client_ref": "1"}, 400, "201"),
    ({"plan_code": "MOB-DATA-3G", "client_ref": "1"}, 400, "201"),
    ({"plan_code": "MOB-DATA-3G", "request_id": "r-1"}, 400, "201"),
    ({"request_id": "r-1", "client_ref": "1"}, 400, "201"),
])
def test_refusals(api, body, status, code):
    answer = api("activation", expect_status=status, **body)
    assert answer["resultCode"] == code and set(answer) == {"resultCode", "status"}


def test_a_request_id_is_not_reused_for_another_plan_nor_is_an_empty_pool_used(freebit, api):
    api("activation", plan_code="MOB-DATA-3G", request_id="r-1", client_ref="1001")

    assert api("activation", plan_code="MOB-DATA-10G", request_id="r-1", client_ref="1001")["resultCode"] == "252"
    freebit.app.store.pool_size = 1
    assert api("activation", plan_code="MOB-DATA-3G", request_id="r-2", client_ref="1001")["resultCode"] == "251"


def test_the_key_is_required_and_reset_refills_the_pool(freebit, api):
    assert api("activation", expect_status=401, headers={}, plan_code="MOB-DATA-3G", request_id="r-1",
               client_ref="1")["resultCode"] == "401"
    api("activation", plan_code="MOB-DATA-3G", request_id="r-1", client_ref="1001")
    requests.post(f"{freebit.url}/__sandbox__/reset", timeout=5).raise_for_status()
    assert freebit.app.store.pool_used == 0 and freebit.app.store.activations_by_request == {}
