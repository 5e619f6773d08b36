"""Two submits of one checkout at the same moment (two threads, two browsers of one customer, the
same request_id): one Salesforce order.

These tests commit for real (``transaction=True``) so that each thread has its own database
connection and sees the sessions, as in production.
"""
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from tests.portal.orders.conftest import ALICE, add_to_cart, place_order

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


def test_salesforce_keeps_one_order_even_when_the_submits_race_past_the_lock(sf, customer_user, cache_redis):
    """With the cache down no checkout lock can be taken, so every submit goes ahead: Portal_Request_Id__c
    being unique in Salesforce still lets one create the order; the others get DUPLICATE_VALUE and
    answer with it."""
    browsers = browsers_with_a_cart(sf, customer_user, count=3)
    request_id = str(uuid.uuid4())
    cache_redis.stop()
    sf.faults(latency_ms=300)  # every submit looks the request id up before any order is saved

    responses = in_threads([lambda b=b: place_order(b, request_id) for b in browsers])

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert [r.status_code for r in responses] == [302, 302, 302]
    [order] = sf.order_by_request_id(request_id)
    assert {r["Location"] for r in responses} == {f"/orders/{order['Id']}/"}
    assert sf.calls(CREATE) >= 2  # the race did happen: Salesforce refused the later trees
