"""The one way the portal talks to Freebit's MVNO API.

Every call is ``POST <api_url><endpoint>`` with a JSON body and ``Authorization: Bearer <api key>``,
through one pooled ``requests.Session`` with connect/read timeouts; redirects are never followed
(a 307/308 would replay the bearer token to whatever host ``Location`` names).

Reads (details, usage, top-up history) are retried on network errors, 5xx and 429 with exponential
backoff and jitter, honouring ``Retry-After`` (capped). Writes (top-up, plan change, activation)
are sent once: the connection never retries them (DECISIONS §7). A top-up and an activation carry
an idempotency key, so the entity service may retry *them* through
:meth:`FreebitConnection.retrying` (``sims.py``).

Answers are Freebit's envelope ``{"resultCode": "100", "status": {"message", "statusCode"}, ...}``
(wire format: ``sandbox/freebit/api.py``). Business refusals come with HTTP 200 and an error
``resultCode``; this module is the one place that maps result codes to typed exceptions
(:data:`RESULT_CODE_ERRORS`, and :data:`ENDPOINT_RESULT_CODE_ERRORS` for the codes of one
endpoint). The API key never appears in logs or exception messages.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from tenacity import Retrying

from integrations.circuit import CircuitBreaker, through_breaker
from integrations.freebit.errors import (
    FreebitActivationRefused,
    FreebitApiError,
    FreebitAuthError,
    FreebitCircuitOpen,
    FreebitError,
    FreebitInvalidRequest,
    FreebitMalformedResponse,
    FreebitPlanChangeRefused,
    FreebitRateLimited,
    FreebitSimSuspended,
    FreebitTransportError,
    FreebitUnknownSim,
)
from integrations.retrying import read_retrying, retry_after_seconds

logger = logging.getLogger(__name__)

DETAILS = "/api/sim/details"
USAGE = "/api/sim/usage"
TOPUP = "/api/sim/topup"
PLAN_CHANGE = "/api/sim/plan-change"
TOPUP_HISTORY = "/api/sim/topup-history"
ACTIVATE = "/api/sim/activation"
READ_ENDPOINTS = frozenset({DETAILS, USAGE, TOPUP_HISTORY})
"""Endpoints retried by the connection; anything else is treated as a write and sent once."""

OK = "100"
RESULT_CODE_ERRORS: dict[str, type[FreebitError]] = {
    "201": FreebitInvalidRequest,  # a parameter missing or invalid
    "202": FreebitInvalidRequest,  # usage date range refused
    "210": FreebitUnknownSim,
    "220": FreebitPlanChangeRefused,  # no such plan, or retired
    "221": FreebitPlanChangeRefused,  # other SIM type
    "222": FreebitPlanChangeRefused,  # already on that plan
    "230": FreebitSimSuspended,
    "240": FreebitInvalidRequest,  # top-up quota out of range
    "241": FreebitInvalidRequest,  # request id reused for another top-up
    "401": FreebitAuthError,
    "500": FreebitRateLimited,
}
"""Freebit's error result codes -> our exceptions; unlisted codes raise FreebitApiError."""
ENDPOINT_RESULT_CODE_ERRORS: dict[str, dict[str, type[FreebitError]]] = {
    ACTIVATE: {
        "250": FreebitActivationRefused,  # no such plan to activate a SIM on, or retired
        "251": FreebitActivationRefused,  # no blank SIM left in the MVNO's pool
        "252": FreebitInvalidRequest,  # request id reused for another activation
    },
}
"""Result codes only one endpoint answers; they take precedence over RESULT_CODE_ERRORS there."""

_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FreebitConfig:
    api_url: str
    """The API's base URL, without the ``/api/sim/...`` path."""
    api_key: str = field(repr=False)
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    max_attempts: int = 3
    backoff_base: float = 0.2
    backoff_max: float = 3.0


class FreebitConnection:
    """Sends API calls; answers the decoded JSON body of a successful one (``resultCode`` "100")."""

    def __init__(self, config: FreebitConfig, *, session: requests.Session | None = None,
                 on_call: Callable[[str], None] | None = None, breaker: CircuitBreaker | None = None) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._on_call = on_call
        self._breaker = breaker

    def __repr__(self) -> str:
        return f"FreebitConnection({self.config!r})"

    def request(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``endpoint`` (e.g. ``"/api/sim/details"``); reads are retried."""
        if not endpoint.startswith("/") or endpoint.startswith("//"):
            raise ValueError("endpoint must be a path such as /api/sim/details")
        if endpoint not in READ_ENDPOINTS:
            return self._send(endpoint, body)
        return self.retrying()(self._send, endpoint, body)

    def retrying(self) -> Retrying:
        """The retry policy of reads: retryable FreebitErrors, ``max_attempts`` tries, backoff with
        jitter or ``Retry-After``. Only for calls that are safe to repeat."""
        return read_retrying(error_type=FreebitError, max_attempts=self.config.max_attempts,
                             backoff_base=self.config.backoff_base, backoff_max=self.config.backoff_max,
                             provider="freebit", logger=logger)

    def close(self) -> None:
        self._session.close()

    def _send(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return through_breaker(
            self._breaker, lambda: self._exchange(endpoint, body),
            is_failure=lambda exc: isinstance(exc, (FreebitTransportError, FreebitMalformedResponse)),
            refused=lambda: FreebitCircuitOpen(endpoint, "not sent, the circuit breaker is open"),
        )

    def _exchange(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        if self._on_call:
            self._on_call(endpoint)
        started = time.monotonic()
        try:
            response = self._session.post(
                self.config.api_url.rstrip("/") + endpoint,
                json=dict(body),
                headers={"Authorization": f"Bearer {self.config.api_key}", "Accept": "application/json"},
                timeout=(self.config.connect_timeout, self.config.read_timeout),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise FreebitTransportError(endpoint, "timed out") from exc
        except requests.RequestException as exc:
            # The cause names the URL, never the headers: the API key stays out of the message.
            raise FreebitTransportError(endpoint, f"network error ({type(exc).__name__})") from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info("freebit %s -> HTTP %s in %.0f ms", endpoint, response.status_code, elapsed_ms)
        return self._decode(endpoint, response)

    def _decode(self, endpoint: str, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if response.is_redirect:
            raise FreebitMalformedResponse(endpoint, f"HTTP {status} redirect; api_url must be the API's base URL")
        if status == 429:
            raise FreebitRateLimited(endpoint, "rate limited", retry_after=retry_after_seconds(response))
        if status in _RETRYABLE_STATUSES or status >= 500:
            raise FreebitTransportError(endpoint, f"HTTP {status}", retry_after=retry_after_seconds(response))
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if status in (401, 403) and not (isinstance(payload, dict) and payload.get("resultCode") not in (None, OK)):
            raise FreebitAuthError(endpoint, f"HTTP {status}: the API key was refused")
        if not isinstance(payload, dict):
            raise FreebitMalformedResponse(endpoint, f"HTTP {status}, body is not a JSON object")
        code = payload.get("resultCode")
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code)
        if not isinstance(code, str) or not code.isdigit():
            raise FreebitMalformedResponse(endpoint, f"HTTP {status}, no resultCode")
        if code == OK:
            if status != 200:
                raise FreebitMalformedResponse(endpoint, f"HTTP {status} with resultCode {OK}")
            return payload
        raise _api_error(endpoint, code, _message(payload), retry_after=retry_after_seconds(response))



def _message(payload: Mapping[str, Any]) -> str:
    status = payload.get("status")
    message = status.get("message") if isinstance(status, Mapping) else None
    return message.strip()[:200] if isinstance(message, str) and message.strip() else "no message"


def _api_error(endpoint: str, code: str, message: str, *, retry_after: float | None = None) -> FreebitError:
    error_type = (ENDPOINT_RESULT_CODE_ERRORS.get(endpoint, {}).get(code)
                  or RESULT_CODE_ERRORS.get(code, FreebitApiError))
    return error_type(endpoint, f"resultCode {code}: {message}", result_code=code, retry_after=retry_after)


