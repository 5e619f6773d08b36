"""Adding a card in the WHMCS sandbox's client area, over real HTTP: a CreateSsoToken link with
``destination=sso:custom_redirect`` and ``sso_redirect_path=index.php?rp=/account/paymentmethods/add``
signs the client in on the add page; a valid test card is saved as a Stripe ``RemoteCreditCard``
that GetPayMethods lists; the pages lead back to the portal's page that reads the list afresh."""
import re

import pytest
import requests

from sandbox.demo_identities import DEMO_CUSTOMERS, DEMO_UNLINKED
from sandbox.whmcs import start_whmcs_sandbox
from tests.sandbox.test_whmcs_sandbox import AUTH

ALICE = DEMO_CUSTOMERS[0]
ERIN = DEMO_UNLINKED  # a client with no pay method in the seed
PORTAL = "http://portal.test:8000"
ADD_PATH = "index.php?rp=/account/paymentmethods/add"


@pytest.fixture(scope="module")
def whmcs_sandbox():
    handle = start_whmcs_sandbox(env={}, webhook_url=f"{PORTAL}/webhooks/whmcs/", webhook_secret="s" * 32)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(whmcs_sandbox):
    requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    yield


def api(sandbox, action, **params):
    response = requests.post(f"{sandbox.url}/includes/api.php", data={**AUTH, "action": action, **params}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def signed_in_on_add_page(sandbox, client_id) -> tuple[requests.Session, requests.Response]:
    link = api(sandbox, "CreateSsoToken", client_id=client_id, destination="sso:custom_redirect",
               sso_redirect_path=ADD_PATH)["redirect_url"]
    browser = requests.Session()
    landed = browser.get(link, timeout=5)
    return browser, landed


def form_token(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def add_card(sandbox, browser, page, **fields):
    data = {"token": form_token(page), "ccnumber": "4242 4242 4242 4242", "ccexpirydate": "12/39", "cccvv": "123",
            "ccdescription": "", **fields}
    return browser.post(f"{sandbox.url}/{ADD_PATH}", data=data, allow_redirects=False, timeout=5)


def test_the_sso_link_opens_the_add_card_page(whmcs_sandbox):
    _, landed = signed_in_on_add_page(whmcs_sandbox, ERIN.whmcs_client_id)

    assert landed.status_code == 200
    assert landed.url == f"{whmcs_sandbox.url}/{ADD_PATH}"
    assert "<h1>Add New Payment Method</h1>" in landed.text
    for name in ("ccnumber", "ccexpirydate", "cccvv", "ccdescription"):
        assert f'name="{name}"' in landed.text
    assert f'<a class="back" href="{PORTAL}/billing/payment-methods/added/">' in landed.text


def test_a_test_card_is_saved_and_get_pay_methods_lists_it(whmcs_sandbox):
    browser, page = signed_in_on_add_page(whmcs_sandbox, ERIN.whmcs_client_id)
    assert api(whmcs_sandbox, "GetPayMethods", clientid=ERIN.whmcs_client_id)["paymethods"] == []

    saved = add_card(whmcs_sandbox, browser, page.text, ccnumber="5555 5555 5555 4444", ccdescription="Work card")

    assert saved.status_code == 303
    assert saved.headers["Location"] == "/index.php?rp=%2Faccount%2Fpaymentmethods&added=1"
    listing = browser.get(whmcs_sandbox.url + saved.headers["Location"], timeout=5)
    assert "The payment method was added." in listing.text and "MasterCard ending 4444" in listing.text
    assert f'<a class="back" href="{PORTAL}/billing/payment-methods/added/">' in listing.text
    [method] = api(whmcs_sandbox, "GetPayMethods", clientid=ERIN.whmcs_client_id)["paymethods"]
    assert method["type"] == "RemoteCreditCard" and method["gateway_name"] == "stripe"
    assert (method["card_type"], method["card_last_four"], method["expiry_date"]) == ("MasterCard", "4444", "12/39")
    assert method["description"] == "Work card" and method["remote_token"]
    assert "5555555555554444" not in str(method)


def test_an_invalid_or_declined_card_is_not_saved(whmcs_sandbox):
    browser, page = signed_in_on_add_page(whmcs_sandbox, ERIN.whmcs_client_id)

    wrong_number = add_card(whmcs_sandbox, browser, page.text, ccnumber="4242 4242 4242 4241")
    declined = add_card(whmcs_sandbox, browser, page.text, ccnumber="4000 0000 0000 0002")
    expired = add_card(whmcs_sandbox, browser, page.text, ccexpirydate="01/20")
    no_code = add_card(whmcs_sandbox, browser, page.text, cccvv="")

    assert wrong_number.status_code == 400 and "Please enter a valid card number." in wrong_number.text
    assert declined.status_code == 400 and "Your card was declined." in declined.text
    assert expired.status_code == 400 and "Please enter the expiry date as MM/YY" in expired.text
    assert no_code.status_code == 400 and "security code" in no_code.text
    assert api(whmcs_sandbox, "GetPayMethods", clientid=ERIN.whmcs_client_id)["paymethods"] == []


def test_the_card_is_saved_only_for_the_signed_in_client_with_the_forms_token(whmcs_sandbox):
    anonymous = requests.post(f"{whmcs_sandbox.url}/{ADD_PATH}", data={"ccnumber": "4242424242424242"}, timeout=5)
    browser, page = signed_in_on_add_page(whmcs_sandbox, ERIN.whmcs_client_id)
    forged = add_card(whmcs_sandbox, browser, page.text, token="0" * 40)
    alices_before = api(whmcs_sandbox, "GetPayMethods", clientid=ALICE.whmcs_client_id)["paymethods"]

    assert anonymous.status_code == 403 and "Access Denied" in anonymous.text
    assert forged.status_code == 403
    assert api(whmcs_sandbox, "GetPayMethods", clientid=ERIN.whmcs_client_id)["paymethods"] == []
    assert add_card(whmcs_sandbox, browser, page.text).status_code == 303
    assert api(whmcs_sandbox, "GetPayMethods", clientid=ALICE.whmcs_client_id)["paymethods"] == alices_before
    [erins] = api(whmcs_sandbox, "GetPayMethods", clientid=ERIN.whmcs_client_id)["paymethods"]
    assert (erins["card_type"], erins["card_last_four"]) == ("Visa", "4242")


def test_the_client_areas_pay_methods_address_leads_to_the_list(whmcs_sandbox):
    link = api(whmcs_sandbox, "CreateSsoToken", client_id=ALICE.whmcs_client_id,
               destination="clientarea:billing_info")["redirect_url"]

    listing = requests.Session().get(link, timeout=5)

    assert listing.status_code == 200 and "<h1>Payment Methods</h1>" in listing.text
    assert "Visa ending 4242" in listing.text
