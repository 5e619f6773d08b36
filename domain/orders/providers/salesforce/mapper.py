"""Salesforce order records <-> order domain types. Pure: every piece of context is an argument.

Reading: each function validates the raw shape, builds the domain object and so validates it; any
mismatch raises MappingError naming the raw field. Relationship fields (`Account.Name`,
`Product2.StockKeepingUnit`, ...) are read here and nowhere else.

Writing: `build_salesforce_order_tree` turns a NewOrder into the sObject Tree request body, and
`transform_salesforce_tree_result` reads Salesforce's answer to it.
"""
import re
from datetime import date
from decimal import Decimal
from typing import Any

from domain.orders.providers.salesforce.raw import (
    SfOpenOrderCheckRaw,
    SfOrderItemRaw,
    SfOrderItemsRaw,
    SfOrderListRaw,
    SfOrderLookupRaw,
    SfOrderRaw,
)
from domain.orders.types import NewOrder, OrderDetails, OrderItem, OrderStatus, OrderSummary, ProvisioningStatus
from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.money import Money
from domain.shared.providers.salesforce import PROVIDER, tree_reference_ids
from domain.shared.salesforce_id import InvalidSalesforceId
from domain.shared.salesforce_keys import KeyPrefix, checked_id

ORDER_REFERENCE_ID = "order"
"""The reference id of the Order record in the sObject Tree body; its lines are `item1`, `item2`, ..."""

_CURRENCY = re.compile(r"[A-Z]{3}")


def transform_salesforce_order_summary(raw: object, *, currency_code_default: str) -> OrderSummary:
    """An order from one record of the order queries.

    The total is in the record's `CurrencyIsoCode` when the query selected it (an org with several
    currencies), else in `currency_code_default`.
    """
    _check_currency(currency_code_default)
    parsed = validate_raw(SfOrderRaw, raw, provider=PROVIDER, entity="order")
    fields = _summary_fields(parsed, currency_code_default)
    return build_domain(OrderSummary, provider=PROVIDER, entity="order", **fields)


def transform_salesforce_order_list(
    raw_query_response: object, *, currency_code_default: str
) -> tuple[OrderSummary, ...]:
    """The customer's orders from the answer of the orders query, in its order (newest first)."""
    _check_currency(currency_code_default)
    parsed = validate_raw(SfOrderListRaw, raw_query_response, provider=PROVIDER, entity="order list")
    return tuple(
        build_domain(OrderSummary, provider=PROVIDER, entity="order", **_summary_fields(record, currency_code_default))
        for record in parsed.records
    )


def transform_salesforce_order_items(
    raw_query_response: object, *, currency_code_default: str
) -> tuple[OrderItem, ...]:
    """The lines of an order from the answer of the order-items query (or its list of records)."""
    _check_currency(currency_code_default)
    parsed = _validate_items(raw_query_response)
    return tuple(_item(record, currency=currency_code_default) for record in parsed.records)


def transform_salesforce_order_details(
    raw_order: object, raw_items: object, *, currency_code_default: str
) -> OrderDetails:
    """One order with its lines (the design's `transformSalesforceOrderDetails(order, items)`).

    `raw_order` is the record of the one-order query; `raw_items` the answer of the order-items
    query, or its list of records (`[]`: an order shown without its lines). A line of another
    order is refused: MappingError naming `records.<n>.OrderId`.
    """
    _check_currency(currency_code_default)
    order = validate_raw(SfOrderRaw, raw_order, provider=PROVIDER, entity="order")
    items = _validate_items(raw_items)
    fields = _summary_fields(order, currency_code_default)
    for index, record in enumerate(items.records):
        if record.OrderId != order.Id:
            raise MappingError(
                provider=PROVIDER,
                entity="order items",
                field=f"records.{index}.OrderId",
                reason="the line belongs to another order",
            )
    return build_domain(
        OrderDetails,
        provider=PROVIDER,
        entity="order",
        **fields,
        items=tuple(_item(record, currency=fields["total"].currency) for record in items.records),
        provisioning_error=order.Provisioning_Error__c or None,
        whmcs_order_id=order.WHMCS_Order_Id__c,
    )


def transform_salesforce_order_lookup(raw_query_response: object) -> str | None:
    """The id of the order the order-by-request-id query found, or None: was this checkout saved?"""
    parsed = validate_raw(SfOrderLookupRaw, raw_query_response, provider=PROVIDER, entity="order lookup")
    if len(parsed.records) > 1:
        raise MappingError(provider=PROVIDER, entity="order lookup", field="records", reason="more than one record")
    return parsed.records[0].Id if parsed.records else None


def transform_salesforce_open_order_check(raw_query_response: object) -> bool:
    """Did the open-order-in-category query find a line (``SELECT Id, OrderId ... LIMIT 1``)?"""
    parsed = validate_raw(SfOpenOrderCheckRaw, raw_query_response, provider=PROVIDER, entity="open order check")
    return bool(parsed.records)


def build_salesforce_order_tree(new_order: NewOrder, *, effective_date: date) -> dict[str, Any]:
    """The body of `POST /services/data/v62.0/composite/tree/Order`: the order and its lines in one
    request, which Salesforce saves atomically (all or nothing).

    The order starts as a Draft pending review; its `Portal_Request_Id__c` (unique in Salesforce)
    makes a replayed checkout fail with DUPLICATE_VALUE instead of creating a second order.
    Amounts become JSON numbers: an int when whole (`1980`), else the decimal's exact float.
    """
    if not isinstance(new_order, NewOrder):
        raise TypeError("new_order must be a NewOrder")
    if not isinstance(effective_date, date):
        raise TypeError("effective_date must be a date")
    lines = [
        {
            "attributes": {"type": "OrderItem", "referenceId": f"item{number}"},
            "PricebookEntryId": line.pricebook_entry_id,
            "Product2Id": line.product_id,
            "Quantity": line.quantity,
            "UnitPrice": _json_number(line.unit_price.amount),
        }
        for number, line in enumerate(new_order.lines, start=1)
    ]
    order = {
        "attributes": {"type": "Order", "referenceId": ORDER_REFERENCE_ID},
        "AccountId": new_order.account_id,
        "Pricebook2Id": new_order.pricebook_id,
        "EffectiveDate": effective_date.isoformat(),
        "Status": OrderStatus.DRAFT.value,
        "Provisioning_Status__c": ProvisioningStatus.PENDING_REVIEW.value,
        "Portal_Request_Id__c": new_order.request_id,
        "OrderItems": {"records": lines},
    }
    return {"records": [order]}


def transform_salesforce_tree_result(raw: object) -> str:
    """The id of the Order an sObject Tree request created.

    Raises SalesforceSaveError (from `domain.shared.providers.salesforce`) carrying Salesforce's
    status codes and messages when it refused the request (`hasErrors: true`; nothing was saved).
    """
    ids = tree_reference_ids(raw, entity="order tree")
    if ORDER_REFERENCE_ID not in ids:
        raise MappingError(provider=PROVIDER, entity="order tree", field="results", reason="no result for the order")
    try:
        return checked_id(ids[ORDER_REFERENCE_ID], prefix=KeyPrefix.ORDER)
    except InvalidSalesforceId as exc:
        raise MappingError(provider=PROVIDER, entity="order tree", field="results", reason=f"order id {exc}") from None


def _check_currency(code: str) -> None:
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code):
        raise ValueError("currency_code_default must be three upper-case letters, e.g. 'JPY'")


def _validate_items(raw: object) -> SfOrderItemsRaw:
    if isinstance(raw, list | tuple):  # a bare list of records: give it the answer's shape
        raw = {"totalSize": len(raw), "done": True, "records": list(raw)}
    return validate_raw(SfOrderItemsRaw, raw, provider=PROVIDER, entity="order items")


def _summary_fields(raw: SfOrderRaw, currency_code_default: str) -> dict[str, object]:
    currency = raw.CurrencyIsoCode or currency_code_default
    return {
        "id": raw.Id,
        "number": raw.OrderNumber,
        "account_id": raw.AccountId,
        "account_name": raw.Account.Name if raw.Account is not None else None,
        "status": raw.Status,
        "provisioning_status": raw.Provisioning_Status__c,
        "effective_date": raw.EffectiveDate,
        "created_at": raw.CreatedDate,
        "total": _money(raw.TotalAmount, currency, entity="order"),
    }


def _item(raw: SfOrderItemRaw, *, currency: str) -> OrderItem:
    product = raw.Product2
    return build_domain(
        OrderItem,
        provider=PROVIDER,
        entity="order item",
        id=raw.Id,
        product_id=raw.Product2Id,
        pricebook_entry_id=raw.PricebookEntryId,
        product_name=product.Name,
        sku=product.StockKeepingUnit,
        item_class=product.Item_Class__c,
        billing_cycle=product.Billing_Cycle__c,
        quantity=raw.Quantity,
        unit_price=_money(raw.UnitPrice, currency, entity="order item"),
        total_price=_money(raw.TotalPrice, currency, entity="order item"),
        whmcs_product_id=product.WHMCS_Product_Id__c,
        is_sim=product.Is_SIM__c,
    )


def _money(amount: Decimal, currency: str, *, entity: str) -> Money:
    return build_domain(Money, provider=PROVIDER, entity=entity, amount=amount, currency=currency)


def _json_number(amount: Decimal) -> int | float:
    if amount == amount.to_integral_value():
        return int(amount)
    number = float(amount)
    if Decimal(repr(number)) != amount:  # more digits than a JSON number carries exactly
        raise ValueError("the amount cannot be sent as an exact JSON number")
    return number
