"""WHMCS billing payloads -> billing domain types. Pure: every piece of context is an argument.

Each function validates the raw shape, builds the domain object and so validates it; any mismatch
raises MappingError naming the raw field.
"""
from collections.abc import Mapping, Sequence
from decimal import Decimal

from domain.billing.providers.whmcs.raw import (
    WhmcsClientDetailsRaw,
    WhmcsCreatedInvoiceRaw,
    WhmcsCurrenciesRaw,
    WhmcsInvoiceListEntryRaw,
    WhmcsInvoiceRaw,
    WhmcsInvoicesRaw,
    WhmcsPayMethodRaw,
    WhmcsPayMethodsRaw,
    WhmcsSsoTokenRaw,
)
from domain.billing.types import (
    CARD_PAYMENT_METHOD_TYPES,
    Invoice,
    InvoiceItem,
    InvoicePage,
    InvoiceTransaction,
    PaymentLink,
    PaymentMethod,
)
from domain.shared.errors import MappingError
from domain.shared.mapping import Skipped, build_domain, map_each, validate_raw
from domain.shared.money import Currency, Money
from domain.shared.providers.whmcs import PROVIDER, WHMCS_DEFAULT_PAGE_SIZE

WHMCS_DEFAULT_CURRENCY_ID = 1


def transform_whmcs_invoice(raw: object, *, default_currency: Currency, currency: Currency | None = None) -> Invoice:
    """An invoice from a GetInvoice body (with items and transactions) or a GetInvoices entry.

    The invoice's currency is the one in the payload if any (GetInvoices entries), else
    `currency` (the client's, when the caller knows it), else `default_currency`.
    """
    if isinstance(raw, Mapping) and "invoiceid" in raw:
        parsed = validate_raw(WhmcsInvoiceRaw, raw, provider=PROVIDER, entity="invoice")
    else:
        parsed = validate_raw(WhmcsInvoiceListEntryRaw, raw, provider=PROVIDER, entity="invoice")
    return _invoice(parsed, fallback=currency or default_currency)


def transform_whmcs_invoice_list(
    raw_response: object,
    *,
    default_currency: Currency,
    currency: Currency | None = None,
    limit: int = WHMCS_DEFAULT_PAGE_SIZE,
    on_skip: Skipped | None = None,
) -> InvoicePage:
    """A page of invoices from a GetInvoices body; `limit` is the `limitnum` the request sent.

    An entry that cannot be read raises MappingError naming `invoices.invoice.<n>.<field>`; with
    `on_skip` it is left out of the page and handed to `on_skip` instead (`total_results` still
    counts it: WHMCS has it).
    """
    parsed = validate_raw(WhmcsInvoicesRaw, raw_response, provider=PROVIDER, entity="invoice list")
    fallback = currency or default_currency

    def entry(raw: object, path: str) -> Invoice:
        listed = validate_raw(WhmcsInvoiceListEntryRaw, raw, provider=PROVIDER, entity="invoice list", path=path)
        return _invoice(listed, fallback=fallback)

    return build_domain(
        InvoicePage,
        provider=PROVIDER,
        entity="invoice list",
        invoices=map_each(parsed.invoices.invoice, entry, on_skip=on_skip, path="invoices.invoice"),
        total_results=parsed.totalresults,
        offset=parsed.startnumber,
        limit=limit,
    )


def transform_whmcs_currencies(raw_response: object) -> tuple[Currency, ...]:
    """The currencies of a GetCurrencies body; the one with id 1 is marked `is_default`."""
    parsed = validate_raw(WhmcsCurrenciesRaw, raw_response, provider=PROVIDER, entity="currencies")
    return tuple(
        build_domain(
            Currency,
            provider=PROVIDER,
            entity="currency",
            id=raw.id,
            code=raw.code,
            prefix=raw.prefix,
            suffix=raw.suffix,
            rate=raw.rate,
            is_default=raw.id == WHMCS_DEFAULT_CURRENCY_ID,
        )
        for raw in parsed.currencies.currency
    )


def default_currency(currencies: Sequence[Currency]) -> Currency:
    """The installation's default currency: WHMCS's is id 1 (it cannot be deleted); should it be
    missing from the list, the first one listed.
    """
    for currency in currencies:
        if currency.is_default or currency.id == WHMCS_DEFAULT_CURRENCY_ID:
            return currency
    if currencies:
        return currencies[0]
    raise MappingError(provider=PROVIDER, entity="currencies", field="currencies.currency", reason="no currency")


def transform_whmcs_client_currency(raw_response: object, *, currencies: Sequence[Currency]) -> Currency:
    """The currency a GetClientsDetails body says the client is billed in.

    WHMCS bills each client in the one currency set on the client (`currency_code`, and its id
    `currency`): every invoice and every service of the client is in it, whatever the product.
    Read with its prefix and suffix from `currencies` (GetCurrencies); a client without one (an
    installation with a single currency leaves it empty) is in the default currency.
    """
    client = validate_raw(WhmcsClientDetailsRaw, raw_response, provider=PROVIDER, entity="client").client
    for currency in currencies:
        if (client.currency_code and currency.code == client.currency_code) or (
                not client.currency_code and client.currency is not None and currency.id == client.currency):
            return currency
    if client.currency_code:  # a currency GetCurrencies did not list: its code alone labels the amounts
        return build_domain(Currency, provider=PROVIDER, entity="client", code=client.currency_code,
                            id=client.currency)
    return default_currency(currencies)


def transform_whmcs_pay_methods(raw_response: object, *, on_skip: Skipped | None = None) -> tuple[PaymentMethod, ...]:
    """The stored payment methods of a GetPayMethods body.

    WHMCS lists a client's pay methods in order of preference and charges the first: that one is
    marked `is_default` (meaningful for an unfiltered request only). Tokens and full numbers are
    never read (only a remote card or bank account carries a gateway token, `remote_token`). A
    method that cannot be read raises MappingError, or with `on_skip` is left out and handed to it.
    """
    parsed = validate_raw(WhmcsPayMethodsRaw, raw_response, provider=PROVIDER, entity="pay methods")

    def method(raw: object, path: str) -> PaymentMethod:
        index = int(path.split(".")[1])
        listed = validate_raw(WhmcsPayMethodRaw, raw, provider=PROVIDER, entity="pay methods", path=path)
        return _pay_method(listed, is_default=index == 0)

    return map_each(parsed.paymethods, method, on_skip=on_skip, path="paymethods")


def _invoice(raw: WhmcsInvoiceRaw | WhmcsInvoiceListEntryRaw, *, fallback: Currency) -> Invoice:
    code = raw.currencycode or fallback.code

    def money(amount: Decimal) -> Money:
        return build_domain(Money, provider=PROVIDER, entity="invoice", amount=amount, currency=code)

    if isinstance(raw, WhmcsInvoiceRaw):
        invoice_id, balance = raw.invoiceid, money(raw.balance)
        items = tuple(
            build_domain(
                InvoiceItem,
                provider=PROVIDER,
                entity="invoice item",
                id=item.id,
                type=item.type,
                description=item.description,
                amount=money(item.amount),
                taxed=item.taxed,
                related_id=item.relid,
            )
            for item in raw.items.item
        )
        transactions = tuple(
            build_domain(
                InvoiceTransaction,
                provider=PROVIDER,
                entity="invoice transaction",
                id=transaction.id,
                date=transaction.date,
                gateway=transaction.gateway,
                transaction_id=transaction.transid,
                amount_in=money(transaction.amountin),
                amount_out=money(transaction.amountout),
            )
            for transaction in raw.transactions.transaction
        )
    else:
        invoice_id, balance, items, transactions = raw.id, None, (), ()

    return build_domain(
        Invoice,
        provider=PROVIDER,
        entity="invoice",
        id=invoice_id,
        number=raw.invoicenum.strip() or str(invoice_id),
        client_id=raw.userid,
        status=raw.status,
        currency=code,
        subtotal=money(raw.subtotal),
        credit=money(raw.credit),
        tax=money(raw.tax),
        tax2=money(raw.tax2),
        total=money(raw.total),
        balance=balance,
        tax_rate=raw.taxrate,
        tax_rate2=raw.taxrate2,
        issue_date=raw.date,
        due_date=raw.duedate,
        paid_at=raw.datepaid,
        payment_method=raw.paymentmethod,
        notes=raw.notes,
        items=items,
        transactions=transactions,
    )


def _pay_method(raw: WhmcsPayMethodRaw, *, is_default: bool) -> PaymentMethod:
    if raw.type in CARD_PAYMENT_METHOD_TYPES:
        details = {
            "last_four": raw.card_last_four,
            "card_brand": raw.card_type or None,
            "expiry_month": raw.expiry_date[0] if raw.expiry_date else None,
            "expiry_year": raw.expiry_date[1] if raw.expiry_date else None,
        }
    else:
        details = {
            "last_four": raw.account_number,
            "bank_name": raw.bank_name or None,
            "account_type": raw.account_type or None,
        }
    return build_domain(
        PaymentMethod,
        provider=PROVIDER,
        entity="pay method",
        id=raw.id,
        type=raw.type,
        description=raw.description,
        gateway=raw.gateway_name,
        is_default=is_default,
        **details,
    )


def transform_whmcs_sso_token(raw_response: object) -> PaymentLink:
    """The redirect URL of a CreateSsoToken answer (the access token inside it is single use)."""
    parsed = validate_raw(WhmcsSsoTokenRaw, raw_response, provider=PROVIDER, entity="sso token")
    return build_domain(PaymentLink, provider=PROVIDER, entity="sso token", url=parsed.redirect_url)


def transform_whmcs_created_invoice(raw_response: object) -> int:
    """The id of the invoice a CreateInvoice call made."""
    return validate_raw(WhmcsCreatedInvoiceRaw, raw_response, provider=PROVIDER, entity="created invoice").invoiceid
