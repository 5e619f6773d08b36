"""Circuit breakers per provider, their state shared through the cache (every process, one circuit).

Closed: calls go through; each failure (network error, timeout, 5xx, 429, garbage) adds to
``circuit:{provider}:failures`` and any useful answer clears it. ``CIRCUIT_FAILURE_THRESHOLD``
failures in a row open the circuit for ``CIRCUIT_RESET_SECONDS``: calls fail at once, without
reaching the provider, and pages fall back to their stale copies or a friendly error. After that
one call at a time is let through as a probe (half-open): its success closes the circuit, its
failure opens it again.

The cache is a helper, not a dependency: when it fails (Redis down), ``allow`` answers yes and the
counters are simply not kept, so an outage of the cache never blocks traffic to a healthy provider.
"""
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

class CacheCircuitBreaker:
    def __init__(self, provider: str) -> None:
        self.provider = provider
        self._failures_key = f"circuit:{provider}:failures"
        self._open_key = f"circuit:{provider}:open_until"
        self._probe_key = f"circuit:{provider}:probe"

    def allow(self) -> bool:
        if not settings.CIRCUIT_BREAKER_ENABLED:
            return True
        try:
            open_until = cache.get(self._open_key)
            if open_until is None:
                return True
            if time.time() < open_until:
                return False
            # Half-open: one caller at a time probes the provider.
            return bool(cache.add(self._probe_key, 1, timeout=_probe_seconds(self.provider)))
        except Exception:  # the cache is down or broken: let the traffic through
            logger.warning("circuit %s: cache unavailable, letting the call through", self.provider, exc_info=True)
            return True

    def record_success(self) -> None:
        if not settings.CIRCUIT_BREAKER_ENABLED:
            return
        try:
            # One round trip in the usual case (nothing to clear): this runs after every provider call.
            found = cache.get_many([self._failures_key, self._open_key, self._probe_key])
            if not found:
                return
            if self._open_key in found:
                logger.warning("circuit %s closed: the provider answers again", self.provider)
            cache.delete_many(list(found))
        except Exception:
            logger.warning("circuit %s: cache unavailable, success not recorded", self.provider, exc_info=True)

    def record_failure(self) -> None:
        if not settings.CIRCUIT_BREAKER_ENABLED:
            return
        try:
            window = settings.CIRCUIT_RESET_SECONDS * 10
            if cache.add(self._failures_key, 1, timeout=window):
                failures = 1
            else:
                try:
                    failures = cache.incr(self._failures_key)
                except ValueError:  # the count expired between add and incr: this failure starts a new one
                    cache.add(self._failures_key, 1, timeout=window)
                    failures = 1
            if failures is None:  # django-redis swallowed a cache error: nothing is counted
                return
            reopening = cache.get(self._probe_key) is not None
            if failures >= settings.CIRCUIT_FAILURE_THRESHOLD or reopening:
                cache.set(self._open_key, time.time() + settings.CIRCUIT_RESET_SECONDS, timeout=window)
                cache.delete(self._probe_key)
                logger.warning("circuit %s open for %ss after %s failures in a row", self.provider,
                               settings.CIRCUIT_RESET_SECONDS, failures)
        except Exception:
            logger.warning("circuit %s: cache unavailable, failure not recorded", self.provider, exc_info=True)

    def state(self) -> str:
        """"closed", "open" or "half-open" (for tests, and for an operator in ``manage.py shell``)."""
        try:
            open_until = cache.get(self._open_key)
        except Exception:
            return "unknown"
        if open_until is None:
            return "closed"
        return "open" if time.time() < open_until else "half-open"


def _probe_seconds(provider: str) -> float:
    """Long enough for one call with its retries; if the probe dies, another caller may try."""
    from portal.core.connections import read_timeout

    return max(1, int(read_timeout(provider) * settings.PROVIDER_MAX_ATTEMPTS + 1))
