"""The WHMCS emulator's side of provisioning, over real HTTP: every product the Salesforce catalog
maps to WHMCS exists, one-time products bill once, and UpdateClientProduct writes a service's
custom fields (where the portal finds a new SIM's ICCID)."""
import base64

import pytest
import requests

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce.seed import CATALOG
from sandbox.whmcs import start_whmcs_sandbox
from sandbox.whmcs.php import php_serialize

ALICE = DEMO_CUSTOMERS[0].whmcs_client_id
AUTH = {"identifier": "sandbox-identifier", "secret": "sandbox-secret", "responsetype": "json"}
CYCLES = {"Monthly": "monthly", "Annually": "annually", "One-time": "onetime"}


@pytest.fixture(scope="module")
def whmcs_sandbox():
    handle = start_whmcs_sandbox(env={})
    yield handle
    handle.stop()


@pytest.fixture
def api(whmcs_sandbox):
    requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    session = requests.Session()

    def call(action, **params):
        response = session.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": action, **params},
                                timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    yield call
    session.close()


def _b64(value) -> str:
    return base64.b64encode(php_serialize(value).encode()).decode()


def service(api, service_id):
    return api("GetClientsProducts", serviceid=service_id)["products"]["product"][0]


def test_every_salesforce_catalog_product_is_a_whmcs_product_of_the_same_name(whmcs_sandbox):
    products = whmcs_sandbox.app.store.products

    for item in CATALOG:
        product = products[item.whmcs_product_id]
        assert product.name == item.name and product.group == item.family
        assert bool(product.customfields) == item.is_sim, f"{item.name}: SIM products carry ICCID and number"
        if item.is_sim:
            assert [field.name for field in product.customfields] == ["ICCID", "Phone Number"]


def test_an_order_of_the_whole_catalog_is_accepted(api):
    params = {}
    for index, item in enumerate(CATALOG):
        params[f"pid[{index}]"] = str(item.whmcs_product_id)
        params[f"billingcycle[{index}]"] = CYCLES[item.billing_cycle]

    created = api("AddOrder", clientid=ALICE, paymentmethod="stripe", **params)

    assert created["result"] == "success" and len(created["serviceids"].split(",")) == len(CATALOG)
    assert api("AcceptOrder", orderid=created["orderid"]) == {"result": "success"}


def test_a_one_time_product_is_billed_once_and_never_again(api):
    created = api("AddOrder", clientid=ALICE, paymentmethod="stripe", **{
        "pid[0]": "13", "billingcycle[0]": "onetime", "pid[1]": "10", "billingcycle[1]": "monthly"})
    fee_id, sim_id = created["serviceids"].split(",")
    api("AcceptOrder", orderid=created["orderid"])

    fee, sim = service(api, fee_id), service(api, sim_id)
    assert (fee["billingcycle"], fee["firstpaymentamount"], fee["recurringamount"]) == ("One Time", "3300.00", "0.00")
    assert fee["nextduedate"] == "0000-00-00" and fee["status"] == "Active"
    assert (sim["billingcycle"], sim["recurringamount"]) == ("Monthly", "990.00") and sim["nextduedate"] != "0000-00-00"
    invoice = api("GetInvoice", invoiceid=created["invoiceid"])
    assert invoice["total"] == "4290.00"
    assert "SIM activation fee" in {item["description"] for item in invoice["items"]["item"]}


def test_update_client_product_sets_the_given_custom_fields_only(api):
    created = api("AddOrder", clientid=ALICE, paymentmethod="stripe", pid="10",
                  **{"customfields[0]": _b64({2: "02060000001"})})
    sim_id = created["serviceids"]

    answer = api("UpdateClientProduct", serviceid=sim_id, customfields=_b64({1: "8981100001000000018", 99: "x"}),
                 notes="SIM activated by the portal")

    assert answer == {"result": "success", "serviceid": int(sim_id)}
    fields = {f["name"]: f["value"] for f in service(api, sim_id)["customfields"]["customfield"]}
    assert fields == {"ICCID": "8981100001000000018", "Phone Number": "02060000001"}
    assert service(api, sim_id)["notes"] == "SIM activated by the portal"


def test_update_client_product_refusals(api):
    assert api("UpdateClientProduct", serviceid=999999, notes="x") == {
        "result": "error", "message": "Service ID Not Found"}
    assert api("UpdateClientProduct", serviceid=12, customfields="not base64 php")["result"] == "error"
    assert api("UpdateClientProduct", serviceid=12, status="Sleeping")["message"] == "Invalid Service Status"
    assert api("UpdateClientProduct", serviceid=12, status="suspended")["result"] == "success"
    assert service(api, 12)["status"] == "Suspended"
