"""SIM domain types: data amounts, details, traffic, usage, quota additions and plan changes;
immutable and self-checking."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.sim.types import (
    DataQuota,
    PlanChange,
    QuotaAddition,
    SimDetails,
    SimStatus,
    SimTraffic,
    SimUsage,
    UsagePoint,
    VoiceOption,
)

ICCID = "8981100000001001124"
JST = timezone(timedelta(hours=9))
MB = 1024
GB = 1024 * MB


@pytest.mark.parametrize("kb, text", [
    (0, "0 MB"),
    (1, "<1 MB"),
    (511, "<1 MB"),
    (512, "1 MB"),
    (850 * MB, "850 MB"),
    (1023 * MB, "1023 MB"),
    (1023 * MB + 600, "1 GB"),  # would round to 1024 MB: shown as 1 GB
    (GB, "1 GB"),
    (int(3.2 * GB), "3.2 GB"),
    (int(3.25 * GB), "3.3 GB"),  # half up
    (int(9.96 * GB), "10 GB"),
    (10 * GB, "10 GB"),
    (20 * GB + 1 * GB, "21 GB"),
    (1000 * GB, "1000 GB"),
])
def test_data_quota_formats_for_customers(kb, text):
    assert DataQuota(kb=kb).format() == text
    assert str(DataQuota(kb=kb)) == text


def test_data_quota_units_and_arithmetic():
    three = DataQuota.from_gb(3)
    assert three == DataQuota(kb=3 * GB) == DataQuota.from_mb(3072)
    assert (three.mb, three.gb) == (3072, Decimal(3))
    assert DataQuota(kb=1536).mb == 1
    assert DataQuota(kb=GB + GB // 2).gb == Decimal("1.5")
    assert three + DataQuota.from_mb(1024) == DataQuota.from_gb(4)
    assert three.minus(DataQuota.from_gb(5)) == DataQuota.zero()
    assert DataQuota.from_gb(5).minus(three) == DataQuota.from_gb(2)
    assert DataQuota.zero() < three <= three < DataQuota.from_gb(4)
    assert max([three, DataQuota.from_mb(10), DataQuota.from_gb(4)]) == DataQuota.from_gb(4)
    assert sorted([three, DataQuota.zero()]) == [DataQuota.zero(), three]
    with pytest.raises(TypeError):
        three + 1  # noqa: B018
    with pytest.raises(TypeError):
        three < 1  # noqa: B015


@pytest.mark.parametrize("kb", [-1, 1.5, 1024.0, "1024", True, None])
def test_data_quota_is_a_non_negative_whole_number_of_kb(kb):
    with pytest.raises(ValidationError):
        DataQuota(kb=kb)


def test_data_quota_is_immutable_hashable_and_json_round_trips():
    quota = DataQuota.from_mb(700)
    with pytest.raises(ValidationError):
        quota.kb = 1
    assert {quota, DataQuota.from_mb(700)} == {quota}
    assert DataQuota.model_validate_json(quota.model_dump_json()) == quota


def details(**changes) -> SimDetails:
    values = {
        "iccid": ICCID, "msisdn": "09012340012", "status": SimStatus.ACTIVE, "plan_code": "MOB-VOICE-20G",
        "plan_name": "Mobile Voice 20 GB", "data_only": False, "remaining": DataQuota.from_gb(15),
        "total": DataQuota.from_gb(20), "activation_date": date(2024, 3, 8),
        "voice_options": ((VoiceOption.CALL_WAITING, True), (VoiceOption.VOICEMAIL, False)),
    }
    values.update(changes)
    return SimDetails(**values)


def test_sim_details_helpers():
    sim = details()
    assert sim.used == DataQuota.from_gb(5)
    assert sim.used_percent == 25
    assert sim.is_active and sim.can_top_up and sim.can_change_plan
    assert sim.formatted_msisdn == "090-1234-0012"
    assert sim.voice_option(VoiceOption.CALL_WAITING) is True
    assert sim.voice_option("Voicemail") is False
    assert sim.voice_option(VoiceOption.INTERNATIONAL_ROAMING) is None


def test_sim_details_edge_values():
    suspended = details(status=SimStatus.SUSPENDED, remaining=DataQuota.zero(), total=DataQuota.zero())
    assert (suspended.used_percent, suspended.can_top_up, suspended.is_active) == (100, False, False)
    assert details(msisdn="819012340012").formatted_msisdn == "819012340012"
    assert details(remaining=DataQuota(kb=20 * GB - 1)).used_percent == 0


@pytest.mark.parametrize("changes, message", [
    ({"remaining": DataQuota.from_gb(21)}, "cannot exceed the month's total"),
    ({"data_only": True}, "data-only SIM has no voice options"),
    ({"voice_options": ((VoiceOption.VOICEMAIL, True), (VoiceOption.VOICEMAIL, False))}, "listed twice"),
    ({"voice_options": (("Fax", True),)}, "Input should be"),
    ({"iccid": "8981100000001001125"}, "check digit"),
    ({"msisdn": "090-1234-0012"}, "should match pattern"),
    ({"plan_code": "MOB VOICE"}, "should match pattern"),
    ({"status": "roaming"}, "Input should be"),
])
def test_sim_details_refuse_inconsistent_values(changes, message):
    with pytest.raises(ValidationError, match=message):
        details(**changes)


def test_sim_details_round_trip_through_json():
    sim = details()
    assert SimDetails.model_validate_json(sim.model_dump_json()) == sim
    with pytest.raises(ValidationError):
        sim.status = SimStatus.SUSPENDED


def point(day: int, mb: int, month: int = 3) -> UsagePoint:
    return UsagePoint(date=date(2026, month, day), used=DataQuota.from_mb(mb))


def test_sim_usage_totals_and_months():
    usage = SimUsage(iccid=ICCID, start=date(2026, 2, 27), end=date(2026, 3, 3),
                     points=(point(27, 100, 2), point(28, 200, 2), point(1, 300), point(3, 400)))
    assert usage.total_used == DataQuota.from_mb(1000)
    february, march = usage.by_month()
    assert (february.year, february.month, february.first_day) == (2026, 2, date(2026, 2, 1))
    assert february.total_used == DataQuota.from_mb(300)
    assert [p.date.day for p in march.points] == [1, 3]
    assert march.total_used == DataQuota.from_mb(700)
    assert usage.month(2026, 3) == march
    assert usage.month(2026, 1).points == ()
    assert SimUsage(iccid=ICCID, start=date(2026, 3, 1), end=date(2026, 3, 1), points=()).by_month() == ()
    assert SimUsage.model_validate_json(usage.model_dump_json()) == usage


@pytest.mark.parametrize("start, end, points, message", [
    (date(2026, 3, 5), date(2026, 3, 1), (), "start date is after the end date"),
    (date(2026, 3, 1), date(2026, 3, 5), (point(2, 1), point(1, 1)), "date order"),
    (date(2026, 3, 1), date(2026, 3, 5), (point(2, 1), point(2, 1)), "one per day"),
    (date(2026, 3, 2), date(2026, 3, 5), (point(1, 1),), "outside the requested range"),
    (date(2026, 3, 1), date(2026, 3, 5), (point(6, 1),), "outside the requested range"),
])
def test_sim_usage_refuses_disordered_points(start, end, points, message):
    with pytest.raises(ValidationError, match=message):
        SimUsage(iccid=ICCID, start=start, end=end, points=points)


def test_a_quota_addition_needs_an_aware_time_and_a_printable_code():
    values = {"quota": DataQuota.from_mb(1024), "quota_code": "6f1d3c52-0b7e-4a8e-9a43-5c2f0e1d7b90"}
    addition = QuotaAddition(added_at=datetime(2026, 3, 10, 14, 15, tzinfo=JST), **values)
    assert addition.quota.mb == 1024 and addition.expires is None
    with pytest.raises(ValidationError, match="time zone"):
        QuotaAddition(added_at=datetime(2026, 3, 10, 14, 15), **values)
    for code in ("has space", "", "x" * 513, "ü"):
        with pytest.raises(ValidationError, match="quota_code"):
            QuotaAddition(added_at=datetime(2026, 3, 10, tzinfo=JST), **{**values, "quota_code": code})


def test_traffic_names_a_phone_number():
    traffic = SimTraffic(msisdn="09012340012", today=DataQuota(kb=1), recent_days=DataQuota.zero(), throttled=False)
    assert traffic.today.kb == 1
    with pytest.raises(ValidationError, match="msisdn"):
        SimTraffic(msisdn="090-1234-0012", today=DataQuota(kb=1), recent_days=DataQuota.zero(), throttled=False)


def test_plan_change_immediacy():
    assert PlanChange(msisdn="09012340012", plan_code="MOB-VOICE-5G").immediate
    assert not PlanChange(msisdn="09012340012", plan_code="MOB-VOICE-5G", run_date=date(2026, 4, 1)).immediate
