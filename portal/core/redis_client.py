"""A django-redis client that stops waiting on a Redis that does not answer.

django-redis with ``IGNORE_EXCEPTIONS`` turns each failed cache call into a miss, but each call
still waits for its socket timeout: with a hung Redis (port open, nothing answering) a page making
ten cache calls waited ten timeouts. This client remembers, per process and server, that Redis just
failed to answer and skips it for ``SKIP_AFTER_FAILURE_SECONDS`` (cache misses at once), then tries
again. A dead Redis (connection refused) is skipped the same way, which also spares the logs.
"""
import logging
import socket
import threading
import time

from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, socket.timeout, ConnectionError, TimeoutError)
_FAILURES = (RedisConnectionError, RedisTimeoutError, ResponseError, socket.timeout)
_lock = threading.Lock()
_skip_until: dict[str, float] = {}  # per server location, shared by every thread's client
_GUARDED = ("get", "set", "add", "delete", "delete_many", "get_many", "set_many", "incr", "decr", "has_key",
            "touch", "expire", "ttl", "persist", "clear", "keys", "iter_keys", "delete_pattern", "lock")


class _Skipped(RedisConnectionError):
    """Not sent: this Redis failed to answer a moment ago."""


class SkipWhenUnreachableClient(DefaultClient):
    def __init__(self, server, params, backend) -> None:
        super().__init__(server, params, backend)
        self._location = ",".join(self._server)
        self._skip_seconds = float(self._options.get("SKIP_AFTER_FAILURE_SECONDS", 5.0))

    def skipping(self) -> bool:
        with _lock:
            return time.monotonic() < _skip_until.get(self._location, 0.0)

    def _guard(self, call, *args, **kwargs):
        if self.skipping():
            raise ConnectionInterrupted(connection=None) from _Skipped("Redis did not answer a moment ago")
        try:
            return call(*args, **kwargs)
        except ConnectionInterrupted as exc:
            cause = exc.__cause__
            if isinstance(cause, _UNREACHABLE) and not isinstance(cause, _Skipped):
                now = time.monotonic()
                with _lock:
                    newly = now >= _skip_until.get(self._location, 0.0)
                    _skip_until[self._location] = now + self._skip_seconds
                if newly:  # a nested call (add calls set) reports it once
                    logger.warning("the cache did not answer (%s): skipping it for %g s",
                                   type(cause).__name__, self._skip_seconds)
            raise


    # -- a cache miss in two round trips (portal.core.cache.fetch_cached) ----------------------------
    # Like django-redis's own methods these raise ConnectionInterrupted when Redis fails; the backend's
    # IGNORE_EXCEPTIONS does not cover them (they are called on the client): the caller degrades.
    def lock_and_get(self, lock_key: str, lock_seconds: int, key: str) -> tuple[bool, object | None]:
        """Take ``lock_key`` if free (SET NX EX) and read ``key``, in one pipeline: (locked, value)."""
        def call():
            client = self.get_client(write=True)
            pipe = client.pipeline(transaction=False)
            pipe.set(self.make_key(lock_key), self.encode(1), nx=True, ex=lock_seconds)
            pipe.get(self.make_key(key))
            try:
                locked, raw = pipe.execute()
            except _FAILURES as exc:
                raise ConnectionInterrupted(connection=client) from exc
            return bool(locked), (None if raw is None else self.decode(raw))

        return self._guard(call)

    def set_many_and_delete(self, items: list[tuple[str, object, int]], delete_key: str | None) -> None:
        """Store each ``(key, value, seconds)`` and delete ``delete_key`` (a lock), in one pipeline."""
        def call():
            client = self.get_client(write=True)
            pipe = client.pipeline(transaction=False)
            for key, value, seconds in items:
                if seconds is None or seconds > 0:  # Django's meaning: None forever, 0 not at all
                    pipe.set(self.make_key(key), self.encode(value), ex=seconds)
            if delete_key is not None:
                pipe.delete(self.make_key(delete_key))
            try:
                pipe.execute()
            except _FAILURES as exc:
                raise ConnectionInterrupted(connection=client) from exc

        self._guard(call)


def _guarded(name: str):
    def method(self, *args, **kwargs):
        return self._guard(getattr(DefaultClient, name).__get__(self), *args, **kwargs)

    method.__name__ = name
    return method


for _name in _GUARDED:
    setattr(SkipWhenUnreachableClient, _name, _guarded(_name))


def forget_failures() -> None:
    """Try every Redis again at once (the tests' clean slate)."""
    with _lock:
        _skip_until.clear()
