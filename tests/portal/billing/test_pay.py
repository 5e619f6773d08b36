"""Pay: POST /billing/invoices/<id>/pay/ sends the customer to WHMCS with a single-use sign-in link."""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from tests.portal.billing.conftest import ALICE_CLIENT_ID, BOB_CLIENT_ID

pytestmark = pytest.mark.django_db


def pay(browser, invoice_id):
    return browser.post(f"/billing/invoices/{invoice_id}/pay/")


def test_pay_redirects_to_a_whmcs_single_sign_on_link(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")

    response = pay(customer_client, invoice.id)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == emulator.url
    assert location.path == "/oauth/singlesignon.php"
    token = parse_qs(location.query)["access_token"][0]
    sso = emulator.store.sso_tokens[token]
    assert (sso.client_id, sso.redirect_path) == (ALICE_CLIENT_ID, f"viewinvoice.php?id={invoice.id}")
    assert emulator.calls("CreateSsoToken") == 1


def test_the_link_signs_in_to_the_invoice_once(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")
    link = pay(customer_client, invoice.id)["Location"]
    browser = requests.Session()

    first = browser.get(link, allow_redirects=False, timeout=5)

    assert first.status_code == 302
    assert first.headers["Location"] == f"{emulator.url}/viewinvoice.php?id={invoice.id}"
    shown = browser.get(first.headers["Location"], allow_redirects=False, timeout=5)
    assert shown.status_code == 200 and f"Invoice #{invoice.invoicenum}" in shown.text
    again = requests.get(link, allow_redirects=False, timeout=5)
    assert again.status_code == 403
    assert "Invalid or expired token" in again.text


def test_every_click_gets_a_fresh_link(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")

    first, second = pay(customer_client, invoice.id)["Location"], pay(customer_client, invoice.id)["Location"]

    assert first != second
    assert emulator.calls("CreateSsoToken") == 2
    assert emulator.calls("GetInvoice") == 1  # the ownership check is cached; the token never is


def test_pay_needs_a_post(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")

    response = customer_client.get(f"/billing/invoices/{invoice.id}/pay/")

    assert response.status_code == 405
    assert emulator.calls("CreateSsoToken") == 0


def test_paying_another_customers_invoice_is_not_found_and_makes_no_link(emulator, customer_client):
    bobs = emulator.invoice_of(BOB_CLIENT_ID, "Unpaid")

    response = pay(customer_client, bobs.id)

    assert response.status_code == 404
    assert "Location" not in response
    assert bobs.invoicenum not in response.content.decode()
    stats = emulator.stats()
    assert "CreateSsoToken" not in stats["calls"]
    assert emulator.store.sso_tokens == {}


def test_paying_a_non_existent_invoice_is_not_found(emulator, customer_client):
    response = pay(customer_client, max(emulator.store.invoices) + 1000)

    assert response.status_code == 404
    assert emulator.calls("CreateSsoToken") == 0


def test_pay_without_a_csrf_token_is_refused(emulator, customer_user):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)

    response = pay(browser, invoice.id)

    assert response.status_code == 403
    assert emulator.calls("CreateSsoToken") == 0


def test_pay_with_the_pages_csrf_token_works(emulator, customer_user):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)
    page = browser.get(f"/billing/invoices/{invoice.id}/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 2)[2].split('"', 1)[0]  # the Pay form's

    response = browser.post(f"/billing/invoices/{invoice.id}/pay/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"].startswith(emulator.url + "/oauth/singlesignon.php?access_token=")


def test_anonymous_pay_goes_to_sign_in(emulator):
    response = pay(Client(), 1)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert emulator.calls() == 0


def test_an_unlinked_user_cannot_pay(emulator, unlinked_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")

    response = pay(unlinked_client, invoice.id)

    assert response.status_code == 403
    assert "Your account is not linked yet" in response.content.decode()
    assert emulator.calls() == 0


def test_when_whmcs_cannot_make_the_link_the_customer_gets_the_friendly_page(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")
    customer_client.get(f"/billing/invoices/{invoice.id}/")  # the ownership check is now cached
    emulator.reset_stats()
    emulator.faults(error_rate=1.0, status=503)

    response = pay(customer_client, invoice.id)

    assert response.status_code == 503
    page = response.content.decode()
    assert "Your billing details are temporarily unavailable" in page
    assert response["X-Request-ID"] in page
    assert "Traceback" not in page and emulator.url not in page
    assert emulator.stats()["calls"] == {"CreateSsoToken": 1}  # a write is never retried
