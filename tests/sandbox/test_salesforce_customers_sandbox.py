"""Customers in the Salesforce emulator, over real HTTP: a new customer's Account and Contact (the
sign-up's marker unique on each), identity documents as Salesforce Files on the Account (a
polymorphic ``FirstPublishLocationId``), and the operator's identity review."""
import base64
from datetime import date

import pytest
import requests

from sandbox.demo_identities import DEMO_CUSTOMERS, DEMO_UNLINKED
from sandbox.salesforce import start_salesforce_sandbox
from tests.sandbox.test_salesforce_sandbox import PUBLIC_PEM, Api

ALICE = DEMO_CUSTOMERS[0].salesforce_account_id
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture(scope="module")
def salesforce_sandbox():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, today=date(2026, 11, 26))
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(salesforce_sandbox):
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    yield


@pytest.fixture
def api(salesforce_sandbox):
    client = Api(salesforce_sandbox)
    yield client
    client.session.close()


def review(salesforce_sandbox, account_id, **body):
    return requests.post(f"{salesforce_sandbox.url}/__sandbox__/accounts/{account_id}/identity", json=body, timeout=5)


def test_the_demo_accounts_are_verified_and_the_unlinked_customer_has_sent_nothing(api):
    rows = {r["Id"]: r for r in api.records("SELECT Id, WHMCS_Client_Id__c, Identity_Verification_Status__c "
                                              "FROM Account")}
    assert rows[ALICE]["Identity_Verification_Status__c"] == "Verified"
    assert rows[DEMO_UNLINKED.salesforce_account_id]["Identity_Verification_Status__c"] == "Not Submitted"
    assert rows[DEMO_UNLINKED.salesforce_account_id]["WHMCS_Client_Id__c"] == DEMO_UNLINKED.whmcs_client_id


def test_an_account_and_its_contact_carry_the_marker_once(api):
    created = api.post("sobjects/Account", {"Name": "Taro Yamada", "WHMCS_Client_Id__c": 1500,
                                            "Portal_Request_Id__c": "signup-1", "BillingState": "Tokyo"})
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    again = api.post("sobjects/Account", {"Name": "Taro Yamada", "Portal_Request_Id__c": "signup-1"})
    assert again.status_code == 400 and again.json()[0]["errorCode"] == "DUPLICATE_VALUE"
    contact = api.post("sobjects/Contact", {"AccountId": account_id, "LastName": "Yamada", "FirstName": "Taro",
                                            "Last_Name_Local__c": "山田", "Portal_Request_Id__c": "signup-1",
                                            "MailingPostalCode": "100-0001"})
    assert contact.status_code == 201, contact.text
    found = api.records("SELECT Id FROM Account WHERE Portal_Request_Id__c = 'signup-1' LIMIT 2")
    assert [r["Id"] for r in found] == [account_id]
    contacts = api.records(f"SELECT Id, Last_Name_Local__c FROM Contact WHERE AccountId = '{account_id}'")
    assert [(c["Id"], c["Last_Name_Local__c"]) for c in contacts] == [(contact.json()["id"], "山田")]
    assert api.records(f"SELECT Identity_Verification_Status__c FROM Account WHERE Id = '{account_id}'")[0][
        "Identity_Verification_Status__c"] == "Not Submitted"


def test_a_contact_needs_an_existing_account(api):
    refused = api.post("sobjects/Contact", {"AccountId": "001Dn00000ZzzzzIAA", "LastName": "Nobody"})
    assert refused.status_code == 400


def test_a_file_published_to_an_account_is_linked_to_it_and_found_by_its_marker(api):
    created = api.post("sobjects/ContentVersion", {
        "Title": "residence-card-front", "PathOnClient": "front.png",
        "VersionData": base64.b64encode(PNG).decode(), "FirstPublishLocationId": ALICE,
        "Portal_Request_Id__c": "front-1"})
    assert created.status_code == 201, created.text
    version = created.json()["id"]
    links = api.records(f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{ALICE}'")
    assert len(links) == 1
    found = api.records(f"SELECT Id FROM ContentVersion WHERE Portal_Request_Id__c = 'front-1' "
                        f"AND FirstPublishLocationId = '{ALICE}' LIMIT 1")
    assert [r["Id"] for r in found] == [version]


def test_a_file_cannot_be_published_to_an_order(api):
    order_id = api.records("SELECT Id FROM Order LIMIT 1")[0]["Id"]
    refused = api.post("sobjects/ContentVersion", {"Title": "x", "PathOnClient": "x.png",
                                                   "VersionData": base64.b64encode(PNG).decode(),
                                                   "FirstPublishLocationId": order_id})
    assert refused.status_code == 400


def test_the_operator_verifies_or_rejects_with_a_reason(salesforce_sandbox, api):
    account = DEMO_UNLINKED.salesforce_account_id
    assert review(salesforce_sandbox, account, status="Rejected").status_code == 400  # a reason is required
    rejected = review(salesforce_sandbox, account, status="Rejected", reason="The photo is blurred")
    assert rejected.status_code == 200
    assert rejected.json()["account"]["Identity_Rejection_Reason__c"] == "The photo is blurred"
    verified = review(salesforce_sandbox, account, status="Verified", reason="ignored")
    assert verified.json()["account"]["Identity_Verification_Status__c"] == "Verified"
    assert verified.json()["account"]["Identity_Rejection_Reason__c"] is None
    assert review(salesforce_sandbox, account, status="Maybe").status_code == 400
    assert review(salesforce_sandbox, "001Dn00000ZzzzzIAA", status="Verified").status_code == 404
