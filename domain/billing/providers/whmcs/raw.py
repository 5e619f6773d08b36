"""Raw WHMCS billing payloads, as `api.php` returns them with `responsetype=json`.

Only the fields we use are declared; the rest (including `remote_token`) is dropped on parsing.
"""
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from domain.billing.types import InvoiceStatus, PaymentMethodType
from domain.shared.providers.whmcs import (
    WhmcsContainer,
    WhmcsCount,
    WhmcsCurrencyCode,
    WhmcsDate,
    WhmcsDateTime,
    WhmcsDecimal,
    WhmcsFlag,
    WhmcsId,
    WhmcsList,
    WhmcsOptionalDateTime,
    WhmcsOptionalId,
    WhmcsRawModel,
    WhmcsText,
    enum_field,
)

_EXPIRY = re.compile(r"(\d{2})/?(\d{2}|\d{4})")


def _last_four(value: object) -> str | None:
    """`card_last_four`: exactly four digits, or "" when the gateway did not tell."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}"
    if isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()):
        return value.strip()
    raise ValueError("must be exactly the last four digits")  # the value itself is never echoed


def _account_last_four(value: object) -> str | None:
    """Keep only the last four digits of a (possibly masked) account number, never the rest."""
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("not an account number")
    digits = re.sub(r"\D", "", str(value))
    return digits[-4:] if len(digits) >= 4 else None


def _expiry(value: object) -> tuple[int, int] | None:
    """`"12/27"` (also `"1227"`, `"12/2027"`) -> (12, 2027); "" -> None."""
    if value is None or value == "":
        return None
    match = _EXPIRY.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or not 1 <= int(match[1]) <= 12:
        raise ValueError("not a card expiry (MM/YY)")
    year = int(match[2])
    return int(match[1]), year + 2000 if year < 100 else year


LastFour = Annotated[str | None, BeforeValidator(_last_four)]
AccountLastFour = Annotated[str | None, BeforeValidator(_account_last_four)]
CardExpiry = Annotated[tuple[int, int] | None, BeforeValidator(_expiry)]
Status = Annotated[InvoiceStatus, enum_field(InvoiceStatus)]


class WhmcsInvoiceItemRaw(WhmcsRawModel):
    id: WhmcsId
    type: WhmcsText = ""
    relid: WhmcsOptionalId = None
    description: WhmcsText
    amount: WhmcsDecimal
    taxed: WhmcsFlag


class WhmcsInvoiceItemsRaw(WhmcsRawModel):
    item: WhmcsList[WhmcsInvoiceItemRaw] = []


class WhmcsTransactionRaw(WhmcsRawModel):
    id: WhmcsId
    date: WhmcsDateTime
    gateway: WhmcsText = ""
    transid: WhmcsText = ""
    amountin: WhmcsDecimal
    amountout: WhmcsDecimal


class WhmcsTransactionsRaw(WhmcsRawModel):
    transaction: WhmcsList[WhmcsTransactionRaw] = []


class _WhmcsInvoiceFieldsRaw(WhmcsRawModel):
    """The fields GetInvoice and the entries of GetInvoices have in common."""

    invoicenum: WhmcsText = ""
    userid: WhmcsId
    date: WhmcsDate
    duedate: WhmcsDate
    datepaid: WhmcsOptionalDateTime = None
    subtotal: WhmcsDecimal
    credit: WhmcsDecimal
    tax: WhmcsDecimal
    tax2: WhmcsDecimal
    total: WhmcsDecimal
    taxrate: WhmcsDecimal
    taxrate2: WhmcsDecimal
    status: Status
    paymentmethod: WhmcsText = ""
    notes: WhmcsText = ""
    currencycode: WhmcsCurrencyCode = ""
    """Only GetInvoices entries carry it; "" means "the client's currency"."""


class WhmcsInvoiceListEntryRaw(_WhmcsInvoiceFieldsRaw):
    """An entry of GetInvoices: no items, no transactions, no balance."""

    id: WhmcsId


class WhmcsInvoiceRaw(_WhmcsInvoiceFieldsRaw):
    """The body of GetInvoice."""

    invoiceid: WhmcsId
    balance: WhmcsDecimal
    items: WhmcsContainer[WhmcsInvoiceItemsRaw] = WhmcsInvoiceItemsRaw()
    transactions: WhmcsContainer[WhmcsTransactionsRaw] = WhmcsTransactionsRaw()


class WhmcsInvoiceListRaw(WhmcsRawModel):
    invoice: WhmcsList[Any] = []
    """Each entry is read on its own (`WhmcsInvoiceListEntryRaw`): one bad entry need not sink the list."""


class WhmcsInvoicesRaw(WhmcsRawModel):
    """The body of GetInvoices."""

    totalresults: WhmcsCount
    startnumber: WhmcsCount = 0
    invoices: WhmcsContainer[WhmcsInvoiceListRaw] = WhmcsInvoiceListRaw()


class WhmcsCurrencyRaw(WhmcsRawModel):
    id: WhmcsId
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    prefix: WhmcsText = ""
    suffix: WhmcsText = ""
    rate: Annotated[WhmcsDecimal, Field(gt=0)] = Decimal(1)
    """Its exchange rate from the default currency (the default's is 1), as WHMCS converts prices."""


class WhmcsCurrencyListRaw(WhmcsRawModel):
    currency: WhmcsList[WhmcsCurrencyRaw] = []


class WhmcsCurrenciesRaw(WhmcsRawModel):
    """The body of GetCurrencies."""

    currencies: WhmcsContainer[WhmcsCurrencyListRaw] = WhmcsCurrencyListRaw()


class WhmcsClientRaw(WhmcsRawModel):
    """`client` of GetClientsDetails: only what the portal reads. WHMCS bills a client in one
    currency (`currency`, its id; `currency_code`, e.g. "USD"), set on the client, not per product."""

    id: WhmcsId
    currency: WhmcsOptionalId = None
    currency_code: WhmcsCurrencyCode = ""


class WhmcsClientDetailsRaw(WhmcsRawModel):
    """The body of GetClientsDetails (`client`; the deprecated top-level copy of it is not read)."""

    client: WhmcsClientRaw


class WhmcsPayMethodRaw(WhmcsRawModel):
    """A GetPayMethods entry. Card fields are set for card types, bank fields for bank types."""

    id: WhmcsId
    type: Annotated[PaymentMethodType, enum_field(PaymentMethodType)]
    description: WhmcsText = ""
    gateway_name: WhmcsText = ""
    card_last_four: LastFour = None
    card_type: WhmcsText = ""
    expiry_date: CardExpiry = None
    bank_name: WhmcsText = ""
    account_type: WhmcsText = ""
    account_number: AccountLastFour = None


class WhmcsPayMethodsRaw(WhmcsRawModel):
    """The body of GetPayMethods."""

    paymethods: WhmcsList[Any] = []
    """Each entry is read on its own (`WhmcsPayMethodRaw`)."""


class WhmcsSsoTokenRaw(WhmcsRawModel):
    """CreateSsoToken: `{"result": "success", "access_token": "...", "redirect_url": "https://..."}`."""

    redirect_url: Annotated[str, Field(min_length=1)]


class WhmcsCreatedInvoiceRaw(WhmcsRawModel):
    """CreateInvoice: `{"result": "success", "invoiceid": 1234, "status": "success"}`."""

    invoiceid: WhmcsId
