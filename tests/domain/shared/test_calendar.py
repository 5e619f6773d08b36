"""The calendar rules, at each edge of the calendar: month ends of every length, the year's end and
the leap day."""
from datetime import date, timedelta

import pytest

from domain.shared.calendar import (
    add_months,
    current_month,
    month_end,
    month_start,
    next_month_start,
    previous_month,
    previous_month_start,
)


@pytest.mark.parametrize("day, start, end, next_start, previous_start", [
    (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1), date(2026, 11, 1)),
    (date(2027, 1, 1), date(2027, 1, 1), date(2027, 1, 31), date(2027, 2, 1), date(2026, 12, 1)),
    (date(2027, 3, 31), date(2027, 3, 1), date(2027, 3, 31), date(2027, 4, 1), date(2027, 2, 1)),
    (date(2027, 4, 1), date(2027, 4, 1), date(2027, 4, 30), date(2027, 5, 1), date(2027, 3, 1)),
    (date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29), date(2028, 3, 1), date(2028, 1, 1)),
    (date(2027, 2, 15), date(2027, 2, 1), date(2027, 2, 28), date(2027, 3, 1), date(2027, 1, 1)),
])
def test_month_edges(day, start, end, next_start, previous_start):
    assert month_start(day) == start
    assert month_end(day) == end
    assert next_month_start(day) == next_start
    assert previous_month_start(day) == previous_start
    assert current_month(day) == (start, day)
    assert previous_month(day) == (previous_start, start - timedelta(days=1))


@pytest.mark.parametrize("anchor, months, expected", [
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2027, 3, 31), 1, date(2027, 4, 30)),
    (date(2027, 1, 31), 2, date(2027, 3, 31)),  # from the anchor, not from the clamped 28 February
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2027, 1, 15), -1, date(2026, 12, 15)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
])
def test_monthly_cycle_days_clamp_to_shorter_months(anchor, months, expected):
    assert add_months(anchor, months) == expected
