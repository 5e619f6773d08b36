"""Clients and their users in the WHMCS emulator, over real HTTP, in the shapes WHMCS documents:
ValidateLogin (a user's client-area sign-in), GetUsers (the clients a user owns), GetClients
(search), AddClient (a client and its owner user; an email is unique) and UpdateClient (phone and
address, read back by GetClientsDetails)."""
import pytest
import requests

from sandbox.demo_identities import DEMO_CLIENT_AREA_PASSWORDS, DEMO_CUSTOMERS, DEMO_UNLINKED
from sandbox.whmcs import start_whmcs_sandbox
from tests.sandbox.test_whmcs_sandbox import AUTH

ALICE = DEMO_CUSTOMERS[0]
NEW_CLIENT = {"firstname": "Taro", "lastname": "Yamada", "email": "taro@example.jp", "address1": "1-1 Chiyoda",
              "city": "Chiyoda-ku", "state": "Tokyo", "postcode": "100-0001", "country": "JP",
              "phonenumber": "09011112222", "password2": "a-long-random-password", "notes": "portal-signup:abc"}


@pytest.fixture(scope="module")
def whmcs_sandbox():
    handle = start_whmcs_sandbox(env={})
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(whmcs_sandbox):
    requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    yield


@pytest.fixture
def api(whmcs_sandbox):
    session = requests.Session()

    def call(action, **params):
        response = session.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": action, **params},
                                timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    yield call
    session.close()


def test_validate_login_accepts_the_client_area_sign_in_only(api):
    password = DEMO_CLIENT_AREA_PASSWORDS[DEMO_UNLINKED.whmcs_client_id]
    ok = api("ValidateLogin", email="ERIN@example.com", password2=password)
    assert ok["result"] == "success" and ok["userid"] == DEMO_UNLINKED.whmcs_client_id and ok["passwordhash"]
    for email, given in (("erin@example.com", "wrong"), ("nobody@example.com", password), ("erin@example.com", "")):
        refused = api("ValidateLogin", email=email, password2=given)
        assert refused == {"result": "error", "message": "Email or Password Invalid"}


def test_get_users_names_the_clients_a_user_owns(api):
    answer = api("GetUsers", search="erin@example.com")
    assert answer["totalresults"] == 1
    [user] = answer["users"]
    assert user["email"] == "erin@example.com"
    assert user["clients"] == [{"id": DEMO_UNLINKED.whmcs_client_id, "isOwner": True}]


def test_get_clients_searches_and_answers_an_empty_string_when_none(api):
    found = api("GetClients", search="alice@example.com")
    assert [c["id"] for c in found["clients"]["client"]] == [str(ALICE.whmcs_client_id)]
    assert api("GetClients", search="nobody-at-all")["clients"] == ""


def test_add_client_makes_a_client_with_its_user_and_refuses_a_second_with_the_email(api):
    added = api("AddClient", **NEW_CLIENT)
    assert added["result"] == "success"
    client_id = added["clientid"]
    details = api("GetClientsDetails", clientid=client_id)["client"]
    assert (details["email"], details["state"], details["postcode"], details["phonenumber"], details["notes"]) == (
        "taro@example.jp", "Tokyo", "100-0001", "09011112222", "portal-signup:abc")
    assert api("ValidateLogin", email="taro@example.jp", password2="a-long-random-password")["userid"] == client_id
    again = api("AddClient", **{**NEW_CLIENT, "email": "Taro@Example.jp"})
    assert again == {"result": "error", "message": "A user already exists with that email address"}
    assert api("AddClient", **{**NEW_CLIENT, "email": "other@example.jp", "city": ""})["result"] == "error"


def test_update_client_changes_the_phone_and_address(api):
    client_id = ALICE.whmcs_client_id
    answer = api("UpdateClient", clientid=client_id, phonenumber="08055556666", postcode="530-0001", state="Osaka",
                 city="Osaka-shi Kita-ku", address1="1-1 Umeda", address2="")
    assert answer == {"result": "success", "clientid": client_id}
    details = api("GetClientsDetails", clientid=client_id)["client"]
    assert (details["phonenumber"], details["state"], details["address1"], details["address2"]) == (
        "08055556666", "Osaka", "1-1 Umeda", "")
    assert details["email"] == ALICE.email  # not sent: unchanged
    assert api("UpdateClient", clientid=999999, phonenumber="0")["result"] == "error"
