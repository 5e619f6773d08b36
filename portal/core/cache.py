"""Per-customer caching of provider data: versioned namespaces and stale copies.

Keys follow the design (``user:{id}:invoices:page:{n}``) inside a per-customer namespace version:
``user:{id}:v{version}:invoices:page:{n}``. Invalidating everything cached for a customer is one
``INCR`` of ``user:{id}:ns`` (O(1), no ``KEYS`` or ``SCAN``), and the old keys expire on their own
(docs/decisions.md §6).

Every value is also kept, unversioned, as a stale copy for longer. When the provider fails, the
stale copy is served with ``stale=True`` so the page can show it with a notice instead of an error.
"""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
T = TypeVar("T")
SINGLE_FLIGHT_LOCK_SECONDS = 10
SINGLE_FLIGHT_WAIT_SECONDS = 8.0


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    stale: bool = False
    fetched_at: float = 0.0
    failure: BaseException | None = field(default=None, compare=False, repr=False)
    """On a stale copy: why the provider could not give a fresh one (never stored in the cache)."""


class CacheUnavailable(Exception):
    """The cache could not be reached, so nothing was forgotten."""


def invalidate_customer(user_id: int, *, must_reach_cache: bool = False) -> None:
    """Forget every fresh value cached for one customer (their stale copies stay as a fallback).

    django-redis swallows a Redis outage (the cache answers ``None``): by default that is fine (a
    page's own write just did not happen either). With ``must_reach_cache`` it raises
    :class:`CacheUnavailable` instead, for callers whose whole job is the invalidation (a webhook
    saying an invoice changed is processed only once the cache has really forgotten it).
    """
    if not bump_namespace(_namespace_key(user_id)) and must_reach_cache:
        raise CacheUnavailable(f"the cache could not be reached to invalidate user {user_id}'s data")


def bump_namespace(key: str) -> bool:
    """Move the version kept under ``key`` on (O(1)): every key built with the old version is
    forgotten. False when the cache could not be reached (nothing was forgotten)."""
    added = cache.add(key, 2, timeout=None)  # the first bump moves off the implicit version 1
    if added is False:
        try:
            added = cache.incr(key)
        except ValueError:  # expired between add and incr
            added = cache.add(key, 2, timeout=None)
    return added is not None


def namespace_version(key: str) -> int:
    """The version kept under ``key`` (1 until it is first bumped)."""
    return cache.get(key) or 1


def fetch_for_customer(user_id: int, suffix: str, ttl: int, fetch: Callable[[], T], *,
                       failures: tuple[type[BaseException], ...]) -> Cached[T]:
    """``fetch_cached`` inside the customer's namespace: ``user:{id}:v{n}:{suffix}``."""
    version = namespace_version(_namespace_key(user_id))
    return fetch_cached(f"user:{user_id}:v{version}:{suffix}", ttl, fetch, failures=failures,
                        stale_key=f"stale:user:{user_id}:{suffix}")


def fetch_cached(key: str, ttl: int, fetch: Callable[[], T], *, failures: tuple[type[BaseException], ...],
                 stale_key: str | None = None) -> Cached[T]:
    """The cached value, or a fresh one from ``fetch``; on one of ``failures``, the stale copy.

    Single flight: when many requests miss the same key at once, one of them calls the provider
    (it holds ``lock:<key>`` for a few seconds) and the others wait for its value, so an expiry
    under load does not stampede the provider. Re-raises the failure when there is no stale copy.
    """
    hit = cache.get(key)
    if hit is not None:
        return hit
    stale_key = stale_key or f"stale:{key}"
    lock_key = f"lock:{key}"
    if cache.add(lock_key, 1, timeout=SINGLE_FLIGHT_LOCK_SECONDS):
        try:
            hit = cache.get(key)  # filled by the previous holder between our miss and our lock
            return hit if hit is not None else _fetch_and_store(key, ttl, fetch, failures, stale_key)
        finally:
            cache.delete(lock_key)
    deadline = time.monotonic() + SINGLE_FLIGHT_WAIT_SECONDS
    while cache.get(lock_key) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    hit = cache.get(key)  # the holder stores the value before it lets go of the lock
    if hit is not None:
        return hit
    return _fetch_and_store(key, ttl, fetch, failures, stale_key)  # the holder failed, or no shared cache


def _fetch_and_store(key, ttl, fetch, failures, stale_key):
    try:
        value = fetch()
    except failures as exc:
        stale = cache.get(stale_key)
        if stale is None:
            raise
        # The caller's guard (portal.core.errors.guarded) logs the failure once per request at ERROR.
        logger.info("serving a stale copy of %s: %s", stale_key, exc)
        return Cached(value=stale.value, stale=True, fetched_at=stale.fetched_at, failure=exc)
    fresh = Cached(value=value, fetched_at=time.time())
    cache.set(key, fresh, ttl)
    cache.set(stale_key, fresh, settings.CACHE_TTL_STALE)
    return fresh


def _namespace_key(user_id: int) -> str:
    return f"user:{user_id}:ns"
