"""An approved order provisioned end to end against the three emulators over real HTTP: WHMCS order
placed and accepted with its services, SIMs taken from the MVNO's inventory in Salesforce, their
lines registered on Freebit and written onto their services, the Salesforce order Activated/Active,
and the customer's pages showing all of it."""
from __future__ import annotations

import pytest

from portal.provisioning.models import ProvisioningJob
from tests.portal.orders.conftest import add_to_cart, checkout_request_id, place_order
from tests.portal.provisioning.conftest import ALICE, request_provisioning, run_again

pytestmark = pytest.mark.django_db
State, Step = ProvisioningJob.State, ProvisioningJob.Step
TABLET_EID = "89033023426200000000000000007701"


def test_an_approved_order_becomes_active_services_and_sims(
    providers, customer_client, customer_user, approved_order, django_capture_on_commit_callbacks
):
    sf, billing, freebit = providers
    order_id = approved_order["order_id"]
    items = sf.items_of(order_id)
    units = sum(int(item["Quantity"]) for item in items)
    sim_units = sum(int(item["Quantity"]) for item in items
                    if sf.store.get("Product2", item["Product2Id"])["Is_SIM__c"])
    assert (units, sim_units) == (4, 2), "the seed's draft: two Data SIM 3 GB and two activation fees"

    job, created = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert created
    assert (job.state, job.step, job.error_code) == (State.SUCCEEDED, Step.WRITTEN_BACK, "")
    assert job.attempts == 1 and job.finished_at is not None and job.lease_until is None
    assert job.customer.user == customer_user

    # WHMCS: one order, accepted, one Active service per unit; each SIM service carries its ICCID.
    [whmcs_order] = billing.orders_with_marker(approved_order["idempotency_key"])
    assert whmcs_order.id == job.whmcs_order_id and whmcs_order.status == "Active"
    assert whmcs_order.service_ids == job.whmcs_service_ids and len(job.whmcs_service_ids) == units
    services = [billing.store.services[sid] for sid in job.whmcs_service_ids]
    assert all(service.status == "Active" and service.clientid == ALICE.whmcs_client_id for service in services)
    assert sorted(billing.store.products[s.pid].name for s in services) == [
        "Data SIM 3 GB", "Data SIM 3 GB", "SIM activation fee", "SIM activation fee"]
    assert billing.calls("AddOrder") == 1 and billing.calls("AcceptOrder") == 1

    # The inventory: a free data-only physical SIM per SIM unit, assigned to the order, then activated;
    # Freebit: a new line on each, on the ordered plan; WHMCS: the ICCID and number on its service.
    assert len(job.activated_sims) == sim_units
    for sim in job.activated_sims:
        [record] = sf.inventory(ICCID__c=sim["iccid"])
        assert (record["Phone_Number__c"], record["SIM_Type__c"], record["Data_Only__c"]) == (
            sim["msisdn"], "Physical", True)
        assert (record["Status__c"], record["Assigned_Order__c"], record["Assigned_Account__c"]) == (
            "Activated", order_id, ALICE.salesforce_account_id)
        line = freebit.store.accounts[sim["msisdn"]]
        assert (line.status, line.plan_code, line.iccid, line.product_number) == (
            "active", "MOB-DATA-3G", sim["iccid"], record["Product_Number__c"])
        service = billing.store.services[sim["service_id"]]
        assert billing.store.products[service.pid].name == "Data SIM 3 GB"
        assert service.customfields == {1: sim["iccid"], 2: sim["msisdn"]}  # ICCID, Phone Number
    assert len({sim["iccid"] for sim in job.activated_sims}) == sim_units
    assert freebit.calls("PA02-01") == sim_units and len(freebit.new_lines()) == sim_units

    # Salesforce: Activated / Active, with the WHMCS order id and no error.
    order = sf.order(order_id)
    assert (order["Status"], order["Provisioning_Status__c"]) == ("Activated", "Active")
    assert int(order["WHMCS_Order_Id__c"]) == job.whmcs_order_id and order["Provisioning_Error__c"] is None

    # The customer sees it all.
    subscriptions = customer_client.get("/subscriptions/").content.decode()
    assert subscriptions.count("Data SIM 3 GB") >= 2 and "SIM activation fee" in subscriptions
    sims_page = customer_client.get("/sims/").content.decode()
    for sim in job.activated_sims:
        assert sim["iccid"] in sims_page
        detail = customer_client.get(f"/sims/{sim['iccid']}/")
        assert detail.status_code == 200 and "Data SIM 3 GB" in detail.content.decode()
    order_page = customer_client.get(f"/orders/{order_id}/").content.decode()
    assert order_page.count('class="step step-done"') == 4, "under review, approved, activating, active: all done"
    assert "step-current" not in order_page and "step-failed" not in order_page


def test_a_run_of_a_finished_job_does_nothing(providers, customer_user, approved_order,
                                              django_capture_on_commit_callbacks):
    sf, billing, freebit = providers
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    for emulator in providers:
        emulator.reset_stats()

    assert run_again(job) is None
    assert (billing.calls(), freebit.calls(), sf.calls()) == (0, 0, 0)
    assert job.state == State.SUCCEEDED and job.attempts == 1


def test_an_esim_chosen_at_checkout_is_activated_on_the_customers_phone(
    providers, customer_client, django_capture_on_commit_callbacks
):
    """Alice chooses an eSIM for a data plan, with her tablet's EID: the order line carries the choice
    (`SIM_Type__c`, `EIDs__c`), provisioning takes an eSIM profile from the inventory and Freebit
    activates its line on that EID (PA05-41, not PA02-01); the SIM's page then says eSIM."""
    sf, billing, freebit = providers
    plan = sf.product("MOB-DATA-3G")
    add_to_cart(customer_client, plan["Id"])
    checkout = customer_client.post("/orders/checkout/", {
        "request_id": checkout_request_id(customer_client), "confirm": "on",
        f"sim_kind_{plan['Id']}": "eSIM",
        f"eid_{plan['Id']}_0": " ".join(TABLET_EID[i:i + 8] for i in range(0, 32, 8))})  # as the phone shows it
    assert checkout.status_code == 302, checkout.content.decode()
    order_id = checkout["Location"].rstrip("/").rsplit("/", 1)[-1]
    [sim_line] = [item for item in sf.items_of(order_id) if item["Product2Id"] == plan["Id"]]
    assert (sim_line["SIM_Type__c"], sim_line["EIDs__c"]) == ("eSIM", TABLET_EID)
    assert "eSIM" in customer_client.get(f"/orders/{order_id}/").content.decode()

    job, _created = request_provisioning(django_capture_on_commit_callbacks, sf.approve(order_id))

    assert (job.state, job.error_code) == (State.SUCCEEDED, ""), job.last_error
    [sim] = job.activated_sims
    [record] = sf.inventory(ICCID__c=sim["iccid"])
    assert (record["SIM_Type__c"], record["Data_Only__c"], record["Status__c"]) == ("eSIM", True, "Activated")
    line = freebit.store.accounts[sim["msisdn"]]
    assert (line.eid, line.product_number, line.plan_code) == (TABLET_EID, None, "MOB-DATA-3G")
    assert (freebit.calls("PA05-41"), freebit.calls("PA02-01")) == (1, 0)
    page = customer_client.get(f"/sims/{sim['iccid']}/").content.decode()
    assert 'data-sim-kind="eSIM">eSIM</dd>' in page and TABLET_EID in page


def test_sim_cards_stay_the_default(providers, customer_client, django_capture_on_commit_callbacks):
    """A checkout that says nothing of the SIM (an older page, the API without `sim_type`) orders SIM cards."""
    sf, billing, freebit = providers
    plan = sf.product("MOB-DATA-3G")
    add_to_cart(customer_client, plan["Id"])
    order_id = place_order(customer_client)["Location"].rstrip("/").rsplit("/", 1)[-1]
    [sim_line] = [item for item in sf.items_of(order_id) if item["Product2Id"] == plan["Id"]]
    assert (sim_line["SIM_Type__c"], sim_line["EIDs__c"]) == ("Physical", None)

    job, _created = request_provisioning(django_capture_on_commit_callbacks, sf.approve(order_id))

    assert job.state == State.SUCCEEDED
    assert (freebit.calls("PA02-01"), freebit.calls("PA05-41")) == (1, 0)
