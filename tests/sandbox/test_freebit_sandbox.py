"""The Freebit emulator, driven over real HTTP like the portal's connection drives Freebit."""
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
from sandbox.freebit import DEFAULT_API_KEY, PLANS, FreebitConfig, FreebitSandbox, start_freebit_sandbox
from sandbox.whmcs import DEMO_SIMS, start_whmcs_sandbox

TODAY = date(2026, 3, 10)  # a Tuesday
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
VOICE, VOICE_5G, DATA, SUSPENDED, BOB = (sim.iccid for sim in DEMO_SIMS)
UNKNOWN = "8981100000009999998"  # a valid ICCID Freebit does not know
KB_PER_GB = 1024 * 1024


@pytest.fixture(scope="module")
def freebit():
    handle = start_freebit_sandbox(env={}, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(freebit):
    """Every test starts from the seed data, with no faults and zeroed stats."""
    requests.post(f"{freebit.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{freebit.url}/__sandbox__/faults", timeout=5).raise_for_status()


@pytest.fixture
def api(freebit):
    session = requests.Session()

    def call(operation, body=None, *, expect_status=200, headers=AUTH, **fields):
        response = session.post(f"{freebit.url}/api/sim/{operation}", json={**(body or {}), **fields},
                                headers=headers, timeout=5)
        assert response.status_code == expect_status, response.text
        return response.json()

    yield call
    session.close()


def ok(answer: dict) -> dict:
    assert answer["resultCode"] == "100", answer
    assert answer["status"] == {"message": "OK", "statusCode": "200"}
    return answer


def refused(answer: dict, code: str) -> str:
    assert answer["resultCode"] == code, answer
    assert set(answer) == {"resultCode", "status"}
    assert set(answer["status"]) == {"message", "statusCode"}
    return answer["status"]["message"]


def details(api, iccid: str) -> dict:
    return ok(api("details", iccid=iccid))["account"]


def wire_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def faults(freebit, **config):
    response = requests.post(f"{freebit.url}/__sandbox__/faults", json=config, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def stats(freebit):
    return requests.get(f"{freebit.url}/__sandbox__/stats", timeout=5).json()


# -- protocol and authentication --------------------------------------------------------------------
def test_health(freebit):
    assert requests.get(f"{freebit.url}/__sandbox__/health", timeout=5).json() == {"status": "ok",
                                                                                    "emulator": "freebit"}


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-key"},
    {"Authorization": DEFAULT_API_KEY},
    {"Authorization": f"Basic {DEFAULT_API_KEY}"},
    {"Authorization": "Bearer "},
])
def test_a_missing_or_wrong_key_is_401_in_freebit_shape(api, headers):
    answer = api("details", iccid=VOICE, headers=headers, expect_status=401)

    assert answer == {"resultCode": "401",
                      "status": {"message": "Authentication error: invalid API key.", "statusCode": "401"}}


def test_401_names_the_scheme(freebit):
    response = requests.post(f"{freebit.url}/api/sim/details", json={"iccid": VOICE}, timeout=5)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="freebit"'
    assert response.headers["Content-Type"].startswith("application/json")


def test_the_key_is_configurable_and_the_scheme_case_insensitive():
    with start_freebit_sandbox(env={"SANDBOX_FREEBIT_API_KEY": "from-env"}, today=TODAY) as handle:
        url = f"{handle.url}/api/sim/details"
        assert requests.post(url, json={"iccid": VOICE}, headers={"Authorization": "bearer from-env"},
                             timeout=5).status_code == 200
        assert requests.post(url, json={"iccid": VOICE}, headers=AUTH, timeout=5).status_code == 401
    with start_freebit_sandbox(env={"SANDBOX_FREEBIT_API_KEY": "from-env"}, api_key="arg", today=TODAY) as handle:
        assert requests.post(f"{handle.url}/api/sim/details", json={"iccid": VOICE},
                             headers={"Authorization": "Bearer arg"}, timeout=5).status_code == 200


def test_the_config_repr_hides_the_key():
    assert "secret-key-123" not in repr(FreebitConfig(api_key="secret-key-123"))


@pytest.mark.parametrize("path, method, status", [
    ("/api/sim/details", "GET", 405),
    ("/api/sim/topup", "PUT", 405),
    ("/api/sim/activate", "POST", 404),
    ("/api/sim/", "POST", 404),
    ("/mvno/getDetail/", "POST", 404),
])
def test_only_the_five_operations_by_post(freebit, path, method, status):
    response = requests.request(method, f"{freebit.url}{path}", headers=AUTH, json={"iccid": VOICE}, timeout=5)
    assert response.status_code == status
    assert stats(freebit)["total"] == 0, "only API calls are counted"


@pytest.mark.parametrize("raw, content_type", [
    (b"iccid=8981100000001001124", "application/x-www-form-urlencoded"),
    (b'{"iccid": ', "application/json"),
    (b'["8981100000001001124"]', "application/json"),
    (b"", "application/json"),
])
def test_a_body_that_is_not_a_json_object_is_refused(freebit, raw, content_type):
    response = requests.post(f"{freebit.url}/api/sim/details", data=raw, timeout=5,
                             headers={**AUTH, "Content-Type": content_type})
    assert response.status_code == 400
    assert refused(response.json(), "201") == "Parameter error: the body must be a JSON object."


@pytest.mark.parametrize("iccid", [None, "", 8981100000001001124, "8981-1000", "898110000000100112"])
def test_a_bad_iccid_is_a_parameter_error(api, iccid):
    assert "iccid" in refused(api("details", iccid=iccid, expect_status=400), "201")


def test_an_unknown_sim(api):
    assert refused(api("details", iccid=UNKNOWN), "210") == "Specified SIM is not found."


# -- the demo SIMs ------------------------------------------------------------------------------------
def test_the_demo_sims_line_up_with_the_whmcs_emulator(api):
    with start_whmcs_sandbox(env={}, today=TODAY) as whmcs:
        products = []
        for client in sorted({sim.client_id for sim in DEMO_SIMS}):
            answer = requests.post(f"{whmcs.url}/includes/api.php", timeout=5, data={
                "action": "GetClientsProducts", "clientid": client, "identifier": "sandbox-identifier",
                "secret": "sandbox-secret", "responsetype": "json"}).json()
            products += answer["products"]["product"]
    by_iccid = {}
    for product in products:
        fields = {f["name"]: f["value"] for f in (product["customfields"] or {"customfield": []})["customfield"]}
        if "ICCID" in fields:
            by_iccid[fields["ICCID"]] = (product, fields)

    assert set(by_iccid) == {sim.iccid for sim in DEMO_SIMS}
    for demo in DEMO_SIMS:
        product, fields = by_iccid[demo.iccid]
        account = details(api, demo.iccid)
        assert account["msisdn"] == fields["Phone Number"] == demo.msisdn
        assert account["planName"] == product["name"]
        assert account["status"] == {"Active": "active", "Suspended": "suspended"}[product["status"]]
        assert account["simType"] == ("data" if demo.data_only else "voice")
        assert wire_date(date.fromisoformat(product["regdate"])) <= account["activationDate"] < wire_date(TODAY)


def test_alice_has_voice_and_data_sims_one_suspended_and_bob_one():
    alice = [sim for sim in DEMO_SIMS if sim.client_id == 1001]
    assert len(alice) == 4 and [sim.client_id for sim in DEMO_SIMS].count(1002) == 1
    assert any(sim.data_only for sim in alice) and any(not sim.data_only for sim in alice)


def test_voice_sim_details_in_freebit_shape(api):
    account = details(api, VOICE)

    assert account["iccid"] == VOICE and account["msisdn"] == "09012340012"
    assert (account["status"], account["simType"], account["planCode"]) == ("active", "voice", "MOB-VOICE-20G")
    assert account["voiceOption"] == {"callWaiting": "on", "voiceMail": "on", "internationalRoaming": "off"}
    assert account["pendingPlanChange"] is None
    assert re.fullmatch(r"\d{8}", account["activationDate"])
    assert account["totalQuotaKb"] == 20 * KB_PER_GB
    assert isinstance(account["remainingQuotaKb"], int) and 0 < account["remainingQuotaKb"] < 20 * KB_PER_GB


def test_data_sim_has_no_voice_options_and_a_020_number(api):
    account = details(api, DATA)
    assert (account["simType"], account["voiceOption"], account["msisdn"][:3]) == ("data", None, "020")
    assert account["planName"] == "Data SIM 10 GB"


def test_this_months_top_up_raises_the_total(api):
    account = details(api, VOICE_5G)  # a 1 GB top-up on the 1st
    assert account["totalQuotaKb"] == 6 * KB_PER_GB


def test_remaining_is_the_total_minus_this_months_usage(api):
    for iccid in (VOICE, VOICE_5G, DATA, BOB):
        account = details(api, iccid)
        usage = ok(api("usage", iccid=iccid, start_date="2026-03-01", end_date="2026-03-10"))["usage"]
        assert account["remainingQuotaKb"] == account["totalQuotaKb"] - usage["totalUsageKb"]


# -- usage -------------------------------------------------------------------------------------------
def test_62_days_of_usage_cover_this_and_last_month(api):
    usage = ok(api("usage", iccid=VOICE, start_date="2026-01-08", end_date="2026-03-10"))["usage"]

    days = [point["date"] for point in usage["daily"]]
    assert len(days) == 62 and days[0] == "20260108" and days[-1] == "20260310"
    assert days == sorted(days)
    assert usage["totalUsageKb"] == sum(point["usageKb"] for point in usage["daily"])
    assert (usage["startDate"], usage["endDate"]) == ("20260108", "20260310")
    february = [p["usageKb"] for p in usage["daily"] if p["date"].startswith("202602")]
    assert len(february) == 28 and all(kb > 0 for kb in february)
    assert 4 * KB_PER_GB < sum(february) < 20 * KB_PER_GB, "a believable month on a 20 GB plan"


def test_more_is_used_at_weekends(api):
    weekday, weekend = [], []
    for iccid in (VOICE, VOICE_5G, DATA, BOB):
        for point in ok(api("usage", iccid=iccid, start_date="2026-01-08", end_date="2026-03-10"))["usage"]["daily"]:
            day = date(int(point["date"][:4]), int(point["date"][4:6]), int(point["date"][6:]))
            (weekend if day.weekday() >= 5 else weekday).append(point["usageKb"])
    assert sum(weekend) / len(weekend) > 1.2 * sum(weekday) / len(weekday)


def test_usage_is_deterministic_per_seed():
    def february(**config):
        with start_freebit_sandbox(env={}, today=TODAY, **config) as handle:
            return requests.post(f"{handle.url}/api/sim/usage", headers=AUTH, timeout=5, json={
                "iccid": BOB, "start_date": "2026-02-01", "end_date": "2026-02-28"}).json()["usage"]["daily"]

    assert february() == february()
    assert february(usage_seed=1) != february()


def test_a_suspended_sim_has_no_usage_since_its_suspension(api):
    usage = ok(api("usage", iccid=SUSPENDED, start_date="2026-01-08", end_date="2026-03-10"))["usage"]["daily"]
    suspended_on = wire_date(TODAY - timedelta(days=45))
    assert all(p["usageKb"] == 0 for p in usage if p["date"] >= suspended_on)
    assert sum(p["usageKb"] for p in usage if p["date"] < suspended_on) > 0


@pytest.mark.parametrize("start, end, expected_days", [
    ("2026-03-01", "2026-03-31", 10),  # an end after today is cut to today
    ("2026-03-01T00:00:00.000Z", "2026-03-05T23:59:59Z", 5),  # the design's toISOString()
    ("2025-12-01", "2026-01-10", 3),  # older than the 62 days kept: left out
    ("2026-03-10", "2026-03-10", 1),
])
def test_usage_ranges_answered(api, start, end, expected_days):
    usage = ok(api("usage", iccid=VOICE, start_date=start, end_date=end))["usage"]
    assert len(usage["daily"]) == expected_days


@pytest.mark.parametrize("start, end, message", [
    ("2026-03-05", "2026-03-01", "start_date is after end_date"),
    ("2026-03-11", "2026-03-12", "start_date is in the future"),
    ("2026-01-07", "2026-03-10", "62 days or less"),
])
def test_usage_ranges_refused(api, start, end, message):
    assert message in refused(api("usage", iccid=VOICE, start_date=start, end_date=end, expect_status=400), "202")


@pytest.mark.parametrize("fields", [
    {"start_date": "2026-03-01"},
    {"start_date": "20260301", "end_date": "2026-03-02"},
    {"start_date": "2026-02-30", "end_date": "2026-03-02"},
    {"start_date": 20260301, "end_date": "2026-03-02"},
])
def test_bad_usage_dates_are_parameter_errors(api, fields):
    refused(api("usage", iccid=VOICE, expect_status=400, **fields), "201")


# -- top-ups -----------------------------------------------------------------------------------------
def test_a_top_up_adds_to_this_months_quota(api):
    before = details(api, VOICE)

    topup = ok(api("topup", iccid=VOICE, quota_mb=1024, request_id="req-1"))["topup"]

    assert topup["requestId"] == "req-1" and topup["iccid"] == VOICE
    assert (topup["quotaKb"], topup["status"]) == (KB_PER_GB, "completed")
    assert re.fullmatch(r"TP2026031\d{6}", topup["topupId"])
    assert re.fullmatch(r"20260310\d{6}", topup["createdAt"])
    after = details(api, VOICE)
    assert after["totalQuotaKb"] == before["totalQuotaKb"] + KB_PER_GB
    assert after["remainingQuotaKb"] == before["remainingQuotaKb"] + KB_PER_GB


def test_a_repeated_request_id_answers_the_first_top_up_and_adds_nothing(freebit, api):
    first = api("topup", iccid=VOICE, quota_mb=512, request_id="same-id")
    total = details(api, VOICE)["totalQuotaKb"]

    again = api("topup", iccid=VOICE, quota_mb=512, request_id="same-id")

    assert again == first
    assert details(api, VOICE)["totalQuotaKb"] == total
    assert stats(freebit)["calls"]["topup"] == 2


def test_a_request_id_reused_for_another_top_up_is_refused(api):
    ok(api("topup", iccid=VOICE, quota_mb=512, request_id="used-id"))
    assert "already used" in refused(api("topup", iccid=VOICE, quota_mb=1024, request_id="used-id"), "241")
    refused(api("topup", iccid=BOB, quota_mb=512, request_id="used-id"), "241")


def test_a_suspended_sim_cannot_be_topped_up_and_the_refusal_is_not_remembered(freebit, api):
    message = refused(api("topup", iccid=SUSPENDED, quota_mb=1024, request_id="lost-sim"), "230")
    assert message == "It can not charge because the SIM is suspended."

    response = requests.post(f"{freebit.url}/__sandbox__/sims/{SUSPENDED}", json={"status": "active"}, timeout=5)
    assert response.json()["status"] == "active"
    ok(api("topup", iccid=SUSPENDED, quota_mb=1024, request_id="lost-sim"))


@pytest.mark.parametrize("quota_mb", [99, 51201, 0, -1])
def test_top_up_quota_out_of_range(api, quota_mb):
    assert "out of range" in refused(api("topup", iccid=VOICE, quota_mb=quota_mb, request_id="r"), "240")


@pytest.mark.parametrize("fields, name", [
    ({"quota_mb": "1024", "request_id": "r"}, "quota_mb"),
    ({"quota_mb": 1024.0, "request_id": "r"}, "quota_mb"),
    ({"quota_mb": True, "request_id": "r"}, "quota_mb"),
    ({"request_id": "r"}, "quota_mb"),
    ({"quota_mb": 1024}, "request_id"),
    ({"quota_mb": 1024, "request_id": "has space"}, "request_id"),
    ({"quota_mb": 1024, "request_id": "x" * 65}, "request_id"),
])
def test_top_up_parameter_errors(api, fields, name):
    assert name in refused(api("topup", iccid=VOICE, expect_status=400, **fields), "201")


def test_top_up_history_newest_first(api):
    ok(api("topup", iccid=VOICE, quota_mb=2048, request_id="newest"))

    history = ok(api("topup-history", iccid=VOICE))["topupHistory"]

    assert history["iccid"] == VOICE and history["count"] == len(history["list"]) == 2
    assert [t["requestId"] for t in history["list"]][0] == "newest"
    assert history["list"][1]["createdAt"] < history["list"][0]["createdAt"]
    assert ok(api("topup-history", iccid=DATA))["topupHistory"] == {"iccid": DATA, "count": 0, "list": []}


# -- plan changes ------------------------------------------------------------------------------------
def test_a_next_month_change_is_pending_until_the_first(freebit, api):
    change = ok(api("plan-change", iccid=BOB, plan_code="MOB-VOICE-5G", effective="next_month"))["planChange"]

    assert change == {"iccid": BOB, "planCode": "MOB-VOICE-5G", "planName": "Mobile Voice 5 GB",
                      "previousPlanCode": "MOB-VOICE-20G", "status": "scheduled", "effectiveDate": "20260401"}
    account = details(api, BOB)
    assert account["planCode"] == "MOB-VOICE-20G"
    assert account["pendingPlanChange"] == {"planCode": "MOB-VOICE-5G", "planName": "Mobile Voice 5 GB",
                                            "effectiveDate": "20260401"}


def test_the_pending_change_applies_when_the_clock_reaches_the_first():
    with start_freebit_sandbox(env={}, today=TODAY) as handle:
        api_url, control = f"{handle.url}/api/sim/", f"{handle.url}/__sandbox__/clock"

        def post(operation, **body):
            return requests.post(api_url + operation, json=body, headers=AUTH, timeout=5).json()

        post("plan-change", iccid=BOB, plan_code="MOB-VOICE-5G", effective="next_month")
        assert requests.post(control, json={"today": "2026-03-31"}, timeout=5).json() == {"today": "2026-03-31",
                                                                                           "pinned": True}
        assert post("details", iccid=BOB)["account"]["pendingPlanChange"] is not None
        requests.post(control, json={"today": "2026-04-01"}, timeout=5).raise_for_status()
        account = post("details", iccid=BOB)["account"]
        assert (account["planCode"], account["pendingPlanChange"], account["totalQuotaKb"]) == (
            "MOB-VOICE-5G", None, 5 * KB_PER_GB)
        assert len(post("usage", iccid=BOB, start_date="2026-03-01", end_date="2026-04-01")["usage"]["daily"]) == 32
        back = requests.post(control, json={"today": "2026-03-01"}, timeout=5)
        assert back.status_code == 400 and "forward" in back.json()["error"]


def test_an_immediate_change_applies_now_and_cancels_a_booking(api):
    ok(api("plan-change", iccid=DATA, plan_code="MOB-DATA-3G", effective="next_month"))

    change = ok(api("plan-change", iccid=DATA, plan_code="MOB-DATA-20G", effective="immediate"))["planChange"]

    assert (change["status"], change["effectiveDate"], change["previousPlanCode"]) == (
        "applied", "20260310", "MOB-DATA-10G")
    account = details(api, DATA)
    assert (account["planName"], account["pendingPlanChange"], account["totalQuotaKb"]) == (
        "Data SIM 20 GB", None, 20 * KB_PER_GB)


def test_booking_the_current_plan_again_cancels_the_booking(api):
    ok(api("plan-change", iccid=BOB, plan_code="MOB-VOICE-5G", effective="next_month"))
    change = ok(api("plan-change", iccid=BOB, plan_code="MOB-VOICE-20G", effective="next_month"))["planChange"]
    assert change["status"] == "scheduled"
    assert details(api, BOB)["pendingPlanChange"] is None


@pytest.mark.parametrize("iccid, plan_code, effective, code", [
    (VOICE, "MOB-DATA-10G", "immediate", "221"),
    (DATA, "MOB-VOICE-5G", "next_month", "221"),
    (VOICE, "MOB-VOICE-3G", "immediate", "220"),  # retired: only kept by those who have it
    (VOICE, "MOB-VOICE-99G", "immediate", "220"),
    (VOICE, "MOB-VOICE-20G", "immediate", "222"),
    (VOICE, "MOB-VOICE-20G", "next_month", "222"),
    (SUSPENDED, "MOB-VOICE-5G", "immediate", "230"),
    (UNKNOWN, "MOB-VOICE-5G", "immediate", "210"),
])
def test_plan_change_refusals(api, iccid, plan_code, effective, code):
    refused(api("plan-change", iccid=iccid, plan_code=plan_code, effective=effective), code)


@pytest.mark.parametrize("fields", [{"plan_code": "MOB-VOICE-5G"}, {"plan_code": "MOB-VOICE-5G", "effective": "now"},
                                    {"effective": "immediate"}])
def test_plan_change_parameter_errors(api, fields):
    refused(api("plan-change", iccid=VOICE, expect_status=400, **fields), "201")


def test_the_plans_match_the_catalog_names():
    assert {plan.name for plan in PLANS.values()} >= {"Data SIM 10 GB", "Mobile Voice 20 GB", "Mobile Voice 5 GB"}
    assert all(plan.code.startswith("MOB-") for plan in PLANS.values())


# -- faults, stats, reset ----------------------------------------------------------------------------
def test_calls_are_counted_per_operation(freebit, api):
    details(api, VOICE)
    details(api, BOB)
    api("usage", iccid=VOICE, start_date="2026-03-01", end_date="2026-03-02")
    api("details", iccid=VOICE, headers={}, expect_status=401)

    assert stats(freebit)["calls"] == {"details": 3, "usage": 1}


def test_error_fault_answers_a_proxy_page(freebit, api):
    faults(freebit, error_rate=1.0, status=502)
    response = requests.post(f"{freebit.url}/api/sim/details", json={"iccid": VOICE}, headers=AUTH, timeout=5)
    assert response.status_code == 502 and "nginx" in response.text


def test_rate_limit_fault_answers_in_freebit_shape_with_retry_after(freebit):
    faults(freebit, rate_limit={"retry_after": 7})
    response = requests.post(f"{freebit.url}/api/sim/details", json={"iccid": VOICE}, headers=AUTH, timeout=5)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json() == {"resultCode": "500", "status": {"message": "Too many requests. Please retry after "
                                                                          "a while.", "statusCode": "429"}}
    assert stats(freebit)["faults_injected"] == {"rate_limit": 1}


def test_malformed_and_timeout_faults(freebit):
    faults(freebit, malformed_rate=1.0)
    response = requests.post(f"{freebit.url}/api/sim/details", json={"iccid": VOICE}, headers=AUTH, timeout=5)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()

    faults(freebit, timeout_rate=1.0, timeout_seconds=0.1)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{freebit.url}/api/sim/details", json={"iccid": VOICE}, headers=AUTH, timeout=5)


def test_latency_fault(freebit, api):
    faults(freebit, latency_ms=150)
    started = time.monotonic()
    details(api, VOICE)
    assert time.monotonic() - started >= 0.14


def test_invalid_faults_are_refused(freebit):
    response = requests.post(f"{freebit.url}/__sandbox__/faults", json={"error_rate": 2}, timeout=5)
    assert response.status_code == 400
    with pytest.raises(FaultConfigError):
        FreebitSandbox(faults={"nonsense": 1})


def test_faults_from_the_environment():
    env = {"SANDBOX_FREEBIT_FAULT_ERROR_RATE": "1", "SANDBOX_FAULT_LATENCY_MS": "5"}
    with start_freebit_sandbox(env=env, today=TODAY) as handle:
        config = requests.get(f"{handle.url}/__sandbox__/faults", timeout=5).json()
        assert (config["error_rate"], config["latency_ms"]) == (1.0, 5.0)


def test_reset_restores_the_seed_and_keeps_faults(freebit, api):
    ok(api("topup", iccid=VOICE, quota_mb=1024, request_id="before-reset"))
    ok(api("plan-change", iccid=BOB, plan_code="MOB-VOICE-5G", effective="immediate"))
    faults(freebit, latency_ms=1)

    requests.post(f"{freebit.url}/__sandbox__/reset", timeout=5).raise_for_status()

    assert details(api, VOICE)["totalQuotaKb"] == 20 * KB_PER_GB
    assert details(api, BOB)["planCode"] == "MOB-VOICE-20G"
    assert ok(api("topup", iccid=VOICE, quota_mb=2048, request_id="before-reset"))["topup"]["quotaKb"] == 2 * KB_PER_GB
    assert requests.get(f"{freebit.url}/__sandbox__/faults", timeout=5).json()["latency_ms"] == 1
    assert stats(freebit)["calls"] == {"details": 2, "topup": 1}


def test_operator_sim_endpoints(freebit, api):
    sims = requests.get(f"{freebit.url}/__sandbox__/sims", timeout=5).json()["sims"]
    assert [s["iccid"] for s in sims] == [sim.iccid for sim in DEMO_SIMS]
    assert {s["clientId"] for s in sims} == {1001, 1002}

    suspended = requests.post(f"{freebit.url}/__sandbox__/sims/{BOB}", json={"status": "suspended"}, timeout=5)
    assert suspended.json()["status"] == "suspended"
    refused(api("topup", iccid=BOB, quota_mb=512, request_id="r"), "230")
    assert requests.post(f"{freebit.url}/__sandbox__/sims/{BOB}", json={"status": "gone"}, timeout=5).status_code == 400
    assert requests.get(f"{freebit.url}/__sandbox__/sims/{UNKNOWN}", timeout=5).status_code == 404
    assert stats(freebit)["calls"] == {"topup": 1}, "operator endpoints are not API calls"


def test_the_standalone_entry_point():
    env = {**os.environ, "SANDBOX_FREEBIT_TODAY": TODAY.isoformat()}
    process = subprocess.Popen([sys.executable, "-m", "sandbox.freebit", "--port", "0", "--api-key", "cli-key"],
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert match, line
        answer = requests.post(f"{match[1]}/api/sim/details", json={"iccid": VOICE}, timeout=5,
                               headers={"Authorization": "Bearer cli-key"}).json()
        assert answer["account"]["msisdn"] == "09012340012"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        process.stderr.close()
