"""Identity verification: the residence card's two sides go to Salesforce Files on the customer's
Account (each once, even when the form is sent again), the status staff set is what the customer
reads, and checkout of a voice SIM needs it verified."""
import uuid

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from sandbox.demo_identities import DEMO_CUSTOMERS
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
ALICE = DEMO_CUSTOMERS[0]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200


def review(salesforce, status, reason=None):
    answer = requests.post(f"{salesforce.url}/__sandbox__/accounts/{ALICE.salesforce_account_id}/identity",
                           json={"status": status, "reason": reason}, timeout=5)
    assert answer.ok, answer.text


def files_of(salesforce, account_id):
    return [v for v in salesforce.app.store.rows("ContentVersion") if v.get("FirstPublishLocationId") == account_id]


def upload(browser, request_id=None, front=PNG, back=PDF):
    return browser.post("/account/identity/", {
        "request_id": request_id or str(uuid.uuid4()),
        "front": SimpleUploadedFile("front.png", front, content_type="image/png"),
        "back": SimpleUploadedFile("back.pdf", back, content_type="application/pdf")})


@pytest.fixture
def alice(customer_user, whmcs, salesforce, freebit):
    review(salesforce, "Not Submitted")
    return signed_in(customer_user)


def test_the_card_goes_to_the_account_once_and_waits_for_review(alice, salesforce):
    request_id = str(uuid.uuid4())
    assert upload(alice, request_id)["Location"] == "/account/identity/"
    assert upload(alice, request_id).status_code == 302  # the same form sent again: nothing sent twice
    assert sorted(v["PathOnClient"].rsplit(".", 1)[-1] for v in files_of(salesforce, ALICE.salesforce_account_id)) \
        == ["pdf", "png"]
    account = salesforce.app.store.get("Account", ALICE.salesforce_account_id)
    assert account["Identity_Verification_Status__c"] == "Under Review"
    page = alice.get("/account/identity/").content.decode()
    assert "We are checking the residence card" in page and 'type="file"' not in page


def test_a_rejection_is_shown_with_its_reason_and_the_card_can_be_sent_again(alice, salesforce):
    review(salesforce, "Rejected", "The photo of the back is blurred.")
    page = alice.get("/account/identity/").content.decode()
    assert "The photo of the back is blurred." in page and 'type="file"' in page


def test_checkout_of_a_voice_sim_needs_a_verified_identity_and_says_why(alice, salesforce):
    voice = next(p for p in salesforce.app.store.rows("Product2") if p.get("StockKeepingUnit") == "MOB-VOICE-5G")
    alice.post("/orders/cart/update/", {"product_id": voice["Id"], "quantity": "1"})
    page = alice.get("/orders/checkout/").content.decode()
    assert "A voice SIM needs your identity verified first" in page
    review(salesforce, "Verified")
    from django.core.cache import cache
    cache.clear()
    assert "A voice SIM needs your identity verified" not in alice.get("/orders/checkout/").content.decode()
