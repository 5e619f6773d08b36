"""The calendar rules of the business, written once, on business-time dates (``clock.today()``).

Every rule that depends on the calendar lives here: the current month (usage "this month"), the
first of next month (when a plan change booked "from next month" takes effect), the last day of a
month, and a monthly due day in a month shorter than the day the cycle started on.
"""
from __future__ import annotations

import calendar as _gregorian
from datetime import date, timedelta


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month (28 to 31)."""
    return day.replace(day=_gregorian.monthrange(day.year, day.month)[1])


def next_month_start(day: date) -> date:
    """The first day of the month after ``day``'s (a plan change "from next month" starts then)."""
    return month_end(day) + timedelta(days=1)


def previous_month_start(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return month_start(month_start(day) - timedelta(days=1))


def current_month(day: date) -> tuple[date, date]:
    """This month so far: the first of ``day``'s month to ``day`` itself (both included)."""
    return month_start(day), day


def previous_month(day: date) -> tuple[date, date]:
    """The whole month before ``day``'s."""
    start = previous_month_start(day)
    return start, month_end(start)


def add_months(anchor: date, months: int) -> date:
    """The day ``months`` months after (or before) ``anchor``, clamped to the end of shorter months:
    a monthly cycle anchored on the 31st falls due on 30 April and on 28 or 29 February."""
    index = anchor.year * 12 + (anchor.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(anchor.day, _gregorian.monthrange(year, month + 1)[1]))
