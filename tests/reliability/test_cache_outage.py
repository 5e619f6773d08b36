"""Drill: the cache's Redis goes away, and comes back ("Faults survived", issue 9).

The portal's cache is a private ``redis-server`` (a real process on a free port, configured like
production: ``redis_cache()`` with IGNORE_EXCEPTIONS). The drill warms it with the pages of a
signed-in customer, kills it, and checks that the portal degrades to cache misses: every page is
still served, fresh from the providers; signing in still works (sessions live in the database);
the circuit breaker lets calls through rather than blocking on its missing state; django-axes
still counts failed sign-ins without an error; ``/readyz`` says 503 naming the cache while
``/healthz`` stays 200. Then Redis is started again on the same port: ready again, and caching
resumes. Nothing of ours is patched: the faults are a killed process and the emulators' controls.
"""
from __future__ import annotations

import logging
import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sandbox.whmcs import DEMO_SIMS
from tests.conftest import PASSWORD
from tests.emulator import EmulatorControl
from tests.pages import main_of
from tests.processes import wait_for

pytestmark = pytest.mark.django_db

ALICE_SIM = next(sim.iccid for sim in DEMO_SIMS if sim.service_id == 12)  # Mobile Voice 20 GB, active
STALE_NOTICE = "this is the information we had most recently"
DASHBOARD_NOTICE = "details could not be loaded just now"
PAGES = {  # page -> what it shows of its provider's data
    "/": re.compile(r'(\d+ unpaid invoices?)|href="/subscriptions/(\d+)/"|([\d.]+ [KMG]B left of)'
                    r'|href="/orders/(801\w+)/"'),
    "/billing/invoices/": re.compile(r'<a href="/billing/invoices/\d+/">([^<]+)</a>'),
    "/catalog/": re.compile(r'href="/catalog/(01t\w+)/"'),
    f"/sims/{ALICE_SIM}/": re.compile(r'<span class="gauge-figure">(.*?)</span>'),
}


def shown(path: str, response) -> list:
    return PAGES[path].findall(main_of(response))


def provider_calls(response) -> int:
    return int(response["X-Provider-Calls"])


@pytest.fixture
def providers(whmcs, salesforce, freebit, settings) -> dict[str, EmulatorControl]:
    """The three emulators (their fixtures clear their faults when the test ends), answering within a second."""
    settings.PROVIDER_READ_TIMEOUT = 1.0
    settings.PROVIDER_MAX_ATTEMPTS = 1
    return {"whmcs": whmcs, "salesforce": salesforce, "freebit": freebit}


@pytest.fixture
def warm(cache_redis, providers, customer_client) -> dict[str, list]:
    """Every page loaded once (and so cached): what each showed."""
    seen = {}
    for path in PAGES:
        response = customer_client.get(path)
        assert response.status_code == 200, path
        assert shown(path, response), path
        seen[path] = shown(path, response)
    for path in PAGES:
        assert provider_calls(customer_client.get(path)) == 0, f"{path} is not served from the cache"
    return seen


def test_with_redis_down_every_page_is_served_fresh_from_the_providers(warm, cache_redis, customer_client):
    cache_redis.stop()

    for _ in range(2):  # and again: nothing is cached while Redis is down
        for path, before in warm.items():
            response = customer_client.get(path)
            assert response.status_code == 200, path
            page = main_of(response)
            assert STALE_NOTICE not in page and DASHBOARD_NOTICE not in page, path
            assert shown(path, response) == before, path
            assert provider_calls(response) > 0, f"{path}: a miss is a call to the provider"


def test_with_redis_down_signing_in_and_out_still_works(warm, cache_redis, customer_user, client):
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"  # not the cache alone
    cache_redis.stop()

    signed_in = client.post(reverse("login"), {"username": customer_user.email, "password": PASSWORD}, follow=True)

    assert signed_in.status_code == 200
    assert signed_in.redirect_chain[-1][0] == reverse("dashboard")
    assert "Welcome, Alice" in signed_in.content.decode()
    assert client.get("/billing/invoices/").status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/billing/invoices/")["Location"].startswith(reverse("login"))


def test_with_redis_down_the_lockout_still_counts_failed_sign_ins(cache_redis, customer_user, settings):
    """django-axes keeps its counts in the database: no 500, and the lockout still happens."""
    settings.AXES_FAILURE_LIMIT = 3
    cache_redis.stop()
    browser = Client()

    answers = [browser.post(reverse("login"), {"username": customer_user.email, "password": "not-it"}).status_code
               for _ in range(settings.AXES_FAILURE_LIMIT)]
    locked = browser.post(reverse("login"), {"username": customer_user.email, "password": PASSWORD})

    assert 500 not in answers
    assert locked.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_with_redis_down_the_circuit_breaker_lets_calls_through(warm, cache_redis, providers, customer_client,
                                                                settings):
    """The breaker keeps its counts in the cache: without it, it cannot count and must not refuse.
    Every failing request still reaches WHMCS, and the first one after WHMCS recovers gets through."""
    settings.CIRCUIT_FAILURE_THRESHOLD = 2
    whmcs = providers["whmcs"]
    cache_redis.stop()
    whmcs.faults(error_rate=1.0, status=503)
    whmcs.reset_stats()

    for _ in range(settings.CIRCUIT_FAILURE_THRESHOLD * 3):
        response = customer_client.get("/billing/invoices/")
        assert response.status_code == 503  # nothing cached: the friendly page, never a 500
        assert "temporarily unavailable" in response.content.decode()
    whmcs.clear_faults()
    recovered = customer_client.get("/billing/invoices/")

    assert whmcs.calls() >= settings.CIRCUIT_FAILURE_THRESHOLD * 3 + 1
    assert recovered.status_code == 200 and shown("/billing/invoices/", recovered) == warm["/billing/invoices/"]


def test_readiness_names_the_cache_and_liveness_stays_up_until_redis_is_back(warm, cache_redis, client,
                                                                            customer_client):
    assert client.get("/readyz").status_code == 200
    cache_redis.stop()

    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json()["failing"] == ["cache"]
    assert not_ready.json()["checks"]["cache"].startswith("cache: ")
    assert str(cache_redis.port) not in not_ready.content.decode()
    assert client.get("/healthz").status_code == 200

    cache_redis.start()  # the same port, empty

    # the cache client skips a Redis that just failed for REDIS_SKIP_AFTER_FAILURE_SECONDS (5 s)
    wait_for(lambda: client.get("/readyz").status_code == 200, what="/readyz to be ready again", timeout=20)
    first = customer_client.get("/billing/invoices/")
    second = customer_client.get("/billing/invoices/")
    assert provider_calls(first) > 0  # Redis came back empty: a miss...
    assert provider_calls(second) == 0  # ...and caching is back
    assert shown("/billing/invoices/", second) == warm["/billing/invoices/"]


def test_a_frozen_redis_costs_one_timeout_then_is_skipped_until_it_answers(warm, cache_redis, customer_client,
                                                                           caplog):
    """Port open, nothing answering (SIGSTOP): without the skipping client every cache call of a page
    waited its socket timeout in turn; now the first one does and the rest miss at once."""
    caplog.set_level(logging.WARNING, logger="portal.core.redis_client")
    cache_redis.freeze()
    try:
        for path in PAGES:
            response = customer_client.get(path)
            assert response.status_code == 200, path
            assert shown(path, response) == warm[path], path
    finally:
        cache_redis.thaw()
    skips = [r.getMessage() for r in caplog.records if r.name == "portal.core.redis_client"]

    assert skips == ["the cache did not answer (TimeoutError): skipping it for 5 s"]
    wait_for(lambda: cache.set("after-the-thaw", 1) or cache.get("after-the-thaw") == 1,
             what="the cache to be used again once Redis answers (after the 5 s skip)", timeout=20)
