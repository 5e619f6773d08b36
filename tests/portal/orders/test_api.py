"""``/api/v1/orders`` (list, and placing an order idempotently by ``request_id``) and
``/api/v1/orders/<id>``, and their place in the OpenAPI schema."""
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from domain.shared.money import to_minor_units as minor
from portal.core.cache import invalidate_customer
from tests.portal.orders.conftest import ALICE, BOB

pytestmark = pytest.mark.django_db

CREATE = "POST composite/tree/Order"


def post(browser, body, **extra):
    return browser.post("/api/v1/orders", body, content_type="application/json", **extra)


def order_body(sf, *lines: tuple[str, int], request_id: str | None = None) -> dict:
    return {"request_id": request_id or str(uuid.uuid4()),
            "lines": [{"product_id": sf.product(sku)["Id"], "quantity": q} for sku, q in lines]}


def money(amount) -> dict:
    return {"amount": minor(Decimal(str(amount)), "JPY"), "currency": "JPY"}  # an integer: yen have no decimals


# -- the list and one order -------------------------------------------------------------------------


def test_the_list_answers_the_customers_orders_newest_first(sf, customer_client):
    response = customer_client.get("/api/v1/orders")

    assert response.status_code == 200
    expected = sorted(sf.orders_of(ALICE.salesforce_account_id), key=lambda o: o["CreatedDate"], reverse=True)
    body = response.json()
    assert body["stale"] is False
    assert [(o["id"], o["number"], o["status"], o["provisioning_status"], o["total"]) for o in body["data"]] == [
        (o["Id"], o["OrderNumber"], o["Status"], o["Provisioning_Status__c"], money(o["TotalAmount"]))
        for o in expected
    ]
    assert set(body["data"][0]) == {"id", "number", "status", "provisioning_status", "effective_date",
                                    "created_at", "total"}


def test_one_order_with_its_items_and_timeline(sf, customer_client):
    [order] = [o for o in sf.orders_of(ALICE.salesforce_account_id) if o["Provisioning_Status__c"] == "Pending Review"]

    response = customer_client.get(f"/api/v1/orders/{order['Id']}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["number"], data["total"]) == (order["Id"], order["OrderNumber"],
                                                           money(order["TotalAmount"]))
    assert [(i["id"], i["product_id"], i["quantity"], i["unit_price"], i["total_price"]) for i in data["items"]] == [
        (i["Id"], i["Product2Id"], int(i["Quantity"]), money(i["UnitPrice"]), money(i["TotalPrice"]))
        for i in sf.items_of(order["Id"])
    ]
    assert data["timeline"] == [
        {"status": "Pending Review", "label": "Under review", "state": "current"},
        {"status": "Approved", "label": "Approved", "state": "upcoming"},
        {"status": "Activating", "label": "Activating", "state": "upcoming"},
        {"status": "Active", "label": "Active", "state": "upcoming"},
    ]
    assert data["failure_reason"] is None


def test_a_failed_order_carries_its_reason(sf, customer_client, customer_user):
    [order] = [o for o in sf.orders_of(ALICE.salesforce_account_id) if o["Provisioning_Status__c"] == "Pending Review"]
    sf.approve(order["Id"])
    sf.set_status(order["Id"], Provisioning_Status__c="Failed", Provisioning_Error__c="The SIM could not be activated.")
    invalidate_customer(customer_user.pk)

    data = customer_client.get(f"/api/v1/orders/{order['Id']}").json()["data"]

    assert data["provisioning_status"] == "Failed"
    assert data["failure_reason"] == "The SIM could not be activated."
    assert [s["state"] for s in data["timeline"]] == ["done", "done", "failed", "upcoming"]


def test_another_accounts_order_is_a_404(sf, customer_client, bob_client):
    bobs = sf.orders_of(BOB.salesforce_account_id)[0]["Id"]

    response = customer_client.get(f"/api/v1/orders/{bobs}")

    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "extra": {}}
    assert bob_client.get(f"/api/v1/orders/{bobs}").status_code == 200


@pytest.mark.parametrize("order_id", ["' OR Id != '", "801' OR AccountId != '", "nope", "001Dn00000AliceIAB",
                                      "801Dn00009p55esIAB", "%27%20OR%20Id%20!%3D%20%27"])
def test_a_malformed_order_id_is_a_404_that_never_reaches_salesforce(sf, customer_client, order_id):
    from urllib.parse import quote

    sf.reset_stats()

    response = customer_client.get(f"/api/v1/orders/{quote(order_id, safe='%')}")

    assert response.status_code == 404
    assert response.json()["message"] == "Not found."
    assert sf.calls("query") == 0


# -- placing an order --------------------------------------------------------------------------------


def test_placing_an_order_answers_201_then_200_for_the_same_request_id(sf, customer_client):
    body = order_body(sf, ("MOB-DATA-20G", 1), ("FEE-SIM-ACTIVATION", 1))

    first = post(customer_client, body)
    second = post(customer_client, body)

    assert (first.status_code, second.status_code) == (201, 200)
    [order] = sf.order_by_request_id(body["request_id"])
    assert first.json()["data"]["id"] == second.json()["data"]["id"] == order["Id"]
    assert order["AccountId"] == ALICE.salesforce_account_id
    data = first.json()["data"]
    assert data["provisioning_status"] == "Pending Review" and data["status"] == "Draft"
    assert [(i["product_id"], i["quantity"]) for i in data["items"]] == [
        (line["product_id"], line["quantity"]) for line in body["lines"]
    ]
    assert data["total"] == money(sum(sf.price(line["product_id"]) for line in body["lines"]))
    assert data["totals_by_cycle"] == [
        {"billing_cycle": "Monthly", "amount": money(sf.price(sf.product("MOB-DATA-20G")["Id"]))},
        {"billing_cycle": "One-time", "amount": money(sf.price(sf.product("FEE-SIM-ACTIVATION")["Id"]))},
    ]
    assert sf.calls(CREATE) == 1


# -- required fees ------------------------------------------------------------------------------------


def test_a_sim_plan_ordered_without_its_fee_gets_it_once_per_sim(sf, customer_client):
    body = order_body(sf, ("MOB-DATA-3G", 2), ("VPN-SECURE", 1))

    response = post(customer_client, body)

    assert response.status_code == 201
    [order] = sf.order_by_request_id(body["request_id"])
    fee = sf.product("FEE-SIM-ACTIVATION")
    assert [(i["Product2Id"], i["Quantity"]) for i in sf.items_of(order["Id"])] == [
        (sf.product("MOB-DATA-3G")["Id"], 2), (sf.product("VPN-SECURE")["Id"], 1), (fee["Id"], 2)]


def test_a_fee_alone_is_a_400_and_orders_nothing(sf, customer_client):
    body = order_body(sf, ("FEE-SIM-ACTIVATION", 1))

    response = post(customer_client, body)

    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["lines"] == {"0": {"product_id": [
        "SIM activation fee cannot be ordered on its own: it is added to the order of the products that require it."]}}
    assert sf.calls(CREATE) == 0 and not sf.order_by_request_id(body["request_id"])


def test_a_fee_in_another_quantity_than_required_is_a_400(sf, customer_client):
    body = order_body(sf, ("MOB-DATA-3G", 2), ("FEE-SIM-ACTIVATION", 1))

    response = post(customer_client, body)

    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["lines"] == {"1": {"quantity": [
        "This order requires SIM activation fee 2 time(s), once per product that needs it; it is added for you, "
        "you may leave it out."]}}
    assert sf.calls(CREATE) == 0


def test_the_new_order_is_in_the_list_at_once(sf, customer_client):
    customer_client.get("/api/v1/orders")  # cached now

    created = post(customer_client, order_body(sf, ("VPN-SECURE", 1))).json()["data"]["id"]

    assert created in [o["id"] for o in customer_client.get("/api/v1/orders").json()["data"]]


def test_an_ineligible_order_is_a_400_with_the_reasons(sf, customer_client):
    response = post(customer_client, order_body(sf, ("NET-FIBER-10G", 1)))

    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        "order": ["You already have an Internet service. To change it, please contact support."]
    }
    assert sf.calls(CREATE) == 0


def test_a_customer_without_a_payment_method_gets_a_400(sf, whmcs, bob_without_payment_methods):
    response = post(bob_without_payment_methods, order_body(sf, ("VPN-SECURE", 1)))

    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["order"] == [
        "Please add a payment method before ordering: Billing, then Payment methods."
    ]
    assert sf.calls(CREATE) == 0


@pytest.mark.parametrize("change,field", [
    (lambda b: b["lines"][0].update(quantity=11), "lines"),
    (lambda b: b["lines"][0].update(quantity=0), "lines"),
    (lambda b: b["lines"][0].update(quantity=-1), "lines"),
    (lambda b: b["lines"][0].update(quantity="abc"), "lines"),
    (lambda b: b["lines"][0].update(product_id="01t000000000000AAA"), "lines"),
    (lambda b: b["lines"][0].update(product_id="' OR Id != '"), "lines"),
    (lambda b: b.update(lines=[]), "lines"),
    (lambda b: b.update(lines=b["lines"] * 2), "lines"),
    (lambda b: b.update(request_id="' OR Id != '"), "request_id"),
    (lambda b: b.update(request_id="a" * 65), "request_id"),
    (lambda b: b.pop("request_id"), "request_id"),
])
def test_invalid_input_is_a_400_and_never_creates_an_order(sf, customer_client, change, field):
    body = order_body(sf, ("VPN-SECURE", 1))
    change(body)

    response = post(customer_client, body)

    assert response.status_code == 400
    assert response.json()["message"] == "Validation error"
    assert field in response.json()["extra"]["fields"]
    assert sf.calls(CREATE) == 0


def test_a_product_outside_the_portal_catalog_is_a_400(sf, customer_client):
    response = post(customer_client, order_body(sf, ("NET-FIBER-300M", 1)))

    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"lines": {"0": {"product_id": ["Not a product of the catalog."]}}}


def test_a_post_without_the_csrf_token_is_refused(sf, customer_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)

    response = post(browser, order_body(sf, ("VPN-SECURE", 1)))

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert sf.calls(CREATE) == 0


@pytest.mark.parametrize("method,path", [("get", "/api/v1/orders"), ("post", "/api/v1/orders"),
                                         ("get", "/api/v1/orders/801Dn00009p55esIAA")])
def test_a_user_not_linked_to_a_customer_gets_403(sf, unlinked_client, method, path):
    response = getattr(unlinked_client, method)(path, {} if method == "get" else order_body(sf, ("VPN-SECURE", 1)),
                                                content_type="application/json")

    assert response.status_code == 403
    assert response.json()["message"] == "Your sign-in is not linked to a customer account yet. Please contact support."
    assert sf.calls() == 0


@pytest.mark.parametrize("path", ["/api/v1/orders", "/api/v1/orders/801Dn00009p55esIAA"])
def test_anonymous_callers_get_403_not_a_redirect(sf, path):
    response = Client().get(path)

    assert response.status_code == 403
    assert response.json() == {"message": "Authentication credentials were not provided.", "extra": {}}
    assert sf.calls() == 0


# -- the schema ------------------------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_catalog_and_order_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert paths["/api/v1/catalog"]["get"]["operationId"] == "catalog_list"
    assert "category" in {p["name"] for p in paths["/api/v1/catalog"]["get"]["parameters"]}
    assert paths["/api/v1/orders"]["get"]["operationId"] == "orders_list"
    assert paths["/api/v1/orders"]["post"]["operationId"] == "orders_create"
    assert "201" in paths["/api/v1/orders"]["post"]["responses"]
    assert paths["/api/v1/orders/{order_id}"]["get"]["operationId"] == "orders_retrieve"
    schemas = response.json()["components"]["schemas"]
    request = next(s for name, s in schemas.items() if {"request_id", "lines"} <= set(s.get("properties", {})))
    assert set(request["required"]) >= {"request_id", "lines"}


def test_a_503_on_the_write_is_a_503_and_the_same_request_id_can_be_sent_again(sf, customer_client,
                                                                               failing_order_writes):
    body = order_body(sf, ("VPN-SECURE", 1))
    orders = len(sf.store.rows("Order", include_deleted=True))

    failed = post(customer_client, body)

    assert failed.status_code == 503
    assert failed.json()["extra"]["reference"]
    assert len(sf.store.rows("Order", include_deleted=True)) == orders
    sf.clear_faults()
    assert post(customer_client, body).status_code == 201
    assert len(sf.order_by_request_id(body["request_id"])) == 1
