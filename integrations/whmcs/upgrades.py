"""Changing a client's service to another product: UpgradeProduct (a quote with ``calconly``, then
for real), the upgrade orders it leaves, their invoices' notes, CancelOrder, and product prices.

``UpgradeProduct`` is not idempotent and takes no marker, so a real one is sent once (the
connection never retries a write). A caller that may lose its answer first records
:meth:`WhmcsUpgradeClient.newest_order_id`, and after a lost answer looks for the upgrade with
:meth:`WhmcsUpgradeClient.find_upgrade_orders` (the service's upgrade orders placed after that id)
before it tries again; WHMCS itself refuses a second upgrade of a service while the first one's
invoice is unpaid. Once the invoice is known, :meth:`WhmcsUpgradeClient.mark_invoice` writes the
caller's marker into its notes.
"""
from __future__ import annotations

from collections.abc import Sequence

from domain.billing.providers.whmcs import upgrades as mapper
from domain.billing.upgrades import PlacedUpgrade, ProductPrice, UpgradeOrder, UpgradeQuote
from domain.shared.money import Currency
from integrations.whmcs.connection import WhmcsConnection

ORDERS_SEARCHED = 100
"""How many of the client's most recent orders an upgrade search reads (WHMCS lists newest first)."""


class WhmcsUpgradeClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def quote(self, service_id: int, new_product_id: int, *, billing_cycle: str, payment_method: str,
              currencies: Sequence[Currency]) -> UpgradeQuote:
        """What moving the service to ``new_product_id`` costs today; creates nothing."""
        raw = self._whmcs.call("UpgradeProduct", mapper.build_whmcs_upgrade_product(
            service_id=service_id, new_product_id=new_product_id, billing_cycle=billing_cycle,
            payment_method=payment_method, calc_only=True))
        return mapper.transform_whmcs_upgrade_quote(raw, service_id=service_id, currencies=currencies)

    def upgrade(self, service_id: int, new_product_id: int, *, billing_cycle: str, payment_method: str,
                currencies: Sequence[Currency]) -> PlacedUpgrade:
        """Place the upgrade order (and its invoice when there is something to pay). Sent once."""
        raw = self._whmcs.call("UpgradeProduct", mapper.build_whmcs_upgrade_product(
            service_id=service_id, new_product_id=new_product_id, billing_cycle=billing_cycle,
            payment_method=payment_method, calc_only=False))
        return mapper.transform_whmcs_placed_upgrade(raw, currencies=currencies)

    def newest_order_id(self, client_id: int) -> int:
        """The id of the client's most recent order (0 when they have none)."""
        return mapper.transform_whmcs_newest_order_id(self._whmcs.call("GetOrders", {
            "userid": _positive(client_id, "client_id"), "limitstart": 0, "limitnum": 1,
        }))

    def find_upgrade_orders(self, client_id: int, service_id: int, *, after_order_id: int) -> tuple[UpgradeOrder, ...]:
        """The client's orders upgrading ``service_id`` placed after ``after_order_id``, newest first."""
        orders = mapper.transform_whmcs_upgrade_orders(self._whmcs.call("GetOrders", {
            "userid": _positive(client_id, "client_id"), "limitstart": 0, "limitnum": ORDERS_SEARCHED,
        }))
        return tuple(order for order in orders
                     if order.client_id == client_id and order.id > after_order_id and order.upgrades(service_id))

    def mark_invoice(self, invoice_id: int, notes: str) -> None:
        """Write ``notes`` (the caller's marker) into the invoice's notes. Setting them again is harmless."""
        self._whmcs.call("UpdateInvoice", {"invoiceid": _positive(invoice_id, "invoice_id"), "notes": notes})

    def cancel_order(self, order_id: int) -> None:
        """Cancel a Pending order (with its unpaid invoice): an upgrade that will not be paid for."""
        self._whmcs.call("CancelOrder", {"orderid": _positive(order_id, "order_id"), "noemail": "true"})

    def product_price(self, product_id: int, *, currency_code: str, billing_cycle: str) -> ProductPrice | None:
        """What a service on ``product_id`` is billed each ``billing_cycle`` in ``currency_code``."""
        raw = self._whmcs.call("GetProducts", {"pid": _positive(product_id, "product_id")})
        return mapper.transform_whmcs_product_price(raw, product_id=product_id, currency_code=currency_code,
                                                    billing_cycle=billing_cycle)


def _positive(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive whole number")
    return value
