"""Becoming a customer after sign-up, against the WHMCS and Salesforce emulators: a new customer's
profile makes one WHMCS client, one Account and one Contact, linked; an existing customer links
with their WHMCS client-area sign-in or with their customer number and a code; one portal user per
customer; phone and address changes reach WHMCS and the Contact."""
import pytest

from portal.accounts.models import AccountCreation, Customer, LinkAttempt
from sandbox.demo_identities import DEMO_CUSTOMERS, DEMO_UNLINKED, DEMO_UNLINKED_BILLING_PASSWORD
from tests.conftest import signed_in
from tests.portal.accounts.helpers import NEW_CUSTOMER, last_code

pytestmark = pytest.mark.django_db
ERIN = DEMO_UNLINKED


@pytest.fixture
def newcomer(make_user, whmcs, salesforce):
    return signed_in(make_user(email="taro@example.jp", first_name="Taro", last_name="Yamada"))


def clients_with(whmcs, email):
    return [c for c in whmcs.app.store.clients.values() if c.email == email]


def accounts_with(salesforce, client_id):
    return [a for a in salesforce.app.store.rows("Account") if a.get("WHMCS_Client_Id__c") == client_id]


def test_a_new_customer_gets_one_client_one_account_and_contact_linked(newcomer, whmcs, salesforce):
    response = newcomer.post("/account/new/", NEW_CUSTOMER)
    assert response["Location"] == "/account/new/status/"
    assert newcomer.get("/account/new/status/")["Location"] == "/"
    job = AccountCreation.objects.get(user__email="taro@example.jp")
    assert job.status == AccountCreation.Status.DONE
    [client] = clients_with(whmcs, "taro@example.jp")
    assert (client.phonenumber, client.postcode, client.state, client.address2) == (
        "09012345678", "100-0001", "Tokyo", "Palace Heights 101")
    assert f"portal-signup:{job.request_id}" in client.notes
    [account] = accounts_with(salesforce, client.id)
    contacts = [c for c in salesforce.app.store.rows("Contact") if c["AccountId"] == account["Id"]]
    assert [(c["Last_Name_Local__c"], c["MailingPostalCode"]) for c in contacts] == [("山田", "100-0001")]
    customer = Customer.objects.get(user__email="taro@example.jp")
    assert (customer.whmcs_client_id, customer.salesforce_account_id) == (client.id, account["Id"])
    assert "Your account is not linked yet" not in newcomer.get("/").content.decode()


def test_a_second_submit_makes_nothing_more(newcomer, whmcs, salesforce):
    newcomer.post("/account/new/", NEW_CUSTOMER)
    assert newcomer.post("/account/new/", NEW_CUSTOMER)["Location"] == "/"
    assert len(clients_with(whmcs, "taro@example.jp")) == 1 and AccountCreation.objects.count() == 1


def test_bad_profile_input_is_explained_and_nothing_is_sent(newcomer, whmcs):
    page = newcomer.post("/account/new/", {**NEW_CUSTOMER, "first_name": "太郎", "phone": "12345",
                                           "postal_code": "12-34", "prefecture": "Atlantis"}).content.decode()
    assert "Latin letters" in page and "10 or 11 digits" in page and "seven digits" in page
    assert not clients_with(whmcs, "taro@example.jp") and not AccountCreation.objects.exists()


def test_an_email_billing_already_has_is_offered_linking_instead(make_user, whmcs, salesforce):
    browser = signed_in(make_user(email=ERIN.email))
    browser.post("/account/new/", NEW_CUSTOMER)
    page = browser.get("/account/new/status/").content.decode()
    assert "already has a customer account with your email" in page
    assert len(clients_with(whmcs, ERIN.email)) == 1 and not Customer.objects.exists()


def test_an_existing_customer_links_with_their_billing_sign_in(make_user, whmcs, salesforce):
    browser = signed_in(make_user(email="erin.private@example.com"))
    response = browser.post("/account/link/", {"email": ERIN.email, "password": DEMO_UNLINKED_BILLING_PASSWORD})
    assert response["Location"] == "/"
    customer = Customer.objects.get(user__email="erin.private@example.com")
    assert (customer.whmcs_client_id, customer.salesforce_account_id) == (ERIN.whmcs_client_id,
                                                                          ERIN.salesforce_account_id)
    assert LinkAttempt.objects.get().outcome == LinkAttempt.Outcome.LINKED


def test_an_existing_customer_links_with_their_number_and_the_code_sent_to_billings_email(make_user, whmcs,
                                                                                          salesforce):
    browser = signed_in(make_user(email="erin.private@example.com"))
    assert browser.post("/account/link/code/", {"client_id": ERIN.whmcs_client_id})["Location"] == \
        "/account/link/code/verify/"
    code = last_code(ERIN.email)  # to the email on file, not the portal sign-in's
    assert browser.post("/account/link/code/verify/", {"code": code})["Location"] == "/"
    assert Customer.objects.get().whmcs_client_id == ERIN.whmcs_client_id


def test_a_customer_linked_to_another_user_is_refused_and_staff_are_told(make_user, whmcs, salesforce, mailoutbox,
                                                                         settings):
    settings.MANAGERS = [("Support", "support@example.com")]
    first = signed_in(make_user(email="erin.private@example.com"))
    first.post("/account/link/", {"email": ERIN.email, "password": DEMO_UNLINKED_BILLING_PASSWORD})
    second = signed_in(make_user(email="someone.else@example.com"))
    page = second.post("/account/link/", {"email": ERIN.email, "password": DEMO_UNLINKED_BILLING_PASSWORD})
    assert "already linked to another sign-in" in page.content.decode()
    assert Customer.objects.filter(whmcs_client_id=ERIN.whmcs_client_id).count() == 1
    assert LinkAttempt.objects.filter(outcome=LinkAttempt.Outcome.ALREADY_LINKED).count() == 1
    assert any("support@example.com" in m.to and str(ERIN.whmcs_client_id) in m.subject for m in mailoutbox)


def test_phone_and_address_are_written_to_whmcs_and_the_contact_and_shown(newcomer, whmcs, salesforce):
    newcomer.post("/account/new/", NEW_CUSTOMER)
    newcomer.get("/account/new/status/")
    assert "090-1234-5678" in newcomer.get("/account/profile/").content.decode()
    changed = {**{k: NEW_CUSTOMER[k] for k in ("postal_code", "city", "street")}, "phone": "080-5555-6666",
               "prefecture": "Osaka", "building": ""}
    assert newcomer.post("/account/profile/", changed)["Location"] == "/account/profile/"
    [client] = clients_with(whmcs, "taro@example.jp")
    assert (client.phonenumber, client.state, client.address2) == ("08055556666", "Osaka", "")
    contact = next(c for c in salesforce.app.store.rows("Contact") if c["Email"] == "taro@example.jp")
    assert (contact["Phone"], contact["MailingState"]) == ("08055556666", "Osaka")
    assert "080-5555-6666" in newcomer.get("/account/profile/").content.decode()  # the cached copy was forgotten


def test_the_profile_never_changes_the_sign_in_email(customer_client, whmcs, salesforce):
    alice = DEMO_CUSTOMERS[0]
    customer_client.post("/account/profile/", {"phone": "09000000000", "postal_code": "150-0001",
                                               "prefecture": "Tokyo", "city": "Shibuya-ku", "street": "1-1",
                                               "email": "evil@example.com"})
    assert whmcs.app.store.clients[alice.whmcs_client_id].email == alice.email
    assert Customer.objects.get(whmcs_client_id=alice.whmcs_client_id).user.email == alice.email
