"""Secrets never show: the provider credentials (WHMCS identifier, secret and access key, the
Salesforce private key, the Freebit API key), the webhook secrets and DJANGO_SECRET_KEY, and even
wrong credentials tried by mistake, appear in no log line, page, error page, admin page, API answer
or e-mail.

The test runs its own WHMCS and Freebit emulators, configured with credentials made for this run,
and then does what produces logs and errors: every page and API endpoint, the money actions, signed
and forged webhooks, provider outages, broken answers and refused credentials (the emulators' fault
controls), a provisioning run that fails, failed sign-ins, a password reset, the admin as a
superuser. Everything the portal wrote or answered is captured (caplog at DEBUG on the root logger;
the project's own console handler; a handler built from ``settings.LOGGING`` in the production JSON
format) and searched for every secret.
"""
from __future__ import annotations

import copy
import io
import json
import logging
import secrets
import uuid
from logging.config import DictConfigurator

import pytest
import requests
from django.contrib import admin
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.billing.selectors import forget_currencies
from portal.core.logging import RedactSecretsFilter
from tests.conftest import signed_in
from tests.emulator import EmulatorControl
from tests.portal.webhooks.conftest import payload, signed
from tests.security.conftest import ALICE, Providers
from tests.security.routes import all_routes, sample_url
from tests.security.test_object_access import OWNED, alices_own_id

pytestmark = pytest.mark.django_db(transaction=True)  # the top-up views run outside ATOMIC_REQUESTS

RUN = secrets.token_hex(6)
SECRETS = {
    "DJANGO_SECRET_KEY": f"django-secret-key-{RUN}-{secrets.token_urlsafe(24)}",
    "WHMCS_API_IDENTIFIER": f"whmcsIdentifier{RUN}{secrets.token_hex(8)}",
    "WHMCS_API_SECRET": f"whmcsSecret{RUN}{secrets.token_hex(8)}",
    "WHMCS_API_ACCESS_KEY": f"whmcsAccessKey{RUN}{secrets.token_hex(8)}",
    "FREEBIT_OEM_KEY": f"freebitOemKey{RUN}{secrets.token_hex(8)}",
    "WHMCS_WEBHOOK_SECRET": f"webhookSecret{RUN}{secrets.token_hex(8)}",
    "WHMCS_WEBHOOK_PREVIOUS_SECRET": f"webhookPrevious{RUN}{secrets.token_hex(8)}",
}
WRONG = {  # credentials set by mistake are secrets too (they may be someone else's)
    "WHMCS_API_SECRET": f"wrongWhmcsSecret{RUN}{secrets.token_hex(8)}",
    "FREEBIT_OEM_KEY": f"wrongFreebitOemKey{RUN}{secrets.token_hex(8)}",
}
FAULTS = [
    {"error_rate": 1.0, "status": 503},
    {"error_rate": 1.0, "status": 500},
    {"malformed_rate": 1.0, "malformed_kind": "truncate"},
    {"malformed_rate": 1.0, "malformed_kind": "html"},
    {"rate_limit": {"status": 429, "retry_after": 0, "rate": 1.0}},
]


@pytest.fixture(scope="module")
def whmcs_with_secrets():
    from sandbox.whmcs import start_whmcs_sandbox

    handle = start_whmcs_sandbox(env={}, seed=7, identifier=SECRETS["WHMCS_API_IDENTIFIER"],
                                 secret=SECRETS["WHMCS_API_SECRET"], access_key=SECRETS["WHMCS_API_ACCESS_KEY"])
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def freebit_with_secrets():
    from sandbox.freebit import start_freebit_sandbox

    handle = start_freebit_sandbox(env={}, oem_key=SECRETS["FREEBIT_OEM_KEY"])
    yield handle
    handle.stop()


@pytest.fixture
def configured(settings, salesforce, salesforce_keys, whmcs_with_secrets, freebit_with_secrets) -> Providers:
    """The portal wired to the emulators with this run's secrets; everything reset."""
    # A record before the secrets change: the console handler's filter has read the old values, and
    # must notice the new ones (as it must after any override of a secret setting).
    logging.getLogger("portal.security.probe").warning("configuring this run's secrets")
    for handle in (whmcs_with_secrets, freebit_with_secrets):
        requests.delete(handle.url + "/__sandbox__/faults", timeout=5).raise_for_status()
        requests.post(handle.url + "/__sandbox__/reset", timeout=5).raise_for_status()
    settings.SECRET_KEY = SECRETS["DJANGO_SECRET_KEY"]
    settings.WHMCS_API_URL = whmcs_with_secrets.url + "/includes/api.php"
    settings.WHMCS_API_IDENTIFIER = SECRETS["WHMCS_API_IDENTIFIER"]
    settings.WHMCS_API_SECRET = SECRETS["WHMCS_API_SECRET"]
    settings.WHMCS_API_ACCESS_KEY = SECRETS["WHMCS_API_ACCESS_KEY"]
    settings.FREEBIT_API_URL = freebit_with_secrets.url + "/emptool/api"
    settings.FREEBIT_OEM_ID = freebit_with_secrets.app.config.oem_id
    settings.FREEBIT_OEM_KEY = SECRETS["FREEBIT_OEM_KEY"]
    settings.WHMCS_WEBHOOK_SECRET = SECRETS["WHMCS_WEBHOOK_SECRET"]
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = SECRETS["WHMCS_WEBHOOK_PREVIOUS_SECRET"]
    settings.PROVIDER_READ_TIMEOUT = 2.0
    settings.PROVIDER_MAX_ATTEMPTS = 2
    assert settings.SALESFORCE_PRIVATE_KEY == salesforce_keys[0]
    found = Providers(EmulatorControl(whmcs_with_secrets), EmulatorControl(salesforce),
                      EmulatorControl(freebit_with_secrets))
    yield found
    found.clear_faults()


def secret_variants(salesforce_private_key: str) -> dict[str, list[str]]:
    variants = {name: [value] for name, value in SECRETS.items()}
    variants.update({f"wrong {name}": [value] for name, value in WRONG.items()})
    body = [line.strip() for line in salesforce_private_key.strip().splitlines() if "-----" not in line]
    variants["SALESFORCE_PRIVATE_KEY"] = ["".join(body), *(line for line in body if len(line) >= 16)]
    return variants


class Capture:
    """Everything written or answered during the test, as text."""

    def __init__(self, settings) -> None:
        self.parts: list[tuple[str, str]] = []
        self.streams = {name: io.StringIO() for name in ("text", "json", "console")}
        configurator = DictConfigurator(copy.deepcopy(settings.LOGGING))
        self.handlers = []
        for name in ("text", "json"):  # the project's formatters and filters, on handlers of our own
            handler = logging.StreamHandler(self.streams[name])
            handler.setLevel(logging.DEBUG)
            handler.setFormatter(configurator.configure_formatter(dict(configurator.config["formatters"][name])))
            for filter_name in settings.LOGGING["handlers"]["console"]["filters"]:
                handler.addFilter(configurator.configure_filter(dict(configurator.config["filters"][filter_name])))
            self.handlers.append(handler)

        # and the project's own console handler (configured by Django from settings.LOGGING)
        self.console = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
                        and any(isinstance(f, RedactSecretsFilter) for f in h.filters)]
        assert len(self.console) == 1, logging.getLogger().handlers
        self._console_stream = None

    def __enter__(self):
        # After the project's console handler: its filter is the one that must redact each record.
        for handler in self.handlers:
            logging.getLogger().addHandler(handler)
        self._console_stream = self.console[0].setStream(self.streams["console"])
        return self

    def __exit__(self, *exc):
        for handler in self.handlers:
            logging.getLogger().removeHandler(handler)
        self.console[0].setStream(self._console_stream)

    def response(self, what: str, response) -> None:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        self.parts.append((f"answer to {what}", f"{response.status_code}\n{headers}\n{response.cookies.output()}\n"
                                                 f"{body.decode('utf-8', 'replace')}"))

    def logs(self) -> list[tuple[str, str]]:
        return [(f"log handler ({name})", stream.getvalue()) for name, stream in self.streams.items()]


def request(capture: Capture, browser: Client, method: str, path: str, data=None, **extra):
    if method == "get":
        response = browser.get(path, data, **extra)
    elif path.startswith("/api/"):
        response = browser.post(path, json.dumps(data or {}), content_type="application/json", **extra)
    else:
        response = browser.post(path, data or {}, **extra)
    capture.response(f"{method.upper()} {path}", response)
    return response


def every_get(capture: Capture, browsers: list[Client], providers: Providers) -> None:
    for route in all_routes():
        if route.is_admin:
            continue
        path = sample_url(route, **{p: alices_own_id(kind, providers) for p, kind in OWNED.items()
                                    if p in route.params})
        for browser in browsers:
            request(capture, browser, "get", path)


def customer_actions(capture: Capture, alice: Client, providers: Providers) -> None:
    iccid = alices_own_id("sim", providers)
    invoice = alices_own_id("invoice", providers)
    request_id = str(uuid.uuid4())
    request(capture, alice, "post", f"/billing/invoices/{invoice}/pay/")
    request(capture, alice, "post", f"/sims/{iccid}/top-up/", {"quota_mb": "1024", "request_id": request_id})
    request(capture, alice, "post", f"/sims/{iccid}/top-up/", {"quota_mb": "1024", "request_id": request_id,
                                                               "confirm": "True"})
    request(capture, alice, "post", f"/api/v1/sims/{iccid}/top-up", {"quota_mb": 500, "request_id": str(uuid.uuid4())})
    request(capture, alice, "post", f"/sims/{iccid}/plan/", {"plan_code": "MOB-VOICE-5G", "when": "next_month"})
    request(capture, alice, "post", f"/api/v1/sims/{iccid}/plan", {"plan_code": "MOB-VOICE-5G", "immediate": False})
    product = next((p["Id"] for p in providers.salesforce.store.rows("Product2")
                    if p["StockKeepingUnit"] and "VPN" in p["Name"]), "01t000000000000AAA")
    request(capture, alice, "post", "/orders/cart/update/", {"product_id": product, "quantity": "1"})
    request(capture, alice, "post", "/orders/checkout/", {"request_id": str(uuid.uuid4()), "confirm": "on"})
    request(capture, alice, "post", "/api/v1/orders", {"request_id": str(uuid.uuid4()),
                                                       "lines": [{"product_id": product, "quantity": 1}]})


def customer_reads(capture: Capture, alice: Client, providers: Providers) -> None:
    iccid = alices_own_id("sim", providers)
    invoice, service = alices_own_id("invoice", providers), alices_own_id("subscription", providers)
    for path in ("/", "/billing/invoices/", f"/billing/invoices/{invoice}/",
                 "/billing/payment-methods/", "/subscriptions/", f"/subscriptions/{service}/",
                 "/catalog/", "/orders/", f"/orders/{alices_own_id('order', providers)}/", "/sims/", f"/sims/{iccid}/",
                 "/api/v1/dashboard", "/api/v1/invoices", "/api/v1/subscriptions", "/api/v1/payment-methods",
                 "/api/v1/catalog", "/api/v1/orders", "/api/v1/sims", f"/api/v1/sims/{iccid}",
                 f"/api/v1/sims/{iccid}/usage"):
        request(capture, alice, "get", path)


def forget_everything() -> None:
    cache.clear()  # cached copies (and the circuit breakers' state): the next read goes to the provider
    forget_currencies()


def webhooks(capture: Capture, client: Client) -> None:
    deliveries = [
        signed(payload("InvoicePaid", invoice_id=1), secret=SECRETS["WHMCS_WEBHOOK_SECRET"]),
        signed(payload("ClientEdit"), secret=SECRETS["WHMCS_WEBHOOK_PREVIOUS_SECRET"]),
        signed(payload("AfterModuleSuspend"), secret="a-forged-secret-guess"),
        signed(b"{not json", secret=SECRETS["WHMCS_WEBHOOK_SECRET"], event_id="broken-body-0001"),
    ]
    for delivery in deliveries:
        capture.response("a webhook", delivery.post(client, REMOTE_ADDR="198.51.100.7"))


def provisioning(configured: Providers) -> None:
    from portal.provisioning import services

    draft = next(o for o in configured.salesforce.store.rows("Order")
                 if o["AccountId"] == ALICE.salesforce_account_id and o["Provisioning_Status__c"] == "Pending Review")
    approval = requests.post(f"{configured.salesforce.url}/__sandbox__/orders/{draft['Id']}/approve", timeout=5)
    approval = approval.json()["approval"]
    try:
        services.provisioning_request(order_id=approval["order_id"], idempotency_key=approval["idempotency_key"])
    except Exception:  # noqa: S110 - a failing run may raise its retry here; only what it logged and stored matters
        pass


def admin_pages(capture: Capture, staff: Client) -> int:
    pages = 0
    request(capture, staff, "get", "/admin/")
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        for view in ("changelist", "add"):
            request(capture, staff, "get", reverse(f"{base}_{view}"))
            pages += 1
        for obj in model._default_manager.all()[:5]:
            for view in ("change", "history", "delete"):
                request(capture, staff, "get", reverse(f"{base}_{view}", args=[obj.pk]))
                pages += 1
    return pages


def test_no_secret_shows_anywhere(configured, settings, salesforce_keys, customer_user, staff_user, caplog,
                                   freebit_with_secrets):
    caplog.set_level(logging.DEBUG)
    alice, staff, anonymous = signed_in(customer_user), signed_in(staff_user), Client()
    for browser in (alice, staff, anonymous):
        browser.raise_request_exception = False  # a 500 is an answer to search too

    with Capture(settings) as capture:
        logging.getLogger("portal.security.probe").warning("probe: calling WHMCS with %s", settings.WHMCS_API_SECRET)
        every_get(capture, [alice, anonymous], configured)
        customer_actions(capture, alice, configured)
        webhooks(capture, anonymous)
        for fault in FAULTS:  # provider outages and broken answers
            configured.faults(**fault)
            forget_everything()
            customer_reads(capture, alice, configured)
            customer_actions(capture, alice, configured)
            configured.clear_faults()
        forget_everything()
        # credentials the providers refuse (a rotated key, a typo): errors, logs, a failing provisioning run
        settings.WHMCS_API_SECRET = WRONG["WHMCS_API_SECRET"]
        settings.FREEBIT_OEM_KEY = WRONG["FREEBIT_OEM_KEY"]
        from sandbox.salesforce.keys import generate_demo_keypair

        settings.SALESFORCE_PRIVATE_KEY = generate_demo_keypair()[0]  # a key Salesforce does not know
        customer_reads(capture, alice, configured)
        customer_actions(capture, alice, configured)
        settings.SALESFORCE_PRIVATE_KEY = salesforce_keys[0]
        provisioning(configured)
        settings.WHMCS_API_SECRET = SECRETS["WHMCS_API_SECRET"]
        settings.FREEBIT_OEM_KEY = SECRETS["FREEBIT_OEM_KEY"]
        forget_everything()
        # sign-in failures, a lockout, a password reset, CSRF and not-found pages
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            request(capture, Client(), "post", "/login/", {"username": "alice@example.com", "password": "Wrong-1"})
        request(capture, anonymous, "post", "/password-reset/", {"email": "alice@example.com"})
        request(capture, Client(enforce_csrf_checks=True), "post", "/login/", {"username": "x@example.com"})
        request(capture, alice, "get", "/no/such/page/")
        request(capture, alice, "get", "/api/v1/no/such/endpoint")
        # the admin, as a superuser, over everything the above stored
        assert admin_pages(capture, staff) > 20

    outputs = [*capture.parts, *capture.logs(), ("caplog records", "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)),
        ("caplog text", caplog.text),
        *((f"e-mail {m.subject}", m.message().as_string()) for m in mail.outbox)]
    assert len(mail.outbox) >= 1  # the reset mail was sent, and searched
    # the capture works, and redacts this run's values (a secret logged on purpose shows redacted)
    for name, text in capture.logs() + [("caplog text", caplog.text)]:
        assert "probe: calling WHMCS with [redacted]" in text, name
    variants = secret_variants(salesforce_keys[0])
    variants["Freebit authKeys"] = list(freebit_with_secrets.app.auth_keys.issued)  # session keys are secrets too
    assert variants["Freebit authKeys"], "the run authenticated with Freebit"
    leaks = [(where, name) for where, text in outputs
             for name, values in variants.items() if any(v in text for v in values)]
    assert leaks == []


@pytest.mark.urls("tests.security.error_urls")
def test_an_error_that_carries_a_secret_shows_nothing_and_logs_it_redacted(configured, settings, customer_user,
                                                                          caplog):
    caplog.set_level(logging.DEBUG)
    alice = signed_in(customer_user)
    alice.raise_request_exception = False

    with Capture(settings) as capture:
        page = alice.get("/boom/")
        api = alice.get("/api/v1/boom")
        capture.response("/boom/", page)
        capture.response("/api/v1/boom", api)

    assert page.status_code == 500 and "Something went wrong on our side" in page.content.decode()
    assert api.status_code == 500
    assert api.json()["message"] == "Something went wrong on our side. Please try again later."
    assert api.json()["extra"]["reference"] == api["X-Request-ID"]
    logs = capture.logs() + [("caplog", caplog.text)]
    for name, text in logs:
        assert "Internal Server Error: /boom/" in text, name
        assert "[redacted]" in text, name
    leaks = [where for where, text in capture.parts + logs if settings.WHMCS_API_SECRET in text
             or settings.FREEBIT_OEM_KEY in text]
    assert leaks == []
