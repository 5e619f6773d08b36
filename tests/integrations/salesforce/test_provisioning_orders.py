"""What provisioning reads and writes on Salesforce orders: the order-by-id query (exact SOQL, no
way for an input to change its shape) and SalesforceOrderClient's provisioning reads and status
writes, against the Salesforce emulator over real HTTP."""
from __future__ import annotations

import pytest
import requests

from domain.orders.types import OrderStatus, ProvisioningStatus
from integrations.salesforce.connection import SalesforceConfig, SalesforceConnection
from integrations.salesforce.errors import SalesforceApiError
from integrations.salesforce.orders import SalesforceOrderClient
from integrations.salesforce.utils.order_query_builder import build_order_by_id_query
from integrations.salesforce.utils.soql import InvalidSalesforceIdError
from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce import start_salesforce_sandbox
from sandbox.salesforce.keys import generate_demo_keypair

ORDER = "8015g0000eKOmXRAA1"
ALICE = DEMO_CUSTOMERS[0]


def test_one_order_by_its_id():
    assert build_order_by_id_query(ORDER) == (
        "SELECT Id, AccountId, Status, Type, EffectiveDate, OrderNumber, TotalAmount, CreatedDate, "
        "Provisioning_Status__c, Provisioning_Error__c, Account.Name, Account.Email__c, WHMCS_Order_Id__c "
        f"FROM Order WHERE Id = '{ORDER}' LIMIT 1"  # noqa: S608 - expected SOQL
    )
    assert build_order_by_id_query(ORDER[:15]) == build_order_by_id_query(ORDER)


@pytest.mark.parametrize("value", [
    "", "801", ORDER + "x", "0015g0000C3J27XAQS", f"{ORDER}' OR Id != '", "8015g0000eKOmXRAA2", None, 801,
])
def test_anything_but_an_order_id_is_refused(value):
    with pytest.raises(InvalidSalesforceIdError):
        build_order_by_id_query(value)


# -- against the emulator ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def salesforce_sandbox():
    private_pem, public_pem = generate_demo_keypair()
    handle = start_salesforce_sandbox(env={}, consumer_key="ck", username="integration@test", public_key_pem=public_pem)
    handle.private_pem = private_pem
    yield handle
    handle.stop()


@pytest.fixture
def orders(salesforce_sandbox):
    requests.post(salesforce_sandbox.url + "/__sandbox__/reset", timeout=5).raise_for_status()
    connection = SalesforceConnection(SalesforceConfig(login_url=salesforce_sandbox.url, client_id="ck",
                                                       username="integration@test",
                                                       private_key=salesforce_sandbox.private_pem))
    return SalesforceOrderClient(connection)


@pytest.fixture
def draft(salesforce_sandbox) -> dict:
    return next(o for o in salesforce_sandbox.app.store.rows("Order")
                if o["Provisioning_Status__c"] == "Pending Review")


def test_read_an_order_and_its_items_by_id_alone(orders, draft):
    order = orders.get_order_by_id(draft["Id"], currency_code="JPY")
    items = orders.get_order_items(draft["Id"], currency_code="JPY")

    assert (order.id, order.account_id, order.items) == (draft["Id"], ALICE.salesforce_account_id, ())
    assert order.provisioning_status is ProvisioningStatus.PENDING_REVIEW and order.whmcs_order_id is None
    assert sorted((item.sku, item.quantity, item.whmcs_product_id, item.is_sim) for item in items) == [
        ("FEE-SIM-ACTIVATION", 2, 13, False), ("MOB-DATA-3G", 2, 10, True)]
    assert orders.get_order_by_id("801" + "0" * 12, currency_code="JPY") is None


def test_write_provisioning_progress_and_failure(salesforce_sandbox, orders, draft):
    store = salesforce_sandbox.app.store

    orders.update_provisioning(draft["Id"], status=None, provisioning_status=ProvisioningStatus.FAILED,
                               error="Your SIM could not be activated. " + "x" * 300)
    failed = store.get("Order", draft["Id"])
    assert (failed["Status"], failed["Provisioning_Status__c"]) == ("Draft", "Failed")
    assert failed["Provisioning_Error__c"].startswith("Your SIM") and len(failed["Provisioning_Error__c"]) == 255

    orders.update_provisioning(draft["Id"], status=OrderStatus.ACTIVATED, provisioning_status=ProvisioningStatus.ACTIVE,
                               whmcs_order_id=42)
    done = orders.get_order_by_id(draft["Id"], currency_code="JPY")
    assert (done.status, done.provisioning_status, done.whmcs_order_id) == (
        OrderStatus.ACTIVATED, ProvisioningStatus.ACTIVE, 42)
    assert done.provisioning_error is None, "the error of an earlier failure is cleared"


def test_a_refused_status_write_is_an_api_error(orders):
    with pytest.raises(SalesforceApiError):
        orders.update_provisioning("801" + "0" * 12, status=None, provisioning_status=ProvisioningStatus.ACTIVATING)
    with pytest.raises(ValueError):
        orders.update_provisioning(ORDER, status=None, provisioning_status=ProvisioningStatus.ACTIVE, whmcs_order_id=0)
