"""The one way the portal talks to Freebit's MVNO API (the "PA" operations, docs/freebit.md).

Every call is ``POST <api_url><path>`` where ``api_url`` ends in ``/emptool/api`` and the path has
its trailing slash (``/mvno/getTrafficInfo/``). The body is a form post whose one field ``json``
carries the request object as a JSON string (``application/x-www-form-urlencoded``); there is no
authentication header. Instead every request object carries an ``authKey``, which ``authOem/``
(PA01-01) gives for the OEM id and key Freebit issued. The key is fetched on the first call, kept
by the connection, and, when Freebit refuses it (its lifetime is not documented), fetched once
more and the call sent once more: a refused key means the call was not carried out.

The provider HTTP base (``integrations.http``) sends it: one pooled session, timeouts, no
redirects, the circuit breaker, call counting. Reads (PA03-02, PA05-01, PA05-02) are retried on
network errors, 5xx and 429 with exponential backoff and jitter, honouring ``Retry-After``
(capped). Writes (PA04-04, PA05-21, PA02-01, PA05-41, PA05-06, PA05-38, PA02-04) are sent
once: **none of them has an idempotency key**, so this module never retries them and neither may
any caller without first finding out whether the first one took effect (``portal/sim/topups.py``).

Answers are Freebit's envelope ``{"resultCode": "100", "status": {"message", "statusCode"}, ...}``.
This module is the one place that maps result codes to typed exceptions (:data:`RESULT_CODE_ERRORS`):
apart from "100" (success) and 400-356 (an unsupported pattern), Freebit's result codes are not in
the documents we have, so that table is an assumption to confirm (docs/freebit.md). Neither the OEM
key nor an ``authKey`` ever appears in logs or exception messages.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from tenacity import Retrying

from domain.shared.errors import MappingError
from domain.sim.providers.freebit import transform_freebit_auth_key
from integrations.freebit.errors import (
    KINDS,
    FreebitActivationRefused,
    FreebitAlreadyRegistered,
    FreebitApiError,
    FreebitAuthError,
    FreebitError,
    FreebitInvalidRequest,
    FreebitLineLocked,
    FreebitMalformedResponse,
    FreebitNoVoiceService,
    FreebitPlanChangeRefused,
    FreebitRateLimited,
    FreebitSimSuspended,
    FreebitUnknownSim,
)
from integrations.http import HttpSettings, ProviderConnection, retry_after_seconds

logger = logging.getLogger(__name__)

# The paths under <api_url> (= https://<host>/emptool/api). Documented in the PA document unless noted.
AUTH = "/authOem/"  # PA01-01
ACCOUNT_DETAILS = "/mvno/getDetail/"  # PA03-02 (path from Freebit's implementation guide, not the PA document)
TRAFFIC = "/mvno/getTrafficInfo/"  # PA05-01
QUOTA_ADD = "/master/addSpec/"  # PA04-04 (path from the implementation guide, not the PA document)
QUOTA_HISTORY = "/mvno/getQuotaHistory/"  # PA05-02: ASSUMPTION, the path is not in any document we have
PLAN_CHANGE = "/mvno/changePlan/"  # PA05-21: ASSUMPTION, the document prints only https://<endpoint>
NEW_LINE = "/master/addAcnt/"  # PA02-01, a physical SIM
NEW_ESIM_LINE = "/mvno/esim/addAcnt/"  # PA05-41, an eSIM (a new line, or a reissue: addKind "R")
VOICE_OPTIONS = "/mvno/talkoption/changeOrder/"  # PA05-06
CONTRACT_LINE = "/mvno/contractline/change/"  # PA05-38
CANCEL = "/master/cnclAcnt/"  # PA02-04

OPERATIONS = {
    AUTH: "PA01-01",
    ACCOUNT_DETAILS: "PA03-02",
    TRAFFIC: "PA05-01",
    QUOTA_ADD: "PA04-04",
    QUOTA_HISTORY: "PA05-02",
    PLAN_CHANGE: "PA05-21",
    NEW_LINE: "PA02-01",
    NEW_ESIM_LINE: "PA05-41",
    VOICE_OPTIONS: "PA05-06",
    CONTRACT_LINE: "PA05-38",
    CANCEL: "PA02-04",
}
"""Every path the portal calls, with Freebit's document code."""
READS = frozenset({AUTH, ACCOUNT_DETAILS, TRAFFIC, QUOTA_HISTORY})
"""Retried by the connection; every other operation is a write and is sent once."""

OK = "100"
RESULT_CODE_ERRORS: dict[str, type[FreebitError]] = {
    # Documented: resultCode 400 with statusCode 356, "unsupported pattern" (PA05-33, PA05-41).
    "400-356": FreebitInvalidRequest,
    # ASSUMPTION, every code below: Freebit's result-code tables are not in the documents we have.
    "201": FreebitInvalidRequest,  # a parameter is missing or invalid (the message names it)
    "210": FreebitUnknownSim,  # no such account (phone number)
    "220": FreebitPlanChangeRefused,  # no such plan code, or not one this account may change to
    "230": FreebitSimSuspended,  # the account is suspended: no quota added, no plan change
    "240": FreebitInvalidRequest,  # quota out of range (1..512000 MB)
    "250": FreebitActivationRefused,  # new line refused: unknown product number / EID, or plan
    "251": FreebitAlreadyRegistered,  # new line refused: the phone number is already registered
    "260": FreebitLineLocked,  # the account is locked: a 4G/5G switch (PA05-38) is in progress
    "270": FreebitNoVoiceService,  # a voice-option change for a data-only account
    "401": FreebitAuthError,  # authOem: wrong OEM id or key; any other call: authKey unknown or expired
    "500": FreebitRateLimited,  # too many requests
}
"""Freebit's error codes -> our exceptions: ``"<resultCode>-<statusCode>"`` first, then
``"<resultCode>"``; an unlisted code raises FreebitApiError."""


@dataclass(frozen=True)
class FreebitConfig(HttpSettings):
    api_url: str
    """``https://<host>/emptool/api``: the paths above are appended to it."""
    oem_id: str
    oem_key: str = field(repr=False)


class FreebitConnection(ProviderConnection):
    """Sends PA operations; answers the decoded JSON body of a successful one (``resultCode`` "100")."""

    name, kinds, logger = "freebit", KINDS, logger
    config: FreebitConfig

    def __init__(self, config: FreebitConfig, **transport) -> None:
        super().__init__(config, **transport)
        self._auth_lock = threading.Lock()
        self._auth_key: str | None = None  # authOem's key, kept until Freebit refuses it

    def request(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Send the operation at ``path`` (e.g. ``TRAFFIC``) with ``body`` (``authKey`` is added);
        reads are retried, writes sent once (twice only when the first was refused for its key)."""
        if path not in OPERATIONS or path == AUTH:
            raise ValueError(f"unknown Freebit operation path {path!r}")
        if "authKey" in body:
            raise ValueError("the connection adds the authKey itself")
        if path in READS:
            return self.retrying()(self._authenticated, path, body)
        return self._authenticated(path, body)

    def retrying(self) -> Retrying:
        """The retry policy of reads: retryable FreebitErrors, ``max_attempts`` tries, backoff with
        jitter or ``Retry-After``. Only for calls that are safe to repeat."""
        return self._http.retrying()

    # -- authentication ------------------------------------------------------------------------------
    def _authenticated(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        key = self._current_key()
        try:
            return self._send(path, {"authKey": key, **body})
        except FreebitAuthError:
            logger.info("freebit %s: the authKey was refused; authenticating again", path)
            self._forget_key(key)
        return self._send(path, {"authKey": self._current_key(), **body})  # once more, with a new key

    def _current_key(self) -> str:
        with self._auth_lock:
            if self._auth_key is None:
                self._auth_key = self._authenticate()
            return self._auth_key

    def _forget_key(self, refused: str) -> None:
        with self._auth_lock:
            if self._auth_key == refused:  # another thread may have fetched a new one meanwhile
                self._auth_key = None

    def _authenticate(self) -> str:
        """PA01-01: a new authKey for the OEM id and key (a refusal is a FreebitAuthError)."""
        answer = self.retrying()(self._send, AUTH, {"oemId": self.config.oem_id, "oemKey": self.config.oem_key})
        try:
            return transform_freebit_auth_key(answer)
        except MappingError as exc:
            raise FreebitMalformedResponse(AUTH, str(exc)) from None

    # -- one exchange --------------------------------------------------------------------------------
    def _send(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._http.post(
            path, self.config.api_url.rstrip("/") + path, described=f"{OPERATIONS[path]} {path}",
            data={"json": json.dumps(dict(body), ensure_ascii=False, separators=(",", ":"))},
            headers={"Accept": "application/json"}, decode=lambda answer: self._decode(path, answer),
        )

    def _decode(self, path: str, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        self._http.refuse_redirect(path, response, hint="api_url must end in /emptool/api")
        try:
            payload = response.json()
        except ValueError:
            payload = None
        code = _result_code(payload)
        if code is None:
            self._http.refuse_unavailable(path, response)
            if status in (401, 403):
                raise FreebitAuthError(path, f"HTTP {status}: refused")
            raise FreebitMalformedResponse(path, f"HTTP {status}, no Freebit envelope")
        if code == OK:
            if status != 200:
                raise FreebitMalformedResponse(path, f"HTTP {status} with resultCode {OK}")
            return payload
        # Whether Freebit answers errors with HTTP 200 or 4xx is not documented: the code decides.
        raise _api_error(path, code, _status_code(payload), _message(payload),
                         retry_after=retry_after_seconds(response))


def _result_code(payload: object) -> str | None:
    if not isinstance(payload, dict):
        return None
    code = payload.get("resultCode")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    return code if isinstance(code, str) and code.isdigit() else None


def _status_code(payload: Mapping[str, Any]) -> str:
    status = payload.get("status")
    code = status.get("statusCode") if isinstance(status, Mapping) else None
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    return code if isinstance(code, str) and code.isdigit() else ""


def _message(payload: Mapping[str, Any]) -> str:
    status = payload.get("status")
    message = status.get("message") if isinstance(status, Mapping) else None
    return message.strip()[:200] if isinstance(message, str) and message.strip() else "no message"


def _api_error(path: str, code: str, status_code: str, message: str, *,
               retry_after: float | None = None) -> FreebitError:
    error_type = (RESULT_CODE_ERRORS.get(f"{code}-{status_code}") or RESULT_CODE_ERRORS.get(code)
                  or FreebitApiError)
    detail = f"{code}-{status_code}" if status_code else code
    return error_type(path, f"resultCode {detail}: {message}", result_code=code, retry_after=retry_after)
