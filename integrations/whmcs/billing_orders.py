"""Billing orders on WHMCS: AddOrder, AcceptOrder, GetOrders, and the custom fields of the services
an order created (GetClientsProducts, UpdateClientProduct).

Neither AddOrder nor AcceptOrder is idempotent in WHMCS and the connection sends each once. A caller
that must place an order exactly once records the order id as soon as AddOrder answers, and puts a
marker in the order's notes (``domain.billing.orders.order_marker``) so that, when the answer was
lost, :meth:`WhmcsBillingOrderClient.find_order_with_marker` finds the order it already placed.
"""
from __future__ import annotations

from collections.abc import Mapping

from domain.billing.orders import BillingOrder, NewBillingOrder, PlacedBillingOrder, ServiceCustomFields
from domain.billing.providers.whmcs import billing_orders as mapper
from integrations.whmcs.connection import WhmcsConnection

ORDERS_SEARCHED = 100
"""How many of the client's most recent orders a marker search reads (WHMCS lists newest first)."""


class WhmcsBillingOrderClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def add_order(self, order: NewBillingOrder) -> PlacedBillingOrder:
        """Place the order (one Pending service per line, and its first invoice). Sent once."""
        return mapper.transform_whmcs_added_order(self._whmcs.call("AddOrder", mapper.build_whmcs_add_order(order)))

    def accept_order(self, order_id: int) -> None:
        """Accept a Pending order: its services are set up (module create) and become Active.

        WHMCS refuses an order that is not Pending (``WhmcsApiError``): read it back with
        :meth:`get_order` to tell "already accepted" from a real refusal.
        """
        self._whmcs.call("AcceptOrder", {"orderid": _positive(order_id, "order_id")})

    def get_order(self, order_id: int) -> BillingOrder | None:
        orders = mapper.transform_whmcs_order_list(
            self._whmcs.call("GetOrders", {"id": _positive(order_id, "order_id")})
        )
        return next((order for order in orders if order.id == order_id), None)

    def find_order_with_marker(self, client_id: int, marker: str) -> BillingOrder | None:
        """The client's most recent order whose notes carry ``marker``, among the last
        ``ORDERS_SEARCHED`` (an order is looked for right after it may have been placed)."""
        orders = mapper.transform_whmcs_order_list(self._whmcs.call("GetOrders", {
            "userid": _positive(client_id, "client_id"), "limitstart": 0, "limitnum": ORDERS_SEARCHED,
        }))
        return next((order for order in orders if order.client_id == client_id and order.carries_marker(marker)),
                    None)


class WhmcsServiceFieldClient:
    """The custom fields of one client service (e.g. a SIM service's "ICCID")."""

    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def get_custom_fields(self, service_id: int) -> ServiceCustomFields | None:
        """The service's custom fields with their ids, or None when there is no such service."""
        raw = self._whmcs.call("GetClientsProducts", {"serviceid": _positive(service_id, "service_id")})
        return mapper.transform_whmcs_service_custom_fields(raw, service_id=service_id)

    def set_custom_fields(self, service_id: int, values: Mapping[int, str]) -> None:
        """Set custom field values by field id (other fields keep theirs). Sent once; setting the
        same values again is harmless."""
        self._whmcs.call("UpdateClientProduct", {
            "serviceid": _positive(service_id, "service_id"),
            "customfields": mapper.build_whmcs_custom_fields(values),
        })


def _positive(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive whole number")
    return value
