"""Adding a payment method: "Add a payment method" (POST /billing/payment-methods/add/) signs the
customer in to WHMCS's own add-card page with a single-use CreateSsoToken link; WHMCS's pages lead
back to /billing/payment-methods/added/, which forgets the customer's cached billing reads so that
the payment methods page and checkout see the new card at once."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from tests.pages import text_of
from tests.portal.billing.conftest import ALICE_CLIENT_ID
from tests.portal.orders.conftest import add_to_cart

pytestmark = pytest.mark.django_db

ADD_PATH = "index.php?rp=/account/paymentmethods/add"
NO_PAYMENT_METHOD = "Please add a payment method before ordering: Billing, then Payment methods."


def add(browser):
    return browser.post("/billing/payment-methods/add/")


def checkout_problems(browser) -> list[str]:
    block = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', text_of(browser.get("/orders/checkout/")),
                      re.S)
    return re.findall(r"<li>([^<]+)</li>", block[1]) if block else []


def save_card_on_whmcs(link: str, number: str = "4242 4242 4242 4242") -> requests.Response:
    """What the customer does on WHMCS: follow the link, fill in the card form, save."""
    whmcs = requests.Session()
    form = whmcs.get(link, timeout=5)
    assert form.status_code == 200 and "Add New Payment Method" in form.text
    token = re.search(r'name="token" value="([0-9a-f]+)"', form.text)[1]
    return whmcs.post(form.url, data={"token": token, "ccnumber": number, "ccexpirydate": "12/39",
                                      "cccvv": "123"}, allow_redirects=False, timeout=5)


def test_the_page_offers_to_add_one_and_lets_its_form_post_on_to_whmcs(emulator, customer_client):
    response = customer_client.get("/billing/payment-methods/")

    page = text_of(response)
    assert '<form method="post" action="/billing/payment-methods/add/"' in page
    assert "Add a payment method" in page
    directives = dict(
        (d.strip().split(" ", 1) + [""])[:2] for d in response["Content-Security-Policy"].split(";") if d.strip()
    )
    assert emulator.url in directives["form-action"].split()


def test_add_redirects_to_a_single_use_link_to_whmcs_add_card_page(emulator, customer_client):
    response = add(customer_client)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (f"{location.scheme}://{location.netloc}", location.path) == (emulator.url, "/oauth/singlesignon.php")
    sso = emulator.store.sso_tokens[parse_qs(location.query)["access_token"][0]]
    assert (sso.client_id, sso.redirect_path) == (ALICE_CLIENT_ID, ADD_PATH)
    assert emulator.calls("CreateSsoToken") == 1
    assert add(customer_client)["Location"] != response["Location"]  # a fresh link per click


def test_a_card_added_on_whmcs_is_seen_by_the_page_and_checkout_once_the_customer_is_back(
        emulator, sf, customer_client):
    emulator.remove_payment_methods(ALICE_CLIENT_ID)
    assert add_to_cart(customer_client, sf.product("VPN-SECURE")["Id"]).status_code == 302
    assert checkout_problems(customer_client) == [NO_PAYMENT_METHOD]  # the empty list is now cached

    saved = save_card_on_whmcs(add(customer_client)["Location"])
    assert saved.status_code == 303
    back = customer_client.get("/billing/payment-methods/added/")

    assert back.status_code == 302 and back["Location"] == "/billing/payment-methods/"
    page = text_of(customer_client.get(back["Location"]))
    assert "Welcome back. Your payment methods are up to date." in page
    assert "Visa ending 4242" in page
    assert checkout_problems(customer_client) == []


def test_coming_back_without_a_new_card_changes_nothing(emulator, customer_client):
    before = text_of(customer_client.get("/billing/payment-methods/"))

    customer_client.get("/billing/payment-methods/added/")

    after = text_of(customer_client.get("/billing/payment-methods/"))
    assert re.findall(r"<h2>.*?</h2>", before, re.S) == re.findall(r"<h2>.*?</h2>", after, re.S)
    assert emulator.calls("CreateSsoToken") == 0


def test_add_needs_a_post_with_the_pages_csrf_token(emulator, customer_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)

    assert browser.get("/billing/payment-methods/add/").status_code == 405
    assert add(browser).status_code == 403
    assert emulator.calls("CreateSsoToken") == 0
    page = text_of(browser.get("/billing/payment-methods/"))
    token = page.split('name="csrfmiddlewaretoken" value="', 2)[2].split('"', 1)[0]  # the add form's
    response = browser.post("/billing/payment-methods/add/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"].startswith(emulator.url + "/oauth/singlesignon.php")


def test_signed_out_and_unlinked_users_get_no_link(emulator, unlinked_client):
    for path in ("/billing/payment-methods/add/", "/billing/payment-methods/added/"):
        anonymous = Client().post(path) if path.endswith("add/") else Client().get(path)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    unlinked = add(unlinked_client)
    assert unlinked.status_code == 403 and "Your account is not linked yet" in text_of(unlinked)
    assert unlinked_client.get("/billing/payment-methods/added/").status_code == 403
    assert emulator.calls("CreateSsoToken") == 0


def test_when_whmcs_cannot_make_the_link_the_customer_gets_the_friendly_page(emulator, customer_client):
    emulator.faults(error_rate=1.0, status=503)

    response = add(customer_client)

    assert response.status_code == 503
    page = text_of(response)
    assert "Your billing details are temporarily unavailable" in page
    assert "Traceback" not in page and emulator.url not in page
    assert emulator.stats()["calls"] == {"CreateSsoToken": 1}  # a write is never retried
