"""The Freebit emulator, driven over real HTTP as Freebit's PA API is driven: a form post with one
field ``json`` to ``/emptool/api/<group>/<op>/``, an ``authKey`` from ``authOem/`` inside the JSON,
the envelope ``resultCode`` + ``status``. Any other path is a 404."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
import requests

from sandbox.common import FaultConfigError
from sandbox.freebit import (
    API_PREFIX,
    DEFAULT_OEM_ID,
    DEFAULT_OEM_KEY,
    PLANS,
    FreebitConfig,
    FreebitSandbox,
    start_freebit_sandbox,
)
from sandbox.sim_stock import STOCK
from sandbox.whmcs import DEMO_SIMS

TODAY = date(2026, 3, 10)  # a Tuesday
VOICE, VOICE_5G, DATA, SUSPENDED, BOB = DEMO_SIMS
UNKNOWN = "09099990000"
KB_PER_GB = 1024 * 1024


@pytest.fixture(scope="module")
def freebit_sandbox():
    handle = start_freebit_sandbox(env={}, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(freebit_sandbox):
    """Every test starts from the seed data, with no faults and zeroed stats."""
    requests.post(f"{freebit_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{freebit_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()


def post(freebit_sandbox, path: str, body, *, raw: bool = False) -> requests.Response:
    data = body if raw else {"json": json.dumps(body)}
    return requests.post(f"{freebit_sandbox.url}{API_PREFIX}{path}", data=data, timeout=5)


@pytest.fixture
def key(freebit_sandbox) -> str:
    answer = post(freebit_sandbox, "/authOem/", {"oemId": DEFAULT_OEM_ID, "oemKey": DEFAULT_OEM_KEY}).json()
    assert answer["resultCode"] == "100" and re.fullmatch(r"[0-9a-f]{32}", answer["authKey"])
    return answer["authKey"]


@pytest.fixture
def api(freebit_sandbox, key):
    def call(path: str, **fields) -> dict:
        response = post(freebit_sandbox, path, {"authKey": key, **fields})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        return response.json()

    return call


def ok(answer: dict) -> dict:
    assert answer["resultCode"] == "100", answer
    assert answer["status"] == {"message": "OK", "statusCode": "200"}
    return answer


def refused(answer: dict, code: str) -> str:
    assert answer["resultCode"] == code, answer
    assert set(answer) == {"resultCode", "status"} and set(answer["status"]) == {"message", "statusCode"}
    return answer["status"]["message"]


def details(api, number: str) -> dict:
    [account] = ok(api("/mvno/getDetail/", version="2", requestDatas=[{"kind": "MVNO", "account": number}]))[
        "responseDatas"]
    return account


def stats(freebit_sandbox) -> dict:
    return requests.get(f"{freebit_sandbox.url}/__sandbox__/stats", timeout=5).json()


# -- the wire ------------------------------------------------------------------------------------------


def test_health(freebit_sandbox):
    assert requests.get(f"{freebit_sandbox.url}/__sandbox__/health", timeout=5).json() == {"status": "ok",
                                                                                   "emulator": "freebit"}


@pytest.mark.parametrize("path, method, status", [
    ("/emptool/api/mvno/getDetail/", "GET", 405),
    ("/emptool/api/mvno/getDetail", "POST", 404),  # the trailing slash is part of the path
    ("/emptool/api/mvno/unknown/", "POST", 404),
    ("/details", "POST", 404),
])
def test_only_the_pa_paths_by_post(freebit_sandbox, path, method, status):
    assert requests.request(method, freebit_sandbox.url + path, data={"json": "{}"}, timeout=5).status_code == status


@pytest.mark.parametrize("body", [
    {"json": "not json"}, {"json": "[1, 2]"}, {"json": ""}, {"other": "{}"},
])
def test_a_form_without_a_json_object_is_a_parameter_error(freebit_sandbox, body):
    refused(post(freebit_sandbox, "/mvno/getTrafficInfo/", body, raw=True).json(), "201")


def test_a_raw_json_body_is_not_the_documented_format(freebit_sandbox, key):
    response = requests.post(f"{freebit_sandbox.url}{API_PREFIX}/mvno/getTrafficInfo/", timeout=5,
                             json={"authKey": key, "account": VOICE.msisdn})
    assert "must be a form with the field json" in refused(response.json(), "201")


# -- PA01-01 authOem -------------------------------------------------------------------------------------


@pytest.mark.parametrize("credentials", [
    {"oemId": DEFAULT_OEM_ID, "oemKey": "wrong"}, {"oemId": "someone", "oemKey": DEFAULT_OEM_KEY},
    {"oemId": DEFAULT_OEM_ID}, {},
])
def test_wrong_oem_credentials_are_401_in_the_envelope(freebit_sandbox, credentials):
    response = post(freebit_sandbox, "/authOem/", credentials)
    assert response.status_code == 200
    refused(response.json(), "401")


@pytest.mark.parametrize("auth_key", [None, "", "0" * 32, 12345])
def test_a_call_without_a_valid_auth_key_is_refused(freebit_sandbox, auth_key):
    body = {"account": VOICE.msisdn} if auth_key is None else {"authKey": auth_key, "account": VOICE.msisdn}
    refused(post(freebit_sandbox, "/mvno/getTrafficInfo/", body).json(), "401")


def test_auth_keys_expire_and_the_operator_can_expire_them_all(freebit_sandbox, key, api):
    ok(api("/mvno/getTrafficInfo/", account=VOICE.msisdn))
    assert requests.delete(f"{freebit_sandbox.url}/__sandbox__/auth-keys", timeout=5).json()["expired"] >= 1
    refused(api("/mvno/getTrafficInfo/", account=VOICE.msisdn), "401")

    with start_freebit_sandbox(env={}, today=TODAY, auth_key_ttl_seconds=0) as handle:
        short = post(handle, "/authOem/", {"oemId": DEFAULT_OEM_ID, "oemKey": DEFAULT_OEM_KEY}).json()["authKey"]
        refused(post(handle, "/mvno/getTrafficInfo/", {"authKey": short, "account": VOICE.msisdn}).json(), "401")


def test_the_oem_credentials_are_configurable_and_hidden():
    env = {"SANDBOX_FREEBIT_OEM_ID": "env-oem", "SANDBOX_FREEBIT_OEM_KEY": "env-key"}
    with start_freebit_sandbox(env=env, today=TODAY) as handle:
        ok(post(handle, "/authOem/", {"oemId": "env-oem", "oemKey": "env-key"}).json())
    assert "secret-key-123" not in repr(FreebitConfig(oem_key="secret-key-123"))


# -- PA03-02 account details ------------------------------------------------------------------------------


def test_the_demo_lines_line_up_with_the_whmcs_emulator(api):
    for sim in DEMO_SIMS:
        account = details(api, sim.msisdn)
        assert (account["account"], account["iccid"], account["kind"]) == (sim.msisdn, sim.iccid, "MVNO")
        assert account["talk"] == ("20" if sim.data_only else "10")


def test_voice_line_details(api):
    account = details(api, VOICE.msisdn)

    assert (account["state"], account["planCode"], account["planName"]) == ("active", "MOB-VOICE-20G",
                                                                            "Mobile Voice 20 GB")
    assert re.fullmatch(r"\d{8}", account["startDate"])
    assert account["talkOption"] == {"voiceMail": "10", "callWaiting": "10", "worldWing": "20"}
    assert all(isinstance(account[name], str) and account[name].isdigit() for name in ("quota", "monthQuota"))
    assert 0 < int(account["quota"]) <= int(account["monthQuota"])


def test_a_data_line_and_a_suspended_line(api):
    assert details(api, DATA.msisdn)["talkOption"] is None
    assert details(api, SUSPENDED.msisdn)["state"] == "suspended"


def test_only_the_first_request_data_is_read(api):
    answer = ok(api("/mvno/getDetail/", requestDatas=[{"kind": "MVNO", "account": VOICE.msisdn},
                                                      {"kind": "MVNO", "account": BOB.msisdn}]))
    assert [a["account"] for a in answer["responseDatas"]] == [VOICE.msisdn]


@pytest.mark.parametrize("request_datas, code", [
    ([{"kind": "MVNO", "account": UNKNOWN}], "210"),
    ([{"kind": "MASTER", "account": VOICE.msisdn}], "201"),
    ([{"kind": "MVNO", "account": VOICE.iccid}], "201"),  # an ICCID is not an account
    ([{"kind": "MVNO", "account": "090-1234-0012"}], "201"),
    ([], "201"),
    (None, "201"),
])
def test_details_refusals(api, request_datas, code):
    refused(api("/mvno/getDetail/", requestDatas=request_datas), code)


# -- PA05-01 traffic ------------------------------------------------------------------------------------


def test_traffic_figures(freebit_sandbox, api):
    answer = ok(api("/mvno/getTrafficInfo/", account=VOICE.msisdn))
    store = freebit_sandbox.app.store
    account = store.accounts[VOICE.msisdn]

    assert answer["account"] == VOICE.msisdn
    assert answer["traffic"] == {"today": str(store.used_today_kb(account)),
                                 "inRecentDays": str(store.recent_days_kb(account)), "blackList": "20"}
    days = store.daily_kb(account, TODAY - timedelta(days=3), TODAY - timedelta(days=1))
    assert int(answer["traffic"]["inRecentDays"]) == sum(kb for _, kb in days)


def test_the_remaining_quota_is_the_months_allowance_less_its_use(freebit_sandbox, api):
    account = details(api, VOICE.msisdn)
    store, line = freebit_sandbox.app.store, freebit_sandbox.app.store.accounts[VOICE.msisdn]
    assert int(account["monthQuota"]) - int(account["quota"]) == store.month_used_kb(line)


def test_a_suspended_line_carries_no_traffic_since(freebit_sandbox, api):
    line = freebit_sandbox.app.store.accounts[SUSPENDED.msisdn]
    assert all(kb == 0 for day, kb in line.usage.items() if day >= line.suspended_since)


def test_usage_is_deterministic_per_seed():
    def figures(seed):
        with start_freebit_sandbox(env={}, today=TODAY, usage_seed=seed) as handle:
            return handle.app.store.accounts[VOICE.msisdn].usage

    assert figures(1) == figures(1) != figures(2)


# -- PA04-04 quota add / PA05-02 history -----------------------------------------------------------------


def test_a_quota_addition_raises_the_months_allowance_every_time(freebit_sandbox, api):
    before = int(details(api, VOICE.msisdn)["monthQuota"])

    for _ in range(2):
        ok(api("/master/addSpec/", kind="MVNO", account=VOICE.msisdn, quota="1024", quotaCode="same-code",
               expire="20260331"))

    assert int(details(api, VOICE.msisdn)["monthQuota"]) == before + 2 * KB_PER_GB, "no idempotency key"
    history = ok(api("/mvno/getQuotaHistory/", kind="MVNO", account=VOICE.msisdn, fromDate="20260310",
                     toDate="20260310"))
    assert [(e["quota"], e["quotaCode"], e["expire"]) for e in history["quotaHistory"]] == [
        ("1024", "same-code", "20260331")] * 2
    assert all(re.fullmatch(r"2026031\d{7}", e["addDate"]) for e in history["quotaHistory"])


def test_the_quota_history_is_newest_first_within_its_range(api):
    history = ok(api("/mvno/getQuotaHistory/", kind="MVNO", account=BOB.msisdn, fromDate="20260101",
                     toDate="20260310"))["quotaHistory"]
    assert [e["quota"] for e in history] == ["512"]
    refused(api("/mvno/getQuotaHistory/", kind="MVNO", account=BOB.msisdn, fromDate="20260310", toDate="20260301"),
            "201")


@pytest.mark.parametrize("fields, code", [
    ({"kind": "MVNO", "account": SUSPENDED.msisdn, "quota": "1024"}, "230"),
    ({"kind": "MVNO", "account": UNKNOWN, "quota": "1024"}, "210"),
    ({"kind": "MVNO", "account": VOICE.msisdn, "quota": "0"}, "240"),
    ({"kind": "MVNO", "account": VOICE.msisdn, "quota": "512001"}, "240"),
    ({"kind": "MVNO", "account": VOICE.msisdn, "quota": "1000000"}, "201"),  # more than 6 digits
    ({"kind": "MVNO", "account": VOICE.msisdn, "quota": 1024}, "201"),  # a number, not a digit string
    ({"kind": "MASTER", "account": VOICE.msisdn, "quota": "1024"}, "201"),
    ({"kind": "MVNO", "account": VOICE.msisdn, "quota": "1024", "quotaCode": "x" * 513}, "201"),
    ({"kind": "MVNO", "account": VOICE.msisdn, "quota": "1024", "expire": "2026-03-31"}, "201"),
    ({"kind": "MVNO", "account": VOICE.msisdn, "quota": "1024", "expire": "20260301"}, "201"),  # in the past
])
def test_quota_add_refusals_add_nothing(freebit_sandbox, api, fields, code):
    before = len(freebit_sandbox.app.store.quota)
    refused(api("/master/addSpec/", **fields), code)
    assert len(freebit_sandbox.app.store.quota) == before


# -- PA05-21 plan change --------------------------------------------------------------------------------


def test_a_change_now_and_one_booked_for_a_day(api):
    assert ok(api("/mvno/changePlan/", account=VOICE.msisdn, planCode="MOB-VOICE-5G"))["ipv4"] == ""
    assert details(api, VOICE.msisdn)["planCode"] == "MOB-VOICE-5G"

    with start_freebit_sandbox(env={}, today=TODAY, auth_key_ttl_seconds=90 * 86400) as own:  # its calendar moves
        key = post(own, "/authOem/", {"oemId": DEFAULT_OEM_ID, "oemKey": DEFAULT_OEM_KEY}).json()["authKey"]
        own_api = lambda path, **fields: post(own, path, {"authKey": key, **fields}).json()  # noqa: E731
        ok(own_api("/mvno/changePlan/", account=BOB.msisdn, planCode="MOB-VOICE-5G", globalIp="20",
                   runTime="20260401"))
        assert details(own_api, BOB.msisdn)["planCode"] == "MOB-VOICE-20G"
        own.app.set_today(date(2026, 4, 1))
        assert details(own_api, BOB.msisdn)["planCode"] == "MOB-VOICE-5G"


@pytest.mark.parametrize("fields, code", [
    ({"account": VOICE.msisdn, "planCode": "MOB-DATA-10G"}, "220"),
    ({"account": VOICE.msisdn, "planCode": "MOB-VOICE-20G"}, "220"),
    ({"account": VOICE.msisdn, "planCode": "MOB-VOICE-3G"}, "220"),
    ({"account": VOICE.msisdn, "planCode": "NOPE"}, "220"),
    ({"account": SUSPENDED.msisdn, "planCode": "MOB-VOICE-5G"}, "230"),
    ({"account": VOICE.msisdn, "planCode": "MOB-VOICE-5G", "runTime": "20260301"}, "201"),
    ({"account": VOICE.msisdn, "planCode": "MOB-VOICE-5G", "globalIp": "10"}, "201"),
])
def test_plan_change_refusals(api, fields, code):
    refused(api("/mvno/changePlan/", **fields), code)


def test_the_plans_match_the_catalog():
    assert {plan.name for plan in PLANS.values()} >= {"Data SIM 10 GB", "Mobile Voice 20 GB", "Mobile Voice 5 GB"}
    assert all(plan.code.startswith("MOB-") for plan in PLANS.values())


# -- PA02-01 / PA05-41 new lines ---------------------------------------------------------------------------


PHYSICAL = next(sim for sim in STOCK if sim.kind == "Physical" and not sim.data_only)
ESIM = next(sim for sim in STOCK if sim.kind == "eSIM" and sim.data_only)
PHONE_EID = "89033023426200000000000000009901"
"""The customer's phone an eSIM profile goes onto: the profile is named by its number, the phone by its EID."""


def test_a_new_line_on_a_stock_card(api):
    ok(api("/master/addAcnt/", createType="new", kind="MVNO", account=PHYSICAL.msisdn,
           productNumber=PHYSICAL.product_number, planCode="MOB-VOICE-5G"))

    account = details(api, PHYSICAL.msisdn)
    assert (account["iccid"], account["state"], account["startDate"]) == (PHYSICAL.iccid, "active", "20260310")
    assert account["talkOption"] == {"voiceMail": "10", "callWaiting": "20", "worldWing": "20"}
    refused(api("/master/addAcnt/", createType="new", kind="MVNO", account=PHYSICAL.msisdn,
                productNumber=PHYSICAL.product_number, planCode="MOB-VOICE-5G"), "251")


def test_a_new_esim_line(api):
    ok(api("/mvno/esim/addAcnt/", aladinOperated="20", createType="new", addKind="N", account=ESIM.msisdn,
           eid=PHONE_EID, planCode="MOB-DATA-3G"))
    account = details(api, ESIM.msisdn)
    assert (account["talk"], account["iccid"], account["eid"]) == ("20", ESIM.iccid, PHONE_EID)


def test_a_phone_takes_one_esim_line(api):
    other = next(sim for sim in STOCK if sim.kind == "eSIM" and sim.msisdn != ESIM.msisdn)
    ok(api("/mvno/esim/addAcnt/", aladinOperated="20", createType="new", addKind="N", account=ESIM.msisdn,
           eid=PHONE_EID, planCode="MOB-DATA-3G"))
    refused(api("/mvno/esim/addAcnt/", aladinOperated="20", createType="new", addKind="N", account=other.msisdn,
                eid=PHONE_EID, planCode="MOB-DATA-3G"), "250")


@pytest.mark.parametrize("path, fields, code", [
    ("/master/addAcnt/", {"createType": "add"}, "201"),
    ("/master/addAcnt/", {"productNumber": "ZZ9999999999999"}, "250"),
    ("/master/addAcnt/", {"productNumber": "AX12"}, "201"),
    ("/master/addAcnt/", {"planCode": "MOB-VOICE-3G"}, "250"),
    ("/mvno/esim/addAcnt/", {"aladinOperated": "10", "addKind": "R"}, "400"),  # documented: 400-356
    ("/mvno/esim/addAcnt/", {"addKind": "M"}, "201"),
    ("/mvno/esim/addAcnt/", {"eid": "89049032" + "9"}, "201"),
    ("/mvno/esim/addAcnt/", {"account": PHYSICAL.msisdn}, "250"),  # a card's number, not an eSIM profile's
])
def test_new_line_refusals(freebit_sandbox, api, path, fields, code):
    base = ({"createType": "new", "kind": "MVNO", "account": PHYSICAL.msisdn, "productNumber": PHYSICAL.product_number,
             "planCode": "MOB-VOICE-5G"} if path == "/master/addAcnt/" else
            {"aladinOperated": "20", "createType": "new", "addKind": "N", "account": ESIM.msisdn, "eid": PHONE_EID,
             "planCode": "MOB-DATA-3G"})
    answer = api(path, **{**base, **fields})
    refused(answer, code)
    if code == "400":
        assert answer["status"]["statusCode"] == "356"
    assert {PHYSICAL.msisdn, ESIM.msisdn}.isdisjoint(freebit_sandbox.app.store.accounts)


# -- faults, stats, reset, operator endpoints ----------------------------------------------------------------


def test_calls_are_counted_per_pa_code(freebit_sandbox, api):
    requests.delete(f"{freebit_sandbox.url}/__sandbox__/stats", timeout=5)
    details(api, VOICE.msisdn)
    ok(api("/mvno/getTrafficInfo/", account=VOICE.msisdn))
    post(freebit_sandbox, "/mvno/getTrafficInfo/", {"account": VOICE.msisdn})  # refused: no key, still a call

    assert stats(freebit_sandbox)["calls"] == {"PA03-02": 1, "PA05-01": 2}


def test_a_lost_answer_fault_carries_out_the_quota_addition(freebit_sandbox, key):
    requests.post(f"{freebit_sandbox.url}/__sandbox__/faults", json={"lost_answer_rate": 1.0, "actions": ["PA04-04"]},
                  timeout=5).raise_for_status()
    before = len(freebit_sandbox.app.store.quota)

    response = post(freebit_sandbox, "/master/addSpec/", {"authKey": key, "kind": "MVNO", "account": VOICE.msisdn,
                                                  "quota": "1024"})

    assert response.status_code == 504 and "nginx" in response.text
    assert len(freebit_sandbox.app.store.quota) == before + 1


def test_rate_limit_fault_answers_in_freebit_shape_with_retry_after(freebit_sandbox):
    requests.post(f"{freebit_sandbox.url}/__sandbox__/faults", json={"rate_limit": {"retry_after": 7}}, timeout=5)
    response = post(freebit_sandbox, "/mvno/getTrafficInfo/", {"account": VOICE.msisdn})

    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.json()["resultCode"] == "500"


def test_malformed_and_timeout_faults(freebit_sandbox, key):
    requests.post(f"{freebit_sandbox.url}/__sandbox__/faults", json={"malformed_rate": 1.0}, timeout=5)
    response = post(freebit_sandbox, "/mvno/getTrafficInfo/", {"authKey": key, "account": VOICE.msisdn})
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()

    requests.post(f"{freebit_sandbox.url}/__sandbox__/faults", json={"timeout_rate": 1.0, "timeout_seconds": 0.1},
                  timeout=5)
    with pytest.raises(requests.exceptions.ConnectionError):
        post(freebit_sandbox, "/mvno/getTrafficInfo/", {"authKey": key, "account": VOICE.msisdn})


def test_latency_fault(freebit_sandbox, api):
    requests.post(f"{freebit_sandbox.url}/__sandbox__/faults", json={"latency_ms": 150}, timeout=5)
    started = time.monotonic()
    details(api, VOICE.msisdn)
    assert time.monotonic() - started >= 0.14


def test_invalid_faults_are_refused(freebit_sandbox):
    assert requests.post(f"{freebit_sandbox.url}/__sandbox__/faults", json={"error_rate": 2},
                         timeout=5).status_code == 400
    with pytest.raises(FaultConfigError):
        FreebitSandbox(faults={"nonsense": 1})


def test_reset_restores_the_seed_and_keeps_faults_and_keys(freebit_sandbox, api):
    ok(api("/master/addSpec/", kind="MVNO", account=VOICE.msisdn, quota="1024"))
    ok(api("/mvno/changePlan/", account=BOB.msisdn, planCode="MOB-VOICE-5G"))
    requests.post(f"{freebit_sandbox.url}/__sandbox__/faults", json={"latency_ms": 1}, timeout=5)

    requests.post(f"{freebit_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()

    assert details(api, VOICE.msisdn)["monthQuota"] == str(20 * KB_PER_GB), "still the same key: keys outlive a reset"
    assert details(api, BOB.msisdn)["planCode"] == "MOB-VOICE-20G"
    assert requests.get(f"{freebit_sandbox.url}/__sandbox__/faults", timeout=5).json()["latency_ms"] == 1


def test_operator_sim_endpoints(freebit_sandbox, api):
    sims = requests.get(f"{freebit_sandbox.url}/__sandbox__/sims", timeout=5).json()["sims"]
    assert [s["account"] for s in sims] == [sim.msisdn for sim in DEMO_SIMS]
    assert {s["clientId"] for s in sims} == {1001, 1002}

    suspended = requests.post(f"{freebit_sandbox.url}/__sandbox__/sims/{BOB.msisdn}", json={"status": "suspended"},
                              timeout=5)
    assert suspended.json()["state"] == "suspended"
    refused(api("/master/addSpec/", kind="MVNO", account=BOB.msisdn, quota="512"), "230")
    assert requests.post(f"{freebit_sandbox.url}/__sandbox__/sims/{BOB.msisdn}", json={"status": "gone"},
                         timeout=5).status_code == 400
    assert requests.get(f"{freebit_sandbox.url}/__sandbox__/sims/{UNKNOWN}", timeout=5).status_code == 404


def test_the_standalone_entry_point():
    env = {**os.environ, "SANDBOX_FREEBIT_TODAY": TODAY.isoformat()}
    process = subprocess.Popen([sys.executable, "-m", "sandbox.freebit", "--port", "0", "--oem-key", "cli-key"],
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert match, line
        url = match[1] + API_PREFIX
        credentials = {"json": json.dumps({"oemId": DEFAULT_OEM_ID, "oemKey": "cli-key"})}
        key = requests.post(url + "/authOem/", data=credentials, timeout=5).json()["authKey"]
        answer = requests.post(url + "/mvno/getTrafficInfo/", timeout=5,
                               data={"json": json.dumps({"authKey": key, "account": VOICE.msisdn})}).json()
        assert answer["account"] == VOICE.msisdn
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        process.stderr.close()
