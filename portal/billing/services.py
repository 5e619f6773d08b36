"""Billing actions."""
import logging
from urllib.parse import urlsplit

from domain.billing.types import PaymentLink
from integrations.whmcs.billing import WhmcsSsoClient
from portal.accounts.models import Customer
from portal.billing.selectors import invoice_detail
from portal.core.cache import invalidate_customer
from portal.core.connections import whmcs_connection, whmcs_public_origin
from portal.core.errors import ProviderUnavailable
from portal.core.reads import WHMCS_FAILURES

logger = logging.getLogger(__name__)


def invoice_payment_link(*, customer: Customer, invoice_id: int) -> PaymentLink:
    """A fresh single-use WHMCS sign-in link to the invoice's payment page (404 if not theirs)."""
    invoice_detail(customer, invoice_id)  # ownership check (raises Http404)
    try:
        link = WhmcsSsoClient(whmcs_connection()).invoice_payment_link(customer.whmcs_client_id, invoice_id)
    except WHMCS_FAILURES as exc:
        logger.error("WHMCS could not create a payment link for invoice %s: %s", invoice_id, exc)
        raise ProviderUnavailable("billing") from exc
    return _only_to_whmcs(link, f"invoice {invoice_id}")


def add_payment_method_link(*, customer: Customer) -> PaymentLink:
    """A fresh single-use WHMCS sign-in link to the client area's page that adds a card: the card's
    details are typed on WHMCS (and its gateway), never on the portal."""
    try:
        link = WhmcsSsoClient(whmcs_connection()).add_payment_method_link(customer.whmcs_client_id)
    except WHMCS_FAILURES as exc:
        logger.error("WHMCS could not create an add-payment-method link for client %s: %s",
                     customer.whmcs_client_id, exc)
        raise ProviderUnavailable("billing") from exc
    return _only_to_whmcs(link, "adding a payment method")


def payment_methods_changed(*, customer: Customer) -> None:
    """The customer is back from WHMCS's payment-method pages: forget their cached billing reads, so
    the payment methods page and checkout read WHMCS's list afresh."""
    invalidate_customer(customer.user_id)


def _only_to_whmcs(link: PaymentLink, what: str) -> PaymentLink:
    """The customer is sent wherever the link points: only ever to WHMCS itself (the origin the
    form's CSP form-action allows), never to a site a tampered or misconfigured answer names."""
    parts = urlsplit(link.url)
    if f"{parts.scheme}://{parts.netloc}".lower() != whmcs_public_origin().lower():
        logger.error("WHMCS answered a payment link for %s to another site (%s://%s): not followed",
                     what, parts.scheme, parts.netloc[:100])
        raise ProviderUnavailable("billing")
    return link
