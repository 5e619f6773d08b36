"""The WHMCS emulator as a WSGI app: ``POST /includes/api.php`` plus a few client-area pages."""
from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sandbox.common import (
    CONTROL_PREFIX,
    BadRequest,
    EmulatorApp,
    FaultConfig,
    Request,
    Response,
    Router,
    json_response,
    text_response,
)
from sandbox.common.clock import provider_now, provider_today
from sandbox.common.faults import coerce_config

from . import pages
from .api import ACTIONS, CANONICAL_ACTIONS, TRUTHY, ApiContext, ApiError
from .php import php_json, to_xml
from .seed import seed_store
from .webhooks import Delivery, WebhookLog, WebhookSender

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
    webhook_url: str | None = None
    """Where to POST signed webhooks (as the portal's hook module does); none sent when unset."""
    webhook_secret: str | None = None
    webhook_timeout: float = 5.0
    customers: int = 0
    """Generated customers seeded beside the demo ones (``sandbox.population``; the benchmark's)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WhmcsConfig:
        """``SANDBOX_WHMCS_IDENTIFIER``, ``_SECRET``, ``_ACCESS_KEY``, ``_TODAY`` (YYYY-MM-DD),
        ``_SSO_TOKEN_TTL``, ``_PUBLIC_URL``, ``_WEBHOOK_URL``, ``_WEBHOOK_SECRET``, ``_WEBHOOK_TIMEOUT``,
        ``_CUSTOMERS``, and the fault variables (see ``FaultConfig.from_env``)."""
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
            webhook_url=get("WEBHOOK_URL"),
            webhook_secret=get("WEBHOOK_SECRET"),
            webhook_timeout=float(get("WEBHOOK_TIMEOUT") or 5.0),
            customers=int(get("CUSTOMERS") or 0),
        )


def _portal_origin(webhook_url: str | None) -> str | None:
    """The portal's origin, the host the webhooks go to, for the pages' links back to the portal."""
    if not webhook_url:
        return None
    parts = urlsplit(webhook_url)
    return f"{parts.scheme}://{parts.netloc}"


class WhmcsSandbox(EmulatorApp):
    name = "whmcs"

    def __init__(self, config: WhmcsConfig | None = None, **overrides: Any):
        config = replace(config or WhmcsConfig(), **overrides)
        super().__init__(faults=coerce_config(config.faults), seed=config.seed)
        self.config = config
        self._lock = threading.RLock()
        self.store = seed_store(self.today(), self.config.customers)
        self.webhook_log = WebhookLog()
        self.webhooks: WebhookSender | None = None
        self.configure_webhooks(config.webhook_url, config.webhook_secret, config.webhook_timeout)
        pages.set_portal_origin(_portal_origin(config.webhook_url))
        self.router = Router()
        self.router.add(API_PATH, self._api_php, methods=("POST",))
        self.router.add("/", lambda r: pages.index(self.store, r))
        self.router.add("/oauth/singlesignon.php", lambda r: pages.single_sign_on(self.store, r))
        self.router.add("/viewinvoice.php", lambda r: pages.view_invoice(self.store, r))
        self.router.add("/creditcard.php", lambda r: pages.pay_invoice(self.store, r, self.now(), self.emit),
                        methods=("POST",))
        self.router.add("/clientarea.php", lambda r: pages.client_area(self.store, r))
        self.router.add("/index.php", lambda r: pages.routed(self.store, r, self.now()), methods=("GET", "POST"))

    # -- clock ------------------------------------------------------------------------------------
    def today(self) -> date:
        return provider_today(self.config.today)

    def now(self) -> datetime:
        """Now on the installation's clock, naive as WHMCS writes it (Japan time)."""
        return provider_now(self.config.today).replace(tzinfo=None)

    # -- webhooks ---------------------------------------------------------------------------------
    def configure_webhooks(self, url: str | None, secret: str | None, timeout: float = 5.0) -> None:
        """Send signed webhooks to ``url`` from now on (``url=None``: stop sending)."""
        if url and not secret:
            raise ValueError("a webhook URL needs a webhook secret")
        self.webhooks = WebhookSender(url, secret, timeout=timeout, record=self.webhook_log.record) if url else None

    def emit(self, event: str, **fields: Any) -> str | None:
        """Send one webhook event when webhooks are configured; answers its event id."""
        return self.webhooks.send(event, **fields) if self.webhooks else None

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        return self.webhook_log.all()

    def wait_for_webhooks(self, count: int = 1, timeout: float = 10.0) -> list[Delivery]:
        return self.webhook_log.wait(count, timeout)

    def _control(self, request: Request) -> Response:
        if request.path.rstrip("/") != CONTROL_PREFIX + "webhooks":
            return super()._control(request)
        if request.method == "POST":
            try:
                body = request.json or {}
                if not isinstance(body, dict):
                    raise BadRequest("the webhook configuration must be a JSON object")
                self.configure_webhooks(body.get("url"), body.get("secret"), float(body.get("timeout", 5.0)))
            except (BadRequest, TypeError, ValueError) as exc:
                return json_response({"error": str(exc)}, 400)
        elif request.method == "DELETE":
            self.configure_webhooks(None, None)
            self.webhook_log.clear()
        elif request.method != "GET":
            return text_response("Method Not Allowed\n", 405)
        return json_response({
            "url": self.webhooks.url if self.webhooks else None,
            "deliveries": [delivery.to_dict() for delivery in self.webhook_deliveries],
        })

    # -- EmulatorApp hooks ------------------------------------------------------------------------
    def api_call_name(self, request: Request) -> str | None:
        if request.path != API_PATH or request.method != "POST":
            return None
        params = _params(request)
        action = params.get("action", "").strip()
        name = CANONICAL_ACTIONS.get(action.lower(), action or "(no action)")
        if name == "UpgradeProduct" and params.get("calconly", "").strip().lower() in TRUTHY:
            return "UpgradeProduct (calconly)"  # counted and faulted apart from the real upgrades
        return name

    def reset_state(self) -> None:
        with self._lock:
            self.store = seed_store(self.today(), self.config.customers)
            self.webhook_log.clear()

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
            emit=self.emit,
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
