"""FreebitSimClient, mocked at the HTTP boundary with ``responses``: the exact request object of
each PA operation (documented fields, string values, ``kind`` "MVNO", YYYYMMDD dates), the mapping
of its answer, the checks made before anything is sent, and that no write is ever sent twice."""
from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs

import pytest
import requests
import responses

from domain.shared.errors import MappingError
from domain.sim.commands import InvalidSimCommand
from domain.sim.types import DataQuota, SimStatus
from integrations.freebit.connection import (
    ACCOUNT_DETAILS,
    AUTH,
    NEW_ESIM_LINE,
    NEW_LINE,
    PLAN_CHANGE,
    QUOTA_ADD,
    QUOTA_HISTORY,
    TRAFFIC,
    FreebitConfig,
    FreebitConnection,
)
from integrations.freebit.errors import (
    FreebitMalformedResponse,
    FreebitSimSuspended,
    FreebitTransportError,
)
from integrations.freebit.sims import FreebitSimClient

BASE = "https://i1.mvno.example.test/emptool/api"
KEY = "AUTHKEY-1"
NUMBER = "09012340012"
ICCID = "8981100000001001124"
OK = {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}}
DETAILS = {**OK, "responseDatas": [{
    "kind": "MVNO", "account": NUMBER, "iccid": ICCID, "state": "active", "planCode": "MOB-VOICE-20G",
    "planName": "Mobile Voice 20 GB", "startDate": "20240308", "talk": "10",
    "talkOption": {"voiceMail": "10", "callWaiting": "20", "worldWing": "20"},
    "quota": "1048576", "monthQuota": "20971520"}]}


@pytest.fixture
def mocked():
    with responses.RequestsMock() as rsps:
        rsps.post(BASE + AUTH, json={**OK, "authKey": KEY})
        yield rsps


@pytest.fixture
def service() -> FreebitSimClient:
    return FreebitSimClient(FreebitConnection(FreebitConfig(api_url=BASE, oem_id="oem", oem_key="k",
                                                             max_attempts=3, backoff_base=0.001, backoff_max=0.002)))


def sent(mocked, path: str) -> list[dict]:
    return [json.loads(parse_qs(call.request.body)["json"][0]) for call in mocked.calls
            if call.request.url == BASE + path]


def test_details_pa03_02(mocked, service):
    mocked.post(BASE + ACCOUNT_DETAILS, json=DETAILS)

    sim = service.get_details(NUMBER)

    assert sent(mocked, ACCOUNT_DETAILS) == [
        {"authKey": KEY, "version": "2", "requestDatas": [{"kind": "MVNO", "account": NUMBER}]}]
    assert (sim.iccid, sim.msisdn, sim.status, sim.remaining) == (ICCID, NUMBER, SimStatus.ACTIVE, DataQuota.from_gb(1))


def test_details_of_another_line_are_refused(mocked, service):
    other = json.loads(json.dumps(DETAILS))
    other["responseDatas"][0]["account"] = "09099990000"
    mocked.post(BASE + ACCOUNT_DETAILS, json=other)

    with pytest.raises(FreebitMalformedResponse, match="another SIM"):
        service.get_details(NUMBER)


def test_traffic_pa05_01(mocked, service):
    mocked.post(BASE + TRAFFIC, json={**OK, "account": NUMBER,
                                      "traffic": {"today": "2048", "inRecentDays": "4096", "blackList": "20"}})

    traffic = service.get_traffic(NUMBER)

    assert sent(mocked, TRAFFIC) == [{"authKey": KEY, "account": NUMBER}]
    assert (traffic.today, traffic.recent_days, traffic.throttled) == (DataQuota.from_mb(2), DataQuota.from_mb(4),
                                                                       False)


def test_quota_add_pa04_04_sends_strings_the_quota_code_and_the_expiry(mocked, service):
    mocked.post(BASE + QUOTA_ADD, json=OK)

    assert service.add_quota(NUMBER, 1024, quota_code="6f1d3c52-0b7e", expires=date(2026, 3, 31)) is None
    service.add_quota(NUMBER, 100, quota_code="c")

    assert sent(mocked, QUOTA_ADD) == [
        {"authKey": KEY, "kind": "MVNO", "account": NUMBER, "quota": "1024", "quotaCode": "6f1d3c52-0b7e",
         "expire": "20260331"},
        {"authKey": KEY, "kind": "MVNO", "account": NUMBER, "quota": "100", "quotaCode": "c"},
    ]


@pytest.mark.parametrize("answer", [
    {"body": requests.exceptions.ReadTimeout("read timed out")},
    {"status": 503, "body": "busy"},
    {"status": 200, "body": '{"resultCode": "1'},
])
def test_a_quota_add_whose_answer_is_lost_is_never_sent_again(mocked, service, answer):
    mocked.post(BASE + QUOTA_ADD, **answer)

    with pytest.raises((FreebitTransportError, FreebitMalformedResponse)):
        service.add_quota(NUMBER, 1024, quota_code="r-1")

    assert len(sent(mocked, QUOTA_ADD)) == 1


def test_a_refused_quota_add_is_typed(mocked, service):
    mocked.post(BASE + QUOTA_ADD, json={"resultCode": "230", "status": {"message": "suspended", "statusCode": "409"}})
    with pytest.raises(FreebitSimSuspended):
        service.add_quota(NUMBER, 1024, quota_code="r-1")


def test_quota_history_pa05_02_and_finding_a_code(mocked, service):
    mocked.post(BASE + QUOTA_HISTORY, json={**OK, "account": NUMBER, "quotaHistory": [
        {"quota": "1024", "quotaCode": "r-1", "addDate": "20260310120000", "expire": "20260331"},
        {"quota": "512", "quotaCode": "r-0", "addDate": "20260301090000", "expire": "20260331"}]})

    found = service.find_quota_addition(NUMBER, "r-1", start=date(2026, 3, 1), end=date(2026, 3, 10))

    assert found is not None and found.quota == DataQuota.from_gb(1)
    assert sent(mocked, QUOTA_HISTORY) == [{"authKey": KEY, "kind": "MVNO", "account": NUMBER,
                                            "fromDate": "20260301", "toDate": "20260310"}]
    assert service.find_quota_addition(NUMBER, "r-9", start=date(2026, 3, 1), end=date(2026, 3, 10)) is None


def test_a_quota_history_we_cannot_read_is_a_mapping_error(mocked, service):
    mocked.post(BASE + QUOTA_HISTORY, json={**OK, "account": NUMBER, "history": []})
    with pytest.raises(MappingError, match="quotaHistory"):
        service.quota_history(NUMBER, date(2026, 3, 1), date(2026, 3, 10))


def test_plan_change_pa05_21_now_and_on_a_day(mocked, service):
    mocked.post(BASE + PLAN_CHANGE, json={**OK, "ipv4": ""})

    now = service.change_plan(NUMBER, "MOB-VOICE-5G")
    later = service.change_plan(NUMBER, "MOB-VOICE-5G", run_date=date(2026, 4, 1))

    assert sent(mocked, PLAN_CHANGE) == [
        {"authKey": KEY, "account": NUMBER, "planCode": "MOB-VOICE-5G"},
        {"authKey": KEY, "account": NUMBER, "planCode": "MOB-VOICE-5G", "runTime": "20260401"},
    ]
    assert now.immediate and later.run_date == date(2026, 4, 1)


def test_new_lines_pa02_01_and_pa05_41(mocked, service):
    mocked.post(BASE + NEW_LINE, json=OK)
    mocked.post(BASE + NEW_ESIM_LINE, json=OK)

    service.register_line("02060000001", "MOB-DATA-3G", product_number="AX0000000000001")
    service.register_esim_line("07060000019", "MOB-VOICE-5G", eid="89049032000000000000000000000019")

    assert sent(mocked, NEW_LINE) == [{"authKey": KEY, "createType": "new", "kind": "MVNO", "account": "02060000001",
                                       "productNumber": "AX0000000000001", "planCode": "MOB-DATA-3G"}]
    assert sent(mocked, NEW_ESIM_LINE) == [{"authKey": KEY, "aladinOperated": "20", "createType": "new",
                                            "addKind": "N", "account": "07060000019",
                                            "eid": "89049032000000000000000000000019", "planCode": "MOB-VOICE-5G"}]


@pytest.mark.parametrize("call", [
    lambda s: s.get_details("8981100000001001124"),  # an ICCID is not an account
    lambda s: s.get_traffic("090 1234 0012"),
    lambda s: s.add_quota(NUMBER, 0, quota_code="r"),
    lambda s: s.add_quota(NUMBER, 1024, quota_code=""),
    lambda s: s.change_plan(NUMBER, "MOB VOICE"),
    lambda s: s.register_line(NUMBER, "MOB-DATA-3G", product_number="8981100000001001124"),
    lambda s: s.register_esim_line(NUMBER, "MOB-DATA-3G", eid="123"),
])
def test_bad_arguments_send_nothing(service, call):
    with responses.RequestsMock() as mocked, pytest.raises(InvalidSimCommand):
        call(service)
    assert len(mocked.calls) == 0
