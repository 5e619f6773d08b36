"""The few browser pages of the WHMCS client area the portal sends customers to.

``/oauth/singlesignon.php`` consumes a ``CreateSsoToken`` token (once, within its lifetime), starts
a client-area session (cookie) and redirects; ``/viewinvoice.php`` shows one of that client's
invoices with a "Pay now" button (``POST /creditcard.php``) that charges the stored card.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime
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
@media (max-width:600px){main{margin:0;border-radius:0;padding:16px}td,th{padding:6px 4px}}
"""

# Where the customer goes back to: the client-area template of a real WHMCS links the portal the same
# way. Set from the portal's address (the origin of its webhook URL) when the sandbox starts.
_return_url: str | None = None


def set_return_url(url: str | None) -> None:
    global _return_url
    _return_url = url


def page(title: str, body: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    back = (f'<a class="back" href="{escape(_return_url)}">&larr; Back to the customer portal</a>'
            if _return_url else "")
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
    client = store.clients[client_id]
    invoices = sorted((i for i in store.invoices.values() if i.userid == client_id), key=lambda i: i.id, reverse=True)
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
