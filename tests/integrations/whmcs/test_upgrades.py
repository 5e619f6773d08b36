"""WHMCS product changes: the UpgradeProduct request and answer mappers (raw JSON in, domain out,
table-driven), and WhmcsUpgradeClient against the WHMCS emulator over real HTTP."""
from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from domain.billing.providers.whmcs import upgrades as mapper
from domain.shared.errors import MappingError
from domain.shared.money import Currency, Money
from integrations.whmcs.connection import WhmcsConfig, WhmcsConnection
from integrations.whmcs.errors import WhmcsApiError
from integrations.whmcs.upgrades import WhmcsUpgradeClient
from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import start_whmcs_sandbox

ALICE = DEMO_CUSTOMERS[0].whmcs_client_id
JPY = Currency(code="JPY", prefix="¥", suffix=" JPY", id=1, is_default=True)
USD = Currency(code="USD", prefix="$", suffix=" USD", id=2)
EUR_PLAIN = Currency(code="EUR", prefix="€", suffix="", id=3)
VOICE_5G_SERVICE, VOICE_20G = 13, 3


# -- mappers ------------------------------------------------------------------------------------------


def test_upgrade_parameters_ask_for_a_product_change():
    assert mapper.build_whmcs_upgrade_product(service_id=13, new_product_id=3, billing_cycle="monthly",
                                              payment_method="stripe", calc_only=True) == {
        "serviceid": 13, "type": "product", "newproductid": 3, "newproductbillingcycle": "monthly",
        "paymentmethod": "stripe", "calconly": "true"}
    assert "calconly" not in mapper.build_whmcs_upgrade_product(
        service_id=13, new_product_id=3, billing_cycle="monthly", payment_method="stripe", calc_only=False)


@pytest.mark.parametrize("kwargs", [{"service_id": 0}, {"new_product_id": True}, {"billing_cycle": "Monthly"},
                                    {"payment_method": "pay pal"}])
def test_upgrade_parameters_are_checked(kwargs):
    with pytest.raises(ValueError):
        mapper.build_whmcs_upgrade_product(**{"service_id": 13, "new_product_id": 3, "billing_cycle": "monthly",
                                              "payment_method": "stripe", "calc_only": True, **kwargs})


@pytest.mark.parametrize(("text", "money"), [
    ("¥1,000 JPY", Money(amount=Decimal(1000), currency="JPY")),
    ("¥-1,300 JPY", Money(amount=Decimal(-1300), currency="JPY")),
    ("$-8.67 USD", Money(amount=Decimal("-8.67"), currency="USD")),
    ("-$8.67 USD", Money(amount=Decimal("-8.67"), currency="USD")),
    ("$1,234.50 USD", Money(amount=Decimal("1234.50"), currency="USD")),
    ("€12.00", Money(amount=Decimal("12.00"), currency="EUR")),
])
def test_formatted_amounts_are_read_in_the_currency_they_carry(text, money):
    assert mapper.formatted_amount(text, (JPY, USD, EUR_PLAIN), entity="upgrade", field="price") == money


@pytest.mark.parametrize("text", ["1000", "£5.00 GBP", "¥1.000,00 JPY", "¥ JPY", ""])
def test_an_amount_in_no_known_currency_is_a_mapping_error(text):
    with pytest.raises(MappingError) as error:
        mapper.formatted_amount(text, (JPY, USD), entity="upgrade", field="price")
    assert error.value.field == "price"


QUOTE = {"result": "success", "oldproductid": "4", "oldproductname": "Mobile Voice 5 GB", "newproductid": 3,
         "newproductname": "Mobile Voice 20 GB", "daysuntilrenewal": 13, "totaldays": 30,
         "newproductbillingcycle": "monthly", "price": "¥563 JPY", "upgradeinprogress": False}


def test_a_quote_maps_the_documented_fields():
    quote = mapper.transform_whmcs_upgrade_quote(QUOTE, service_id=13, currencies=(JPY,))

    assert (quote.service_id, quote.old_product_id, quote.new_product_id, quote.new_product_name) == (
        13, 4, 3, "Mobile Voice 20 GB")
    assert (quote.days_until_renewal, quote.total_days, quote.billing_cycle) == (13, 30, "monthly")
    assert quote.price == Money(amount=Decimal(563), currency="JPY") and quote.is_charged
    assert not quote.upgrade_in_progress


@pytest.mark.parametrize(("change", "field"), [({"totaldays": 0}, "totaldays"), ({"newproductid": "x"}, "newproductid"),
                                               ({"price": "563"}, "price")])
def test_a_malformed_quote_is_a_mapping_error_naming_the_field(change, field):
    with pytest.raises(MappingError) as error:
        mapper.transform_whmcs_upgrade_quote({**QUOTE, **change}, service_id=13, currencies=(JPY,))
    assert field in error.value.field


@pytest.mark.parametrize(("extra", "invoice_id"), [({"invoiceid": 88}, 88), ({"invoiceid": None}, None),
                                                   ({"invoiceid": 0}, None)])
def test_a_placed_upgrade_has_its_order_and_maybe_an_invoice(extra, invoice_id):
    placed = mapper.transform_whmcs_placed_upgrade({**QUOTE, "id": "7", "orderid": 73, "order_number": "9093331404",
                                                    **extra}, currencies=(JPY,))

    assert (placed.upgrade_id, placed.order_id, placed.invoice_id) == (7, 73, invoice_id)


def test_only_orders_with_upgrade_lines_are_upgrade_orders():
    raw = {"result": "success", "totalresults": "2", "orders": {"order": [
        {"id": "9", "userid": "1001", "status": "Pending", "invoiceid": "40",
         "lineitems": {"lineitem": [{"type": "upgrade", "relid": "13", "product": "A => B"}]}},
        {"id": "8", "userid": "1001", "status": "Active", "invoiceid": "39",
         "lineitems": {"lineitem": [{"type": "product", "relid": "101"}]}},
    ]}}

    [order] = mapper.transform_whmcs_upgrade_orders(raw)

    assert (order.id, order.status, order.invoice_id, order.service_ids) == (9, "Pending", 40, (13,))
    assert order.upgrades(13) and not order.upgrades(101)
    assert mapper.transform_whmcs_newest_order_id(raw) == 9
    assert mapper.transform_whmcs_newest_order_id({"result": "success", "totalresults": "0", "orders": ""}) == 0


# -- against the emulator -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def whmcs_sandbox():
    handle = start_whmcs_sandbox(env={})
    yield handle
    handle.stop()


@pytest.fixture
def upgrades(whmcs_sandbox):
    requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    connection = WhmcsConnection(WhmcsConfig(api_url=whmcs_sandbox.url + "/includes/api.php",
                                             identifier="sandbox-identifier", secret="sandbox-secret"))
    yield WhmcsUpgradeClient(connection)
    connection.close()


def test_quote_then_upgrade_then_find_it_among_the_orders(upgrades, whmcs_sandbox):
    store = whmcs_sandbox.app.store
    floor = upgrades.newest_order_id(ALICE)
    assert floor == max(o.id for o in store.orders.values() if o.userid == ALICE)

    quote = upgrades.quote(VOICE_5G_SERVICE, VOICE_20G, billing_cycle="monthly", payment_method="stripe",
                           currencies=(JPY, USD))
    placed = upgrades.upgrade(VOICE_5G_SERVICE, VOICE_20G, billing_cycle="monthly", payment_method="stripe",
                              currencies=(JPY, USD))

    assert placed.price == quote.price and quote.is_charged
    assert placed.invoice_id == store.orders[placed.order_id].invoiceid
    [found] = upgrades.find_upgrade_orders(ALICE, VOICE_5G_SERVICE, after_order_id=floor)
    assert (found.id, found.invoice_id, found.status) == (placed.order_id, placed.invoice_id, "Pending")
    assert upgrades.find_upgrade_orders(ALICE, VOICE_5G_SERVICE, after_order_id=placed.order_id) == ()
    assert upgrades.find_upgrade_orders(ALICE, 12, after_order_id=floor) == ()

    upgrades.mark_invoice(placed.invoice_id, "portal-job:abc")
    assert store.invoices[placed.invoice_id].notes == "portal-job:abc"
    upgrades.cancel_order(placed.order_id)
    assert store.invoices[placed.invoice_id].status == "Cancelled"
    assert upgrades.find_upgrade_orders(ALICE, VOICE_5G_SERVICE, after_order_id=floor)[0].is_cancelled


def test_a_refused_upgrade_raises_the_api_error(upgrades):
    with pytest.raises(WhmcsApiError) as error:
        upgrades.quote(VOICE_5G_SERVICE, 11, billing_cycle="monthly", payment_method="stripe", currencies=(JPY,))
    assert "not an available upgrade" in str(error.value)


def test_a_products_price_in_a_currency_and_cycle(upgrades):
    price = upgrades.product_price(VOICE_20G, currency_code="JPY", billing_cycle="monthly")

    assert price.price == Money(amount=Decimal("2980.00"), currency="JPY")
    assert upgrades.product_price(13, currency_code="JPY", billing_cycle="annually") is None
    assert upgrades.product_price(VOICE_20G, currency_code="EUR", billing_cycle="monthly") is None
