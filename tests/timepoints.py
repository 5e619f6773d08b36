"""The instants at which the time-sensitive tests run: wherever Japan's calendar and UTC's disagree,
and the calendar's own edges. Each is written in Japan time with its UTC reading beside it."""
from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

BOUNDARY_INSTANTS = {
    "last-day-23:59-jst": datetime(2026, 12, 31, 23, 59, tzinfo=JST),  # 14:59 UTC, 31 Dec: last day of month and year
    "new-year-00:01-jst": datetime(2027, 1, 1, 0, 1, tzinfo=JST),  # 15:01 UTC, still 31 Dec in UTC
    "31st-before-30-day-month": datetime(2027, 3, 31, 23, 59, tzinfo=JST),  # April has 30 days
    "first-of-30-day-month-00:01": datetime(2027, 4, 1, 0, 1, tzinfo=JST),
    "leap-day": datetime(2028, 2, 29, 12, 0, tzinfo=JST),
    "leap-day-23:59-jst": datetime(2028, 2, 29, 23, 59, tzinfo=JST),
    "15:30-utc": datetime(2026, 12, 3, 0, 30, tzinfo=JST),  # 15:30 UTC on 2 Dec: the hour the suite once failed
    "03:00-utc": datetime(2026, 12, 2, 12, 0, tzinfo=JST),
}
"""Name → instant, in ascending order (a sandbox's calendar only moves forward)."""

ORDERED = sorted(BOUNDARY_INSTANTS.items(), key=lambda item: item[1])
