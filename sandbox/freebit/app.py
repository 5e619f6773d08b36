"""The Freebit emulator as a WSGI app: ``POST /api/sim/<operation>`` (wire format: ``api.py``)
plus sandbox-only operator endpoints under ``/__sandbox__/``."""
from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
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

from .api import API_PREFIX, HANDLERS, OPERATIONS, ApiContext, ApiError, account, error_body
from .seed import DEFAULT_USAGE_SEED, seed_store
from .store import Sim

DEFAULT_API_KEY = "sandbox-freebit-key"
"""The sandbox's published demo credential."""


@dataclass(frozen=True)
class FreebitConfig:
    api_key: str = field(default=DEFAULT_API_KEY, repr=False)
    faults: FaultConfig | Mapping[str, Any] | None = None
    seed: int | None = None
    """Seeds the fault injector's random generator."""
    today: date | None = None
    """Pins the emulator's calendar (seed dates, usage, plan changes); default: today in Japan."""
    usage_seed: int = DEFAULT_USAGE_SEED
    """Seeds the generated daily usage."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FreebitConfig:
        """``SANDBOX_FREEBIT_API_KEY``, ``_TODAY`` (YYYY-MM-DD), ``_USAGE_SEED``, and the fault
        variables (``SANDBOX_FREEBIT_FAULT_*`` or ``SANDBOX_FAULT_*``, see ``FaultConfig.from_env``)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"SANDBOX_FREEBIT_{name}")
            return value if value else None

        return cls(
            api_key=get("API_KEY") or DEFAULT_API_KEY,
            faults=FaultConfig.from_env(env, emulator="freebit"),
            today=date.fromisoformat(get("TODAY")) if get("TODAY") else None,
            usage_seed=int(get("USAGE_SEED") or DEFAULT_USAGE_SEED),
        )


class FreebitSandbox(EmulatorApp):
    name = "freebit"

    def __init__(self, config: FreebitConfig | None = None, **overrides: Any):
        config = replace(config or FreebitConfig(), **overrides)
        super().__init__(faults=coerce_config(config.faults), seed=config.seed)
        self.config = config
        self._lock = threading.RLock()
        self._today = config.today
        self.store = seed_store(self.today(), config.usage_seed)

    # -- clock ------------------------------------------------------------------------------------
    def today(self) -> date:
        return provider_today(self._today)

    def now(self) -> datetime:
        return provider_now(self._today)

    def set_today(self, today: date | None) -> None:
        """Pin the calendar to ``today`` (None: the real date). It only moves forward: scheduled
        plan changes that come due are applied and the new days' usage is generated."""
        with self._lock:
            if today is not None and today < self.store.today:
                raise ValueError(f"the calendar only moves forward (it is {self.store.today.isoformat()})")
            self._today = today
            self.store.advance(self.today())

    # -- EmulatorApp hooks ------------------------------------------------------------------------
    def api_call_name(self, request: Request) -> str | None:
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return None
        operation = request.path[len(API_PREFIX):]
        return operation if operation in OPERATIONS else None

    def reset_state(self) -> None:
        with self._lock:
            self.store = seed_store(self.today(), self.config.usage_seed)

    def handle(self, request: Request) -> Response:
        operation = self.api_call_name(request)
        if operation is None:
            if request.path.startswith(API_PREFIX) and request.path[len(API_PREFIX):] in OPERATIONS:
                response = text_response("Method Not Allowed\n", 405)
                response.set_header("Allow", "POST")
                return response
            return text_response("Not Found\n", 404)
        if not self._authorized(request):
            response = _answer(error_body(ApiError("401", "Authentication error: invalid API key.", 401)), 401)
            response.set_header("WWW-Authenticate", 'Bearer realm="freebit"')
            return response
        try:
            body = request.json
        except BadRequest:
            body = None
        if not isinstance(body, dict):
            error = ApiError("201", "Parameter error: the body must be a JSON object.", 400)
            return _answer(error_body(error), error.http_status)
        with self._lock:
            self.store.advance(self.today())
            context = ApiContext(store=self.store, body=body, now=self.now())
            try:
                return _answer(HANDLERS[operation](context))
            except ApiError as error:
                return _answer(error_body(error), error.http_status)

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(token.strip().encode("utf-8"), self.config.api_key.encode("utf-8"))

    def _api(self, request: Request, call: str) -> Response:
        response = super()._api(request, call)
        # The common rate-limit fault answers like a proxy; Freebit's gateway answers in its envelope.
        if response.status == 429 and (response.header("Content-Type") or "").startswith("text/html"):
            retry_after = response.header("Retry-After")
            error = ApiError("500", "Too many requests. Please retry after a while.", 429)
            response = _answer(error_body(error), 429)
            if retry_after is not None:
                response.set_header("Retry-After", retry_after)
        return response

    # -- operator endpoints -----------------------------------------------------------------------
    def _control(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == CONTROL_PREFIX + "clock":
            return self._clock(request)
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

    def _sims(self, request: Request, iccid: str) -> Response:
        with self._lock:
            self.store.advance(self.today())
            if not iccid:
                if request.method != "GET":
                    return text_response("Method Not Allowed\n", 405)
                return json_response({"sims": [self._sim_state(sim) for sim in self.store.sims.values()]})
            sim = self.store.sims.get(iccid)
            if sim is None:
                return json_response({"error": "no such SIM"}, 404)
            if request.method == "POST":
                try:
                    body = request.json
                    if not isinstance(body, dict) or set(body) != {"status"}:
                        raise ValueError('the body must be {"status": "active" | "suspended"}')
                    self.store.set_status(sim, body["status"])
                except (BadRequest, ValueError) as exc:
                    return json_response({"error": str(exc)}, 400)
            elif request.method != "GET":
                return text_response("Method Not Allowed\n", 405)
            return json_response(self._sim_state(sim))

    def _sim_state(self, sim: Sim) -> dict[str, Any]:
        return {
            **account(self.store, sim),
            "clientId": sim.client_id,
            "topups": len(self.store.topup_history(sim.iccid)),
        }


def _answer(payload: dict, status: int = 200) -> Response:
    return json_response(payload, status)
