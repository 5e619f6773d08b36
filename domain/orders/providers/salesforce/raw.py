"""Raw Salesforce order records, as the REST query API returns the order queries
(`integrations.salesforce.utils.order_query_builder`), and the sObject Tree body that creates one.

Every field the queries select is present (Salesforce always sends a selected field, as `null`
when it is empty); the relationship fields (`Account.Name`, `Product2.StockKeepingUnit`, ...) come
as nested objects, `null` when the related record is missing or hidden.

Fields Salesforce does not require may be `null` on any record, however the portal creates its
own: an order staff created in Salesforce has no `Provisioning_Status__c`, a product may have no
SKU, item class or billing cycle. They are nullable here; the mapper gives the domain default.
"""
from typing import Annotated

from pydantic import Field

from domain.catalog.types import BillingCycle, ItemClass
from domain.orders.types import OrderStatus, ProvisioningStatus
from domain.shared.providers.salesforce import (
    RequiredRelationship,
    SalesforceRawModel,
    SfCheckbox,
    SfCurrencyCode,
    SfDate,
    SfDateTime,
    SfDecimal,
    SfOptionalText,
    SfPositiveWholeNumber,
    SfQueryResult,
    SfText,
    SfWholeNumber,
    optional_picklist,
    picklist,
)
from domain.shared.salesforce_id import AccountId, OrderId, OrderItemId, PricebookEntryId, ProductId
from domain.sim.types import SimKind


class SfOrderAccountRaw(SalesforceRawModel):
    """`Order.Account`: the relationship object carrying `Account.Name` (and `Account.Email__c`)."""

    Name: SfOptionalText = None


class SfOrderRaw(SalesforceRawModel):
    """A record of the order queries (the customer's orders, or one order)."""

    Id: OrderId
    AccountId: AccountId
    Status: Annotated[OrderStatus, picklist(OrderStatus)]
    EffectiveDate: SfDate
    OrderNumber: SfText
    TotalAmount: SfDecimal
    CreatedDate: SfDateTime
    Provisioning_Status__c: Annotated[ProvisioningStatus | None, optional_picklist(ProvisioningStatus)]
    """Null on an order the portal did not create (staff, an import): the mapper derives it from `Status`."""
    Provisioning_Error__c: SfOptionalText
    Account: SfOrderAccountRaw | None
    WHMCS_Order_Id__c: SfPositiveWholeNumber | None = None
    """Only the one-order query selects it."""
    CurrencyIsoCode: SfCurrencyCode = None
    """Not selected by default: an org with multiple currencies adds it to the select fields."""


class SfOrderItemProductRaw(SalesforceRawModel):
    """`OrderItem.Product2`: the relationship object carrying the product fields of a line."""

    Name: SfText
    StockKeepingUnit: SfOptionalText
    """Null: the line shows no SKU."""
    Item_Class__c: Annotated[ItemClass | None, optional_picklist(ItemClass)]
    """Null: a service line."""
    Billing_Cycle__c: Annotated[BillingCycle | None, optional_picklist(BillingCycle)]
    """Null: nothing says how the line is billed; the line cannot be shown or provisioned."""
    WHMCS_Product_Id__c: SfPositiveWholeNumber | None
    Is_SIM__c: SfCheckbox


class SfOrderItemRaw(SalesforceRawModel):
    Id: OrderItemId
    OrderId: OrderId
    Product2Id: ProductId
    PricebookEntryId: PricebookEntryId
    Quantity: Annotated[SfWholeNumber, Field(ge=1)]
    UnitPrice: SfDecimal
    TotalPrice: SfDecimal
    Product2: Annotated[SfOrderItemProductRaw, RequiredRelationship]
    SIM_Type__c: Annotated[SimKind | None, optional_picklist(SimKind)] = None
    """A SIM plan's line: "Physical" or "eSIM"; null on other lines, and on a SIM line staff made (cards)."""
    EIDs__c: SfOptionalText = None
    """An eSIM line's phones: one EID per unit, one per line of the text."""


SfOrderListRaw = SfQueryResult[SfOrderRaw]
"""The answer of the customer's-orders query."""
SfOrderItemsRaw = SfQueryResult[SfOrderItemRaw]
"""The answer of the order-items query."""


class SfOrderIdRaw(SalesforceRawModel):
    Id: OrderId


SfOrderLookupRaw = SfQueryResult[SfOrderIdRaw]
"""The answer of the order-by-request-id query (`SELECT Id FROM Order WHERE ... LIMIT 1`)."""


class SfOrderLineRefRaw(SalesforceRawModel):
    Id: OrderItemId
    OrderId: OrderId


SfOpenOrderCheckRaw = SfQueryResult[SfOrderLineRefRaw]
"""The answer of the open-order-in-category query (`SELECT Id, OrderId FROM OrderItem ... LIMIT 1`)."""
