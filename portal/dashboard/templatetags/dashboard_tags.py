"""The dashboard's service rows, each rendered once per process for its values and language."""
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def service_row(row) -> str:
    """``{% service_row row %}``: a ``ServiceRow``'s ``<li>`` (``dashboard/_service_row.html``).

    A row is a frozen value (the service and its SIM's figures) and its HTML reads nothing else, so
    the HTML is kept under the row itself, the language and the URL prefix: a changed figure is
    another row, so there is nothing to invalidate."""
    try:
        return _row_html(row, get_language(), get_script_prefix(), get_urlconf())
    except TypeError:  # a row that cannot be a key
        return _row_html.__wrapped__(row, None, None, None)


@lru_cache(maxsize=2048)
def _row_html(row, language: str | None, script_prefix: str | None, urlconf) -> str:
    # The template engine escaped every value (autoescape): the HTML is safe as rendered.
    return mark_safe(render_to_string("dashboard/_service_row.html", {"row": row}).strip())  # noqa: S308


@receiver(setting_changed)
def _forget_rows(**kwargs) -> None:
    _row_html.cache_clear()
