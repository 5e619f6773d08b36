"""The catalog pages (/catalog/...) against the Salesforce emulator: products by category with their
portal prices, the product page, and the shared ``catalog:{type}`` cache.

Salesforce calls are counted by the emulator (``GET /__sandbox__/stats``); seed data is read from
``salesforce.app.store``.
"""
import re

import pytest
from django.core.cache import cache

from domain.catalog.types import ProductCategory
from tests.pages import main_of

pytestmark = pytest.mark.django_db

SECTION = re.compile(r'<section aria-labelledby="cat-\d+">\s*<h2 id="cat-\d+">(?P<category>[^<]+)</h2>'
                     r"(?P<body>.*?)</section>", re.S)
CARD = re.compile(r'<h3><a href="/catalog/(?P<id>\w+)/">(?P<name>[^<]+)</a></h3>\s*'
                  r'<p class="price">(?P<price>[^<]+?)\s*<span class="help">(?P<cycle>[^<]+)</span>')


def sections(response) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """(category, [(product id, name, price, cycle), ...]) of each section, in page order."""
    assert response.status_code == 200
    return [(m["category"], [(c["id"], c["name"], c["price"], c["cycle"]) for c in CARD.finditer(m["body"])])
            for m in SECTION.finditer(main_of(response))]


def yen(amount) -> str:
    return f"¥{amount:,.0f} (tax incl.)"  # a consumer price: tax included, and saying so


def expected_sections(sf, family: str | None = None):
    order = [c.value for c in ProductCategory]
    products = sorted(sf.catalog(family), key=lambda p: order.index(p["Family"]))
    found: dict[str, list] = {}
    for p in products:
        cycle = {"One-time": "One-time", "Monthly": "Per month", "Annually": "Per year"}[p["Billing_Cycle__c"]]
        found.setdefault(p["Family"], []).append((p["Id"], p["Name"], yen(sf.price(p["Id"])), cycle))
    return list(found.items())


# -- the list ----------------------------------------------------------------------------------------


def test_the_catalog_lists_every_portal_product_by_category_with_its_portal_price(sf, customer_client):
    expected = expected_sections(sf)
    assert [category for category, _ in expected] == ["Internet", "Mobile", "VPN", "Fees"]

    assert sections(customer_client.get("/catalog/")) == expected


def test_the_catalog_shows_portal_prices_not_standard_ones(sf, customer_client):
    fiber = sf.product("NET-FIBER-10G")
    portal_book = sf.portal_entry(fiber["Id"])["Pricebook2Id"]
    standard = next(e["UnitPrice"] for e in sf.store.rows("PricebookEntry")
                    if e["Product2Id"] == fiber["Id"] and e["Pricebook2Id"] != portal_book)
    assert sf.price(fiber["Id"]) != standard

    page = main_of(customer_client.get("/catalog/"))

    assert f'{yen(sf.price(fiber["Id"]))} <span class="help">Per month</span>' in page
    assert yen(standard) not in page


def test_products_outside_the_portal_catalog_or_retired_are_not_listed(sf, customer_client):
    hidden = [p for p in sf.store.rows("Product2") if not p["Portal_Catalog__c"] or not p["IsActive"]]
    assert len(hidden) >= 3  # Fiber 300 Mbps (phone only), Fiber 100 Mbps and Mobile Voice 3 GB (retired)

    page = main_of(customer_client.get("/catalog/"))

    for product in hidden:
        assert product["Id"] not in page
        assert f">{product['Name']}</a>" not in page


@pytest.mark.parametrize("category", [c.value for c in ProductCategory])
def test_a_category_shows_only_its_products(sf, customer_client, category):
    response = customer_client.get("/catalog/", {"category": category})

    assert sections(response) == expected_sections(sf, category)
    assert f'<a href="?category={category}" aria-current="page">{category}</a>' in main_of(response)


@pytest.mark.parametrize("category", ["Bogus", "internet", "<script>alert(1)</script>", ""])
def test_an_unknown_category_shows_everything(sf, customer_client, category):
    response = customer_client.get("/catalog/", {"category": category})

    assert sections(response) == expected_sections(sf)
    assert '<a href="/catalog/" aria-current="page">All</a>' in main_of(response)
    assert "<script>alert(1)</script>" not in main_of(response)


def test_each_product_but_the_fees_has_an_add_to_cart_form(sf, customer_client):
    page = main_of(customer_client.get("/catalog/"))

    products = [p for p in sf.catalog() if p["Family"] != "Fees"]
    fees = [p for p in sf.catalog() if p["Family"] == "Fees"]
    assert fees, "the seed's catalog has fees"
    for product in products:
        assert (f'<input type="hidden" name="product_id" value="{product["Id"]}">\n'
                f'        <input type="hidden" name="quantity" value="1">') in page
    for fee in fees:
        assert f'name="product_id" value="{fee["Id"]}"' not in page, "a fee is not ordered on its own"
    assert page.count("Added to your order with the products that require it.") == len(fees)
    assert page.count('action="/orders/cart/update/"') == len(products)
    assert page.count("csrfmiddlewaretoken") == len(products)


# -- the product page -------------------------------------------------------------------------------


def test_the_product_page_shows_the_product_its_price_and_a_quantity_form(sf, customer_client):
    sim = sf.product("MOB-DATA-20G")

    response = customer_client.get(f"/catalog/{sim['Id']}/")

    assert response.status_code == 200
    page = main_of(response)
    assert f"<h1>{sim['Name']}</h1>" in page
    assert f"<dt>Price</dt><dd><strong>{yen(sf.price(sim['Id']))}</strong> Per month</dd>" in page
    assert "<dt>Category</dt><dd>Mobile</dd>" in page
    assert f"<dt>Product code</dt><dd>{sim['StockKeepingUnit']}</dd>" in page
    assert "A SIM card is sent to you" in page
    assert sim["Description"] in page
    assert f'<input type="hidden" name="product_id" value="{sim["Id"]}">' in page
    assert 'name="quantity" value="1" min="1" max="10"' in page


def test_a_one_time_fee_says_so_and_cannot_be_added_on_its_own(sf, customer_client):
    fee = sf.product("FEE-FIBER-INSTALL")

    page = main_of(customer_client.get(f"/catalog/{fee['Id']}/"))

    assert f"<strong>{yen(sf.price(fee['Id']))}</strong> One-time" in page
    assert "A SIM card is sent to you" not in page
    assert "This fee is not ordered on its own" in page and "/orders/cart/update/" not in page


def test_a_sim_plans_page_names_the_activation_fee_it_brings(sf, customer_client):
    sim, fee = sf.product("MOB-DATA-3G"), sf.product("FEE-SIM-ACTIVATION")

    page = main_of(customer_client.get(f"/catalog/{sim['Id']}/"))

    assert (f"Each one also comes with the {fee['Name']} (¥{sf.price(fee['Id']):,.0f}, one-time), added to your "
            "cart with it.") in page


def test_the_product_page_takes_the_15_character_id_too(sf, customer_client):
    vpn = sf.product("VPN-SECURE")

    response = customer_client.get(f"/catalog/{vpn['Id'][:15]}/")

    assert response.status_code == 200
    assert f"<h1>{vpn['Name']}</h1>" in main_of(response)


@pytest.mark.parametrize("sku", ["NET-FIBER-300M", "NET-FIBER-100M", "MOB-VOICE-3G"])
def test_a_product_outside_the_portal_catalog_is_not_found(sf, customer_client, sku):
    response = customer_client.get(f"/catalog/{sf.product(sku)['Id']}/")

    assert response.status_code == 404


@pytest.mark.parametrize("product_id", ["nope", "01t000000000000AAA", "001Dn00000AliceIAB", "' OR Id != '",
                                        "01t" + "x" * 15])
def test_a_malformed_or_unknown_product_id_is_not_found(sf, customer_client, product_id):
    from urllib.parse import quote

    response = customer_client.get(f"/catalog/{quote(product_id)}/")

    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


# -- caching ----------------------------------------------------------------------------------------


def test_a_second_view_of_the_catalog_makes_no_salesforce_query(sf, customer_client):
    first = customer_client.get("/catalog/")
    queries = sf.calls("query")
    assert queries == 2  # the portal price book's id, then the catalog in one query (no N+1)

    second = customer_client.get("/catalog/")

    assert sf.calls("query") == queries
    assert sections(second) == sections(first) != []
    assert cache.get("catalog:all") is not None


def test_categories_and_product_pages_are_served_from_the_same_cached_catalog(sf, customer_client):
    customer_client.get("/catalog/")
    queries = sf.calls("query")

    customer_client.get("/catalog/", {"category": "Mobile"})
    customer_client.get(f"/catalog/{sf.product('VPN-SECURE')['Id']}/")
    customer_client.get("/orders/cart/")

    assert sf.calls("query") == queries


def test_the_catalog_is_shared_by_every_customer(sf, customer_client, bob_client):
    customer_client.get("/catalog/")
    queries = sf.calls("query")

    assert sections(bob_client.get("/catalog/")) == expected_sections(sf)
    assert sf.calls("query") == queries


def test_a_price_change_shows_once_the_cached_catalog_expires(sf, customer_client):
    vpn = sf.product("VPN-SECURE")
    customer_client.get("/catalog/")
    sf.portal_entry(vpn["Id"])["UnitPrice"] = 777

    cached = main_of(customer_client.get("/catalog/"))
    cache.delete("catalog:all")  # what the TTL does after CACHE_TTL_CATALOG seconds
    fresh = main_of(customer_client.get("/catalog/"))

    assert "¥777" not in cached
    assert '¥777 (tax incl.) <span class="help">Per month</span>' in fresh
