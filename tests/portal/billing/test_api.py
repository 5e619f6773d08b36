"""``/api/v1/``: the signed-in customer's invoices, subscriptions and payment methods as JSON,
one error shape, and the OpenAPI schema and docs."""
import json
from decimal import Decimal

import pytest
from django.test import Client

from domain.shared.money import to_minor_units as minor
from tests.portal.billing.conftest import ALICE_CLIENT_ID, BOB_CLIENT_ID

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/invoices", "/api/v1/invoices/{invoice}", "/api/v1/subscriptions",
             "/api/v1/subscriptions/{service}", "/api/v1/payment-methods"]


def get_json(browser, path, **params):
    response = browser.get(path, params)
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response.status_code, response.json()


def test_the_invoice_list_pages_with_paging_fields(emulator, customer_client):
    expected = emulator.invoices_of(ALICE_CLIENT_ID)

    status, first = get_json(customer_client, "/api/v1/invoices")
    _, second = get_json(customer_client, "/api/v1/invoices", page=2)
    _, last = get_json(customer_client, "/api/v1/invoices", page=-(-len(expected) // 10))

    assert status == 200
    assert set(first) == {"data", "stale", "page", "total_results", "has_more"}
    assert (first["page"], first["total_results"], first["has_more"], first["stale"]) == (1, len(expected), True, False)
    assert [i["number"] for i in first["data"]] == [i.invoicenum for i in expected[:10]]
    assert [i["id"] for i in second["data"]] == [i.id for i in expected[10:20]]
    assert second["page"] == 2
    assert last["has_more"] is False


def test_invoice_summaries_carry_status_overdue_and_money_as_strings(emulator, customer_client):
    overdue = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=True)
    due = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=False)

    _, body = get_json(customer_client, "/api/v1/invoices", status="Unpaid")

    by_id = {i["id"]: i for i in body["data"]}
    assert set(by_id) == {i.id for i in emulator.invoices_of(ALICE_CLIENT_ID, "Unpaid")}
    assert by_id[overdue.id]["overdue"] is True and by_id[due.id]["overdue"] is False
    assert by_id[due.id]["total"] == {"amount": minor(due.total, "JPY"), "currency": "JPY"}
    assert by_id[due.id]["due_date"] == due.duedate.isoformat()
    assert by_id[due.id]["status"] == "Unpaid"


def test_the_status_filter_and_invalid_values(emulator, customer_client):
    _, overdue = get_json(customer_client, "/api/v1/invoices", status="Overdue")
    status, bogus = get_json(customer_client, "/api/v1/invoices", status="Bogus", page="x")

    assert [i["number"] for i in overdue["data"]] == [
        i.invoicenum for i in emulator.invoices_of(ALICE_CLIENT_ID, "Overdue")]
    assert all(i["overdue"] for i in overdue["data"])
    assert status == 200
    assert bogus["page"] == 1
    assert [i["id"] for i in bogus["data"]] == [i.id for i in emulator.invoices_of(ALICE_CLIENT_ID)[:10]]


def test_the_invoice_detail_has_items_totals_and_payments(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Paid", with_transactions=True)
    payment = emulator.store.invoice_transactions(invoice.id)[0]

    status, body = get_json(customer_client, f"/api/v1/invoices/{invoice.id}")

    assert status == 200 and body["stale"] is False
    data = body["data"]
    assert (data["id"], data["number"], data["status"]) == (invoice.id, invoice.invoicenum, "Paid")
    assert data["total"] == {"amount": minor(invoice.total, "JPY"), "currency": "JPY"}
    assert data["subtotal"] == {"amount": minor(invoice.subtotal, "JPY"), "currency": "JPY"}
    assert data["tax"] == {"amount": minor(invoice.tax, "JPY"), "currency": "JPY"}
    assert data["balance"] == {"amount": 0, "currency": "JPY"}
    assert [(i["description"], i["amount"]) for i in data["items"]] == [
        (item.description, {"amount": minor(item.amount, "JPY"), "currency": "JPY"}) for item in invoice.items]
    # How it was paid, never the gateway's name nor its charge id; amounts as integers (yen).
    assert [(t["method"], t["amount_in"]["amount"]) for t in data["transactions"]] == [
        ("card", minor(payment.amountin, "JPY"))]
    assert "transaction_id" not in data["transactions"][0] and "gateway" not in data["transactions"][0]
    assert Decimal(data["subtotal"]["amount"]) + Decimal(data["tax"]["amount"]) == Decimal(data["total"]["amount"])


def test_a_client_billed_in_dollars_sees_dollars_in_the_list_and_the_detail(emulator, usd_customer_client):
    from sandbox.whmcs.seed import USD_CLIENT_ID

    usd = emulator.invoice_of(USD_CLIENT_ID, "Paid")
    [service] = emulator.services_of(USD_CLIENT_ID)

    _, listing = get_json(usd_customer_client, "/api/v1/invoices")
    _, detail = get_json(usd_customer_client, f"/api/v1/invoices/{usd.id}")
    _, subscription = get_json(usd_customer_client, f"/api/v1/subscriptions/{service.id}")

    assert {i["total"]["currency"] for i in listing["data"]} == {"USD"}
    listed = next(i for i in listing["data"] if i["id"] == usd.id)
    assert listed["total"] == {"amount": minor(usd.total, "USD"), "currency": "USD"}
    assert detail["data"]["total"] == {"amount": minor(usd.total, "USD"), "currency": "USD"}
    assert {i["amount"]["currency"] for i in detail["data"]["items"]} == {"USD"}
    assert subscription["data"]["recurring_amount"] == {"amount": minor(service.recurringamount, "USD"),
                                                        "currency": "USD"}


def test_subscriptions_list_and_detail(emulator, customer_client):
    store = emulator.store
    services = emulator.services_of(ALICE_CLIENT_ID)
    sim = next(s for s in services if s.customfields and s.configoptions)
    product = store.products[sim.pid]

    _, listing = get_json(customer_client, "/api/v1/subscriptions")
    status, detail = get_json(customer_client, f"/api/v1/subscriptions/{sim.id}")

    assert listing["stale"] is False
    assert [s["id"] for s in listing["data"]] == [s.id for s in services]
    assert status == 200
    data = detail["data"]
    assert (data["product_name"], data["status"]) == (product.name, sim.status)
    assert data["recurring_amount"] == {"amount": minor(sim.recurringamount, "JPY"), "currency": "JPY"}
    assert data["custom_fields"] == {f.name: sim.customfields[f.id] for f in product.customfields}
    assert data["config_options"] == {o.name: sim.configoptions[o.id] for o in product.configoptions
                                      if o.id in sim.configoptions}


def test_payment_methods(emulator, customer_client):
    methods = emulator.paymethods_of(ALICE_CLIENT_ID)
    card = next(m for m in methods if m.type == "RemoteCreditCard")

    status, body = get_json(customer_client, "/api/v1/payment-methods")

    assert status == 200 and body["stale"] is False
    assert [m["id"] for m in body["data"]] == [m.id for m in methods]
    listed = next(m for m in body["data"] if m["id"] == card.id)
    assert (listed["card_brand"], listed["last_four"]) == (card.details["card_type"], card.details["card_last_four"])
    assert card.details["remote_token"] not in json.dumps(body)


def test_a_customer_with_no_data_gets_empty_lists(emulator, empty_customer_client):
    _, invoices = get_json(empty_customer_client, "/api/v1/invoices")
    _, subscriptions = get_json(empty_customer_client, "/api/v1/subscriptions")
    _, methods = get_json(empty_customer_client, "/api/v1/payment-methods")

    assert (invoices["data"], invoices["total_results"], invoices["has_more"]) == ([], 0, False)
    assert subscriptions["data"] == [] and methods["data"] == []


# -- who may see what --------------------------------------------------------------------------------


def test_another_customers_invoice_and_service_are_not_found(emulator, customer_client):
    bobs_invoice = emulator.invoice_of(BOB_CLIENT_ID, "Unpaid")
    bobs_service = emulator.services_of(BOB_CLIENT_ID)[0]

    invoice_status, invoice_body = get_json(customer_client, f"/api/v1/invoices/{bobs_invoice.id}")
    service_status, service_body = get_json(customer_client, f"/api/v1/subscriptions/{bobs_service.id}")

    assert (invoice_status, service_status) == (404, 404)
    assert invoice_body == {"message": "Not found.", "extra": {}}
    assert service_body == {"message": "Not found.", "extra": {}}
    assert bobs_invoice.invoicenum not in json.dumps(invoice_body)


def test_non_existent_ids_are_not_found(emulator, customer_client):
    missing_invoice = max(emulator.store.invoices) + 1000
    missing_service = max(emulator.store.services) + 1000

    assert get_json(customer_client, f"/api/v1/invoices/{missing_invoice}")[0] == 404
    assert get_json(customer_client, f"/api/v1/subscriptions/{missing_service}")[0] == 404


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_user_not_linked_to_a_customer_gets_403_with_a_message(emulator, unlinked_client, path):
    status, body = get_json(unlinked_client, path.format(invoice=1, service=11))

    assert status == 403
    assert body["message"] == "Your sign-in is not linked to a customer account yet. Please contact support."
    assert emulator.calls() == 0


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_callers_get_403_not_a_redirect(emulator, path):
    status, body = get_json(Client(), path.format(invoice=1, service=11))

    assert status == 403
    assert body == {"message": "Authentication credentials were not provided.", "extra": {}}
    assert emulator.calls() == 0


def test_the_api_answers_get_only(emulator, customer_client):
    response = customer_client.post("/api/v1/invoices")

    assert response.status_code == 405
    assert response.json()["message"] == 'Method "POST" not allowed.'


# -- schema and docs ---------------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_billing_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/invoices", "/api/v1/invoices/{invoice_id}", "/api/v1/subscriptions",
                 "/api/v1/subscriptions/{service_id}", "/api/v1/payment-methods"):
        assert "get" in paths[path], path
    assert {p["name"] for p in paths["/api/v1/invoices"]["get"]["parameters"]} >= {"page", "status"}
    assert paths["/api/v1/invoices/{invoice_id}"]["get"]["operationId"] == "invoices_retrieve"


def test_the_schema_is_served_as_yaml_by_default(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"/api/v1/payment-methods:" in response.content


def test_the_api_docs_page_is_html(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b'<div id="swagger-ui"></div>' in response.content
