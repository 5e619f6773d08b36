"""Believable WHMCS data for the demo customers (``sandbox.demo_identities``), dated from "today".

Alice (1001) has about two years of history: fiber internet, several SIMs (one data-only, one
suspended), a cancelled legacy plan, ~30 invoices (so listing needs paging) covering Paid, Unpaid,
overdue, Cancelled and Refunded, a card and a bank account. Bob (1002) has a fiber line and a SIM,
fewer invoices (one "Payment Pending") and a card.

WHMCS bills each client in one currency, set on the client: Alice and Bob are billed in yen. Dana
(1010, ``USD_CLIENT_ID``) is a client billed in US dollars, with a VPN service, three invoices and a
card; she is no portal demo customer (tests link a user to her).

Dates are computed from the ``today`` the store is seeded with, so the overdue invoice stays
overdue and the unpaid one stays due in the future whatever day the demo runs. Prices include
10% consumption tax (invoice lines are the pre-tax part, so subtotal + tax = total).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sandbox import population
from sandbox.common.clock import add_months
from sandbox.demo_identities import DEMO_CLIENT_AREA_PASSWORDS, DEMO_CUSTOMERS, DEMO_UNLINKED

from .store import (
    Client,
    ConfigOptionDef,
    Currency,
    CustomFieldDef,
    Invoice,
    InvoiceItem,
    Order,
    PayMethod,
    Product,
    Service,
    Transaction,
    WhmcsStore,
    price_before_tax,
    stable_digits,
    stable_hex,
)

ALICE, BOB = (customer.whmcs_client_id for customer in DEMO_CUSTOMERS[:2])
USD_CLIENT_ID = 1010
"""The client billed in US dollars (no portal demo customer: the tests link a user to her)."""

JPY = Currency(1, "JPY", "¥", " JPY", 4, Decimal("1.00000"))
USD = Currency(2, "USD", "$", " USD", 1, Decimal("0.00670"))

ICCID_FIELD = CustomFieldDef(1, "ICCID")
MSISDN_FIELD = CustomFieldDef(2, "Phone Number")
DATA_OPTION = ConfigOptionDef(1, "Data", choices={1: "3 GB", 2: "5 GB", 3: "10 GB", 4: "20 GB"})
VOICE_OPTION = ConfigOptionDef(2, "Voice", choices={5: "Pay per call", 6: "5-minute calls free", 7: "Unlimited calls"})
ROUTER_OPTION = ConfigOptionDef(3, "Router", choices={8: "Own router", 9: "Wi-Fi 6 rental"})

SIM_FIELDS = (ICCID_FIELD, MSISDN_FIELD)
PRODUCTS = (
    Product(1, "Fiber 1 Gbps", "Internet", Decimal("5000"), (), (ROUTER_OPTION,)),
    Product(2, "Fiber 300 Mbps", "Internet", Decimal("4000"), (), (ROUTER_OPTION,)),
    Product(3, "Mobile Voice 20 GB", "Mobile", Decimal("2980"), SIM_FIELDS, (DATA_OPTION, VOICE_OPTION)),
    Product(4, "Mobile Voice 5 GB", "Mobile", Decimal("1680"), SIM_FIELDS, (DATA_OPTION, VOICE_OPTION)),
    Product(5, "Data SIM 10 GB", "Mobile", Decimal("1480"), SIM_FIELDS, (DATA_OPTION,)),
    Product(6, "Mobile Voice 3 GB", "Mobile", Decimal("1280"), SIM_FIELDS, (DATA_OPTION, VOICE_OPTION)),
    Product(7, "Fiber 100 Mbps", "Internet", Decimal("3500")),
    # 8-14: the rest of the Salesforce catalog (its WHMCS_Product_Id__c), so orders provision.
    Product(8, "Fiber 10 Gbps", "Internet", Decimal("7800"), (), (ROUTER_OPTION,)),
    Product(9, "Home 5G", "Internet", Decimal("4200")),
    Product(10, "Data SIM 3 GB", "Mobile", Decimal("990"), SIM_FIELDS, (DATA_OPTION,)),
    Product(11, "Data SIM 20 GB", "Mobile", Decimal("2200"), SIM_FIELDS, (DATA_OPTION,)),
    Product(12, "Secure VPN", "VPN", Decimal("600")),
    Product(13, "SIM activation fee", "Fees", Decimal("3300")),  # one-time: its price, once
    Product(14, "Fiber installation", "Fees", Decimal("22000")),
)

UPGRADE_PACKAGES = {
    # Setup → Products → Upgrades: a SIM plan changes to another plan of its kind (voice or data).
    3: (4,), 4: (3,), 6: (3, 4),  # Mobile Voice 20 GB, 5 GB, and the retired 3 GB (it may leave, not be joined)
    5: (10, 11), 10: (5, 11), 11: (5, 10),  # Data SIM 10 GB, 3 GB, 20 GB
}


def _luhn_complete(digits: str) -> str:
    """``digits`` plus its Luhn check digit (as on a real ICCID)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class DemoSim:
    """A SIM of the demo: the same ICCID/MSISDN must appear in every emulator (e.g. Freebit)."""

    service_id: int
    client_id: int
    iccid: str
    msisdn: str
    data_only: bool = False


def _sim(service_id: int, client_id: int, msisdn: str, data_only: bool = False) -> DemoSim:
    iccid = _luhn_complete(f"898110000000{client_id:04d}{service_id:02d}")
    return DemoSim(service_id, client_id, iccid, msisdn, data_only)


DEMO_SIMS = (
    _sim(12, ALICE, "09012340012"),
    _sim(13, ALICE, "08012340013"),
    _sim(14, ALICE, "02012340014", data_only=True),
    _sim(15, ALICE, "07012340015"),
    _sim(21, BOB, "09056780021"),
)


@dataclass(frozen=True)
class _ServiceSeed:
    id: int
    client: int
    pid: int
    started: int  # months before the billing anchor
    status: str = "Active"
    ended: int | None = None  # months before the anchor the service was cancelled
    options: tuple[tuple[int, str], ...] = ()
    reason: str = ""


SERVICES = (
    _ServiceSeed(16, ALICE, 7, started=36, ended=22, status="Cancelled"),
    _ServiceSeed(12, ALICE, 3, started=24, options=((1, "20 GB"), (2, "Unlimited calls"))),
    _ServiceSeed(11, ALICE, 1, started=22, options=((3, "Wi-Fi 6 rental"),)),
    _ServiceSeed(15, ALICE, 6, started=20, status="Suspended", options=((1, "3 GB"), (2, "Pay per call")),
                 reason="Lost SIM: suspended at the customer's request"),
    _ServiceSeed(13, ALICE, 4, started=14, options=((1, "5 GB"), (2, "5-minute calls free"))),
    _ServiceSeed(14, ALICE, 5, started=8, options=((1, "10 GB"),)),
    _ServiceSeed(21, BOB, 3, started=7, options=((1, "20 GB"), (2, "5-minute calls free"))),
    _ServiceSeed(22, BOB, 2, started=7, options=((3, "Own router"),)),
    _ServiceSeed(31, USD_CLIENT_ID, 12, started=3),
)

ALICE_MONTHS = 24
BOB_MONTHS = 8
USD_CLIENT_MONTHS = 3


def seed_store(today: date, customers: int = 0) -> WhmcsStore:
    """A fresh store holding the demo data, dated relative to ``today``, and the first ``customers``
    of the generated population (``sandbox.population``; none by default)."""
    store = WhmcsStore(today)
    store.currencies = {JPY.id: JPY, USD.id: USD}
    store.products = {product.id: product for product in PRODUCTS}
    store.upgrade_packages = dict(UPGRADE_PACKAGES)
    for customer in DEMO_CUSTOMERS:
        store.clients[customer.whmcs_client_id] = Client(
            customer.whmcs_client_id, customer.first_name, customer.last_name, customer.email, currency_id=JPY.id
        )
    store.clients[USD_CLIENT_ID] = Client(USD_CLIENT_ID, "Dana", "Dunn", "dana@example.com", currency_id=USD.id,
                                          country="US")

    # Monthly invoices are dated on a fixed day: 5 days ago (at most the 28th), so this month's is
    # due in the future and last month's is overdue.
    anchor = today - timedelta(days=5)
    anchor = anchor.replace(day=min(anchor.day, 28))

    def month(k: int) -> date:
        return add_months(anchor, -k)

    _seed_services(store, month)
    _seed_invoices(store, month)
    _seed_orders(store)
    _seed_paymethods(store, today)
    _seed_contacts_and_sign_ins(store, today)
    seed_population(store, population.check_count(customers), month)
    return store


DEMO_CONTACTS = {
    ALICE: ("09012345678", "150-0001", "Tokyo", "Shibuya-ku", "1-2-3 Jingumae", "Harajuku Heights 501"),
    BOB: ("08098765432", "530-0001", "Osaka", "Osaka-shi Kita-ku", "4-5-6 Umeda", ""),
    DEMO_UNLINKED.whmcs_client_id: ("07011112222", "060-0001", "Hokkaido", "Sapporo-shi Chuo-ku",
                                    "7-8 Kita 1-jo Nishi", ""),
}
"""Phone and Japanese address (postal code, prefecture, city, street, building) of the demo clients."""


def _seed_contacts_and_sign_ins(store: WhmcsStore, today: date) -> None:
    """Erin (a customer not linked to the portal yet), every demo client's phone and address, and
    their client-area sign-ins (``sandbox.demo_identities.DEMO_CLIENT_AREA_PASSWORDS``)."""
    erin = DEMO_UNLINKED
    store.clients[erin.whmcs_client_id] = Client(erin.whmcs_client_id, erin.first_name, erin.last_name, erin.email)
    for client_id, (phone, postcode, state, city, street, building) in DEMO_CONTACTS.items():
        client = store.clients[client_id]
        client.phonenumber, client.postcode, client.state, client.city = phone, postcode, state, city
        client.address1, client.address2 = street, building
        client.datecreated = today - timedelta(days=700)
    for client_id, password in DEMO_CLIENT_AREA_PASSWORDS.items():
        store.clients[client_id].set_password(password)


def _seed_services(store: WhmcsStore, month) -> None:
    sims = {sim.service_id: sim for sim in DEMO_SIMS}
    for seed in SERVICES:
        product = store.products[seed.pid]
        currency = store.client_currency(seed.client)
        price = currency.round(product.monthly_price * currency.rate)  # the product's price in the client's currency
        customfields = {}
        if seed.id in sims:
            customfields = {ICCID_FIELD.id: sims[seed.id].iccid, MSISDN_FIELD.id: sims[seed.id].msisdn}
        store.services[seed.id] = Service(
            id=seed.id,
            clientid=seed.client,
            orderid=0,  # set by _seed_orders
            pid=seed.pid,
            regdate=month(seed.started),
            nextduedate=month(seed.ended) if seed.ended is not None else month(-1),
            status=seed.status,
            paymentmethod="stripe",
            firstpaymentamount=price,
            recurringamount=price,
            suspensionreason=seed.reason,
            customfields=customfields,
            configoptions=dict(seed.options),
        )


def _billed(seed: _ServiceSeed, k: int) -> bool:
    return seed.started >= k and (seed.ended is None or k > seed.ended)


def _seed_invoices(store: WhmcsStore, month) -> None:
    specs: list[dict] = []  # one per invoice; created in date order so ids and numbers are chronological
    for client, months in ((ALICE, ALICE_MONTHS), (BOB, BOB_MONTHS), (USD_CLIENT_ID, USD_CLIENT_MONTHS)):
        for k in range(months):
            day = month(k)
            services = [store.services[s.id] for s in SERVICES if s.client == client and _billed(s, k)]
            if not services:
                continue
            status, method, paid = "Paid", "stripe", datetime.combine(day + timedelta(days=11), time(10, 0))
            if k == 0:
                status, paid = "Unpaid", None
            elif k == 1 and client == ALICE:
                status, paid = "Unpaid", None  # overdue: the card was declined on the due date
            elif k == 1 and client == BOB:
                status, method, paid = "Payment Pending", "banktransfer", None
            elif k == 9 and client == ALICE:
                method, paid = "banktransfer", datetime.combine(day + timedelta(days=13), time(15, 12))
            specs.append({
                "date": day, "client": client, "due": day + timedelta(days=14), "status": status,
                "method": method, "paid": paid,
                "lines": [store.service_line(s, day) for s in services],
                "failed_capture": k == 1 and client == ALICE,
                # Japanese consumption tax is for customers in Japan: none on the US client's invoices.
                "taxrate": Decimal("0.00") if client == USD_CLIENT_ID else Decimal("10.00"),
            })

    def one_off(client, day, description, price, *, status="Paid", taxed=True,
                paid_after=timedelta(0), refunded_after=None, due_after=timedelta(days=7)):
        specs.append({
            "date": day, "client": client, "due": day + due_after, "status": status, "method": "stripe",
            "paid": datetime.combine(day, time(11, 24)) + paid_after if status in ("Paid", "Refunded") else None,
            "refunded": datetime.combine(day, time(16, 2)) + refunded_after if refunded_after else None,
            "lines": [(description, price, taxed, "", 0)],
            "taxrate": Decimal("10.00") if taxed else Decimal("0.00"),
        })

    one_off(ALICE, month(11) + timedelta(days=20), "Data top-up 1 GB (Mobile Voice 20 GB)", Decimal("550"),
            due_after=timedelta(0))
    one_off(ALICE, month(10) + timedelta(days=3), "Wi-Fi 6 router (purchase)", Decimal("12800"),
            status="Refunded", paid_after=timedelta(days=1), refunded_after=timedelta(days=6))
    one_off(ALICE, month(6) + timedelta(days=7), "Data top-up 1 GB (Mobile Voice 5 GB)", Decimal("550"),
            due_after=timedelta(0))
    one_off(ALICE, month(5) + timedelta(days=10), "SIM replacement fee (Mobile Voice 20 GB)", Decimal("3300"),
            status="Cancelled")
    one_off(ALICE, month(3) + timedelta(days=12), "International roaming pass, 7 days (USA)", Decimal("3300"))
    one_off(ALICE, month(2) + timedelta(days=18), "Data top-up 1 GB (Mobile Voice 20 GB)", Decimal("550"),
            due_after=timedelta(0))
    one_off(BOB, month(4) + timedelta(days=2), "Late payment fee", Decimal("550"), status="Cancelled")

    events = []
    for spec in sorted(specs, key=lambda s: (s["date"], s["client"])):
        invoice = store.create_invoice(
            spec["client"], spec["lines"], invoice_date=spec["date"], duedate=spec["due"],
            status="Unpaid" if spec["status"] in ("Paid", "Refunded") else spec["status"],
            paymentmethod=spec["method"], taxrate=spec.get("taxrate", Decimal("10.00")), prices_include_tax=True,
        )
        if spec.get("failed_capture"):
            invoice.last_capture_attempt = datetime.combine(invoice.duedate, time(10, 0))
        if spec["paid"]:
            events.append((spec["paid"], "pay", invoice))
        if spec.get("refunded"):
            events.append((spec["refunded"], "refund", invoice))
    for when, kind, invoice in sorted(events, key=lambda e: (e[0], e[2].id)):
        if kind == "pay":
            store.pay_invoice(invoice, when, transid=_transid(invoice.paymentmethod, invoice.id))
            if invoice.paymentmethod == "stripe":
                invoice.last_capture_attempt = when
        else:
            store.refund_invoice(invoice, when)


def _transid(gateway: str, invoice_id: int) -> str:
    if gateway == "stripe":
        return "ch_3" + stable_hex("charge", invoice_id, length=23)
    return "BT" + stable_digits("transfer", invoice_id, length=8)


def _seed_orders(store: WhmcsStore) -> None:
    """One order per signup: Bob's two services came in one order."""
    groups: dict[tuple[int, date], list[Service]] = {}
    for service in sorted(store.services.values(), key=lambda s: (s.regdate, s.id)):
        groups.setdefault((service.clientid, service.regdate), []).append(service)
    for order_id, ((client, day), services) in enumerate(sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])), 1):
        ids = {s.id for s in services}
        first_invoice = min(  # the signup's invoice, when the seeded history reaches back that far
            (i for i in store.invoices.values()
             if i.date <= day + timedelta(days=31) and any(item.relid in ids for item in i.items)),
            key=lambda i: i.id, default=None,
        )
        for service in services:
            service.orderid = order_id
        store.orders[order_id] = Order(
            id=order_id,
            ordernum=stable_digits("order", order_id),
            userid=client,
            date=datetime.combine(day, time(14, 23)) - timedelta(days=1),
            amount=sum((s.firstpaymentamount for s in services), Decimal("0")),
            paymentmethod="stripe",
            invoiceid=first_invoice.id if first_invoice else 0,
            status="Active",
            service_ids=[s.id for s in services],
            ipaddress="203.0.113.24",
        )


def _seed_paymethods(store: WhmcsStore, today: date) -> None:
    updated = datetime.combine(today - timedelta(days=200), time(10, 0))
    alice_name = f"{store.clients[ALICE].firstname} {store.clients[ALICE].lastname}"
    # Cards saved through Stripe are stored at the gateway: "RemoteCreditCard", with the gateway's
    # token. Only remote pay methods carry one (a bank account kept in WHMCS has remote_token "").
    store.paymethods = {
        1: PayMethod(1, ALICE, "RemoteCreditCard", "Personal Visa", "stripe", updated, {
            "card_last_four": "4242", "expiry_date": f"12/{(today.year + 2) % 100:02d}", "start_date": "",
            "issue_number": "", "card_type": "Visa",
            "remote_token": json.dumps({"customer": "cus_" + stable_hex("alice", length=14),
                                        "method": "pm_" + stable_hex("alice-visa", length=24)}),
        }),
        2: PayMethod(2, ALICE, "BankAccount", "", "", updated, {
            "account_type": "Checking", "bank_name": "Mizuho Bank", "account_holder_name": alice_name,
            "remote_token": "",
        }),
        3: PayMethod(3, BOB, "RemoteCreditCard", "Bob's Mastercard", "stripe", updated + timedelta(days=40), {
            "card_last_four": "5454", "expiry_date": f"08/{(today.year + 1) % 100:02d}", "start_date": "",
            "issue_number": "", "card_type": "MasterCard",
            "remote_token": json.dumps({"customer": "cus_" + stable_hex("bob", length=14),
                                        "method": "pm_" + stable_hex("bob-mc", length=24)}),
        }),
        4: PayMethod(4, USD_CLIENT_ID, "RemoteCreditCard", "", "stripe", updated, {
            "card_last_four": "1881", "expiry_date": f"06/{(today.year + 3) % 100:02d}", "start_date": "",
            "issue_number": "", "card_type": "Visa",
            "remote_token": json.dumps({"customer": "cus_" + stable_hex("dana", length=14),
                                        "method": "pm_" + stable_hex("dana-visa", length=24)}),
        }),
    }


def seed_population(store: WhmcsStore, count: int, month) -> None:
    """The first ``count`` generated customers (``sandbox.population``), billed in yen: services,
    their sign-up orders, one invoice a month (the newest unpaid, last month's too for some), a
    payment per paid invoice and a card. Records are built directly (ids from the population's
    ranges), not through ``create_invoice``, so 10,000 customers take seconds."""
    month = functools.cache(month)
    example: dict[int, Service] = {}  # a service of each product: a line's text and price depend on these only

    @functools.cache
    def line(pid: int, day: date) -> tuple[str, Decimal, bool, str]:
        return store.service_line(example[pid], day)[:4]

    for customer in population.customers(count):
        client_id = customer.whmcs_client_id
        client = Client(client_id, customer.first_name, customer.last_name, customer.email, currency_id=JPY.id)
        client.datecreated = month(max(s.started for s in customer.services)) - timedelta(days=2)
        store.clients[client_id] = client
        services = []
        for seed in customer.services:
            price = store.products[seed.pid].monthly_price
            customfields = {ICCID_FIELD.id: seed.iccid, MSISDN_FIELD.id: seed.msisdn} if seed.is_sim else {}
            service = Service(id=seed.service_id, clientid=client_id, orderid=seed.order_id, pid=seed.pid,
                              regdate=month(seed.started), nextduedate=month(-1), status="Active",
                              paymentmethod="stripe", firstpaymentamount=price, recurringamount=price,
                              customfields=customfields, configoptions=dict(seed.options))
            store.services[service.id] = service
            services.append((seed, service))
            example.setdefault(seed.pid, service)
        invoice_of_month: dict[int, int] = {}
        for k in reversed(range(customer.history_months)):
            billed = [service for seed, service in services if seed.started >= k]
            if not billed:
                continue
            day = month(k)
            unpaid = k == 0 or (k == 1 and customer.overdue)
            invoice = _population_invoice(store, customer.id(k), client_id, day,
                                          [(*line(service.pid, day), service.id) for service in billed])
            invoice_of_month[k] = invoice.id
            if unpaid:
                continue
            paid = datetime.combine(day + timedelta(days=11), time(10, 0))
            store.transactions[invoice.id] = Transaction(
                id=invoice.id, userid=client_id, invoiceid=invoice.id, gateway="stripe", date=paid,
                description="Invoice Payment", transid=_transid("stripe", invoice.id), amountin=invoice.total)
            invoice.status, invoice.datepaid, invoice.last_capture_attempt = "Paid", paid, paid
        for order_id, signed_up in customer.orders.items():
            started = signed_up[0].started
            store.orders[order_id] = Order(
                id=order_id, ordernum=stable_digits("order", order_id), userid=client_id,
                date=datetime.combine(month(started), time(14, 23)) - timedelta(days=1),
                amount=sum((store.products[s.pid].monthly_price for s in signed_up), Decimal("0")),
                paymentmethod="stripe", invoiceid=invoice_of_month.get(started, 0), status="Active",
                service_ids=[s.service_id for s in signed_up], ipaddress="203.0.113.24")
        method_id = customer.id(0)
        store.paymethods[method_id] = PayMethod(
            method_id, client_id, "RemoteCreditCard", "", "stripe",
            datetime.combine(client.datecreated, time(10, 0)), {
                "card_last_four": f"{4000 + customer.index % 6000:04d}", "start_date": "", "issue_number": "",
                "expiry_date": f"{1 + customer.index % 12:02d}/{(store.today.year + 1 + customer.index % 4) % 100:02d}",
                "card_type": "Visa" if customer.index % 3 else "MasterCard",
                "remote_token": json.dumps({"customer": "cus_" + stable_hex("population", client_id, length=14),
                                            "method": "pm_" + stable_hex("population-card", client_id, length=24)}),
            })


def _population_invoice(store: WhmcsStore, invoice_id: int, client_id: int, day: date, lines: list) -> Invoice:
    """A monthly invoice of tax-inclusive service lines, as ``create_invoice`` makes it (Unpaid)."""
    items = []
    for description, amount, taxed, kind, relid in lines:
        store._item_ids += 1
        items.append(InvoiceItem(store._item_ids, description, amount, taxed, kind, relid))
    taxable = sum((item.amount for item in items), Decimal("0"))
    rate = Decimal("10.00")
    tax = JPY.round(taxable * rate / (100 + rate))
    for item in items:
        item.amount = price_before_tax(item.amount, JPY, rate)
    largest = max(items, key=lambda item: item.amount)
    largest.amount += taxable - tax - sum((item.amount for item in items), Decimal("0"))
    invoice = Invoice(id=invoice_id, userid=client_id, currency_id=JPY.id,
                      invoicenum=f"INV-{day.year}-{invoice_id:05d}", date=day, duedate=day + timedelta(days=14),
                      status="Unpaid", paymentmethod="stripe", taxrate=rate, tax=tax, items=items)
    store.invoices[invoice_id] = invoice
    return invoice
