"""What every provider connection does the same way, written once: the HTTP base of WHMCS, Salesforce
and Freebit.

:class:`ProviderHttp` holds one pooled ``requests.Session`` and sends a provider's requests with its
connect and read timeouts, never following a redirect (a 307/308 would re-send credentials to
whatever host the ``Location`` names, a 301/302 would turn a POST into a bare GET). Each exchange
goes through the provider's circuit breaker and is counted (``on_call``); a timeout or a network
error, a 429 and a 5xx become the provider's transport errors (carrying ``Retry-After``). Reads are
retried by :func:`read_retrying`: exponential backoff with full jitter, a bounded number of attempts,
a server's ``Retry-After`` honoured (capped), and only errors whose ``retryable`` is true
(docs/decisions.md §7). Writes are sent once.

:class:`ProviderError` is the one error base: the operation, the reason (never a credential or a
request body), ``retryable`` and ``retry_after``. Each provider's errors module names its own classes
on top of the kinds here (transport, rate limited, circuit open, malformed answer, API error), and its
connection keeps only what is its own: how a request is encoded and authenticated, and how an
answer is decoded.

The circuit breaker is a hook (:class:`CircuitBreaker`): the portal's lives in
``portal.core.circuit``, its state in the shared cache, so ``integrations`` still never sees Django.
While it is open the exchange raises the provider's ``…CircuitOpen`` without calling the provider;
``retryable`` is false on those, so the retry policy does not wait for a circuit that stays open.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

T = TypeVar("T")
MAX_RETRY_AFTER_SECONDS = 10.0


# --- errors ------------------------------------------------------------------------------------------


class ProviderError(Exception):
    """A provider call failed. ``retryable``: whether sending the same read again may succeed."""

    provider: ClassVar[str] = "provider"
    """The provider's name in messages ("WHMCS"); each provider's base error sets it."""
    retryable: ClassVar[bool] = False

    def __init__(self, operation: str, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"{self.provider} {operation}: {reason}")
        self.operation = operation
        self.reason = reason
        self.retry_after = retry_after
        """Seconds the provider asked us to wait (its ``Retry-After``), if it said."""


class TransportError(ProviderError):
    """Network error, timeout or 5xx: the provider did not answer usefully."""

    retryable = True


class RateLimited(TransportError):
    """HTTP 429 (or the provider's own "too many requests"); ``retry_after`` holds the wait asked for."""


class CircuitOpen(TransportError):
    """Not sent: the provider failed repeatedly and the circuit breaker is open."""

    retryable = False


class MalformedResponse(ProviderError):
    """The provider answered something that is not its answer format."""


class ApiError(ProviderError):
    """The provider answered with an error of its own (its message, for the logs)."""


@dataclass(frozen=True)
class ErrorKinds:
    """A provider's own classes for the failures the HTTP base raises."""

    base: type[ProviderError]
    """Every error of the provider's (what its reads are retried on, when ``retryable``)."""
    transport: type[TransportError]
    circuit_open: type[CircuitOpen]
    rate_limited: type[TransportError]
    """The provider's RateLimited, or its transport error where it has none."""
    malformed: type[ProviderError]


# --- the circuit breaker hook ----------------------------------------------------------------------


class CircuitBreaker(Protocol):
    def allow(self) -> bool:
        """May a call go to the provider now? (False while the circuit is open.)"""

    def record_success(self) -> None:
        """The provider answered (any answer it meant to give, errors included)."""

    def record_failure(self) -> None:
        """The provider did not answer usefully: network error, timeout, 5xx, 429 or garbage."""


def through_breaker(breaker: CircuitBreaker | None, send: Callable[[], T], *,
                    is_failure: Callable[[BaseException], bool], refused: Callable[[], Exception]) -> T:
    """Run ``send`` unless the circuit is open (then raise ``refused()``), and report how it went."""
    if breaker is None:
        return send()
    if not breaker.allow():
        raise refused()
    try:
        result = send()
    except Exception as exc:
        if is_failure(exc):
            breaker.record_failure()
        else:
            breaker.record_success()
        raise
    breaker.record_success()
    return result


# --- retries -------------------------------------------------------------------------------------------


def read_retrying(*, error_type: type[Exception], max_attempts: int, backoff_base: float, backoff_max: float,
                  provider: str, logger: logging.Logger) -> Retrying:
    """The retry policy of calls that are safe to repeat: ``error_type`` errors whose ``retryable``
    is true, ``max_attempts`` tries, backoff with jitter or the error's ``retry_after`` (capped)."""
    backoff = wait_random_exponential(multiplier=backoff_base, max=backoff_max)

    def wait(state: RetryCallState) -> float:
        delay = backoff(state)
        retry_after = getattr(_exception(state), "retry_after", None)
        return max(delay, min(retry_after, MAX_RETRY_AFTER_SECONDS)) if retry_after else delay

    def log_retry(state: RetryCallState) -> None:
        logger.warning("%s retry after attempt %d: %s", provider, state.attempt_number, _exception(state))

    return Retrying(
        retry=retry_if_exception(lambda exc: isinstance(exc, error_type) and getattr(exc, "retryable", False)),
        stop=stop_after_attempt(max_attempts),
        wait=wait,
        before_sleep=log_retry,
        reraise=True,
    )


def retry_after_seconds(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds (its delta-seconds form), or None."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _exception(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome else None


# --- the HTTP base -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class HttpSettings:
    """Every provider configuration's timeouts (seconds) and read retry policy."""

    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    max_attempts: int = 3
    """Tries of a read; writes are sent once."""
    backoff_base: float = 0.2
    backoff_max: float = 3.0


class ProviderHttp:
    """One provider's HTTP: its session, timeouts, breaker, call counting, failure mapping and retries."""

    def __init__(self, name: str, errors: ErrorKinds, settings: HttpSettings, *, logger: logging.Logger,
                 session: requests.Session | None = None, on_call: Callable[[str], None] | None = None,
                 breaker: CircuitBreaker | None = None) -> None:
        self.name = name
        self.errors = errors
        self.settings = settings
        self.timeout = (settings.connect_timeout, settings.read_timeout)
        self.session = session or requests.Session()
        self._logger = logger
        self._on_call = on_call
        self._breaker = breaker

    def close(self) -> None:
        self.session.close()

    def retrying(self) -> Retrying:
        """The retry policy of reads: the provider's retryable errors, ``max_attempts`` tries, backoff
        with jitter or ``Retry-After``. Only for calls that are safe to repeat."""
        return read_retrying(error_type=self.errors.base, max_attempts=self.settings.max_attempts,
                             backoff_base=self.settings.backoff_base, backoff_max=self.settings.backoff_max,
                             provider=self.name, logger=self._logger)

    def post(self, operation: str, url: str, *, decode: Callable[[requests.Response], T], described: str = "",
             **request) -> T:
        """POST ``request`` (``data``, ``headers``...) to ``url`` as one exchange, and hand the answer to
        the provider's ``decode`` (which raises the provider's errors for what it cannot use)."""
        def send() -> T:
            started = time.monotonic()
            response = self.session.post(url, timeout=self.timeout, allow_redirects=False, **request)
            self._logger.info("%s %s -> HTTP %s in %.0f ms", self.name, described or operation,
                              response.status_code, (time.monotonic() - started) * 1000)
            return decode(response)

        return self.exchange(operation, send, timed=False)

    def exchange(self, operation: str, send: Callable[[], T], *, timed: bool = True) -> T:
        """``send()`` as one call to the provider: through the breaker, counted, a timeout or a
        network error raised as the provider's transport error. The breaker counts transport errors
        and malformed answers as failures, any other answer (errors included) as the provider's."""
        failures = (self.errors.transport, self.errors.malformed)
        return through_breaker(
            self._breaker, lambda: self._counted(operation, send, timed=timed),
            is_failure=lambda exc: isinstance(exc, failures),
            refused=lambda: self.errors.circuit_open(operation, "not sent, the circuit breaker is open"),
        )

    def refuse_unavailable(self, operation: str, response: requests.Response) -> None:
        """A 429 or a 5xx: the provider is unavailable for now (with the wait it asked for, if any)."""
        status = response.status_code
        if status == 429:
            raise self.errors.rate_limited(operation, "rate limited", retry_after=retry_after_seconds(response))
        if status >= 500:
            raise self.errors.transport(operation, f"HTTP {status}", retry_after=retry_after_seconds(response))

    def refuse_redirect(self, operation: str, response: requests.Response, *, hint: str) -> None:
        """A redirect is never followed: the configured URL is wrong (``hint`` says what it should be)."""
        if response.is_redirect:
            raise self.errors.malformed(operation, f"HTTP {response.status_code} redirect; {hint}")

    def _counted(self, operation: str, send: Callable[[], T], *, timed: bool) -> T:
        if self._on_call:
            self._on_call(operation)
        started = time.monotonic()
        try:
            result = send()
        except requests.Timeout as exc:
            raise self.errors.transport(operation, "timed out") from exc
        except requests.RequestException as exc:
            # The cause names the URL at most, never the body: credentials stay out of the message.
            raise self.errors.transport(operation, f"network error ({type(exc).__name__})") from exc
        if timed:
            self._logger.info("%s %s in %.0f ms", self.name, operation, (time.monotonic() - started) * 1000)
        return result


class ProviderConnection:
    """What every provider connection holds: its configuration and its :class:`ProviderHttp`
    (``name`` and ``kinds`` are the provider's; its module logger logs the exchanges)."""

    name: ClassVar[str]
    kinds: ClassVar[ErrorKinds]
    logger: ClassVar[logging.Logger]

    def __init__(self, config: HttpSettings, *, session: requests.Session | None = None,
                 on_call: Callable[[str], None] | None = None, breaker: CircuitBreaker | None = None) -> None:
        self.config = config
        self._http = ProviderHttp(self.name, self.kinds, config, logger=self.logger, session=session,
                                  on_call=on_call, breaker=breaker)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    def close(self) -> None:
        self._http.close()
