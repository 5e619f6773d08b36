"""Raw Salesforce catalog records, as the REST query API returns the catalog query
(`integrations.salesforce.utils.catalog_query_builder`): `Product2` records, each with the child
subquery `PricebookEntries` holding its active entries of the portal price book.

Every field the query selects is present (Salesforce always sends a selected field, as `null`
when it is empty), except `CurrencyIsoCode`, which an org without multiple currencies lacks.
Fields `Product2` does not require may be `null`: `StockKeepingUnit`, `Family` and the portal's
picklists. The mapper gives the domain default (no `Item_Class__c`: a service) or, when the portal
cannot offer the product without it (no SKU, family or billing cycle), leaves that product out.
"""
from typing import Annotated

from domain.catalog.types import BillingCycle, ItemClass, ProductCategory
from domain.shared.providers.salesforce import (
    SalesforceRawModel,
    SfCheckbox,
    SfCurrencyCode,
    SfDecimal,
    SfOptionalText,
    SfPositiveWholeNumber,
    SfQueryResult,
    SfText,
    SfWholeNumber,
    optional_picklist,
)
from domain.shared.salesforce_id import PricebookEntryId, PricebookId, ProductId


class SfPricebookEntryRaw(SalesforceRawModel):
    Id: PricebookEntryId
    UnitPrice: SfDecimal
    CurrencyIsoCode: SfCurrencyCode = None


class SfProductRaw(SalesforceRawModel):
    Id: ProductId
    Name: SfText
    ProductCode: SfOptionalText
    StockKeepingUnit: SfOptionalText
    Description: SfOptionalText
    Family: Annotated[ProductCategory | None, optional_picklist(ProductCategory)]
    Item_Class__c: Annotated[ItemClass | None, optional_picklist(ItemClass)]
    Billing_Cycle__c: Annotated[BillingCycle | None, optional_picklist(BillingCycle)]
    WHMCS_Product_Id__c: SfPositiveWholeNumber | None
    Is_SIM__c: SfCheckbox
    Portal_Sort_Order__c: SfWholeNumber | None
    PricebookEntries: SfQueryResult[SfPricebookEntryRaw] | None
    """The product's active entries in the portal price book; null when it has none."""


SfCatalogRaw = SfQueryResult[SfProductRaw]
"""The answer of the catalog query."""


class SfPricebookIdRaw(SalesforceRawModel):
    Id: PricebookId


SfPricebookLookupRaw = SfQueryResult[SfPricebookIdRaw]
"""The answer of the price-book-by-name query."""
