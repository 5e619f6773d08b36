"""Amounts labelled with the currency WHMCS bills the client in (GetClientsDetails → currency_code),
in lists, details and the dashboard; the client's currency cached with the customer's billing data."""
import re

import pytest

from portal.core.cache import invalidate_customer
from sandbox.whmcs.seed import USD_CLIENT_ID
from tests.portal.billing.conftest import ALICE_CLIENT_ID

pytestmark = pytest.mark.django_db


def main_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode().split("<main", 1)[1]


def test_a_client_billed_in_dollars_sees_dollars_on_every_billing_page(emulator, usd_customer_client):
    [service] = emulator.services_of(USD_CLIENT_ID)
    unpaid = emulator.invoice_of(USD_CLIENT_ID, "Unpaid")

    pages = [main_of(usd_customer_client.get(path)) for path in (
        "/billing/invoices/", f"/billing/invoices/{unpaid.id}/", "/subscriptions/", f"/subscriptions/{service.id}/")]

    assert all("¥" not in page and "JPY" not in page for page in pages)
    assert f"${unpaid.total:,.2f}" in pages[0] and f"${unpaid.total:,.2f}" in pages[1]
    assert f"${service.recurringamount:,.2f}" in pages[2] and f"${service.recurringamount:,.2f}" in pages[3]


def test_the_dashboard_shows_the_amount_due_and_the_services_in_the_clients_currency(emulator, usd_customer_client):
    unpaid = emulator.invoice_of(USD_CLIENT_ID, "Unpaid")
    [service] = emulator.services_of(USD_CLIENT_ID)

    page = main_of(usd_customer_client.get("/"))
    api = usd_customer_client.get("/api/v1/dashboard").json()["data"]

    assert f"${unpaid.total:,.2f}" in page and "¥" not in page
    assert api["billing"]["value"]["amount_due"]["currency"] == "USD"
    assert [s["recurring_amount"]["currency"] for s in api["subscriptions"]["value"]] == ["USD"]
    assert [s["id"] for s in api["subscriptions"]["value"]] == [service.id]


def test_a_client_billed_in_yen_sees_yen(emulator, customer_client):
    listing = customer_client.get("/api/v1/invoices").json()["data"]
    services = customer_client.get("/api/v1/subscriptions").json()["data"]

    assert {i["total"]["currency"] for i in listing} == {"JPY"}
    assert {s["recurring_amount"]["currency"] for s in services} == {"JPY"}
    assert emulator.store.client_currency(ALICE_CLIENT_ID).code == "JPY"


def test_the_clients_currency_is_asked_once_an_hour_not_once_a_page(emulator, customer_client, customer_user):
    from django.core.cache import cache

    from portal.billing.selectors import forget_currencies

    for path in ("/billing/invoices/", "/subscriptions/", "/", "/api/v1/invoices"):
        customer_client.get(path)
    assert emulator.calls("GetClientsDetails") == 1

    invalidate_customer(customer_user.pk)  # what a WHMCS webhook about an invoice does
    cache.clear()  # even the shared cache lost: the process keeps it for the hour
    customer_client.get("/billing/invoices/")
    assert emulator.calls("GetClientsDetails") == 1

    forget_currencies()  # the hour is over
    customer_client.get("/billing/invoices/")
    assert emulator.calls("GetClientsDetails") == 2


def test_an_invoice_seen_before_whmcs_failed_keeps_its_currency(emulator, usd_customer_client):
    from django.core.cache import cache

    from portal.accounts.models import Customer
    from portal.billing.selectors import forget_currencies

    unpaid = emulator.invoice_of(USD_CLIENT_ID, "Unpaid")
    fresh = main_of(usd_customer_client.get("/billing/invoices/"))
    emulator.faults(error_rate=1.0, status=503)
    # Time passes: every fresh copy is gone, the stale ones (kept a day) remain.
    invalidate_customer(Customer.objects.get(whmcs_client_id=USD_CLIENT_ID).user_id)
    cache.delete("whmcs:currencies")
    forget_currencies()

    stale = main_of(usd_customer_client.get("/billing/invoices/"))

    assert re.findall(r"\$[\d,.]+", stale) == re.findall(r"\$[\d,.]+", fresh) != []
    assert f"${unpaid.total:,.2f}" in stale
