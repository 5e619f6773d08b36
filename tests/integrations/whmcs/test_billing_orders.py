"""WHMCS billing orders: the request and answer mappers (raw JSON in, domain out, table-driven), and
WhmcsBillingOrderClient / WhmcsServiceFieldClient against the WHMCS emulator over real HTTP."""
from __future__ import annotations

import base64
from urllib.parse import parse_qsl

import pytest
import requests
import responses

from domain.billing.orders import BillingOrderLine, NewBillingOrder, order_marker
from domain.billing.providers.whmcs import billing_orders as mapper
from domain.shared.errors import MappingError
from integrations.whmcs.billing_orders import WhmcsBillingOrderClient, WhmcsServiceFieldClient
from integrations.whmcs.connection import WhmcsConfig, WhmcsConnection
from integrations.whmcs.errors import WhmcsApiError, WhmcsTransportError
from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import start_whmcs_sandbox
from sandbox.whmcs.php import php_unserialize

ALICE, BOB = (customer.whmcs_client_id for customer in DEMO_CUSTOMERS[:2])
API_URL = "https://whmcs.example.test/includes/api.php"


def new_order(*lines: tuple[int, str], client_id: int = ALICE, notes: str = "") -> NewBillingOrder:
    return NewBillingOrder(client_id=client_id, payment_method="stripe", notes=notes,
                           lines=tuple(BillingOrderLine(product_id=p, billing_cycle=c) for p, c in lines))


# -- mappers ------------------------------------------------------------------------------------------


def test_add_order_parameters_are_one_php_array_entry_per_line():
    params = mapper.build_whmcs_add_order(new_order((10, "Monthly"), (13, "One-time"), (12, "Annually"),
                                                    notes="SF 00000102\nportal-job:k"))

    assert params == {
        "clientid": ALICE, "paymentmethod": "stripe", "noemail": "true", "notes": "SF 00000102\nportal-job:k",
        "pid[0]": 10, "billingcycle[0]": "monthly", "pid[1]": 13, "billingcycle[1]": "onetime",
        "pid[2]": 12, "billingcycle[2]": "annually",
    }


@pytest.mark.parametrize("values", [{1: "8981100001000000018"}, {1: "ICCID ü", 2: "07060000001"}])
def test_custom_fields_are_base64_of_a_php_serialized_array(values):
    encoded = mapper.build_whmcs_custom_fields(values)

    assert php_unserialize(base64.b64decode(encoded).decode("utf-8")) == values


@pytest.mark.parametrize("values", [{}, {0: "x"}, {"1": "x"}, {True: "x"}])
def test_custom_fields_need_positive_ids(values):
    with pytest.raises(ValueError):
        mapper.build_whmcs_custom_fields(values)


@pytest.mark.parametrize("raw, service_ids, invoice_id", [
    ({"result": "success", "orderid": 12, "serviceids": "101,102", "invoiceid": 34}, (101, 102), 34),
    ({"result": "success", "orderid": "12", "serviceids": "", "invoiceid": 0}, (), None),
    ({"result": "success", "orderid": 12, "serviceids": [101], "invoiceid": "34"}, (101,), 34),
    ({"result": "success", "orderid": 12, "serviceids": 101}, (101,), None),
])
def test_an_add_order_answer(raw, service_ids, invoice_id):
    placed = mapper.transform_whmcs_added_order(raw)
    assert (placed.order_id, placed.service_ids, placed.invoice_id) == (12, service_ids, invoice_id)


@pytest.mark.parametrize("raw, field", [
    ({"result": "success", "serviceids": "1"}, "orderid"),
    ({"result": "success", "orderid": 0}, "orderid"),
    ({"result": "success", "orderid": 12, "serviceids": "101,abc"}, "serviceids.1"),
])
def test_a_broken_add_order_answer_names_the_field(raw, field):
    with pytest.raises(MappingError) as caught:
        mapper.transform_whmcs_added_order(raw)
    assert caught.value.field == field


def test_an_order_list_with_its_line_items_and_markers():
    raw = {"result": "success", "totalresults": "2", "startnumber": 0, "orders": {"order": [
        {"id": "9", "userid": "1001", "status": "Pending", "notes": "SF 00000102\r\nportal-job:key-9",
         "invoiceid": "0", "lineitems": {"lineitem": [
             {"type": "product", "relid": "101", "product": "Data SIM 3 GB", "status": "Pending"},
             {"type": "addon", "relid": "7", "product": "Static IP", "status": "Pending"}]}},
        {"id": "8", "userid": "1001", "status": "Active", "notes": "", "invoiceid": "40", "lineitems": ""},
    ]}}

    newest, older = mapper.transform_whmcs_order_list(raw)

    assert (newest.id, newest.client_id, newest.is_pending, newest.invoice_id) == (9, 1001, True, None)
    assert newest.service_ids == (101,) and newest.items[1].service_id is None
    assert newest.carries_marker("portal-job:key-9") and not newest.carries_marker("portal-job:key")
    assert (older.is_active, older.items, older.invoice_id) == (True, (), 40)
    assert mapper.transform_whmcs_order_list({"result": "success", "totalresults": "0", "orders": ""}) == ()


def test_service_custom_fields_keep_their_ids():
    raw = {"result": "success", "totalresults": "1", "products": {"product": [
        {"id": "101", "clientid": "1001", "customfields": {"customfield": [
            {"id": "1", "name": "ICCID", "value": ""}, {"id": "2", "name": "Phone Number", "value": "070"}]}}]}}

    fields = mapper.transform_whmcs_service_custom_fields(raw, service_id=101)

    assert (fields.service_id, fields.client_id) == (101, 1001)
    assert fields.field_named("ICCID").id == 1 and fields.field_named("Phone Number").value == "070"
    assert fields.field_named("IMEI") is None
    assert mapper.transform_whmcs_service_custom_fields(raw, service_id=102) is None
    assert mapper.transform_whmcs_service_custom_fields({"products": ""}, service_id=101) is None


@pytest.mark.parametrize("key", ["", "  ", None])
def test_a_marker_needs_a_key(key):
    with pytest.raises(ValueError):
        order_marker(key)


def test_a_plain_key_is_its_own_marker_and_any_other_a_digest():
    assert order_marker("b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57") == "portal-job:b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57"
    for key in ("two\nlines", "line\u2028separator", "ünïcode", "k" * 101, "spaces in it"):
        marker = order_marker(key)
        assert marker == order_marker(key) and marker.startswith("portal-job:sha256-")
        assert len(marker.splitlines()) == 1 and marker.isascii()
    assert order_marker("a b") != order_marker("a  b")


# -- the service over HTTP: exactly one call per write ------------------------------------------------


@responses.activate
def test_add_order_is_sent_once_even_when_its_answer_is_lost():
    responses.post(API_URL, status=503)
    connection = WhmcsConnection(WhmcsConfig(api_url=API_URL, identifier="i", secret="s", max_attempts=3))

    with pytest.raises(WhmcsTransportError):
        WhmcsBillingOrderClient(connection).add_order(new_order((10, "Monthly")))

    assert len(responses.calls) == 1
    sent = dict(parse_qsl(responses.calls[0].request.body))
    assert (sent["action"], sent["pid[0]"], sent["billingcycle[0]"]) == ("AddOrder", "10", "monthly")


# -- against the WHMCS emulator ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def whmcs_sandbox():
    handle = start_whmcs_sandbox(env={})
    yield handle
    handle.stop()


@pytest.fixture
def connection(whmcs_sandbox):
    requests.post(whmcs_sandbox.url + "/__sandbox__/reset", timeout=5).raise_for_status()
    connection = WhmcsConnection(WhmcsConfig(api_url=whmcs_sandbox.url + "/includes/api.php",
                                             identifier="sandbox-identifier", secret="sandbox-secret"))
    yield connection
    connection.close()


def test_place_find_and_accept_an_order(whmcs_sandbox, connection):
    orders = WhmcsBillingOrderClient(connection)
    marker = order_marker("0b5c7e3a-1111-4c2e-9a57-1b0e6d2f4c81")

    placed = orders.add_order(new_order((10, "Monthly"), (13, "One-time"), notes=f"SF order 00000102\n{marker}"))

    assert len(placed.service_ids) == 2 and placed.invoice_id
    found = orders.find_order_with_marker(ALICE, marker)
    assert (found.id, found.service_ids, found.is_pending) == (placed.order_id, placed.service_ids, True)
    assert orders.find_order_with_marker(BOB, marker) is None, "another client's orders are not searched"
    assert orders.find_order_with_marker(ALICE, order_marker("another")) is None

    orders.accept_order(placed.order_id)

    assert orders.get_order(placed.order_id).is_active
    with pytest.raises(WhmcsApiError, match="not in Pending status"):
        orders.accept_order(placed.order_id)
    assert orders.get_order(999_999) is None
    services = [whmcs_sandbox.app.store.services[sid] for sid in placed.service_ids]
    assert [s.status for s in services] == ["Active", "Active"]
    assert [s.billingcycle for s in services] == ["monthly", "onetime"]


def test_every_catalog_product_of_salesforce_can_be_ordered(connection):
    from sandbox.salesforce.seed import CATALOG

    product_ids = sorted({product.whmcs_product_id for product in CATALOG})
    cycles = {"Monthly": "Monthly", "Annually": "Annually", "One-time": "One-time"}
    lines = [(product.whmcs_product_id, cycles[product.billing_cycle]) for product in CATALOG]

    placed = WhmcsBillingOrderClient(connection).add_order(new_order(*lines))

    assert product_ids == list(range(1, 15))
    assert len(placed.service_ids) == len(CATALOG)


def test_a_refused_order_is_an_api_error(connection):
    with pytest.raises(WhmcsApiError, match="Invalid Product ID"):
        WhmcsBillingOrderClient(connection).add_order(new_order((999, "Monthly")))


def test_write_the_iccid_onto_a_sim_service(whmcs_sandbox, connection):
    placed = WhmcsBillingOrderClient(connection).add_order(new_order((10, "Monthly"), (12, "Monthly")))
    sim_service, vpn_service = placed.service_ids
    fields_service = WhmcsServiceFieldClient(connection)

    fields = fields_service.get_custom_fields(sim_service)
    iccid = fields.field_named("ICCID")
    fields_service.set_custom_fields(sim_service, {iccid.id: "8981100001000000018"})

    assert fields_service.get_custom_fields(sim_service).field_named("ICCID").value == "8981100001000000018"
    assert fields_service.get_custom_fields(vpn_service).fields == ()
    assert fields_service.get_custom_fields(999_999) is None
    with pytest.raises(WhmcsApiError, match="Service ID Not Found"):
        fields_service.set_custom_fields(999_999, {1: "x"})
