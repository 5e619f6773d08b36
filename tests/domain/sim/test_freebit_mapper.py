"""Freebit answers -> SIM domain types: realistic answers map exactly; malformed ones raise a
MappingError naming the field (and never the offending value)."""
import copy
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.shared.errors import MappingError
from domain.sim.providers import freebit
from domain.sim.types import (
    DataQuota,
    PendingPlanChange,
    PlanChange,
    PlanChangeStatus,
    SimDetails,
    SimStatus,
    SimUsage,
    TopUp,
    TopUpStatus,
    UsagePoint,
    VoiceOption,
)
from tests.domain.helpers import floats_in

FIXTURES = Path(__file__).parent / "fixtures"
ICCID = "8981100000001001124"
MB = 1024
GB = 1024 * MB


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


# --- details --------------------------------------------------------------------------------------


def test_voice_sim_details():
    sim = freebit.transform_freebit_account_details(load("details_voice.json"))

    assert sim == SimDetails(
        iccid=ICCID,
        msisdn="09012340012",
        status=SimStatus.ACTIVE,
        plan_code="MOB-VOICE-20G",
        plan_name="Mobile Voice 20 GB",
        data_only=False,
        remaining=DataQuota(kb=17039360),
        total=DataQuota(kb=22020096),
        activation_date=date(2024, 3, 8),
        voice_options=(
            (VoiceOption.CALL_WAITING, True),
            (VoiceOption.VOICEMAIL, True),
            (VoiceOption.INTERNATIONAL_ROAMING, False),
        ),
        pending_plan_change=PendingPlanChange(plan_code="MOB-VOICE-5G", plan_name="Mobile Voice 5 GB",
                                              effective_date=date(2026, 4, 1)),
    )
    assert (sim.total.format(), sim.remaining.format(), sim.used.format()) == ("21 GB", "16.3 GB", "4.8 GB")
    assert floats_in(sim) == []


def test_suspended_data_sim_with_numbers_as_strings_and_nulls():
    sim = freebit.transform_freebit_account_details(load("details_data.json"))

    assert (sim.status, sim.data_only, sim.msisdn) == (SimStatus.SUSPENDED, True, "02012340014")
    assert (sim.total, sim.remaining) == (DataQuota.from_gb(10), DataQuota.zero())
    assert sim.voice_options == () and sim.pending_plan_change is None
    assert not sim.can_top_up


def test_optional_parts_may_be_absent():
    payload = altered("details_data.json", "account.voiceOption", _DELETE)
    del payload["account"]["pendingPlanChange"]
    assert freebit.transform_freebit_account_details(payload).voice_options == ()
    voice = altered("details_voice.json", "account.voiceOption", None)
    assert freebit.transform_freebit_account_details(voice).voice_options == ()


@pytest.mark.parametrize("wire, status", [("active", SimStatus.ACTIVE), ("suspended", SimStatus.SUSPENDED),
                                          ("pending", SimStatus.PENDING), ("cancelled", SimStatus.CANCELLED)])
def test_every_sim_status(wire, status):
    assert freebit.transform_freebit_account_details(altered("details_voice.json", "account.status", wire)).status \
        is status


@pytest.mark.parametrize("path, value, field", [
    ("account.status", "ACTIVE", "account.status"),
    ("account.status", "terminated", "account.status"),
    ("account.status", 1, "account.status"),
    ("account.simType", "esim", "account.simType"),
    ("account.iccid", _DELETE, "account.iccid"),
    ("account.iccid", 8981100000001001124, "account.iccid"),
    ("account.iccid", "8981100000001001125", "iccid"),  # a bad check digit: the domain refuses it
    ("account.msisdn", "090-1234-0012", "msisdn"),
    ("account.planCode", "", "account.planCode"),
    ("account.planName", None, "account.planName"),
    ("account.totalQuotaKb", -1, "account.totalQuotaKb"),
    ("account.totalQuotaKb", 1.5, "account.totalQuotaKb"),
    ("account.totalQuotaKb", 20971520.0, "account.totalQuotaKb"),
    ("account.totalQuotaKb", True, "account.totalQuotaKb"),
    ("account.remainingQuotaKb", "12 GB", "account.remainingQuotaKb"),
    ("account.remainingQuotaKb", "-5", "account.remainingQuotaKb"),
    ("account.remainingQuotaKb", 99999999, "(root)"),  # more left than the month's total
    ("account.activationDate", "2024-03-08", "account.activationDate"),
    ("account.activationDate", "20240231", "account.activationDate"),
    ("account.voiceOption.callWaiting", "yes", "account.voiceOption.callWaiting"),
    ("account.voiceOption.voiceMail", True, "account.voiceOption.voiceMail"),
    ("account.voiceOption.internationalRoaming", _DELETE, "account.voiceOption.internationalRoaming"),
    ("account.voiceOption", "on", "account.voiceOption"),
    ("account.pendingPlanChange.effectiveDate", "", "account.pendingPlanChange.effectiveDate"),
    ("account.pendingPlanChange.planCode", "MOB VOICE", "plan_code"),
    ("account", _DELETE, "account"),
    ("account", [], "account"),
])
def test_malformed_details_name_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_account_details(altered("details_voice.json", path, value))

    assert caught.value.field == field
    assert (caught.value.provider, caught.value.entity) in {("freebit", "sim details"),
                                                            ("freebit", "pending plan change")}
    assert f"field '{field}'" in str(caught.value)


def test_a_data_sim_with_voice_options_is_malformed():
    payload = altered("details_data.json", "account.voiceOption",
                      {"callWaiting": "on", "voiceMail": "off", "internationalRoaming": "off"})
    with pytest.raises(MappingError, match="a data SIM has no voice options") as caught:
        freebit.transform_freebit_account_details(payload)
    assert caught.value.field == "account.voiceOption"


@pytest.mark.parametrize("payload", [None, [], "OK", 100, {}])
def test_a_payload_that_is_not_an_answer_is_malformed(payload):
    with pytest.raises(MappingError):
        freebit.transform_freebit_account_details(payload)


def test_messages_never_carry_the_raw_value():
    secret_like = "CONFIDENTIAL-msisdn-0x1f"
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_account_details(altered("details_voice.json", "account.msisdn", secret_like))
    assert secret_like not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# --- usage ----------------------------------------------------------------------------------------


def test_usage_data():
    usage = freebit.transform_freebit_usage_data(load("usage.json"))

    assert usage == SimUsage(
        iccid=ICCID,
        start=date(2026, 2, 27),
        end=date(2026, 3, 3),
        points=(
            UsagePoint(date=date(2026, 2, 27), used=DataQuota(kb=280576)),
            UsagePoint(date=date(2026, 2, 28), used=DataQuota(kb=1031270)),
            UsagePoint(date=date(2026, 3, 1), used=DataQuota(kb=604160)),
            UsagePoint(date=date(2026, 3, 2), used=DataQuota.zero()),
            UsagePoint(date=date(2026, 3, 3), used=DataQuota(kb=495718)),
        ),
    )
    assert usage.total_used == DataQuota(kb=2411724)
    assert [(m.month, m.total_used.format()) for m in usage.by_month()] == [(2, "1.3 GB"), (3, "1 GB")]


def test_usage_without_days():
    payload = load("usage.json")
    payload["usage"].update(daily=[], totalUsageKb=0)
    assert freebit.transform_freebit_usage_data(payload).points == ()


@pytest.mark.parametrize("path, value, field", [
    ("usage.totalUsageKb", 2411725, "usage.totalUsageKb"),
    ("usage.totalUsageKb", _DELETE, "usage.totalUsageKb"),
    ("usage.daily.1.usageKb", 1031271, "usage.totalUsageKb"),
    ("usage.daily.1.usageKb", "1 GB", "usage.daily.1.usageKb"),
    ("usage.daily.2.date", "2026-03-01", "usage.daily.2.date"),
    ("usage.daily.2.date", "20260228", "(root)"),  # two points for one day
    ("usage.startDate", "20260228", "(root)"),  # a point before the start
    ("usage.endDate", "20260226", "(root)"),  # end before start
    ("usage.daily", None, "usage.daily"),
    ("usage.daily.0", "20260227", "usage.daily.0"),
    ("usage.iccid", "1234", "iccid"),
    ("usage", _DELETE, "usage"),
])
def test_malformed_usage_names_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_usage_data(altered("usage.json", path, value))
    assert caught.value.field == field
    assert caught.value.entity == "sim usage"


# --- top-ups --------------------------------------------------------------------------------------


def test_topup():
    topup = freebit.transform_freebit_topup(load("topup.json"))

    assert topup == TopUp(
        id="TP2026031000004",
        request_id="2f0c8e5a-3b1d-4c57-9e8a-6d4f1b2a9c30",
        iccid=ICCID,
        quota=DataQuota.from_gb(1),
        created_at=datetime(2026, 3, 10, 14, 15, 3, tzinfo=freebit.JST),
        status=TopUpStatus.COMPLETED,
    )
    assert topup.created_at.utcoffset() == timedelta(hours=9)
    assert topup.created_at == datetime.fromisoformat("2026-03-10T05:15:03+00:00")
    assert topup.quota_mb == 1024


def test_topup_history_is_newest_first_whatever_the_wire_order():
    history = freebit.transform_freebit_topup_history(load("topup_history.json"))

    assert [t.id for t in history] == ["TP2026031000004", "TP2026022000002", "TP2026010300001"]
    assert [t.status for t in history] == [TopUpStatus.PENDING, TopUpStatus.COMPLETED, TopUpStatus.FAILED]
    assert [t.quota.format() for t in history] == ["512 MB", "1 GB", "3 GB"]
    assert all(isinstance(t, TopUp) for t in history)


def test_empty_topup_history():
    payload = {"resultCode": "100", "topupHistory": {"iccid": ICCID, "count": 0, "list": []}}
    assert freebit.transform_freebit_topup_history(payload) == ()


@pytest.mark.parametrize("path, value, field", [
    ("topup.status", "done", "topup.status"),
    ("topup.createdAt", "2026-03-10 14:15:03", "topup.createdAt"),
    ("topup.createdAt", "20261310141503", "topup.createdAt"),
    ("topup.quotaKb", None, "topup.quotaKb"),
    ("topup.requestId", "", "topup.requestId"),
    ("topup.requestId", "two words", "request_id"),
    ("topup.topupId", 4, "topup.topupId"),
    ("topup", None, "topup"),
])
def test_malformed_topup_names_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_topup(altered("topup.json", path, value))
    assert caught.value.field == field


@pytest.mark.parametrize("path, value, field", [
    ("topupHistory.count", 2, "topupHistory.count"),
    ("topupHistory.count", "three", "topupHistory.count"),
    ("topupHistory.list.1.iccid", "8981100000001001132", "topupHistory.list.1.iccid"),
    ("topupHistory.list.2.status", "refunded", "topupHistory.list.2.status"),
    ("topupHistory.list", {}, "topupHistory.list"),
])
def test_malformed_topup_history_names_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_topup_history(altered("topup_history.json", path, value))
    assert caught.value.field == field


# --- plan changes ---------------------------------------------------------------------------------


def test_scheduled_plan_change():
    change = freebit.transform_freebit_plan_change(load("plan_change_scheduled.json"))
    assert change == PlanChange(iccid=ICCID, plan_code="MOB-VOICE-5G", plan_name="Mobile Voice 5 GB",
                                previous_plan_code="MOB-VOICE-20G", status=PlanChangeStatus.SCHEDULED,
                                effective_date=date(2026, 4, 1))
    assert not change.immediate


def test_applied_plan_change():
    change = freebit.transform_freebit_plan_change(load("plan_change_applied.json"))
    assert (change.plan_code, change.status, change.effective_date, change.immediate) == (
        "MOB-DATA-20G", PlanChangeStatus.APPLIED, date(2026, 3, 10), True)


@pytest.mark.parametrize("path, value, field", [
    ("planChange.status", "immediate", "planChange.status"),
    ("planChange.effectiveDate", None, "planChange.effectiveDate"),
    ("planChange.previousPlanCode", _DELETE, "planChange.previousPlanCode"),
    ("planChange", "ok", "planChange"),
])
def test_malformed_plan_change_names_the_field(path, value, field):
    with pytest.raises(MappingError) as caught:
        freebit.transform_freebit_plan_change(altered("plan_change_scheduled.json", path, value))
    assert caught.value.field == field
    assert caught.value.entity == "plan change"
