"""The dashboard's rows (a service, an order), each rendered once per process for its value."""
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from domain.shared import clock

register = template.Library()


@register.simple_tag
def kept_row(template_name: str, row) -> str:
    """``{% kept_row "dashboard/_service_row.html" row %}``: the template rendered with ``row`` only.

    A row is a frozen value (a ``ServiceRow``: the service and its SIM's figures; an
    ``OrderSummary``) and its template reads nothing else, so the HTML is kept under the row itself
    (and its type), the language, the business time zone and the URL prefix: a changed figure is
    another row, so there is nothing to invalidate."""
    try:
        return _row_html(template_name, type(row), row, get_language(), clock.business_zone().key,
                         get_script_prefix(), get_urlconf())
    except TypeError:  # a row that cannot be a key
        return _row_html.__wrapped__(template_name, type(row), row, None, None, None, None)


@lru_cache(maxsize=4096)
def _row_html(template_name: str, row_type: type, row, language: str | None, zone: str | None,
              script_prefix: str | None, urlconf) -> str:
    # The template engine escaped every value (autoescape): the HTML is safe as rendered.
    return mark_safe(render_to_string(template_name, {"row": row}).strip())  # noqa: S308


@receiver(setting_changed)
def _forget_rows(**kwargs) -> None:
    _row_html.cache_clear()
