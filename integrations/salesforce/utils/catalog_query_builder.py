"""The catalog query: portal products with their portal price, in one query (no N+1)."""
from simple_salesforce import format_soql

from domain.catalog.types import ProductCategory
from domain.shared.salesforce_id import KeyPrefix
from integrations.salesforce.utils.soql import InvalidQueryArgumentError, field_list, require_salesforce_id

PRODUCT_FIELDS = (
    "Id",
    "Name",
    "ProductCode",
    "StockKeepingUnit",
    "Description",
    "Family",
    "Item_Class__c",
    "Billing_Cycle__c",
    "WHMCS_Product_Id__c",
    "Is_SIM__c",
    "Portal_Sort_Order__c",
)
PRICEBOOK_ENTRY_FIELDS = ("Id", "UnitPrice", "CurrencyIsoCode")


def require_category(category: object) -> ProductCategory:
    """One of the known categories (`ProductCategory`, or its exact value such as "Mobile")."""
    if isinstance(category, str):
        try:
            return ProductCategory(category)
        except ValueError:
            pass
    raise InvalidQueryArgumentError(f"category must be one of {', '.join(c.value for c in ProductCategory)}")


def build_catalog_query(pricebook_id: str, category: ProductCategory | str | None = None) -> str:
    """Active portal products (of one category, if given), each with its active entries in the
    portal price book as the child subquery `PricebookEntries`; ordered as the catalog shows them.
    """
    where = "Portal_Catalog__c = true AND IsActive = true"
    if category is not None:
        where += format_soql(" AND Family = {}", require_category(category).value)
    return format_soql(
        "SELECT {fields:literal}, "
        "(SELECT {entry_fields:literal} FROM PricebookEntries WHERE Pricebook2Id = {pricebook_id} AND IsActive = true) "
        "FROM Product2 WHERE {where:literal} ORDER BY Family, Portal_Sort_Order__c, Name",
        fields=field_list(PRODUCT_FIELDS),
        entry_fields=field_list(PRICEBOOK_ENTRY_FIELDS),
        pricebook_id=require_salesforce_id(pricebook_id, prefix=KeyPrefix.PRICEBOOK),
        where=where,
    )
