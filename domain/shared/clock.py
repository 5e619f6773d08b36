"""The one clock of the business: what time it is, and what day, in the business time zone.

The portal serves customers of a Japanese MVNO, so its business day is Japan's: "today", "this
month", a plan change "from the first of next month" and every cutoff are dates in
``Asia/Tokyo`` unless ``BUSINESS_TIME_ZONE`` names another zone (docs/operations.md). Nothing
else in the code asks the system for the date: it asks this module, and the calendar rules built
on these dates live in :mod:`domain.shared.calendar`.

Tests set the clock with time-machine in process, and a whole process tree starts at an instant with
``CLOCK_AT`` (scripts/with-clock.sh). Both move the clock ``datetime.now`` reads, so this module
needs no hook of its own.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Tokyo"
TIME_ZONE_VARIABLE = "BUSINESS_TIME_ZONE"


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
