"""Reads of the signed-in customer's billing data from WHMCS: cached, checked for ownership.

Each selector answers a ``Cached`` domain value (``stale=True`` when WHMCS failed and an older copy
is shown) or raises ``Http404`` (not the customer's) or ``ProviderUnavailable`` (WHMCS failed and
nothing is cached). WHMCS returns any client's invoice by id: ownership is checked here, before
anything is cached or shown (docs/decisions.md §3).

Amounts are in the customer's currency: WHMCS bills each client in the one currency set on the
client (``GetClientsDetails`` → ``currency_code``), whatever the product (docs/whmcs.md).
"""
import logging
import threading
import time

from django.conf import settings
from django.http import Http404

from domain.billing.providers import whmcs as whmcs_mapper
from domain.billing.types import Invoice, InvoicePage, InvoiceStatus, PaymentMethod
from domain.shared.money import Currency
from domain.subscriptions.types import Subscription, SubscriptionPage
from integrations.whmcs.billing import WhmcsCurrencyClient, WhmcsPaymentMethodClient
from integrations.whmcs.clients import WhmcsCustomerClient
from integrations.whmcs.errors import WhmcsNotFound
from integrations.whmcs.invoices import WhmcsInvoiceClient
from integrations.whmcs.subscriptions import WhmcsSubscriptionClient
from portal.accounts.models import Customer
from portal.core.cache import Cached
from portal.core.connections import whmcs_connection
from portal.core.reads import WHMCS_FAILURES, ProviderReads

logger = logging.getLogger(__name__)

WHMCS = ProviderReads("billing", "WHMCS", WHMCS_FAILURES, logger)
INVOICES_PER_PAGE = 10
CLIENT_CURRENCY_KEY = "client-currency"
SUBSCRIPTION_LIST_KEY = "subscriptions"


_currency_memo: dict[str, object] = {}
_currency_memo_lock = threading.Lock()
_client_currency_memo: dict[int, tuple[float, Currency]] = {}  # WHMCS client id -> (expires, currency)
CLIENT_CURRENCY_MEMO_SIZE = 10_000


def currencies() -> dict[str, Currency]:
    """WHMCS's currencies by code, cached for ``CACHE_TTL_CURRENCIES`` in Redis and in the process.

    Every billing read needs them first (the default currency is mapper context); the process
    copy keeps that extra WHMCS call out of a request even right after the shared cache expires.
    """
    now = time.monotonic()
    with _currency_memo_lock:
        if _currency_memo.get("expires", 0) > now:
            return _currency_memo["value"]
    cached = WHMCS.shared("whmcs:currencies", settings.CACHE_TTL_CURRENCIES,
                          lambda: WhmcsCurrencyClient(whmcs_connection()).list_currencies())
    value = {currency.code: currency for currency in cached.value}
    if not cached.stale:
        with _currency_memo_lock:
            _currency_memo.update(value=value, expires=now + settings.CACHE_TTL_CURRENCIES)
    return value


def forget_currencies() -> None:
    """Drop the process copies of the currencies and of the clients' currencies (tests, or after
    changing currencies in WHMCS without waiting)."""
    with _currency_memo_lock:
        _currency_memo.clear()
        _client_currency_memo.clear()


def default_currency() -> Currency:
    """The installation's default currency (a client without one is billed in it)."""
    known = tuple(currencies().values())
    return WHMCS.guard(lambda: whmcs_mapper.default_currency(known))


def client_currency(customer: Customer) -> Currency:
    """The currency WHMCS bills this customer in (``GetClientsDetails``), with its prefix and suffix.

    Cached with the customer's other billing data (``CACHE_TTL_CURRENCIES``), and like the currency
    list kept in the process for that long too, so that a page's billing reads do not wait for it
    after the shared cache expired: WHMCS does not let a client with invoices change currency, so
    it labels every invoice and service of theirs and an hour-old copy is never wrong for them.
    """
    now = time.monotonic()
    with _currency_memo_lock:
        remembered = _client_currency_memo.get(customer.whmcs_client_id)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    known = tuple(currencies().values())

    def fetch() -> Currency:
        return WhmcsCustomerClient(whmcs_connection()).client_currency(customer.whmcs_client_id, currencies=known)

    cached = WHMCS.for_customer(customer, CLIENT_CURRENCY_KEY, settings.CACHE_TTL_CURRENCIES, fetch)
    if not cached.stale:
        with _currency_memo_lock:
            if len(_client_currency_memo) >= CLIENT_CURRENCY_MEMO_SIZE:
                _client_currency_memo.clear()  # bounded: start again rather than grow without end
            _client_currency_memo[customer.whmcs_client_id] = (now + settings.CACHE_TTL_CURRENCIES, cached.value)
    return cached.value


def invoice_list(customer: Customer, *, page: int = 1, status: InvoiceStatus | None = None) -> Cached[InvoicePage]:
    currency = client_currency(customer)

    def fetch() -> InvoicePage:
        found = WhmcsInvoiceClient(whmcs_connection()).list_invoices(
            customer.whmcs_client_id, default_currency=currency, offset=(page - 1) * INVOICES_PER_PAGE,
            limit=INVOICES_PER_PAGE, status=status,
        )
        return found.model_copy(update={"invoices": _only_theirs(customer, found.invoices, "invoices")})

    return WHMCS.for_customer(customer, invoice_list_key(page, status), settings.CACHE_TTL_INVOICES, fetch)


def invoice_list_key(page: int, status: InvoiceStatus | None) -> str:
    return f"invoices:page:{page}" + (f":status:{status.value}" if status else "")


def invoice_detail(customer: Customer, invoice_id: int) -> Cached[Invoice]:
    currency = client_currency(customer)  # GetInvoice names no currency: the client's is the invoice's

    def fetch() -> Invoice:
        service = WhmcsInvoiceClient(whmcs_connection())
        try:
            invoice = service.get_invoice(invoice_id, default_currency=currency)
        except WhmcsNotFound:
            raise Http404("No such invoice") from None
        if invoice.client_id != customer.whmcs_client_id:
            logger.warning("customer %s asked for invoice %s of another client", customer.pk, invoice_id)
            raise Http404("No such invoice")
        return invoice

    return WHMCS.for_customer(customer, f"invoice:{invoice_id}", settings.CACHE_TTL_INVOICES, fetch)


def subscription_list(customer: Customer) -> Cached[SubscriptionPage]:
    currency = client_currency(customer)  # GetClientsProducts names none: services are in the client's

    def fetch() -> SubscriptionPage:
        found = WhmcsSubscriptionClient(whmcs_connection()).list_subscriptions(
            customer.whmcs_client_id, default_currency=currency
        )
        # The customer's SIMs are the ones their services carry: another client's service must never
        # count as theirs, whatever WHMCS answered.
        return found.model_copy(update={"subscriptions": _only_theirs(customer, found.subscriptions, "services")})

    return WHMCS.for_customer(customer, SUBSCRIPTION_LIST_KEY, settings.CACHE_TTL_SUBSCRIPTIONS, fetch)


def subscription_detail(customer: Customer, service_id: int) -> Cached[Subscription]:
    currency = client_currency(customer)

    def fetch() -> Subscription:
        found = WhmcsSubscriptionClient(whmcs_connection()).get_subscription(
            customer.whmcs_client_id, service_id, default_currency=currency
        )
        if found is None:
            raise Http404("No such subscription")
        return found

    return WHMCS.for_customer(customer, f"subscription:{service_id}", settings.CACHE_TTL_SUBSCRIPTIONS, fetch)


def payment_methods(customer: Customer) -> Cached[tuple[PaymentMethod, ...]]:
    def fetch() -> tuple[PaymentMethod, ...]:
        return WhmcsPaymentMethodClient(whmcs_connection()).list_payment_methods(customer.whmcs_client_id)

    return WHMCS.for_customer(customer, "payment-methods", settings.CACHE_TTL_PAYMENT_METHODS, fetch)


def _only_theirs(customer: Customer, records: tuple, what: str) -> tuple:
    """The records of the customer's WHMCS client. WHMCS is asked for one client's records, but an
    answer that holds another client's (a WHMCS that ignored the filter: GetClientsProducts without
    ``clientid`` answers every client's) must not show them to this customer."""
    theirs = tuple(record for record in records if record.client_id == customer.whmcs_client_id)
    if len(theirs) != len(records):
        logger.error("WHMCS answered %s %s of other clients when asked for client %s's: left out",
                     len(records) - len(theirs), what, customer.whmcs_client_id)
    return theirs

