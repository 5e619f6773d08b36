"""Fixtures of the catalog and order tests: the Salesforce emulator (and WHMCS, for eligibility)
driven over their real HTTP control endpoints.

Salesforce calls are counted with ``GET /__sandbox__/stats`` and failures injected with
``POST /__sandbox__/faults``; orders move through their statuses with
``POST /__sandbox__/orders/<id>/status`` and ``/approve``. Seed data is read from
``salesforce.app.store`` (never hard-coded), so the tests follow the seed whatever day they run.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
from django.test import Client

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce import PORTAL_PRICEBOOK_ID
from tests.emulator import EmulatorControl

ALICE, BOB = DEMO_CUSTOMERS[:2]
STALE_NOTICE = "this is the information we had most recently"
REQUEST_ID_INPUT = re.compile(r'<input type="hidden" name="request_id" value="([^"]+)"')


class SalesforceEmulator(EmulatorControl):
    """The test's handle on the Salesforce emulator: control endpoints and seed data."""

    # -- control endpoints ------------------------------------------------------------------------
    def set_status(self, order_id: str, **fields) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/orders/{order_id}/status", json=fields, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def approve(self, order_id: str) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/orders/{order_id}/approve", timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def expire_sessions(self) -> int:
        response = requests.post(self.url + "/__sandbox__/expire-sessions", json={}, timeout=5)
        response.raise_for_status()
        return response.json()["expired"]

    # -- seed data --------------------------------------------------------------------------------
    def portal_entry(self, product_id: str) -> dict | None:
        return next((e for e in self.store.rows("PricebookEntry")
                     if e["Product2Id"] == product_id and e["Pricebook2Id"] == PORTAL_PRICEBOOK_ID
                     and e["IsActive"]), None)

    def catalog(self, family: str | None = None) -> list[dict]:
        """The products the portal shows, in catalog order (family, sort order, name)."""
        products = [p for p in self.store.rows("Product2")
                    if p["Portal_Catalog__c"] and p["IsActive"] and self.portal_entry(p["Id"])
                    and (family is None or p["Family"] == family)]
        return sorted(products, key=lambda p: (p["Family"], p["Portal_Sort_Order__c"], p["Name"]))

    def product(self, sku: str) -> dict:
        return next(p for p in self.store.rows("Product2") if p["StockKeepingUnit"] == sku)

    def price(self, product_id: str) -> Decimal:
        return Decimal(str(self.portal_entry(product_id)["UnitPrice"]))

    def orders_of(self, account_id: str) -> list[dict]:
        return [o for o in self.store.rows("Order") if o["AccountId"] == account_id]

    def items_of(self, order_id: str) -> list[dict]:
        return sorted((i for i in self.store.rows("OrderItem") if i["OrderId"] == order_id), key=lambda i: i["Id"])

    def order_by_request_id(self, request_id: str) -> list[dict]:
        return [o for o in self.store.rows("Order") if o["Portal_Request_Id__c"] == request_id]


@pytest.fixture
def sf(salesforce, whmcs) -> SalesforceEmulator:
    """The ``salesforce`` fixture (reset, no faults, wired into settings) with zeroed call counts;
    WHMCS is wired in too, since checkout checks the customer's services and payment methods."""
    handle = SalesforceEmulator(salesforce)
    handle.reset_stats()
    yield handle
    handle.clear_faults()


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


def text_of(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    """The page's main content (no navigation)."""
    return text_of(response).split("<main", 1)[-1]
