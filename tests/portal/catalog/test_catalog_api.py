"""``GET /api/v1/catalog`` (and ``?category=``) against the Salesforce emulator."""
from decimal import Decimal

import pytest
from django.test import Client

from domain.catalog.types import ProductCategory
from domain.shared.money import to_minor_units as minor

pytestmark = pytest.mark.django_db


def expected(sf, family: str | None = None) -> list[dict]:
    """The products in the catalog query's order (Family, Portal_Sort_Order__c, Name)."""
    return [
        {
            "id": p["Id"], "sku": p["StockKeepingUnit"], "name": p["Name"], "description": p["Description"],
            "category": p["Family"], "item_class": p["Item_Class__c"], "billing_cycle": p["Billing_Cycle__c"],
            "price": {"amount": minor(sf.price(p["Id"]), "JPY"), "currency": "JPY"}, "is_sim": p["Is_SIM__c"],
        }
        for p in sf.catalog(family)
    ]


def test_the_catalog_lists_every_portal_product_with_its_price(sf, customer_client):
    response = customer_client.get("/api/v1/catalog")

    assert response.status_code == 200
    body = response.json()
    assert body == {"data": expected(sf), "stale": False}
    assert Decimal(body["data"][0]["price"]["amount"]) > 0


@pytest.mark.parametrize("category", [c.value for c in ProductCategory])
def test_the_catalog_filters_by_category(sf, customer_client, category):
    body = customer_client.get("/api/v1/catalog", {"category": category}).json()

    assert body["data"] == expected(sf, category) != []


@pytest.mark.parametrize("category", ["Bogus", "internet", "' OR Family != '"])
def test_an_unknown_category_is_a_400(sf, customer_client, category):
    response = customer_client.get("/api/v1/catalog", {"category": category})

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Validation error"
    assert "category" in body["extra"]["fields"]


def test_the_api_and_the_pages_share_the_cached_catalog(sf, customer_client):
    customer_client.get("/catalog/")
    queries = sf.calls("query")

    customer_client.get("/api/v1/catalog")
    customer_client.get("/api/v1/catalog", {"category": "Mobile"})

    assert sf.calls("query") == queries


def test_a_user_not_linked_to_a_customer_gets_403(sf, unlinked_client):
    response = unlinked_client.get("/api/v1/catalog")

    assert response.status_code == 403
    assert response.json()["message"] == "Your sign-in is not linked to a customer account yet. Please contact support."
    assert sf.calls() == 0


def test_anonymous_callers_get_403_not_a_redirect(sf):
    response = Client().get("/api/v1/catalog")

    assert response.status_code == 403
    assert response.json() == {"message": "Authentication credentials were not provided.", "extra": {}}
    assert sf.calls() == 0
