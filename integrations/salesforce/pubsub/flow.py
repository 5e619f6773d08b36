"""The request side of a ``Subscribe`` stream, flow control, and reconnect backoff.

Flow control: the subscriber asks for ``batch_size`` events at a time and asks again only when
every event it asked for has arrived and been handled. Counting on our side (asked minus
received) is never below the server's ``pending_num_requested`` (a request still in flight is
counted by us, not yet by the server), so when our count reaches zero the server's has too, and
the subscriber never has more than ``batch_size`` events outstanding. Salesforce closes a stream
whose pending count has stayed at zero for 60 seconds: the next request goes out as soon as the
last event of a batch is handled, so handlers must be quick (record a job; do the work elsewhere).
"""
from __future__ import annotations

import queue
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from integrations.salesforce.pubsub import pubsub_api_pb2 as pb2

MAX_BATCH_SIZE = 100
"""Salesforce lets a subscriber have at most 100 events outstanding."""

_CLOSE = object()


class RequestFeed:
    """The ``FetchRequest`` iterator gRPC reads from (on its own thread): a queue we put requests
    into. :meth:`close` ends the iterator, which half-closes the stream."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()

    def send(self, request: pb2.FetchRequest) -> None:
        self._queue.put(request)

    def close(self) -> None:
        self._queue.put(_CLOSE)

    def __iter__(self) -> Iterator[pb2.FetchRequest]:
        while True:
            item = self._queue.get()
            if item is _CLOSE:
                return
            assert isinstance(item, pb2.FetchRequest)
            yield item


class FlowControl:
    """How many events we have asked for and not yet received, and when to ask for more."""

    def __init__(self, feed: RequestFeed, batch_size: int) -> None:
        self._feed = feed
        self.batch_size = batch_size
        self.outstanding = 0

    def start(self, *, topic: str, preset: int, replay_id: bytes = b"") -> None:
        """The first request of the stream: the topic, where to start, and the first batch."""
        self._feed.send(pb2.FetchRequest(topic_name=topic, replay_preset=preset, replay_id=replay_id,
                                         num_requested=self.batch_size))
        self.outstanding = self.batch_size

    def received(self, count: int) -> None:
        self.outstanding = max(0, self.outstanding - count)

    def top_up(self) -> bool:
        """Ask for the next batch when nothing is outstanding; whether a request went out."""
        if self.outstanding > 0:
            return False
        self._feed.send(pb2.FetchRequest(num_requested=self.batch_size))
        self.outstanding = self.batch_size
        return True


@dataclass
class Backoff:
    """Capped exponential backoff with full jitter: the n-th consecutive failure waits a random time
    in ``[0, min(cap, base * 2**n)]``; :meth:`reset` after a stream made progress."""

    base: float = 0.5
    cap: float = 30.0
    failures: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(self.failures, 32)))
        self.failures += 1
        return self._random.uniform(0, ceiling)

    def reset(self) -> None:
        self.failures = 0
