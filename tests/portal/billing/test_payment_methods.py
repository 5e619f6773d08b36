"""The payment methods page: brand, last four and expiry only; never the gateway's token."""
import json

import pytest

from tests.portal.billing.conftest import ALICE_CLIENT_ID, BOB_CLIENT_ID

pytestmark = pytest.mark.django_db


def secrets_of(method) -> list[str]:
    """The raw remote token and each value inside it (customer and payment method references)."""
    raw = method.details.get("remote_token", "")
    return [raw, *json.loads(raw).values()] if raw else []


def test_the_page_shows_card_brand_last_four_and_expiry(emulator, customer_client):
    card = next(m for m in emulator.paymethods_of(ALICE_CLIENT_ID) if m.type == "RemoteCreditCard")
    bank = next(m for m in emulator.paymethods_of(ALICE_CLIENT_ID) if m.type == "BankAccount")
    month, year = card.details["expiry_date"].split("/")

    response = customer_client.get("/billing/payment-methods/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{card.details['card_type']} ending {card.details['card_last_four']}" in page
    assert f"Expires {month}/20{year}" in page
    assert card.description in page
    assert bank.details["bank_name"] in page
    assert f"{bank.details['account_type']} account" in page


def test_the_page_never_shows_the_remote_token(emulator, customer_client):
    methods = emulator.paymethods_of(ALICE_CLIENT_ID)
    secrets = [value for m in methods for value in secrets_of(m)]
    assert secrets  # the seed stores a gateway token: this test needs one to look for

    page = customer_client.get("/billing/payment-methods/").content.decode()
    api = customer_client.get("/api/v1/payment-methods").content.decode()

    for secret in secrets:
        assert secret not in page
        assert secret not in api
    assert "remote_token" not in api and "gateway" not in json.loads(api)["data"][0]


def test_the_page_shows_only_the_customers_own_methods(emulator, customer_client, bob_client):
    bobs_card = next(m for m in emulator.paymethods_of(BOB_CLIENT_ID) if m.type == "RemoteCreditCard")
    alices_card = next(m for m in emulator.paymethods_of(ALICE_CLIENT_ID) if m.type == "RemoteCreditCard")

    alices_page = customer_client.get("/billing/payment-methods/").content.decode()
    bobs_page = bob_client.get("/billing/payment-methods/").content.decode()

    assert f"ending {bobs_card.details['card_last_four']}" not in alices_page
    assert bobs_card.description not in alices_page
    assert f"ending {bobs_card.details['card_last_four']}" in bobs_page
    assert f"ending {alices_card.details['card_last_four']}" not in bobs_page
    for secret in secrets_of(bobs_card):
        assert secret not in bobs_page


def test_a_customer_with_no_methods_is_told_how_to_pay(emulator, empty_customer_client):
    response = empty_customer_client.get("/billing/payment-methods/")

    assert response.status_code == 200
    assert "No payment methods are on file." in response.content.decode()


def test_a_user_not_linked_to_a_customer_gets_an_explanation(emulator, unlinked_client):
    response = unlinked_client.get("/billing/payment-methods/")

    assert response.status_code == 403
    assert "Your account is not linked yet" in response.content.decode()
    assert emulator.calls() == 0
