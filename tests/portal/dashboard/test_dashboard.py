"""The dashboard's fan-out: every panel, a down provider's panel, call counting, single flight.

How fast the concurrent panels are is `make bench`'s figure 1 (cold dashboard / L), never a timed assertion here."""
import re
import threading
import time

import pytest
import requests
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.whmcs.errors import WhmcsTransportError
from portal.core.cache import fetch_cached
from tests.redis_commands import counted_redis_commands

pytestmark = pytest.mark.django_db

def test_every_panel_shows_on_a_cold_and_a_warm_load(customer_client, whmcs, salesforce, freebit):
    cold = customer_client.get("/")
    warm = customer_client.get("/")

    page = cold.content.decode()
    assert cold.status_code == 200
    assert "unpaid invoice" in page and "Fiber 1 Gbps" in page and "Under review" in page and "left of" in page
    assert int(cold["X-Provider-Calls"]) > 0
    assert warm["X-Provider-Calls"] == "0"
    assert warm.content.decode().count("left of") == page.count("left of")


def test_a_warm_dashboard_costs_three_redis_commands_and_one_query(customer_client, whmcs, salesforce, freebit):
    customer_client.get("/")  # fills the cache (and remembers the customer's SIMs)
    customer_client.get("/")

    with counted_redis_commands() as redis_log, CaptureQueriesContext(connection) as queries:
        response = customer_client.get("/")

    assert response.status_code == 200 and response["X-Provider-Calls"] == "0"
    assert "left of" in response.content.decode()
    # The session, the customer's namespace version, then every panel's value (SIMs included) at once.
    assert redis_log.commands == ["GET", "GET", "MGET"]
    sql = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(sql) == 1 and "accounts_customer" in sql[0]  # the user, with their customer


def test_a_warm_dashboards_panels_are_drawn_once_and_the_pay_form_carries_this_requests_token(
        customer_client, whmcs, salesforce, freebit):
    from portal.core.templatetags.layout import _kept
    from portal.dashboard.selectors import Dashboard

    customer_client.get("/")
    _kept.clear()
    first, again = customer_client.get("/"), customer_client.get("/")

    assert [type(key[2][0]) for key in _kept.fragments] == [Dashboard]  # drawn once, kept under its panels
    pay_form = re.compile(r'<form method="post" action="/billing/invoices/\d+/pay/"><input type="hidden" '
                          r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})">')
    tokens = [pay_form.search(page.content.decode()).group(1) for page in (first, again)]
    assert tokens[0] != tokens[1]  # masked anew for each page, as Django's own tag does


def test_a_down_provider_only_empties_its_own_panel(customer_client, whmcs, salesforce, freebit):
    requests.post(salesforce.url + "/__sandbox__/faults", json={"error_rate": 1.0, "status": 503}, timeout=5)

    response = customer_client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Orders are temporarily unavailable." in page
    assert "unpaid invoice" in page and "left of" in page
    assert "could not be loaded just now" in page


def test_the_dashboard_api_uses_the_same_fan_out(customer_client, whmcs, salesforce, freebit):
    requests.post(freebit.url + "/__sandbox__/faults", json={"error_rate": 1.0, "status": 503}, timeout=5)

    body = customer_client.get("/api/v1/dashboard").json()["data"]

    assert body["billing"]["unavailable"] is False and body["billing"]["value"]["unpaid_count"] > 0
    assert body["orders"]["value"] and body["subscriptions"]["value"]
    assert body["sims"]["unavailable"] is True
    assert all(sim["remaining"] is None for sim in body["sims"]["value"])


def test_concurrent_misses_of_one_key_call_the_provider_once():
    calls = []

    def slow_fetch():
        calls.append(threading.get_ident())
        time.sleep(0.3)
        return "fresh"

    results = []
    threads = [threading.Thread(target=lambda: results.append(
        fetch_cached("stampede:test", 60, slow_fetch, failures=(WhmcsTransportError,)).value)) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 1
    assert results == ["fresh"] * 20
    cache.delete("stampede:test")


def test_sims_seen_before_are_shown_from_freebit_on_a_cold_dashboard(customer_client, customer_user, whmcs, salesforce,
                                                                    freebit):
    """The SIMs the customer was last seen with are read from Freebit on a cold page (in parallel with WHMCS:
    how much that saves is measured by `make bench`, never by a timed assertion)."""
    customer_client.get("/")
    customer_user.customer.refresh_from_db()
    known = customer_user.customer.known_iccids
    assert known and all(sim["iccid"].isdigit() and sim["msisdn"].isdigit() for sim in known)
    cache.clear()

    page = customer_client.get("/").content.decode()

    assert page.count("left of") + page.count("Suspended: no data can be used") == len(known)
