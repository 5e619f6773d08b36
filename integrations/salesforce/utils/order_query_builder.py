"""The order queries. The design's `WHERE Id = '${orderId}'` is not carried over (docs/decisions.md §4):
every id is validated, every value quoted by `format_soql`, and field names are constants.
"""
from collections.abc import Iterable

from simple_salesforce import format_soql

from domain.catalog.types import ProductCategory
from domain.orders.types import InvalidRequestId, OrderStatus, ProvisioningStatus, check_request_id
from domain.shared.salesforce_id import KeyPrefix
from integrations.salesforce.utils.catalog_query_builder import require_category
from integrations.salesforce.utils.soql import (
    InvalidQueryArgumentError,
    check_limit,
    field_list,
    require_salesforce_id,
    unique_fields,
)

ORDER_FIELDS = (
    "Id",
    "AccountId",
    "Status",
    "Type",
    "EffectiveDate",
    "OrderNumber",
    "TotalAmount",
    "CreatedDate",
    "Provisioning_Status__c",
    "Provisioning_Error__c",
    "Account.Name",
    "Account.Email__c",
)
"""The design's `buildOrderSelectFields` and the provisioning fields of docs/salesforce-model.md."""
ORDER_DETAIL_FIELDS = ("WHMCS_Order_Id__c",)
"""What the one-order query reads besides ORDER_FIELDS."""
ORDER_ITEM_FIELDS = (
    "Id",
    "OrderId",
    "Product2Id",
    "PricebookEntryId",
    "Quantity",
    "UnitPrice",
    "TotalPrice",
    "SIM_Type__c",
    "EIDs__c",
    "Product2.Name",
    "Product2.StockKeepingUnit",
    "Product2.Item_Class__c",
    "Product2.Billing_Cycle__c",
    "Product2.WHMCS_Product_Id__c",
    "Product2.Is_SIM__c",
)
ORDERS_LIMIT = 50
MAX_ORDERS_LIMIT = 200


def build_order_select_fields(additional: Iterable[str] = ()) -> list[str]:
    """ORDER_FIELDS then `additional`, each field once (compared without letter case)."""
    return unique_fields([*ORDER_FIELDS, *unique_fields(additional)])


def build_orders_for_account_query(account_id: str, limit: int = ORDERS_LIMIT) -> str:
    """The customer's orders, newest first."""
    return format_soql(
        "SELECT {fields:literal} FROM Order WHERE AccountId = {account_id} ORDER BY CreatedDate DESC LIMIT {limit}",
        fields=field_list(build_order_select_fields()),
        account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
        limit=check_limit(limit, maximum=MAX_ORDERS_LIMIT),
    )


def build_order_query(order_id: str, account_id: str) -> str:
    """One order, only if it belongs to the account: another customer's order id finds nothing."""
    return format_soql(
        "SELECT {fields:literal} FROM Order WHERE Id = {order_id} AND AccountId = {account_id} LIMIT 1",
        fields=field_list(build_order_select_fields(ORDER_DETAIL_FIELDS)),
        order_id=require_salesforce_id(order_id, prefix=KeyPrefix.ORDER),
        account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
    )


def build_order_by_id_query(order_id: str) -> str:
    """One order by its id alone, for provisioning (which knows only the order id of the event).

    Not for customer-facing reads: those use `build_order_query`, which checks the Account.
    """
    return format_soql(
        "SELECT {fields:literal} FROM Order WHERE Id = {order_id} LIMIT 1",
        fields=field_list(build_order_select_fields(ORDER_DETAIL_FIELDS)),
        order_id=require_salesforce_id(order_id, prefix=KeyPrefix.ORDER),
    )


def build_order_items_query(order_id: str) -> str:
    """The lines of an order (check the order's account first: this query does not)."""
    return format_soql(
        "SELECT {fields:literal} FROM OrderItem WHERE OrderId = {order_id} ORDER BY Id",
        fields=field_list(ORDER_ITEM_FIELDS),
        order_id=require_salesforce_id(order_id, prefix=KeyPrefix.ORDER),
    )


def build_order_by_request_id_query(request_id: str, account_id: str) -> str:
    """The order this Account's checkout already created, if any (idempotent checkout).

    Scoped to the Account: another customer's request id finds nothing here.
    """
    try:
        checked = check_request_id(request_id)
    except InvalidRequestId as exc:
        raise InvalidQueryArgumentError(f"request id {exc}") from None
    account = require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT)
    return format_soql(
        "SELECT Id FROM Order WHERE Portal_Request_Id__c = {request_id} AND AccountId = {account_id} LIMIT 1",
        request_id=checked, account_id=account,
    )


def build_open_order_in_category_query(account_id: str, category: ProductCategory | str) -> str:
    """A line of one of the Account's orders still under way (a Draft whose provisioning has not
    failed) for a product of ``category``: does the customer already have such an order coming?"""
    return format_soql(
        "SELECT Id, OrderId FROM OrderItem WHERE Order.AccountId = {account_id} AND Product2.Family = {category} "
        "AND Order.Status = {draft} AND Order.Provisioning_Status__c != {failed} LIMIT 1",
        account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
        category=require_category(category).value,
        draft=OrderStatus.DRAFT.value, failed=ProvisioningStatus.FAILED.value,
    )
