"""Per-customer caching of provider data: versioned namespaces and stale copies.

Keys follow the design (``user:{id}:invoices:page:{n}``) inside a per-customer namespace version:
``user:{id}:v{version}:invoices:page:{n}``. Invalidating everything cached for a customer is one
``INCR`` of ``user:{id}:ns`` (O(1), no ``KEYS`` or ``SCAN``), and the old keys expire on their own
(docs/decisions.md §6).

Every value is also kept, unversioned, as a stale copy for longer. When the provider fails, the
stale copy is served with ``stale=True`` so the page can show it with a notice instead of an error.

Within one request (:func:`request_reads`, opened by ``CacheReadsMiddleware``) a customer's
namespace version is read once, a page may read all its keys in one ``MGET`` first (:func:`preload`),
and a value read once is not read again; a bump in the request forgets the version it read. A miss
costs two round trips: the single-flight lock taken with the value's re-read, then the value, its
stale copy and the lock's release in one pipeline.
"""
import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted

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


class _RequestReads:
    """What one request has read from the cache: namespace versions, and values by key (or known
    missing). Shared by the request's threads (the dashboard's panels copy its context)."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.values: dict[str, object] = {}
        self.missing: set[str] = set()
        self.fetching: dict[str, threading.Event] = {}
        self.lock = threading.Lock()


_reads: contextvars.ContextVar[_RequestReads | None] = contextvars.ContextVar("portal_cache_reads", default=None)


@contextlib.contextmanager
def request_reads() -> Iterator[None]:
    """Remember, until the block ends, what is read from the cache (one request's worth)."""
    token = _reads.set(_RequestReads())
    try:
        yield
    finally:
        _reads.reset(token)


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
    reads = _reads.get()
    if reads is not None:
        with reads.lock:
            reads.versions.pop(key, None)  # read again after the bump: the request sees it too
    added = cache.add(key, 2, timeout=None)  # the first bump moves off the implicit version 1
    if added is False:
        try:
            added = cache.incr(key)
        except ValueError:  # expired between add and incr
            added = cache.add(key, 2, timeout=None)
    return added is not None


def namespace_version(key: str) -> int:
    """The version kept under ``key`` (1 until it is first bumped); read once per request."""
    reads = _reads.get()
    if reads is not None and (known := reads.versions.get(key)) is not None:
        return known
    version = cache.get(key) or 1
    if reads is not None:
        with reads.lock:
            reads.versions.setdefault(key, version)
    return version


def customer_key(user_id: int, suffix: str) -> str:
    """The key of ``suffix`` in the customer's current namespace: ``user:{id}:v{n}:{suffix}``."""
    return f"user:{user_id}:v{namespace_version(_namespace_key(user_id))}:{suffix}"


def preload(user_id: int, suffixes: Iterable[str]) -> set[str]:
    """Read the customer's values under ``suffixes`` in one ``MGET``, for the rest of the request (a
    page that knows its keys). Answers the suffixes not cached (all of them outside a request)."""
    suffixes = list(suffixes)
    reads = _reads.get()
    if reads is None:
        return set(suffixes)
    keys = {customer_key(user_id, suffix): suffix for suffix in suffixes}
    with reads.lock:
        unread = [key for key in keys if key not in reads.values and key not in reads.missing]
    found = cache.get_many(unread) if unread else {}
    with reads.lock:
        reads.values.update(found)
        reads.missing.update(key for key in unread if key not in found)
        return {suffix for key, suffix in keys.items() if key not in reads.values}


def fetch_for_customer(user_id: int, suffix: str, ttl: int, fetch: Callable[[], T], *,
                       failures: tuple[type[BaseException], ...]) -> Cached[T]:
    """``fetch_cached`` inside the customer's namespace: ``user:{id}:v{n}:{suffix}``."""
    return fetch_cached(customer_key(user_id, suffix), ttl, fetch, failures=failures,
                        stale_key=f"stale:user:{user_id}:{suffix}")


def fetch_cached(key: str, ttl: int, fetch: Callable[[], T], *, failures: tuple[type[BaseException], ...],
                 stale_key: str | None = None) -> Cached[T]:
    """The cached value, or a fresh one from ``fetch``; on one of ``failures``, the stale copy.

    Single flight: when many requests miss the same key at once, one of them calls the provider
    (it holds ``lock:<key>`` for a few seconds) and the others wait for its value, so an expiry
    under load does not stampede the provider. Re-raises the failure when there is no stale copy.
    """
    hit = _get(key)
    if hit is not None:
        return hit
    reads = _reads.get()
    if reads is None:
        return _fetch_once(key, ttl, fetch, failures, stale_key)
    with reads.lock:
        other = reads.fetching.get(key)
        if other is None:
            reads.fetching[key] = mine = threading.Event()
    if other is not None:  # another thread of this request is on it: wait for it, not on Redis's lock
        other.wait(SINGLE_FLIGHT_WAIT_SECONDS)
        hit = _get(key)
        return hit if hit is not None else _fetch_once(key, ttl, fetch, failures, stale_key)
    try:
        return _fetch_once(key, ttl, fetch, failures, stale_key)
    finally:
        with reads.lock:
            reads.fetching.pop(key, None)
        mine.set()


def _fetch_once(key, ttl, fetch, failures, stale_key) -> Cached:
    """A miss: the single-flight lock across processes, then the provider or the holder's value."""
    stale_key = stale_key or f"stale:{key}"
    lock_key = f"lock:{key}"
    locked, hit = _lock_and_get(lock_key, key)
    if hit is not None:  # filled by the previous holder between our miss and our lock
        if locked:
            cache.delete(lock_key)
        return _remember(key, hit)
    if locked:
        return _fetch_and_store(key, ttl, fetch, failures, stale_key, lock_key)
    deadline = time.monotonic() + SINGLE_FLIGHT_WAIT_SECONDS
    while cache.get(lock_key) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    hit = cache.get(key)  # the holder stores the value before it lets go of the lock
    if hit is not None:
        return _remember(key, hit)
    # The holder failed, or there is no shared cache to hold a lock in.
    return _fetch_and_store(key, ttl, fetch, failures, stale_key, None)


def _get(key: str):
    """``key``'s value: from what the request has read already, else from the cache."""
    reads = _reads.get()
    if reads is not None:
        with reads.lock:
            if key in reads.values:
                return reads.values[key]
            if key in reads.missing:
                return None
    value = cache.get(key)
    return value if value is None else _remember(key, value)


def _remember(key: str, value):
    reads = _reads.get()
    if reads is not None:
        with reads.lock:
            reads.values[key] = value
            reads.missing.discard(key)
    return value


def _lock_and_get(lock_key: str, key: str) -> tuple[bool, object | None]:
    """Take the single-flight lock and read the value again, in one round trip where the cache
    allows. (False, None) when the cache cannot be reached: fetch without a lock."""
    client = getattr(cache, "client", None)
    if hasattr(client, "lock_and_get"):
        try:
            return client.lock_and_get(lock_key, SINGLE_FLIGHT_LOCK_SECONDS, key)
        except ConnectionInterrupted:
            return False, None
    if not cache.add(lock_key, 1, timeout=SINGLE_FLIGHT_LOCK_SECONDS):
        return False, None
    return True, cache.get(key)


def _store(items: list[tuple[str, object, int]], lock_key: str | None) -> None:
    """Store the values and release the lock, in one round trip where the cache allows."""
    client = getattr(cache, "client", None)
    if hasattr(client, "set_many_and_delete"):
        with contextlib.suppress(ConnectionInterrupted):  # a Redis outage: nothing cached, as before
            client.set_many_and_delete(items, lock_key)
        return
    for key, value, seconds in items:
        cache.set(key, value, seconds)
    if lock_key is not None:
        cache.delete(lock_key)


def _fetch_and_store(key, ttl, fetch, failures, stale_key, lock_key):
    try:
        value = fetch()
    except BaseException as exc:
        if lock_key is not None:
            cache.delete(lock_key)
        if not isinstance(exc, failures):
            raise
        stale = cache.get(stale_key)
        if stale is None:
            raise
        # The caller's guard (portal.core.errors.guarded) logs the failure once per request at ERROR.
        logger.info("serving a stale copy of %s: %s", stale_key, exc)
        return Cached(value=stale.value, stale=True, fetched_at=stale.fetched_at, failure=exc)
    fresh = Cached(value=value, fetched_at=time.time())
    _store([(key, fresh, ttl), (stale_key, fresh, settings.CACHE_TTL_STALE)], lock_key)
    return _remember(key, fresh)


def _namespace_key(user_id: int) -> str:
    return f"user:{user_id}:ns"
