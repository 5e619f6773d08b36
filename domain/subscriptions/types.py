"""Subscription domain types: a customer's services (a SIM plan, a fibre line, ...)."""
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from domain.shared.model import DomainModel
from domain.shared.money import Money


class SubscriptionStatus(StrEnum):
    PENDING = "Pending"
    ACTIVE = "Active"
    SUSPENDED = "Suspended"
    TERMINATED = "Terminated"
    CANCELLED = "Cancelled"
    FRAUD = "Fraud"
    COMPLETED = "Completed"


class BillingCycle(StrEnum):
    FREE = "Free Account"
    ONE_TIME = "One Time"
    MONTHLY = "Monthly"
    QUARTERLY = "Quarterly"
    SEMI_ANNUALLY = "Semi-Annually"
    ANNUALLY = "Annually"
    BIENNIALLY = "Biennially"
    TRIENNIALLY = "Triennially"


NameValue = tuple[str, str]


class Subscription(DomainModel):
    id: int
    client_id: int
    order_id: int | None = None
    product_id: int
    product_name: str
    group_name: str
    domain: str
    """The service's identifier in the billing system (a domain, a phone number...), often ""."""
    status: SubscriptionStatus
    billing_cycle: BillingCycle
    first_payment_amount: Money
    recurring_amount: Money
    registration_date: date
    next_due_date: date | None
    """None for services that are not billed again (free, one-time)."""
    payment_method: str
    custom_fields: tuple[NameValue, ...] = ()
    """(name, value) pairs in the billing system's order, e.g. ("ICCID", "8981...")."""
    config_options: tuple[NameValue, ...] = ()
    """(option, value) pairs, e.g. ("Data", "20GB")."""

    @model_validator(mode="after")
    def _one_currency(self) -> "Subscription":
        if self.first_payment_amount.currency != self.recurring_amount.currency:
            raise ValueError("first payment and recurring amount must be in the same currency")
        return self

    def custom_field(self, name: str) -> str | None:
        """The value of the first custom field with this name, or None."""
        return next((value for field, value in self.custom_fields if field == name), None)

    def config_option(self, option: str) -> str | None:
        """The value of the first configurable option with this name, or None."""
        return next((value for name, value in self.config_options if name == option), None)


class SubscriptionPage(DomainModel):
    subscriptions: tuple[Subscription, ...]
    total_results: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]
    limit: Annotated[int, Field(ge=1)]

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.subscriptions) < self.total_results
