"""Counting the commands the portal sends to its Redis cache, at the Redis client level (a counting
connection class in the cache's connection pool), for tests that pin how many a page costs."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import redis
from django.core.cache import cache


class CommandLog:
    def __init__(self) -> None:
        self.commands: list[str] = []
        """Each command's name (``GET``), in the order sent."""
        self.keys: list[tuple[str, str]] = []
        """Each command's name and first argument (its key: ``("GET", "portal:1:lock:...")``)."""
        self.round_trips = 0
        self._lock = threading.Lock()

    def record(self, commands: list[tuple]) -> None:
        with self._lock:
            for args in commands:
                self.commands.append(_text(args[0]).upper())
                self.keys.append((_text(args[0]).upper(), _text(args[1]) if len(args) > 1 else ""))
            self.round_trips += 1


class _CountingConnection(redis.connection.Connection):
    log: CommandLog | None = None
    _connecting = False

    def connect_check_health(self, *args, **kwargs):
        self._connecting = True  # the handshake (HELLO, SELECT...) is not the page's
        try:
            return super().connect_check_health(*args, **kwargs)
        finally:
            self._connecting = False

    def send_command(self, *args, **kwargs):
        if self.log is not None and not self._connecting:
            self.log.record([args])
        return super().send_command(*args, **kwargs)

    def pack_commands(self, commands):
        commands = list(commands)
        if self.log is not None:
            self.log.record(commands)
        return super().pack_commands(commands)


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


@contextlib.contextmanager
def counted_redis_commands() -> Iterator[CommandLog]:
    """Every command sent to the cache's Redis inside the block (a connection's handshake left out)."""
    pool = cache.client.get_client(write=True).connection_pool
    saved = pool.connection_class
    log = CommandLog()
    counting = type("CountingConnection", (_CountingConnection,), {"log": log})
    pool.connection_class = counting
    pool.reset()
    try:
        yield log
    finally:
        counting.log = None
        pool.connection_class = saved
        pool.reset()
