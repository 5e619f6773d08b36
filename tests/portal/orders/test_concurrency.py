"""Checkouts of one customer at the same moment (two threads, two browsers): two submits of one
checkout (the same request_id) place one Salesforce order, and two different checkouts that may
not both go through ("one Internet service at a time") place one order between them, because
eligibility is checked and the order created under a lock on the customer's row.

These tests commit for real (``transaction=True``) so that each thread has its own database
connection (PostgreSQL row locks between them) and sees the sessions, as in production.
"""
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from tests.pages import text_of
from tests.portal.orders.conftest import ALICE, BOB, add_to_cart, place_order

pytestmark = pytest.mark.django_db(transaction=True)
CREATE = "POST composite/tree/Order"


def in_threads(targets) -> list:
    """Run each target in its own thread, released together; their results (or exceptions)."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = targets[index]()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def browsers_with_a_cart(sf, user, count: int = 2) -> list[Client]:
    browsers = []
    for _ in range(count):
        browser = Client()
        browser.force_login(user)
        assert add_to_cart(browser, sf.product("VPN-SECURE")["Id"], "2").status_code == 302
        browsers.append(browser)
    return browsers


def test_two_concurrent_page_submits_of_one_checkout_place_one_order(sf, customer_user):
    browsers = browsers_with_a_cart(sf, customer_user)
    request_id = str(uuid.uuid4())
    orders = len(sf.store.rows("Order"))

    responses = in_threads([lambda b=b: place_order(b, request_id) for b in browsers])

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert [r.status_code for r in responses] == [302, 302]
    [order] = sf.order_by_request_id(request_id)
    assert {r["Location"] for r in responses} == {f"/orders/{order['Id']}/"}
    assert order["AccountId"] == ALICE.salesforce_account_id
    assert [i["Quantity"] for i in sf.items_of(order["Id"])] == [2]
    assert len(sf.store.rows("Order")) == orders + 1
    assert sf.calls(CREATE) == 1


def test_two_concurrent_api_submits_with_one_request_id_place_one_order(sf, customer_user):
    browsers = []
    for _ in range(2):
        browser = Client()
        browser.force_login(customer_user)
        browsers.append(browser)
    body = {"request_id": str(uuid.uuid4()), "lines": [{"product_id": sf.product("VPN-SECURE")["Id"], "quantity": 1}]}

    responses = in_threads([lambda b=b: b.post("/api/v1/orders", body, content_type="application/json")
                            for b in browsers])

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 201]
    [order] = sf.order_by_request_id(body["request_id"])
    assert {r.json()["data"]["id"] for r in responses} == {order["Id"]}


def test_two_submits_of_one_checkout_place_one_order_even_with_the_cache_down(sf, customer_user, cache_redis):
    """No cache lock is involved: the customer's row lock serialises the submits, and the later ones
    find the order the first created."""
    browsers = browsers_with_a_cart(sf, customer_user, count=3)
    request_id = str(uuid.uuid4())
    cache_redis.stop()
    sf.faults(latency_ms=300)  # without the lock every submit would look the request id up before any order exists

    responses = in_threads([lambda b=b: place_order(b, request_id) for b in browsers])

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert [r.status_code for r in responses] == [302, 302, 302]
    [order] = sf.order_by_request_id(request_id)
    assert {r["Location"] for r in responses} == {f"/orders/{order['Id']}/"}
    assert sf.calls(CREATE) == 1


# -- two different checkouts: eligibility under the customer lock ----------------------------------------

INTERNET_ON_ITS_WAY = "You already have an Internet order on its way."


def bob_without_internet_service(whmcs) -> None:
    store = whmcs.app.store
    for service in store.services.values():
        if service.clientid == BOB.whmcs_client_id and store.products[service.pid].group == "Internet":
            service.status = "Cancelled"


def internet_orders_of_bob(sf) -> list[dict]:
    internet = {p["Id"] for p in sf.store.rows("Product2") if p["Family"] == "Internet"}
    return [o for o in sf.orders_of(BOB.salesforce_account_id) if o["Provisioning_Status__c"] == "Pending Review"
            and any(i["Product2Id"] in internet for i in sf.items_of(o["Id"]))]


def test_two_page_checkouts_of_an_internet_service_with_different_request_ids_place_one_order(
        sf, whmcs, other_customer_user):
    bob_without_internet_service(whmcs)
    browsers = []
    for sku in ("NET-FIBER-10G", "NET-HOME-5G"):
        browser = Client()
        browser.force_login(other_customer_user)
        assert add_to_cart(browser, sf.product(sku)["Id"]).status_code == 302
        browsers.append(browser)
    sf.faults(latency_ms=300)  # both would pass the eligibility checks before either order exists

    responses = in_threads([lambda b=b: place_order(b, str(uuid.uuid4())) for b in browsers])

    assert all(not isinstance(r, Exception) for r in responses), responses
    [order] = internet_orders_of_bob(sf)
    placed = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code == 200]
    assert [r["Location"] for r in placed] == [f"/orders/{order['Id']}/"]
    assert len(refused) == 1 and INTERNET_ON_ITS_WAY in text_of(refused[0])
    assert sf.calls(CREATE) == 1


def test_two_api_orders_of_an_internet_service_with_different_request_ids_place_one_order(
        sf, whmcs, other_customer_user):
    bob_without_internet_service(whmcs)
    browsers = []
    for _ in range(2):
        browser = Client()
        browser.force_login(other_customer_user)
        browsers.append(browser)
    bodies = [{"request_id": str(uuid.uuid4()), "lines": [{"product_id": sf.product(sku)["Id"], "quantity": 1}]}
              for sku in ("NET-FIBER-1G", "NET-HOME-5G")]
    sf.faults(latency_ms=300)

    responses = in_threads([lambda b=b, body=body: b.post("/api/v1/orders", body, content_type="application/json")
                            for b, body in zip(browsers, bodies, strict=True)])

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [201, 400]
    [order] = internet_orders_of_bob(sf)
    [created] = [r for r in responses if r.status_code == 201]
    [refused] = [r for r in responses if r.status_code == 400]
    assert created.json()["data"]["id"] == order["Id"]
    assert any(INTERNET_ON_ITS_WAY in problem for problem in refused.json()["extra"]["fields"]["order"]), refused.json()
