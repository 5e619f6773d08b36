"""Drills: every provider failing in every way it fails, page and API ("Faults survived", issue 9).

For WHMCS (invoices), Salesforce (catalog, orders), Freebit (a SIM) and the dashboard, and for each
fault kind (down: connection refused; slow past the read timeout; 5xx; 429 with Retry-After; a
truncated JSON body; an HTML page instead of JSON):

- with a copy from an earlier load, the page and the API show it, flagged stale, with the notice;
- with nothing cached, the page is the friendly 503 with the reference, the API a JSON 503;
- either way the failure is logged once at ERROR, carrying the request's correlation id;
- repeated failures open that provider's circuit breaker only: the portal then answers without
  calling it, and once it is healthy and CIRCUIT_RESET_SECONDS have passed, the next request probes
  it and the circuit closes by itself.

Faults come only from the emulators' fault controls (``POST /__sandbox__/faults``) or, for "down",
from the provider's URL setting pointing at a closed port; calls are counted by the emulators
(``/__sandbox__/stats``) and by the portal's ``X-Provider-Calls`` header. Nothing of ours is patched.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
from django.core.cache import cache
from django_guid.log_filters import CorrelationId

from portal.billing.selectors import forget_currencies
from portal.core.cache import invalidate_customer
from sandbox.whmcs import DEMO_SIMS
from tests.emulator import EmulatorControl
from tests.pages import main_of
from tests.processes import free_port

pytestmark = pytest.mark.django_db

READ_TIMEOUT = 0.25  # seconds, the slow provider's only; the fixtures' 2 s would make "slow" slow
THRESHOLD = 3  # CIRCUIT_FAILURE_THRESHOLD in the breaker drills
RESET_SECONDS = 5  # CIRCUIT_RESET_SECONDS in the breaker drills (time is moved past it, not waited for)

FAULTS: dict[str, dict | None] = {
    "down": None,  # connection refused: the provider's URL setting names a closed port
    "slow": {"latency_ms": 1000},  # answers, but only after the read timeout
    "5xx": {"error_rate": 1.0, "status": 503},
    "429": {"rate_limit": {"status": 429, "retry_after": 1, "rate": 1.0}},
    "truncated-json": {"malformed_rate": 1.0, "malformed_kind": "truncate"},
    "html": {"malformed_rate": 1.0, "malformed_kind": "html"},
}
URL_SETTINGS = {  # provider -> (setting, path after scheme://host:port)
    "whmcs": ("WHMCS_API_URL", "/includes/api.php"),
    "salesforce": ("SALESFORCE_LOGIN_URL", ""),
    "freebit": ("FREEBIT_API_URL", ""),
}
PROVIDER_NAMES = {"whmcs": "WHMCS", "salesforce": "Salesforce", "freebit": "Freebit"}

STALE_NOTICE = "this is the information we had most recently"  # templates/portal/_stale_notice.html
DASHBOARD_NOTICE = "details could not be loaded just now"
DASHBOARD_STALE_NOTICE = "or are from our last successful check"
ALICE_SIM = next(sim.iccid for sim in DEMO_SIMS if sim.service_id == 12)  # Mobile Voice 20 GB, active


# -- what each page shows of its provider's data -----------------------------------------------------


def finder(pattern: str) -> Callable[[object], list]:
    compiled = re.compile(pattern, re.S)
    return lambda response: compiled.findall(main_of(response))


@dataclass(frozen=True)
class Target:
    provider: str
    page: str
    api: str
    area: str  # as the 503 page and the API name it: "Your {area} details are temporarily unavailable"
    data: Callable[[object], list]


TARGETS = {
    "whmcs-invoices": Target("whmcs", "/billing/invoices/", "/api/v1/invoices", "billing",
                             finder(r'<a href="/billing/invoices/\d+/">([^<]+)</a>')),
    "salesforce-catalog": Target("salesforce", "/catalog/", "/api/v1/catalog", "catalog",
                                 finder(r'href="/catalog/(01t\w+)/"')),
    "salesforce-orders": Target("salesforce", "/orders/", "/api/v1/orders", "orders",
                                finder(r'href="/orders/(801\w+)/"')),
    "freebit-sim": Target("freebit", f"/sims/{ALICE_SIM}/", f"/api/v1/sims/{ALICE_SIM}", "SIM",
                          finder(r'<span class="gauge-figure">(.*?)</span>')),
}
BREAKER_TARGETS = ["whmcs-invoices", "salesforce-catalog", "freebit-sim"]  # one per provider
# A page of another provider, to show that one provider's open circuit leaves the others alone.
OTHER_PROVIDER_PAGE = {"whmcs": "salesforce-catalog", "salesforce": "whmcs-invoices", "freebit": "whmcs-invoices"}


@dataclass(frozen=True)
class DashboardPanel:
    """What the dashboard shows of one provider: its API panels, its data on the page, and what the
    page says when there is nothing to show."""

    panels: tuple[str, ...]
    data: Callable[[object], list]
    unavailable: str


DASHBOARD = {
    "whmcs": DashboardPanel(("billing", "subscriptions"),
                            finder(r'(\d+ unpaid invoices?)|href="/subscriptions/(\d+)/"'),
                            "Billing details are temporarily unavailable."),
    "salesforce": DashboardPanel(("orders",), finder(r'href="/orders/(801\w+)/"'),
                                 "Orders are temporarily unavailable."),
    "freebit": DashboardPanel(("sims",), finder(r"([\d.]+ [KMG]B left of [\d.]+ [KMG]B)"),
                              "SIM details are temporarily unavailable."),
}


# -- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Outage:
    """Breaks one provider in one way, and mends it again."""

    def __init__(self, settings, emulators: dict[str, EmulatorControl]) -> None:
        self.settings = settings
        self.emulators = emulators
        self._restore: list[Callable[[], None]] = []

    def start(self, provider: str, fault: str) -> None:
        if FAULTS[fault] is None:
            name, path = URL_SETTINGS[provider]
            working = getattr(self.settings, name)
            setattr(self.settings, name, f"http://127.0.0.1:{free_port()}{path}")  # nothing listens there
            self._restore.append(lambda: setattr(self.settings, name, working))
        else:
            if fault == "slow":  # only the provider being slowed: the others answer at a loaded machine's pace
                self.settings.PROVIDER_READ_TIMEOUTS = {provider: READ_TIMEOUT}
                self._restore.append(lambda: setattr(self.settings, "PROVIDER_READ_TIMEOUTS", {}))
            self.emulators[provider].faults(**FAULTS[fault])
            self._restore.append(self.emulators[provider].clear_faults)

    def end(self) -> None:
        while self._restore:
            self._restore.pop()()


@pytest.fixture
def emulators(whmcs, salesforce, freebit, settings) -> dict[str, EmulatorControl]:
    """The three emulators (reset, no faults, zeroed counts), one try per read (the retries have their
    own tests) and the circuit breaker as configured."""
    settings.PROVIDER_MAX_ATTEMPTS = 1
    handles = {"whmcs": EmulatorControl(whmcs), "salesforce": EmulatorControl(salesforce),
               "freebit": EmulatorControl(freebit)}
    for handle in handles.values():
        handle.reset_stats()
    yield handles
    for handle in handles.values():
        handle.clear_faults()  # a delayed-answer fault must not outlive the test


@pytest.fixture
def outage(settings, emulators):
    breaking = Outage(settings, emulators)
    yield breaking
    breaking.end()


@pytest.fixture
def logged(caplog):
    """caplog whose records carry the correlation id, as the console handler's do."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(CorrelationId())
    return caplog


def expire_fresh_copies(user) -> None:
    """Time passes: every fresh cached value is gone, the stale copies (kept a day) remain."""
    invalidate_customer(user.pk)
    cache.delete_many(["catalog:all", "catalog:pricebook", "whmcs:currencies"])
    forget_currencies()


# -- assertions ----------------------------------------------------------------------------------------


def errors_of(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and not r.name.startswith("sandbox")]


def assert_logged_once(caplog, response, provider: str) -> None:
    errors = errors_of(caplog)
    assert len(errors) == 1, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in errors]
    assert errors[0].getMessage().startswith(f"{PROVIDER_NAMES[provider]} unavailable ("), errors[0].getMessage()
    assert errors[0].correlation_id == response["X-Request-ID"]
    assert "Traceback" not in errors[0].getMessage()


def assert_friendly_page(response, area: str, emulator: EmulatorControl) -> None:
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert f"Your {area} details are temporarily unavailable" in page
    assert f"quote reference <code>{response['X-Request-ID']}</code>" in page
    for leak in ("Traceback", "Error", "HTTP 5", "HTTP 4", "timed out", "not JSON", emulator.url, "127.0.0.1"):
        assert leak not in main_of(response), leak


def assert_api_503(response, area: str) -> None:
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "60"
    assert response.json() == {
        "message": f"Your {area} details are temporarily unavailable. Please try again shortly.",
        "extra": {"reference": response["X-Request-ID"]},
    }


# -- (a) a copy from an earlier load is shown flagged stale; (b) with none, a friendly 503 ------------


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("target", list(TARGETS))
def test_a_failing_provider_gives_its_last_copy_with_a_notice_or_else_a_friendly_503(
        target, fault, emulators, outage, logged, customer_client, customer_user):
    target = TARGETS[target]
    fresh_page = customer_client.get(target.page)
    fresh_api = customer_client.get(target.api).json()
    assert fresh_page.status_code == 200 and STALE_NOTICE not in main_of(fresh_page)
    assert target.data(fresh_page) and fresh_api["stale"] is False
    expire_fresh_copies(customer_user)
    outage.start(target.provider, fault)

    # (a) The copy from the earlier load, with the notice; the API flags it stale.
    logged.clear()
    page = customer_client.get(target.page)
    assert page.status_code == 200
    assert STALE_NOTICE in main_of(page)
    assert target.data(page) == target.data(fresh_page)
    assert_logged_once(logged, page, target.provider)

    logged.clear()
    api = customer_client.get(target.api)
    assert api.status_code == 200
    assert api.json() == {**fresh_api, "stale": True}
    assert_logged_once(logged, api, target.provider)

    # (b) Nothing cached at all (not even the stale copies): the friendly 503, and the API's JSON 503.
    cache.clear()
    forget_currencies()
    logged.clear()
    page = customer_client.get(target.page)
    assert_friendly_page(page, target.area, emulators[target.provider])
    assert_logged_once(logged, page, target.provider)

    logged.clear()
    api = customer_client.get(target.api)
    assert_api_503(api, target.area)
    assert_logged_once(logged, api, target.provider)


# -- the dashboard: a failing provider only affects its own panels --------------------------------------


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("provider", list(DASHBOARD))
def test_the_dashboard_shows_a_failing_providers_last_copy_or_else_the_other_panels(
        provider, fault, emulators, outage, logged, customer_client, customer_user):
    panel = DASHBOARD[provider]
    fresh_page = customer_client.get("/")
    fresh_api = customer_client.get("/api/v1/dashboard").json()["data"]
    assert DASHBOARD_NOTICE not in main_of(fresh_page) and panel.data(fresh_page)
    expire_fresh_copies(customer_user)
    outage.start(provider, fault)

    # (a) The provider's panels show their last copy, with the dashboard's notice.
    logged.clear()
    page = customer_client.get("/")
    assert page.status_code == 200
    assert DASHBOARD_NOTICE in main_of(page) and DASHBOARD_STALE_NOTICE in main_of(page)
    assert panel.data(page) == panel.data(fresh_page)
    assert_logged_once(logged, page, provider)

    logged.clear()
    api = customer_client.get("/api/v1/dashboard")
    assert api.status_code == 200
    body = api.json()["data"]
    for name in panel.panels:
        assert body[name] == {**fresh_api[name], "stale": True}, name
    assert_logged_once(logged, api, provider)

    # (b) Nothing cached: the page still answers, the provider's panels say they are unavailable and
    # the other providers' panels show their data.
    cache.clear()
    forget_currencies()
    logged.clear()
    page = customer_client.get("/")
    assert page.status_code == 200
    assert panel.unavailable in main_of(page) and DASHBOARD_NOTICE in main_of(page)
    assert "Traceback" not in page.content.decode()
    for other, other_panel in DASHBOARD.items():
        if other != provider and not (provider == "whmcs" and other == "freebit"):  # SIMs are found in WHMCS
            assert other_panel.data(page), other
    assert_logged_once(logged, page, provider)

    logged.clear()
    api = customer_client.get("/api/v1/dashboard")
    assert api.status_code == 200
    body = api.json()["data"]
    assert all(body[name]["unavailable"] for name in panel.panels)
    assert_logged_once(logged, api, provider)


# -- (d) the circuit breaker ----------------------------------------------------------------------------


def provider_calls(response) -> int:
    return int(response["X-Provider-Calls"])


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("target", BREAKER_TARGETS)
def test_repeated_failures_open_the_circuit_of_that_provider_only_and_it_closes_by_itself(
        target, fault, emulators, outage, customer_client, customer_user, settings, time_machine):
    settings.CIRCUIT_FAILURE_THRESHOLD = THRESHOLD
    settings.CIRCUIT_RESET_SECONDS = RESET_SECONDS
    target = TARGETS[target]
    emulator = emulators[target.provider]
    fresh = customer_client.get(target.page)
    assert fresh.status_code == 200 and target.data(fresh)
    expire_fresh_copies(customer_user)
    outage.start(target.provider, fault)

    # Each request makes at least one failing call while the circuit is closed.
    for _ in range(THRESHOLD):
        failing = customer_client.get(target.page)
        assert failing.status_code == 200 and STALE_NOTICE in main_of(failing)

    # Open: the portal answers from its stale copy without calling the provider at all (the other
    # providers' data of the page is cached fresh by now, so the page makes no call).
    emulator.reset_stats()
    while_open = customer_client.get(target.page)
    api_while_open = customer_client.get(target.api)
    assert while_open.status_code == 200 and STALE_NOTICE in main_of(while_open)
    assert target.data(while_open) == target.data(fresh)
    assert api_while_open.status_code == 200 and api_while_open.json()["stale"] is True
    assert provider_calls(while_open) == provider_calls(api_while_open) == 0
    assert emulator.calls() == 0

    # Only that provider's circuit: another provider's page is read fresh from it.
    other = TARGETS[OTHER_PROVIDER_PAGE[target.provider]]
    expire_fresh_copies(customer_user)
    emulators[other.provider].reset_stats()
    elsewhere = customer_client.get(other.page)
    assert elsewhere.status_code == 200 and STALE_NOTICE not in main_of(elsewhere) and other.data(elsewhere)
    assert emulators[other.provider].calls() >= 1

    # Healthy again, but the circuit stays open until CIRCUIT_RESET_SECONDS have passed.
    outage.end()
    expire_fresh_copies(customer_user)
    emulator.reset_stats()
    assert STALE_NOTICE in main_of(customer_client.get(target.page))
    assert emulator.calls() == 0

    time_machine.move_to(time.time() + RESET_SECONDS + 1, tick=True)
    recovered = customer_client.get(target.page)
    assert recovered.status_code == 200
    assert STALE_NOTICE not in main_of(recovered)
    assert target.data(recovered) == target.data(fresh)
    assert emulator.calls() >= 1  # the probe, and the page's other reads once it succeeded

    # Closed: calls go through again (nothing refused after a miss).
    expire_fresh_copies(customer_user)
    emulator.reset_stats()
    again = customer_client.get(target.api)
    assert again.status_code == 200 and again.json()["stale"] is False
    assert emulator.calls() >= 1


@pytest.mark.parametrize("provider", list(DASHBOARD))
def test_on_the_dashboard_an_open_circuit_costs_no_call_and_closes_after_the_reset(
        provider, emulators, outage, customer_client, customer_user, settings, time_machine):
    """The dashboard reads a provider from several panels at once: while its circuit is open none of
    them calls it; after the reset one panel's read is the probe, and once that succeeded every
    panel is read fresh again."""
    settings.CIRCUIT_FAILURE_THRESHOLD = THRESHOLD
    settings.CIRCUIT_RESET_SECONDS = RESET_SECONDS
    panel = DASHBOARD[provider]
    emulator = emulators[provider]
    fresh = customer_client.get("/")
    expire_fresh_copies(customer_user)
    outage.start(provider, "5xx")
    for _ in range(THRESHOLD):
        assert customer_client.get("/").status_code == 200

    emulator.reset_stats()
    while_open = customer_client.get("/")
    assert while_open.status_code == 200 and DASHBOARD_STALE_NOTICE in main_of(while_open)
    assert panel.data(while_open) == panel.data(fresh)
    assert emulator.calls() == 0

    outage.end()
    time_machine.move_to(time.time() + RESET_SECONDS + 1, tick=True)
    probed = customer_client.get("/")
    assert probed.status_code == 200 and panel.data(probed) == panel.data(fresh)
    assert emulator.calls() >= 1
    expire_fresh_copies(customer_user)
    recovered = customer_client.get("/")
    assert DASHBOARD_NOTICE not in main_of(recovered)
    assert panel.data(recovered) == panel.data(fresh)


# -- Salesforce's sign-in is a call like any other ------------------------------------------------------


@pytest.mark.parametrize("fault", [kind for kind, config in FAULTS.items() if config])
def test_salesforce_sign_in_failing_is_an_outage_not_refused_credentials(fault, emulators, outage, logged,
                                                                         customer_client, settings):
    """The token endpoint rate limiting, timing out or answering garbage is Salesforce failing (it
    counts toward the breaker), not the connected app's credentials being refused."""
    settings.CIRCUIT_FAILURE_THRESHOLD = THRESHOLD
    settings.PROVIDER_READ_TIMEOUTS = {"salesforce": READ_TIMEOUT}  # past it, "slow" is a timeout
    salesforce = emulators["salesforce"]
    requests.post(salesforce.url + "/__sandbox__/expire-sessions", json={}, timeout=5).raise_for_status()
    salesforce.faults(**FAULTS[fault], actions=["oauth2/token"])

    for _ in range(THRESHOLD + 1):  # the first may still meet the expired session before signing in
        logged.clear()
        response = customer_client.get("/catalog/")
        assert_friendly_page(response, "catalog", salesforce)
        assert_logged_once(logged, response, "salesforce")
        assert "sign-in" in errors_of(logged)[0].getMessage()

    salesforce.reset_stats()
    assert customer_client.get("/catalog/").status_code == 503
    assert salesforce.calls() == 0, "the circuit is open"
