"""The event bus: topics, their schemas and their retained events, in memory.

Replay ids are opaque to clients; here they are 8-byte big-endian counters, one sequence per bus,
so a replay id from a restarted emulator (whose counter started again) is refused as corrupted,
as one from another org would be. Retention is a count of events per topic (Salesforce keeps
72 hours): older events are dropped, and resuming from a replay id before them is refused.
"""
from __future__ import annotations

import struct
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

REPLAY_ID_LENGTH = 8


class ReplayIdError(ValueError):
    """A replay id this topic cannot resume from: malformed, unknown, or past the retention."""


def encode_replay_id(counter: int) -> bytes:
    return struct.pack(">Q", counter)


def decode_replay_id(replay_id: bytes) -> int:
    if len(replay_id) != REPLAY_ID_LENGTH:
        raise ReplayIdError(f"a replay ID has {REPLAY_ID_LENGTH} bytes, this one {len(replay_id)}")
    return struct.unpack(">Q", replay_id)[0]


@dataclass(frozen=True)
class StoredEvent:
    counter: int
    event_id: str
    schema_id: str
    payload: bytes
    headers: tuple[tuple[str, bytes], ...] = ()
    published_at: float = field(default_factory=time.time)

    @property
    def replay_id(self) -> bytes:
        return encode_replay_id(self.counter)


@dataclass
class Topic:
    name: str
    schema_id: str
    events: deque[StoredEvent] = field(default_factory=deque)


class EventBus:
    """Topics and their events. Every change notifies :attr:`changed`, which subscription streams wait on."""

    def __init__(self, retention: int = 10_000) -> None:
        if retention < 1:
            raise ValueError("retention must be at least 1 event")
        self.retention = retention
        self.changed = threading.Condition(threading.RLock())
        self._topics: dict[str, Topic] = {}
        self._last = 0  # the last counter handed out, on any topic

    # -- topics ------------------------------------------------------------------------------------
    def add_topic(self, name: str, schema_id: str) -> Topic:
        with self.changed:
            return self._topics.setdefault(name, Topic(name, schema_id))

    def topic(self, name: str) -> Topic | None:
        with self.changed:
            return self._topics.get(name)

    # -- events ------------------------------------------------------------------------------------
    def append(self, topic_name: str, *, schema_id: str, payload: bytes, event_id: str = "",
               headers: tuple[tuple[str, bytes], ...] = ()) -> StoredEvent:
        with self.changed:
            topic = self._topics[topic_name]
            self._last += 1
            event = StoredEvent(self._last, event_id or str(uuid.uuid4()), schema_id, payload, headers)
            topic.events.append(event)
            while len(topic.events) > self.retention:
                topic.events.popleft()
            self.changed.notify_all()
            return event

    def latest_counter(self) -> int:
        """The counter of the newest event ever published (0 before the first)."""
        with self.changed:
            return self._last

    def start_after(self, topic_name: str, *, earliest: bool = False, replay_id: bytes | None = None) -> int:
        """The counter a subscription starts after: LATEST (default), EARLIEST, or CUSTOM ``replay_id``."""
        with self.changed:
            topic = self._topics[topic_name]
            if replay_id is not None:
                counter = decode_replay_id(replay_id)
                if counter > self._last:
                    raise ReplayIdError("the replay ID is not one this org handed out")
                first = topic.events[0].counter if topic.events else self._last + 1
                if counter < first - 1:
                    raise ReplayIdError("the replay ID is older than the retention window")
                return counter
            if earliest:
                return topic.events[0].counter - 1 if topic.events else self._last
            return self._last

    def after(self, topic_name: str, counter: int, limit: int) -> list[StoredEvent]:
        """Up to ``limit`` retained events newer than ``counter``, oldest first."""
        with self.changed:
            found = []
            for event in self._topics[topic_name].events:
                if event.counter > counter:
                    found.append(event)
                    if len(found) >= limit:
                        break
            return found

    def events(self, topic_name: str) -> list[StoredEvent]:
        with self.changed:
            return list(self._topics[topic_name].events)

    def purge(self) -> int:
        """Drop every retained event (as if the retention window had passed); how many went."""
        with self.changed:
            dropped = sum(len(topic.events) for topic in self._topics.values())
            for topic in self._topics.values():
                topic.events.clear()
            self.changed.notify_all()
            return dropped
