"""The cart (/orders/cart/): adding, changing and removing products, refused quantities and products,
a product leaving the catalog, and who may use it."""
import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.pages import main_of, text_of
from tests.portal.orders.conftest import add_to_cart

pytestmark = pytest.mark.django_db

LINE = re.compile(r'<th scope="row">(?P<name>[^<]+)<br>.*?name="quantity" value="(?P<quantity>\d+)".*?'
                  r'<td class="num" data-label="Amount">(?P<total>[^<]+)</td>', re.S)
REFUSED = "That product could not be added. Please choose a quantity from 0 to 10."


def cart_lines(browser) -> list[tuple[str, int, str]]:
    response = browser.get("/orders/cart/")
    assert response.status_code == 200
    body = main_of(response).split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    return [(m["name"], int(m["quantity"]), m["total"]) for m in LINE.finditer(body)]


def messages_of(response) -> list[str]:
    return re.findall(r'<p class="message message-\w+">([^<]+)</p>', text_of(response))


def test_adding_a_product_puts_it_in_the_cart_with_its_price(sf, customer_client):
    vpn = sf.product("VPN-SECURE")

    response = add_to_cart(customer_client, vpn["Id"])

    assert response.status_code == 302 and response["Location"] == "/orders/cart/"
    page = customer_client.get("/orders/cart/")
    assert messages_of(page) == ["Secure VPN is in your cart."]
    assert cart_lines(customer_client) == [("Secure VPN", 1, f"¥{sf.price(vpn['Id']):,.0f}")]


def required_lines(browser) -> list[tuple[str, str, str]]:
    """The lines the portal added (fees): (name, quantity, amount); they have no quantity field."""
    body = main_of(browser.get("/orders/cart/")).split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row">([^<]+)<br><span class="help">One-time · required: added with the products '
                      r'that need it</span></th>\s*<td class="num" data-label="Price">[^<]+</td>\s*'
                      r'<td class="num" data-label="Quantity">\s*(\d+)</td>\s*'
                      r'<td class="num" data-label="Amount">([^<]+)</td>',
                      body)


def test_the_cart_shows_monthly_and_one_time_amounts_apart(sf, customer_client):
    sim, fee, vpn = sf.product("MOB-DATA-3G"), sf.product("FEE-SIM-ACTIVATION"), sf.product("VPN-SECURE")
    add_to_cart(customer_client, sim["Id"], "2")
    add_to_cart(customer_client, vpn["Id"], "1")

    page = main_of(customer_client.get("/orders/cart/"))

    monthly = 2 * sf.price(sim["Id"]) + sf.price(vpn["Id"])
    assert f'<th scope="row" colspan="3">Per month</th><td class="num">¥{monthly:,.0f} (tax incl.)</td>' in page
    one_time = 2 * sf.price(fee["Id"])
    assert f'<th scope="row" colspan="3">One-time</th><td class="num">¥{one_time:,.0f} (tax incl.)</td>' in page
    assert ">Total<" not in page
    assert [(n, q) for n, q, _ in cart_lines(customer_client)] == [(sim["Name"], 2), (vpn["Name"], 1)]


# -- required fees ------------------------------------------------------------------------------------


def test_a_sim_plan_brings_its_activation_fee_once_per_new_sim(sf, customer_client):
    fee = sf.product("FEE-SIM-ACTIVATION")
    add_to_cart(customer_client, sf.product("MOB-DATA-3G")["Id"], "2")
    add_to_cart(customer_client, sf.product("MOB-VOICE-5G")["Id"], "1")

    assert required_lines(customer_client) == [(fee["Name"], "3", f"¥{3 * sf.price(fee['Id']):,.0f}")]

    add_to_cart(customer_client, sf.product("MOB-DATA-3G")["Id"], "0")

    assert required_lines(customer_client) == [(fee["Name"], "1", f"¥{sf.price(fee['Id']):,.0f}")]


def test_a_fiber_line_brings_its_installation_and_other_services_bring_nothing(sf, customer_client):
    fee = sf.product("FEE-FIBER-INSTALL")
    add_to_cart(customer_client, sf.product("VPN-SECURE")["Id"], "3")
    add_to_cart(customer_client, sf.product("NET-HOME-5G")["Id"], "1")
    assert required_lines(customer_client) == []

    add_to_cart(customer_client, sf.product("NET-FIBER-1G")["Id"], "1")

    assert required_lines(customer_client) == [(fee["Name"], "1", f"¥{sf.price(fee['Id']):,.0f}")]


@pytest.mark.parametrize("sku", ["FEE-SIM-ACTIVATION", "FEE-FIBER-INSTALL"])
def test_a_fee_cannot_be_put_in_the_cart_on_its_own(sf, customer_client, sku):
    fee = sf.product(sku)

    response = add_to_cart(customer_client, fee["Id"], "1")

    assert response.status_code == 302 and response["Location"] == "/orders/cart/"
    page = customer_client.get("/orders/cart/")
    assert messages_of(page) == [f"{fee['Name']} is not ordered on its own: it is added to your cart with the "
                                 "products that require it."]
    assert "Your cart is empty." in main_of(page)
    assert "Your cart is empty." in main_of(customer_client.get("/orders/checkout/"))


def test_the_fee_of_a_sim_plan_cannot_be_removed_or_changed(sf, customer_client):
    sim, fee = sf.product("MOB-DATA-3G"), sf.product("FEE-SIM-ACTIVATION")
    add_to_cart(customer_client, sim["Id"], "1")

    add_to_cart(customer_client, fee["Id"], "0")

    page = main_of(customer_client.get("/orders/cart/"))
    assert required_lines(customer_client) == [(fee["Name"], "1", f"¥{sf.price(fee['Id']):,.0f}")]
    assert f'name="product_id" value="{fee["Id"]}"' not in page, "no quantity or remove form for a fee"


def test_a_fee_left_in_an_older_session_cart_is_not_ordered_alone(sf, customer_client):
    session = customer_client.session
    session["cart"] = {sf.product("FEE-SIM-ACTIVATION")["Id"]: 1}
    session.save()

    assert "Your cart is empty." in main_of(customer_client.get("/orders/cart/"))
    assert customer_client.session["cart"] == {}


def test_a_sim_plan_cannot_be_ordered_while_its_fee_is_off_sale(sf, customer_client):
    sim, fee = sf.product("MOB-DATA-3G"), sf.product("FEE-SIM-ACTIVATION")
    sf.portal_entry(fee["Id"])["IsActive"] = False
    add_to_cart(customer_client, sim["Id"], "1")

    page = customer_client.get("/orders/checkout/")

    assert ("A fee this order requires cannot be charged right now, so the order cannot be placed. Please try again "
            "later or contact support.") in text_of(page)
    assert 'name="confirm"' not in main_of(page)


def test_changing_the_quantity_replaces_it(sf, customer_client):
    vpn = sf.product("VPN-SECURE")["Id"]
    add_to_cart(customer_client, vpn, "1")

    add_to_cart(customer_client, vpn, "10")

    assert [(n, q) for n, q, _ in cart_lines(customer_client)] == [("Secure VPN", 10)]


def test_quantity_zero_removes_the_product(sf, customer_client):
    vpn, sim = sf.product("VPN-SECURE")["Id"], sf.product("MOB-DATA-3G")["Id"]
    add_to_cart(customer_client, vpn, "3")
    add_to_cart(customer_client, sim, "1")

    response = add_to_cart(customer_client, vpn, "0")

    assert response["Location"] == "/orders/cart/"
    assert "Secure VPN was removed from your cart." in messages_of(customer_client.get("/orders/cart/"))
    assert [n for n, _, _ in cart_lines(customer_client)] == ["Data SIM 3 GB"]
    add_to_cart(customer_client, sim, "0")
    assert "Your cart is empty." in main_of(customer_client.get("/orders/cart/"))


@pytest.mark.parametrize("quantity", ["11", "-1", "abc", "", "1.5", "99999999999999999999"])
def test_a_quantity_outside_0_to_10_is_refused_with_a_message(sf, customer_client, quantity):
    vpn = sf.product("VPN-SECURE")["Id"]
    add_to_cart(customer_client, vpn, "2")

    response = add_to_cart(customer_client, vpn, quantity)

    assert response.status_code == 302 and response["Location"] == "/catalog/"
    assert REFUSED in messages_of(customer_client.get("/catalog/"))
    assert [(n, q) for n, q, _ in cart_lines(customer_client)] == [("Secure VPN", 2)]


@pytest.mark.parametrize("sku", ["NET-FIBER-300M", "NET-FIBER-100M", "MOB-VOICE-3G"])
def test_a_product_outside_the_portal_catalog_is_refused(sf, customer_client, sku):
    response = add_to_cart(customer_client, sf.product(sku)["Id"])

    assert response["Location"] == "/catalog/"
    assert REFUSED in messages_of(customer_client.get("/catalog/"))
    assert cart_lines(customer_client) == []


@pytest.mark.parametrize("product_id", ["", "nope", "01t000000000000AAA", "001Dn00000AliceIAB", "' OR Id != '",
                                        "01tDn00009p558KIAQ" + "x" * 100])
def test_a_product_id_not_in_the_catalog_is_refused(sf, customer_client, product_id):
    response = add_to_cart(customer_client, product_id)

    assert response["Location"] == "/catalog/"
    assert REFUSED in messages_of(customer_client.get("/catalog/"))
    assert cart_lines(customer_client) == []


def test_the_cart_is_kept_per_browser_session(sf, customer_client, bob_client):
    add_to_cart(customer_client, sf.product("VPN-SECURE")["Id"])

    assert cart_lines(bob_client) == []
    assert len(cart_lines(customer_client)) == 1


def test_prices_in_the_cart_follow_the_current_catalog(sf, customer_client):
    vpn = sf.product("VPN-SECURE")["Id"]
    add_to_cart(customer_client, vpn, "2")
    sf.portal_entry(vpn)["UnitPrice"] = 650
    cache.delete("catalog:all")

    assert cart_lines(customer_client) == [("Secure VPN", 2, "¥1,300")]


def test_a_product_that_leaves_the_catalog_is_dropped_from_the_cart_with_a_notice(sf, customer_client):
    vpn, sim = sf.product("VPN-SECURE"), sf.product("MOB-DATA-3G")
    add_to_cart(customer_client, vpn["Id"])
    add_to_cart(customer_client, sim["Id"])
    sf.store.update("Product2", vpn["Id"], {"Portal_Catalog__c": False})
    cache.delete("catalog:all")  # the cached catalog expired

    first = main_of(customer_client.get("/orders/cart/"))
    again = main_of(customer_client.get("/orders/cart/"))

    assert "Some products are no longer available and were removed." in first
    assert "Secure VPN" not in first.split("<tbody>", 1)[1]
    assert "no longer available" not in again  # removed for good, said once
    assert [n for n, _, _ in cart_lines(customer_client)] == ["Data SIM 3 GB"]


# -- who may use it ------------------------------------------------------------------------------------


def test_adding_needs_a_post(sf, customer_client):
    response = customer_client.get("/orders/cart/update/", {"product_id": sf.product("VPN-SECURE")["Id"]})

    assert response.status_code == 405


def test_a_post_without_the_csrf_token_is_refused(sf, customer_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)

    response = add_to_cart(browser, sf.product("VPN-SECURE")["Id"])

    assert response.status_code == 403
    assert cart_lines(browser) == []


def test_the_csrf_token_of_the_catalog_page_is_accepted(sf, customer_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)
    page = text_of(browser.get("/catalog/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    response = browser.post("/orders/cart/update/", {"product_id": sf.product("VPN-SECURE")["Id"], "quantity": "1",
                                                     "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert len(cart_lines(browser)) == 1


@pytest.mark.parametrize("path", ["/orders/cart/", "/orders/checkout/"])
def test_anonymous_visitors_are_sent_to_sign_in(sf, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_an_anonymous_add_to_cart_is_sent_to_sign_in(sf, client):
    response = client.post("/orders/cart/update/", {"product_id": sf.product("VPN-SECURE")["Id"], "quantity": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert sf.calls() == 0


@pytest.mark.parametrize("method,path", [("get", "/orders/cart/"), ("get", "/orders/checkout/"),
                                         ("post", "/orders/cart/update/"), ("post", "/orders/checkout/")])
def test_a_user_not_linked_to_a_customer_gets_403_with_an_explanation(sf, unlinked_client, method, path):
    data = {"product_id": sf.product("VPN-SECURE")["Id"], "quantity": "1"} if method == "post" else None

    response = getattr(unlinked_client, method)(path, data)

    assert response.status_code == 403
    assert "Your account is not linked yet" in text_of(response)
    assert sf.calls() == 0
