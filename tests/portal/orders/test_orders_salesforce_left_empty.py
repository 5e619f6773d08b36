"""Orders the portal did not create: staff enter orders in Salesforce without the portal's custom
fields (``Provisioning_Status__c`` null), and an org may hold a value the portal does not know.
One such order never hides the customer's other orders, on the page or in the API."""
import logging
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.salesforce import PORTAL_PRICEBOOK_ID
from tests.pages import main_of
from tests.portal.orders.conftest import ALICE
from tests.portal.orders.test_order_pages import WORDS, listed

pytestmark = pytest.mark.django_db


def staff_order(sf, *, status: str, with_line: dict | None = None) -> dict:
    """An order for Alice as staff create one in Salesforce: no ``Provisioning_Status__c``, no request id."""
    created = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    order = sf.store.insert("Order", {
        "AccountId": ALICE.salesforce_account_id, "Pricebook2Id": PORTAL_PRICEBOOK_ID, "Status": status,
        "EffectiveDate": datetime.now(UTC).date().isoformat(), "CreatedDate": created,
        "Description": "Entered by phone",
    }, system=True)
    assert order["Provisioning_Status__c"] is None
    if with_line is not None:
        entry = sf.portal_entry(with_line["Id"])
        sf.store.insert("OrderItem", {"OrderId": order["Id"], "PricebookEntryId": entry["Id"], "Quantity": 1,
                                      "UnitPrice": entry["UnitPrice"], "CreatedDate": created}, system=True)
    return sf.store.get("Order", order["Id"])


def test_an_order_without_provisioning_status_is_listed_with_the_others(sf, customer_client):
    draft = staff_order(sf, status="Draft")
    activated = staff_order(sf, status="Activated")
    everything = sorted(sf.orders_of(ALICE.salesforce_account_id), key=lambda o: o["CreatedDate"], reverse=True)
    derived = {draft["Id"]: "Pending Review", activated["Id"]: "Active"}

    page = listed(customer_client.get("/orders/"))
    api = customer_client.get("/api/v1/orders").json()

    assert [(i, status) for i, _, status in page] == [  # the customer's words on the page
        (o["Id"], WORDS[derived.get(o["Id"]) or o["Provisioning_Status__c"]]) for o in everything]
    assert [(o["id"], o["provisioning_status"]) for o in api["data"]] == [
        (o["Id"], derived.get(o["Id"]) or o["Provisioning_Status__c"]) for o in everything]
    assert api["stale"] is False


def test_an_order_the_portal_cannot_read_is_left_out_and_logged_and_the_others_shown(sf, customer_client, caplog):
    odd = staff_order(sf, status="Draft")
    sf.store.raw("Order", odd["Id"])["Status"] = "On Hold"  # a Status value the org added, unknown to the portal
    others = sorted((o for o in sf.orders_of(ALICE.salesforce_account_id) if o["Id"] != odd["Id"]),
                    key=lambda o: o["CreatedDate"], reverse=True)
    caplog.set_level(logging.WARNING)

    page = customer_client.get("/orders/")
    api = customer_client.get("/api/v1/orders")

    assert [row[0] for row in listed(page)] == [o["Id"] for o in others]
    assert [o["id"] for o in api.json()["data"]] == [o["Id"] for o in others]
    warnings = [r.getMessage() for r in caplog.records if r.name == "integrations.skipped"]
    assert warnings and all("records.0.Status" in w and "On Hold" in w for w in warnings)
    assert "On Hold" not in main_of(page)


def test_a_staff_order_opens_with_the_lines_it_can_show(sf, customer_client, caplog):
    sim_plan = sf.product("MOB-DATA-20G")
    unbilled = sf.product("FEE-SIM-ACTIVATION")
    order = staff_order(sf, status="Activated", with_line=sim_plan)
    entry = sf.portal_entry(unbilled["Id"])
    sf.store.insert("OrderItem", {"OrderId": order["Id"], "PricebookEntryId": entry["Id"], "Quantity": 1,
                                  "UnitPrice": entry["UnitPrice"]}, system=True)
    sf.store.raw("Product2", unbilled["Id"])["Billing_Cycle__c"] = None  # staff cleared it
    caplog.set_level(logging.WARNING)

    page = customer_client.get(f"/orders/{order['Id']}/")
    api = customer_client.get(f"/api/v1/orders/{order['Id']}")

    assert page.status_code == 200 and api.status_code == 200
    data = api.json()["data"]
    assert data["provisioning_status"] == "Active"
    assert [i["product_id"] for i in data["items"]] == [sim_plan["Id"]]
    assert sim_plan["Name"] in main_of(page) and unbilled["Name"] not in main_of(page)
    assert sf.store.get("Order", order["Id"])["OrderNumber"].lstrip("0") in main_of(page)
    assert any("Billing_Cycle__c" in r.getMessage() for r in caplog.records if r.name == "integrations.skipped")
