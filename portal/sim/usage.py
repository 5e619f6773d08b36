"""A SIM's data use, without bulk polling: the portal records its own daily figures.

Freebit's traffic operation (PA05-01) answers one SIM's figures *now* (used today so far, the few
days before), keeps no history the portal may read, and must not be used to sweep an operator's
SIMs. So:

- the SIM is read only when its customer looks at it (its page, its usage API), never by a
  background job;
- a reading is kept ``CACHE_TTL_SIM_TRAFFIC`` seconds (another look within that time reads
  nothing) and a SIM is read at most ``SIM_TRAFFIC_READS_PER_DAY`` times a day; both limits are
  kept in the database (``SimUsageDay``), so a cache outage does not lift them;
- each reading sets the day's figure (``SimUsageDay``, Japan's day) to what had been used by
  then. The chart shows those figures: a day nobody looked at has none, and the page says so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from domain.shared import clock
from domain.sim.types import DataQuota, SimUsage, UsagePoint
from integrations.freebit.sims import FreebitSimClient
from portal.core.connections import freebit_connection
from portal.sim.models import SimUsageDay

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """The latest figures recorded for a SIM today."""

    day: date
    used: DataQuota | None
    throttled: bool
    read_at: datetime


def read_traffic(iccid: str, msisdn: str) -> bool:
    """Read the SIM's traffic from Freebit and record today's figure, unless it was read less than
    ``CACHE_TTL_SIM_TRAFFIC`` seconds ago or ``SIM_TRAFFIC_READS_PER_DAY`` times today already.
    Whether Freebit was asked. A Freebit failure propagates (the caller shows what is recorded);
    the attempt still counts, so a failing Freebit is not asked again at once.

    The caller has checked that the SIM is the customer's.
    """
    today, now = clock.today(), timezone.now()
    if not _claim_read(iccid, today, now):
        return False
    traffic = FreebitSimClient(freebit_connection()).get_traffic(msisdn)
    SimUsageDay.objects.filter(iccid=iccid, day=today).update(
        used_kb=Greatest(Coalesce(F("used_kb"), 0), traffic.today.kb),
        throttled=traffic.throttled, read_at=timezone.now())
    return True


def _claim_read(iccid: str, today: date, now: datetime) -> bool:
    """Take one of today's reads of the SIM (a conditional update: two page loads at once make one
    reading), or False when the last one is fresh enough or today's reads are spent."""
    fresh_since = now - timedelta(seconds=settings.CACHE_TTL_SIM_TRAFFIC)
    claimed = SimUsageDay.objects.filter(iccid=iccid, day=today).filter(
        Q(read_at__lt=fresh_since) | Q(used_kb__isnull=True, read_at__lt=now - timedelta(seconds=30)),
        reads__lt=settings.SIM_TRAFFIC_READS_PER_DAY,
    ).update(reads=F("reads") + 1, read_at=now)
    if claimed:
        return True
    if SimUsageDay.objects.filter(iccid=iccid, day=today).exists():
        return False
    try:
        with transaction.atomic():
            SimUsageDay.objects.create(iccid=iccid, day=today, read_at=now, reads=1)
    except IntegrityError:  # another request started today's row a moment ago: it reads
        return False
    return True


def recorded_usage(iccid: str, start: date, end: date) -> SimUsage:
    """The figures recorded for ``start``..``end`` (both included), one point per day that has one."""
    rows = SimUsageDay.objects.filter(iccid=iccid, day__gte=start, day__lte=end, used_kb__isnull=False).order_by("day")
    points = tuple(UsagePoint(date=row.day, used=DataQuota(kb=row.used_kb)) for row in rows)
    return SimUsage(iccid=iccid, start=start, end=end, points=points)


def latest_reading(iccid: str) -> Reading | None:
    """Today's figures as last read, or None when the SIM has not been read today."""
    row = SimUsageDay.objects.filter(iccid=iccid, day=clock.today()).first()
    if row is None:
        return None
    return Reading(day=row.day, used=None if row.used_kb is None else DataQuota(kb=row.used_kb),
                   throttled=row.throttled, read_at=row.read_at)
