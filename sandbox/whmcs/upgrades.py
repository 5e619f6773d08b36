"""Product upgrades and downgrades (``UpgradeProduct``), as WHMCS 8.x bills them.

- The products a service may move to are its product's **upgrade packages** (WHMCS: Setup →
  Products/Services → the product → Upgrades), in the same billing cycle.
- The **price** is pro rata: (new product's price − the service's recurring amount) × days until the
  service's next due date ÷ days in its billing cycle, rounded to the currency. Prices include
  tax, as everywhere in this emulator. A downgrade's price is negative; this installation gives no
  credit for it.
- ``calconly`` only answers that calculation (and whether an upgrade of the service is already
  waiting for payment: ``upgradeinprogress``); nothing is created.
- A real call creates an **upgrade order** (Pending) and, when the price is above zero, its
  **invoice** (one line of type "Upgrade" whose ``relid`` is the upgrade's id, due today). The
  service moves to the new product, with the new recurring amount, when that invoice is paid
  (``CapturePayment``, the client area's Pay, ``UpdateInvoice status=Paid``): the order becomes
  Active. With nothing to pay the service moves at once and the order is Active straight away.
- While an upgrade's invoice is Unpaid, another ``UpgradeProduct`` of the service is refused
  ("Unable to accept upgrade order. Previous upgrade invoice for service is still unpaid.").
  Cancelling that invoice (``UpdateInvoice status=Cancelled``) or the order (``CancelOrder``)
  cancels the upgrade: the service keeps its product.
- ``GetOrders`` lists an upgrade order with one line item ``{"type": "upgrade", "relid": <service
  id>, "product": "<old> => <new>", ...}`` (``relid`` is the service, as in WHMCS's tblupgrades).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .store import (
    BILLING_CYCLES,
    ZERO,
    Invoice,
    Order,
    Product,
    Service,
    StoreError,
    WhmcsStore,
    add_months,
    stable_digits,
)

UNPAID_UPGRADE = "Unable to accept upgrade order. Previous upgrade invoice for service is still unpaid."
UPGRADE_ITEM_TYPE = "Upgrade"


@dataclass
class Upgrade:
    id: int
    orderid: int
    userid: int
    serviceid: int
    old_pid: int
    new_pid: int
    cycle: str
    amount: Decimal  # tax included; <= 0: nothing to pay
    days_until_renewal: int
    total_days: int
    date: datetime
    status: str = "Pending"  # Pending, Completed, Cancelled


@dataclass(frozen=True)
class Calculation:
    service: Service
    old: Product
    new: Product
    cycle: str
    days_until_renewal: int
    total_days: int
    price: Decimal


def calculate(store: WhmcsStore, service: Service, new: Product, cycle: str, today: date) -> Calculation:
    """The pro rata price of moving ``service`` to ``new`` today (raises StoreError when it cannot)."""
    old = store.products[service.pid]
    if new.id == old.id:
        raise StoreError("The service is already on the requested product")
    if new.id not in store.upgrade_packages.get(old.id, ()):
        raise StoreError("The requested product is not an available upgrade for this service")
    if cycle != service.billingcycle:
        raise StoreError("Billing cycle changes are not available for this upgrade")
    months = BILLING_CYCLES[service.billingcycle][1]
    if not months:
        raise StoreError("A one-time product cannot be upgraded")
    cycle_start = add_months(service.nextduedate, -months)
    total_days = (service.nextduedate - cycle_start).days
    days = max(0, min((service.nextduedate - today).days, total_days))
    currency = store.client_currency(service.clientid)
    price = currency.round((new.price(cycle) - service.recurringamount) * days / total_days)
    return Calculation(service, old, new, cycle, days, total_days, price)


def unpaid_upgrade(store: WhmcsStore, service: Service) -> Upgrade | None:
    """The service's upgrade still waiting for its invoice to be paid, if any."""
    for upgrade in store.upgrades.values():
        if upgrade.serviceid != service.id or upgrade.status != "Pending":
            continue
        order = store.orders.get(upgrade.orderid)
        invoice = store.invoices.get(order.invoiceid) if order else None
        if invoice is not None and invoice.status == "Unpaid":
            return upgrade
    return None


def place(store: WhmcsStore, calc: Calculation, *, paymentmethod: str, now: datetime) -> tuple[Upgrade, Order]:
    """The upgrade order (and its invoice when there is something to pay); applied at once otherwise."""
    if unpaid_upgrade(store, calc.service) is not None:
        raise StoreError(UNPAID_UPGRADE)
    order_id = store._next(store.orders)
    upgrade = Upgrade(
        id=store._next(store.upgrades), orderid=order_id, userid=calc.service.clientid, serviceid=calc.service.id,
        old_pid=calc.old.id, new_pid=calc.new.id, cycle=calc.cycle, amount=calc.price,
        days_until_renewal=calc.days_until_renewal, total_days=calc.total_days, date=now,
    )
    invoice_id = 0
    if calc.price > ZERO:
        end = calc.service.nextduedate - date.resolution
        description = (f"Upgrade: {calc.old.name} => {calc.new.name} "
                       f"({now.date():%d/%m/%Y} - {end:%d/%m/%Y})")
        invoice = store.create_invoice(
            calc.service.clientid, [(description, calc.price, True, UPGRADE_ITEM_TYPE, upgrade.id)],
            invoice_date=now.date(), duedate=now.date(), paymentmethod=paymentmethod, prices_include_tax=True,
        )
        invoice_id = invoice.id
    order = Order(
        id=order_id, ordernum=stable_digits("order", order_id, now.isoformat()), userid=calc.service.clientid, date=now,
        amount=max(calc.price, ZERO), paymentmethod=paymentmethod, invoiceid=invoice_id, status="Pending",
        service_ids=[],
    )
    store.orders[order_id] = order
    store.upgrades[upgrade.id] = upgrade
    if invoice_id == 0:
        _complete(store, upgrade)
    return upgrade, order


def on_invoice_paid(store: WhmcsStore, invoice: Invoice) -> None:
    """An invoice was paid: the upgrades it bills take effect."""
    for item in invoice.items:
        if item.type == UPGRADE_ITEM_TYPE:
            upgrade = store.upgrades.get(item.relid)
            if upgrade is not None and upgrade.status == "Pending":
                _complete(store, upgrade)


def on_invoice_cancelled(store: WhmcsStore, invoice: Invoice) -> None:
    """An upgrade's invoice was cancelled: the upgrade and its order are cancelled with it."""
    for item in invoice.items:
        if item.type == UPGRADE_ITEM_TYPE:
            upgrade = store.upgrades.get(item.relid)
            if upgrade is not None and upgrade.status == "Pending":
                upgrade.status = "Cancelled"
                order = store.orders.get(upgrade.orderid)
                if order is not None and order.status == "Pending":
                    order.status = "Cancelled"


def cancel_order(store: WhmcsStore, order: Order) -> None:
    """``CancelOrder``: a Pending order is Cancelled, with its unpaid invoice and its upgrades."""
    if order.status != "Pending":
        raise StoreError("Order status not Pending")  # WHMCS: only a Pending order can be cancelled
    order.status = "Cancelled"
    invoice = store.invoices.get(order.invoiceid)
    if invoice is not None and invoice.status in ("Unpaid", "Draft", "Payment Pending"):
        invoice.status = "Cancelled"
    for upgrade in store.upgrades.values():
        if upgrade.orderid == order.id and upgrade.status == "Pending":
            upgrade.status = "Cancelled"
    for service_id in order.service_ids:
        service = store.services[service_id]
        if service.status == "Pending":
            service.status = "Cancelled"


def upgrades_of_order(store: WhmcsStore, order_id: int) -> list[Upgrade]:
    return [u for u in store.upgrades.values() if u.orderid == order_id]


def _complete(store: WhmcsStore, upgrade: Upgrade) -> None:
    service = store.services[upgrade.serviceid]
    new = store.products[upgrade.new_pid]
    service.pid = new.id
    service.recurringamount = new.price(upgrade.cycle)
    upgrade.status = "Completed"
    order = store.orders.get(upgrade.orderid)
    if order is not None and order.status == "Pending":
        order.status = "Active"
