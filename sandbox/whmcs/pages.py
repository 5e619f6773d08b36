"""The few browser pages of the WHMCS client area the portal sends customers to.

``/oauth/singlesignon.php`` consumes a ``CreateSsoToken`` token (once, within its lifetime), starts
a client-area session (cookie) and redirects; ``/viewinvoice.php`` shows one of that client's
invoices with a "Pay now" button (``POST /creditcard.php``) that charges the stored card;
``/index.php?rp=/account/paymentmethods`` lists the client's pay methods and
``/index.php?rp=/account/paymentmethods/add`` adds a card (WHMCS 8's routed client-area pages),
which the sandbox keeps as the Stripe gateway would: a ``RemoteCreditCard`` with a token.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime
from html import escape
from urllib.parse import urlencode

from sandbox.common.wsgi import Request, Response, html_response, redirect

from . import upgrades
from .store import Invoice, StoreError, WhmcsStore

SESSION_COOKIE = "WHMCSsandbox"

_STYLE = """
body{font-family:system-ui,sans-serif;background:#f4f6f8;color:#222;margin:0}
header{background:#1f3a5f;color:#fff;padding:12px 24px;font-weight:600}
main{max-width:760px;margin:24px auto;background:#fff;padding:24px 32px;border-radius:6px;box-shadow:0 1px 3px #0002}
table{width:100%;border-collapse:collapse;margin:16px 0}
td,th{padding:6px 8px;border-bottom:1px solid #e3e6ea;text-align:left}
td.num,th.num{text-align:right}.status{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600}
.Paid{background:#d7f5dd;color:#17692b}.Unpaid{background:#fde2e1;color:#9b1c1c}.other{background:#e8eaed}
.notice{padding:10px 14px;border-radius:4px;background:#d7f5dd;margin-bottom:16px}.error{background:#fde2e1}
button{background:#1f6feb;color:#fff;border:0;padding:10px 22px;border-radius:4px;font-size:1rem;cursor:pointer}
.back{display:block;max-width:760px;margin:16px auto;padding:0 16px}
label{display:block;margin:12px 0 4px;font-weight:600}
input{font-size:1rem;padding:8px;border:1px solid #b8bfc7;border-radius:4px;width:100%;max-width:320px}
.field-error{color:#9b1c1c;margin:4px 0}
@media (max-width:600px){main{margin:0;border-radius:0;padding:16px}td,th{padding:6px 4px}}
"""

# Where the customer goes back to: the client-area template of a real WHMCS links the portal the same
# way. Set from the portal's address (the origin of its webhook URL) when the sandbox starts.
_portal_origin: str | None = None
PORTAL_BILLING_PATH = "/billing/invoices/"
PORTAL_PAY_METHODS_RETURN_PATH = "/billing/payment-methods/added/"
"""The portal page the payment-method pages lead back to (it reads the client's pay methods afresh)."""


def set_portal_origin(origin: str | None) -> None:
    global _portal_origin
    _portal_origin = origin.rstrip("/") if origin else None


def page(title: str, body: str, status: int = 200, headers: list[tuple[str, str]] | None = None, *,
         back_path: str = PORTAL_BILLING_PATH) -> Response:
    back = (f'<a class="back" href="{escape(_portal_origin + back_path)}">&larr; Back to the customer portal</a>'
            if _portal_origin else "")
    html = (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)} - Sandbox WHMCS</title>"
        f"<style>{_STYLE}</style></head><body><header>Sandbox WHMCS &middot; Client Area</header>"
        f"<main>{body}</main>{back}</body></html>"
    )
    return html_response(html, status, headers)


def session_client(store: WhmcsStore, request: Request) -> int | None:
    return store.sessions.get(request.cookies.get(SESSION_COOKIE, ""))


def _form_token(request: Request) -> str:
    """The client area's form token (WHMCS's ``token`` field): tied to the session cookie."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(session_id.encode(), b"client-area-form", hashlib.sha256).hexdigest()[:40]


def single_sign_on(store: WhmcsStore, request: Request) -> Response:
    token = store.sso_tokens.pop(request.query.get("access_token", ""), None)
    if token is None or token.expires_at < time.monotonic():
        return page("Invalid token", "<h1>Invalid or expired token</h1><p>This single sign-on link has already "
                    "been used or has expired. Please start again from the customer portal.</p>", 403)
    session_id = secrets.token_urlsafe(24)
    store.sessions[session_id] = token.client_id
    cookie = f"{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax"
    return redirect(f"{request.base_url}/{token.redirect_path}", 302, [("Set-Cookie", cookie)])


def _denied() -> Response:
    return page("Access Denied", "<h1>Access Denied</h1><p>Please sign in through the customer portal.</p>", 403)


def _badge(status: str) -> str:
    css = status if status in ("Paid", "Unpaid") else "other"
    return f'<span class="status {css}">{escape(status)}</span>'


def view_invoice(store: WhmcsStore, request: Request) -> Response:
    client_id = session_client(store, request)
    invoice_id = request.query.get("id", "")
    invoice = store.invoices.get(int(invoice_id)) if invoice_id.isdigit() else None
    if client_id is None or (invoice is not None and invoice.userid != client_id):
        return _denied()
    if invoice is None:
        return page("Invoice not found", "<h1>Invoice not found</h1>", 404)
    currency = store.currency_of(invoice)
    rows = "".join(
        f"<tr><td>{escape(item.description)}</td><td class=num>{escape(currency.display(item.amount))}</td></tr>"
        for item in invoice.items
    )
    notice = ""
    if request.query.get("paymentsuccess") == "true":
        notice = '<div class="notice">Payment successful. Thank you!</div>'
    elif request.query.get("paymentfailed") == "true":
        notice = '<div class="notice error">The payment could not be completed. Please try another method.</div>'
    balance = store.balance(invoice)
    pay = ""
    if invoice.status == "Unpaid" and balance > 0:
        card = next((m for m in store.paymethods.values()
                     if m.clientid == client_id and m.type in ("CreditCard", "RemoteCreditCard")), None)
        method = ""
        if card:
            method = f"{card.details.get('card_type', 'Card')} ending {card.details.get('card_last_four', '')}"
        pay = (
            f'<form method="post" action="/creditcard.php?{urlencode({"invoiceid": invoice.id})}">'
            f"<p>Pay {escape(currency.display(balance))} with {escape(method or 'your saved card')}.</p>"
            '<button type="submit" id="pay-now">Pay now</button></form>'
        )
    body = (
        f"{notice}<h1>Invoice #{escape(invoice.invoicenum)}</h1><p>{_badge(invoice.status)}</p>"
        f"<p>Invoice date: {invoice.date:%d/%m/%Y} &middot; Due date: {invoice.duedate:%d/%m/%Y}</p>"
        f"<table><tr><th>Description</th><th class=num>Amount</th></tr>{rows}"
        f"<tr><th>Sub total</th><td class=num>{escape(currency.display(invoice.subtotal))}</td></tr>"
        f"<tr><th>{invoice.taxrate:.2f}% Consumption tax</th>"
        f"<td class=num>{escape(currency.display(invoice.tax))}</td></tr>"
        f"<tr><th>Total</th><td class=num id=total>{escape(currency.display(invoice.total))}</td></tr>"
        f"<tr><th>Balance</th><td class=num id=balance>{escape(currency.display(balance))}</td></tr></table>{pay}"
    )
    return page(f"Invoice #{invoice.invoicenum}", body)


def pay_invoice(store: WhmcsStore, request: Request, now: datetime,
                emit: Callable[..., object] = lambda *args, **kwargs: None) -> Response:
    """The "Pay now" button: charge the stored card, then back to the invoice (303).

    A successful payment sends the ``InvoicePaid`` webhook (when the emulator has webhooks on)."""
    client_id = session_client(store, request)
    invoice_id = request.form.get("invoiceid") or request.query.get("invoiceid", "")
    invoice: Invoice | None = store.invoices.get(int(invoice_id)) if invoice_id.isdigit() else None
    if client_id is None or invoice is None or invoice.userid != client_id:
        return _denied()
    outcome = "paymentsuccess"
    try:
        store.capture(invoice, now)
    except StoreError:
        outcome = "paymentfailed"
    else:
        upgrades.on_invoice_paid(store, invoice)
        emit("InvoicePaid", client_id=invoice.userid, invoice_id=invoice.id)
    return redirect(f"/viewinvoice.php?{urlencode({'id': invoice.id, outcome: 'true'})}", 303)


def client_area(store: WhmcsStore, request: Request) -> Response:
    client_id = session_client(store, request)
    if client_id is None:
        return _denied()
    if request.query.get("action") == "paymentmethods":  # the legacy address of the pay methods page
        return redirect("/index.php?" + urlencode({"rp": PAY_METHODS_ROUTE}), 302)
    client = store.clients[client_id]
    invoices = sorted(store.owned("invoices", client_id), key=lambda i: i.id, reverse=True)
    rows = "".join(
        f'<tr><td><a href="/viewinvoice.php?id={i.id}">{escape(i.invoicenum)}</a></td>'
        f"<td>{i.duedate:%d/%m/%Y}</td><td class=num>{escape(store.currency_of(i).display(i.total))}</td>"
        f"<td>{_badge(i.status)}</td></tr>"
        for i in invoices[:10]
    )
    body = (
        f"<h1>Welcome back, {escape(client.firstname)}</h1><h2>Recent invoices</h2>"
        f"<table><tr><th>Invoice</th><th>Due</th><th class=num>Total</th><th>Status</th></tr>{rows}</table>"
    )
    return page("Client Area", body)


def index(_store: WhmcsStore, _request: Request) -> Response:
    return page("Sandbox WHMCS", "<h1>Sandbox WHMCS</h1><p>An emulator of the WHMCS External API "
                "(<code>POST /includes/api.php</code>) for the customer portal's demo and tests.</p>")


# -- pay methods (WHMCS 8's routed pages: index.php?rp=...) --------------------------------------------
PAY_METHODS_ROUTE = "/account/paymentmethods"
ADD_PAY_METHOD_ROUTE = "/account/paymentmethods/add"
DECLINED_TEST_CARD = "4000000000000002"
"""Stripe's test number of a card its issuer declines; any other number passing the Luhn check is saved."""


def routed(store: WhmcsStore, request: Request, now: datetime) -> Response:
    """``/index.php?rp=<route>``: the client area's routed pages the sandbox has (the pay methods)."""
    route = request.query.get("rp", "").rstrip("/")
    if route == PAY_METHODS_ROUTE and request.method == "GET":
        return pay_methods(store, request)
    if route == ADD_PAY_METHOD_ROUTE:
        return add_pay_method(store, request, now)
    if not route:
        return index(store, request)
    return page("Not found", "<h1>Page not found</h1>", 404)


def pay_methods(store: WhmcsStore, request: Request) -> Response:
    client_id = session_client(store, request)
    if client_id is None:
        return _denied()
    methods = sorted(store.owned("paymethods", client_id), key=lambda m: m.id)
    rows = "".join(
        f"<tr><td>{escape(_method_name(m))}</td><td>{escape(m.description)}</td>"
        f"<td>{escape(m.details.get('expiry_date', ''))}</td></tr>"
        for m in methods
    ) or '<tr><td colspan="3">No payment methods on file.</td></tr>'
    notice = '<div class="notice" role="status">The payment method was added.</div>' \
        if request.query.get("added") == "1" else ""
    body = (
        f"{notice}<h1>Payment Methods</h1>"
        f"<table><tr><th>Method</th><th>Description</th><th>Expires</th></tr>{rows}</table>"
        f'<p><a href="/index.php?{urlencode({"rp": ADD_PAY_METHOD_ROUTE})}">Add New Payment Method</a></p>'
    )
    return page("Payment Methods", body, back_path=PORTAL_PAY_METHODS_RETURN_PATH)


def _method_name(method) -> str:
    if method.type in ("CreditCard", "RemoteCreditCard"):
        return f"{method.details.get('card_type', 'Card')} ending {method.details.get('card_last_four', '')}"
    return method.details.get("bank_name", "") or "Bank account"


def add_pay_method(store: WhmcsStore, request: Request, now: datetime) -> Response:
    """A card form (number, expiry MM/YY, CVC, a description); a valid card is saved for the signed-in
    client and the customer goes on to the list (303), as WHMCS does."""
    client_id = session_client(store, request)
    if client_id is None:
        return _denied()
    errors: dict[str, str] = {}
    values = {"ccnumber": "", "ccexpirydate": "", "ccdescription": ""}
    if request.method == "POST":
        form = request.form
        values = {name: form.get(name, "").strip() for name in values}
        if not hmac.compare_digest(form.get("token", ""), _form_token(request)):
            return page("Access Denied", "<h1>Access Denied</h1><p>The form expired. Please try again.</p>", 403,
                        back_path=PORTAL_PAY_METHODS_RETURN_PATH)
        number = re.sub(r"[\s-]", "", values["ccnumber"])
        brand = _card_brand(number)
        if brand is None:
            errors["ccnumber"] = "Please enter a valid card number."
        elif number == DECLINED_TEST_CARD:
            errors["ccnumber"] = "Your card was declined. Please try another card."
        expiry = _expiry(values["ccexpirydate"], now.date())
        if expiry is None:
            errors["ccexpirydate"] = "Please enter the expiry date as MM/YY, not in the past."
        if not re.fullmatch(r"\d{3,4}", form.get("cccvv", "").strip()):
            errors["cccvv"] = "Please enter the 3 or 4 digit security code."
        if not errors:
            store.add_card(client_id, card_type=brand, last_four=number[-4:], expiry=expiry,
                           description=values["ccdescription"][:100], now=now)
            return redirect("/index.php?" + urlencode({"rp": PAY_METHODS_ROUTE, "added": "1"}), 303)

    def field(name: str, label: str, kind: str = "text", extra: str = "") -> str:
        error = f'<p class="field-error" id="{name}-error">{escape(errors[name])}</p>' if name in errors else ""
        described = f' aria-invalid="true" aria-describedby="{name}-error"' if name in errors else ""
        value = f' value="{escape(values[name])}"' if name in values else ""
        return (f'<label for="{name}">{label}</label><input type="{kind}" id="{name}" name="{name}"'
                f"{value}{described} {extra}>{error}")

    body = (
        "<h1>Add New Payment Method</h1><p>Your card is stored securely by our payment gateway.</p>"
        f'<form method="post" action="/index.php?{escape(urlencode({"rp": ADD_PAY_METHOD_ROUTE}))}">'
        f'<input type="hidden" name="token" value="{_form_token(request)}">'
        + field("ccnumber", "Card Number", extra='inputmode="numeric" autocomplete="cc-number" required')
        + field("ccexpirydate", "Expiry Date (MM/YY)", extra='autocomplete="cc-exp" placeholder="MM/YY" required')
        + field("cccvv", "CVV/CVC2 Number", extra='inputmode="numeric" autocomplete="cc-csc" required')
        + field("ccdescription", "Card Description (optional)")
        + '<p><button type="submit" id="save-card">Save Changes</button></p></form>'
    )
    return page("Add New Payment Method", body, 400 if errors else 200, back_path=PORTAL_PAY_METHODS_RETURN_PATH)


def _card_brand(number: str) -> str | None:
    """The brand of a Luhn-valid card number of 13 to 19 digits, as WHMCS names it; ``None`` if not one."""
    if not re.fullmatch(r"\d{13,19}", number):
        return None
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    if total % 10:
        return None
    if number.startswith("4"):
        return "Visa"
    if re.match(r"5[1-5]|2[2-7]", number):
        return "MasterCard"
    if re.match(r"3[47]", number):
        return "American Express"
    if number.startswith("35"):
        return "JCB"
    return "Card"


def _expiry(text: str, today: date) -> str | None:
    """``MM/YY`` (or ``MM / YY``, ``MMYY``) not before this month, as WHMCS stores it; ``None`` if not."""
    match = re.fullmatch(r"(\d{2})\s*/?\s*(\d{2})", text)
    if not match:
        return None
    month, year = int(match.group(1)), 2000 + int(match.group(2))
    if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
        return None
    return f"{month:02d}/{year % 100:02d}"
