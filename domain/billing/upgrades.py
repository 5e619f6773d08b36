"""Changing a service to another product, billed by the billing system (WHMCS ``UpgradeProduct``).

The billing system prices a change pro rata: the difference between the new and the old recurring
price for the days left in the service's billing cycle. A quote asks for that price and changes
nothing; placing the change creates an **upgrade order**, and an invoice when there is something
to pay: the service moves to the new product once that invoice is paid (at once when there is
nothing to pay). ``UpgradeProduct`` takes no notes and no idempotency key, so a caller that lost its
answer finds the upgrade order among the client's orders placed after it started (at most one
upgrade of a service waits for payment at a time), and marks the invoice with its own marker
(``domain.billing.orders.order_marker``) as soon as it knows the invoice.
"""
from typing import Annotated

from pydantic import Field

from domain.shared.model import DomainModel
from domain.shared.money import Money

PositiveId = Annotated[int, Field(gt=0)]


class UpgradeQuote(DomainModel):
    """What moving a service to another product costs today (``calconly``)."""

    service_id: PositiveId
    old_product_id: PositiveId
    new_product_id: PositiveId
    new_product_name: str
    billing_cycle: Annotated[str, Field(min_length=1)]
    """The billing system's cycle name, e.g. "monthly"."""
    days_until_renewal: Annotated[int, Field(ge=0)]
    total_days: Annotated[int, Field(gt=0)]
    price: Money
    """Pro rata, tax included: above zero for an upgrade, zero or below for a downgrade."""
    upgrade_in_progress: bool = False
    """Another upgrade of the service is still waiting for its invoice to be paid."""

    @property
    def is_charged(self) -> bool:
        return self.price.amount > 0


class PlacedUpgrade(DomainModel):
    """The answer to a real ``UpgradeProduct``: the upgrade order and its invoice (None: nothing to pay)."""

    upgrade_id: PositiveId
    order_id: PositiveId
    invoice_id: PositiveId | None = None
    price: Money


class UpgradeOrder(DomainModel):
    """An upgrade order as the client's order list shows it."""

    id: PositiveId
    client_id: PositiveId
    status: Annotated[str, Field(min_length=1)]
    """"Pending" until paid (or accepted), "Active" once the service moved, "Cancelled"."""
    invoice_id: PositiveId | None = None
    service_ids: tuple[PositiveId, ...] = ()
    """The services the order upgrades."""

    @property
    def is_cancelled(self) -> bool:
        return self.status == "Cancelled"

    def upgrades(self, service_id: int) -> bool:
        return service_id in self.service_ids


class ProductPrice(DomainModel):
    """A billing product's recurring price in one currency and cycle (what a service on it is billed)."""

    product_id: PositiveId
    billing_cycle: Annotated[str, Field(min_length=1)]
    price: Money
