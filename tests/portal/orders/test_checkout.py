"""Checkout (/orders/checkout/): eligibility, the confirmation, the Salesforce order it creates
(once per checkout form), and what the customer sees when Salesforce refuses or fails.

Orders are read back from ``salesforce.app.store``; calls are counted with ``GET /__sandbox__/stats``.
"""
import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from domain.shared import clock
from sandbox.salesforce import PORTAL_PRICEBOOK_ID
from tests.pages import main_of, text_of
from tests.portal.orders.conftest import ALICE, BOB, REQUEST_ID_INPUT, add_to_cart, checkout_request_id, place_order

pytestmark = pytest.mark.django_db

CREATE = "POST composite/tree/Order"
THANKS = "Thank you: your order is placed and waiting for review."
HAS_INTERNET = "You already have an Internet service. To change it, please contact support."
ONE_INTERNET = "You can order one Internet service at a time."
INTERNET_ON_ITS_WAY = ("You already have an Internet order on its way. "
                       "You can follow it under Orders; to change it, please contact support.")
NO_PAYMENT_METHOD = "Please add a payment method before ordering: Billing, then Payment methods."
NOT_PLACED = "We could not place this order. Please try again or contact support."
DROPPED = "Some products are no longer available and were removed from your cart."


def problems_of(response) -> list[str]:
    """The reasons the checkout page gives for not placing the order."""
    block = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', text_of(response), re.S)
    return re.findall(r"<li>([^<]+)</li>", block[1]) if block else []


def error_messages(response) -> list[str]:
    return re.findall(r'<p class="message message-error">([^<]+)</p>', text_of(response))


def all_records(sf, sobject: str) -> int:
    return len(sf.store.rows(sobject, include_deleted=True))


def fill_cart(browser, sf, *lines: tuple[str, int]) -> None:
    for sku, quantity in lines:
        assert add_to_cart(browser, sf.product(sku)["Id"], str(quantity)).status_code == 302


# -- the confirmation page ---------------------------------------------------------------------------


def test_the_checkout_page_shows_the_lines_monthly_apart_from_one_time_and_a_confirmation(sf, customer_client):
    fill_cart(customer_client, sf, ("MOB-DATA-20G", 1), ("VPN-SECURE", 2))

    response = customer_client.get("/orders/checkout/")

    page = main_of(response)
    assert response.status_code == 200
    assert problems_of(response) == []
    monthly = sf.price(sf.product("MOB-DATA-20G")["Id"]) + 2 * sf.price(sf.product("VPN-SECURE")["Id"])
    once = sf.price(sf.product("FEE-SIM-ACTIVATION")["Id"])
    assert f'<th scope="row" colspan="3">Per month</th><td class="num">¥{monthly:,.0f} (tax incl.)</td>' in page
    assert f'<th scope="row" colspan="3">One-time</th><td class="num">¥{once:,.0f} (tax incl.)</td>' in page
    assert ">Total<" not in page, "recurring and one-time amounts are never added into one total"
    assert 'name="quantity"' not in page  # the lines cannot be changed here
    assert REQUEST_ID_INPUT.search(page)
    assert 'type="checkbox" name="confirm"' in page
    assert "I confirm this order and agree to be billed for it." in page
    assert sf.calls(CREATE) == 0


def test_each_checkout_page_carries_a_new_request_id(sf, customer_client):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))

    first, second = checkout_request_id(customer_client), checkout_request_id(customer_client)

    assert first != second
    assert uuid.UUID(first) and uuid.UUID(second)


def test_an_empty_cart_cannot_be_checked_out(sf, customer_client):
    page = customer_client.get("/orders/checkout/")
    assert "Your cart is empty." in main_of(page)
    assert not REQUEST_ID_INPUT.search(main_of(page))

    response = place_order(customer_client, str(uuid.uuid4()))

    assert response.status_code == 200
    assert "Your cart is empty." in error_messages(response)
    assert sf.calls(CREATE) == 0


# -- placing the order ---------------------------------------------------------------------------------


def test_placing_an_order_creates_the_salesforce_order_and_its_items(sf, customer_client, customer_user):
    sim, fee, vpn = sf.product("MOB-DATA-20G"), sf.product("FEE-SIM-ACTIVATION"), sf.product("VPN-SECURE")
    fill_cart(customer_client, sf, ("MOB-DATA-20G", 1), ("VPN-SECURE", 2))
    request_id = checkout_request_id(customer_client)
    before = {o["Id"] for o in sf.store.rows("Order")}

    response = place_order(customer_client, request_id)

    [order] = [o for o in sf.store.rows("Order") if o["Id"] not in before]
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order['Id']}/"
    assert order["AccountId"] == customer_user.customer.salesforce_account_id == ALICE.salesforce_account_id
    assert order["Pricebook2Id"] == PORTAL_PRICEBOOK_ID
    assert (order["Status"], order["Provisioning_Status__c"], order["Type"]) == ("Draft", "Pending Review", "New")
    assert order["Portal_Request_Id__c"] == request_id
    assert str(order["EffectiveDate"]) == clock.today().isoformat()
    items = [(i["Product2Id"], i["PricebookEntryId"], i["Quantity"], i["UnitPrice"]) for i in sf.items_of(order["Id"])]
    assert items == [(p["Id"], sf.portal_entry(p["Id"])["Id"], q, sf.price(p["Id"])) for p, q in
                     ((sim, 1), (vpn, 2), (fee, 1))], "the SIM plan brought its activation fee"
    assert order["TotalAmount"] == sf.price(sim["Id"]) + sf.price(fee["Id"]) + 2 * sf.price(vpn["Id"])
    assert sf.calls(CREATE) == 1


def test_after_placing_the_customer_sees_a_confirmation_and_an_empty_cart(sf, customer_client):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))

    response = place_order(customer_client)
    detail = customer_client.get(response["Location"])

    assert detail.status_code == 200
    assert THANKS in text_of(detail)
    assert "Secure VPN" in main_of(detail)
    assert "Your cart is empty." in main_of(customer_client.get("/orders/cart/"))


def test_the_new_order_is_at_the_top_of_the_order_list_at_once(sf, customer_client):
    listed_before = main_of(customer_client.get("/orders/"))  # the list is now cached
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))

    order_url = place_order(customer_client)["Location"]
    listed = main_of(customer_client.get("/orders/"))

    assert order_url not in listed_before
    assert listed.index(f'href="{order_url}"') < min(listed.index(f'href="/orders/{o["Id"]}/"')
                                                     for o in sf.orders_of(ALICE.salesforce_account_id)
                                                     if f'/orders/{o["Id"]}/' != order_url)


def test_a_customer_without_an_internet_service_may_order_one(sf, bob_without_internet, other_customer_user):
    fill_cart(bob_without_internet, sf, ("NET-FIBER-10G", 1))

    response = place_order(bob_without_internet)

    assert response.status_code == 302
    [order] = [o for o in sf.orders_of(BOB.salesforce_account_id) if o["Provisioning_Status__c"] == "Pending Review"]
    assert response["Location"] == f"/orders/{order['Id']}/"
    assert [i["Product2Id"] for i in sf.items_of(order["Id"])] == [sf.product("NET-FIBER-10G")["Id"],
                                                                    sf.product("FEE-FIBER-INSTALL")["Id"]]


# -- eligibility -----------------------------------------------------------------------------------------


def test_a_customer_with_an_active_internet_service_cannot_order_another(sf, whmcs, customer_client):
    store = whmcs.app.store
    assert any(s.clientid == ALICE.whmcs_client_id and s.status == "Active"
               and store.products[s.pid].group == "Internet" for s in store.services.values())
    fill_cart(customer_client, sf, ("NET-HOME-5G", 1))

    page = customer_client.get("/orders/checkout/")
    response = place_order(customer_client, str(uuid.uuid4()))

    assert problems_of(page) == [HAS_INTERNET]
    assert not REQUEST_ID_INPUT.search(main_of(page))
    assert response.status_code == 200
    assert error_messages(response) == [HAS_INTERNET]
    assert sf.calls(CREATE) == 0


def test_an_internet_order_still_on_its_way_stops_a_second_one(sf, bob_without_internet):
    """WHMCS has no service for it yet (it waits for review or provisioning), Salesforce has the order."""
    fill_cart(bob_without_internet, sf, ("NET-FIBER-1G", 1))
    assert place_order(bob_without_internet).status_code == 302
    fill_cart(bob_without_internet, sf, ("NET-HOME-5G", 1))

    page = bob_without_internet.get("/orders/checkout/")
    response = place_order(bob_without_internet, str(uuid.uuid4()))

    assert problems_of(page) == [INTERNET_ON_ITS_WAY]
    assert error_messages(response) == [INTERNET_ON_ITS_WAY]
    assert sf.calls(CREATE) == 1


def test_an_internet_order_whose_provisioning_failed_does_not_stop_a_new_one(sf, bob_without_internet):
    fill_cart(bob_without_internet, sf, ("NET-FIBER-1G", 1))
    first = place_order(bob_without_internet)
    order_id = first["Location"].rstrip("/").rsplit("/", 1)[-1]
    sf.store.update("Order", order_id, {"Provisioning_Status__c": "Failed"})
    fill_cart(bob_without_internet, sf, ("NET-HOME-5G", 1))

    assert problems_of(bob_without_internet.get("/orders/checkout/")) == []
    assert place_order(bob_without_internet).status_code == 302
    assert sf.calls(CREATE) == 2


def test_mobile_products_are_fine_for_a_customer_with_internet(sf, customer_client):
    fill_cart(customer_client, sf, ("MOB-VOICE-5G", 1))

    assert problems_of(customer_client.get("/orders/checkout/")) == []
    assert place_order(customer_client).status_code == 302
    assert sf.calls(CREATE) == 1


@pytest.mark.parametrize("lines", [(("NET-FIBER-1G", 2),), (("NET-FIBER-1G", 1), ("NET-HOME-5G", 1))])
def test_only_one_internet_service_per_order(sf, bob_without_internet, lines):
    fill_cart(bob_without_internet, sf, *lines)

    page = bob_without_internet.get("/orders/checkout/")
    response = place_order(bob_without_internet, str(uuid.uuid4()))

    assert problems_of(page) == [ONE_INTERNET]
    assert error_messages(response) == [ONE_INTERNET]
    assert sf.calls(CREATE) == 0


def test_a_customer_without_a_payment_method_cannot_order(sf, whmcs, bob_without_payment_methods):
    assert not [m for m in whmcs.app.store.paymethods.values() if m.clientid == BOB.whmcs_client_id]
    fill_cart(bob_without_payment_methods, sf, ("VPN-SECURE", 1))

    page = bob_without_payment_methods.get("/orders/checkout/")
    response = place_order(bob_without_payment_methods, str(uuid.uuid4()))

    assert problems_of(page) == [NO_PAYMENT_METHOD]
    assert error_messages(response) == [NO_PAYMENT_METHOD]
    assert sf.calls(CREATE) == 0
    assert not [o for o in sf.orders_of(BOB.salesforce_account_id) if o["Status"] == "Draft"]


# -- the form ------------------------------------------------------------------------------------------


def test_the_order_must_be_confirmed(sf, customer_client):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))
    request_id = checkout_request_id(customer_client)

    response = place_order(customer_client, request_id, confirm=False)

    assert response.status_code == 200
    page = main_of(response)
    assert ('<p class="field-error" id="id_confirm_error">'
            'Please tick the box to confirm your order before placing it.</p>' in page)
    assert f'value="{request_id}"' in page  # the same checkout: submitting again still places one order
    assert sf.calls(CREATE) == 0 and not sf.order_by_request_id(request_id)
    assert "Secure VPN" in main_of(customer_client.get("/orders/cart/"))


@pytest.mark.parametrize("request_id", ["' OR Id != '", "", "a" * 65, "abc def", "ü"])
def test_a_tampered_request_id_is_refused_before_salesforce_is_asked(sf, customer_client, request_id):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))
    sf.reset_stats()

    response = customer_client.post("/orders/checkout/", {"request_id": request_id, "confirm": "on"})

    assert response.status_code == 200
    assert '<p class="field-error">' in main_of(response)
    if request_id and len(request_id) <= 64:
        assert "This checkout form is not valid; please reload the page." in main_of(response)
    assert sf.calls() == 0


def test_a_checkout_post_without_the_csrf_token_is_refused(sf, customer_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)
    page = text_of(browser.get("/catalog/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    browser.post("/orders/cart/update/", {"product_id": sf.product("VPN-SECURE")["Id"], "quantity": "1",
                                          "csrfmiddlewaretoken": token})

    response = browser.post("/orders/checkout/", {"request_id": str(uuid.uuid4()), "confirm": "on"})

    assert response.status_code == 403
    assert sf.calls(CREATE) == 0


# -- submitted twice -----------------------------------------------------------------------------------


def test_the_same_checkout_submitted_twice_places_one_order(sf, customer_client):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))
    request_id = checkout_request_id(customer_client)

    first = place_order(customer_client, request_id)
    first_page = customer_client.get(first["Location"])
    second = place_order(customer_client, request_id)  # a double click, or the form sent again after Back
    second_page = customer_client.get(second["Location"])

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert len(sf.order_by_request_id(request_id)) == 1
    assert sf.calls(CREATE) == 1
    assert THANKS in text_of(first_page) and THANKS not in text_of(second_page)


def test_a_new_checkout_after_an_order_is_a_new_order(sf, customer_client):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))
    first = place_order(customer_client)
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))

    second = place_order(customer_client)

    assert first["Location"] != second["Location"]
    assert sf.calls(CREATE) == 2


# -- partial failures ------------------------------------------------------------------------------------


def test_an_order_salesforce_refuses_leaves_no_orphan_order_and_a_friendly_message(sf, customer_client):
    sim, vpn = sf.product("MOB-DATA-3G"), sf.product("VPN-SECURE")
    fill_cart(customer_client, sf, ("MOB-DATA-3G", 1), ("VPN-SECURE", 1))
    request_id = checkout_request_id(customer_client)  # the catalog is cached with both prices
    sf.portal_entry(vpn["Id"])["IsActive"] = False  # the second line's price is withdrawn in Salesforce
    orders, items = all_records(sf, "Order"), all_records(sf, "OrderItem")

    response = place_order(customer_client, request_id)

    assert response.status_code == 200
    assert error_messages(response) == [NOT_PLACED]
    assert sf.calls(CREATE) == 1  # Salesforce saw the tree and refused all of it
    assert all_records(sf, "Order") == orders and all_records(sf, "OrderItem") == items
    assert not sf.order_by_request_id(request_id)
    assert "Traceback" not in text_of(response) and "FIELD_INTEGRITY" not in text_of(response)
    fee = sf.product("FEE-SIM-ACTIVATION")
    assert [sim["Name"], vpn["Name"], fee["Name"]] == re.findall(r'<th scope="row">([^<]+)<br>',
                                                                 main_of(customer_client.get("/orders/cart/")))


def test_a_503_on_the_write_creates_nothing_and_the_same_form_can_be_sent_again(sf, customer_client,
                                                                                failing_order_writes):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))
    request_id = checkout_request_id(customer_client)
    orders, items = all_records(sf, "Order"), all_records(sf, "OrderItem")

    response = place_order(customer_client, request_id)

    assert response.status_code == 503
    assert "Your orders details are temporarily unavailable" in text_of(response)
    assert "Nothing has been changed." in text_of(response)
    assert "Traceback" not in text_of(response)
    assert sf.stats()["faults_injected"] == {"error": 1}
    assert all_records(sf, "Order") == orders and all_records(sf, "OrderItem") == items

    sf.clear_faults()  # Salesforce is back: the customer sends the same form again
    again = place_order(customer_client, request_id)

    assert again.status_code == 302
    assert len(sf.order_by_request_id(request_id)) == 1
    assert all_records(sf, "Order") == orders + 1


def test_salesforce_down_at_checkout_creates_nothing(sf, customer_client):
    fill_cart(customer_client, sf, ("VPN-SECURE", 1))
    request_id = checkout_request_id(customer_client)
    orders = all_records(sf, "Order")
    sf.faults(error_rate=1.0, status=503)

    response = place_order(customer_client, request_id)

    assert response.status_code == 503
    assert "temporarily unavailable" in text_of(response)
    assert sf.calls(CREATE) == 0
    assert all_records(sf, "Order") == orders


def test_a_product_removed_from_the_catalog_between_cart_and_checkout_is_not_ordered(sf, customer_client):
    sim, vpn = sf.product("MOB-DATA-3G"), sf.product("VPN-SECURE")
    fill_cart(customer_client, sf, ("MOB-DATA-3G", 1), ("VPN-SECURE", 1))
    request_id = checkout_request_id(customer_client)
    sf.store.update("Product2", vpn["Id"], {"Portal_Catalog__c": False})
    cache.delete("catalog:all")  # the cached catalog expired in between
    orders = all_records(sf, "Order")

    response = place_order(customer_client, request_id)

    assert response.status_code == 200
    assert error_messages(response) == [DROPPED]
    assert DROPPED in problems_of(response)
    assert sf.calls(CREATE) == 0 and all_records(sf, "Order") == orders
    # The customer sees what is left and confirms again: the order has only the products still sold.
    assert problems_of(customer_client.get("/orders/checkout/")) == []
    placed = place_order(customer_client)
    assert placed.status_code == 302
    order_id = placed["Location"].split("/")[2]
    assert [i["Product2Id"] for i in sf.items_of(order_id)] == [sim["Id"], sf.product("FEE-SIM-ACTIVATION")["Id"]]


# -- a SIM plan: SIM card or eSIM (with the phone's EID) -----------------------------------------------------
PHONES = ("89033023426200000000000000008801", "89033023426200000000000000008802")


def test_the_checkout_asks_card_or_esim_for_each_sim_plan(sf, customer_client):
    plan = sf.product("MOB-DATA-3G")
    add_to_cart(customer_client, plan["Id"], "2")
    page = text_of(customer_client.get("/orders/checkout/"))
    assert f'name="sim_kind_{plan["Id"]}" value="Physical"' in page and "checked" in page
    assert f'name="sim_kind_{plan["Id"]}" value="eSIM"' in page
    assert f'name="eid_{plan["Id"]}_0"' in page and f'name="eid_{plan["Id"]}_1"' in page, "one phone per eSIM"


@pytest.mark.parametrize("eids, error", [
    (("", ""), "Enter the EID of the phone this eSIM goes onto."),
    ((PHONES[0], "1234"), "An EID is 32 digits"),
    ((PHONES[0], PHONES[0]), "this EID is entered twice"),
])
def test_an_esim_needs_each_phones_eid(sf, customer_client, eids, error):
    plan = sf.product("MOB-DATA-3G")
    add_to_cart(customer_client, plan["Id"], "2")
    orders_before = all_records(sf, "Order")
    response = customer_client.post("/orders/checkout/", {
        "request_id": checkout_request_id(customer_client), "confirm": "on", f"sim_kind_{plan['Id']}": "eSIM",
        **{f"eid_{plan['Id']}_{unit}": eid for unit, eid in enumerate(eids)}})
    assert response.status_code == 200
    assert error in text_of(response)
    assert all_records(sf, "Order") == orders_before


def test_esims_travel_with_the_order_line(sf, customer_client):
    plan = sf.product("MOB-DATA-3G")
    add_to_cart(customer_client, plan["Id"], "2")
    response = customer_client.post("/orders/checkout/", {
        "request_id": checkout_request_id(customer_client), "confirm": "on", f"sim_kind_{plan['Id']}": "eSIM",
        f"eid_{plan['Id']}_0": PHONES[0], f"eid_{plan['Id']}_1": PHONES[1]})
    assert response.status_code == 302
    order_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    items = {sf.store.get("Product2", item["Product2Id"])["StockKeepingUnit"]: item for item in sf.items_of(order_id)}
    assert (items["MOB-DATA-3G"]["SIM_Type__c"], items["MOB-DATA-3G"]["EIDs__c"]) == ("eSIM", "\n".join(PHONES))
    assert items["FEE-SIM-ACTIVATION"]["SIM_Type__c"] is None, "a fee is no SIM plan"
    detail = customer_client.get(f"/api/v1/orders/{order_id}").json()["data"]
    [line] = [item for item in detail["items"] if item["product_id"] == plan["Id"]]
    assert (line["sim_type"], line["eids"]) == ("eSIM", list(PHONES))


@pytest.mark.parametrize("extra, field", [
    ({"sim_type": "eSIM", "eids": [PHONES[0]]}, "eids"),  # two eSIMs, one phone
    ({"sim_type": "Physical", "eids": PHONES}, "eids"),
    ({"sim_type": "eSIM", "eids": [PHONES[0], PHONES[0]]}, "eids"),
    ({"sim_type": "Nano"}, "sim_type"),
])
def test_the_api_checks_the_sim_of_a_sim_plan(sf, customer_client, extra, field):
    plan = sf.product("MOB-DATA-3G")
    response = customer_client.post("/api/v1/orders", {"request_id": str(uuid.uuid4()), "lines": [
        {"product_id": plan["Id"], "quantity": 2, **extra}]}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.content.decode()


def test_the_api_orders_esims_and_refuses_a_sim_type_on_another_product(sf, customer_client):
    plan, fiber = sf.product("MOB-DATA-3G"), sf.product("NET-FIBER-1G")
    refused = customer_client.post("/api/v1/orders", {"request_id": str(uuid.uuid4()), "lines": [
        {"product_id": fiber["Id"], "quantity": 1, "sim_type": "eSIM"}]}, content_type="application/json")
    assert refused.status_code == 400 and "Only a SIM plan takes a SIM type" in refused.content.decode()
    created = customer_client.post("/api/v1/orders", {"request_id": str(uuid.uuid4()), "lines": [
        {"product_id": plan["Id"], "quantity": 2, "sim_type": "eSIM", "eids": list(PHONES)}]},
        content_type="application/json")
    assert created.status_code == 201, created.content
    [line] = [item for item in created.json()["data"]["items"] if item["product_id"] == plan["Id"]]
    assert (line["sim_type"], line["eids"]) == ("eSIM", list(PHONES))
