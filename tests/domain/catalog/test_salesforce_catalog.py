"""The catalog query's answer (Product2 records with their PricebookEntries) -> Catalog, Product."""
import copy
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from domain.catalog.providers import salesforce
from domain.catalog.types import BillingCycle, Catalog, ItemClass, Product, ProductCategory
from domain.shared.errors import MappingError
from domain.shared.money import Money
from tests.domain.helpers import altered, floats_in

FIXTURES = Path(__file__).parent / "fixtures"

FEE, FIBER, FIBER_ACTIVATION, LEGACY_ESIM, SIM_20GB, VOICE, VPN_ROUTER = range(7)
"""The indexes of the records of catalog_query.json (the legacy eSIM has no portal price)."""


def load(name: str = "catalog_query.json") -> dict[str, Any]:
    """A fixture decoded as simple-salesforce decodes an answer (plain json.loads)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def transform(payload: object, currency: str = "JPY") -> Catalog:
    return salesforce.transform_salesforce_catalog(payload, currency_code_default=currency)


def jpy(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="JPY")


_DELETE = object()


def _set(path: str, value: object):
    """A change setting a dotted path (list indexes as numbers) of a payload; _DELETE removes it."""

    def change(payload):
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[int(last) if isinstance(node, list) else last]
        else:
            node[int(last) if isinstance(node, list) else last] = copy.deepcopy(value)

    return change


def _entry(entry_id: str, price: object, currency: object = "JPY") -> dict[str, Any]:
    return {
        "attributes": {"type": "PricebookEntry", "url": f"/services/data/v62.0/sobjects/PricebookEntry/{entry_id}"},
        "Id": entry_id,
        "UnitPrice": price,
        "CurrencyIsoCode": currency,
    }


def _entries(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"totalSize": len(entries), "done": True, "records": list(entries)}


SIM_ENTRY_ID = "01u5g000071fTquAAE"
OTHER_ENTRY_ID = "01u5g0000Rann76AQA"


def test_catalog_maps_every_priced_product_in_the_query_order():
    catalog = transform(load())

    assert isinstance(catalog, Catalog)
    assert [product.sku for product in catalog.products] == [
        "FEE-SIM-ISSUE",
        "NET-FIBER-1G",
        "NET-FIBER-ACT",
        "MOB-SIM-20GB",  # MOB-ESIM-3GB has no portal price: left out
        "MOB-VOICE",
        "VPN-ROUTER",
    ]
    assert catalog.find_by_sku("MOB-SIM-20GB") == Product(
        id="01t5g0000cMz9CPAAZ",
        sku="MOB-SIM-20GB",
        name="SIM Data 20GB",
        description="20 GB of data a month, 5G included.",
        product_code="MOB-SIM-20GB",
        category=ProductCategory.MOBILE,
        item_class=ItemClass.SERVICE,
        billing_cycle=BillingCycle.MONTHLY,
        price=jpy("1980"),
        pricebook_entry_id="01u5g000071fTquAAE",
        whmcs_product_id=21,
        is_sim=True,
        sort_order=10,
    )
    activation = catalog.find_by_sku("NET-FIBER-ACT")
    assert (activation.description, activation.product_code, activation.whmcs_product_id) == ("", "", None)
    assert (activation.item_class, activation.billing_cycle) == (ItemClass.ACTIVATION, BillingCycle.ONE_TIME)
    router = catalog.find_by_sku("VPN-ROUTER")
    assert (router.sort_order, router.price, router.billing_cycle) == (None, jpy("6600"), BillingCycle.ANNUALLY)
    assert catalog.find_by_sku("MOB-VOICE").item_class is ItemClass.ADD_ON


def test_catalog_helpers():
    catalog = transform(load())

    assert catalog.categories == (
        ProductCategory.FEES,
        ProductCategory.INTERNET,
        ProductCategory.MOBILE,
        ProductCategory.VPN,
    )
    assert [p.sku for p in catalog.by_category(ProductCategory.MOBILE)] == ["MOB-SIM-20GB", "MOB-VOICE"]
    assert [p.sku for p in catalog.by_category("Internet")] == ["NET-FIBER-1G", "NET-FIBER-ACT"]
    assert catalog.by_category("Broadband") == ()
    assert [(category, len(products)) for category, products in catalog.grouped()] == [
        (ProductCategory.FEES, 1),
        (ProductCategory.INTERNET, 2),
        (ProductCategory.MOBILE, 2),
        (ProductCategory.VPN, 1),
    ]
    sim = catalog.find_by_sku("MOB-SIM-20GB")
    assert catalog.find("01t5g0000cMz9CPAAZ") is sim
    assert catalog.find("01t5g0000cMz9CP") is sim  # the 15-character form finds it too
    assert catalog.find("01t5g00001HedcmAAB") is None  # not priced, not in the catalog
    assert catalog.find("01T5G0000CMZ9CPAAZ") is None  # letter case lost: checksum fails
    assert catalog.find("' OR Id != '") is None
    assert catalog.find("01u5g000071fTquAAE") is None  # a price book entry id, not a product id
    assert catalog.find_by_sku("NOPE") is None


def test_one_product_maps_on_its_own():
    records = load()["records"]
    product = salesforce.transform_salesforce_product(records[FIBER], currency_code_default="JPY")
    assert (product.id, product.sku, product.price, product.whmcs_product_id) == (
        "01t5g0000YlgCtjAQE",
        "NET-FIBER-1G",
        jpy("5280"),
        11,
    )
    assert salesforce.transform_salesforce_product(records[LEGACY_ESIM], currency_code_default="JPY") is None


SIM = f"records.{SIM_20GB}"


def _sim(check):
    """A check of the SIM Data 20GB product of the resulting catalog."""
    return lambda catalog: check(catalog.find_by_sku("MOB-SIM-20GB"))


@pytest.mark.parametrize(
    ("change", "check"),
    [
        # no portal price: left out, never an error
        (_set(f"{SIM}.PricebookEntries", None), lambda c: c.find_by_sku("MOB-SIM-20GB") is None),
        (_set(f"{SIM}.PricebookEntries", _entries()), lambda c: c.find_by_sku("MOB-SIM-20GB") is None),
        (
            _set(f"{SIM}.PricebookEntries", _entries(_entry(SIM_ENTRY_ID, 18.0, "USD"))),
            lambda c: c.find_by_sku("MOB-SIM-20GB") is None,
        ),
        # the entry in the portal currency wins; an entry without a currency is in the portal currency
        (
            _set(
                f"{SIM}.PricebookEntries",
                _entries(_entry(OTHER_ENTRY_ID, 18.0, "USD"), _entry(SIM_ENTRY_ID, 1980.0)),
            ),
            _sim(lambda p: (p.price, p.pricebook_entry_id) == (jpy("1980"), SIM_ENTRY_ID)),
        ),
        (
            _set(f"{SIM}.PricebookEntries.records.0.CurrencyIsoCode", None),
            _sim(lambda p: p.price == jpy("1980")),
        ),
        (
            _set(f"{SIM}.PricebookEntries.records.0.CurrencyIsoCode", _DELETE),
            _sim(lambda p: p.price == jpy("1980")),
        ),
        # numbers: floats are read through their repr, never their binary value
        (
            _set(f"{SIM}.PricebookEntries.records.0.UnitPrice", 1980.1),
            _sim(lambda p: p.price.amount == Decimal("1980.1")),
        ),
        (
            _set(f"{SIM}.PricebookEntries.records.0.UnitPrice", 0.0),
            _sim(lambda p: p.price == jpy("0")),
        ),
        (_set(f"{SIM}.WHMCS_Product_Id__c", 21), _sim(lambda p: p.whmcs_product_id == 21)),
        (
            _set(f"{SIM}.WHMCS_Product_Id__c", None),
            _sim(lambda p: p.whmcs_product_id is None),
        ),
        (
            _set(f"{SIM}.Portal_Sort_Order__c", -1.0),
            _sim(lambda p: p.sort_order == -1),
        ),
        # text: null -> "", blanks trimmed; attributes and unknown fields ignored
        (_set(f"{SIM}.Description", None), _sim(lambda p: p.description == "")),
        (_set(f"{SIM}.Name", "  SIM Data 20GB "), _sim(lambda p: p.name == "SIM Data 20GB")),
        (_set(f"{SIM}.attributes", _DELETE), _sim(lambda p: p is not None)),
        (_set(f"{SIM}.IsActive", True), _sim(lambda p: p is not None)),
        (_set(f"{SIM}.Id", "01t5g0000cMz9CP"), _sim(lambda p: p.id == "01t5g0000cMz9CPAAZ")),
        (_set("records", []), lambda c: c == Catalog(products=())),
    ],
)
def test_quirks(change, check):
    assert check(transform(altered(load(), change)))


MALFORMED = [
    (_set(f"{SIM}.Family", "Broadband"), f"{SIM}.Family"),
    (_set(f"{SIM}.Family", "mobile"), f"{SIM}.Family"),
    (_set(f"{SIM}.Family", None), f"{SIM}.Family"),
    (_set(f"{SIM}.Item_Class__c", "Addon"), f"{SIM}.Item_Class__c"),
    (_set(f"{SIM}.Billing_Cycle__c", "Monthly "), f"{SIM}.Billing_Cycle__c"),
    (_set(f"{SIM}.Id", "01t5g0000cMz9CPAAA"), f"{SIM}.Id"),  # checksum
    (_set(f"{SIM}.Id", "01u5g000071fTquAAE"), f"{SIM}.Id"),  # not a Product2 id
    (_set(f"{SIM}.Id", "' OR Id != '"), f"{SIM}.Id"),
    (_set(f"{SIM}.Id", _DELETE), f"{SIM}.Id"),
    (_set(f"{SIM}.Name", _DELETE), f"{SIM}.Name"),
    (_set(f"{SIM}.Name", "   "), f"{SIM}.Name"),
    (_set(f"{SIM}.StockKeepingUnit", None), f"{SIM}.StockKeepingUnit"),
    (_set(f"{SIM}.StockKeepingUnit", 20), f"{SIM}.StockKeepingUnit"),
    (_set(f"{SIM}.Description", _DELETE), f"{SIM}.Description"),
    (_set(f"{SIM}.WHMCS_Product_Id__c", 21.5), f"{SIM}.WHMCS_Product_Id__c"),
    (_set(f"{SIM}.WHMCS_Product_Id__c", 0.0), f"{SIM}.WHMCS_Product_Id__c"),
    (_set(f"{SIM}.WHMCS_Product_Id__c", "21"), f"{SIM}.WHMCS_Product_Id__c"),
    (_set(f"{SIM}.WHMCS_Product_Id__c", True), f"{SIM}.WHMCS_Product_Id__c"),
    (_set(f"{SIM}.Is_SIM__c", None), f"{SIM}.Is_SIM__c"),
    (_set(f"{SIM}.Is_SIM__c", "true"), f"{SIM}.Is_SIM__c"),
    (_set(f"{SIM}.Portal_Sort_Order__c", 1.5), f"{SIM}.Portal_Sort_Order__c"),
    (_set(f"{SIM}.PricebookEntries", _DELETE), f"{SIM}.PricebookEntries"),
    (_set(f"{SIM}.PricebookEntries", []), f"{SIM}.PricebookEntries"),
    (_set(f"{SIM}.PricebookEntries.done", False), f"{SIM}.PricebookEntries.done"),
    (
        _set(f"{SIM}.PricebookEntries.records.0.UnitPrice", "1980"),
        f"{SIM}.PricebookEntries.records.0.UnitPrice",
    ),
    (
        _set(f"{SIM}.PricebookEntries.records.0.UnitPrice", None),
        f"{SIM}.PricebookEntries.records.0.UnitPrice",
    ),
    (
        _set(f"{SIM}.PricebookEntries.records.0.UnitPrice", math.inf),
        f"{SIM}.PricebookEntries.records.0.UnitPrice",
    ),
    (
        _set(f"{SIM}.PricebookEntries.records.0.CurrencyIsoCode", "yen"),
        f"{SIM}.PricebookEntries.records.0.CurrencyIsoCode",
    ),
    (
        _set(f"{SIM}.PricebookEntries.records.0.Id", "01t5g0000cMz9CPAAZ"),
        f"{SIM}.PricebookEntries.records.0.Id",
    ),
    (
        _set(
            f"{SIM}.PricebookEntries",
            _entries(_entry(SIM_ENTRY_ID, 1980.0), _entry(OTHER_ENTRY_ID, 1880.0)),
        ),
        f"{SIM}.PricebookEntries.records",
    ),
    (_set(f"records.{VOICE}.StockKeepingUnit", "MOB-SIM-20GB"), f"records.{VOICE}.StockKeepingUnit"),
    (_set(f"records.{SIM_20GB}", "not a record"), f"records.{SIM_20GB}"),
    (_set("done", False), "done"),
    (_set("records", _DELETE), "records"),
    (_set("records", None), "records"),
    (_set("totalSize", "7"), "totalSize"),
]


@pytest.mark.parametrize(("change", "field"), MALFORMED)
def test_malformed_answer_raises_mapping_error_naming_the_field(change, field):
    with pytest.raises(MappingError) as caught:
        transform(altered(load(), change))
    assert type(caught.value) is MappingError
    assert (caught.value.provider, caught.value.field) == ("salesforce", field)
    assert f"'{field}'" in str(caught.value)
    assert caught.value.__cause__ is None  # the raw input is not dragged into logs


def test_a_product_without_an_item_class_is_a_service():
    catalog = transform(altered(load(), _set(f"{SIM}.Item_Class__c", None)))

    assert catalog.find_by_sku("MOB-SIM-20GB").item_class is ItemClass.SERVICE


@pytest.mark.parametrize(("change", "field"), [
    (_set(f"records.{VOICE}.Family", None), f"records.{VOICE}.Family"),
    (_set(f"records.{VOICE}.Family", "Broadband"), f"records.{VOICE}.Family"),
    (_set(f"records.{VOICE}.StockKeepingUnit", None), f"records.{VOICE}.StockKeepingUnit"),
    (_set(f"records.{VOICE}.StockKeepingUnit", " "), f"records.{VOICE}.StockKeepingUnit"),
    (_set(f"records.{VOICE}.Billing_Cycle__c", None), f"records.{VOICE}.Billing_Cycle__c"),
    (_set(f"records.{VOICE}.StockKeepingUnit", "MOB-SIM-20GB"), f"records.{VOICE}.StockKeepingUnit"),
    (_set(f"records.{VOICE}", "not a record"), f"records.{VOICE}"),
])
def test_a_tolerant_catalog_leaves_out_one_product_it_cannot_offer_and_reports_it(change, field):
    skipped: list[MappingError] = []

    catalog = salesforce.transform_salesforce_catalog(altered(load(), change), currency_code_default="JPY",
                                                      on_skip=skipped.append)

    assert [p.sku for p in catalog.products] == ["FEE-SIM-ISSUE", "NET-FIBER-1G", "NET-FIBER-ACT", "MOB-SIM-20GB",
                                                 "VPN-ROUTER"]
    assert [(e.provider, e.field) for e in skipped] == [("salesforce", field)]


def test_a_malformed_product_without_a_price_is_still_malformed():
    payload = altered(load(), _set(f"records.{LEGACY_ESIM}.Family", "Legacy"))
    with pytest.raises(MappingError) as caught:
        transform(payload)
    assert caught.value.field == f"records.{LEGACY_ESIM}.Family"


def test_the_reason_names_the_unknown_value_but_not_an_id():
    with pytest.raises(MappingError, match="unknown value 'Broadband'"):
        transform(altered(load(), _set(f"{SIM}.Family", "Broadband")))
    with pytest.raises(MappingError) as caught:
        transform(altered(load(), _set(f"{SIM}.Id", "01t5g0000cMz9CPZZZ")))
    assert "01t5g0000cMz9CP" not in str(caught.value)
    assert "checksum" in caught.value.reason


@pytest.mark.parametrize("raw", [None, "", 42, [], [{"Id": "01t5g0000cMz9CPAAZ"}], "not json"])
def test_an_answer_that_is_not_an_object(raw):
    with pytest.raises(MappingError) as caught:
        transform(raw)
    assert caught.value.field == "(root)"
    with pytest.raises(MappingError):
        salesforce.transform_salesforce_product(raw, currency_code_default="JPY")


@pytest.mark.parametrize("currency", ["", "jpy", "JPYY", None, "¥"])
def test_the_portal_currency_must_be_a_currency_code(currency):
    with pytest.raises(ValueError, match="currency_code_default") as caught:
        transform(load(), currency=currency)
    assert not isinstance(caught.value, MappingError)


def test_another_portal_currency_leaves_out_the_products_priced_in_yen_only():
    payload = altered(
        load(),
        _set(f"{SIM}.PricebookEntries", _entries(_entry(SIM_ENTRY_ID, 1980.0), _entry(OTHER_ENTRY_ID, 17.5, "USD"))),
    )
    catalog = transform(payload, currency="USD")
    usd = Money(amount=Decimal("17.5"), currency="USD")
    assert [(p.sku, p.price, p.pricebook_entry_id) for p in catalog.products] == [("MOB-SIM-20GB", usd, OTHER_ENTRY_ID)]


def test_mapping_is_pure_float_free_and_immutable():
    payload = load()
    before = copy.deepcopy(payload)

    catalog = transform(payload)

    assert payload == before
    assert transform(payload) == catalog
    assert floats_in(catalog) == []
    hash(catalog)  # frozen all the way down
    with pytest.raises(ValidationError, match="frozen"):
        catalog.products[0].price = jpy("1")
    assert Catalog.model_validate_json(catalog.model_dump_json()) == catalog  # cache round trip


def test_a_catalog_is_consistent():
    catalog = transform(load())
    fee, fiber = catalog.products[:2]
    with pytest.raises(ValidationError, match="listed twice"):
        Catalog(products=(fee, fee))
    with pytest.raises(ValidationError, match="SKU"):
        Catalog(products=(fee, fiber.model_copy(update={"sku": fee.sku})))
    with pytest.raises(ValidationError, match="one currency"):
        Catalog(products=(fee, fiber.model_copy(update={"price": Money(amount=Decimal(1), currency="USD")})))
    with pytest.raises(ValidationError):
        Product(**fee.model_dump() | {"id": "01u5g000071fTquAAE"})  # a product id must be a Product2 id
    with pytest.raises(ValidationError):
        Product(**fee.model_dump(), unexpected="field")


# --- the portal price book, found by name --------------------------------------------------------

PORTAL_PRICEBOOK = "01s5g0000lZGEONAA5"


def _pricebooks(*ids: object) -> dict[str, Any]:
    records = [
        {"attributes": {"type": "Pricebook2", "url": f"/services/data/v62.0/sobjects/Pricebook2/{i}"}, "Id": i}
        for i in ids
    ]
    return {"totalSize": len(records), "done": True, "records": records}


def test_the_portal_price_book_lookup():
    assert salesforce.transform_salesforce_pricebook_lookup(_pricebooks(PORTAL_PRICEBOOK)) == PORTAL_PRICEBOOK
    assert salesforce.transform_salesforce_pricebook_lookup(_pricebooks(PORTAL_PRICEBOOK[:15])) == PORTAL_PRICEBOOK
    assert salesforce.transform_salesforce_pricebook_lookup(_pricebooks()) is None


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (_pricebooks(PORTAL_PRICEBOOK, "01s5g0000BAepfJAQR"), "records"),  # two active "Portal" price books
        (_pricebooks("01t5g0000cMz9CPAAZ"), "records.0.Id"),
        (_pricebooks(None), "records.0.Id"),
        ({"totalSize": 1, "done": False, "records": []}, "done"),
        (None, "(root)"),
    ],
)
def test_a_malformed_price_book_lookup(raw, field):
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_pricebook_lookup(raw)
    assert (caught.value.entity, caught.value.field) == ("price book lookup", field)
