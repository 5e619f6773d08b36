"""Rate limits counted in the shared cache (Redis): the password-reset and webhook limits.

A rate is written as Django REST framework writes its throttle rates, ``"<count>/<period>"`` with
the period ``s``, ``m``, ``h`` or ``d`` (``"5/h"``: five per hour), so every limit of the portal
(docs/security.md) reads the same. Each limit counts hits in fixed windows of one period with an
atomic ``INCR``, so concurrent requests cannot slip past it, and answers how many seconds remain
until the window ends (the ``Retry-After``). Keys hold a hash of what is counted (an email, an
address), never the value itself.

When the cache cannot be reached the hit is allowed (and django-redis logs the outage): a Redis
outage must not lock every customer out of password reset. Sign-in lockout does not depend on
this: django-axes keeps its counts in the database.
"""
from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"5/h"`` → five per 3600 s. A malformed rate raises ``ValueError`` (at start-up)."""
        count, _, period = text.strip().partition("/")
        unit = period.strip()[:1].lower()
        if unit not in _PERIODS or not count.strip().isdigit() or int(count) < 1:
            raise ValueError(f"a rate is written like '5/h' (count/s, m, h or d), not {text!r}")
        return cls(int(count), _PERIODS[unit])


def _window(scope: str, ident: str, limit: Rate) -> tuple[str, int, float]:
    now = time.time()
    window = int(now // limit.seconds)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}:{window}", window, now


def _retry_after(window: int, limit: Rate, now: float) -> int:
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def hit(scope: str, ident: str, rate: str | Rate) -> int | None:
    """Count one request of ``ident`` under ``scope``. None while within ``rate``; over it, the
    seconds until the current window ends (at least 1)."""
    limit = rate if isinstance(rate, Rate) else Rate.parse(rate)
    key, window, now = _window(scope, ident, limit)
    cache.add(key, 0, timeout=limit.seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # the key is gone: evicted, or the cache is unreachable (errors are ignored)
        return None
    if used is None or used <= limit.count:
        return None
    if used == limit.count + 1:
        logger.warning("rate limit %s reached (%s per %s s)", scope, limit.count, limit.seconds)
    return _retry_after(window, limit, now)
