"""A catalog larger than one Salesforce query batch, and one product Salesforce leaves half filled.

The emulator answers in batches of 200 records (``SALESFORCE_TEST_BATCH_SIZE``, child records
counted, as Salesforce counts them): the portal must follow ``nextRecordsUrl`` to the end.
"""
import logging
import re

import pytest

from sandbox.salesforce import PORTAL_PRICEBOOK_ID
from tests.conftest import SALESFORCE_TEST_BATCH_SIZE

pytestmark = pytest.mark.django_db
EXTRA_PRODUCTS = 450


def add_products(sf, count: int, **fields) -> list[dict]:
    """``count`` more portal products (Mobile, Monthly service), each with its portal price."""
    store = sf.store
    standard = next(p for p in store.rows("Pricebook2") if p["IsStandard"])
    added = []
    for n in range(count):
        product = store.insert("Product2", {
            "Name": f"Roaming pass {n:03d}", "StockKeepingUnit": f"MOB-ROAM-{n:03d}", "Family": "Mobile",
            "IsActive": True, "Portal_Catalog__c": True, "Item_Class__c": "Service", "Billing_Cycle__c": "Monthly",
            "Portal_Sort_Order__c": 1000 + n, **fields,
        }, system=True)
        for book in (standard["Id"], PORTAL_PRICEBOOK_ID):
            store.insert("PricebookEntry", {"Pricebook2Id": book, "Product2Id": product["Id"], "UnitPrice": 500 + n,
                                            "IsActive": True}, system=True)
        added.append(product)
    return added


def catalog_ids(response) -> list[str]:
    return re.findall(r'href="/catalog/(01t\w+)/"', response.content.decode())


def test_a_catalog_of_450_more_products_loads_in_batches_of_200(sf, customer_client):
    add_products(sf, EXTRA_PRODUCTS)
    expected = [p["Id"] for p in sf.catalog()]
    assert len(expected) > EXTRA_PRODUCTS

    api = customer_client.get("/api/v1/catalog")
    page = customer_client.get("/catalog/")

    assert api.status_code == 200 and page.status_code == 200
    assert [p["id"] for p in api.json()["data"]] == expected
    assert set(catalog_ids(page)) == set(expected)
    # Product2 rows and their PricebookEntries child rows count towards a batch: several batches.
    records = len(sf.store.rows("Product2"))
    assert sf.calls("query more") >= records // SALESFORCE_TEST_BATCH_SIZE


def test_a_product_salesforce_left_without_family_is_left_out_and_logged_and_the_others_shown(
        sf, customer_client, caplog):
    shown_before = {p["Id"] for p in sf.catalog()}
    [half_filled] = add_products(sf, 1, Family=None)
    [no_item_class] = add_products(sf, 1, Item_Class__c=None, StockKeepingUnit="MOB-ROAM-PLAIN")
    caplog.set_level(logging.WARNING)

    api = customer_client.get("/api/v1/catalog")
    page = customer_client.get("/catalog/")

    listed = {p["id"]: p for p in api.json()["data"]}
    assert half_filled["Id"] not in listed and half_filled["Id"] not in catalog_ids(page)
    assert listed[no_item_class["Id"]]["item_class"] == "Service"  # its domain default
    assert set(listed) == shown_before | {no_item_class["Id"]}
    warnings = [r.getMessage() for r in caplog.records if r.name == "integrations.skipped"]
    assert len(warnings) == 1 and "Family" in warnings[0] and "is null" in warnings[0]
