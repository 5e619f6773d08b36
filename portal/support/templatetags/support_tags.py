"""The customer's words for support values in templates: ``{{ case.status|case_status }}``."""
from django import template
from django.urls import reverse

from domain.support.requests import Detail
from portal.support import labels

register = template.Library()


def _label(table: dict, value) -> str:
    for key, label in table.items():
        if key == value or key.value == value:
            return str(label)
    return "" if value is None else str(value)


@register.filter
def case_status(value) -> str:
    return _label(labels.STATUSES, value)


@register.filter
def case_tone(value) -> str:
    return _label(labels.STATUS_TONES, value) or "off"


@register.filter
def case_category(value) -> str:
    return _label(labels.CATEGORIES, value)


@register.filter
def request_type(value) -> str:
    return _label(labels.REQUEST_TYPES, value)


@register.filter
def related_kind(value) -> str:
    return _label(labels.RELATED, value)


@register.filter
def priority(value) -> str:
    return _label(labels.PRIORITIES, value)


@register.filter
def loss_kind(value) -> str:
    return _label(labels.LOSS_KINDS, value)


@register.filter
def replacement_reason(value) -> str:
    return _label(labels.REPLACEMENT_REASONS, value)


@register.filter
def sim_size(value) -> str:
    return _label(labels.SIM_SIZES, value)


@register.filter
def detail_label(value) -> str:
    return _label(labels.DETAILS, Detail(value))


@register.filter
def related_url(record) -> str:
    """The portal page of the invoice, subscription, order or SIM a case is about."""
    names = {"invoice": "billing:invoice", "subscription": "billing:subscription", "order": "orders:detail",
             "sim": "sim:detail"}
    return reverse(names[str(record.kind)], args=[record.id])
