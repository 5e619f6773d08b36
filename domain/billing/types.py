"""Billing domain types: invoices, their items and payments, and stored payment methods."""
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from domain.shared.model import DomainModel
from domain.shared.money import Amount, CurrencyCode, Money


class InvoiceStatus(StrEnum):
    DRAFT = "Draft"
    UNPAID = "Unpaid"
    PAID = "Paid"
    CANCELLED = "Cancelled"
    REFUNDED = "Refunded"
    COLLECTIONS = "Collections"
    PAYMENT_PENDING = "Payment Pending"
    OVERDUE = "Overdue"
    """Only ever computed (by WHMCS in some views, or by `Invoice.is_overdue`), never stored."""


class InvoiceItem(DomainModel):
    id: int
    type: str
    """What the line bills: "Hosting" (a service), "Domain", "Addon", "LateFee", "" for a manual line..."""
    description: str
    amount: Money
    taxed: bool
    related_id: int | None = None
    """The id of the billed record, whose kind depends on `type` (a service id for "Hosting")."""

    @property
    def service_id(self) -> int | None:
        """The subscription this line bills, if it bills one."""
        return self.related_id if self.type == "Hosting" else None


class InvoiceTransaction(DomainModel):
    """A payment (amount_in) or refund (amount_out) recorded against an invoice."""

    id: int
    date: datetime
    gateway: str
    transaction_id: str
    amount_in: Money
    amount_out: Money


class Invoice(DomainModel):
    """An invoice. Entries of an invoice list come without items, transactions and balance
    (`balance` is None): fetch the invoice itself for those.
    """

    id: int
    number: str
    """The number shown to the customer (WHMCS sequential number, else the id)."""
    client_id: int
    status: InvoiceStatus
    currency: CurrencyCode
    subtotal: Money
    credit: Money
    tax: Money
    tax2: Money
    total: Money
    balance: Money | None
    """The amount still due; None when the source did not report it (list entries)."""
    tax_rate: Amount
    tax_rate2: Amount
    issue_date: date
    due_date: date
    paid_at: datetime | None
    payment_method: str
    """The billing system's name for the payment gateway, e.g. "banktransfer", "stripe"."""
    notes: str = ""
    items: tuple[InvoiceItem, ...] = ()
    transactions: tuple[InvoiceTransaction, ...] = ()

    @model_validator(mode="after")
    def _one_currency(self) -> "Invoice":
        amounts = [self.subtotal, self.credit, self.tax, self.tax2, self.total]
        amounts += [self.balance] if self.balance is not None else []
        amounts += [item.amount for item in self.items]
        amounts += [money for t in self.transactions for money in (t.amount_in, t.amount_out)]
        if any(money.currency != self.currency for money in amounts):
            raise ValueError(f"every amount of an invoice must be in its currency {self.currency}")
        return self

    def is_overdue(self, today: date) -> bool:
        """Unpaid and past its due date (WHMCS stores such invoices as Unpaid, not Overdue)."""
        if self.status is InvoiceStatus.OVERDUE:
            return True
        return self.status is InvoiceStatus.UNPAID and self.due_date < today


class InvoicePage(DomainModel):
    invoices: tuple[Invoice, ...]
    total_results: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]
    limit: Annotated[int, Field(ge=1)]

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.invoices) < self.total_results


class PaymentMethodType(StrEnum):
    CREDIT_CARD = "CreditCard"
    REMOTE_CREDIT_CARD = "RemoteCreditCard"
    """A card stored by the payment gateway (a token), not by the billing system."""
    BANK_ACCOUNT = "BankAccount"
    REMOTE_BANK_ACCOUNT = "RemoteBankAccount"


CARD_PAYMENT_METHOD_TYPES = frozenset({PaymentMethodType.CREDIT_CARD, PaymentMethodType.REMOTE_CREDIT_CARD})
_LAST_FOUR = re.compile(r"^\d{4}$")


class PaymentMethod(DomainModel):
    """A stored payment method as the customer may see it: never a full number nor a token."""

    id: int
    type: PaymentMethodType
    description: str
    gateway: str
    is_default: bool
    last_four: Annotated[str, Field(pattern=_LAST_FOUR.pattern)] | None = None
    card_brand: str | None = None
    expiry_month: Annotated[int, Field(ge=1, le=12)] | None = None
    expiry_year: Annotated[int, Field(ge=2000, le=2999)] | None = None
    bank_name: str | None = None
    account_type: str | None = None
    """The bank account type as entered ("Checking", "Savings", ...)."""

    @property
    def is_card(self) -> bool:
        return self.type in CARD_PAYMENT_METHOD_TYPES

    def is_expired(self, today: date) -> bool:
        """A card is valid through the last day of its expiry month."""
        if self.expiry_year is None or self.expiry_month is None:
            return False
        return (today.year, today.month) > (self.expiry_year, self.expiry_month)


class PaymentLink(DomainModel):
    """A single-use link that signs the customer in to the billing system's payment page."""

    url: Annotated[str, Field(pattern=r"^https?://")]
