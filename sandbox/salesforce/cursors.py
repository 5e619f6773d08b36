"""Query batches and locators, as Salesforce's REST ``query`` resource hands out a large answer.

A query answer holds at most one batch of records (Salesforce's default 2,000; the request's
``Sforce-Query-Options: batchSize=N`` asks for 200 to 2,000; child records count towards it). When
there are more, the answer says ``"done": false`` and carries ``nextRecordsUrl``
(``/services/data/v62.0/query/01gDn00000000001AQ-200``): the query locator, a cursor over the
answer as it was when the query ran, and the position of the next batch. ``GET`` on it answers the
next batch, with the next locator or ``"done": true``. A child subquery that found more than one
batch of records is paged the same way inside its parent record.

As in Salesforce, a locator expires after 15 minutes unused, and a user holds at most 10 open
cursors: opening another releases the oldest. An unknown or expired locator is answered 400
``INVALID_QUERY_LOCATOR``.
"""
from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ids import make_id

DEFAULT_BATCH_SIZE = 2000
MIN_BATCH_SIZE, MAX_BATCH_SIZE = 200, 2000
QUERY_OPTIONS_HEADER = "sforce-query-options"
CURSOR_TTL_SECONDS = 15 * 60
MAX_OPEN_CURSORS = 10
QUERY_LOCATOR_PREFIX = "01g"
_BATCH_SIZE = re.compile(r"(?:^|[,;\s])batchSize\s*=\s*(\d{1,9})(?:$|[,;\s])", re.IGNORECASE)
_LOCATOR = re.compile(r"(01g[A-Za-z0-9]{15})-(\d{1,9})")


class InvalidQueryLocator(Exception):
    """Answered 400 ``[{"errorCode": "INVALID_QUERY_LOCATOR", "message": "invalid query locator"}]``."""


def batch_size(header: str | None, default: int) -> int:
    """The batch size a request asks for: ``Sforce-Query-Options: batchSize=N`` brought into 200 to
    2,000 (Salesforce does not promise the size asked for), else ``default``."""
    match = _BATCH_SIZE.search(header) if header else None
    if match is None:
        return default
    return max(MIN_BATCH_SIZE, min(MAX_BATCH_SIZE, int(match.group(1))))


def weight(record: Any) -> int:
    """How much of a batch a record takes: itself and the child records it carries."""
    if not isinstance(record, dict):
        return 1
    children = 0
    for value in record.values():
        if isinstance(value, dict) and isinstance(value.get("records"), list):
            children += sum(weight(child) for child in value["records"])
    return 1 + children


@dataclass
class _Cursor:
    id: str
    records: list[dict[str, Any]]
    total_size: int
    batch: int
    version: str
    used_at: float
    extra: dict[str, Any] = field(default_factory=dict)


class Cursors:
    """The open query cursors of the org (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._open: OrderedDict[str, _Cursor] = OrderedDict()
        self._numbers = itertools.count(1)

    def reset(self) -> None:
        with self._lock:
            self._open.clear()

    def first_batch(self, answer: dict[str, Any], *, batch: int, version: str) -> dict[str, Any]:
        """The answer Salesforce sends for a whole query result: its first batch, child subqueries
        over one batch paged too, and a locator for the rest."""
        records = [self._page_children(record, batch, version) for record in answer["records"]]
        extra = {key: value for key, value in answer.items() if key not in ("totalSize", "done", "records")}
        return self._batch(_Cursor("", records, answer["totalSize"], batch, version, self._clock(), extra), 0)

    def next_batch(self, locator: str) -> dict[str, Any]:
        """The batch a ``nextRecordsUrl`` locator points at."""
        match = _LOCATOR.fullmatch(locator)
        if match is None:
            raise InvalidQueryLocator(locator)
        cursor_id, position = match.group(1), int(match.group(2))
        with self._lock:
            self._expire()
            cursor = self._open.get(cursor_id)
            if cursor is None or position >= len(cursor.records):
                raise InvalidQueryLocator(locator)
            cursor.used_at = self._clock()
            self._open.move_to_end(cursor_id)
        return self._batch(cursor, position)

    # -- plumbing ---------------------------------------------------------------------------------
    def _batch(self, cursor: _Cursor, start: int) -> dict[str, Any]:
        end, taken = start, 0
        while end < len(cursor.records):
            size = weight(cursor.records[end])
            if end > start and taken + size > cursor.batch:
                break
            taken += size
            end += 1
        answer: dict[str, Any] = {"totalSize": cursor.total_size, "done": end >= len(cursor.records)}
        if end < len(cursor.records):
            if not cursor.id:
                self._open_cursor(cursor)
            answer["nextRecordsUrl"] = f"/services/data/v{cursor.version}/query/{cursor.id}-{end}"
        elif cursor.id:
            with self._lock:
                self._open.pop(cursor.id, None)  # read to the end: the cursor is released
        answer["records"] = cursor.records[start:end]
        answer.update(cursor.extra)
        return answer

    def _page_children(self, record: Any, batch: int, version: str) -> Any:
        if not isinstance(record, dict):
            return record
        for name, value in record.items():
            if isinstance(value, dict) and isinstance(value.get("records"), list):
                children = [self._page_children(child, batch, version) for child in value["records"]]
                child_cursor = _Cursor("", children, value.get("totalSize", len(children)), batch, version,
                                       self._clock())
                record[name] = self._batch(child_cursor, 0)
        return record

    def _open_cursor(self, cursor: _Cursor) -> None:
        with self._lock:
            self._expire()
            while len(self._open) >= MAX_OPEN_CURSORS:
                self._open.popitem(last=False)  # the oldest cursor is released
            cursor.id = make_id(QUERY_LOCATOR_PREFIX, next(self._numbers))
            cursor.used_at = self._clock()
            self._open[cursor.id] = cursor

    def _expire(self) -> None:
        now = self._clock()
        for cursor_id in [c.id for c in self._open.values() if now - c.used_at > CURSOR_TTL_SECONDS]:
            del self._open[cursor_id]
