"""The whole path over real HTTP: the WHMCS emulator, playing the hook module, signs and POSTs
webhooks to a live portal; the portal stores and processes them (Celery runs in-process here) and
the customer's next page load shows the change."""
import re

import pytest
import requests

from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import ALICE_CLIENT_ID, SECRET

pytestmark = pytest.mark.django_db(transaction=True)
Status = WebhookEvent.Status
AUTH = {"identifier": "sandbox-identifier", "secret": "sandbox-secret", "responsetype": "json"}


@pytest.fixture
def sending_whmcs(whmcs, live_server):
    """The emulator with webhooks on, pointed at the live portal."""
    response = requests.post(whmcs.url + "/__sandbox__/webhooks",
                             json={"url": live_server.url + "/webhooks/whmcs/", "secret": SECRET}, timeout=5)
    assert response.status_code == 200, response.text
    yield whmcs
    requests.delete(whmcs.url + "/__sandbox__/webhooks", timeout=5).raise_for_status()


def unpaid_invoice(whmcs):
    store = whmcs.app.store
    return next(i for i in sorted(store.invoices.values(), key=lambda i: -i.id)
                if i.userid == ALICE_CLIENT_ID and i.status == "Unpaid" and store.balance(i) > 0)


def status_badge(response) -> str:
    assert response.status_code == 200
    return re.search(r'<dt>Status</dt><dd><span class="badge[^"]*">([^<]+)</span>', response.content.decode())[1]


def test_paying_in_whmcs_shows_the_invoice_paid_on_the_next_portal_load(sending_whmcs, customer_client):
    invoice = unpaid_invoice(sending_whmcs)
    page = f"/billing/invoices/{invoice.id}/"
    assert status_badge(customer_client.get(page)) in ("To pay", "Overdue")  # and now cached

    # The customer presses Pay in the portal, lands on WHMCS through single sign-on and pays there.
    sso = customer_client.post(f"{page}pay/")
    assert sso.status_code == 302
    browser = requests.Session()
    assert browser.get(sso["Location"], timeout=5).status_code == 200
    paid = browser.post(f"{sending_whmcs.url}/creditcard.php", params={"invoiceid": invoice.id}, timeout=5)
    assert "Payment successful" in paid.text

    [delivery] = sending_whmcs.app.wait_for_webhooks(1, timeout=15)
    assert delivery.event == "InvoicePaid" and delivery.status == 202, delivery
    event = WebhookEvent.objects.get(event_id=delivery.event_id)
    assert (event.event_type, event.status, event.client_id) == ("InvoicePaid", Status.PROCESSED, ALICE_CLIENT_ID)
    assert bytes(event.body) == delivery.body

    assert status_badge(customer_client.get(page)) == "Paid"


def test_capture_payment_through_the_api_sends_invoice_paid(sending_whmcs, customer_client):
    invoice = unpaid_invoice(sending_whmcs)
    customer_client.get(f"/billing/invoices/{invoice.id}/")

    answer = requests.post(sending_whmcs.url + "/includes/api.php",
                           data={**AUTH, "action": "CapturePayment", "invoiceid": invoice.id}, timeout=5).json()
    assert answer == {"result": "success"}

    [delivery] = sending_whmcs.app.wait_for_webhooks(1, timeout=15)
    assert delivery.ok and delivery.payload["invoice_id"] == invoice.id
    assert status_badge(customer_client.get(f"/billing/invoices/{invoice.id}/")) == "Paid"


def test_a_client_edited_in_whmcs_renames_the_portal_user(sending_whmcs, customer_user):
    answer = requests.post(sending_whmcs.url + "/includes/api.php", data={
        **AUTH, "action": "UpdateClient", "clientid": ALICE_CLIENT_ID, "firstname": "Alicia", "lastname": "Berg",
    }, timeout=5).json()
    assert answer["result"] == "success"

    [delivery] = sending_whmcs.app.wait_for_webhooks(1, timeout=15)
    assert delivery.ok, delivery
    customer_user.refresh_from_db()
    assert (customer_user.first_name, customer_user.last_name) == ("Alicia", "Berg")


def test_a_webhook_signed_with_the_wrong_secret_is_refused_and_nothing_is_stored(whmcs, live_server):
    requests.post(whmcs.url + "/__sandbox__/webhooks",
                  json={"url": live_server.url + "/webhooks/whmcs/", "secret": "not-the-portal-secret"},
                  timeout=5).raise_for_status()
    try:
        invoice = unpaid_invoice(whmcs)
        requests.post(whmcs.url + "/includes/api.php",
                      data={**AUTH, "action": "CapturePayment", "invoiceid": invoice.id}, timeout=5)
        [delivery] = whmcs.app.wait_for_webhooks(1, timeout=15)
    finally:
        requests.delete(whmcs.url + "/__sandbox__/webhooks", timeout=5)

    assert delivery.status == 401 and not delivery.ok
    assert WebhookEvent.objects.count() == 0
