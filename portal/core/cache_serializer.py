"""The cache's serializer: django-redis's pickle, each provider value decoded once per process.

A warm page reads the same cached values again and again, and unpickling them (validated domain
models: invoices, services, orders, SIM details) was the largest single cost of a warm dashboard
(docs/performance.md). A value read again as the very same bytes is the very same value, so the
object decoded the first time is handed out again. Only what cannot change is kept this way: a
:class:`~portal.core.cache.Cached` wrapping frozen domain models, tuples or plain scalars. Sessions,
counters and anything else are decoded every time as before. A refreshed value is new bytes, so
nothing stale can come of it; the store is bounded (``KEPT_BYTES`` of pickles per process, oldest
first out).
"""
from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from django_redis.serializers.pickle import PickleSerializer
from pydantic import BaseModel

KEPT_BYTES = 16 * 1024 * 1024
_SCALARS = (str, bytes, int, float, bool, Decimal, date, datetime, Enum, type(None))

_lock = threading.Lock()
_kept: dict[bytes, Any] = {}
_kept_bytes = 0


class KeptValuesSerializer(PickleSerializer):
    def loads(self, value: bytes) -> Any:
        kept = _kept.get(value)
        if kept is not None:
            return kept
        decoded = super().loads(value)
        if _unchangeable_value(decoded):
            _keep(value, decoded)
        return decoded


def forget_kept_values() -> None:
    global _kept_bytes
    with _lock:
        _kept.clear()
        _kept_bytes = 0


def _keep(raw: bytes, decoded: Any) -> None:
    global _kept_bytes
    with _lock:
        if raw in _kept or len(raw) > KEPT_BYTES // 4:
            return
        while _kept and _kept_bytes + len(raw) > KEPT_BYTES:
            oldest = next(iter(_kept))
            del _kept[oldest]
            _kept_bytes -= len(oldest)
        _kept[raw] = decoded
        _kept_bytes += len(raw)


def _unchangeable_value(decoded: Any) -> bool:
    from portal.core.cache import Cached

    return type(decoded) is Cached and decoded.failure is None and _unchangeable(decoded.value)


def _unchangeable(value: Any) -> bool:
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, BaseModel):
        return bool(value.model_config.get("frozen")) and all(
            _unchangeable(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, tuple | frozenset):
        return all(_unchangeable(item) for item in value)
    return False
