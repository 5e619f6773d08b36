"""The one way the portal talks to WHMCS's API (``includes/api.php``).

Every call is a form-encoded POST with ``action``, ``identifier``, ``secret`` and
``responsetype=json``, sent by the provider HTTP base (``integrations.http``: one pooled session,
timeouts, no redirects, the circuit breaker, call counting, 429/5xx as transport errors). Read
actions are retried on network errors, 5xx and 429 with exponential backoff and jitter (honouring
``Retry-After``); write actions are never retried, because WHMCS has no idempotency keys and a
retried ``AddOrder`` would create a second billing order (docs/decisions.md §7). What is WHMCS's
own is here: the credentials in the body, and its ``{"result": ...}`` envelope decoded, an error
answer becoming a typed exception. Credentials travel only in the request body: they never
appear in logs or exception messages.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from integrations.http import HttpSettings, ProviderConnection
from integrations.whmcs.errors import KINDS, WhmcsApiError, WhmcsAuthError, WhmcsMalformedResponse, WhmcsNotFound

logger = logging.getLogger(__name__)

READ_ACTIONS = frozenset(
    {"GetInvoices", "GetInvoice", "GetClientsProducts", "GetCurrencies", "GetPayMethods", "GetOrders",
     "GetClientsDetails", "GetProducts", "GetClients", "GetUsers"}
)


@dataclass(frozen=True)
class WhmcsConfig(HttpSettings):
    api_url: str
    identifier: str = field(repr=False)
    secret: str = field(repr=False)
    access_key: str = field(default="", repr=False)


class WhmcsConnection(ProviderConnection):
    """Sends API actions; answers the decoded JSON body of a successful call."""

    name, kinds, logger = "whmcs", KINDS, logger
    config: WhmcsConfig

    def call(self, action: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if action not in READ_ACTIONS:
            return self._send(action, params or {})
        return self._http.retrying()(self._send, action, params or {})

    def _send(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        # action and the credentials last: a parameter can never replace them.
        body = {**params, "action": action, "identifier": self.config.identifier,
                "secret": self.config.secret, "responsetype": "json"}
        if self.config.access_key:
            body["accesskey"] = self.config.access_key
        return self._http.post(action, self.config.api_url, data=body,
                               decode=lambda answer: self._decode(action, answer))

    def _decode(self, action: str, response: requests.Response) -> dict[str, Any]:
        self._http.refuse_redirect(action, response, hint="api_url must name api.php itself")
        self._http.refuse_unavailable(action, response)
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
