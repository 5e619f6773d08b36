"""The ``api.php`` actions, answering in WHMCS 8.x's JSON shapes and quirks.

Quirks kept on purpose, because the portal's mappers must cope with them:
- numbers are mostly strings (``"totalresults": "30"``, ``"total": "5000.00"``), but not everywhere
  (``GetInvoice`` has integer ids, ``GetCurrencies`` an integer ``totalresults``);
- an empty list is the empty string (``"invoices": ""``, ``"transactions": ""``), except inside a
  service of ``GetClientsProducts``, where it is an empty wrapper (``"customfields": {"customfield": []}``);
- "no date" is ``"0000-00-00 00:00:00"``;
- ``GetInvoice`` returns any client's invoice: ownership is the caller's job.
"""
from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import upgrades
from .php import decode_serialized_array, form_array
from .store import (
    BILLING_CYCLES,
    DEFAULT_TAX_RATE,
    GATEWAYS,
    INVOICE_STATUSES,
    Client,
    Invoice,
    Order,
    Product,
    Service,
    SsoToken,
    StoreError,
    WhmcsStore,
    is_recurring,
    stable_hex,
)

NO_DATE = "0000-00-00"
NO_DATETIME = "0000-00-00 00:00:00"
TRUTHY = {"1", "true", "on", "yes"}


class ApiError(Exception):
    """Answered as ``{"result": "error", "message": str(exc)}``."""


def _no_webhooks(event: str, **fields: Any) -> None:
    return None


@dataclass
class ApiContext:
    store: WhmcsStore
    params: dict[str, str]
    pairs: list[tuple[str, str]]
    now: datetime
    base_url: str
    remote_addr: str
    sso_token_ttl: float
    emit: Callable[..., object] = _no_webhooks
    """Sends a signed webhook (``emit("InvoicePaid", client_id=..., invoice_id=...)``) when configured."""

    @property
    def today(self) -> date:
        return self.now.date()

    def get(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def int_param(self, name: str, default: int | None = None) -> int | None:
        value = self.params.get(name, "").strip()
        if not value:
            return default
        try:
            return int(value)
        except ValueError:
            return default

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").strip().lower() in TRUTHY


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def datetime_or_zero(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else NO_DATETIME


def _paging(ctx: ApiContext) -> tuple[int, int]:
    start = max(ctx.int_param("limitstart", 0) or 0, 0)
    limit = ctx.int_param("limitnum", 25)
    return start, 25 if limit is None or limit < 0 else limit


def _gateway_error() -> ApiError:
    return ApiError("Invalid Payment Method. Valid options include " + ",".join(GATEWAYS))


def _parse_date(value: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ApiError("Invalid Date Format. Expected: YYYY-MM-DD") from exc


# -- invoices -------------------------------------------------------------------------------------
INVOICE_SORT: dict[str, Callable[[Invoice], Any]] = {
    "id": lambda i: i.id,
    "invoicenumber": lambda i: i.invoicenum,
    "date": lambda i: i.date,
    "duedate": lambda i: i.duedate,
    "total": lambda i: i.total,
    "status": lambda i: i.status,
}


def get_invoices(ctx: ApiContext) -> dict:
    store = ctx.store
    userid = ctx.get("userid").strip()
    if userid.isdigit() and str(int(userid)) == userid:
        invoices = store.owned("invoices", int(userid))
    else:
        invoices = list(store.invoices.values())
        if userid:
            invoices = [i for i in invoices if str(i.userid) == userid]
    status = ctx.get("status").strip().lower()
    if status == "overdue":
        invoices = [i for i in invoices if store.is_overdue(i, ctx.today)]
    elif status:
        invoices = [i for i in invoices if i.status.lower() == status]
    sort = INVOICE_SORT.get(ctx.get("orderby").strip().lower(), INVOICE_SORT["duedate"])
    invoices.sort(key=lambda i: (sort(i), i.id), reverse=ctx.get("order").strip().lower() == "desc")
    start, limit = _paging(ctx)
    page = invoices[start:start + limit]
    return {
        "result": "success",
        "totalresults": str(len(invoices)),
        "startnumber": start,
        "numreturned": len(page),
        "invoices": {"invoice": [_invoice_summary(store, i) for i in page]} if page else "",
    }


def _invoice_summary(store: WhmcsStore, invoice: Invoice) -> dict:
    client = store.clients.get(invoice.userid)
    currency = store.currency_of(invoice)
    return {
        "id": str(invoice.id),
        "userid": str(invoice.userid),
        "firstname": client.firstname if client else "",
        "lastname": client.lastname if client else "",
        "companyname": client.companyname if client else "",
        "invoicenum": invoice.invoicenum,
        "date": invoice.date.isoformat(),
        "duedate": invoice.duedate.isoformat(),
        "datepaid": datetime_or_zero(invoice.datepaid),
        "last_capture_attempt": datetime_or_zero(invoice.last_capture_attempt),
        "subtotal": money(invoice.subtotal),
        "credit": money(invoice.credit),
        "tax": money(invoice.tax),
        "tax2": "0.00",
        "total": money(invoice.total),
        "taxrate": money(invoice.taxrate),
        "taxrate2": "0.00",
        "status": invoice.status,
        "paymentmethod": invoice.paymentmethod,
        "notes": invoice.notes,
        "currencycode": currency.code,
        "currencyprefix": currency.prefix,
        "currencysuffix": currency.suffix,
    }


def _invoice_or_error(ctx: ApiContext) -> Invoice:
    invoice = ctx.store.invoices.get(ctx.int_param("invoiceid", 0) or 0)
    if invoice is None:
        raise ApiError("Invoice ID Not Found")
    return invoice


def get_invoice(ctx: ApiContext) -> dict:
    """Note: no ownership check and no currency fields, exactly like WHMCS."""
    store = ctx.store
    invoice = _invoice_or_error(ctx)
    transactions = store.invoice_transactions(invoice.id)
    return {
        "result": "success",
        "invoiceid": invoice.id,
        "invoicenum": invoice.invoicenum,
        "userid": invoice.userid,
        "date": invoice.date.isoformat(),
        "duedate": invoice.duedate.isoformat(),
        "datepaid": datetime_or_zero(invoice.datepaid),
        "lastcaptureattempt": datetime_or_zero(invoice.last_capture_attempt),
        "subtotal": money(invoice.subtotal),
        "credit": money(invoice.credit),
        "tax": money(invoice.tax),
        "tax2": "0.00",
        "total": money(invoice.total),
        "balance": money(store.balance(invoice)),
        "taxrate": money(invoice.taxrate),
        "taxrate2": "0.00",
        "status": invoice.status,
        "paymentmethod": invoice.paymentmethod,
        "notes": invoice.notes,
        "ccgateway": False,
        "items": {"item": [
            {"id": item.id, "type": item.type, "relid": item.relid, "description": item.description,
             "amount": money(item.amount), "taxed": int(item.taxed)}
            for item in invoice.items
        ]},
        "transactions": {"transaction": [
            {"id": t.id, "userid": t.userid, "currency": 0, "gateway": t.gateway,
             "date": t.date.strftime("%Y-%m-%d %H:%M:%S"), "description": t.description,
             "amountin": money(t.amountin), "fees": money(t.fees), "amountout": money(t.amountout),
             "rate": "1.00000", "transid": t.transid, "invoiceid": t.invoiceid, "refundid": t.refundid}
            for t in transactions
        ]} if transactions else "",
    }


def create_invoice(ctx: ApiContext) -> dict:
    store = ctx.store
    client = store.clients.get(ctx.int_param("userid", 0) or 0)
    if client is None:
        raise ApiError("Client ID Not Found")
    status = "Draft" if ctx.flag("draft") else (ctx.get("status") or "Unpaid")
    canonical = {s.lower(): s for s in INVOICE_STATUSES}.get(status.strip().lower())
    if canonical is None:
        raise ApiError("Invalid Invoice Status")
    paymentmethod = ctx.get("paymentmethod") or client.default_gateway
    if paymentmethod not in GATEWAYS:
        raise _gateway_error()
    try:
        taxrate = Decimal(ctx.get("taxrate") or DEFAULT_TAX_RATE)
        lines = []
        indexes = sorted({int(m.group(1)) for key, _ in ctx.pairs if (m := re.fullmatch(r"itemdescription(\d+)", key))})
        for n in indexes:
            amount = Decimal(ctx.get(f"itemamount{n}") or "0")
            lines.append((ctx.get(f"itemdescription{n}"), amount, ctx.flag(f"itemtaxed{n}"), "", 0))
    except InvalidOperation as exc:
        raise ApiError("Invalid amount") from exc
    invoice = store.create_invoice(
        client.id, lines,
        invoice_date=_parse_date(ctx.get("date"), ctx.today),
        duedate=_parse_date(ctx.get("duedate"), ctx.today),
        status=canonical, paymentmethod=paymentmethod, taxrate=taxrate, notes=ctx.get("notes"),
    )
    if canonical == "Paid":
        invoice.datepaid = ctx.now
    ctx.emit("InvoiceCreated", client_id=invoice.userid, invoice_id=invoice.id)
    return {"result": "success", "invoiceid": invoice.id, "status": "success"}


INVOICE_STATUS_EVENTS = {"Paid": "InvoicePaid", "Cancelled": "InvoiceCancelled", "Refunded": "InvoiceRefunded"}
"""The webhook ``UpdateInvoice`` sends when it moves an invoice to one of these statuses."""


def update_invoice(ctx: ApiContext) -> dict:
    """Minimal: ``status``, ``duedate``, ``date``, ``notes`` and ``paymentmethod``."""
    invoice = _invoice_or_error(ctx)
    if ctx.get("status"):
        canonical = {s.lower(): s for s in INVOICE_STATUSES}.get(ctx.get("status").strip().lower())
        if canonical is None:
            raise ApiError("Invalid Invoice Status")
        if canonical != invoice.status and canonical in INVOICE_STATUS_EVENTS:
            ctx.emit(INVOICE_STATUS_EVENTS[canonical], client_id=invoice.userid, invoice_id=invoice.id)
        invoice.status = canonical
        if canonical == "Paid" and invoice.datepaid is None:
            invoice.datepaid = ctx.now
        if canonical == "Paid":
            upgrades.on_invoice_paid(ctx.store, invoice)
        elif canonical == "Cancelled":
            upgrades.on_invoice_cancelled(ctx.store, invoice)
    if ctx.get("paymentmethod"):
        if ctx.get("paymentmethod") not in GATEWAYS:
            raise _gateway_error()
        invoice.paymentmethod = ctx.get("paymentmethod")
    invoice.duedate = _parse_date(ctx.get("duedate"), invoice.duedate)
    invoice.date = _parse_date(ctx.get("date"), invoice.date)
    if "notes" in ctx.params:
        invoice.notes = ctx.get("notes")
    return {"result": "success", "invoiceid": invoice.id}


def capture_payment(ctx: ApiContext) -> dict:
    """Charges the client's stored card. Capturing an invoice that is no longer Unpaid fails
    ("Payment Attempt Failed"), so a retried capture must be checked with GetInvoice."""
    invoice = _invoice_or_error(ctx)
    try:
        ctx.store.capture(invoice, ctx.now)
    except StoreError as exc:
        raise ApiError(str(exc)) from exc
    upgrades.on_invoice_paid(ctx.store, invoice)
    ctx.emit("InvoicePaid", client_id=invoice.userid, invoice_id=invoice.id)
    return {"result": "success"}


# -- products / services --------------------------------------------------------------------------
def get_clients_products(ctx: ApiContext) -> dict:
    store = ctx.store
    wanted_client = ctx.get("clientid").strip()
    if wanted_client.isdigit() and str(int(wanted_client)) == wanted_client:
        services = sorted(store.owned("services", int(wanted_client)), key=lambda s: s.id)
    else:
        services = sorted(store.services.values(), key=lambda s: s.id)
    for name, attribute in (("clientid", "clientid"), ("serviceid", "id"), ("pid", "pid")):
        wanted = ctx.get(name).strip()
        if wanted:
            services = [s for s in services if str(getattr(s, attribute)) == wanted]
    if ctx.get("domain").strip():
        services = []  # none of the demo services has a domain
    start, limit = _paging(ctx)
    page = services[start:start + limit]
    return {
        "result": "success",
        "clientid": ctx.params.get("clientid"),
        "serviceid": ctx.params.get("serviceid"),
        "pid": ctx.params.get("pid"),
        "domain": ctx.params.get("domain"),
        "totalresults": str(len(services)),
        "startnumber": start,
        "numreturned": len(page),
        "products": {"product": [_product(store, s) for s in page]} if page else "",
    }


def _product(store: WhmcsStore, service: Service) -> dict:
    product = store.products[service.pid]
    order = store.orders.get(service.orderid)
    customfields = [  # as WHMCS documents it: a wrapper, empty or not ({"customfield": []})
        {"id": str(f.id), "name": f.name, "translated_name": f.name, "value": service.customfields.get(f.id, "")}
        for f in product.customfields
    ]
    configoptions = [
        {"id": str(o.id), "option": o.name, "type": o.type, "value": service.configoptions.get(o.id, "")}
        for o in product.configoptions
    ]
    return {
        "id": str(service.id),
        "qty": "1",
        "clientid": str(service.clientid),
        "orderid": str(service.orderid),
        "ordernumber": order.ordernum if order else "",
        "pid": str(service.pid),
        "regdate": service.regdate.isoformat(),
        "name": product.name,
        "translated_name": product.name,
        "groupname": product.group,
        "translated_groupname": product.group,
        "domain": "",
        "dedicatedip": "",
        "serverid": "0",
        "servername": "",
        "serverip": None,
        "serverhostname": None,
        "suspensionreason": service.suspensionreason,
        "firstpaymentamount": money(service.firstpaymentamount),
        "recurringamount": money(service.recurringamount),
        "paymentmethod": service.paymentmethod,
        "paymentmethodname": GATEWAYS.get(service.paymentmethod, service.paymentmethod),
        "billingcycle": BILLING_CYCLES.get(service.billingcycle, (service.billingcycle,))[0],
        "nextduedate": service.nextduedate.isoformat() if is_recurring(service.billingcycle) else NO_DATE,
        "status": service.status,
        "username": "",
        "password": "",
        "subscriptionid": "",
        "promoid": "0",
        "overideautosuspend": "",
        "overidesuspenduntil": NO_DATE,
        "ns1": "",
        "ns2": "",
        "assignedips": "",
        "notes": service.notes,
        "diskusage": "0",
        "disklimit": "0",
        "bwusage": "0",
        "bwlimit": "0",
        "lastupdate": NO_DATETIME,
        "customfields": {"customfield": customfields},
        "configoptions": {"configoption": configoptions},
    }


def get_products(ctx: ApiContext) -> dict:
    """Minimal: ``pid`` and ``gid`` filters; each product's prices per currency and cycle ("-1.00": not sold)."""
    products = sorted(ctx.store.products.values(), key=lambda p: p.id)
    wanted = ctx.get("pid").strip()
    if wanted:
        products = [p for p in products if str(p.id) in {part.strip() for part in wanted.split(",")}]
    groups = sorted({p.group for p in ctx.store.products.values()})
    if ctx.get("gid").strip():
        products = [p for p in products if str(groups.index(p.group) + 1) == ctx.get("gid").strip()]

    def one_time(product: Product) -> bool:
        return product.group == "Fees"  # the seed's fees are billed once (their price in "monthly")

    def pricing(product: Product) -> dict:
        prices = {}
        for currency in sorted(ctx.store.currencies.values(), key=lambda c: c.id):
            row = {"prefix": currency.prefix, "suffix": currency.suffix}
            for cycle, (_, months) in BILLING_CYCLES.items():
                if not months:
                    continue
                row[f"{cycle[0]}setupfee"] = "0.00"
                sold = cycle == "monthly" or not one_time(product)
                price = product.monthly_price if one_time(product) else product.price(cycle)
                row[cycle] = money(currency.round(price * currency.rate)) if sold else "-1.00"
            prices[currency.code] = row
        return prices

    return {
        "result": "success",
        "totalresults": len(products),
        "products": {"product": [
            {"pid": str(p.id), "gid": str(groups.index(p.group) + 1), "type": "other", "name": p.name,
             "description": "", "module": "", "paytype": "onetime" if one_time(p) else "recurring",
             "pricing": pricing(p)}
            for p in products
        ]} if products else "",
    }


def get_currencies(ctx: ApiContext) -> dict:
    return {
        "result": "success",
        "totalresults": len(ctx.store.currencies),
        "currencies": {"currency": [
            {"id": str(c.id), "code": c.code, "prefix": c.prefix, "suffix": c.suffix,
             "format": str(c.format), "rate": f"{c.rate:.5f}"}
            for c in sorted(ctx.store.currencies.values(), key=lambda c: c.id)
        ]},
    }


def get_clients_details(ctx: ApiContext) -> dict:
    """``GetClientsDetails`` by ``clientid`` or ``email``: the client (with the currency WHMCS bills
    them in, ``currency`` and ``currency_code``), its deprecated copy at the top level, and with
    ``stats`` a few of the statistics. Never the password hash or stored card details."""
    store = ctx.store
    client = None
    if ctx.get("clientid").strip():
        client = store.clients.get(ctx.int_param("clientid", 0) or 0)
    elif ctx.get("email").strip():
        wanted = ctx.get("email").strip().lower()
        client = next((c for c in store.clients.values() if c.email.lower() == wanted), None)
    else:
        raise ApiError("Either clientid Or email Is Required")
    if client is None:
        raise ApiError("Client Not Found")
    currency = store.client_currency(client.id)
    details = {
        "userid": str(client.id), "client_id": str(client.id), "id": str(client.id),
        "uuid": stable_uuid(client.id), "firstname": client.firstname, "lastname": client.lastname,
        "fullname": f"{client.firstname} {client.lastname}".strip(), "companyname": client.companyname,
        "email": client.email, "address1": client.address1, "address2": client.address2, "city": client.city,
        "fullstate": client.state, "state": client.state, "postcode": client.postcode, "countrycode": client.country,
        "country": client.country, "phonenumber": client.phonenumber, "statecode": client.state,
        "countryname": COUNTRY_NAMES.get(client.country, client.country), "phonecc": "81" if client.phonenumber else "",
        "phonenumberformatted": f"+81.{client.phonenumber.lstrip('0')}" if client.phonenumber else "",
        "billingcid": "0", "notes": client.notes, "twofaenabled": "",
        "currency": str(currency.id), "defaultgateway": client.default_gateway, "groupid": "0", "status": "Active",
        "credit": "0.00", "taxexempt": "", "latefeeoveride": "", "overideduenotices": "", "separateinvoices": "",
        "disableautocc": "", "emailoptout": "", "overrideautoclose": "", "allowSingleSignOn": "1", "language": "",
        "lastlogin": "No Login Logged", "currency_code": currency.code,
    }
    answer: dict[str, Any] = {"result": "success", **details, "client": details}
    if ctx.flag("stats"):
        answer["stats"] = _client_stats(ctx, client.id, currency)
    return answer


COUNTRY_NAMES = {"JP": "Japan", "US": "United States"}


def stable_uuid(client_id: int) -> str:
    digits = stable_hex("client-uuid", client_id, length=32)
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-a{digits[17:20]}-{digits[20:32]}"


def _client_stats(ctx: ApiContext, client_id: int, currency: Any) -> dict:
    store = ctx.store
    invoices = store.owned("invoices", client_id)
    unpaid = [i for i in invoices if i.status == "Unpaid"]
    overdue = [i for i in unpaid if store.is_overdue(i, ctx.today)]
    paid = [i for i in invoices if i.status == "Paid"]
    services = store.owned("services", client_id)

    def total(found: list[Invoice]) -> str:
        return currency.display(sum((store.balance(i) for i in found), Decimal(0)))

    return {
        "numdueinvoices": str(len(unpaid)), "dueinvoicesbalance": total(unpaid),
        "numoverdueinvoices": str(len(overdue)), "overdueinvoicesbalance": total(overdue),
        "numpaidinvoices": str(len(paid)), "paidinvoicesamount": currency.display(sum((i.total for i in paid),
                                                                                      Decimal(0))),
        "numunpaidinvoices": str(len(unpaid)), "unpaidinvoicesamount": total(unpaid),
        "creditbalance": currency.display(Decimal(0)),
        "productsnumactive": str(sum(1 for s in services if s.status == "Active")),
        "productsnumtotal": str(len(services)),
    }


def get_pay_methods(ctx: ApiContext) -> dict:
    client_id = ctx.int_param("clientid", 0) or 0
    if client_id not in ctx.store.clients:
        raise ApiError("Client Not Found")
    methods = ctx.store.owned("paymethods", client_id)
    if ctx.get("paymethodid").strip():
        methods = [m for m in methods if str(m.id) == ctx.get("paymethodid").strip()]
    if ctx.get("type").strip():
        methods = [m for m in methods if m.type.lower() == ctx.get("type").strip().lower()]
    return {
        "result": "success",
        "clientid": client_id,
        "paymethods": [
            {"id": m.id, "type": m.type, "description": m.description, "gateway_name": m.gateway_name,
             "contact_type": "Client", "contact_id": m.clientid, **m.details,
             "last_updated": m.last_updated.strftime("%d/%m/%Y %H:%M")}
            for m in sorted(methods, key=lambda m: m.id)
        ],
    }


# -- single sign-on -------------------------------------------------------------------------------
SSO_DESTINATIONS = {
    "clientarea:homepage": "clientarea.php",
    "clientarea:profile": "clientarea.php?action=details",
    "clientarea:billing_info": "clientarea.php?action=paymentmethods",
    "clientarea:invoices": "clientarea.php?action=invoices",
    "clientarea:services": "clientarea.php?action=services",
}


def create_sso_token(ctx: ApiContext) -> dict:
    client_id = ctx.int_param("client_id", 0) or 0
    if client_id not in ctx.store.clients:
        raise ApiError("Client ID Not Found")
    destination = ctx.get("destination").strip()
    if destination == "sso:custom_redirect":
        path = ctx.get("sso_redirect_path").strip().lstrip("/") or "clientarea.php"
    elif destination == "clientarea:product_details":
        path = f"clientarea.php?action=productdetails&id={ctx.get('service_id').strip()}"
    else:
        path = SSO_DESTINATIONS.get(destination, "clientarea.php")
    token = secrets.token_hex(20)
    ctx.store.sso_tokens[token] = SsoToken(client_id, path, time.monotonic() + ctx.sso_token_ttl)
    return {
        "result": "success",
        "access_token": token,
        "redirect_url": f"{ctx.base_url}/oauth/singlesignon.php?access_token={token}",
    }


# -- orders ---------------------------------------------------------------------------------------
def add_order(ctx: ApiContext) -> dict:
    store = ctx.store
    client = store.clients.get(ctx.int_param("clientid", 0) or 0)
    if client is None:
        raise ApiError("Client ID Not Found")
    paymentmethod = ctx.get("paymentmethod").strip()
    if paymentmethod not in GATEWAYS:
        raise _gateway_error()
    pids = form_array(ctx.pairs, "pid")
    if not pids:
        raise ApiError("No items added to cart so order cannot proceed")
    cycles = form_array(ctx.pairs, "billingcycle")
    quantities = form_array(ctx.pairs, "qty")
    customfields = form_array(ctx.pairs, "customfields")
    configoptions = form_array(ctx.pairs, "configoptions")
    lines = []
    for index, pid in pids.items():
        product = store.products.get(int(pid)) if pid.strip().isdigit() else None
        if product is None:
            raise ApiError(f"Invalid Product ID: {pid}")
        cycle = (cycles.get(index) or "monthly").strip().lower()
        if cycle not in BILLING_CYCLES:
            raise ApiError(f"Invalid Billing Cycle: {cycle}")
        try:
            quantity = max(int(quantities.get(index) or 1), 1)
        except ValueError:
            quantity = 1
        raw_fields, raw_options = customfields.get(index, ""), configoptions.get(index, "")
        line = {
            "product": product,
            "cycle": cycle,
            "customfields": _custom_fields(product, raw_fields),
            "configoptions": _config_options(product, raw_options),
            "raw_customfields": raw_fields,
            "raw_configoptions": raw_options,
        }
        lines.extend([line] * quantity)
    order = store.add_order(
        client, lines, paymentmethod=paymentmethod, now=ctx.now, notes=ctx.get("notes"),
        create_invoice=not ctx.flag("noinvoice"), ipaddress=ctx.remote_addr,
    )
    if order.invoiceid:
        ctx.emit("InvoiceCreated", client_id=client.id, invoice_id=order.invoiceid)
    return {
        "result": "success",
        "orderid": order.id,
        "serviceids": ",".join(map(str, order.service_ids)),
        "addonids": "",
        "domainids": "",
        "invoiceid": order.invoiceid,
    }


def _custom_fields(product: Product, raw: str) -> dict[int, str]:
    """Custom field values by field id, from ``base64(serialize([fieldid => value]))``."""
    decoded = decode_serialized_array(raw) if raw else None
    known = {f.id for f in product.customfields}
    return {int(k): v for k, v in (decoded or {}).items() if k.isdigit() and int(k) in known}


def _config_options(product: Product, raw: str) -> dict[int, str]:
    """Chosen config options by option id; a value may be a sub-option id or its label."""
    decoded = decode_serialized_array(raw) if raw else None
    chosen = {}
    for option in product.configoptions:
        value = (decoded or {}).get(str(option.id))
        if value is None:
            continue
        chosen[option.id] = option.choices.get(int(value), value) if value.isdigit() else value
    return chosen


def accept_order(ctx: ApiContext) -> dict:
    store = ctx.store
    order = store.orders.get(ctx.int_param("orderid", 0) or 0)
    pending = [sid for sid in (order.service_ids if order else []) if store.services[sid].status == "Pending"]
    try:
        store.accept_order(ctx.int_param("orderid", 0) or 0)
    except StoreError as exc:
        raise ApiError(str(exc)) from exc
    for service_id in pending:  # accepting runs the module's create: the service is provisioned
        if store.services[service_id].status == "Active":
            _emit_service(ctx, "AfterModuleCreate", store.services[service_id])
    return {"result": "success"}


# -- service module commands and client details ----------------------------------------------------
# Minimal: the status change each command makes, and the webhook the hook module would send.
MODULE_COMMANDS = {
    # action: (statuses it applies to, the new status, webhook event)
    "ModuleCreate": (("Pending",), "Active", "AfterModuleCreate"),
    "ModuleSuspend": (("Active",), "Suspended", "AfterModuleSuspend"),
    "ModuleUnsuspend": (("Suspended",), "Active", "AfterModuleUnsuspend"),
    "ModuleTerminate": (("Pending", "Active", "Suspended"), "Terminated", "AfterModuleTerminate"),
}


def _emit_service(ctx: ApiContext, event: str, service: Service) -> None:
    ctx.emit(event, client_id=service.clientid, service_id=service.id, product_id=service.pid, domain="")


def _module_command(action: str) -> Callable[[ApiContext], dict]:
    applies_to, new_status, event = MODULE_COMMANDS[action]

    def run(ctx: ApiContext) -> dict:
        service = ctx.store.services.get(ctx.int_param("serviceid", ctx.int_param("accountid", 0)) or 0)
        if service is None:
            raise ApiError("Service ID Not Found")
        if service.status not in applies_to:
            raise ApiError(f"Service status is {service.status}: {action} not possible")
        service.status = new_status
        if action == "ModuleSuspend":
            service.suspensionreason = ctx.get("suspendreason")
        elif action == "ModuleUnsuspend":
            service.suspensionreason = ""
        _emit_service(ctx, event, service)
        return {"result": "success"}

    run.__name__ = action
    return run


def update_client(ctx: ApiContext) -> dict:
    """The fields sent change (names, email, company, phone, address, notes); sends ``ClientEdit``."""
    client = ctx.store.clients.get(ctx.int_param("clientid", 0) or 0)
    if client is None:
        raise ApiError("Client ID Not Found")
    if "country" in ctx.params and not re.fullmatch(r"[A-Z]{2}", ctx.get("country").strip()):
        raise ApiError("Invalid Country")
    for name in ("firstname", "lastname", "email", "companyname", *CONTACT_FIELDS, "notes"):
        if name in ctx.params:
            setattr(client, name, ctx.get(name).strip())
    ctx.emit("ClientEdit", client_id=client.id, firstname=client.firstname, lastname=client.lastname,
             email=client.email, companyname=client.companyname)
    return {"result": "success", "clientid": client.id}


# -- clients and their users (WHMCS 8: a user signs in to the client area and owns the client) --------
CONTACT_FIELDS = ("address1", "address2", "city", "state", "postcode", "country", "phonenumber")
ADD_CLIENT_REQUIRED = ("firstname", "lastname", "email", "address1", "city", "state", "postcode", "country",
                       "phonenumber")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _client_with_email(store: WhmcsStore, email: str):
    wanted = email.strip().lower()
    return next((c for c in store.clients.values() if c.email.strip().lower() == wanted), None)


def validate_login(ctx: ApiContext) -> dict:
    """``ValidateLogin``: a user's ``email`` and ``password2``; their user id and a session token."""
    client = _client_with_email(ctx.store, ctx.get("email"))
    if client is None or not client.password_hash or not client.check_password(ctx.get("password2")):
        raise ApiError("Email or Password Invalid")
    return {"result": "success", "userid": client.owner_user_id, "passwordhash": secrets.token_hex(32),
            "twoFactorEnabled": False}


def _matches(client, search: str) -> bool:
    search = search.strip().lower()
    return not search or any(search in value.lower() for value in (client.email, client.firstname, client.lastname,
                                                                   client.companyname))


def get_users(ctx: ApiContext) -> dict:
    """``GetUsers``: users whose email or name contains ``search``, with the clients each owns."""
    start, limit = _paging(ctx)
    found = [c for c in sorted(ctx.store.clients.values(), key=lambda c: c.id)
             if c.password_hash and _matches(c, ctx.get("search"))]
    page = found[start:start + limit]
    return {"result": "success", "totalresults": len(found), "startnumber": start, "numreturned": len(page),
            "users": [{"id": c.owner_user_id, "firstname": c.firstname, "lastname": c.lastname, "email": c.email,
                       "datecreated": datetime_or_zero(datetime.combine(c.datecreated, datetime.min.time()))
                       if c.datecreated else NO_DATETIME, "validationdata": "",
                       "clients": [{"id": c.id, "isOwner": True}]} for c in page]}


def get_clients(ctx: ApiContext) -> dict:
    """``GetClients``: clients whose email, name or company contains ``search`` (``clients`` is ""
    when none)."""
    start, limit = _paging(ctx)
    found = [c for c in sorted(ctx.store.clients.values(), key=lambda c: c.id) if _matches(c, ctx.get("search"))]
    page = found[start:start + limit]
    rows = [{"id": str(c.id), "firstname": c.firstname, "lastname": c.lastname, "companyname": c.companyname,
             "email": c.email, "datecreated": (c.datecreated or ctx.today).isoformat(), "groupid": "0",
             "status": "Active"} for c in page]
    return {"result": "success", "totalresults": str(len(found)), "startnumber": start, "numreturned": len(page),
            "clients": {"client": rows} if rows else ""}


def add_client(ctx: ApiContext) -> dict:
    """``AddClient`` without ``owner_user_id``: the client and its owner user (``password2``). An
    email a user or client already has is refused, as WHMCS does."""
    missing = [name for name in ADD_CLIENT_REQUIRED if not ctx.get(name).strip()]
    if missing:
        raise ApiError(f"You did not enter {missing[0]}")
    email = ctx.get("email").strip()
    if not _EMAIL.fullmatch(email):
        raise ApiError("The email address entered is not valid")
    if not ctx.get("password2"):
        raise ApiError("A password is required when creating a new user")
    if _client_with_email(ctx.store, email) is not None:
        raise ApiError("A user already exists with that email address")
    if not re.fullmatch(r"[A-Z]{2}", ctx.get("country").strip()):
        raise ApiError("Invalid Country")
    currency = ctx.int_param("currency", 1) or 1
    if currency not in ctx.store.currencies:
        raise ApiError("Invalid Currency ID")
    client = Client(ctx.store.next_client_id(), ctx.get("firstname").strip(), ctx.get("lastname").strip(), email,
                    companyname=ctx.get("companyname").strip(), currency_id=currency, notes=ctx.get("notes").strip(),
                    datecreated=ctx.today, **{name: ctx.get(name).strip() for name in CONTACT_FIELDS})
    client.set_password(ctx.get("password2"))
    ctx.store.clients[client.id] = client
    return {"result": "success", "clientid": client.id, "owner_id": client.owner_user_id}


SERVICE_STATUSES = ("Pending", "Active", "Suspended", "Terminated", "Cancelled", "Fraud", "Completed")


def update_client_product(ctx: ApiContext) -> dict:
    """Minimal: ``customfields`` (``base64_encode(serialize([fieldid => value]))``, only the fields
    of the service's product; others are ignored, as WHMCS does), ``notes`` and ``status``."""
    service = ctx.store.services.get(ctx.int_param("serviceid", 0) or 0)
    if service is None:
        raise ApiError("Service ID Not Found")
    if ctx.get("customfields"):
        if decode_serialized_array(ctx.get("customfields")) is None:
            raise ApiError("Invalid custom fields: expected a base64 encoded serialized array")
        values = _custom_fields(ctx.store.products[service.pid], ctx.get("customfields"))
        ctx.store.update_custom_fields(service, values)
    if ctx.get("status"):
        canonical = {s.lower(): s for s in SERVICE_STATUSES}.get(ctx.get("status").strip().lower())
        if canonical is None:
            raise ApiError("Invalid Service Status")
        service.status = canonical
    if "notes" in ctx.params:
        service.notes = ctx.get("notes")
    return {"result": "success", "serviceid": service.id}


def get_orders(ctx: ApiContext) -> dict:
    store = ctx.store
    userid = ctx.get("userid").strip()
    if userid.isdigit() and str(int(userid)) == userid:
        orders = sorted(store.owned("orders", int(userid)), key=lambda o: o.id, reverse=True)
    else:
        orders = sorted(store.orders.values(), key=lambda o: o.id, reverse=True)
    if ctx.get("id").strip():
        orders = [o for o in orders if str(o.id) == ctx.get("id").strip()]
    if ctx.get("userid").strip():
        orders = [o for o in orders if str(o.userid) == ctx.get("userid").strip()]
    if ctx.get("status").strip():
        orders = [o for o in orders if o.status.lower() == ctx.get("status").strip().lower()]
    start, limit = _paging(ctx)
    page = orders[start:start + limit]
    return {
        "result": "success",
        "totalresults": str(len(orders)),
        "startnumber": start,
        "numreturned": len(page),
        "orders": {"order": [_order(store, o) for o in page]} if page else "",
    }


def _order(store: WhmcsStore, order: Order) -> dict:
    client = store.clients.get(order.userid)
    currency = store.client_currency(order.userid)
    invoice = store.invoices.get(order.invoiceid)
    lineitems = []
    for service_id in order.service_ids:
        service = store.services[service_id]
        lineitems.append({
            "type": "product",
            "relid": str(service.id),
            "producttype": "Other",
            "product": store.products[service.pid].name,
            "domain": "",
            "billingcycle": BILLING_CYCLES.get(service.billingcycle, (service.billingcycle,))[0],
            "amount": currency.display(service.firstpaymentamount),
            "status": service.status,
        })
    for upgrade in upgrades.upgrades_of_order(store, order.id):
        lineitems.append({
            "type": "upgrade",
            "relid": str(upgrade.serviceid),
            "producttype": "Upgrade",
            "product": f"{store.products[upgrade.old_pid].name} => {store.products[upgrade.new_pid].name}",
            "domain": "",
            "billingcycle": BILLING_CYCLES.get(upgrade.cycle, (upgrade.cycle,))[0],
            "amount": currency.display(max(upgrade.amount, Decimal(0))),
            "status": upgrade.status,
        })
    return {
        "id": str(order.id),
        "ordernum": order.ordernum,
        "userid": str(order.userid),
        "contactid": "0",
        "requestor_id": "0",
        "admin_requestor_id": "1",
        "date": order.date.strftime("%Y-%m-%d %H:%M:%S"),
        "nameservers": "",
        "transfersecret": "",
        "renewals": "",
        "promocode": "",
        "promotype": "",
        "promovalue": "",
        "orderdata": "[]",
        "amount": money(order.amount),
        "paymentmethod": order.paymentmethod,
        "invoiceid": str(order.invoiceid),
        "status": order.status,
        "ipaddress": order.ipaddress,
        "fraudmodule": "",
        "fraudoutput": "",
        "notes": order.notes,
        "paymentmethodname": GATEWAYS.get(order.paymentmethod, order.paymentmethod),
        "paymentstatus": invoice.status if invoice else "",
        "name": f"{client.firstname} {client.lastname}" if client else "",
        "currencyprefix": currency.prefix,
        "currencysuffix": currency.suffix,
        "frauddata": "",
        "validationdata": "",
        "lineitems": {"lineitem": lineitems} if lineitems else "",
    }


# -- upgrades (see upgrades.py) ---------------------------------------------------------------------
def upgrade_product(ctx: ApiContext) -> dict:
    """``UpgradeProduct`` with ``type=product``: the pro rata price (``calconly``), or the upgrade order."""
    store = ctx.store
    service = store.services.get(ctx.int_param("serviceid", 0) or 0)
    if service is None:
        raise ApiError("Service ID Not Found")
    paymentmethod = ctx.get("paymentmethod").strip()
    if paymentmethod not in GATEWAYS:
        raise _gateway_error()
    kind = ctx.get("type").strip().lower()
    if kind == "configoptions":
        raise ApiError("Config option upgrades are not available in this sandbox")
    if kind != "product":
        raise ApiError("Invalid Upgrade Type")
    new = store.products.get(ctx.int_param("newproductid", 0) or 0)
    if new is None:
        raise ApiError("Invalid New Product ID")
    cycle = (ctx.get("newproductbillingcycle") or service.billingcycle).strip().lower()
    if cycle not in BILLING_CYCLES:
        raise ApiError(f"Invalid Billing Cycle: {cycle}")
    try:
        calc = upgrades.calculate(store, service, new, cycle, ctx.today)
    except StoreError as exc:
        raise ApiError(str(exc)) from exc
    currency = store.client_currency(service.clientid)
    answer: dict[str, Any] = {
        "result": "success",
        "oldproductid": str(calc.old.id),
        "oldproductname": calc.old.name,
        "newproductid": calc.new.id,
        "newproductname": calc.new.name,
        "daysuntilrenewal": calc.days_until_renewal,
        "totaldays": calc.total_days,
        "newproductbillingcycle": cycle,
        "price": currency.display(calc.price),
    }
    if ctx.flag("calconly"):
        answer["upgradeinprogress"] = upgrades.unpaid_upgrade(store, service) is not None
        return answer
    try:
        upgrade, order = upgrades.place(store, calc, paymentmethod=paymentmethod, now=ctx.now)
    except StoreError as exc:
        raise ApiError(str(exc)) from exc
    if order.invoiceid:
        ctx.emit("InvoiceCreated", client_id=order.userid, invoice_id=order.invoiceid)
    return {**answer, "id": str(upgrade.id), "orderid": order.id, "order_number": order.ordernum,
            "invoiceid": order.invoiceid or None}


def cancel_order(ctx: ApiContext) -> dict:
    """``CancelOrder``: a Pending order becomes Cancelled (its unpaid invoice and upgrades too)."""
    order = ctx.store.orders.get(ctx.int_param("orderid", 0) or 0)
    if order is None:
        raise ApiError("Order ID not found")
    try:
        upgrades.cancel_order(ctx.store, order)
    except StoreError as exc:
        raise ApiError(str(exc)) from exc
    return {"result": "success"}


CANCEL_TYPES = ("Immediate", "End of Billing Period")


def add_cancel_request(ctx: ApiContext) -> dict:
    """``AddCancelRequest``: ``serviceid``, ``type`` ("Immediate" or "End of Billing Period", the
    default) and ``reason``. One request per service ("Existing Cancellation Request Exists");
    staff act on it in WHMCS (an "Immediate" one terminates the service at once here)."""
    service = ctx.store.services.get(ctx.int_param("serviceid", 0) or 0)
    if service is None:
        raise ApiError("Service ID Not Found")
    kind = ctx.get("type") or "End of Billing Period"
    if kind not in CANCEL_TYPES:
        raise ApiError("Invalid Cancellation Type")
    if service.id in ctx.store.cancel_requests:
        raise ApiError("Existing Cancellation Request Exists")
    if service.status not in ("Active", "Suspended"):
        raise ApiError("Service Not Active")
    ctx.store.cancel_requests[service.id] = {"type": kind, "reason": ctx.get("reason"), "date": ctx.today}
    if kind == "Immediate":
        service.status = "Cancelled"
    return {"result": "success", "serviceid": service.id, "userid": service.clientid}


ACTIONS: dict[str, Callable[[ApiContext], dict]] = {
    "GetInvoices": get_invoices,
    "GetInvoice": get_invoice,
    "CreateInvoice": create_invoice,
    "UpdateInvoice": update_invoice,
    "CapturePayment": capture_payment,
    "GetClientsProducts": get_clients_products,
    "GetCurrencies": get_currencies,
    "GetClientsDetails": get_clients_details,
    "GetProducts": get_products,
    "GetPayMethods": get_pay_methods,
    "CreateSsoToken": create_sso_token,
    "AddOrder": add_order,
    "AcceptOrder": accept_order,
    "GetOrders": get_orders,
    "CancelOrder": cancel_order,
    "UpgradeProduct": upgrade_product,
    "UpdateClient": update_client,
    "ValidateLogin": validate_login,
    "GetUsers": get_users,
    "GetClients": get_clients,
    "AddClient": add_client,
    "UpdateClientProduct": update_client_product,
    "AddCancelRequest": add_cancel_request,
    **{action: _module_command(action) for action in MODULE_COMMANDS},
}
CANONICAL_ACTIONS = {name.lower(): name for name in ACTIONS}  # WHMCS matches action names case-insensitively
