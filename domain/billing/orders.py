"""Billing orders: what provisioning asks the billing system to set up, and what it answers.

An order for a client becomes one billing service per line (a SIM plan, a fibre line, a one-off
fee). The billing system has no idempotency key, so a new order carries a **marker** in its notes
(``portal-job:<key>``) by which a caller that lost the answer finds the order it already placed.
"""
import hashlib
import re
from typing import Annotated

from pydantic import Field, model_validator

from domain.catalog.types import BillingCycle
from domain.shared.model import DomainModel

MAX_ORDER_LINES = 100
"""More lines than any portal order has (an order has at most 199 items of at most 10 each, but
the portal's checkout keeps them few); a guard against a runaway request, not a business rule."""
MAX_NOTES_LENGTH = 2000

PositiveId = Annotated[int, Field(gt=0)]
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


class BillingOrderLine(DomainModel):
    """One service to set up: a billing product on a billing cycle (one line per unit ordered)."""

    product_id: PositiveId
    billing_cycle: BillingCycle


class NewBillingOrder(DomainModel):
    client_id: PositiveId
    payment_method: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    """The payment gateway's system name in the billing system (e.g. "stripe")."""
    lines: Annotated[tuple[BillingOrderLine, ...], Field(min_length=1, max_length=MAX_ORDER_LINES)]
    notes: Annotated[str, Field(max_length=MAX_NOTES_LENGTH)] = ""


class PlacedBillingOrder(DomainModel):
    """The answer to a new order: its id, the services it created (in line order), its invoice."""

    order_id: PositiveId
    service_ids: tuple[PositiveId, ...]
    invoice_id: PositiveId | None = None


class BillingOrderItem(DomainModel):
    """A line of an existing order: the service it created."""

    service_id: PositiveId | None
    """None for a line that is not a service (a domain, an add-on)."""
    product_name: str
    status: str


class BillingOrder(DomainModel):
    """An order as the billing system lists it."""

    id: PositiveId
    client_id: PositiveId
    status: Annotated[str, Field(min_length=1)]
    """"Pending" until accepted, then "Active" ("Cancelled", "Fraud", or a status the billing
    system's administrators defined)."""
    notes: str = ""
    invoice_id: PositiveId | None = None
    items: tuple[BillingOrderItem, ...] = ()

    @property
    def is_pending(self) -> bool:
        return self.status == "Pending"

    @property
    def is_active(self) -> bool:
        return self.status == "Active"

    @property
    def service_ids(self) -> tuple[int, ...]:
        """The services the order created, in the order's line order."""
        return tuple(item.service_id for item in self.items if item.service_id is not None)

    def carries_marker(self, marker: str) -> bool:
        """Whether one line of the notes is exactly `marker`."""
        return bool(marker) and any(line.strip() == marker for line in self.notes.splitlines())


class ServiceCustomField(DomainModel):
    """A custom field of a billing service (e.g. "ICCID"), with its id in the billing system."""

    id: PositiveId
    name: str
    value: str = ""


class ServiceCustomFields(DomainModel):
    service_id: PositiveId
    client_id: PositiveId
    fields: tuple[ServiceCustomField, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> "ServiceCustomFields":
        ids = [field.id for field in self.fields]
        if len(ids) != len(set(ids)):
            raise ValueError("a custom field is listed twice")
        return self

    def field_named(self, name: str) -> ServiceCustomField | None:
        return next((field for field in self.fields if field.name == name), None)


def order_marker(key: str) -> str:
    """The line a new order carries in its notes so that it can be found again: ``portal-job:<key>``
    for a plain key (a UUID, an order id), else ``portal-job:sha256-<digest of the key>``, so that
    the marker survives any billing system's handling of notes (one ASCII line, nothing to escape)."""
    if not isinstance(key, str) or not key.strip():
        raise ValueError("the marker key must be non-empty text")
    key = key.strip()
    if _PLAIN_KEY.fullmatch(key):
        return f"portal-job:{key}"
    return "portal-job:sha256-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
