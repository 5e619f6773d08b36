"""Template filters: the helpers of portal/core/formats.py (one for each kind of value)."""
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from domain.shared.money import Money
from portal.core import formats

register = template.Library()


@register.filter
def money(value: Money | None, currencies: dict | None = None) -> str:
    """``{{ invoice.total|money }}`` → ``¥5,000`` / ``5,000円`` (the language's rules; the billing
    system's currency table, still accepted as an argument, no longer changes how it reads)."""
    return formats.money(value)


@register.filter
def price(value: Money | None) -> str:
    """A consumer price that includes tax already: ``¥5,000 (tax incl.)``."""
    return formats.consumer_price(value)


@register.filter
def price_before_tax(value: Money | None) -> str:
    """A price kept before tax, shown to a consumer with tax: ``¥550 (tax incl.)`` for ¥500."""
    return formats.consumer_price(value, before_tax=True)


@register.filter
def day(value) -> str:
    """``3 Dec 2026`` / ``2026年12月3日`` (business time)."""
    return formats.day(value)


@register.filter
def moment(value) -> str:
    """``3 Dec 2026, 14:05`` / ``2026年12月3日 14:05`` (business time)."""
    return formats.moment(value)


@register.filter
def month(value) -> str:
    """``December 2026`` / ``2026年12月``."""
    return formats.month(value)


@register.filter
def day_of_month(value) -> str:
    """``3 Dec`` / ``12月3日``."""
    return formats.day_of_month(value)


@register.filter
def payment_method(value) -> str:
    """"Card", "Bank transfer" for a gateway name: never the gateway itself."""
    return formats.payment_method(value)


@register.filter
def area(value) -> str:
    """The customer's word for an area ("billing", "SIM") in their language."""
    return formats.area_name(value)


@register.filter
def duration(value) -> str:
    """``15 minutes`` for a timedelta."""
    return formats.duration(value)


@register.filter
def phone(value) -> str:
    """``090-1234-5678``."""
    return formats.phone(value)


@register.filter
def data(value) -> str:
    """``850 MB`` / ``3.2 GB`` (a DataQuota, or whole megabytes)."""
    return formats.data_amount(value)


@register.filter
def cycle(value) -> str:
    """``Per month``, ``One-time``... for a billing cycle."""
    return formats.billing_cycle(value)


@register.simple_tag
def status_badge(value, overdue: bool = False, kind: str = "") -> str:
    """``{% status_badge invoice.status overdue=... %}``: the customer's words for a provider
    status, in a badge whose colour says good, waiting, attention or over (``kind="service"``
    and so on for a status given as a plain string)."""
    try:
        return _badge(type(value), value, bool(overdue), kind, translation.get_language())
    except TypeError:  # a value that cannot be a key (never a provider status)
        return _badge.__wrapped__(type(value), value, bool(overdue), kind, None)


@lru_cache(maxsize=1024)
def _badge(value_type: type, value, overdue: bool, kind: str, language: str | None) -> str:
    """A status's badge in ``language`` (the active one), kept per process. The value's type is
    part of the key: the providers' enums share words ("Active") that are equal as strings."""
    status = formats.customer_status(value, overdue=overdue, kind=kind)
    return format_html('<span class="badge badge-{}">{}</span>', status.tone, status.label)


@receiver(setting_changed)
def _forget_badges(**kwargs) -> None:
    _badge.cache_clear()


@register.filter
def status_label(value, kind: str = "") -> str:
    return str(formats.customer_status(value, kind=kind).label)


@register.filter
def as_money(amount, currency: str) -> Money | None:
    """``{{ quote.amount|as_money:quote.currency }}``: an amount and its currency as Money."""
    return None if amount is None else Money(amount=amount, currency=currency)


@register.filter
def order_number(value) -> str:
    """``104`` for the CRM's ``00000104``."""
    return formats.order_number(value)


@register.filter
def voice_option(value) -> str:
    return formats.voice_option(value)


@register.filter
def category(value) -> str:
    return formats.category(value)


@register.filter
def call_is_overdue(invoice, today) -> bool:
    """``{{ invoice|call_is_overdue:today }}``: templates cannot call methods with arguments."""
    return invoice.is_overdue(today)


@register.simple_tag
def sandbox_pages() -> list[tuple[str, str]]:
    """The demo's operator pages (staff stand-ins for the providers' screens), for the admin's
    index: each provider's only while its sandbox is in use."""
    if not settings.PROVIDERS_USE_SANDBOX:
        return []
    offered = []
    if not settings.SALESFORCE_LOGIN_URL:
        offered += [(_("Approve orders (Salesforce operator)"), "sandbox-orders"),
                    (_("Support cases (Salesforce agent)"), "sandbox-cases")]
    if not settings.FREEBIT_API_URL:
        offered.append((_("SIM lines and their pending requests (Freebit operator)"), "sandbox-sims"))
    pages = []
    for label, name in offered:
        try:
            pages.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return pages
