"""The order pages (/orders/ and /orders/<id>/): the customer's orders, one order with its items and
its status timeline as Salesforce moves it along, and who may see which order.

Statuses change through the emulator's control endpoints (``POST /__sandbox__/orders/<id>/approve``
and ``/status``), as the operator and provisioning would change them in Salesforce.
"""
import re
from urllib.parse import quote

import pytest

from portal.core.cache import invalidate_customer
from tests.pages import main_of, text_of
from tests.portal.orders.conftest import ALICE, BOB, add_to_cart, place_order

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr><th scope="row"><a href="/orders/(?P<id>\w+)/">Order (?P<number>[^<]+)</a></th>\s*'
                 r'<td data-label="Placed">[^<]+</td>\s*<td data-label="Status"><span class="badge badge-[\w-]+">'
                 r'(?P<status>[^<]+)</span></td></tr>')
STEP = re.compile(r'<li class="step step-(?P<state>\w+)"[^>]*>\s*<span class="step-label">(?P<label>[^<]+)</span>')
LABELS = ["Under review", "Approved", "Activating", "Active"]
# The customer's words for Salesforce's provisioning statuses (portal/core/formats.py): "Pending Review"
# reads as the timeline's "Under review".
WORDS = {"Pending Review": "Under review", "Approved": "Approved", "Activating": "Activating", "Active": "Active",
         "Failed": "Needs our attention"}
FAILURE = "We could not activate your SIM. Our team will contact you within one business day."


def listed(response) -> list[tuple[str, str, str]]:
    assert response.status_code == 200
    return [(m["id"], m["number"], m["status"]) for m in ROW.finditer(main_of(response))]


def timeline(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.status_code
    return [(m["label"], m["state"]) for m in STEP.finditer(main_of(response))]


def yen(amount) -> str:
    return f"¥{amount:,.0f}"


@pytest.fixture
def new_order(sf, customer_client) -> str:
    """An order Alice placed through the portal just now (Pending Review); its id."""
    add_to_cart(customer_client, sf.product("MOB-DATA-20G")["Id"])  # brings its activation fee
    response = place_order(customer_client)
    assert response.status_code == 302
    return response["Location"].split("/")[2]


# -- the list ------------------------------------------------------------------------------------------


def test_the_list_shows_the_customers_orders_newest_first(sf, customer_client):
    expected = sorted(sf.orders_of(ALICE.salesforce_account_id), key=lambda o: o["CreatedDate"], reverse=True)
    assert len(expected) >= 2

    page = customer_client.get("/orders/")
    assert listed(page) == [(o["Id"], o["OrderNumber"].lstrip("0"), WORDS[o["Provisioning_Status__c"]])
                            for o in expected]
    assert ">Total<" not in main_of(page), "never one total adding monthly and one-time amounts"


def test_the_list_shows_no_other_customers_orders(sf, customer_client, bob_client):
    bobs = {o["Id"] for o in sf.orders_of(BOB.salesforce_account_id)}
    alices = {o["Id"] for o in sf.orders_of(ALICE.salesforce_account_id)}
    assert bobs and alices

    assert {i for i, *_ in listed(customer_client.get("/orders/"))} == alices
    assert {i for i, *_ in listed(bob_client.get("/orders/"))} == bobs


def test_a_customer_without_orders_is_told_so(sf, customer_client, bob_client):
    for order in sf.orders_of(BOB.salesforce_account_id):
        for item in sf.items_of(order["Id"]):
            sf.store.delete("OrderItem", item["Id"])
        sf.store.delete("Order", order["Id"])

    assert "You have no orders yet." in main_of(bob_client.get("/orders/"))


def test_a_second_view_of_the_list_is_served_from_the_cache(sf, customer_client):
    first = listed(customer_client.get("/orders/"))
    queries = sf.calls("query")

    assert listed(customer_client.get("/orders/")) == first
    assert sf.calls("query") == queries


# -- one order -------------------------------------------------------------------------------------------


CYCLE_LABEL = {"Monthly": "Per month", "Annually": "Per year", "One-time": "One-time"}


def test_the_order_page_shows_its_items_monthly_and_one_time_amounts_and_timeline(sf, customer_client, new_order):
    order = sf.store.get("Order", new_order)
    items = sf.items_of(new_order)
    by_cycle = {}
    for item in items:
        cycle = sf.store.get("Product2", item["Product2Id"])["Billing_Cycle__c"]
        by_cycle[cycle] = by_cycle.get(cycle, 0) + item["TotalPrice"]
    assert set(by_cycle) == {"Monthly", "One-time"}, "a SIM plan and its activation fee"

    response = customer_client.get(f"/orders/{new_order}/")

    page = main_of(response)
    assert f"<h1>Order {order['OrderNumber'].lstrip('0')}</h1>" in page  # not the CRM's zero padding
    assert f"<dt>Per month</dt><dd>{yen(by_cycle['Monthly'])} (tax incl.)</dd>" in page
    assert f"<dt>One-time</dt><dd>{yen(by_cycle['One-time'])} (tax incl.)</dd>" in page
    assert "<dt>Total</dt>" not in page, "never one total adding monthly and one-time amounts"
    for item in items:
        product = sf.store.get("Product2", item["Product2Id"])
        sim = ('<br><span class="help" data-sim-kind="Physical">SIM card, posted to you</span>'
               if product["Is_SIM__c"] else "")  # the checkout's SIM choice: cards unless eSIM was chosen
        assert (f'<tr><th scope="row">{product["Name"]}<br><span class="help">'
                f'{CYCLE_LABEL[product["Billing_Cycle__c"]]}</span>{sim}</th>\n'
                f'        <td class="num" data-label="Quantity">{item["Quantity"]:.0f}</td>'
                f'<td class="num" data-label="Price">{yen(item["UnitPrice"])}</td>'
                f'<td class="num" data-label="Amount">{yen(item["TotalPrice"])}</td></tr>') in page
        assert product["StockKeepingUnit"] not in page  # no internal codes for the customer
    assert timeline(response) == [("Under review", "current"), ("Approved", "upcoming"),
                                  ("Activating", "upcoming"), ("Active", "upcoming")]
    assert 'aria-current="step"' in page


def test_the_timeline_follows_the_order_from_review_to_active(sf, customer_client, customer_user, new_order):
    def seen() -> list[tuple[str, str]]:
        invalidate_customer(customer_user.pk)  # what the 60 s TTL of the cached order does
        return timeline(customer_client.get(f"/orders/{new_order}/"))

    assert seen() == list(zip(LABELS, ["current", "upcoming", "upcoming", "upcoming"], strict=True))

    sf.approve(new_order)
    assert seen() == list(zip(LABELS, ["done", "current", "upcoming", "upcoming"], strict=True))

    sf.set_status(new_order, Provisioning_Status__c="Activating")
    assert seen() == list(zip(LABELS, ["done", "done", "current", "upcoming"], strict=True))

    sf.set_status(new_order, Provisioning_Status__c="Active", Status="Activated", WHMCS_Order_Id__c=501)
    assert seen() == list(zip(LABELS, ["done", "done", "done", "done"], strict=True))
    page = customer_client.get(f"/orders/{new_order}/")
    assert 'aria-current="step"' not in main_of(page)
    assert '<span class="badge badge-ok">Active</span>' in main_of(customer_client.get("/orders/"))


def test_a_failed_order_shows_where_it_stopped_and_the_customer_safe_reason(sf, customer_client, customer_user,
                                                                            new_order):
    sf.approve(new_order)
    sf.set_status(new_order, Provisioning_Status__c="Failed", Provisioning_Error__c=FAILURE)
    invalidate_customer(customer_user.pk)

    response = customer_client.get(f"/orders/{new_order}/")

    assert timeline(response) == [("Under review", "done"), ("Approved", "done"), ("Activating", "failed"),
                                  ("Active", "upcoming")]
    assert f'<p class="field-error" role="status">{FAILURE}</p>' in main_of(response)
    assert '<span class="badge badge-bad">Needs our attention</span>' in main_of(customer_client.get("/orders/"))


def test_the_portals_own_failure_reason_is_shown_in_the_customers_language(sf, customer_client, customer_user,
                                                                            new_order):
    """Salesforce keeps the portal's reason in English, for staff; the customer reads it in theirs."""
    from portal.provisioning.errors import CUSTOMER_MESSAGES, SIM_ACTIVATION_REFUSED

    customer_user.language = "ja"
    customer_user.save(update_fields=["language"])
    sf.approve(new_order)
    sf.set_status(new_order, Provisioning_Status__c="Failed",
                  Provisioning_Error__c=CUSTOMER_MESSAGES[SIM_ACTIVATION_REFUSED])
    invalidate_customer(customer_user.pk)

    page = main_of(customer_client.get(f"/orders/{new_order}/"))
    api = customer_client.get(f"/api/v1/orders/{new_order}").json()["data"]

    japanese = "SIMを開通できませんでした。担当チームに連絡済みで、こちらからご連絡します。"
    assert f'<p class="field-error" role="status">{japanese}</p>' in page
    assert api["failure_reason"] == japanese


def test_a_failed_order_approved_again_no_longer_shows_the_reason(sf, customer_client, customer_user, new_order):
    sf.set_status(new_order, Provisioning_Status__c="Failed", Provisioning_Error__c=FAILURE)
    sf.approve(new_order)  # the operator retries: the emulator clears the error
    sf.set_status(new_order, Provisioning_Error__c=FAILURE)  # even if a stale reason were left behind
    invalidate_customer(customer_user.pk)

    response = customer_client.get(f"/orders/{new_order}/")

    assert timeline(response)[1] == ("Approved", "current")
    assert FAILURE not in text_of(response)


def test_the_failure_reason_is_escaped(sf, customer_client, customer_user, new_order):
    sf.set_status(new_order, Provisioning_Status__c="Failed", Provisioning_Error__c="<script>alert(1)</script>")
    invalidate_customer(customer_user.pk)

    page = main_of(customer_client.get(f"/orders/{new_order}/"))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_seeded_active_order_shows_every_step_done(sf, customer_client):
    [active] = [o for o in sf.orders_of(ALICE.salesforce_account_id) if o["Provisioning_Status__c"] == "Active"]

    assert timeline(customer_client.get(f"/orders/{active['Id']}/")) == [(label, "done") for label in LABELS]


def test_the_order_page_takes_the_15_character_id_too(sf, customer_client, new_order):
    response = customer_client.get(f"/orders/{new_order[:15]}/")

    assert response.status_code == 200
    assert f"<h1>Order {sf.store.get('Order', new_order)['OrderNumber'].lstrip('0')}</h1>" in main_of(response)


# -- who may see which order -------------------------------------------------------------------------


def test_another_accounts_order_is_not_found(sf, customer_client, bob_client):
    [bobs] = sf.orders_of(BOB.salesforce_account_id)[:1]
    alices = sf.orders_of(ALICE.salesforce_account_id)[0]

    assert customer_client.get(f"/orders/{bobs['Id']}/").status_code == 404
    assert customer_client.get(f"/orders/{bobs['Id'][:15]}/").status_code == 404
    assert bob_client.get(f"/orders/{alices['Id']}/").status_code == 404
    assert bob_client.get(f"/orders/{bobs['Id']}/").status_code == 200


def test_a_known_order_of_another_account_looks_like_a_missing_one(sf, customer_client):
    [bobs] = sf.orders_of(BOB.salesforce_account_id)[:1]
    missing = bobs["Id"][:3] + "Dn00009zzzz" + bobs["Id"][14:15]  # well formed, no such order

    other = customer_client.get(f"/orders/{bobs['Id']}/")
    nothing = customer_client.get(f"/orders/{missing}/")

    assert other.status_code == nothing.status_code == 404
    assert main_of(other) == main_of(nothing)


@pytest.mark.parametrize("order_id", [
    "' OR Id != '", "801' OR AccountId != '", "nope", "801", "801Dn00009p55esIAB",  # checksum wrong
    "001Dn00000AliceIAB", "802Dn00009p55esIAA",  # an Account id, an OrderItem id
    "801Dn00009p55esIAA" + "A", "%27%20OR%20Id%20!%3D%20%27", "801Dn00009p55e\\s",
])
def test_a_malformed_order_id_is_not_found_and_never_reaches_salesforce(sf, customer_client, order_id):
    sf.reset_stats()

    response = customer_client.get(f"/orders/{quote(order_id, safe='%')}/")

    assert response.status_code == 404
    assert "Traceback" not in text_of(response)
    assert sf.calls("query") == 0


@pytest.mark.parametrize("path", ["/orders/", "/orders/801Dn00009p55esIAA/"])
def test_a_user_not_linked_to_a_customer_gets_403_with_an_explanation(sf, unlinked_client, path):
    response = unlinked_client.get(path)

    assert response.status_code == 403
    assert "Your account is not linked yet" in text_of(response)
    assert sf.calls() == 0


@pytest.mark.parametrize("path", ["/orders/", "/orders/801Dn00009p55esIAA/"])
def test_anonymous_visitors_are_sent_to_sign_in(sf, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"
    assert sf.calls() == 0
