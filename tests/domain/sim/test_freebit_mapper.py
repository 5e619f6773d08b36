"""Freebit PA answers -> SIM domain types: realistic answers (in the format of ``raw.py``, the one
place of the assumptions about PA03-02, PA05-01 and PA05-02) map exactly; malformed ones raise a
MappingError naming the field (and never the offending value)."""
import copy
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.shared.errors import MappingError
from domain.sim.providers import freebit
from domain.sim.providers.freebit.raw import JST
from domain.sim.types import (
    DataQuota,
    PlanChange,
    QuotaAddition,
    SimDetails,
    SimKind,
    SimStatus,
    SimTraffic,
    VoiceOption,
)
from tests.domain.helpers import floats_in

FIXTURES = Path(__file__).parent / "fixtures"
ICCID = "8981100000001001124"
NUMBER = "09012340012"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def altered(name: str, path: str, value: object) -> dict[str, Any]:
    """The fixture with the value at a dotted path replaced (`_DELETE`: removed)."""
    payload = copy.deepcopy(load(name))
    *parents, last = path.split(".")
    node: Any = payload
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is _DELETE:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return payload


_DELETE = object()


# --- PA01-01 authOem ---------------------------------------------------------------------------------


def test_the_auth_key():
    assert freebit.transform_freebit_auth_key(load("auth.json")) == "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99"


@pytest.mark.parametrize("key", [_DELETE, "", None, 12345])
def test_an_auth_answer_without_a_usable_key_is_malformed(key):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_auth_key(altered("auth.json", "authKey", key))
    assert caught.value.field == "authKey"


# --- PA03-02 details ---------------------------------------------------------------------------------


def test_voice_sim_details():
    sim = freebit.transform_freebit_account_details(load("details_voice.json"))

    assert sim == SimDetails(
        iccid=ICCID, msisdn=NUMBER, status=SimStatus.ACTIVE, plan_code="MOB-VOICE-20G", plan_name="Mobile Voice 20 GB",
        data_only=False, remaining=DataQuota(kb=17039360), total=DataQuota(kb=22020096),
        activation_date=date(2024, 3, 8),
        voice_options=((VoiceOption.CALL_WAITING, True), (VoiceOption.VOICEMAIL, True),
                       (VoiceOption.INTERNATIONAL_ROAMING, False)),
    )
    assert (sim.total.format(), sim.remaining.format(), sim.used.format()) == ("21 GB", "16.3 GB", "4.8 GB")
    assert floats_in(sim) == []


def test_suspended_data_sim_with_numbers_and_nulls():
    sim = freebit.transform_freebit_account_details(load("details_data.json"))

    assert (sim.status, sim.data_only, sim.msisdn) == (SimStatus.SUSPENDED, True, "02012340014")
    assert (sim.total, sim.remaining) == (DataQuota.from_gb(10), DataQuota.zero())
    assert sim.voice_options == () and not sim.can_top_up
    assert sim.plan_name == "MOB-DATA-10G", "no plan name: the code stands in"


def test_optional_parts_may_be_absent():
    payload = altered("details_data.json", "responseDatas.0.talkOption", _DELETE)
    assert freebit.transform_freebit_account_details(payload).voice_options == ()


def test_a_sim_with_an_eid_is_an_esim_and_one_without_a_sim_card():
    card = freebit.transform_freebit_account_details(load("details_voice.json"))
    esim = freebit.transform_freebit_account_details(altered("details_voice.json", "responseDatas.0.eid", "8" * 32))

    assert (card.kind, card.is_esim, card.eid) == (SimKind.PHYSICAL, False, None)
    assert (esim.kind, esim.is_esim, esim.eid) == (SimKind.ESIM, True, "8" * 32)


@pytest.mark.parametrize("eid", ["123", "8" * 33, 8 * 10**31])
def test_a_malformed_eid_is_refused(eid):
    with pytest.raises(MappingError):
        freebit.transform_freebit_account_details(altered("details_voice.json", "responseDatas.0.eid", eid))


@pytest.mark.parametrize("wire, status", [("active", SimStatus.ACTIVE), ("suspended", SimStatus.SUSPENDED),
                                          ("temporary", SimStatus.PENDING), ("obsolete", SimStatus.CANCELLED)])
def test_every_account_state(wire, status):
    payload = altered("details_voice.json", "responseDatas.0.state", wire)
    assert freebit.transform_freebit_account_details(payload).status is status


@pytest.mark.parametrize("path, value, field", [
    ("responseDatas.0.state", "ACTIVE", "responseDatas.0.state"),
    ("responseDatas.0.state", 10, "responseDatas.0.state"),
    ("responseDatas.0.talk", "on", "responseDatas.0.talk"),
    ("responseDatas.0.talk", 10, "responseDatas.0.talk"),
    ("responseDatas.0.iccid", _DELETE, "responseDatas.0.iccid"),
    ("responseDatas.0.iccid", "8981100000001001125", "iccid"),  # a bad check digit: the domain refuses it
    ("responseDatas.0.account", "090-1234-0012", "msisdn"),
    ("responseDatas.0.planCode", "", "responseDatas.0.planCode"),
    ("responseDatas.0.quota", "-5", "responseDatas.0.quota"),
    ("responseDatas.0.quota", "12 GB", "responseDatas.0.quota"),
    ("responseDatas.0.quota", 1.5, "responseDatas.0.quota"),
    ("responseDatas.0.quota", True, "responseDatas.0.quota"),
    ("responseDatas.0.quota", "99999999", "(root)"),  # more left than the month's total
    ("responseDatas.0.monthQuota", _DELETE, "responseDatas.0.monthQuota"),
    ("responseDatas.0.startDate", "2024-03-08", "responseDatas.0.startDate"),
    ("responseDatas.0.startDate", "20240231", "responseDatas.0.startDate"),
    ("responseDatas.0.talkOption.callWaiting", "on", "responseDatas.0.talkOption.callWaiting"),
    ("responseDatas.0.talkOption.voiceMail", True, "responseDatas.0.talkOption.voiceMail"),
    ("responseDatas.0.talkOption.worldWing", _DELETE, "responseDatas.0.talkOption.worldWing"),
    ("responseDatas", [], "responseDatas"),
    ("responseDatas", _DELETE, "responseDatas"),
])
def test_malformed_details_name_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_account_details(altered("details_voice.json", path, value))

    assert caught.value.field == field
    assert (caught.value.provider, caught.value.entity) == ("freebit", "sim details")
    assert f"field '{field}'" in str(caught.value)


def test_two_accounts_in_one_answer_are_malformed():
    payload = load("details_voice.json")
    payload["responseDatas"].append(payload["responseDatas"][0])
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_account_details(payload)
    assert caught.value.field == "responseDatas"


def test_a_master_account_is_not_a_sim():
    with pytest.raises(MappingError, match="not an MVNO account"):
        freebit.transform_freebit_account_details(altered("details_voice.json", "responseDatas.0.kind", "MASTER"))


def test_a_data_sim_with_voice_options_is_malformed():
    payload = altered("details_data.json", "responseDatas.0.talkOption",
                      {"voiceMail": "20", "callWaiting": "20", "worldWing": "20"})
    with pytest.raises(MappingError, match="a data SIM has no voice options") as caught:
        freebit.transform_freebit_account_details(payload)
    assert caught.value.field == "responseDatas.0.talkOption"


@pytest.mark.parametrize("payload", [None, [], "OK", 100, {}])
def test_a_payload_that_is_not_an_answer_is_malformed(payload):
    with pytest.raises(MappingError):
        freebit.transform_freebit_account_details(payload)


def test_messages_never_carry_the_raw_value():
    secret_like = "CONFIDENTIAL-msisdn-0x1f"
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_account_details(altered("details_voice.json", "responseDatas.0.account", secret_like))
    assert secret_like not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# --- PA05-01 traffic ---------------------------------------------------------------------------------


def test_traffic():
    traffic = freebit.transform_freebit_traffic(load("traffic.json"))

    assert traffic == SimTraffic(msisdn=NUMBER, today=DataQuota(kb=284672), recent_days=DataQuota(kb=3221225),
                                 throttled=True)
    assert traffic.today.format() == "278 MB"


@pytest.mark.parametrize("path, value, field", [
    ("traffic.today", "-1", "traffic.today"),
    ("traffic.today", "278 MB", "traffic.today"),
    ("traffic.inRecentDays", _DELETE, "traffic.inRecentDays"),
    ("traffic.blackList", "yes", "traffic.blackList"),
    ("traffic", None, "traffic"),
    ("account", "not-a-number", "msisdn"),
])
def test_malformed_traffic_names_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_traffic(altered("traffic.json", path, value))
    assert caught.value.field == field


# --- PA05-02 quota history -----------------------------------------------------------------------------


def test_quota_history_is_newest_first_whatever_the_wire_order():
    history = freebit.transform_freebit_quota_history(load("quota_history.json"), msisdn=NUMBER)

    assert history == (
        QuotaAddition(quota=DataQuota.from_mb(1024), quota_code="6f1d3c52-0b7e-4a8e-9a43-5c2f0e1d7b90",
                      added_at=datetime(2026, 4, 2, 9, 1, 5, tzinfo=JST), expires=date(2026, 4, 30)),
        QuotaAddition(quota=DataQuota.from_mb(100), quota_code=None, added_at=datetime(2026, 4, 1, tzinfo=JST)),
        QuotaAddition(quota=DataQuota.from_mb(512), quota_code="seed-12-20260320",
                      added_at=datetime(2026, 3, 20, 21, 4, 37, tzinfo=JST), expires=date(2026, 3, 31)),
    )


def test_an_empty_quota_history():
    assert freebit.transform_freebit_quota_history(altered("quota_history.json", "quotaHistory", []),
                                                   msisdn=NUMBER) == ()


def test_a_history_of_another_sim_is_refused():
    with pytest.raises(MappingError, match="another SIM") as caught:
        freebit.transform_freebit_quota_history(load("quota_history.json"), msisdn="09099990000")
    assert caught.value.field == "account"


@pytest.mark.parametrize("path, value, field", [
    ("quotaHistory.0.quota", "1.5", "quotaHistory.0.quota"),
    ("quotaHistory.0.addDate", "2026-03-20", "quotaHistory.0.addDate"),
    ("quotaHistory.0.expire", "20260231", "quotaHistory.0.expire"),
    ("quotaHistory.0.quotaCode", 42, "quotaHistory.0.quotaCode"),
    ("quotaHistory", None, "quotaHistory"),
])
def test_malformed_quota_history_names_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_quota_history(altered("quota_history.json", path, value), msisdn=NUMBER)
    assert caught.value.field == field


# --- PA05-21 plan change -------------------------------------------------------------------------------


def test_a_plan_change_now_and_one_booked():
    answer = {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}, "ipv4": ""}

    now = freebit.transform_freebit_plan_change(answer, msisdn=NUMBER, plan_code="MOB-VOICE-5G", run_date=None)
    booked = freebit.transform_freebit_plan_change({**answer, "ipv4": "203.0.113.7"}, msisdn=NUMBER,
                                                   plan_code="MOB-VOICE-5G", run_date=date(2026, 5, 1))

    assert now == PlanChange(msisdn=NUMBER, plan_code="MOB-VOICE-5G") and now.immediate
    assert (booked.run_date, booked.ipv4, booked.immediate) == (date(2026, 5, 1), "203.0.113.7", False)
