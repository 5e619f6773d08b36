"""The demo's operator page: staff approve a sandbox order, which publishes the provisioning event."""
import pytest

from portal.demo import sandboxes

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_process_salesforce(settings):
    settings.SALESFORCE_LOGIN_URL = ""
    settings.PROVIDERS_USE_SANDBOX = True
    return sandboxes.salesforce_sandbox()


def test_only_staff_reach_it(customer_client):
    assert customer_client.get("/admin/sandbox/orders/").status_code == 302


def test_it_is_absent_with_a_real_salesforce(client, staff_user, settings):
    settings.SALESFORCE_LOGIN_URL = "https://login.example.test"
    client.force_login(staff_user)

    assert client.get("/admin/sandbox/orders/").status_code == 404


def test_staff_approve_a_pending_order(client, staff_user, in_process_salesforce):
    client.force_login(staff_user)
    store = in_process_salesforce.app.store
    pending = next(o for o in store.rows("Order") if o["Provisioning_Status__c"] == "Pending Review")

    page = client.get("/admin/sandbox/orders/")
    assert page.status_code == 200 and pending["Id"] in page.content.decode()
    response = client.post("/admin/sandbox/orders/", {"order_id": pending["Id"]}, follow=True)

    assert "approved: the provisioning event is published" in response.content.decode()
    assert store.get("Order", pending["Id"])["Provisioning_Status__c"] == "Approved"
    assert in_process_salesforce.app.pubsub.events()


def test_a_malformed_id_is_refused(client, staff_user, in_process_salesforce):
    client.force_login(staff_user)

    response = client.post("/admin/sandbox/orders/", {"order_id": "801' OR 1=1"}, follow=True)

    assert "Not an order id." in response.content.decode()
