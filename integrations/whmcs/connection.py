"""The one way the portal talks to WHMCS's API (``includes/api.php``).

Every call is a form-encoded POST with ``action``, ``identifier``, ``secret`` and
``responsetype=json`` through one pooled ``requests.Session``. Read actions are retried on network
errors, 5xx and 429 with exponential backoff and jitter (honouring ``Retry-After``); write actions
are never retried, because WHMCS has no idempotency keys and a retried ``AddOrder`` would create a
second order (docs/decisions.md §7). A ``{"result": "error"}`` answer becomes a typed exception.
Credentials travel only in the request body: they never appear in logs or exception messages.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from integrations.circuit import CircuitBreaker, through_breaker
from integrations.retrying import read_retrying, retry_after_seconds
from integrations.whmcs.errors import (
    WhmcsApiError,
    WhmcsAuthError,
    WhmcsCircuitOpen,
    WhmcsError,
    WhmcsMalformedResponse,
    WhmcsNotFound,
    WhmcsRateLimited,
    WhmcsTransportError,
)

logger = logging.getLogger(__name__)

READ_ACTIONS = frozenset(
    {"GetInvoices", "GetInvoice", "GetClientsProducts", "GetCurrencies", "GetPayMethods", "GetOrders",
     "GetClientsDetails", "GetProducts", "GetClients", "GetUsers"}
)
_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class WhmcsConfig:
    api_url: str
    identifier: str = field(repr=False)
    secret: str = field(repr=False)
    access_key: str = field(default="", repr=False)
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    max_attempts: int = 3
    backoff_base: float = 0.2
    backoff_max: float = 3.0


class WhmcsConnection:
    """Sends API actions; answers the decoded JSON body of a successful call."""

    def __init__(self, config: WhmcsConfig, *, session: requests.Session | None = None,
                 on_call: Callable[[str], None] | None = None, breaker: CircuitBreaker | None = None) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._on_call = on_call
        self._breaker = breaker

    def call(self, action: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if action not in READ_ACTIONS:
            return self._send(action, params or {})
        retrying = read_retrying(error_type=WhmcsError, max_attempts=self.config.max_attempts,
                                 backoff_base=self.config.backoff_base, backoff_max=self.config.backoff_max,
                                 provider="whmcs", logger=logger)
        return retrying(self._send, action, params or {})

    def close(self) -> None:
        self._session.close()

    def _send(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return through_breaker(
            self._breaker, lambda: self._exchange(action, params),
            is_failure=lambda exc: isinstance(exc, (WhmcsTransportError, WhmcsMalformedResponse)),
            refused=lambda: WhmcsCircuitOpen(action, "not sent, the circuit breaker is open"),
        )

    def _exchange(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        body = {**params, "action": action, "identifier": self.config.identifier,
                "secret": self.config.secret, "responsetype": "json"}
        if self.config.access_key:
            body["accesskey"] = self.config.access_key
        if self._on_call:
            self._on_call(action)
        started = time.monotonic()
        try:
            # Never follow redirects: a 307/308 would re-send the credentials in the body to
            # whatever host the Location names, and a 301/302 would turn the POST into a bare GET.
            response = self._session.post(
                self.config.api_url, data=body, timeout=(self.config.connect_timeout, self.config.read_timeout),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise WhmcsTransportError(action, "timed out") from exc
        except requests.RequestException as exc:
            # The cause names the URL, never the body: credentials stay out of the message.
            raise WhmcsTransportError(action, f"network error ({type(exc).__name__})") from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info("whmcs %s -> HTTP %s in %.0f ms", action, response.status_code, elapsed_ms)
        return self._decode(action, response)

    def _decode(self, action: str, response: requests.Response) -> dict[str, Any]:
        if response.is_redirect:
            raise WhmcsMalformedResponse(
                action, f"HTTP {response.status_code} redirect; api_url must name api.php itself"
            )
        if response.status_code == 429:
            raise WhmcsRateLimited(action, "rate limited", retry_after=retry_after_seconds(response))
        if response.status_code in _RETRYABLE_STATUSES:
            raise WhmcsTransportError(action, f"HTTP {response.status_code}", retry_after=retry_after_seconds(response))
        try:
            payload = response.json()
        except ValueError:
            raise WhmcsMalformedResponse(action, f"HTTP {response.status_code}, body is not JSON") from None
        if not isinstance(payload, dict):
            raise WhmcsMalformedResponse(action, "body is not a JSON object")
        if payload.get("result") == "error" or response.status_code >= 400:
            raise _api_error(action, str(payload.get("message") or f"HTTP {response.status_code}"))
        if payload.get("result") != "success":
            raise WhmcsMalformedResponse(action, "no result field")
        return payload


def _api_error(action: str, message: str) -> WhmcsApiError:
    lowered = message.lower()
    if "authentication failed" in lowered or "invalid ip" in lowered:
        return WhmcsAuthError(action, message)
    if "not found" in lowered:
        return WhmcsNotFound(action, message)
    return WhmcsApiError(action, message)
