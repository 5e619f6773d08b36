"""Application errors the page and API layers turn into friendly answers, and how provider failures
are logged: once at ERROR per provider and request, with its cause and the correlation id."""
import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages as page_messages
from django.http import HttpRequest

from portal.core.cache import Cached


class Refused(Exception):
    """What the customer asked cannot be done: a plan this SIM cannot move to, a checkout without a
    payment method, a case that is closed. The one refusal of every app's services.

    ``messages`` say why, in the customer's words (translated); ``field`` names the input the refusal
    is about, when it is about one. Nothing was recorded or sent that the customer would have to
    undo. Pages show the messages (:func:`refusals_shown`); the API answers 400 with them under
    ``extra.fields`` (``portal.core.api.exception_handler``: the error's ``field``, else the view's
    ``refused_field``), or the view's ``refused_status`` with the message alone.
    """

    def __init__(self, *messages: str, field: str | None = None) -> None:
        if not messages:
            raise ValueError("a refusal says why")
        super().__init__(" ".join(str(message) for message in messages))
        self.messages = tuple(messages)
        self.field = field

    @property
    def message(self) -> str:
        """The messages as one text (most refusals have one)."""
        return " ".join(str(message) for message in self.messages)


@contextmanager
def refusals_shown(request: HttpRequest) -> Iterator[None]:
    """In a page view: a :class:`Refused` raised in the block becomes its messages, shown as errors
    on the next page, and the view goes on after the block (to redirect or render that page)."""
    try:
        yield
    except Refused as refused:
        for message in refused.messages:
            page_messages.error(request, message)


class ProviderUnavailable(Exception):
    """A provider failed and there is no copy to show instead. ``area`` is what the customer
    reads ("billing", "orders", ...); the technical cause is logged, never shown."""

    def __init__(self, area: str) -> None:
        super().__init__(f"{area} is temporarily unavailable")
        self.area = area


class _ReportedFailures:
    """The providers whose failure one request has logged at ERROR (shared with the request's
    threads: the dashboard's panels copy the context, and with it this object)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._providers: set[str] = set()

    def first(self, provider: str) -> bool:
        with self._lock:
            if provider in self._providers:
                return False
            self._providers.add(provider)
            return True


_reported: contextvars.ContextVar[_ReportedFailures | None] = contextvars.ContextVar(
    "provider_failures_reported", default=None)


@contextmanager
def one_error_per_provider() -> Iterator[None]:
    """Within this block (one request) a provider's failure is logged at ERROR the first time and at
    WARNING after that: a page that reads a failing provider three times (or three dashboard panels
    that do) is one error for the logs and alerts, not three."""
    token = _reported.set(_ReportedFailures())
    try:
        yield
    finally:
        _reported.reset(token)


def log_provider_failure(log: logging.Logger, provider: str, area: str, cause: BaseException, *,
                         stale: bool) -> None:
    reported = _reported.get()
    level = logging.ERROR if reported is None or reported.first(provider) else logging.WARNING
    if stale:
        log.log(level, "%s unavailable (%s), showing the last copy: %s", provider, area, cause)
    else:
        log.log(level, "%s unavailable (%s): %s", provider, area, cause)


def guarded(area: str, provider: str, failures: tuple[type[BaseException], ...], read, *, log):
    """Run a provider read; one of ``failures`` (with no stale copy to show) is logged on ``log``
    with its detail and becomes ``ProviderUnavailable(area)``, which pages and the API answer with
    a friendly 503. A stale copy served instead (``Cached.stale``) is logged the same way."""
    try:
        result = read()
    except failures as exc:
        log_provider_failure(log, provider, area, exc, stale=False)
        raise ProviderUnavailable(area) from exc
    if isinstance(result, Cached) and result.stale and result.failure is not None:
        log_provider_failure(log, provider, area, result.failure, stale=True)
    return result
