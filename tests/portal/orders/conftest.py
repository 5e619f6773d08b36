"""Fixtures of the catalog and order tests: the Salesforce emulator (and WHMCS, for eligibility)
driven over their real HTTP control endpoints.

Salesforce calls are counted with ``GET /__sandbox__/stats`` and failures injected with
``POST /__sandbox__/faults``; orders move through their statuses with
``POST /__sandbox__/orders/<id>/status`` and ``/approve``. Seed data is read from
``salesforce.app.store`` (never hard-coded), so the tests follow the seed whatever day they run.
"""
from __future__ import annotations

import re

import pytest
from django.test import Client

from sandbox.demo_identities import DEMO_CUSTOMERS

ALICE, BOB = DEMO_CUSTOMERS[:2]
STALE_NOTICE = "this is the information we had most recently"
REQUEST_ID_INPUT = re.compile(r'<input type="hidden" name="request_id" value="([^"]+)"')


@pytest.fixture
def bob_without_internet(whmcs, bob_client) -> Client:
    """Bob, whose fiber line was cancelled in WHMCS: he may order a new Internet service."""
    store = whmcs.app.store
    internet = [s for s in store.services.values()
                if s.clientid == BOB.whmcs_client_id and store.products[s.pid].group == "Internet"]
    assert internet, "the seed gives Bob an Internet service"
    for service in internet:
        service.status = "Cancelled"
    return bob_client


@pytest.fixture
def bob_without_payment_methods(whmcs, bob_client) -> Client:
    """Bob, with no payment method on file in WHMCS."""
    store = whmcs.app.store
    mine = [key for key, method in store.paymethods.items() if method.clientid == BOB.whmcs_client_id]
    assert mine, "the seed gives Bob a card"
    for key in mine:
        del store.paymethods[key]
    return bob_client


@pytest.fixture
def failing_order_writes(sf):
    """The emulator answers 503 to order creation only (its fault controls), until ``sf.clear_faults()``."""
    sf.fail("POST composite/tree/Order", times=None)


# -- browsing helpers ------------------------------------------------------------------------------


def add_to_cart(browser: Client, product_id: str, quantity="1"):
    return browser.post("/orders/cart/update/", {"product_id": product_id, "quantity": quantity})


def checkout_request_id(browser: Client) -> str:
    """The idempotency key the checkout page put in its form."""
    page = browser.get("/orders/checkout/")
    assert page.status_code == 200, page.status_code
    found = REQUEST_ID_INPUT.search(page.content.decode())
    assert found, "the checkout page has no order form"
    return found[1]


def place_order(browser: Client, request_id: str | None = None, *, confirm: bool = True):
    request_id = request_id or checkout_request_id(browser)
    data = {"request_id": request_id}
    if confirm:
        data["confirm"] = "on"
    return browser.post("/orders/checkout/", data)


