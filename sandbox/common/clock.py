"""The sandboxes' clock and calendar: the providers keep Japan time.

Freebit's platform runs on Japan time; our WHMCS installation and our Salesforce org are set to
Asia/Tokyo as well (docs/whmcs.md, docs/salesforce.md). The sandbox stands apart from the portal
(it imports nothing of it), so it keeps this one clock of its own. Each emulator may pin its
calendar to a day (``SANDBOX_<NAME>_TODAY``); the time of day always runs. Tests move the clock of
a whole process with time-machine, which moves ``datetime.now`` and with it this module.

:func:`travel_to` moves the clock of the whole process it runs in (the demo's ``/__demo__/clock``);
a whole process tree is started at an instant with ``CLOCK_AT`` (scripts/with-clock.sh).
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")
PROVIDER_ZONE = JST
_travel = None


def provider_now(pinned_day: date | None = None) -> datetime:
    """Now in Japan time, whole seconds, aware; on ``pinned_day`` when the calendar is pinned."""
    now = datetime.now(PROVIDER_ZONE).replace(microsecond=0)
    return datetime.combine(pinned_day, now.timetz()) if pinned_day else now


def provider_today(pinned_day: date | None = None) -> date:
    """Today in Japan time (or the pinned day)."""
    return pinned_day or provider_now().date()


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later (or earlier), clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def first_of_next_month(day: date) -> date:
    return add_months(day.replace(day=1), 1)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset (``2027-01-31T23:59:00+09:00`` or ``...Z``)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no offset: write it as 2027-01-31T23:59:00+09:00")
    return moment


def travel_to(moment: datetime) -> None:
    """Move this whole process's clock to ``moment``, from where it runs on (tests and the demo only:
    needs time-machine, a development dependency). Only forward: gRPC computes its deadlines from
    Python's clock but checks them on the real one, so a clock moved back expires every call."""
    global _travel
    import time_machine  # a development dependency, imported only when a clock is set

    if _travel is not None:
        _travel.stop()
    _travel = time_machine.travel(moment, tick=True)
    _travel.start()
