"""The WHMCS emulator's UpgradeProduct (with and without ``calconly``), CancelOrder and GetProducts,
over real HTTP: the pro rata price WHMCS documents, the upgrade order and its invoice, the service
moving when (and only when) that invoice is paid, one unpaid upgrade per service, and downgrades
that move at once with nothing to pay. Expected figures come from the emulator's store."""
from decimal import Decimal

import pytest
import requests

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import start_whmcs_sandbox

ALICE = DEMO_CUSTOMERS[0].whmcs_client_id
AUTH = {"identifier": "sandbox-identifier", "secret": "sandbox-secret", "responsetype": "json"}
VOICE_5G_SERVICE, DATA_10G_SERVICE = 13, 14  # Alice's Mobile Voice 5 GB (product 4) and Data SIM 10 GB (product 5)
VOICE_20G, DATA_3G, DATA_20G = 3, 10, 11


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


def upgrade(api, service_id=VOICE_5G_SERVICE, new_product=VOICE_20G, **extra):
    return api("UpgradeProduct", serviceid=service_id, type="product", newproductid=new_product,
               newproductbillingcycle="monthly", paymentmethod="stripe", **extra)


def expected_price(store, service_id, new_product):
    """WHMCS's pro rata: (new price - recurring amount) x days to the next due date / days in the cycle."""
    service = store.services[service_id]
    today = store.today
    from sandbox.whmcs.store import add_months

    total = (service.nextduedate - add_months(service.nextduedate, -1)).days
    days = (service.nextduedate - today).days
    amount = (store.products[new_product].monthly_price - service.recurringamount) * days / total
    return amount.quantize(Decimal(1)), days, total


def yen(amount: Decimal) -> str:
    return f"¥{amount:,.0f} JPY"


def test_calconly_answers_the_pro_rata_price_and_creates_nothing(api, whmcs_sandbox):
    store = whmcs_sandbox.app.store
    orders, invoices = len(store.orders), len(store.invoices)
    price, days, total = expected_price(store, VOICE_5G_SERVICE, VOICE_20G)

    answer = upgrade(api, calconly="true")

    assert answer == {
        "result": "success", "oldproductid": "4", "oldproductname": "Mobile Voice 5 GB", "newproductid": VOICE_20G,
        "newproductname": "Mobile Voice 20 GB", "daysuntilrenewal": days, "totaldays": total,
        "newproductbillingcycle": "monthly", "price": yen(price), "upgradeinprogress": False,
    }
    assert price > 0 and 0 < days <= total
    assert (len(store.orders), len(store.invoices)) == (orders, invoices)
    assert store.services[VOICE_5G_SERVICE].pid == 4


def test_an_upgrade_is_an_order_with_an_invoice_and_the_service_moves_once_it_is_paid(api, whmcs_sandbox):
    store = whmcs_sandbox.app.store
    price, _, _ = expected_price(store, VOICE_5G_SERVICE, VOICE_20G)

    answer = upgrade(api)

    assert answer["result"] == "success" and answer["price"] == yen(price)
    assert {"id", "orderid", "order_number", "invoiceid"} <= set(answer)
    invoice = api("GetInvoice", invoiceid=answer["invoiceid"])
    assert (invoice["status"], invoice["total"], invoice["userid"]) == ("Unpaid", f"{price:.2f}", ALICE)
    [item] = invoice["items"]["item"]
    assert item["type"] == "Upgrade" and item["relid"] == int(answer["id"])
    assert item["description"].startswith("Upgrade: Mobile Voice 5 GB => Mobile Voice 20 GB (")
    [order] = api("GetOrders", id=answer["orderid"])["orders"]["order"]
    assert order["status"] == "Pending" and order["invoiceid"] == str(answer["invoiceid"])
    [line] = order["lineitems"]["lineitem"]
    assert (line["type"], line["relid"], line["product"]) == (
        "upgrade", str(VOICE_5G_SERVICE), "Mobile Voice 5 GB => Mobile Voice 20 GB")
    assert store.services[VOICE_5G_SERVICE].pid == 4, "nothing moves before the invoice is paid"

    assert api("CapturePayment", invoiceid=answer["invoiceid"]) == {"result": "success"}

    service = store.services[VOICE_5G_SERVICE]
    assert (service.pid, service.recurringamount) == (VOICE_20G, store.products[VOICE_20G].monthly_price)
    assert api("GetOrders", id=answer["orderid"])["orders"]["order"][0]["status"] == "Active"


def test_a_second_upgrade_is_refused_while_the_first_ones_invoice_is_unpaid(api):
    first = upgrade(api)

    assert upgrade(api, calconly="true")["upgradeinprogress"] is True
    assert upgrade(api) == {"result": "error", "message": "Unable to accept upgrade order. Previous upgrade "
                                                          "invoice for service is still unpaid."}

    api("UpdateInvoice", invoiceid=first["invoiceid"], status="Cancelled")
    assert upgrade(api, calconly="true")["upgradeinprogress"] is False
    assert upgrade(api)["result"] == "success"


def test_cancelling_the_invoice_or_the_order_cancels_the_upgrade(api, whmcs_sandbox):
    store = whmcs_sandbox.app.store
    by_invoice = upgrade(api)
    api("UpdateInvoice", invoiceid=by_invoice["invoiceid"], status="Cancelled")
    assert api("GetOrders", id=by_invoice["orderid"])["orders"]["order"][0]["status"] == "Cancelled"

    by_order = upgrade(api)
    assert api("CancelOrder", orderid=by_order["orderid"]) == {"result": "success"}

    assert api("GetInvoice", invoiceid=by_order["invoiceid"])["status"] == "Cancelled"
    assert api("CancelOrder", orderid=by_order["orderid"])["result"] == "error"
    assert store.services[VOICE_5G_SERVICE].pid == 4
    assert api("CapturePayment", invoiceid=by_order["invoiceid"])["result"] == "error"


def test_a_downgrade_has_nothing_to_pay_and_moves_at_once(api, whmcs_sandbox):
    store = whmcs_sandbox.app.store
    invoices = len(store.invoices)
    price, _, _ = expected_price(store, DATA_10G_SERVICE, DATA_3G)

    answer = upgrade(api, service_id=DATA_10G_SERVICE, new_product=DATA_3G)

    assert price < 0 and answer["price"] == yen(price)
    assert answer["invoiceid"] is None and len(store.invoices) == invoices
    assert api("GetOrders", id=answer["orderid"])["orders"]["order"][0]["status"] == "Active"
    service = store.services[DATA_10G_SERVICE]
    assert (service.pid, service.recurringamount) == (DATA_3G, store.products[DATA_3G].monthly_price)


@pytest.mark.parametrize(("params", "message"), [
    ({"newproductid": DATA_20G}, "The requested product is not an available upgrade for this service"),
    ({"newproductid": 4}, "The service is already on the requested product"),
    ({"newproductid": 999}, "Invalid New Product ID"),
    ({"serviceid": 9999}, "Service ID Not Found"),
    ({"paymentmethod": "bitcoin"}, "Invalid Payment Method. Valid options include stripe,banktransfer"),
    ({"type": "addon"}, "Invalid Upgrade Type"),
])
def test_refusals_answer_an_error_and_change_nothing(api, whmcs_sandbox, params, message):
    store = whmcs_sandbox.app.store
    orders = len(store.orders)
    body = {"serviceid": VOICE_5G_SERVICE, "type": "product", "newproductid": VOICE_20G,
            "newproductbillingcycle": "monthly", "paymentmethod": "stripe", **params}

    assert api("UpgradeProduct", **body) == {"result": "error", "message": message}
    assert len(store.orders) == orders and store.services[VOICE_5G_SERVICE].pid == 4


def test_get_products_lists_each_products_price_per_currency_and_cycle(api, whmcs_sandbox):
    answer = api("GetProducts", pid=VOICE_20G)

    [product] = answer["products"]["product"]
    assert product["pid"] == str(VOICE_20G) and product["name"] == "Mobile Voice 20 GB"
    jpy = product["pricing"]["JPY"]
    assert (jpy["prefix"], jpy["suffix"], jpy["monthly"]) == ("¥", " JPY", "2980.00")
    assert jpy["annually"] == "35760.00"
    fee = api("GetProducts", pid=13)["products"]["product"][0]
    assert fee["paytype"] == "onetime" and fee["pricing"]["JPY"]["annually"] == "-1.00"
