"""The WHMCS emulator as a WSGI app: ``POST /includes/api.php`` plus a few client-area pages."""
from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sandbox.common import EmulatorApp, FaultConfig, Request, Response, Router
from sandbox.common.faults import coerce_config

from . import pages
from .api import ACTIONS, CANONICAL_ACTIONS, ApiContext, ApiError
from .php import php_json, to_xml
from .seed import seed_store

API_PATH = "/includes/api.php"
DEFAULT_IDENTIFIER = "sandbox-identifier"
DEFAULT_SECRET = "sandbox-secret"  # noqa: S105 - the sandbox's published demo credential


@dataclass(frozen=True)
class WhmcsConfig:
    identifier: str = DEFAULT_IDENTIFIER
    secret: str = DEFAULT_SECRET
    access_key: str | None = None
    """When set, calls must also carry ``accesskey`` (WHMCS's bypass of its API IP allow-list)."""
    faults: FaultConfig | Mapping[str, Any] | None = None
    seed: int | None = None
    """Seeds the fault injector's random generator."""
    today: date | None = None
    """Pins the emulator's calendar (seed dates and "overdue"); default: the real today."""
    sso_token_ttl: float = 60.0
    public_url: str | None = None
    """Base URL used in SSO redirect URLs; default: the scheme and Host the request came in on."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WhmcsConfig:
        """``SANDBOX_WHMCS_IDENTIFIER``, ``_SECRET``, ``_ACCESS_KEY``, ``_TODAY`` (YYYY-MM-DD),
        ``_SSO_TOKEN_TTL``, ``_PUBLIC_URL``, and the fault variables (see ``FaultConfig.from_env``)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"SANDBOX_WHMCS_{name}")
            return value if value else None

        return cls(
            identifier=get("IDENTIFIER") or DEFAULT_IDENTIFIER,
            secret=get("SECRET") or DEFAULT_SECRET,
            access_key=get("ACCESS_KEY"),
            faults=FaultConfig.from_env(env, emulator="whmcs"),
            today=date.fromisoformat(get("TODAY")) if get("TODAY") else None,
            sso_token_ttl=float(get("SSO_TOKEN_TTL") or 60.0),
            public_url=get("PUBLIC_URL"),
        )


class WhmcsSandbox(EmulatorApp):
    name = "whmcs"

    def __init__(self, config: WhmcsConfig | None = None, **overrides: Any):
        config = replace(config or WhmcsConfig(), **overrides)
        super().__init__(faults=coerce_config(config.faults), seed=config.seed)
        self.config = config
        self._lock = threading.RLock()
        self.store = seed_store(self.today())
        self.router = Router()
        self.router.add(API_PATH, self._api_php, methods=("POST",))
        self.router.add("/", lambda r: pages.index(self.store, r))
        self.router.add("/oauth/singlesignon.php", lambda r: pages.single_sign_on(self.store, r))
        self.router.add("/viewinvoice.php", lambda r: pages.view_invoice(self.store, r))
        self.router.add("/creditcard.php", lambda r: pages.pay_invoice(self.store, r, self.now()), methods=("POST",))
        self.router.add("/clientarea.php", lambda r: pages.client_area(self.store, r))

    # -- clock ------------------------------------------------------------------------------------
    def today(self) -> date:
        return self.config.today or date.today()

    def now(self) -> datetime:
        now = datetime.now().replace(microsecond=0)
        return datetime.combine(self.config.today, now.time()) if self.config.today else now

    # -- EmulatorApp hooks ------------------------------------------------------------------------
    def api_call_name(self, request: Request) -> str | None:
        if request.path != API_PATH or request.method != "POST":
            return None
        action = _params(request).get("action", "").strip()
        return CANONICAL_ACTIONS.get(action.lower(), action or "(no action)")

    def reset_state(self) -> None:
        with self._lock:
            self.store = seed_store(self.today())

    def handle(self, request: Request) -> Response:
        with self._lock:
            return self.router.dispatch(request)

    # -- api.php ----------------------------------------------------------------------------------
    def _api_php(self, request: Request) -> Response:
        params = _params(request)
        action = params.get("action", "").strip()
        as_json = params.get("responsetype", "").strip().lower() == "json"

        def answer(data: dict, status: int = 200) -> Response:
            if as_json:
                return Response(php_json(data), status, [("Content-Type", "application/json; charset=utf-8")])
            return Response(to_xml(data, action), status, [("Content-Type", "text/xml; charset=utf-8")])

        def error(message: str, status: int = 200) -> Response:
            return answer({"result": "error", "message": message}, status)

        if self.config.access_key is not None and not _same(params.get("accesskey", ""), self.config.access_key):
            return error(f"Invalid IP {request.remote_addr}", 403)
        # WHMCS also accepts the credentials as username/password (the legacy parameter names).
        identifier = params.get("identifier") or params.get("username", "")
        secret = params.get("secret") or params.get("password", "")
        if not (_same(identifier, self.config.identifier) and _same(secret, self.config.secret)):
            return error("Authentication Failed", 403)
        canonical = CANONICAL_ACTIONS.get(action.lower())
        if canonical is None:
            return error("Command Not Found")
        context = ApiContext(
            store=self.store,
            params=params,
            pairs=request.query_pairs + request.form_pairs,
            now=self.now(),
            base_url=(self.config.public_url or request.base_url).rstrip("/"),
            remote_addr=request.remote_addr,
            sso_token_ttl=self.config.sso_token_ttl,
        )
        try:
            return answer(ACTIONS[canonical](context))
        except ApiError as exc:
            return error(str(exc))


def _params(request: Request) -> dict[str, str]:
    """Like PHP's ``$_REQUEST``: query string and form body, the body winning."""
    return {**request.query, **request.form}


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
