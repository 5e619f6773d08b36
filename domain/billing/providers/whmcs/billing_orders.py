"""WHMCS orders <-> billing order types: AddOrder, AcceptOrder, GetOrders, and a service's custom
fields (GetClientsProducts / UpdateClientProduct). Pure: no I/O.

Writing: `build_whmcs_add_order` and `build_whmcs_custom_fields` turn domain values into the
form parameters WHMCS expects (PHP arrays as ``pid[0]``, custom fields as
``base64_encode(serialize([fieldid => value]))``). Reading: each `transform_*` validates the raw
shape, builds the domain object and so validates it; a mismatch raises MappingError naming the
raw field.
"""
import base64
from collections.abc import Mapping
from typing import Annotated

from pydantic import BeforeValidator

from domain.billing.orders import (
    BillingOrder,
    BillingOrderItem,
    NewBillingOrder,
    PlacedBillingOrder,
    ServiceCustomField,
    ServiceCustomFields,
)
from domain.catalog.types import BillingCycle
from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.providers.whmcs import (
    PROVIDER,
    WhmcsContainer,
    WhmcsCount,
    WhmcsId,
    WhmcsList,
    WhmcsOptionalId,
    WhmcsRawModel,
    WhmcsText,
)

WHMCS_BILLING_CYCLES = {
    BillingCycle.MONTHLY: "monthly",
    BillingCycle.ANNUALLY: "annually",
    BillingCycle.ONE_TIME: "onetime",
}
"""The catalog's billing cycles -> WHMCS's system names for AddOrder's ``billingcycle[]``."""


# --- raw answers ------------------------------------------------------------------------------------


def _id_list(value: object) -> object:
    """AddOrder's ``serviceids``: "101,102" (or "" for none); a JSON list is accepted too."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return value


class WhmcsAddedOrderRaw(WhmcsRawModel):
    """AddOrder: ``{"result": "success", "orderid": 12, "serviceids": "101,102", "invoiceid": 34}``."""

    orderid: WhmcsId
    serviceids: Annotated[list[WhmcsId], BeforeValidator(_id_list)] = []
    invoiceid: WhmcsOptionalId = None


class WhmcsOrderLineItemRaw(WhmcsRawModel):
    type: WhmcsText = ""
    relid: WhmcsOptionalId = None
    product: WhmcsText = ""
    status: WhmcsText = ""


class WhmcsOrderLineItemsRaw(WhmcsRawModel):
    lineitem: WhmcsList[WhmcsOrderLineItemRaw] = []


class WhmcsOrderRaw(WhmcsRawModel):
    id: WhmcsId
    userid: WhmcsId
    status: WhmcsText
    notes: WhmcsText = ""
    invoiceid: WhmcsOptionalId = None
    lineitems: WhmcsContainer[WhmcsOrderLineItemsRaw] = WhmcsOrderLineItemsRaw()


class WhmcsOrderListRaw(WhmcsRawModel):
    order: WhmcsList[WhmcsOrderRaw] = []


class WhmcsOrdersRaw(WhmcsRawModel):
    """The body of GetOrders."""

    totalresults: WhmcsCount
    startnumber: WhmcsCount = 0
    orders: WhmcsContainer[WhmcsOrderListRaw] = WhmcsOrderListRaw()


class WhmcsServiceCustomFieldRaw(WhmcsRawModel):
    id: WhmcsId
    name: WhmcsText
    value: WhmcsText = ""


class WhmcsServiceCustomFieldsRaw(WhmcsRawModel):
    customfield: WhmcsList[WhmcsServiceCustomFieldRaw] = []


class WhmcsServiceFieldsRaw(WhmcsRawModel):
    """A GetClientsProducts entry, as far as its custom fields go."""

    id: WhmcsId
    clientid: WhmcsId
    customfields: WhmcsContainer[WhmcsServiceCustomFieldsRaw] = WhmcsServiceCustomFieldsRaw()


class WhmcsServiceFieldListRaw(WhmcsRawModel):
    product: WhmcsList[WhmcsServiceFieldsRaw] = []


class WhmcsServiceFieldsAnswerRaw(WhmcsRawModel):
    """The body of GetClientsProducts filtered by ``serviceid``."""

    products: WhmcsContainer[WhmcsServiceFieldListRaw] = WhmcsServiceFieldListRaw()


# --- requests ----------------------------------------------------------------------------------------


def build_whmcs_add_order(order: NewBillingOrder) -> dict[str, str | int]:
    """The form parameters of AddOrder: one ``pid[n]``/``billingcycle[n]`` pair per line (one
    service each, so the answer's ``serviceids`` line up with the lines), no e-mails (the portal
    tells the customer), an invoice for the first payment."""
    if not isinstance(order, NewBillingOrder):
        raise TypeError("order must be a NewBillingOrder")
    params: dict[str, str | int] = {
        "clientid": order.client_id,
        "paymentmethod": order.payment_method,
        "noemail": "true",
    }
    if order.notes:
        params["notes"] = order.notes
    for index, line in enumerate(order.lines):
        params[f"pid[{index}]"] = line.product_id
        params[f"billingcycle[{index}]"] = WHMCS_BILLING_CYCLES[BillingCycle(line.billing_cycle)]
    return params


def build_whmcs_custom_fields(values: Mapping[int, str]) -> str:
    """``base64_encode(serialize([fieldid => value]))``, as AddOrder and UpdateClientProduct take them."""
    if not values:
        raise ValueError("at least one custom field value is needed")
    parts = []
    for field_id, value in values.items():
        if not isinstance(field_id, int) or isinstance(field_id, bool) or field_id <= 0:
            raise ValueError("custom field ids are positive whole numbers")
        if not isinstance(value, str):
            raise TypeError("custom field values are text")
        parts.append(f'i:{field_id};s:{len(value.encode("utf-8"))}:"{value}";')
    serialized = f"a:{len(parts)}:{{{''.join(parts)}}}"
    return base64.b64encode(serialized.encode("utf-8")).decode("ascii")


# --- answers -----------------------------------------------------------------------------------------


def transform_whmcs_added_order(raw_response: object) -> PlacedBillingOrder:
    """The order id, service ids (in line order) and invoice id of an AddOrder answer."""
    parsed = validate_raw(WhmcsAddedOrderRaw, raw_response, provider=PROVIDER, entity="added order")
    return build_domain(
        PlacedBillingOrder,
        provider=PROVIDER,
        entity="added order",
        order_id=parsed.orderid,
        service_ids=tuple(parsed.serviceids),
        invoice_id=parsed.invoiceid,
    )


def transform_whmcs_order_list(raw_response: object) -> tuple[BillingOrder, ...]:
    """The orders of a GetOrders answer, in its order (newest first)."""
    parsed = validate_raw(WhmcsOrdersRaw, raw_response, provider=PROVIDER, entity="order list")
    return tuple(_order(raw) for raw in parsed.orders.order)


def transform_whmcs_service_custom_fields(raw_response: object, *, service_id: int) -> ServiceCustomFields | None:
    """The custom fields (with their ids) of one service from GetClientsProducts filtered by
    ``serviceid``; None when the answer does not hold that service."""
    parsed = validate_raw(WhmcsServiceFieldsAnswerRaw, raw_response, provider=PROVIDER, entity="service fields")
    matches = [product for product in parsed.products.product if product.id == service_id]
    if len(matches) > 1:
        raise MappingError(provider=PROVIDER, entity="service fields", field="products.product",
                           reason="the service is listed twice")
    if not matches:
        return None
    service = matches[0]
    return build_domain(
        ServiceCustomFields,
        provider=PROVIDER,
        entity="service fields",
        service_id=service.id,
        client_id=service.clientid,
        fields=tuple(
            build_domain(ServiceCustomField, provider=PROVIDER, entity="service custom field",
                         id=field.id, name=field.name, value=field.value)
            for field in service.customfields.customfield
        ),
    )


def _order(raw: WhmcsOrderRaw) -> BillingOrder:
    return build_domain(
        BillingOrder,
        provider=PROVIDER,
        entity="order",
        id=raw.id,
        client_id=raw.userid,
        status=raw.status,
        notes=raw.notes,
        invoice_id=raw.invoiceid,
        items=tuple(
            build_domain(
                BillingOrderItem,
                provider=PROVIDER,
                entity="order line item",
                service_id=item.relid if item.type in ("product", "") else None,
                product_name=item.product,
                status=item.status,
            )
            for item in raw.lineitems.lineitem
        ),
    )
