"""validate_usage_range: reversed, future and too-long ranges are refused with a plain message."""
from datetime import date, datetime

import pytest

from domain.shared.calendar import current_month, previous_month
from domain.sim.usage_range import (
    MAX_USAGE_DAYS,
    UsageRangeError,
    validate_usage_range,
)

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("start, end", [
    (date(2026, 3, 1), date(2026, 3, 10)),
    (date(2026, 3, 10), date(2026, 3, 10)),
    (date(2026, 2, 1), date(2026, 2, 28)),
    (date(2026, 1, 8), date(2026, 3, 10)),  # exactly 62 days
    (date(2024, 5, 1), date(2024, 5, 31)),  # long ago is the provider's business
])
def test_usable_ranges_are_returned(start, end):
    assert validate_usage_range(start, end, today=TODAY) == (start, end)


def test_reversed_range():
    with pytest.raises(UsageRangeError, match="start date 2026-03-05 is after the end date 2026-03-01"):
        validate_usage_range(date(2026, 3, 5), date(2026, 3, 1), today=TODAY)


@pytest.mark.parametrize("start, end", [(date(2026, 3, 1), date(2026, 3, 11)), (date(2026, 4, 1), date(2026, 4, 2))])
def test_future_range(start, end):
    with pytest.raises(UsageRangeError, match="is in the future"):
        validate_usage_range(start, end, today=TODAY)


def test_too_long_range_names_the_limit_and_the_length():
    with pytest.raises(UsageRangeError, match="at most 62 days; 63 were asked for"):
        validate_usage_range(date(2026, 1, 7), date(2026, 3, 10), today=TODAY)


def test_max_days_is_configurable():
    assert MAX_USAGE_DAYS == 62
    validate_usage_range(date(2026, 3, 4), date(2026, 3, 10), today=TODAY, max_days=7)
    with pytest.raises(UsageRangeError, match="at most 7 days; 8"):
        validate_usage_range(date(2026, 3, 3), date(2026, 3, 10), today=TODAY, max_days=7)


@pytest.mark.parametrize("kwargs", [
    {"start": datetime(2026, 3, 1, 0, 0), "end": date(2026, 3, 2)},
    {"start": date(2026, 3, 1), "end": "2026-03-02"},
    {"start": None, "end": date(2026, 3, 2)},
])
def test_only_dates_are_accepted(kwargs):
    with pytest.raises(UsageRangeError, match="must be a date"):
        validate_usage_range(today=TODAY, **kwargs)


def test_it_is_a_value_error():
    assert issubclass(UsageRangeError, ValueError)


@pytest.mark.parametrize("today, current, previous", [
    (date(2026, 3, 10), (date(2026, 3, 1), date(2026, 3, 10)), (date(2026, 2, 1), date(2026, 2, 28))),
    (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 1, 1)), (date(2025, 12, 1), date(2025, 12, 31))),
    (date(2024, 3, 31), (date(2024, 3, 1), date(2024, 3, 31)), (date(2024, 2, 1), date(2024, 2, 29))),
])
def test_month_ranges_are_valid_usage_ranges(today, current, previous):
    assert current_month(today) == current
    assert previous_month(today) == previous
    validate_usage_range(*current, today=today)
    validate_usage_range(*previous, today=today)
    validate_usage_range(previous[0], current[1], today=today)  # both months in one request
