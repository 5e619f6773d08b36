"""The one clock of the business: what time it is, and what day, in the business time zone.

The portal serves customers of a Japanese MVNO, so its business day is Japan's: "today", "this
month", a plan change "from the first of next month" and every cutoff are dates in
``Asia/Tokyo`` unless ``BUSINESS_TIME_ZONE`` names another zone (docs/operations.md). Nothing
else in the code asks the system for the date: it asks this module, and the calendar rules built
on these dates live in :mod:`domain.shared.calendar`.

Tests set the clock with time-machine (in process) or ``CLOCK_AT`` (the processes they start, see
:func:`travel_from_environment`); both move ``datetime.now`` itself, so this module needs no hook.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Tokyo"
TIME_ZONE_VARIABLE = "BUSINESS_TIME_ZONE"
CLOCK_AT_VARIABLE = "CLOCK_AT"


@cache
def business_zone() -> ZoneInfo:
    """The business time zone (``BUSINESS_TIME_ZONE``, default Asia/Tokyo), read once."""
    return ZoneInfo(os.environ.get(TIME_ZONE_VARIABLE) or DEFAULT_TIME_ZONE)


def now() -> datetime:
    """The current instant, aware, in the business time zone."""
    return datetime.now(UTC).astimezone(business_zone())


def today() -> date:
    """Today's date in the business time zone."""
    return now().date()


def local(moment: datetime) -> datetime:
    """An aware instant seen in the business time zone (a naive one is refused: it means nothing)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(business_zone())


def local_date(moment: datetime) -> date:
    """The business day an aware instant falls on."""
    return local(moment).date()


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset (``2027-01-31T23:59:00+09:00`` or ``...Z``)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no offset: write it as 2027-01-31T23:59:00+09:00")
    return moment


_travel = None


def travel_to(moment: datetime) -> None:
    """Move this whole process's clock to ``moment``, from where it runs on (tests and drills
    only: needs time-machine, a development dependency). Used for the processes the tests start,
    which cannot be reached by an in-process fixture."""
    global _travel
    import time_machine  # a development dependency, imported only when a clock is set

    if _travel is not None:
        _travel.stop()
    _travel = time_machine.travel(local(moment), tick=True)
    _travel.start()


def travel_from_environment() -> None:
    """Start this process's clock at ``CLOCK_AT`` (an ISO instant) when the variable is set."""
    value = os.environ.get(CLOCK_AT_VARIABLE, "").strip()
    if value:
        travel_to(parse_instant(value))
