"""How the portal writes values for people, in the language of the request: one helper each.

- :func:`money`: yen without decimals, ``¥12,420`` in English and ``12,420円`` in Japanese; other
  currencies by their own rules (CLDR's, through Babel: ``$12.50``, ``KWD3.456``).
- :func:`with_tax` / :func:`consumer_price`: prices shown to consumers include consumption tax
  (Japan's rule); an invoice shows its tax-excluded subtotal and the tax beside the total.
- :func:`day`, :func:`moment`, :func:`month`, :func:`day_of_month`: dates and times in business time
  (JST): ``3 Dec 2026`` / ``2026年12月3日`` (formats in portal/formats/<language>/formats.py).
- :func:`phone`: ``090-1234-5678``.
- :func:`data_amount`: ``850 MB``, ``3.2 GB`` (binary multiples, as the SIM platform counts).
- :func:`customer_status`: the one mapping from the providers' statuses to the customer's words.

Templates reach them through ``portal_tags`` (``{{ invoice.total|money }}``...). The API never uses
them: it answers machine values (integers for yen, ISO dates) with the currency.

The helpers are pure functions of the value and the language, and a page calls them dozens of times
with the same few values (a dashboard: about 40), so the costly ones (Babel's number patterns,
Django's date formats) keep their results per process, keyed on the value and the language.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, format_decimal, parse_pattern
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from domain.billing.types import InvoiceStatus
from domain.orders.types import ProvisioningStatus
from domain.shared import clock
from domain.shared.money import Money, currency_decimals
from domain.sim.types import (
    KB_PER_MB,
    MB_PER_GB,
    DataQuota,
    PlanChangeStatus,
    SimStatus,
    TopUpStatus,
    VoiceOption,
)
from domain.subscriptions.types import BillingCycle, SubscriptionStatus

EMPTY = "—"


@receiver(setting_changed)
def _forget_kept_results(**kwargs) -> None:
    """A setting changed (tests do): results kept under the old settings are dropped."""
    for kept in (_money, _kept_date_format, _data_amount):
        kept.cache_clear()


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@lru_cache(maxsize=16)
def _babel_locale(language: str) -> Locale:
    """Babel's locale for a Django language code, parsed once."""
    return Locale.parse(translation.to_locale(language))


_CACHED_RESULTS = 4096
"""Formatted values kept per helper and process (each a short string)."""


# --- Money --------------------------------------------------------------------------------------
def money(value: Money | None) -> str:
    """``¥12,420`` (English), ``12,420円`` (Japanese); other currencies by CLDR's rules for the
    language. Rounded half up to the currency's decimals (yen: none)."""
    if value is None:
        return EMPTY
    return _money(value.amount, value.currency, _language())


@lru_cache(maxsize=_CACHED_RESULTS)
def _money(amount: Decimal, currency: str, language: str) -> str:
    decimals = currency_decimals(currency)
    amount = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if currency == "JPY" and language.startswith("ja"):
        sign = "-" if amount < 0 else ""
        return f"{sign}{abs(amount):,.0f}円"
    return format_currency(amount, currency, locale=_babel_locale(language), currency_digits=True,
                           format_type="standard")


def with_tax(value: Money, rate: Decimal | None = None) -> Money:
    """``value`` (before tax) with consumption tax at ``rate`` percent (default
    ``CONSUMPTION_TAX_RATE``), rounded half up to the currency's decimals, as the billing system does."""
    rate = settings.CONSUMPTION_TAX_RATE if rate is None else Decimal(rate)
    decimals = currency_decimals(value.currency)
    amount = (value.amount * (100 + rate) / 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return Money(amount=amount, currency=value.currency)


def consumer_price(value: Money | None, *, before_tax: bool = False) -> str:
    """A price as a consumer reads it: tax included, and saying so (``¥550 (tax incl.)``). Pass
    ``before_tax=True`` for an amount kept before tax (a top-up's price); the catalog's and the
    billing system's recurring prices already include it."""
    if value is None:
        return EMPTY
    shown = with_tax(value) if before_tax else value
    return _("%(price)s (tax incl.)") % {"price": money(shown)}


# --- Dates and times (business time: JST) ---------------------------------------------------------
def _local(value: date | datetime) -> date | datetime:
    return clock.local(value) if isinstance(value, datetime) else value


def _date_format(value: date | datetime, format_name: str) -> str:
    """``value`` (an instant: in business time) in the language's ``format_name``."""
    local = _local(value)
    # Aware datetimes of one instant are equal in every zone: the zone is part of the key.
    zone = str(local.tzinfo) if isinstance(local, datetime) else ""
    return _kept_date_format(local, zone, format_name, _language())


@lru_cache(maxsize=_CACHED_RESULTS)
def _kept_date_format(value: date | datetime, zone: str, format_name: str, language: str) -> str:
    return formats.date_format(value, format_name)


def day(value: date | datetime | None) -> str:
    """``3 Dec 2026`` / ``2026年12月3日`` (an instant: its day in business time)."""
    if value is None:
        return EMPTY
    return _date_format(value, "DATE_FORMAT")


def moment(value: datetime | None) -> str:
    """``3 Dec 2026, 14:05`` / ``2026年12月3日 14:05`` in business time."""
    if value is None:
        return EMPTY
    return _date_format(value, "DATETIME_FORMAT")


def month(value: date | datetime | None) -> str:
    """``December 2026`` / ``2026年12月``."""
    if value is None:
        return EMPTY
    return _date_format(value, "YEAR_MONTH_FORMAT")


def day_of_month(value: date | datetime | None) -> str:
    """``3 Dec`` / ``12月3日`` (chart labels, daily tables)."""
    if value is None:
        return EMPTY
    return _date_format(value, "MONTH_DAY_FORMAT")


def duration(value: timedelta | None) -> str:
    """``15 minutes``, ``1 hour``, ``1 hour 30 minutes`` (never ``0:15:00``)."""
    if value is None:
        return EMPTY
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)


# --- Phone numbers ----------------------------------------------------------------------------------
def phone(number: str | None) -> str:
    """A Japanese number as written in Japan: mobile and 050 ``090-1234-5678``, a 10-digit number
    ``03-1234-5678`` (Tokyo and Osaka) or ``011-234-5678``; ``+81 90...`` is written domestically.
    Anything else is returned as given."""
    if not number:
        return EMPTY
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+81") or (len(digits) in (11, 12) and digits.startswith("81")):
        digits = "0" + digits[2:]
    if len(digits) == 11 and digits[0] == "0" and digits[2] == "0":
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if len(digits) == 10 and digits[0] == "0":
        if digits[1] in "36":
            return f"{digits[:2]}-{digits[2:6]}-{digits[6:]}"
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return number


# --- Data amounts ---------------------------------------------------------------------------------
def data_amount(value: DataQuota | int | None) -> str:
    """``850 MB`` below a gigabyte, ``3.2 GB`` from one up (one decimal, none when it is .0),
    ``<1 MB`` for a trace, ``0 MB`` for nothing. An int is a number of megabytes."""
    if value is None:
        return EMPTY
    quota = DataQuota.from_mb(value) if isinstance(value, int) else value
    return _data_amount(quota.kb, _language())


_GB_PATTERN = parse_pattern("#,##0.#")


@lru_cache(maxsize=_CACHED_RESULTS)
def _data_amount(kb: int, language: str) -> str:
    if kb == 0:
        return _("%(amount)s MB") % {"amount": 0}
    mb = (Decimal(kb) / KB_PER_MB).quantize(Decimal(1), ROUND_HALF_UP)
    if mb == 0:
        return str(_("<1 MB"))
    if mb < MB_PER_GB:
        return _("%(amount)s MB") % {"amount": format_decimal(mb, locale=_babel_locale(language))}
    gb = DataQuota(kb=kb).gb.quantize(Decimal("0.1"), ROUND_HALF_UP)
    gb = gb.quantize(Decimal(1)) if gb == gb.to_integral_value() else gb
    return _("%(amount)s GB") % {"amount": format_decimal(gb, format=_GB_PATTERN, locale=_babel_locale(language))}


_VOICE_OPTIONS = {VoiceOption.CALL_WAITING: _("Call waiting"), VoiceOption.VOICEMAIL: _("Voicemail"),
                  VoiceOption.INTERNATIONAL_ROAMING: _("International roaming")}


def voice_option(value: VoiceOption | str) -> str:
    """A SIM's voice option in the customer's language."""
    try:
        return str(_VOICE_OPTIONS[VoiceOption(value)])
    except ValueError:
        return str(value)


# --- Numbers and names from the providers -------------------------------------------------------
def order_number(value: str | int | None) -> str:
    """An order number without the CRM's zero padding: ``00000104`` → ``104``."""
    text = str(value or "").strip()
    return text.lstrip("0") or text or EMPTY


_CATEGORIES = {"Internet": _("Internet"), "Mobile": _("Mobile"), "Fees": _("Fees")}


def category(value: str | None) -> str:
    """A catalog category in the customer's language (an unknown one as the catalog names it)."""
    return str(_CATEGORIES.get(value or "", value or ""))


# --- Payments: how the customer paid, never the gateway's name or its charge id --------------------
# The gateway's name, as the billing system names its payment modules -> the way the customer paid.
_PAYMENT_KINDS = {
    "stripe": "card", "creditcard": "card", "authorizenet": "card", "paypal": "paypal",
    "paypalcheckout": "paypal", "banktransfer": "bank_transfer", "konbini": "convenience_store",
    "credit": "account_credit",
}
_PAYMENT_WORDS = {
    "card": _("Card"), "paypal": _("PayPal"), "bank_transfer": _("Bank transfer"),
    "convenience_store": _("Convenience store"), "account_credit": _("Account credit"), "other": _("Online payment"),
}


def payment_kind(gateway: str | None) -> str:
    """How the customer paid, as a machine value ("card", "bank_transfer", ... "other") for a
    billing system's payment gateway name ("stripe"): the API's word for it."""
    return _PAYMENT_KINDS.get((gateway or "").strip().lower(), "other")


def payment_method(gateway: str | None) -> str:
    """"Card", "Bank transfer"... for a billing system's payment gateway name ("stripe")."""
    return str(_PAYMENT_WORDS[payment_kind(gateway)])


# --- Areas (what a customer reads for the system behind a page) -----------------------------------
_AREAS = {"billing": _("billing"), "orders": _("orders"), "ordering": _("ordering"), "SIM": _("SIM"),
          "catalog": _("catalog"), "subscriptions": _("services"), "support": _("support")}


def area_name(area: str | None) -> str:
    """"billing", "orders", "SIM"... in the request's language (``ProviderUnavailable.area``)."""
    return str(_AREAS.get(area or "", area or ""))


# --- Statuses: one mapping from the providers' words to the customer's ------------------------------
class Tone(StrEnum):
    """How a status looks: good, waiting on something, needs attention, or over."""

    OK = "ok"
    WAIT = "wait"
    BAD = "bad"
    OFF = "off"


@dataclass(frozen=True)
class CustomerStatus:
    label: str | Promise
    tone: Tone


OVERDUE = CustomerStatus(_("Overdue"), Tone.BAD)
NO_USAGE_YET = CustomerStatus(_("No usage yet"), Tone.OK)

# Keyed by (enum, value): the providers' enums share words ("Active", "Cancelled") that mean different things.
_STATUS_WORDS: tuple[tuple[StrEnum, CustomerStatus], ...] = (
    # Invoices (WHMCS)
    (InvoiceStatus.DRAFT, CustomerStatus(_("Being prepared"), Tone.OFF)),
    (InvoiceStatus.UNPAID, CustomerStatus(_("To pay"), Tone.WAIT)),
    (InvoiceStatus.PAID, CustomerStatus(_("Paid"), Tone.OK)),
    (InvoiceStatus.CANCELLED, CustomerStatus(_("Cancelled"), Tone.OFF)),
    (InvoiceStatus.REFUNDED, CustomerStatus(_("Refunded"), Tone.OFF)),
    (InvoiceStatus.COLLECTIONS, CustomerStatus(_("Overdue: please contact us"), Tone.BAD)),
    (InvoiceStatus.PAYMENT_PENDING, CustomerStatus(_("Payment processing"), Tone.WAIT)),
    (InvoiceStatus.OVERDUE, OVERDUE),
    # Services (WHMCS)
    (SubscriptionStatus.PENDING, CustomerStatus(_("Being set up"), Tone.WAIT)),
    (SubscriptionStatus.ACTIVE, CustomerStatus(pgettext_lazy("service", "Active"), Tone.OK)),
    (SubscriptionStatus.SUSPENDED, CustomerStatus(pgettext_lazy("service", "Suspended"), Tone.BAD)),
    (SubscriptionStatus.TERMINATED, CustomerStatus(_("Ended"), Tone.OFF)),
    (SubscriptionStatus.CANCELLED, CustomerStatus(_("Cancelled"), Tone.OFF)),
    (SubscriptionStatus.FRAUD, CustomerStatus(_("On hold: please contact us"), Tone.BAD)),
    (SubscriptionStatus.COMPLETED, CustomerStatus(_("Completed"), Tone.OFF)),
    # Orders (Salesforce): the same words as the order's timeline
    (ProvisioningStatus.PENDING_REVIEW, CustomerStatus(_("Under review"), Tone.WAIT)),
    (ProvisioningStatus.APPROVED, CustomerStatus(_("Approved"), Tone.WAIT)),
    (ProvisioningStatus.ACTIVATING, CustomerStatus(_("Activating"), Tone.WAIT)),
    (ProvisioningStatus.ACTIVE, CustomerStatus(pgettext_lazy("order", "Active"), Tone.OK)),
    (ProvisioningStatus.FAILED, CustomerStatus(_("Needs our attention"), Tone.BAD)),
    # SIMs (Freebit)
    (SimStatus.ACTIVE, CustomerStatus(pgettext_lazy("SIM", "Active"), Tone.OK)),
    (SimStatus.SUSPENDED, CustomerStatus(pgettext_lazy("SIM", "Suspended"), Tone.BAD)),
    (SimStatus.PENDING, CustomerStatus(_("Being activated"), Tone.WAIT)),
    (SimStatus.CANCELLED, CustomerStatus(_("Cancelled"), Tone.OFF)),
    # Top-ups and plan changes (ours)
    (TopUpStatus.COMPLETED, CustomerStatus(_("Added"), Tone.OK)),
    (TopUpStatus.PENDING, CustomerStatus(_("Being added"), Tone.WAIT)),
    (TopUpStatus.FAILED, CustomerStatus(_("Not added: we are on it"), Tone.BAD)),
    (PlanChangeStatus.APPLIED, CustomerStatus(_("In force"), Tone.OK)),
    (PlanChangeStatus.SCHEDULED, CustomerStatus(_("Scheduled"), Tone.WAIT)),
)
_STATUSES = {(type(value), value.value): status for value, status in _STATUS_WORDS}

_BILLING_CYCLES = {
    BillingCycle.FREE: _("Free"),
    BillingCycle.ONE_TIME: _("One-time"),
    BillingCycle.MONTHLY: _("Per month"),
    BillingCycle.QUARTERLY: _("Every 3 months"),
    BillingCycle.SEMI_ANNUALLY: _("Every 6 months"),
    BillingCycle.ANNUALLY: _("Per year"),
    BillingCycle.BIENNIALLY: _("Every 2 years"),
    BillingCycle.TRIENNIALLY: _("Every 3 years"),
}


STATUS_KINDS: dict[str, type[StrEnum]] = {
    "invoice": InvoiceStatus, "service": SubscriptionStatus, "order": ProvisioningStatus, "sim": SimStatus,
    "topup": TopUpStatus, "plan_change": PlanChangeStatus,
}


def customer_status(value: StrEnum | str | None, *, overdue: bool = False, kind: str = "") -> CustomerStatus:
    """The customer's words (and tone) for a provider status; ``overdue`` for an unpaid invoice
    past its due date; ``kind`` ("invoice", "service", "order", "sim"...) reads a plain string as
    that provider's status. An unknown value is shown as it is, in a neutral tone."""
    if overdue:
        return OVERDUE
    if value is None:
        return CustomerStatus(EMPTY, Tone.OFF)
    if kind and not isinstance(value, StrEnum):
        try:
            value = STATUS_KINDS[kind](value)
        except (KeyError, ValueError):
            pass
    found = _STATUSES.get((type(value), value.value)) if isinstance(value, StrEnum) else None
    return found or CustomerStatus(str(value), Tone.OFF)


def billing_cycle(value: BillingCycle | str | None) -> str:
    """``Per month``, ``One-time``... for a billing cycle (WHMCS's and the catalog's names)."""
    if value is None:
        return EMPTY
    try:
        return str(_BILLING_CYCLES[BillingCycle(value)])
    except ValueError:
        return str({"One-time": _("One-time")}.get(str(value), value))
