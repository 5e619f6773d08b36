"""A webhook really empties the customer's cache in Redis: the next page load asks WHMCS again.

WHMCS calls are counted by the emulator (``GET /__sandbox__/stats``); nothing of ours is patched.
"""
import pytest
import requests
from django.core.cache import cache

from tests.portal.webhooks.conftest import payload, signed

pytestmark = pytest.mark.django_db


def whmcs_calls(whmcs, action: str) -> int:
    stats = requests.get(whmcs.url + "/__sandbox__/stats", timeout=5).json()
    return stats["calls"].get(action, 0)


@pytest.fixture
def emulator(whmcs):
    requests.delete(whmcs.url + "/__sandbox__/stats", timeout=5).raise_for_status()
    return whmcs


def deliver(client, django_capture_on_commit_callbacks, body) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert signed(body).post(client).status_code == 202


def test_invoice_paid_makes_the_next_invoice_list_load_call_whmcs_again(
    emulator, customer_client, customer_user, client, django_capture_on_commit_callbacks
):
    assert customer_client.get("/billing/invoices/").status_code == 200
    first = whmcs_calls(emulator, "GetInvoices")
    assert first >= 1
    assert customer_client.get("/billing/invoices/").status_code == 200
    assert whmcs_calls(emulator, "GetInvoices") == first  # served from Redis

    deliver(client, django_capture_on_commit_callbacks, payload("InvoicePaid", invoice_id=1))

    assert cache.get(f"user:{customer_user.pk}:ns") == 2  # the namespace version in Redis moved on
    assert customer_client.get("/billing/invoices/").status_code == 200
    assert whmcs_calls(emulator, "GetInvoices") == first + 1


def test_a_service_event_makes_the_next_subscriptions_load_call_whmcs_again(
    emulator, customer_client, client, django_capture_on_commit_callbacks
):
    customer_client.get("/subscriptions/")
    customer_client.get("/subscriptions/")
    before = whmcs_calls(emulator, "GetClientsProducts")
    assert before >= 1

    deliver(client, django_capture_on_commit_callbacks, payload("AfterModuleSuspend", service_id=3))

    customer_client.get("/subscriptions/")
    assert whmcs_calls(emulator, "GetClientsProducts") == before + 1


def test_an_event_for_another_client_leaves_this_customers_cache_alone(
    emulator, customer_client, other_customer_user, client, django_capture_on_commit_callbacks
):
    customer_client.get("/billing/invoices/")
    before = whmcs_calls(emulator, "GetInvoices")

    deliver(client, django_capture_on_commit_callbacks, payload("InvoicePaid", client_id=1002, invoice_id=1))

    customer_client.get("/billing/invoices/")
    assert whmcs_calls(emulator, "GetInvoices") == before
