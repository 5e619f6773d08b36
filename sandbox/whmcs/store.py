"""The emulated WHMCS database: plain dataclasses and the operations the API actions need.

Money is :class:`~decimal.Decimal`; rendering to WHMCS's strings happens in ``api.py``. The store
is not thread-safe by itself: the app serialises access with one lock.
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.common.clock import add_months

ZERO = Decimal("0")
GATEWAYS = {"stripe": "Credit Card", "banktransfer": "Bank Transfer"}
DEFAULT_TAX_RATE = Decimal("10.00")  # Japanese consumption tax; product prices include it
INVOICE_STATUSES = ("Draft", "Unpaid", "Paid", "Cancelled", "Refunded", "Collections", "Payment Pending")
BILLING_CYCLES = {  # WHMCS system name -> (display name, months)
    "monthly": ("Monthly", 1),
    "quarterly": ("Quarterly", 3),
    "semiannually": ("Semi-Annually", 6),
    "annually": ("Annually", 12),
    "biennially": ("Biennially", 24),
    "triennially": ("Triennially", 36),
    "onetime": ("One Time", 0),  # billed once (a fee): no next due date, no recurring amount
}


def is_recurring(cycle: str) -> bool:
    """Whether a billing cycle bills again (every cycle but "onetime")."""
    return BILLING_CYCLES.get(cycle, ("", 1))[1] > 0


def stable_digits(*parts: object, length: int = 10) -> str:
    """Deterministic pseudo-random digits (order numbers, transaction ids) from ``parts``."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return str(int(digest, 16))[:length]


def stable_hex(*parts: object, length: int = 24) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class Currency:
    id: int
    code: str
    prefix: str
    suffix: str
    format: int
    rate: Decimal

    @property
    def quantum(self) -> Decimal:
        return Decimal("1") if self.code == "JPY" else Decimal("0.01")

    def round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def display(self, amount: Decimal) -> str:
        """As WHMCS formats amounts for people: ``¥5,000 JPY``, ``$25.00 USD``."""
        number = f"{amount:,.0f}" if self.format == 4 else f"{amount:,.2f}"
        return f"{self.prefix}{number}{self.suffix}"


@dataclass
class Client:
    id: int
    firstname: str
    lastname: str
    email: str
    companyname: str = ""
    currency_id: int = 1
    """WHMCS bills a client in one currency, set on the client: every invoice and service of theirs is in it."""
    default_gateway: str = "stripe"
    country: str = "JP"
    phonenumber: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    notes: str = ""
    datecreated: date | None = None
    password_hash: str = ""
    """The client-area sign-in of the client's owner user (WHMCS 8: a user owns the client; here the
    user has the client's id and email). ``ValidateLogin`` checks it; empty: no sign-in."""

    @property
    def owner_user_id(self) -> int:
        return self.id

    def set_password(self, password: str) -> None:
        salt = secrets.token_hex(8)
        self.password_hash = f"{salt}${hashlib.sha256((salt + password).encode()).hexdigest()}"

    def check_password(self, password: str) -> bool:
        salt, _, digest = self.password_hash.partition("$")
        return bool(digest) and hmac.compare_digest(digest, hashlib.sha256((salt + password).encode()).hexdigest())


@dataclass(frozen=True)
class CustomFieldDef:
    id: int
    name: str


@dataclass(frozen=True)
class ConfigOptionDef:
    id: int
    name: str
    type: str = "dropdown"
    choices: dict[int, str] = field(default_factory=dict)  # sub-option id -> label


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    group: str
    monthly_price: Decimal  # tax included; for a one-time product (a fee) its price
    customfields: tuple[CustomFieldDef, ...] = ()
    configoptions: tuple[ConfigOptionDef, ...] = ()

    def price(self, cycle: str) -> Decimal:
        months = BILLING_CYCLES.get(cycle, ("", 1))[1]
        return self.monthly_price * months if months else self.monthly_price


@dataclass
class Service:
    id: int
    clientid: int
    orderid: int
    pid: int
    regdate: date
    nextduedate: date
    status: str  # Pending, Active, Suspended, Terminated, Cancelled, Fraud, Completed
    paymentmethod: str
    firstpaymentamount: Decimal
    recurringamount: Decimal
    billingcycle: str = "monthly"
    suspensionreason: str = ""
    customfields: dict[int, str] = field(default_factory=dict)  # field id -> value
    configoptions: dict[int, str] = field(default_factory=dict)  # option id -> chosen label
    notes: str = ""
    raw_customfields: str = ""  # as AddOrder received them (base64 serialized PHP array)
    raw_configoptions: str = ""


@dataclass
class InvoiceItem:
    id: int
    description: str
    amount: Decimal  # before tax
    taxed: bool = True
    type: str = ""  # "Hosting" for a service's recurring line, "" for a manual line
    relid: int = 0


@dataclass
class Transaction:
    id: int
    userid: int
    invoiceid: int
    gateway: str
    date: datetime
    description: str
    transid: str
    amountin: Decimal = ZERO
    amountout: Decimal = ZERO
    fees: Decimal = ZERO
    refundid: int = 0


@dataclass
class Invoice:
    id: int
    userid: int
    currency_id: int
    """The client's currency when the invoice was made (WHMCS keeps no currency per invoice: it
    reads the client's, which does not change once the client has invoices)."""
    invoicenum: str
    date: date
    duedate: date
    status: str
    paymentmethod: str
    taxrate: Decimal
    tax: Decimal
    items: list[InvoiceItem]
    datepaid: datetime | None = None
    last_capture_attempt: datetime | None = None
    notes: str = ""
    credit: Decimal = ZERO

    @property
    def subtotal(self) -> Decimal:
        return sum((item.amount for item in self.items), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax - self.credit


@dataclass
class Order:
    id: int
    ordernum: str
    userid: int
    date: datetime
    amount: Decimal
    paymentmethod: str
    invoiceid: int
    status: str  # Pending, Active, Cancelled, Fraud
    service_ids: list[int]
    notes: str = ""
    ipaddress: str = ""


@dataclass
class PayMethod:
    id: int
    clientid: int
    type: str  # CreditCard, BankAccount, RemoteCreditCard, ...
    description: str
    gateway_name: str
    last_updated: datetime
    details: dict[str, str]  # the type-specific fields, already in WHMCS's shape


@dataclass
class SsoToken:
    client_id: int
    redirect_path: str
    expires_at: float  # time.monotonic()


class OwnerIndex:
    """The keys of one table's records by an attribute (a client id, an invoice id), so that a
    client's invoices are found without reading every invoice (as WHMCS's database has indexes).

    Kept in step with the table lazily, on each lookup: dicts keep insertion order, so the records
    added since the last lookup are the table's last ones (a C-speed skip over the rest); a table
    that shrank or was replaced is indexed again. The records found are checked against the table,
    so one removed or changed since is never answered.
    """

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self._table: dict | None = None
        self._seen = 0
        self._keys: dict[Any, list[Any]] = {}

    def find(self, table: dict, owner: Any) -> list:
        if table is not self._table or len(table) < self._seen:
            self._table, self._seen, self._keys = table, 0, {}
        if len(table) > self._seen:
            for key, record in itertools.islice(table.items(), self._seen, None):
                self._keys.setdefault(getattr(record, self.attribute), []).append(key)
            self._seen = len(table)
        found = []
        for key in dict.fromkeys(self._keys.get(owner, ())):  # a key re-inserted is listed once
            record = table.get(key)
            if record is not None and getattr(record, self.attribute) == owner:
                found.append(record)
        return found


class StoreError(Exception):
    """An API-level failure: ``str(exc)`` is the WHMCS ``message``."""


class WhmcsStore:
    def __init__(self, today: date):
        self.today = today
        self.currencies: dict[int, Currency] = {}
        self.clients: dict[int, Client] = {}
        self.products: dict[int, Product] = {}
        self.services: dict[int, Service] = {}
        self.invoices: dict[int, Invoice] = {}
        self.transactions: dict[int, Transaction] = {}
        self.orders: dict[int, Order] = {}
        self.paymethods: dict[int, PayMethod] = {}
        self.sso_tokens: dict[str, SsoToken] = {}
        self.sessions: dict[str, int] = {}  # client-area session cookie -> client id
        self.upgrades: dict[int, Any] = {}  # upgrade id -> upgrades.Upgrade
        self.upgrade_packages: dict[int, tuple[int, ...]] = {}  # product id -> products it may change to
        self.cancel_requests: dict[int, dict[str, Any]] = {}  # service id -> AddCancelRequest's type, reason, date
        self._item_ids = 0
        self._indexes = {name: OwnerIndex(attribute) for name, attribute in (
            ("invoices", "userid"), ("services", "clientid"), ("orders", "userid"), ("paymethods", "clientid"),
            ("transactions", "invoiceid"))}

    # -- ids --------------------------------------------------------------------------------------
    @staticmethod
    def _next(table: dict[int, object], floor: int = 0) -> int:
        return max([floor, *table]) + 1

    def next_service_id(self) -> int:
        return self._next(self.services, floor=100)

    def next_client_id(self) -> int:
        return self._next(self.clients, floor=1000)

    # -- lookups ----------------------------------------------------------------------------------
    def currency_of(self, invoice: Invoice) -> Currency:
        return self.currencies[invoice.currency_id]

    def client_currency(self, client_id: int) -> Currency:
        client = self.clients.get(client_id)
        return self.currencies[client.currency_id if client else 1]

    def owned(self, table: str, owner: int) -> list:
        """The records of ``table`` (invoices, services, orders, paymethods: by client id;
        transactions: by invoice id) that belong to ``owner``, in the table's order."""
        return self._indexes[table].find(getattr(self, table), owner)

    def invoice_transactions(self, invoice_id: int) -> list[Transaction]:
        return self.owned("transactions", invoice_id)

    def amount_paid(self, invoice: Invoice) -> Decimal:
        return sum((t.amountin - t.amountout for t in self.invoice_transactions(invoice.id)), ZERO)

    def balance(self, invoice: Invoice) -> Decimal:
        return invoice.total - self.amount_paid(invoice)

    def is_overdue(self, invoice: Invoice, today: date) -> bool:
        return invoice.status == "Unpaid" and invoice.duedate < today

    # -- invoices ---------------------------------------------------------------------------------
    def create_invoice(
        self,
        userid: int,
        lines: list[tuple[str, Decimal, bool, str, int]],
        *,
        invoice_date: date,
        duedate: date,
        status: str = "Unpaid",
        paymentmethod: str = "stripe",
        taxrate: Decimal = DEFAULT_TAX_RATE,
        notes: str = "",
        prices_include_tax: bool = False,
    ) -> Invoice:
        """``lines`` are (description, amount, taxed, type, relid), in the client's currency.

        Amounts are before tax, unless ``prices_include_tax`` (product prices, as the seed and
        AddOrder use them): then the tax is taken out of the taxed lines' total once per invoice,
        so the invoice total is exactly the sum of the prices, and the lines show the pre-tax
        part (any rounding yen goes to the largest line), so subtotal + tax = total still holds.
        """
        currency = self.client_currency(userid)
        items = []
        for description, amount, taxed, kind, relid in lines:
            self._item_ids += 1
            items.append(InvoiceItem(self._item_ids, description, currency.round(amount), taxed, kind, relid))
        taxed_items = [item for item in items if item.taxed]
        taxable = sum((item.amount for item in taxed_items), ZERO)
        if prices_include_tax and taxed_items:
            tax = currency.round(taxable * taxrate / (100 + taxrate))
            for item in taxed_items:
                item.amount = price_before_tax(item.amount, currency, taxrate)
            largest = max(taxed_items, key=lambda item: item.amount)
            largest.amount += taxable - tax - sum((item.amount for item in taxed_items), ZERO)
        else:
            tax = currency.round(taxable * taxrate / 100)
        invoice_id = self._next(self.invoices)
        invoice = Invoice(
            id=invoice_id,
            userid=userid,
            currency_id=currency.id,
            invoicenum=f"INV-{invoice_date.year}-{invoice_id:05d}",
            date=invoice_date,
            duedate=duedate,
            status=status,
            paymentmethod=paymentmethod,
            taxrate=taxrate,
            tax=tax,
            items=items,
            notes=notes,
        )
        self.invoices[invoice_id] = invoice
        return invoice

    def pay_invoice(self, invoice: Invoice, when: datetime, *, gateway: str | None = None,
                    transid: str | None = None) -> Transaction:
        """Record a payment of the whole balance and mark the invoice Paid."""
        gateway = gateway or invoice.paymentmethod
        transaction_id = self._next(self.transactions)
        if transid is None:
            prefix = "ch_" if gateway == "stripe" else "BT"
            transid = prefix + stable_hex("txn", invoice.id, transaction_id)
        transaction = Transaction(
            id=transaction_id,
            userid=invoice.userid,
            invoiceid=invoice.id,
            gateway=gateway,
            date=when,
            description="Invoice Payment",
            transid=transid,
            amountin=self.balance(invoice),
        )
        self.transactions[transaction_id] = transaction
        invoice.status = "Paid"
        invoice.datepaid = when
        return transaction

    def refund_invoice(self, invoice: Invoice, when: datetime) -> Transaction:
        """Refund the invoice's payment in full (a transaction with ``amountout``)."""
        payment = next(t for t in self.invoice_transactions(invoice.id) if t.amountin > 0)
        transaction_id = self._next(self.transactions)
        refund = Transaction(
            id=transaction_id,
            userid=invoice.userid,
            invoiceid=invoice.id,
            gateway=payment.gateway,
            date=when,
            description=f"Refund of Transaction ID {payment.transid}",
            transid="re_" + stable_hex("refund", invoice.id, transaction_id),
            amountout=payment.amountin,
            refundid=payment.id,
        )
        self.transactions[transaction_id] = refund
        invoice.status = "Refunded"
        return refund

    def add_card(self, client_id: int, *, card_type: str, last_four: str, expiry: str, description: str,
                 now: datetime) -> PayMethod:
        """A card saved from the client area through the Stripe gateway: a ``RemoteCreditCard`` whose
        number stays at the gateway (only its token, brand, last four and expiry are kept)."""
        method_id = self._next(self.paymethods)
        method = PayMethod(method_id, client_id, "RemoteCreditCard", description, "stripe", now, {
            "card_last_four": last_four, "expiry_date": expiry, "start_date": "", "issue_number": "",
            "card_type": card_type,
            "remote_token": json.dumps({"customer": "cus_" + secrets.token_hex(7),
                                        "method": "pm_" + secrets.token_hex(12)}),
        })
        self.paymethods[method_id] = method
        return method

    def capture(self, invoice: Invoice, now: datetime) -> Transaction:
        """What ``CapturePayment`` does: charge the client's stored card for an Unpaid invoice."""
        invoice.last_capture_attempt = now
        card = next((m for m in self.owned("paymethods", invoice.userid)
                     if m.type in ("CreditCard", "RemoteCreditCard")), None)
        if invoice.status != "Unpaid" or card is None or self.balance(invoice) <= 0:
            raise StoreError("Payment Attempt Failed")
        return self.pay_invoice(invoice, now, gateway=card.gateway_name or "stripe")

    # -- orders -----------------------------------------------------------------------------------
    def add_order(
        self,
        client: Client,
        lines: list[dict],
        *,
        paymentmethod: str,
        now: datetime,
        notes: str = "",
        create_invoice: bool = True,
        ipaddress: str = "",
    ) -> Order:
        """``lines``: dicts with ``product``, ``cycle``, ``customfields``, ``configoptions`` and
        the raw values. Creates one Pending service per line, the order and (normally) its invoice."""
        order_id = self._next(self.orders)
        services = []
        for line in lines:
            product: Product = line["product"]
            price = product.price(line["cycle"])
            service = Service(
                id=self.next_service_id(),
                clientid=client.id,
                orderid=order_id,
                pid=product.id,
                regdate=now.date(),
                nextduedate=now.date(),
                status="Pending",
                paymentmethod=paymentmethod,
                firstpaymentamount=price,
                recurringamount=price if is_recurring(line["cycle"]) else ZERO,
                billingcycle=line["cycle"],
                customfields=dict(line["customfields"]),
                configoptions=dict(line["configoptions"]),
                raw_customfields=line["raw_customfields"],
                raw_configoptions=line["raw_configoptions"],
            )
            self.services[service.id] = service
            services.append(service)
        amount = sum((s.firstpaymentamount for s in services), ZERO)
        invoice_id = 0
        if create_invoice:
            invoice = self.create_invoice(
                client.id,
                [self.service_line(s, s.regdate) for s in services],
                invoice_date=now.date(),
                duedate=now.date(),
                paymentmethod=paymentmethod,
                prices_include_tax=True,
            )
            invoice_id = invoice.id
        order = Order(
            id=order_id,
            ordernum=stable_digits("order", order_id, now.isoformat()),
            userid=client.id,
            date=now,
            amount=amount,
            paymentmethod=paymentmethod,
            invoiceid=invoice_id,
            status="Pending",
            service_ids=[s.id for s in services],
            notes=notes,
            ipaddress=ipaddress,
        )
        self.orders[order_id] = order
        return order

    def accept_order(self, order_id: int) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise StoreError("Order ID not found")
        if order.status != "Pending":
            # Real WHMCS is lenient here; the sandbox answers an error so that a second
            # AcceptOrder (a retried provisioning step) is visible to the caller.
            raise StoreError("Order is not in Pending status")
        order.status = "Active"
        for service_id in order.service_ids:
            service = self.services[service_id]
            if service.status == "Pending":
                service.status = "Active"
                service.nextduedate = add_months(service.regdate, BILLING_CYCLES.get(service.billingcycle, ("", 1))[1])
        return order

    def update_custom_fields(self, service: Service, values: dict[int, str]) -> None:
        """What ``UpdateClientProduct`` does with ``customfields``: set the given fields only."""
        service.customfields.update(values)

    def service_line(self, service: Service, start: date) -> tuple[str, Decimal, bool, str, int]:
        """The invoice line (tax-inclusive price) for one billing period of ``service`` from ``start``."""
        product = self.products[service.pid]
        months = BILLING_CYCLES.get(service.billingcycle, ("", 1))[1]
        if not months:  # one-time: the price, once, with no period
            return product.name, service.firstpaymentamount, True, "Hosting", service.id
        end = add_months(start, months) - date.resolution
        description = f"{product.name} ({start:%d/%m/%Y} - {end:%d/%m/%Y})"
        return description, service.recurringamount, True, "Hosting", service.id


def price_before_tax(price: Decimal, currency: Currency, rate: Decimal = DEFAULT_TAX_RATE) -> Decimal:
    """The pre-tax part of a tax-inclusive price (WHMCS's "inclusive tax" mode)."""
    return currency.round(price / (1 + rate / 100))
