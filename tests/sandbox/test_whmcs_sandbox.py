"""The WHMCS emulator, driven over real HTTP like the portal will drive WHMCS."""
import base64
import time
from datetime import date
from decimal import Decimal

import pytest
import requests

from sandbox.common import FaultConfig, FaultConfigError
from sandbox.common.clock import provider_today
from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import DEMO_SIMS, start_whmcs_sandbox
from sandbox.whmcs.php import form_array, php_serialize, php_unserialize

ALICE, BOB = (c.whmcs_client_id for c in DEMO_CUSTOMERS[:2])
AUTH = {"identifier": "sandbox-identifier", "secret": "sandbox-secret", "responsetype": "json"}


@pytest.fixture(scope="module")
def whmcs_sandbox():
    handle = start_whmcs_sandbox(env={})
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(whmcs_sandbox):
    """Every test starts from the seed data, with no faults and zeroed stats."""
    requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{whmcs_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()
    yield


@pytest.fixture
def api(whmcs_sandbox):
    session = requests.Session()

    def call(action, *, expect_status=200, timeout=5, **params):
        response = session.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": action, **params},
                                timeout=timeout)
        assert response.status_code == expect_status, response.text
        return response.json()

    yield call
    session.close()


def faults(whmcs_sandbox, **config):
    response = requests.post(f"{whmcs_sandbox.url}/__sandbox__/faults", json=config, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def stats(whmcs_sandbox):
    return requests.get(f"{whmcs_sandbox.url}/__sandbox__/stats", timeout=5).json()


def all_invoices(api, **params):
    listed = api("GetInvoices", limitnum=1000, **params)
    return listed["invoices"]["invoice"] if listed["invoices"] else []


# -- authentication and protocol ------------------------------------------------------------------
@pytest.mark.parametrize("credentials", [
    {"identifier": "sandbox-identifier", "secret": "wrong"},
    {"identifier": "nobody", "secret": "sandbox-secret"},
    {},
])
def test_bad_or_missing_credentials_fail_authentication(whmcs_sandbox, credentials):
    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php",
                             data={"action": "GetCurrencies", "responsetype": "json", **credentials}, timeout=5)

    assert response.status_code == 403
    assert response.json() == {"result": "error", "message": "Authentication Failed"}


def test_legacy_username_password_parameters_are_accepted(whmcs_sandbox):
    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php", timeout=5, data={
        "action": "GetCurrencies", "responsetype": "json",
        "username": "sandbox-identifier", "password": "sandbox-secret",
    })

    assert response.json()["result"] == "success"


def test_unknown_action_is_command_not_found_and_names_are_case_insensitive(api):
    assert api("FlyToTheMoon") == {"result": "error", "message": "Command Not Found"}
    assert api("getcurrencies")["result"] == "success"


def test_api_php_only_answers_post(whmcs_sandbox):
    response = requests.get(f"{whmcs_sandbox.url}/includes/api.php", params={**AUTH, "action": "GetCurrencies"},
                            timeout=5)

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_without_responsetype_json_the_answer_is_xml(whmcs_sandbox):
    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php", timeout=5, data={
        "action": "GetCurrencies", "identifier": "sandbox-identifier", "secret": "sandbox-secret",
    })

    assert response.headers["Content-Type"].startswith("text/xml")
    assert "<result>success</result>" in response.text
    assert response.text.count("<currency>") == 2


def test_custom_credentials_and_access_key():
    handle = start_whmcs_sandbox(env={}, identifier="id-x", secret="secret-x", access_key="let-me-in")
    try:
        url = f"{handle.url}/includes/api.php"
        base = {"action": "GetCurrencies", "responsetype": "json", "identifier": "id-x", "secret": "secret-x"}

        denied = requests.post(url, data=base, timeout=5)
        allowed = requests.post(url, data={**base, "accesskey": "let-me-in"}, timeout=5)

        assert denied.status_code == 403 and denied.json()["message"].startswith("Invalid IP")
        assert allowed.json()["result"] == "success"
    finally:
        handle.stop()


def test_php_json_escapes_like_json_encode(whmcs_sandbox):
    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"},
                             timeout=5)

    assert "\\u00a5" in response.text  # ¥, as PHP's json_encode writes it
    assert response.json()["currencies"]["currency"][0]["prefix"] == "¥"


# -- GetInvoices ----------------------------------------------------------------------------------
def test_get_invoices_shape_numbers_are_strings(api):
    listed = api("GetInvoices", userid=ALICE)

    assert listed["result"] == "success"
    assert isinstance(listed["totalresults"], str) and int(listed["totalresults"]) >= 28
    assert listed["startnumber"] == 0 and listed["numreturned"] == 25  # the default page size
    invoice = listed["invoices"]["invoice"][0]
    assert set(invoice) == {
        "id", "userid", "firstname", "lastname", "companyname", "invoicenum", "date", "duedate", "datepaid",
        "last_capture_attempt", "subtotal", "credit", "tax", "tax2", "total", "taxrate", "taxrate2", "status",
        "paymentmethod", "notes", "currencycode", "currencyprefix", "currencysuffix",
    }
    assert invoice["userid"] == str(ALICE) and invoice["firstname"] == "Alice"
    assert invoice["invoicenum"].startswith("INV-") and len(invoice["invoicenum"].split("-")[2]) == 5
    assert all(isinstance(value, str) for value in invoice.values())


def test_paging_walks_every_invoice_once(api):
    total = int(api("GetInvoices", userid=ALICE)["totalresults"])
    seen = []
    for start in range(0, total, 10):
        page = api("GetInvoices", userid=ALICE, limitstart=start, limitnum=10)
        assert page["startnumber"] == start and page["numreturned"] == min(10, total - start)
        seen += [i["id"] for i in page["invoices"]["invoice"]]

    assert len(seen) == len(set(seen)) == total
    assert api("GetInvoices", userid=ALICE, limitstart=total)["invoices"] == ""


def test_no_invoices_is_the_empty_string(api):
    listed = api("GetInvoices", userid=999999)

    assert listed["totalresults"] == "0" and listed["numreturned"] == 0
    assert listed["invoices"] == ""


def test_ordering(api):
    by_total = [Decimal(i["total"]) for i in all_invoices(api, userid=ALICE, orderby="total", order="desc")]
    by_due = [i["duedate"] for i in all_invoices(api, userid=ALICE)]

    assert by_total == sorted(by_total, reverse=True)
    assert by_due == sorted(by_due)  # default: duedate ascending


def test_status_filters_cover_the_demo_statuses(api):
    today = provider_today().isoformat()
    statuses = ("Paid", "Unpaid", "Overdue", "Cancelled", "Refunded")
    alice = {s: all_invoices(api, userid=ALICE, status=s) for s in statuses}

    assert all(i["status"] == s for s in ("Paid", "Unpaid", "Cancelled", "Refunded") for i in alice[s])
    assert len(alice["Paid"]) >= 20 and alice["Cancelled"] and alice["Refunded"]
    assert len(alice["Overdue"]) == 1
    assert all(i["status"] == "Unpaid" and i["duedate"] < today for i in alice["Overdue"])
    assert any(i["duedate"] >= today for i in alice["Unpaid"])  # one is due in the future
    assert all_invoices(api, userid=BOB, status="Payment Pending")
    assert all_invoices(api, userid=BOB, status="Overdue") == []


def test_each_client_is_billed_in_one_currency_alice_in_yen_and_the_usd_client_in_dollars(api):
    from sandbox.whmcs.seed import USD_CLIENT_ID

    alices = all_invoices(api, userid=ALICE)
    danas = all_invoices(api, userid=USD_CLIENT_ID)

    assert {i["currencycode"] for i in alices} == {"JPY"}
    assert {(i["currencycode"], i["currencyprefix"]) for i in danas} == {("USD", "$")}
    assert {i["status"] for i in danas} == {"Paid", "Unpaid"} and len(danas) == 3
    assert all(i["taxrate"] == "0.00" for i in danas)  # no Japanese consumption tax on a US client
    [vpn] = api("GetClientsProducts", clientid=USD_CLIENT_ID)["products"]["product"]
    assert (vpn["name"], vpn["recurringamount"]) == ("Secure VPN", "4.02")  # 600 yen at the USD rate


def test_get_clients_details_names_the_clients_currency(api):
    from sandbox.whmcs.seed import USD_CLIENT_ID

    alice = api("GetClientsDetails", clientid=ALICE)
    dana = api("GetClientsDetails", clientid=USD_CLIENT_ID, stats="true")
    by_email = api("GetClientsDetails", email="ALICE@example.com")

    assert (alice["client"]["currency"], alice["client"]["currency_code"]) == ("1", "JPY")
    assert (dana["client"]["currency"], dana["client"]["currency_code"]) == ("2", "USD")
    assert alice["client"]["id"] == str(ALICE) and alice["userid"] == str(ALICE)  # and the deprecated top level
    assert by_email["client"]["id"] == str(ALICE)
    assert dana["stats"]["numunpaidinvoices"] == "1" and dana["stats"]["unpaidinvoicesamount"].startswith("$")
    assert "stats" not in alice
    assert not {"password", "cardnum", "cclastfour", "securityqans"} & set(alice["client"])
    assert api("GetClientsDetails", clientid=999999) == {"result": "error", "message": "Client Not Found"}
    assert api("GetClientsDetails")["message"] == "Either clientid Or email Is Required"


# -- GetInvoice -----------------------------------------------------------------------------------
def test_every_invoice_adds_up(api):
    for summary in all_invoices(api):
        invoice = api("GetInvoice", invoiceid=summary["id"])
        subtotal, tax, total = (Decimal(invoice[k]) for k in ("subtotal", "tax", "total"))
        assert subtotal + tax == total
        assert sum(Decimal(item["amount"]) for item in invoice["items"]["item"]) == subtotal
        paid = Decimal(0)
        if invoice["transactions"]:
            paid = sum(Decimal(t["amountin"]) - Decimal(t["amountout"]) for t in invoice["transactions"]["transaction"])
        assert Decimal(invoice["balance"]) == total - paid
        assert invoice["total"] == summary["total"] and invoice["status"] == summary["status"]
        if invoice["status"] == "Paid":
            assert Decimal(invoice["balance"]) == 0 and invoice["datepaid"] != "0000-00-00 00:00:00"


def test_get_invoice_shape_for_paid_and_unpaid(api):
    paid_id = all_invoices(api, userid=ALICE, status="Paid")[0]["id"]
    unpaid_id = all_invoices(api, userid=ALICE, status="Unpaid")[0]["id"]

    paid, unpaid = api("GetInvoice", invoiceid=paid_id), api("GetInvoice", invoiceid=unpaid_id)

    assert paid["invoiceid"] == int(paid_id) and paid["userid"] == ALICE and paid["ccgateway"] is False
    transaction = paid["transactions"]["transaction"][0]
    assert transaction["invoiceid"] == int(paid_id) and transaction["amountin"] == paid["total"]
    assert transaction["gateway"] in ("stripe", "banktransfer") and transaction["refundid"] == 0
    item = paid["items"]["item"][0]
    assert item["type"] == "Hosting" and isinstance(item["relid"], int) and item["taxed"] == 1
    assert unpaid["transactions"] == "" and unpaid["datepaid"] == "0000-00-00 00:00:00"
    assert unpaid["balance"] == unpaid["total"]


def test_refunded_invoice_carries_the_refund(api):
    refunded_id = all_invoices(api, userid=ALICE, status="Refunded")[0]["id"]

    transactions = api("GetInvoice", invoiceid=refunded_id)["transactions"]["transaction"]

    payment, refund = transactions
    assert refund["amountout"] == payment["amountin"] and refund["refundid"] == payment["id"]


def test_unknown_invoice(api):
    assert api("GetInvoice", invoiceid=999999) == {"result": "error", "message": "Invoice ID Not Found"}


def test_get_invoice_returns_any_clients_invoice_like_whmcs(api):
    bobs = all_invoices(api, userid=BOB)[0]

    invoice = api("GetInvoice", invoiceid=bobs["id"])  # nothing says on whose behalf: WHMCS answers anyway

    assert invoice["result"] == "success" and invoice["userid"] == BOB


# -- products, currencies, pay methods ------------------------------------------------------------
def _luhn_ok(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def test_get_clients_products(api):
    listed = api("GetClientsProducts", clientid=ALICE)
    products = {p["id"]: p for p in listed["products"]["product"]}

    assert listed["clientid"] == str(ALICE) and listed["serviceid"] is None and listed["pid"] is None
    assert listed["totalresults"] == str(len(products)) == "6"
    fiber = products["11"]
    assert fiber["name"] == "Fiber 1 Gbps" and fiber["groupname"] == "Internet"
    assert fiber["customfields"] == {"customfield": []} and fiber["qty"] == "1"  # as WHMCS documents it
    assert fiber["configoptions"]["configoption"][0]["option"] == "Router"
    assert fiber["billingcycle"] == "Monthly" and fiber["recurringamount"] == "5000.00"
    assert fiber["serverip"] is None and fiber["paymentmethodname"] == "Credit Card"
    statuses = sorted(p["status"] for p in products.values())
    assert statuses == ["Active", "Active", "Active", "Active", "Cancelled", "Suspended"]
    assert products["15"]["suspensionreason"]
    assert products["16"]["configoptions"] == {"configoption": []}
    sims = [p for p in products.values() if p["customfields"]["customfield"]]
    assert len(sims) == 4 and any(p["name"].startswith("Data SIM") for p in sims)
    for sim in sims:
        fields = {f["name"]: f["value"] for f in sim["customfields"]["customfield"]}
        assert len(fields["ICCID"]) == 19 and _luhn_ok(fields["ICCID"])
    assert {s.iccid for s in DEMO_SIMS if s.client_id == ALICE} == {
        f["value"] for p in sims for f in p["customfields"]["customfield"] if f["name"] == "ICCID"}


def test_get_clients_products_filters_and_empty(api):
    bob = api("GetClientsProducts", clientid=BOB)["products"]["product"]
    one = api("GetClientsProducts", serviceid="12")

    assert any(p["customfields"]["customfield"] and p["customfields"]["customfield"][0]["name"] == "ICCID"
               for p in bob)
    assert one["numreturned"] == 1 and one["products"]["product"][0]["clientid"] == str(ALICE)
    assert api("GetClientsProducts", clientid=999999)["products"] == ""
    assert api("GetClientsProducts", clientid=ALICE, limitstart=2, limitnum=2)["numreturned"] == 2


def test_get_currencies(api):
    currencies = api("GetCurrencies")

    assert currencies["totalresults"] == 2  # an int here, unlike the other actions
    jpy, usd = currencies["currencies"]["currency"]
    assert jpy == {"id": "1", "code": "JPY", "prefix": "¥", "suffix": " JPY", "format": "4", "rate": "1.00000"}
    assert usd["code"] == "USD" and usd["id"] == "2"


def test_get_pay_methods(api):
    alice = api("GetPayMethods", clientid=ALICE)
    bob = api("GetPayMethods", clientid=BOB)

    assert alice["clientid"] == ALICE
    card, bank = alice["paymethods"]
    # A card saved through Stripe is kept at the gateway: RemoteCreditCard, with the gateway's token.
    assert card["type"] == "RemoteCreditCard" and card["card_last_four"] == "4242" and card["gateway_name"] == "stripe"
    assert card["contact_id"] == ALICE and "customer" in card["remote_token"]
    # Only remote methods carry a token; a bank account kept in WHMCS has an empty one.
    assert bank["type"] == "BankAccount" and bank["bank_name"] == "Mizuho Bank" and bank["remote_token"] == ""
    assert [m["type"] for m in bob["paymethods"]] == ["RemoteCreditCard"]
    assert api("GetPayMethods", clientid=ALICE, type="BankAccount")["paymethods"] == [bank]
    assert api("GetPayMethods", clientid=999999)["result"] == "error"


# -- SSO and the client area ----------------------------------------------------------------------
def _unpaid(api, client):
    return next(i for i in all_invoices(api, userid=client, status="Unpaid"))


def test_sso_token_is_single_use_and_redirects(whmcs_sandbox, api):
    invoice_id = _unpaid(api, ALICE)["id"]
    token = api("CreateSsoToken", client_id=ALICE, destination="sso:custom_redirect",
                sso_redirect_path=f"viewinvoice.php?id={invoice_id}")

    assert token["redirect_url"] == f"{whmcs_sandbox.url}/oauth/singlesignon.php?access_token={token['access_token']}"
    first = requests.get(token["redirect_url"], allow_redirects=False, timeout=5)
    second = requests.get(token["redirect_url"], allow_redirects=False, timeout=5)

    assert first.status_code == 302
    assert first.headers["Location"] == f"{whmcs_sandbox.url}/viewinvoice.php?id={invoice_id}"
    assert "WHMCSsandbox=" in first.headers["Set-Cookie"]
    assert second.status_code == 403 and "Invalid or expired token" in second.text


def test_sso_token_expires():
    handle = start_whmcs_sandbox(env={}, sso_token_ttl=0.05)
    try:
        token = requests.post(f"{handle.url}/includes/api.php", timeout=5,
                              data={**AUTH, "action": "CreateSsoToken", "client_id": ALICE}).json()
        time.sleep(0.1)
        response = requests.get(token["redirect_url"], allow_redirects=False, timeout=5)
        assert response.status_code == 403
    finally:
        handle.stop()


def test_pay_flow_from_sso_to_paid_invoice(whmcs_sandbox, api):
    invoice_id = _unpaid(api, ALICE)["id"]
    browser = requests.Session()
    token = api("CreateSsoToken", client_id=ALICE, destination="sso:custom_redirect",
                sso_redirect_path=f"viewinvoice.php?id={invoice_id}")

    page = browser.get(token["redirect_url"], timeout=5)
    assert page.status_code == 200 and "Pay now" in page.text and "Invoice #INV-" in page.text

    paid = browser.post(f"{whmcs_sandbox.url}/creditcard.php?invoiceid={invoice_id}", timeout=5)
    assert paid.status_code == 200 and "Payment successful" in paid.text

    invoice = api("GetInvoice", invoiceid=invoice_id)
    assert invoice["status"] == "Paid" and invoice["balance"] == "0.00"
    assert invoice["transactions"]["transaction"][0]["amountin"] == invoice["total"]


def test_client_area_pages_need_the_right_session(whmcs_sandbox, api):
    bobs_invoice = all_invoices(api, userid=BOB)[0]["id"]
    browser = requests.Session()
    token = api("CreateSsoToken", client_id=ALICE, destination="clientarea:invoices")

    home = browser.get(token["redirect_url"], timeout=5)

    assert home.status_code == 200 and "Welcome back, Alice" in home.text
    assert browser.get(f"{whmcs_sandbox.url}/viewinvoice.php?id={bobs_invoice}", timeout=5).status_code == 403
    assert requests.get(f"{whmcs_sandbox.url}/viewinvoice.php?id={bobs_invoice}", timeout=5).status_code == 403


def test_sso_for_unknown_client(api):
    assert api("CreateSsoToken", client_id=999999)["result"] == "error"


# -- orders ---------------------------------------------------------------------------------------
def _b64(value):
    return base64.b64encode(php_serialize(value).encode()).decode()


def test_add_order_then_accept_order(api):
    iccid = "8981100000000099990"
    created = api("AddOrder", clientid=BOB, paymentmethod="stripe", **{
        "pid[0]": "3", "billingcycle[0]": "monthly", "customfields[0]": _b64({1: iccid}),
        "configoptions[0]": _b64({1: 4, 2: 7}), "pid[1]": "1", "billingcycle[1]": "monthly", "notes": "SF-0001",
    })

    assert created["result"] == "success" and created["addonids"] == "" and created["domainids"] == ""
    assert isinstance(created["orderid"], int) and isinstance(created["invoiceid"], int)
    sim_id, fiber_id = created["serviceids"].split(",")
    sim = api("GetClientsProducts", serviceid=sim_id)["products"]["product"][0]
    assert sim["status"] == "Pending" and sim["clientid"] == str(BOB) and sim["orderid"] == str(created["orderid"])
    assert {f["name"]: f["value"] for f in sim["customfields"]["customfield"]}["ICCID"] == iccid
    assert {o["option"]: o["value"] for o in sim["configoptions"]["configoption"]} == {
        "Data": "20 GB", "Voice": "Unlimited calls"}
    invoice = api("GetInvoice", invoiceid=created["invoiceid"])
    assert invoice["status"] == "Unpaid" and invoice["total"] == "7980.00"
    assert {item["relid"] for item in invoice["items"]["item"]} == {int(sim_id), int(fiber_id)}
    order = api("GetOrders", id=created["orderid"])["orders"]["order"][0]
    assert order["status"] == "Pending" and order["notes"] == "SF-0001" and order["paymentstatus"] == "Unpaid"
    assert [li["relid"] for li in order["lineitems"]["lineitem"]] == [sim_id, fiber_id]

    assert api("AcceptOrder", orderid=created["orderid"]) == {"result": "success"}

    assert api("GetClientsProducts", serviceid=sim_id)["products"]["product"][0]["status"] == "Active"
    assert api("GetOrders", id=created["orderid"])["orders"]["order"][0]["status"] == "Active"
    assert api("AcceptOrder", orderid=created["orderid"]) == {
        "result": "error", "message": "Order is not in Pending status"}


def test_add_order_array_syntaxes_and_errors(api):
    appended = api("AddOrder", clientid=ALICE, paymentmethod="stripe", **{"pid[]": "5", "qty[]": "2"})
    no_invoice = api("AddOrder", clientid=ALICE, paymentmethod="stripe", pid="4", noinvoice="true")

    assert len(appended["serviceids"].split(",")) == 2
    assert no_invoice["invoiceid"] == 0
    assert api("AddOrder", clientid=ALICE, paymentmethod="bitcoin", pid="1")["message"].startswith(
        "Invalid Payment Method")
    assert api("AddOrder", clientid=999999, paymentmethod="stripe", pid="1")["result"] == "error"
    assert api("AddOrder", clientid=ALICE, paymentmethod="stripe")["result"] == "error"
    assert api("AcceptOrder", orderid=999999) == {"result": "error", "message": "Order ID not found"}


def test_get_orders_for_a_client(api):
    orders = api("GetOrders", userid=BOB)

    assert orders["totalresults"] == "1"
    assert len(orders["orders"]["order"][0]["lineitems"]["lineitem"]) == 2
    assert api("GetOrders", userid=999999)["orders"] == ""


# -- CreateInvoice / CapturePayment ---------------------------------------------------------------
def test_create_invoice_then_capture_payment(api):
    created = api("CreateInvoice", userid=ALICE, status="Unpaid", paymentmethod="stripe",
                  itemdescription1="Data top-up 3 GB", itemamount1="1000", itemtaxed1="1",
                  duedate=provider_today().isoformat())

    assert created["result"] == "success" and created["status"] == "success"
    invoice = api("GetInvoice", invoiceid=created["invoiceid"])
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == ("1000.00", "100.00", "1100.00")
    assert invoice["status"] == "Unpaid" and invoice["userid"] == ALICE

    assert api("CapturePayment", invoiceid=created["invoiceid"]) == {"result": "success"}

    paid = api("GetInvoice", invoiceid=created["invoiceid"])
    assert paid["status"] == "Paid" and paid["balance"] == "0.00"
    assert paid["transactions"]["transaction"][0]["amountin"] == "1100.00"
    assert paid["transactions"]["transaction"][0]["transid"].startswith("ch_")
    # A second capture (a blind retry) fails: the caller must look at the invoice.
    assert api("CapturePayment", invoiceid=created["invoiceid"]) == {
        "result": "error", "message": "Payment Attempt Failed"}


def test_create_invoice_errors_and_update(api):
    assert api("CreateInvoice", userid=999999, itemdescription1="x", itemamount1="1")["result"] == "error"
    assert api("CapturePayment", invoiceid=999999)["message"] == "Invoice ID Not Found"
    created = api("CreateInvoice", userid=BOB, itemdescription1="Fee", itemamount1="500")
    assert api("UpdateInvoice", invoiceid=created["invoiceid"], status="Cancelled")["result"] == "success"
    assert api("GetInvoice", invoiceid=created["invoiceid"])["status"] == "Cancelled"


def test_an_invoice_whose_create_answer_was_lost_is_found_by_the_note_it_carries(whmcs_sandbox, api):
    """What the portal's top-ups rely on: CreateInvoice takes ``notes``; with the answer lost the
    invoice still exists, and GetInvoices (newest id first) lists it with its notes."""
    faults(whmcs_sandbox, lost_answer_rate=1, actions=["CreateInvoice"], times=1)
    create = {**AUTH, "action": "CreateInvoice", "userid": ALICE, "itemdescription1": "Data top-up 1 GB",
              "itemamount1": "500", "itemtaxed1": "1", "notes": "portal-request:abc-123"}

    lost = requests.post(f"{whmcs_sandbox.url}/includes/api.php", data=create, timeout=5)

    assert lost.status_code == 504
    listed = api("GetInvoices", userid=ALICE, orderby="id", order="desc", limitstart=0, limitnum=100)
    newest = listed["invoices"]["invoice"][0]
    assert newest["notes"] == "portal-request:abc-123" and newest["status"] == "Unpaid"
    assert int(newest["id"]) == max(int(i["id"]) for i in listed["invoices"]["invoice"])
    assert api("GetInvoice", invoiceid=newest["id"])["notes"] == "portal-request:abc-123"


# -- faults ---------------------------------------------------------------------------------------
def test_latency(whmcs_sandbox, api):
    faults(whmcs_sandbox, latency_ms=150)

    started = time.monotonic()
    api("GetCurrencies")
    elapsed = time.monotonic() - started

    assert elapsed >= 0.15
    started = time.monotonic()
    stats(whmcs_sandbox)
    assert time.monotonic() - started < 0.15  # control endpoints are never delayed


def test_error_status(whmcs_sandbox):
    faults(whmcs_sandbox, error_rate=1.0, status=502)

    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"},
                             timeout=5)

    assert response.status_code == 502 and "502" in response.text
    assert requests.get(f"{whmcs_sandbox.url}/__sandbox__/stats", timeout=5).status_code == 200


def test_rate_limit_with_retry_after(whmcs_sandbox):
    faults(whmcs_sandbox, rate_limit={"status": 429, "retry_after": 2})

    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"},
                             timeout=5)

    assert response.status_code == 429 and response.headers["Retry-After"] == "2"


@pytest.mark.parametrize("kind", ["truncate", "html"])
def test_malformed_body(whmcs_sandbox, kind):
    faults(whmcs_sandbox, malformed_rate=1.0, malformed_kind=kind)

    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"},
                             timeout=5)

    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_timeout_hangs_then_closes_without_an_answer(whmcs_sandbox):
    faults(whmcs_sandbox, timeout_rate=1.0, timeout_seconds=0.6)
    url = f"{whmcs_sandbox.url}/includes/api.php"

    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(url, data={**AUTH, "action": "GetCurrencies"}, timeout=0.2)
    faults(whmcs_sandbox, timeout_rate=1.0, timeout_seconds=0.05)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url, data={**AUTH, "action": "GetCurrencies"}, timeout=2)


def test_seeded_faults_repeat_exactly(whmcs_sandbox):
    def run():
        faults(whmcs_sandbox, error_rate=0.5, seed=1234)
        return [requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"},
                              timeout=5).status_code for _ in range(20)]

    first, second = run(), run()

    assert first == second
    assert set(first) == {200, 503}


def test_faults_at_construction_from_a_dict_and_from_the_environment():
    handle = start_whmcs_sandbox(env={"SANDBOX_WHMCS_FAULT_ERROR_RATE": "1", "SANDBOX_FAULT_STATUS": "504"})
    other = start_whmcs_sandbox(env={}, faults={"rate_limit": {"retry_after": 7}})
    try:
        response = requests.post(f"{handle.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"}, timeout=5)
        limited = requests.post(f"{other.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"}, timeout=5)
        assert response.status_code == 504
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    finally:
        handle.stop()
        other.stop()


def test_fault_config_from_env_and_validation(whmcs_sandbox):
    config = FaultConfig.from_env({
        "SANDBOX_FAULT_LATENCY_MS": "100", "SANDBOX_WHMCS_FAULT_LATENCY_MS": "20",
        "SANDBOX_FAULT_RATE_LIMIT_RATE": "0.5", "SANDBOX_FAULT_RATE_LIMIT_RETRY_AFTER": "3", "SANDBOX_FAULT_SEED": "9",
    }, emulator="whmcs")

    assert config.latency_ms == 20 and config.seed == 9
    assert config.rate_limit.rate == 0.5 and config.rate_limit.retry_after == 3
    with pytest.raises(FaultConfigError):
        FaultConfig.from_dict({"error_rate": 2})
    assert requests.post(f"{whmcs_sandbox.url}/__sandbox__/faults", json={"nonsense": 1}, timeout=5).status_code == 400
    assert requests.get(f"{whmcs_sandbox.url}/__sandbox__/faults", timeout=5).json()["error_rate"] == 0.0


def test_faults_can_target_some_actions_and_stop_after_a_number_of_calls(whmcs_sandbox):
    def status(action):
        return requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": action},
                             timeout=5).status_code

    faults(whmcs_sandbox, error_rate=1, status=502, actions=["GetCurrencies"], times=2)

    assert status("GetProducts") == 200
    assert [status("GetCurrencies") for _ in range(3)] == [502, 502, 200]
    assert stats(whmcs_sandbox)["faults_injected"] == {"error": 2}
    with pytest.raises(FaultConfigError):
        FaultConfig.from_dict({"actions": "GetCurrencies"})
    with pytest.raises(FaultConfigError):
        FaultConfig.from_dict({"times": -1})


def test_a_lost_answer_carries_the_call_out_and_answers_504(whmcs_sandbox, api):
    faults(whmcs_sandbox, lost_answer_rate=1, actions=["UpdateClient"], times=1)

    change = {**AUTH, "action": "UpdateClient", "clientid": ALICE, "companyname": "Lost Ltd"}
    lost = requests.post(f"{whmcs_sandbox.url}/includes/api.php", data=change, timeout=5)

    assert lost.status_code == 504
    assert whmcs_sandbox.app.store.clients[ALICE].companyname == "Lost Ltd", "the change was made"
    assert stats(whmcs_sandbox)["faults_injected"] == {"lost_answer": 1}


# -- stats and reset ------------------------------------------------------------------------------
def test_stats_count_api_calls_per_action(whmcs_sandbox, api):
    api("GetInvoices", userid=ALICE)
    api("GetInvoices", userid=BOB)
    api("getinvoice", invoiceid=1)
    api("NoSuchThing")
    requests.get(f"{whmcs_sandbox.url}/includes/api.php", timeout=5)  # not an API call: 405
    faults(whmcs_sandbox, error_rate=1.0)
    requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": "GetCurrencies"}, timeout=5)

    counted = stats(whmcs_sandbox)

    assert counted["calls"] == {"GetInvoices": 2, "GetInvoice": 1, "NoSuchThing": 1, "GetCurrencies": 1}
    assert counted["total"] == 5 and counted["faults_injected"] == {"error": 1}
    requests.delete(f"{whmcs_sandbox.url}/__sandbox__/stats", timeout=5)
    assert stats(whmcs_sandbox)["total"] == 0


def test_reset_restores_the_seed_data(whmcs_sandbox, api):
    before = api("GetInvoices", userid=ALICE)["totalresults"]
    created = api("CreateInvoice", userid=ALICE, itemdescription1="Extra", itemamount1="100")
    assert api("GetInvoices", userid=ALICE)["totalresults"] == str(int(before) + 1)

    assert requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).json()["status"] == "reset"

    assert api("GetInvoices", userid=ALICE)["totalresults"] == before
    assert api("GetInvoice", invoiceid=created["invoiceid"])["result"] == "error"
    assert stats(whmcs_sandbox)["total"] == 2  # counted since the reset


# -- plumbing -------------------------------------------------------------------------------------
def test_server_handle_picks_a_port_and_stops():
    handle = start_whmcs_sandbox(env={})
    assert handle.port > 0 and handle.url == f"http://127.0.0.1:{handle.port}"
    assert requests.get(f"{handle.url}/__sandbox__/health", timeout=5).json() == {"status": "ok", "emulator": "whmcs"}

    handle.stop()

    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{handle.url}/__sandbox__/health", timeout=1)


def test_pinned_today_keeps_the_calendar():
    handle = start_whmcs_sandbox(env={}, today=date(2026, 10, 20))
    try:
        listed = requests.post(f"{handle.url}/includes/api.php", timeout=5, data={
            **AUTH, "action": "GetInvoices", "userid": ALICE, "status": "Overdue"}).json()
        assert listed["invoices"]["invoice"][0]["duedate"] < "2026-10-20"
    finally:
        handle.stop()


def test_php_form_arrays_and_serialization():
    pairs = [("pid[]", "1"), ("pid[]", "2"), ("qty[3]", "4"), ("qty[]", "5"), ("notes", "x")]

    assert form_array(pairs, "pid") == {0: "1", 1: "2"}
    assert form_array(pairs, "qty") == {3: "4", 4: "5"}
    assert form_array([("pid", "7")], "pid") == {0: "7"}
    value = {1: "Tōkyō \"quoted\"", "k": [1, 2.5, True, None]}
    assert php_unserialize(php_serialize(value)) == {1: "Tōkyō \"quoted\"", "k": {0: 1, 1: 2.5, 2: True, 3: None}}
