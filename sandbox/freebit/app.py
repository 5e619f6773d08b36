"""The Freebit emulator as a WSGI app: ``POST /emptool/api/<group>/<operation>/`` (wire format:
``api.py``) plus sandbox-only operator endpoints under ``/__sandbox__/``:

- ``GET|POST /__sandbox__/clock``: the calendar (``{"today": "YYYY-MM-DD"}`` pins it; null: real);
- ``GET /__sandbox__/sims``, ``GET|POST /__sandbox__/sims/<phone number>``: the lines (with what is
  pending on each: voice options, a 4G/5G switch and its lock, a cancellation, the writes accepted), and
  ``{"status": "active" | "suspended"}`` to suspend or resume one (a lost SIM, an unpaid bill);
- ``DELETE /__sandbox__/auth-keys``: expire every authKey handed out (the next call is refused
  with resultCode "401", as when a key's lifetime runs out).
"""
from __future__ import annotations

import hmac
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.common import (
    CONTROL_PREFIX,
    BadRequest,
    EmulatorApp,
    FaultConfig,
    Request,
    Response,
    json_response,
    text_response,
)
from sandbox.common.clock import provider_now, provider_today
from sandbox.common.faults import coerce_config

from .api import API_PREFIX, HANDLERS, OPERATIONS, ApiContext, ApiError, AuthKeys, account_details, envelope, error_body
from .seed import DEFAULT_USAGE_SEED, seed_store
from .store import Account

DEFAULT_OEM_ID = "sandbox-oem"
DEFAULT_OEM_KEY = "sandbox-freebit-oem-key"  # noqa: S105 - the sandbox's published demo credential
AUTH = "/authOem/"


@dataclass(frozen=True)
class FreebitConfig:
    oem_id: str = DEFAULT_OEM_ID
    oem_key: str = field(default=DEFAULT_OEM_KEY, repr=False)
    auth_key_ttl_seconds: int = 3600
    """How long an authKey stays valid (Freebit's own lifetime is not documented)."""
    activation_delay_seconds: int = 0
    """How long a new line stays "temporary" before it is in service (Freebit: up to 10 minutes)."""
    voice_option_delay_seconds: int = 300
    """How long after it is accepted a voice-option change (PA05-06) is applied (Freebit: "later")."""
    contract_line_seconds: int = 1800
    """How long a 4G/5G switch (PA05-38) takes and locks the line (Freebit: about 30 minutes)."""
    cancel_delay_seconds: int = 600
    """How long after its time a cancellation (PA02-04) takes effect (Freebit: up to 10 minutes)."""
    faults: FaultConfig | Mapping[str, Any] | None = None
    seed: int | None = None
    """Seeds the fault injector's random generator."""
    today: date | None = None
    """Pins the emulator's calendar (seed dates, usage, plan changes); default: today in Japan."""
    usage_seed: int = DEFAULT_USAGE_SEED
    """Seeds the generated daily usage."""
    customers: int = 0
    """Generated customers whose SIM lines are seeded beside the demo's (``sandbox.population``)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FreebitConfig:
        """``SANDBOX_FREEBIT_OEM_ID``, ``_OEM_KEY``, ``_AUTH_KEY_TTL_SECONDS``,
        ``_ACTIVATION_DELAY_SECONDS``, ``_VOICE_OPTION_DELAY_SECONDS``, ``_CONTRACT_LINE_SECONDS``,
        ``_CANCEL_DELAY_SECONDS``, ``_TODAY`` (YYYY-MM-DD), ``_USAGE_SEED``, ``_CUSTOMERS``, and the fault
        variables (``SANDBOX_FREEBIT_FAULT_*`` or ``SANDBOX_FAULT_*``, see ``FaultConfig.from_env``)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"SANDBOX_FREEBIT_{name}")
            return value if value else None

        return cls(
            oem_id=get("OEM_ID") or DEFAULT_OEM_ID,
            oem_key=get("OEM_KEY") or DEFAULT_OEM_KEY,
            auth_key_ttl_seconds=int(get("AUTH_KEY_TTL_SECONDS") or 3600),
            activation_delay_seconds=int(get("ACTIVATION_DELAY_SECONDS") or 0),
            voice_option_delay_seconds=int(get("VOICE_OPTION_DELAY_SECONDS") or 300),
            contract_line_seconds=int(get("CONTRACT_LINE_SECONDS") or 1800),
            cancel_delay_seconds=int(get("CANCEL_DELAY_SECONDS") or 600),
            faults=FaultConfig.from_env(env, emulator="freebit"),
            today=date.fromisoformat(get("TODAY")) if get("TODAY") else None,
            usage_seed=int(get("USAGE_SEED") or DEFAULT_USAGE_SEED),
            customers=int(get("CUSTOMERS") or 0),
        )


class FreebitSandbox(EmulatorApp):
    name = "freebit"

    def __init__(self, config: FreebitConfig | None = None, **overrides: Any):
        config = replace(config or FreebitConfig(), **overrides)
        super().__init__(faults=coerce_config(config.faults), seed=config.seed)
        self.config = config
        self._lock = threading.RLock()
        self._today = config.today
        self.auth_keys = AuthKeys(ttl=timedelta(seconds=config.auth_key_ttl_seconds), issued={})
        self.store = seed_store(self.now(), config.usage_seed, config.customers)

    # -- clock ------------------------------------------------------------------------------------
    def today(self) -> date:
        return provider_today(self._today)

    def now(self) -> datetime:
        return provider_now(self._today)

    def set_today(self, today: date | None) -> None:
        """Pin the calendar to ``today`` (None: the real date). It only moves forward: booked plan
        changes that come due are applied and the new days' usage is generated."""
        with self._lock:
            if today is not None and today < self.store.today:
                raise ValueError(f"the calendar only moves forward (it is {self.store.today.isoformat()})")
            self._today = today
            self.store.advance(self.now())

    # -- EmulatorApp hooks ------------------------------------------------------------------------
    def api_call_name(self, request: Request) -> str | None:
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return None
        return OPERATIONS.get(request.path[len(API_PREFIX):])

    def reset_state(self) -> None:
        with self._lock:
            # authKeys handed out stay valid
            self.store = seed_store(self.now(), self.config.usage_seed, self.config.customers)

    def handle(self, request: Request) -> Response:
        operation = self.api_call_name(request)
        if operation is None:
            if request.path.startswith(API_PREFIX) and request.path[len(API_PREFIX):] in OPERATIONS:
                response = text_response("Method Not Allowed\n", 405)
                response.set_header("Allow", "POST")
                return response
            return text_response("Not Found\n", 404)
        try:
            body = _json_field(request)
        except ApiError as error:
            return _answer(error_body(error))
        with self._lock:
            now = self.now()
            self.store.advance(now)
            try:
                if operation == OPERATIONS[AUTH]:
                    return _answer(self._authenticate(body, now))
                if not self.auth_keys.valid(body.get("authKey"), now):
                    raise ApiError("401", "Authentication error: the authKey is invalid or expired.", "401")
                config = self.config
                context = ApiContext(store=self.store, body=body, now=now,
                                     activation_delay=timedelta(seconds=config.activation_delay_seconds),
                                     voice_option_delay=timedelta(seconds=config.voice_option_delay_seconds),
                                     contract_line_delay=timedelta(seconds=config.contract_line_seconds),
                                     cancel_delay=timedelta(seconds=config.cancel_delay_seconds))
                return _answer(HANDLERS[operation](context))
            except ApiError as error:
                return _answer(error_body(error), error.http_status)

    def _authenticate(self, body: dict[str, Any], now: datetime) -> dict:
        oem_id, oem_key = body.get("oemId"), body.get("oemKey")
        if not isinstance(oem_id, str) or not isinstance(oem_key, str) or not (
                hmac.compare_digest(oem_id.encode(), self.config.oem_id.encode())
                & hmac.compare_digest(oem_key.encode(), self.config.oem_key.encode())):
            raise ApiError("401", "Authentication error: the OEM id or key is wrong.", "401")
        return envelope(authKey=self.auth_keys.issue(now))

    def _api(self, request: Request, call: str) -> Response:
        response = super()._api(request, call)
        # The common rate-limit fault answers like a proxy; Freebit's gateway answers in its envelope.
        if response.status == 429 and (response.header("Content-Type") or "").startswith("text/html"):
            retry_after = response.header("Retry-After")
            error = ApiError("500", "Too many requests. Please retry after a while.", "429")
            response = _answer(error_body(error), 429)
            if retry_after is not None:
                response.set_header("Retry-After", retry_after)
        return response

    # -- operator endpoints -----------------------------------------------------------------------
    def _control(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == CONTROL_PREFIX + "clock":
            return self._clock(request)
        if path == CONTROL_PREFIX + "auth-keys":
            if request.method != "DELETE":
                return text_response("Method Not Allowed\n", 405)
            with self._lock:
                return json_response({"expired": self.auth_keys.expire_all()})
        if path == CONTROL_PREFIX + "sims" or path.startswith(CONTROL_PREFIX + "sims/"):
            return self._sims(request, path[len(CONTROL_PREFIX + "sims"):].lstrip("/"))
        return super()._control(request)

    def _clock(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                body = request.json
                if not isinstance(body, dict) or "today" not in body:
                    raise ValueError('the body must be {"today": "YYYY-MM-DD"} or {"today": null}')
                self.set_today(None if body["today"] is None else date.fromisoformat(str(body["today"])))
            except (BadRequest, ValueError) as exc:
                return json_response({"error": str(exc)}, 400)
        elif request.method != "GET":
            return text_response("Method Not Allowed\n", 405)
        return json_response({"today": self.today().isoformat(), "pinned": self._today is not None})

    def _sims(self, request: Request, msisdn: str) -> Response:
        with self._lock:
            self.store.advance(self.now())
            if not msisdn:
                if request.method != "GET":
                    return text_response("Method Not Allowed\n", 405)
                return json_response({"sims": [self._sim_state(account) for account in self.store.accounts.values()]})
            account = self.store.line(msisdn)
            if account is None:
                return json_response({"error": "no such line"}, 404)
            if request.method == "POST":
                try:
                    body = request.json
                    if not isinstance(body, dict) or set(body) != {"status"}:
                        raise ValueError('the body must be {"status": "active" | "suspended"}')
                    self.store.set_status(account, body["status"])
                except (BadRequest, ValueError) as exc:
                    return json_response({"error": str(exc)}, 400)
            elif request.method != "GET":
                return text_response("Method Not Allowed\n", 405)
            return json_response(self._sim_state(account))

    def _sim_state(self, account: Account) -> dict[str, Any]:
        return {
            **account_details(self.store, account),
            "clientId": account.client_id,
            "productNumber": account.product_number,
            "eid": account.eid,
            "pendingPlanChange": None if account.pending is None else {
                "planCode": account.pending.plan_code, "runTime": account.pending.run_date.strftime("%Y%m%d")},
            "quotaAdditions": len([r for r in self.store.quota if r.account == account.msisdn]),
            "pendingVoiceOptions": None if account.voice_order is None else {
                "talkOption": {name: "10" if on else "20" for name, on in account.voice_order.options.items()},
                "landsAt": account.voice_order.lands_at.isoformat()},
            "lineChange": None if account.line_change is None else {
                "contractLine": account.line_change.contract_line,
                "lockedUntil": account.line_change.lands_at.isoformat()},
            "cancellation": None if account.cancel_at is None else {
                "runDate": account.cancel_run_date.strftime("%Y%m%d") if account.cancel_run_date else None,
                "effectiveAt": account.cancel_at.isoformat()},
            "reissues": len([r for r in self.store.reissues if r.account == account.msisdn]),
            "orders": [{"at": at.isoformat(), "operation": code, "request": asked}
                       for at, code, number, asked in self.store.orders if number == account.msisdn],
        }


def _json_field(request: Request) -> dict[str, Any]:
    """The request object: the form field ``json`` of an urlencoded body, decoded."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise ApiError("201", "Parameter error: the body must be a form with the field json.", "400")
    try:
        raw = request.form.get("json")
    except BadRequest:
        raw = None
    if not raw:
        raise ApiError("201", "Parameter error: json is required.", "400")
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError("201", "Parameter error: json must be a JSON object.", "400")
    return body


def _answer(payload: dict, status: int = 200) -> Response:
    return json_response(payload, status)
