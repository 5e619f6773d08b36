"""The business clock answers Japan's date, whatever the hour in UTC."""
from datetime import UTC, date, datetime

import pytest
import time_machine

from domain.shared import clock
from tests.timepoints import BOUNDARY_INSTANTS


@pytest.mark.parametrize("utc, japan_day", [
    (datetime(2026, 12, 2, 14, 59, tzinfo=UTC), date(2026, 12, 2)),
    (datetime(2026, 12, 2, 15, 0, tzinfo=UTC), date(2026, 12, 3)),
    (datetime(2026, 12, 31, 15, 1, tzinfo=UTC), date(2027, 1, 1)),
    (datetime(2028, 2, 28, 15, 30, tzinfo=UTC), date(2028, 2, 29)),
    (datetime(2026, 12, 2, 3, 0, tzinfo=UTC), date(2026, 12, 2)),
])
def test_today_is_japans_date(utc, japan_day):
    with time_machine.travel(utc, tick=False):
        assert clock.today() == japan_day
        assert clock.now().utcoffset().total_seconds() == 9 * 3600
        assert clock.now() == utc


@pytest.mark.parametrize("name", list(BOUNDARY_INSTANTS))
def test_the_boundary_instants_are_seen_in_japan_time(name):
    instant = BOUNDARY_INSTANTS[name]
    with time_machine.travel(instant, tick=False):
        assert clock.today() == instant.date()
        assert clock.local_date(datetime.now(UTC)) == instant.date()


def test_a_naive_datetime_has_no_business_day():
    with pytest.raises(ValueError, match="no time zone"):
        clock.local(datetime(2026, 12, 2, 12, 0))


def test_the_business_zone_defaults_to_tokyo(monkeypatch):
    monkeypatch.delenv(clock.TIME_ZONE_VARIABLE, raising=False)
    clock.business_zone.cache_clear()
    try:
        assert clock.business_zone().key == "Asia/Tokyo"
        monkeypatch.setenv(clock.TIME_ZONE_VARIABLE, "Europe/London")
        clock.business_zone.cache_clear()
        assert clock.business_zone().key == "Europe/London"
    finally:
        monkeypatch.delenv(clock.TIME_ZONE_VARIABLE, raising=False)
        clock.business_zone.cache_clear()
