"""Counting provider calls per request: logged for every request, and sent back in the
``X-Provider-Calls`` header when ``PROVIDER_CALLS_HEADER`` is on (debug and tests)."""
import contextvars
import logging
import threading
from collections import Counter

from django.conf import settings

logger = logging.getLogger(__name__)


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()

    def add(self, provider: str, operation: str) -> None:
        with self._lock:
            self.calls[f"{provider}:{operation}"] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.calls.values())


_current: contextvars.ContextVar[CallCounter | None] = contextvars.ContextVar("provider_calls", default=None)


def record(provider: str):
    """An ``on_call`` hook for a provider connection."""

    def on_call(operation: str) -> None:
        counter = _current.get()
        if counter is not None:
            counter.add(provider, operation)

    return on_call


class ProviderCallsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = CallCounter()
        token = _current.set(counter)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if counter.total:
            logger.info("%s %s made %d provider call(s): %s", request.method, request.path, counter.total,
                        dict(counter.calls))
        if settings.PROVIDER_CALLS_HEADER:
            response["X-Provider-Calls"] = str(counter.total)
        return response
