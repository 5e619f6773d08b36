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

from pydantic import ValidationError

from domain.catalog.types import ItemClass
from domain.orders.providers.salesforce.raw import (
    SfOpenOrderCheckRaw,
    SfOrderItemRaw,
    SfOrderLineRefRaw,
    SfOrderLookupRaw,
    SfOrderRaw,
)
from domain.orders.types import (
    NewOrder,
    OrderDetails,
    OrderItem,
    OrderStatus,
    OrderSummary,
    ProvisioningStatus,
    SimChoice,
)
from domain.shared.errors import MappingError
from domain.shared.mapping import Skipped, build_domain, map_each, validate_raw
from domain.shared.money import Money
from domain.shared.providers.salesforce import PROVIDER, SfQueryResult, tree_reference_ids
from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, checked_id
from domain.sim.types import SimKind

ORDER_REFERENCE_ID = "order"
"""The reference id of the Order record in the sObject Tree body; its lines are `item1`, `item2`, ..."""

_CURRENCY = re.compile(r"[A-Z]{3}")
UNSET_PROVISIONING_STATUS = {
    OrderStatus.DRAFT: ProvisioningStatus.PENDING_REVIEW,
    OrderStatus.ACTIVATED: ProvisioningStatus.ACTIVE,
}
"""The provisioning status of an order without `Provisioning_Status__c` (one staff created in
Salesforce): a draft waits for review, an activated order is active."""
DEFAULT_ITEM_CLASS = ItemClass.SERVICE
"""The item class of a line whose product has no `Item_Class__c`."""
DEFAULT_SIM_KIND = SimKind.PHYSICAL
"""The SIMs of a SIM plan's line without `SIM_Type__c` (one staff created in Salesforce): cards."""
_EID_SEPARATORS = re.compile(r"[\s,;]+")


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
    raw_query_response: object, *, currency_code_default: str, on_skip: Skipped | None = None
) -> tuple[OrderSummary, ...]:
    """The customer's orders from the answer of the orders query, in its order (newest first).

    With `on_skip`, an order that cannot be read (a `Status` the portal does not know, ...) is left
    out and handed to `on_skip`; without it, it raises MappingError naming `records.<n>.<field>`.
    """
    _check_currency(currency_code_default)
    parsed = validate_raw(SfQueryResult[object], raw_query_response, provider=PROVIDER, entity="order list")

    def order(raw: object, path: str) -> OrderSummary:
        record = validate_raw(SfOrderRaw, raw, provider=PROVIDER, entity="order list", path=path)
        return build_domain(OrderSummary, provider=PROVIDER, entity="order",
                            **_summary_fields(record, currency_code_default))

    return map_each(parsed.records, order, on_skip=on_skip)


def transform_salesforce_order_items(
    raw_query_response: object, *, currency_code_default: str, on_skip: Skipped | None = None
) -> tuple[OrderItem, ...]:
    """The lines of an order from the answer of the order-items query (or its list of records).

    Strict without `on_skip` (provisioning: a line it cannot read must stop it); with `on_skip` a
    line that cannot be read is left out and handed to it (the customer's order page).
    """
    _check_currency(currency_code_default)
    return _items(raw_query_response, currency=currency_code_default, on_skip=on_skip)


def transform_salesforce_order_details(
    raw_order: object, raw_items: object, *, currency_code_default: str, on_skip: Skipped | None = None
) -> OrderDetails:
    """One order with its lines (the design's `transformSalesforceOrderDetails(order, items)`).

    `raw_order` is the record of the one-order query; `raw_items` the answer of the order-items
    query, or its list of records (`[]`: an order shown without its lines). A line of another
    order is refused: MappingError naming `records.<n>.OrderId`, whatever `on_skip`. A line that
    cannot be read is left out and handed to `on_skip` when one is given.
    """
    _check_currency(currency_code_default)
    order = validate_raw(SfOrderRaw, raw_order, provider=PROVIDER, entity="order")
    fields = _summary_fields(order, currency_code_default)
    return build_domain(
        OrderDetails,
        provider=PROVIDER,
        entity="order",
        **fields,
        items=_items(raw_items, currency=fields["total"].currency, on_skip=on_skip, order_id=order.Id),
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
            **_sim_fields(line.sim),
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


def _sim_fields(sim: SimChoice | None) -> dict[str, str]:
    """A SIM plan's line: `SIM_Type__c`, and an eSIM line's `EIDs__c` (one EID per line of text)."""
    if sim is None:
        return {}
    fields = {"SIM_Type__c": sim.kind.value}
    if sim.eids:
        fields["EIDs__c"] = "\n".join(sim.eids)
    return fields


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


def _items(raw: object, *, currency: str, on_skip: Skipped | None, order_id: str | None = None,
           ) -> tuple[OrderItem, ...]:
    if isinstance(raw, list | tuple):  # a bare list of records: give it the answer's shape
        raw = {"totalSize": len(raw), "done": True, "records": list(raw)}
    parsed = validate_raw(SfQueryResult[object], raw, provider=PROVIDER, entity="order items")
    if order_id is not None:  # a line of another order is never left out quietly: the answer is wrong
        for index, record in enumerate(parsed.records):
            try:
                line_of = SfOrderLineRefRaw.model_validate(record).OrderId
            except ValidationError:
                continue  # the line itself is malformed: mapping it says so
            if line_of != order_id:
                raise MappingError(provider=PROVIDER, entity="order items", field=f"records.{index}.OrderId",
                                   reason="the line belongs to another order")

    def line(record: object, path: str) -> OrderItem:
        parsed_line = validate_raw(SfOrderItemRaw, record, provider=PROVIDER, entity="order items", path=path)
        return _item(parsed_line, currency=currency, path=path)

    return map_each(parsed.records, line, on_skip=on_skip)


def _summary_fields(raw: SfOrderRaw, currency_code_default: str) -> dict[str, object]:
    currency = raw.CurrencyIsoCode or currency_code_default
    return {
        "id": raw.Id,
        "number": raw.OrderNumber,
        "account_id": raw.AccountId,
        "account_name": raw.Account.Name if raw.Account is not None else None,
        "status": raw.Status,
        "provisioning_status": raw.Provisioning_Status__c or UNSET_PROVISIONING_STATUS[raw.Status],
        "effective_date": raw.EffectiveDate,
        "created_at": raw.CreatedDate,
        "total": _money(raw.TotalAmount, currency, entity="order"),
    }


def _item(raw: SfOrderItemRaw, *, currency: str, path: str = "") -> OrderItem:
    product = raw.Product2
    if product.Billing_Cycle__c is None:
        raise MappingError(provider=PROVIDER, entity="order items", field=f"{path}Product2.Billing_Cycle__c",
                           reason="is null: how the line is billed is unknown")
    return build_domain(
        OrderItem,
        provider=PROVIDER,
        entity="order item",
        id=raw.Id,
        product_id=raw.Product2Id,
        pricebook_entry_id=raw.PricebookEntryId,
        product_name=product.Name,
        sku=product.StockKeepingUnit or "",
        item_class=product.Item_Class__c or DEFAULT_ITEM_CLASS,
        billing_cycle=product.Billing_Cycle__c,
        quantity=raw.Quantity,
        unit_price=_money(raw.UnitPrice, currency, entity="order item"),
        total_price=_money(raw.TotalPrice, currency, entity="order item"),
        whmcs_product_id=product.WHMCS_Product_Id__c,
        is_sim=product.Is_SIM__c,
        sim=_sim_choice(raw, path) if product.Is_SIM__c else None,
    )


def _sim_choice(raw: SfOrderItemRaw, path: str) -> SimChoice:
    eids = tuple(eid for eid in _EID_SEPARATORS.split(raw.EIDs__c or "") if eid)
    try:
        return SimChoice(kind=raw.SIM_Type__c or DEFAULT_SIM_KIND, eids=eids)
    except ValidationError as exc:
        raise MappingError(provider=PROVIDER, entity="order items", field=f"{path}EIDs__c",
                           reason=exc.errors()[0]["msg"]) from None


def _money(amount: Decimal, currency: str, *, entity: str) -> Money:
    return build_domain(Money, provider=PROVIDER, entity=entity, amount=amount, currency=currency)


def _json_number(amount: Decimal) -> int | float:
    if amount == amount.to_integral_value():
        return int(amount)
    number = float(amount)
    if Decimal(repr(number)) != amount:  # more digits than a JSON number carries exactly
        raise ValueError("the amount cannot be sent as an exact JSON number")
    return number
