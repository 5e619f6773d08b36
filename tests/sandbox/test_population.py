"""The generated population (sandbox/population.py): deterministic, seeded alike in the three
emulators when asked (and only then), every customer with their records, and a generated customer
signs in to the portal once the benchmark's portal seed (bench/seed_population.py) has run."""
import json
import re
from datetime import date

import pytest
import requests

from sandbox import population
from sandbox.freebit import API_PREFIX, DEFAULT_OEM_ID, DEFAULT_OEM_KEY, start_freebit_sandbox
from sandbox.freebit.api import flag
from sandbox.salesforce import start_salesforce_sandbox
from sandbox.salesforce.ids import make_id
from sandbox.whmcs import start_whmcs_sandbox
from tests.sandbox.test_salesforce_sandbox import PUBLIC_PEM, get_token

COUNT = 40
TODAY = date(2026, 11, 26)


def test_the_same_customers_whatever_the_count_and_however_often_asked():
    first = list(population.customers(COUNT))
    assert len(first) == COUNT
    assert [population.customer.__wrapped__(i) for i in range(COUNT)] == first  # drawn again, not cached
    assert list(population.customers(COUNT * 3))[:COUNT] == first
    for field in ("email", "whmcs_client_id", "account_number"):
        assert len({getattr(c, field) for c in first}) == COUNT
    sims = [sim for c in first for sim in c.sims]
    assert len({sim.iccid for sim in sims}) == len({sim.msisdn for sim in sims}) == len(sims)
    assert all(re.fullmatch(r"\d{19}", sim.iccid) and re.fullmatch(r"0[2-9]0\d{8}", sim.msisdn) for sim in sims)


def test_every_customer_has_sims_and_an_invoice_history():
    for person in population.customers(COUNT):
        assert 1 <= len(person.sims) <= 3
        assert 1 <= person.history_months <= population.HISTORY_MONTHS
        assert person.orders and set(person.orders) == {s.order_id for s in person.services}
        assert max(s.service_id for s in person.services) < person.id(population.SLOTS - 1)


def test_the_count_is_bounded():
    with pytest.raises(ValueError):
        population.check_count(-1)
    with pytest.raises(ValueError):
        population.check_count(500_001)


# -- the emulators, over their APIs ------------------------------------------------------------------

@pytest.fixture(scope="module")
def whmcs():
    handle = start_whmcs_sandbox(env={}, today=TODAY, customers=COUNT)
    yield handle
    handle.stop()


def whmcs_api(handle, action, **params):
    body = {"action": action, "identifier": "sandbox-identifier", "secret": "sandbox-secret",
            "responsetype": "json", **params}
    answer = requests.post(handle.url + "/includes/api.php", data=body, timeout=10).json()
    assert answer["result"] == "success", answer
    return answer


@pytest.mark.parametrize("index", [0, 17, COUNT - 1])
def test_whmcs_has_each_customer_with_services_invoices_orders_and_a_card(whmcs, index):
    person = population.customer(index)
    client = whmcs_api(whmcs, "GetClientsDetails", email=person.email)
    assert client["userid"] == str(person.whmcs_client_id) and client["currency_code"] == "JPY"

    services = whmcs_api(whmcs, "GetClientsProducts", clientid=person.whmcs_client_id)["products"]["product"]
    assert [int(s["id"]) for s in services] == sorted(s.service_id for s in person.services)
    iccids = {field["value"] for s in services for field in s["customfields"]["customfield"]
              if field["name"] == "ICCID"}
    assert iccids == {sim.iccid for sim in person.sims}

    invoices = whmcs_api(whmcs, "GetInvoices", userid=person.whmcs_client_id, orderby="date", order="desc")
    listed = invoices["invoices"]["invoice"]
    assert int(invoices["totalresults"]) == person.history_months == len(listed)
    assert listed[0]["status"] == "Unpaid" and {i["status"] for i in listed[2:]} <= {"Paid"}
    detail = whmcs_api(whmcs, "GetInvoice", invoiceid=listed[-1]["id"])
    assert detail["status"] == "Paid" and detail["transactions"]["transaction"][0]["amountin"] == detail["total"]

    orders = whmcs_api(whmcs, "GetOrders", userid=person.whmcs_client_id)
    assert {int(o["id"]) for o in orders["orders"]["order"]} == set(person.orders)
    assert whmcs_api(whmcs, "GetPayMethods", clientid=person.whmcs_client_id)["paymethods"]


def test_whmcs_without_customers_has_only_the_demo_clients():
    handle = start_whmcs_sandbox(env={}, today=TODAY)
    try:
        assert max(handle.app.store.clients) < population.FIRST_CLIENT_ID
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def salesforce():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, today=TODAY, customers=COUNT)
    yield handle
    handle.stop()


def soql(handle, query):
    token = get_token(handle.url)["access_token"]
    response = requests.get(f"{handle.url}/services/data/v62.0/query", params={"q": query}, timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()["records"]


def test_salesforce_has_each_customer_account_and_signup_orders(salesforce):
    person = population.customer(23)
    [account] = soql(salesforce, f"SELECT Id, Email__c, Identity_Verification_Status__c FROM Account "
                                 f"WHERE WHMCS_Client_Id__c = {person.whmcs_client_id}")
    assert account["Id"] == make_id("001", person.account_number)
    assert (account["Email__c"], account["Identity_Verification_Status__c"]) == (person.email, "Verified")
    orders = soql(salesforce, f"SELECT Id, Status, WHMCS_Order_Id__c, TotalAmount, "
                              f"(SELECT Quantity, TotalPrice FROM OrderItems) FROM Order "
                              f"WHERE AccountId = '{account['Id']}' ORDER BY CreatedDate DESC")
    assert {int(o["WHMCS_Order_Id__c"]) for o in orders} == set(person.orders)
    for order in orders:
        assert order["Status"] == "Activated"
        assert order["TotalAmount"] == sum(item["TotalPrice"] for item in order["OrderItems"]["records"])
    # The one-record lookups the portal makes read the same through the indexed path.
    [same] = soql(salesforce, f"SELECT Id FROM Order WHERE Id = '{orders[0]['Id']}' AND AccountId = '{account['Id']}'")
    assert same["Id"] == orders[0]["Id"]


def test_a_failed_salesforce_transaction_still_undoes_everything(salesforce):
    """Transactions are journalled now (not a copy of the org): a tree with a bad child leaves nothing."""
    token = get_token(salesforce.url)["access_token"]
    account_id = make_id("001", population.customer(3).account_number)
    before = len(salesforce.app.store.tables["Order"])
    answer = requests.post(
        f"{salesforce.url}/services/data/v62.0/composite/tree/Order", timeout=10,
        headers={"Authorization": f"Bearer {token}"},
        json={"records": [{"attributes": {"type": "Order", "referenceId": "o1"}, "AccountId": account_id,
                           "EffectiveDate": "2026-11-26", "Status": "Draft",
                           "OrderItems": {"records": [{"attributes": {"type": "OrderItem", "referenceId": "i1"},
                                                       "PricebookEntryId": "01u000000000000AAA", "Quantity": 1,
                                                       "UnitPrice": 1}]}}]})
    assert answer.status_code == 400 and answer.json()["hasErrors"] is True
    assert len(salesforce.app.store.tables["Order"]) == before
    listed = soql(salesforce, f"SELECT Id FROM Order WHERE AccountId = '{account_id}'")
    assert len(listed) == len(population.customer(3).orders)


@pytest.fixture(scope="module")
def freebit():
    handle = start_freebit_sandbox(env={}, today=TODAY, customers=COUNT)
    yield handle
    handle.stop()


def test_freebit_has_a_line_per_sim_with_its_usage(freebit):
    def call(path, **fields):
        response = requests.post(f"{freebit.url}{API_PREFIX}{path}", data={"json": json.dumps(fields)}, timeout=10)
        answer = response.json()
        assert answer["resultCode"] == "100", answer
        return answer

    key = call("/authOem/", oemId=DEFAULT_OEM_ID, oemKey=DEFAULT_OEM_KEY)["authKey"]
    for sim in population.customer(31).sims:
        [line] = call("/mvno/getDetail/", authKey=key, version="2",
                      requestDatas=[{"kind": "MVNO", "account": sim.msisdn}])["responseDatas"]
        assert (line["iccid"], line["planCode"], line["state"]) == (sim.iccid, sim.plan_code, "active")
        assert line["talk"] == flag(not sim.data_only)
        traffic = call("/mvno/getTrafficInfo/", authKey=key, account=sim.msisdn)
        assert traffic["traffic"]


# -- the portal: a generated customer signs in ------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_generated_customer_signs_in_after_the_benchmark_seed(client, capsys):
    from bench import seed_population
    from portal.accounts.models import Customer, User

    assert seed_population.main(["5"]) == 0
    assert json.loads(capsys.readouterr().out)["users"] == 5
    person = population.customer(4)
    user = User.objects.get(email=person.email)
    customer = Customer.objects.get(user=user)
    assert (customer.whmcs_client_id, customer.salesforce_account_id) == (
        person.whmcs_client_id, make_id("001", person.account_number))
    assert User.objects.filter(email__endswith=population.EMAIL_DOMAIN).values("password").distinct().count() == 1
    assert client.post("/login/", {"username": person.email, "password": "wrong"}).status_code == 200
    answer = client.post("/login/", {"username": person.email, "password": population.POPULATION_PASSWORD})
    assert answer.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
