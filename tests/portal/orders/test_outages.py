"""When Salesforce fails: stale copies with a notice, a friendly 503 when nothing is cached, the JWT
bearer flow refused, and an expired session renewed by signing in again once.

Failures are injected with ``POST /__sandbox__/faults``; calls are counted with ``GET /__sandbox__/stats``.
"""
import logging

import pytest
from django.core.cache import cache

from portal.core.cache import invalidate_customer
from sandbox.salesforce.keys import generate_demo_keypair
from tests.pages import main_of, text_of
from tests.portal.orders.conftest import STALE_NOTICE

pytestmark = pytest.mark.django_db

UNAVAILABLE = "details are temporarily unavailable"
OUTAGES = {
    "http-503": {"error_rate": 1.0, "status": 503},
    "http-500": {"error_rate": 1.0, "status": 500},
    "timeout": {"timeout_rate": 1.0, "timeout_seconds": 3},
    "malformed-body": {"malformed_rate": 1.0},
    "rate-limited": {"rate_limit": {"rate": 1.0, "status": 403, "retry_after": 0}},
}
PAGES = ["/catalog/", "/catalog/{product}/", "/orders/", "/orders/{order}/", "/orders/cart/", "/orders/checkout/"]
API = ["/api/v1/catalog", "/api/v1/orders", "/api/v1/orders/{order}"]


@pytest.fixture(params=sorted(OUTAGES))
def outage(request, sf, settings):
    """Salesforce failing in one of its ways; reads give up quickly."""
    settings.PROVIDER_READ_TIMEOUTS = {"salesforce": 0.5}  # the others keep the fixtures' 2 s
    settings.PROVIDER_CONNECT_TIMEOUT = 0.5
    return OUTAGES[request.param]


def alice_order(sf, customer_user) -> str:
    return sf.orders_of(customer_user.customer.salesforce_account_id)[0]["Id"]


def assert_friendly_503(response, area: str):
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "60"
    page = text_of(response)
    assert f"Your {area} {UNAVAILABLE}" in page
    assert "Traceback" not in page and "Salesforce" not in main_of(response)
    assert "If you contact support, quote reference <code>" in page


# -- nothing cached ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_salesforce_down_with_nothing_cached_gives_a_friendly_503_page(outage, sf, customer_client, customer_user,
                                                                       path):
    product = sf.product("VPN-SECURE")["Id"]
    order = alice_order(sf, customer_user)
    sf.faults(**outage)

    response = customer_client.get(path.format(product=product, order=order))

    area = "orders" if path.startswith("/orders/{order}") or path == "/orders/" else "catalog"
    assert_friendly_503(response, area)


@pytest.mark.parametrize("path", API)
def test_the_api_answers_503_with_a_reference_when_salesforce_is_down(sf, customer_client, customer_user, path):
    order = alice_order(sf, customer_user)
    sf.faults(error_rate=1.0, status=503)

    response = customer_client.get(path.format(order=order))

    assert response.status_code == 503
    body = response.json()
    assert body["message"].endswith("temporarily unavailable. Please try again shortly.")
    assert body["extra"]["reference"]


def test_the_outage_is_logged_with_its_cause_but_not_shown(sf, customer_client, caplog):
    sf.faults(error_rate=1.0, status=503)

    with caplog.at_level(logging.ERROR, logger="portal.catalog.selectors"):
        response = customer_client.get("/catalog/")

    assert response.status_code == 503
    assert any("Salesforce unavailable (catalog)" in r.getMessage() and "HTTP 503" in r.getMessage()
               for r in caplog.records)
    assert "HTTP 503" not in text_of(response)


# -- stale copies ------------------------------------------------------------------------------------


def test_the_stale_catalog_is_shown_with_a_notice_when_salesforce_fails(outage, sf, customer_client):
    fresh = main_of(customer_client.get("/catalog/"))
    assert STALE_NOTICE not in fresh
    cache.delete("catalog:all")  # the fresh copy expired; the stale one (stale:catalog:all) remains
    assert cache.get("stale:catalog:all") is not None
    sf.faults(**outage)

    response = customer_client.get("/catalog/")

    assert response.status_code == 200
    page = main_of(response)
    assert STALE_NOTICE in page
    assert page.count('<h3><a href="/catalog/') == fresh.count('<h3><a href="/catalog/') > 0
    assert sf.stats()["faults_injected"]


def test_the_api_flags_a_stale_catalog(sf, customer_client):
    fresh = customer_client.get("/api/v1/catalog").json()
    cache.delete("catalog:all")
    sf.faults(error_rate=1.0, status=503)

    stale = customer_client.get("/api/v1/catalog").json()

    assert fresh["stale"] is False and stale["stale"] is True
    assert stale["data"] == fresh["data"] != []


def test_the_stale_order_list_is_shown_with_a_notice(sf, customer_client, customer_user):
    fresh = main_of(customer_client.get("/orders/"))
    invalidate_customer(customer_user.pk)
    sf.faults(error_rate=1.0, status=503)

    response = customer_client.get("/orders/")

    assert response.status_code == 200
    assert STALE_NOTICE in main_of(response)
    for order in sf.orders_of(customer_user.customer.salesforce_account_id):
        assert f'href="/orders/{order["Id"]}/"' in fresh
        assert f'href="/orders/{order["Id"]}/"' in main_of(response)


# -- the JWT bearer flow --------------------------------------------------------------------------------


def test_a_wrong_private_key_gives_a_friendly_503_and_the_emulator_refused_the_assertion(sf, customer_client,
                                                                                         settings, caplog):
    settings.SALESFORCE_PRIVATE_KEY = generate_demo_keypair()[0]  # not the key the connected app trusts

    with caplog.at_level(logging.ERROR, logger="portal.catalog.selectors"):
        response = customer_client.get("/catalog/")

    assert_friendly_503(response, "catalog")
    assert sf.stats()["calls"] == {"oauth2/token": 1}  # refused at the token endpoint: no query was sent
    assert any("sign-in" in r.getMessage() and "invalid_grant" in r.getMessage() for r in caplog.records)
    assert "invalid_grant" not in text_of(response)


def test_a_wrong_private_key_on_the_api_is_a_503(sf, customer_client, settings):
    settings.SALESFORCE_PRIVATE_KEY = generate_demo_keypair()[0]

    response = customer_client.get("/api/v1/orders")

    assert response.status_code == 503
    assert sf.stats()["calls"] == {"oauth2/token": 1}


def test_a_private_key_that_is_not_a_key_gives_a_friendly_503_without_calling_salesforce(sf, customer_client,
                                                                                        settings):
    settings.SALESFORCE_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"

    response = customer_client.get("/catalog/")

    assert_friendly_503(response, "catalog")
    assert sf.calls() == 0


def test_the_right_key_signs_in_once_and_the_session_is_reused(sf, customer_client, settings):
    sf.expire_sessions()  # the session of an earlier test must not be reused
    sf.reset_stats()

    customer_client.get("/catalog/")
    customer_client.get("/orders/")
    customer_client.get("/api/v1/orders")

    assert sf.calls("oauth2/token") == 1
    assert sf.calls("query") >= 3


def test_after_salesforce_expires_the_session_the_next_page_signs_in_again_once(sf, customer_client):
    assert customer_client.get("/catalog/").status_code == 200
    assert sf.expire_sessions() >= 1
    cache.clear()  # nothing cached: the next page must query Salesforce
    sf.reset_stats()

    response = customer_client.get("/catalog/")

    assert response.status_code == 200
    assert STALE_NOTICE not in main_of(response)
    assert sf.calls("oauth2/token") == 1
    # the first query met INVALID_SESSION_ID and was repeated after signing in; then the catalog query
    assert sf.calls("query") == 3

    customer_client.get("/orders/")
    assert sf.calls("oauth2/token") == 1
