"""The date range of a data-usage request, checked before it is sent."""
from datetime import date, datetime

MAX_USAGE_DAYS = 62
"""The longest range a usage request may span: two full months (what the SIM page charts)."""


class UsageRangeError(ValueError):
    """A usage date range the provider cannot answer; the message says why, in plain words."""


def validate_usage_range(start: date, end: date, *, today: date, max_days: int = MAX_USAGE_DAYS) -> tuple[date, date]:
    """`(start, end)` (both days included) if the range is usable, else UsageRangeError.

    Refused: anything that is not a date (a datetime included), an end before the start, an end
    after `today`, and a range longer than `max_days` days.
    """
    for name, value in (("start", start), ("end", end), ("today", today)):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise UsageRangeError(f"the {name} date must be a date")
    if start > end:
        raise UsageRangeError(f"the start date {start.isoformat()} is after the end date {end.isoformat()}")
    if end > today:
        raise UsageRangeError(f"the end date {end.isoformat()} is in the future")
    days = (end - start).days + 1
    if days > max_days:
        raise UsageRangeError(f"a usage range may span at most {max_days} days; {days} were asked for")
    return start, end
