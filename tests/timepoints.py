"""The instants at which the time-sensitive tests run: wherever Japan's calendar and UTC's disagree,
and the calendar's own edges. Each is written in Japan time with its UTC reading beside it."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

BOUNDARY_INSTANTS = {
    "last-day-2359-jst": datetime(2026, 12, 31, 23, 59, tzinfo=JST),  # 14:59 UTC, 31 Dec: last day of month and year
    "new-year-0001-jst": datetime(2027, 1, 1, 0, 1, tzinfo=JST),  # 15:01 UTC, still 31 Dec in UTC
    "31st-before-30-day-month": datetime(2027, 3, 31, 23, 59, tzinfo=JST),  # April has 30 days
    "first-of-30-day-month-0001": datetime(2027, 4, 1, 0, 1, tzinfo=JST),
    "leap-day": datetime(2028, 2, 29, 12, 0, tzinfo=JST),
    "leap-day-2359-jst": datetime(2028, 2, 29, 23, 59, tzinfo=JST),
    "1530-utc": datetime(2026, 12, 3, 0, 30, tzinfo=JST),  # 15:30 UTC on 2 Dec: the hour the suite once failed
    "0300-utc": datetime(2026, 12, 2, 12, 0, tzinfo=JST),
}
"""Name → instant; ``ORDERED`` lists them in time order (a sandbox's calendar only moves forward)."""

ORDERED = sorted(BOUNDARY_INSTANTS.items(), key=lambda item: item[1])


def future_instants(now: datetime) -> list[tuple[str, datetime]]:
    """``ORDERED`` moved on by whole leap cycles (4 years, so 29 February stays a date) until the
    first is at least a day after ``now``: for a process whose calendar only moves forward."""
    years = 0
    while ORDERED[0][1].replace(year=ORDERED[0][1].year + years) < now + timedelta(days=1):
        years += 4
    return [(name, instant.replace(year=instant.year + years)) for name, instant in ORDERED]
