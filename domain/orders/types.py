"""Order domain types: a customer's orders, their lines and provisioning, and a new order to place."""
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, Strict, model_validator

from domain.catalog.types import BillingCycle, ItemClass
from domain.shared.model import DomainModel
from domain.shared.money import Money
from domain.shared.salesforce_id import AccountId, OrderId, OrderItemId, PricebookEntryId, PricebookId, ProductId
from domain.sim.types import Eid, SimKind

MAX_LINE_QUANTITY = 10
MAX_ORDER_LINES = 199
"""An sObject Tree request holds at most 200 records: the order and 199 lines."""

_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


class InvalidRequestId(ValueError):
    pass


def check_request_id(value: object) -> str:
    """A checkout's idempotency key: 1 to 64 ASCII letters, digits and hyphens (a UUID fits)."""
    if not isinstance(value, str) or not _REQUEST_ID.fullmatch(value):
        raise InvalidRequestId("must be 1 to 64 letters, digits or hyphens")
    return value


RequestId = Annotated[str, AfterValidator(check_request_id)]


class OrderStatus(StrEnum):
    """Salesforce's standard `Order.Status`: Draft while the order waits, Activated once done."""

    DRAFT = "Draft"
    ACTIVATED = "Activated"


class ProvisioningStatus(StrEnum):
    """How far the order's services are (`Order.Provisioning_Status__c`): what the customer follows."""

    PENDING_REVIEW = "Pending Review"
    APPROVED = "Approved"
    ACTIVATING = "Activating"
    ACTIVE = "Active"
    FAILED = "Failed"

    @property
    def is_final(self) -> bool:
        return self in (ProvisioningStatus.ACTIVE, ProvisioningStatus.FAILED)


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    FAILED = "failed"
    UPCOMING = "upcoming"


class TimelineStep(DomainModel):
    status: ProvisioningStatus
    label: str
    state: StepState


TIMELINE = (
    (ProvisioningStatus.PENDING_REVIEW, "Under review"),
    (ProvisioningStatus.APPROVED, "Approved"),
    (ProvisioningStatus.ACTIVATING, "Activating"),
    (ProvisioningStatus.ACTIVE, "Active"),
)
"""The steps every order goes through, in order, with their customer-facing labels."""

FAILS_AT = ProvisioningStatus.ACTIVATING
"""Only provisioning fails, and it runs after approval: a failed order failed while activating."""


def provisioning_timeline(status: ProvisioningStatus) -> tuple[TimelineStep, ...]:
    """The customer-facing timeline: steps before the current one are done, the current one is
    current (or failed), the rest upcoming; an Active order has every step done.
    """
    status = ProvisioningStatus(status)
    at = FAILS_AT if status is ProvisioningStatus.FAILED else status
    position = [step for step, _ in TIMELINE].index(at)

    def state(index: int) -> StepState:
        if index < position or status is ProvisioningStatus.ACTIVE:
            return StepState.DONE
        if index > position:
            return StepState.UPCOMING
        return StepState.FAILED if status is ProvisioningStatus.FAILED else StepState.CURRENT

    return tuple(
        TimelineStep(status=step, label=label, state=state(index)) for index, (step, label) in enumerate(TIMELINE)
    )


class SimChoice(DomainModel):
    """How a SIM plan's line is activated: SIM cards posted to the customer, or eSIMs, each onto the
    phone its EID names (Freebit activates an eSIM line on the phone's EID, PA05-41): one per unit."""

    kind: SimKind = SimKind.PHYSICAL
    eids: tuple[Eid, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> "SimChoice":
        if self.kind is SimKind.PHYSICAL and self.eids:
            raise ValueError("a SIM card takes no EID")
        if len(set(self.eids)) != len(self.eids):
            raise ValueError("each eSIM goes onto another phone: an EID is listed twice")
        return self

    def fits(self, quantity: int) -> bool:
        """Whether it names a phone for each of ``quantity`` eSIMs (a card needs none)."""
        return self.kind is SimKind.PHYSICAL or len(self.eids) == quantity


PHYSICAL_SIMS = SimChoice()


class OrderItem(DomainModel):
    """A line of an order, with what it needs to know of its product."""

    id: OrderItemId
    product_id: ProductId
    pricebook_entry_id: PricebookEntryId
    product_name: str
    sku: str
    item_class: ItemClass
    billing_cycle: BillingCycle
    quantity: Annotated[int, Field(ge=1)]
    unit_price: Money
    total_price: Money
    whmcs_product_id: Annotated[int, Field(gt=0)] | None = None
    is_sim: bool = False
    sim: SimChoice | None = None
    """A SIM plan's line: cards or eSIMs (and the phones' EIDs); None on any other line."""

    @model_validator(mode="after")
    def _one_currency(self) -> "OrderItem":
        if self.unit_price.currency != self.total_price.currency:
            raise ValueError("unit price and total price must be in the same currency")
        return self


class CycleTotal(DomainModel):
    """What is billed on one billing cycle: every month, every year, or once."""

    billing_cycle: BillingCycle
    amount: Money


_CYCLE_ORDER = (BillingCycle.MONTHLY, BillingCycle.ANNUALLY, BillingCycle.ONE_TIME)


def totals_by_cycle(amounts: Iterable[tuple[BillingCycle, Money]]) -> tuple[CycleTotal, ...]:
    """The amounts summed per billing cycle (monthly, yearly, one-time, in that order; a cycle with
    nothing is left out). Recurring and one-time amounts are never added into one total: "3,300 JPY
    once and 1,650 JPY a month" is not "4,950 JPY"."""
    sums: dict[BillingCycle, Money] = {}
    for cycle, money in amounts:
        cycle = BillingCycle(cycle)
        if cycle in sums:
            if sums[cycle].currency != money.currency:
                raise ValueError("amounts of one billing cycle must be in one currency")
            money = Money(amount=sums[cycle].amount + money.amount, currency=money.currency)
        sums[cycle] = money
    return tuple(CycleTotal(billing_cycle=cycle, amount=sums[cycle]) for cycle in _CYCLE_ORDER if cycle in sums)


class OrderSummary(DomainModel):
    """An order as a list shows it."""

    id: OrderId
    number: Annotated[str, Field(min_length=1)]
    """Salesforce's auto-number, e.g. "00000101": what the customer quotes."""
    account_id: AccountId
    account_name: str | None = None
    """None when Salesforce did not return the account (the relationship came back null)."""
    status: OrderStatus
    provisioning_status: ProvisioningStatus
    effective_date: date
    created_at: AwareDatetime
    total: Money

    @property
    def timeline(self) -> tuple[TimelineStep, ...]:
        return provisioning_timeline(self.provisioning_status)


class OrderDetails(OrderSummary):
    """One order with its lines, as its own page shows it."""

    items: tuple[OrderItem, ...] = ()
    provisioning_error: str | None = None
    """Why provisioning failed, written for the customer (Salesforce keeps it customer-safe)."""
    whmcs_order_id: Annotated[int, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _one_currency(self) -> "OrderDetails":
        if any(item.unit_price.currency != self.total.currency for item in self.items):
            raise ValueError(f"every line of an order must be in its currency {self.total.currency}")
        return self

    @property
    def failure_reason(self) -> str | None:
        """The reason to show, only while the order is failed (a retried order keeps no stale one)."""
        return self.provisioning_error if self.provisioning_status is ProvisioningStatus.FAILED else None

    @property
    def needs_sim(self) -> bool:
        return any(item.is_sim for item in self.items)

    @property
    def totals_by_cycle(self) -> tuple[CycleTotal, ...]:
        """The order's amounts per billing cycle (monthly apart from one-time): what the order page
        shows instead of Salesforce's ``TotalAmount``, which adds them up."""
        return totals_by_cycle((item.billing_cycle, item.total_price) for item in self.items)


class NewOrderLine(DomainModel):
    product_id: ProductId
    pricebook_entry_id: PricebookEntryId
    quantity: Annotated[int, Strict(), Field(ge=1, le=MAX_LINE_QUANTITY)]
    unit_price: Money
    sim: SimChoice | None = None
    """A SIM plan's line only: cards, or eSIMs with one phone's EID per unit."""

    @model_validator(mode="after")
    def _sims_fit(self) -> "NewOrderLine":
        if self.sim is not None and not self.sim.fits(self.quantity):
            raise ValueError(f"{self.quantity} eSIM(s) need {self.quantity} EID(s), one per phone")
        return self


class NewOrder(DomainModel):
    """An order to create for a customer: one line per product, all in one currency."""

    account_id: AccountId
    pricebook_id: PricebookId
    request_id: RequestId
    """The checkout's idempotency key (`Order.Portal_Request_Id__c`, unique in Salesforce)."""
    lines: Annotated[tuple[NewOrderLine, ...], Field(min_length=1, max_length=MAX_ORDER_LINES)]

    @model_validator(mode="after")
    def _consistent(self) -> "NewOrder":
        products = [line.product_id for line in self.lines]
        if len(set(products)) != len(products):
            raise ValueError("a product may appear on one line only (raise its quantity instead)")
        if len({line.unit_price.currency for line in self.lines}) > 1:
            raise ValueError("every line of an order must be in one currency")
        eids = [eid for line in self.lines if line.sim is not None for eid in line.sim.eids]
        if len(set(eids)) != len(eids):
            raise ValueError("each eSIM goes onto another phone: an EID is listed twice")
        return self

    @property
    def total(self) -> Money:
        amount = sum((line.unit_price.amount * line.quantity for line in self.lines), Decimal(0))
        return Money(amount=amount, currency=self.lines[0].unit_price.currency)
