"""Salesforce catalog query answers -> catalog domain types. Pure: every piece of context is an argument.

Each function validates the raw shape, builds the domain object and so validates it; any mismatch
raises MappingError naming the raw field.
"""
import re

from domain.catalog.providers.salesforce.raw import (
    SfPricebookEntryRaw,
    SfPricebookLookupRaw,
    SfProductRaw,
)
from domain.catalog.types import Catalog, ItemClass, Product
from domain.shared.errors import MappingError
from domain.shared.mapping import Skipped, build_domain, map_each, validate_raw
from domain.shared.money import Money
from domain.shared.providers.salesforce import PROVIDER, SfQueryResult

_CURRENCY = re.compile(r"[A-Z]{3}")
DEFAULT_ITEM_CLASS = ItemClass.SERVICE
"""The item class of a product without `Item_Class__c`."""


def transform_salesforce_product(raw: object, *, currency_code_default: str) -> Product | None:
    """A product from one record of the catalog query, or None when it has no portal price.

    The portal price is the product's entry (in the `PricebookEntries` child subquery) in
    `currency_code_default`, the portal's currency; an entry without `CurrencyIsoCode` (an org with
    a single currency) is in that currency. A product without such an entry (`PricebookEntries`
    null, empty, or only in other currencies) cannot be ordered: None, not an error.
    """
    _check_currency(currency_code_default)
    parsed = validate_raw(SfProductRaw, raw, provider=PROVIDER, entity="product")
    return _product(parsed, currency=currency_code_default, path="")


def transform_salesforce_catalog(
    raw_query_response: object, *, currency_code_default: str, on_skip: Skipped | None = None
) -> Catalog:
    """The catalog from the answer of the catalog query, in the query's order.

    A product with no portal price (see `transform_salesforce_product`) is left out of the catalog,
    silently: that is how a product is taken off sale. A malformed product (or one the portal
    cannot offer: no SKU, family or billing cycle) raises MappingError naming the field
    (`records.3.Family`); with `on_skip`, it is left out instead and handed to `on_skip`, so one
    bad product never empties the catalog. Two products sharing a SKU are malformed too (the
    portal finds products by SKU): the second is the one refused.
    """
    _check_currency(currency_code_default)
    parsed = validate_raw(SfQueryResult[object], raw_query_response, provider=PROVIDER, entity="catalog")
    skus: set[str] = set()

    def product(raw: object, path: str) -> Product | None:
        raw_product = validate_raw(SfProductRaw, raw, provider=PROVIDER, entity="catalog", path=path)
        found = _product(raw_product, currency=currency_code_default, path=path)
        if found is None:
            return None
        if found.sku in skus:
            raise MappingError(provider=PROVIDER, entity="catalog", field=f"{path}StockKeepingUnit",
                               reason="the same SKU as another product of the catalog")
        skus.add(found.sku)
        return found

    products = map_each(parsed.records, product, on_skip=on_skip)
    return build_domain(Catalog, provider=PROVIDER, entity="catalog", products=products)


def transform_salesforce_pricebook_lookup(raw_query_response: object) -> str | None:
    """The id of the active price book the price-book-by-name query found, or None.

    Two active price books with the name are refused (MappingError on `records`): which prices the
    portal charges is not left to chance.
    """
    parsed = validate_raw(SfPricebookLookupRaw, raw_query_response, provider=PROVIDER, entity="price book lookup")
    if len(parsed.records) > 1:
        raise MappingError(
            provider=PROVIDER,
            entity="price book lookup",
            field="records",
            reason="more than one active price book with this name",
        )
    return parsed.records[0].Id if parsed.records else None


def _check_currency(code: str) -> None:
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code):
        raise ValueError("currency_code_default must be three upper-case letters, e.g. 'JPY'")


def _portal_entry(raw: SfProductRaw, *, currency: str, path: str) -> SfPricebookEntryRaw | None:
    entries = raw.PricebookEntries.records if raw.PricebookEntries is not None else []
    matching = [entry for entry in entries if (entry.CurrencyIsoCode or currency) == currency]
    if len(matching) > 1:
        raise MappingError(
            provider=PROVIDER,
            entity="product",
            field=f"{path}PricebookEntries.records",
            reason=f"more than one portal price in {currency}",
        )
    return matching[0] if matching else None


def _product(raw: SfProductRaw, *, currency: str, path: str) -> Product | None:
    entry = _portal_entry(raw, currency=currency, path=path)
    if entry is None:
        return None
    sku = (raw.StockKeepingUnit or "").strip()
    for name, value in (("StockKeepingUnit", sku), ("Family", raw.Family), ("Billing_Cycle__c", raw.Billing_Cycle__c)):
        if value is None or value == "":
            raise MappingError(provider=PROVIDER, entity="product", field=f"{path}{name}",
                               reason="is null: the portal cannot offer the product without it")
    price = build_domain(Money, provider=PROVIDER, entity="product", amount=entry.UnitPrice, currency=currency)
    return build_domain(
        Product,
        provider=PROVIDER,
        entity="product",
        id=raw.Id,
        sku=sku,
        name=raw.Name,
        description=raw.Description or "",
        product_code=raw.ProductCode or "",
        category=raw.Family,
        item_class=raw.Item_Class__c or DEFAULT_ITEM_CLASS,
        billing_cycle=raw.Billing_Cycle__c,
        price=price,
        pricebook_entry_id=entry.Id,
        whmcs_product_id=raw.WHMCS_Product_Id__c,
        is_sim=raw.Is_SIM__c,
        sort_order=raw.Portal_Sort_Order__c,
    )
