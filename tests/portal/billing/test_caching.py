"""Caching of WHMCS reads in the real Redis cache: hits, misses, per-customer invalidation, stale
copies when WHMCS fails, and the friendly 503 (with a correlation id) when nothing is cached.

Provider calls are counted by the emulator (``GET /__sandbox__/stats``) and failures injected
through ``POST /__sandbox__/faults``: nothing of ours is patched.
"""
import logging
import random
import re

import pytest
import requests
from django_guid.log_filters import CorrelationId

from portal.core.cache import invalidate_customer
from tests.portal.billing.conftest import ALICE_CLIENT_ID

pytestmark = pytest.mark.django_db

STALE_NOTICE = "this is the information we had most recently"
UNAVAILABLE = "Your billing details are temporarily unavailable"

# Each way WHMCS can be down, as emulator fault settings.
OUTAGES = {
    "http-503": {"error_rate": 1.0, "status": 503},
    "http-502": {"error_rate": 1.0, "status": 502},
    "timeout": {"timeout_rate": 1.0, "timeout_seconds": 3},
    "malformed-body": {"malformed_rate": 1.0},
    "html-body": {"malformed_rate": 1.0, "malformed_kind": "html"},
    "rate-limited": {"rate_limit": {"rate": 1.0, "status": 429, "retry_after": 0}},
}


@pytest.fixture(params=sorted(OUTAGES))
def outage(request, emulator, settings):
    """Turn WHMCS off in one of the ways it fails; reads give up quickly."""
    settings.PROVIDER_READ_TIMEOUT = 0.5
    settings.PROVIDER_CONNECT_TIMEOUT = 0.5
    return OUTAGES[request.param]


def listed_numbers(response) -> list[str]:
    return re.findall(r'<a href="/billing/invoices/\d+/">([^<]+)</a>', response.content.decode())


# -- hits and misses ---------------------------------------------------------------------------------


def test_a_second_view_of_the_list_is_served_from_the_cache(emulator, customer_client):
    first = customer_client.get("/billing/invoices/")
    assert emulator.stats()["calls"] == {"GetCurrencies": 1, "GetClientsDetails": 1, "GetInvoices": 1}

    second = customer_client.get("/billing/invoices/")

    assert emulator.stats()["calls"] == {"GetCurrencies": 1, "GetClientsDetails": 1, "GetInvoices": 1}
    assert listed_numbers(second) == listed_numbers(first) != []
    assert STALE_NOTICE not in second.content.decode()


def test_another_page_or_filter_is_a_miss(emulator, customer_client):
    customer_client.get("/billing/invoices/")

    customer_client.get("/billing/invoices/", {"page": 2})
    assert emulator.calls("GetInvoices") == 2
    customer_client.get("/billing/invoices/", {"status": "Paid"})
    assert emulator.calls("GetInvoices") == 3
    customer_client.get("/billing/invoices/", {"page": 2})
    customer_client.get("/billing/invoices/", {"status": "Paid"})
    assert emulator.calls("GetInvoices") == 3
    assert emulator.calls("GetCurrencies") == 1


def test_the_page_and_the_api_share_the_cached_copy(emulator, customer_client):
    customer_client.get("/billing/invoices/")

    body = customer_client.get("/api/v1/invoices").json()

    assert body["stale"] is False and len(body["data"]) == 10
    assert emulator.calls("GetInvoices") == 1


@pytest.mark.parametrize(("path", "action"), [
    ("/billing/invoices/{invoice}/", "GetInvoice"),
    ("/subscriptions/", "GetClientsProducts"),
    ("/subscriptions/{service}/", "GetClientsProducts"),
    ("/billing/payment-methods/", "GetPayMethods"),
])
def test_every_billing_page_is_cached(emulator, customer_client, path, action):
    path = path.format(invoice=emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid").id,
                       service=emulator.services_of(ALICE_CLIENT_ID)[0].id)

    assert customer_client.get(path).status_code == 200
    calls = emulator.calls(action)
    assert calls >= 1
    assert customer_client.get(path).status_code == 200

    assert emulator.calls(action) == calls


def test_the_cache_is_per_customer(emulator, customer_client, bob_client):
    customer_client.get("/billing/invoices/")

    bobs = bob_client.get("/billing/invoices/")

    assert emulator.calls("GetInvoices") == 2  # Bob's page is his own, not Alice's cached one
    assert set(listed_numbers(bobs)).isdisjoint(listed_numbers(customer_client.get("/billing/invoices/")))


# -- invalidation ------------------------------------------------------------------------------------


def test_invalidating_a_customer_makes_the_next_view_ask_whmcs(emulator, customer_client, customer_user):
    customer_client.get("/billing/invoices/")
    customer_client.get("/billing/payment-methods/")
    emulator.reset_stats()

    invalidate_customer(customer_user.pk)
    customer_client.get("/billing/invoices/")
    customer_client.get("/billing/payment-methods/")

    # Currencies are not per customer, and the one the client is billed in is kept for the hour.
    assert emulator.stats()["calls"] == {"GetInvoices": 1, "GetPayMethods": 1}
    customer_client.get("/billing/invoices/")
    assert emulator.calls("GetInvoices") == 1  # cached again


def test_invalidation_works_again_and_again(emulator, customer_client, customer_user):
    customer_client.get("/billing/invoices/")

    for round_ in range(1, 4):
        invalidate_customer(customer_user.pk)
        customer_client.get("/billing/invoices/")
        customer_client.get("/billing/invoices/")
        assert emulator.calls("GetInvoices") == 1 + round_


def test_invalidation_shows_a_payment_made_in_whmcs(emulator, customer_client, customer_user):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=False)
    assert "pay-form" in customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()
    # The customer pays in the WHMCS client area: Pay, sign in with the link, "Pay now".
    whmcs_browser = requests.Session()
    whmcs_browser.get(customer_client.post(f"/billing/invoices/{invoice.id}/pay/")["Location"], timeout=5)
    paid = whmcs_browser.post(f"{emulator.url}/creditcard.php?invoiceid={invoice.id}", timeout=5)
    assert "Payment successful" in paid.text

    cached = customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()
    invalidate_customer(customer_user.pk)
    fresh = customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()

    assert "pay-form" in cached  # until WHMCS tells us (the webhook), the cached copy is shown
    assert "pay-form" not in fresh and '<span class="badge badge-ok">Paid</span>' in fresh


def test_invalidating_one_customer_leaves_the_others_cached(emulator, customer_client, bob_client, customer_user):
    customer_client.get("/billing/invoices/")
    bob_client.get("/billing/invoices/")
    emulator.reset_stats()

    invalidate_customer(customer_user.pk)
    bob_client.get("/billing/invoices/")
    assert emulator.calls() == 0
    customer_client.get("/billing/invoices/")

    assert emulator.stats()["calls"] == {"GetInvoices": 1}


def test_invalidating_a_customer_with_nothing_cached_is_harmless(emulator, customer_client, customer_user):
    invalidate_customer(customer_user.pk)
    invalidate_customer(customer_user.pk)

    assert customer_client.get("/billing/invoices/").status_code == 200
    customer_client.get("/billing/invoices/")
    assert emulator.calls("GetInvoices") == 1


# -- stale copies ------------------------------------------------------------------------------------


def test_when_whmcs_fails_the_last_copy_is_shown_with_a_notice(emulator, customer_client, customer_user):
    fresh = customer_client.get("/billing/invoices/")
    assert STALE_NOTICE not in fresh.content.decode()
    invalidate_customer(customer_user.pk)
    emulator.faults(error_rate=1.0, status=503)
    emulator.reset_stats()

    response = customer_client.get("/billing/invoices/")
    body = customer_client.get("/api/v1/invoices").json()

    assert response.status_code == 200
    assert STALE_NOTICE in response.content.decode()
    assert listed_numbers(response) == listed_numbers(fresh)
    assert body["stale"] is True
    assert [i["number"] for i in body["data"]] == listed_numbers(fresh)
    assert emulator.calls("GetInvoices") >= 1  # WHMCS was asked, and failed


def test_a_stale_invoice_offers_no_pay_button(emulator, customer_client, customer_user):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")
    assert "pay-form" in customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()
    invalidate_customer(customer_user.pk)
    emulator.faults(error_rate=1.0, status=503)

    response = customer_client.get(f"/billing/invoices/{invoice.id}/")
    api = customer_client.get(f"/api/v1/invoices/{invoice.id}").json()

    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_NOTICE in page and invoice.invoicenum in page
    assert "pay-form" not in page
    assert api["stale"] is True and api["data"]["id"] == invoice.id


def test_once_whmcs_recovers_the_page_is_fresh_again(emulator, customer_client, customer_user):
    customer_client.get("/billing/invoices/")
    invalidate_customer(customer_user.pk)
    emulator.faults(error_rate=1.0, status=503)
    assert STALE_NOTICE in customer_client.get("/billing/invoices/").content.decode()

    emulator.clear_faults()
    response = customer_client.get("/billing/invoices/")

    assert response.status_code == 200
    assert STALE_NOTICE not in response.content.decode()
    assert customer_client.get("/api/v1/invoices").json()["stale"] is False


def test_a_stale_copy_is_never_shown_to_another_customer(emulator, customer_client, bob_client):
    customer_client.get("/billing/invoices/")  # Alice has a stale copy now; Bob has nothing
    emulator.faults(error_rate=1.0, status=503)

    response = bob_client.get("/billing/invoices/")

    assert response.status_code == 503
    assert listed_numbers(response) == []


# -- nothing cached and WHMCS down -------------------------------------------------------------------


def assert_friendly_unavailable_page(response, emulator):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert UNAVAILABLE in page
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert f"quote reference <code>{request_id}</code>" in page
    for leak in ("Traceback", "WhmcsTransportError", "WhmcsMalformedResponse", "WhmcsRateLimited", "Whmcs",
                 "api.php", "GetInvoices", "GetCurrencies", emulator.url, "127.0.0.1", "HTTP 5", "timed out"):
        assert leak not in page, leak
    return request_id


def test_whmcs_down_and_nothing_cached_gives_a_friendly_page(emulator, customer_client, outage, caplog):
    emulator.faults(**outage)
    caplog.handler.addFilter(CorrelationId())  # as the console handler does: the record gets the id

    response = customer_client.get("/billing/invoices/")

    request_id = assert_friendly_unavailable_page(response, emulator)
    errors = [r for r in caplog.records if r.name == "portal.billing.selectors" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage().startswith("WHMCS unavailable (billing): ")
    assert errors[0].correlation_id == request_id
    assert emulator.stats()["total"] >= 1


def test_whmcs_down_and_nothing_cached_gives_a_json_503_from_the_api(emulator, customer_client, outage):
    emulator.faults(**outage)

    response = customer_client.get("/api/v1/invoices")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json() == {
        "message": "Your billing details are temporarily unavailable. Please try again shortly.",
        "extra": {"reference": response["X-Request-ID"]},
    }


def test_the_reference_is_the_callers_request_id_when_one_is_sent(emulator, customer_client, caplog):
    emulator.faults(error_rate=1.0, status=503)
    caplog.handler.addFilter(CorrelationId())
    incoming = "0123456789abcdef0123456789abcdef"

    response = customer_client.get("/billing/invoices/", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] == incoming
    assert f"<code>{incoming}</code>" in response.content.decode()
    assert [r.correlation_id for r in caplog.records
            if r.name == "portal.billing.selectors" and r.levelno == logging.ERROR] == [incoming]


@pytest.mark.parametrize("path", ["/billing/invoices/{invoice}/", "/subscriptions/", "/subscriptions/{service}/",
                                  "/billing/payment-methods/"])
def test_every_billing_page_degrades_to_the_friendly_page(emulator, customer_client, path):
    path = path.format(invoice=emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid").id,
                       service=emulator.services_of(ALICE_CLIENT_ID)[0].id)
    emulator.faults(error_rate=1.0, status=503)

    assert_friendly_unavailable_page(customer_client.get(path), emulator)


def test_currencies_cached_but_the_list_not_still_gives_the_friendly_page(emulator, customer_client, caplog):
    customer_client.get("/billing/invoices/")  # currencies and page 1 are cached
    emulator.faults(error_rate=1.0, status=503)

    response = customer_client.get("/billing/invoices/", {"page": 2})

    assert_friendly_unavailable_page(response, emulator)
    assert any(r.name == "portal.billing.selectors" and r.levelno == logging.ERROR for r in caplog.records)


# -- retries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("attempts", [1, 2, 3])
def test_a_failing_read_is_tried_provider_max_attempts_times(emulator, customer_client, settings, attempts):
    customer_client.get("/billing/invoices/")  # currencies cached: the next page makes one read
    settings.PROVIDER_MAX_ATTEMPTS = attempts
    emulator.faults(error_rate=1.0, status=503)
    emulator.reset_stats()

    response = customer_client.get("/billing/invoices/", {"page": 2})

    assert response.status_code == 503
    stats = emulator.stats()
    assert stats["calls"] == {"GetInvoices": attempts}
    assert stats["faults_injected"] == {"error": attempts}


def test_a_read_that_fails_once_is_retried_and_succeeds(emulator, customer_client):
    customer_client.get("/billing/invoices/")  # currencies cached: the next page makes one read
    # The emulator draws each call's fate from its seeded generator (one draw per enabled fault):
    # pick a seed whose first call fails and whose second gets through.
    seed = next(s for s in range(1000) if (lambda r: r.random() < 0.5 <= r.random())(random.Random(s)))
    emulator.faults(error_rate=0.5, status=503, seed=seed)
    emulator.reset_stats()

    response = customer_client.get("/billing/invoices/", {"page": 2})

    assert response.status_code == 200
    assert STALE_NOTICE not in response.content.decode()
    assert len(listed_numbers(response)) == 10
    stats = emulator.stats()
    assert stats["calls"] == {"GetInvoices": 2}
    assert stats["faults_injected"] == {"error": 1}


def test_a_read_that_times_out_is_retried_too(emulator, customer_client, settings):
    settings.PROVIDER_READ_TIMEOUT = 0.5
    emulator.faults(timeout_rate=1.0, timeout_seconds=3)

    response = customer_client.get("/billing/invoices/")

    assert response.status_code == 503
    assert settings.PROVIDER_MAX_ATTEMPTS == 2  # as the whmcs fixture sets it
    assert emulator.stats()["calls"] == {"GetCurrencies": 2}
    assert emulator.stats()["faults_injected"] == {"timeout": 2}
