"""Fragments rendered once per process and filled in per request: ``{% site_header %}`` (the layout's
header: brand, language switcher, sign-out, main navigation) and ``{% kept %}`` (a block that
depends only on the frozen values it names, such as the dashboard's panels).

Every page drew the same header, and drawing it (the navigation twice over, the switcher, three
translations and two forms) was the larger part of a signed-in page's own work (docs/performance.md).
Its HTML depends only on the language, whether someone is signed in, which section is current and
the URL prefix, so it is kept per process under those; what differs per request (the CSRF token,
the page the switcher returns to, the signed-in email) is rendered as a placeholder and put in,
escaped, on the way out.
"""
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from domain.shared import clock
from portal.core.templatetags.portal_urls import cached_reverse

register = template.Library()
KEPT_FRAGMENTS = 2048

# Private-use characters: never in a page's own text, and left alone by escaping.
_CSRF, _HERE, _EMAIL = "\ue000csrf\ue000", "\ue000here\ue000", "\ue000email\ue000"

_NAVIGATION = (
    (_("Dashboard"), "dashboard"),
    (_("Billing"), "billing:invoices"),
    (_("Subscriptions"), "billing:subscriptions"),
    (_("Catalog"), "catalog:index"),
    (_("Orders"), "orders:index"),
    (_("SIMs"), "sim:index"),
    (_("Support"), "support:cases"),
    (_("Account"), "accounts:account"),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    path = request.path if request is not None else "/"
    current = tuple(_is_current(path, url) for url in _section_urls()) if signed_in else ()
    html = _header_html(get_language(), signed_in, current, get_script_prefix(), get_urlconf())
    return mark_safe(  # noqa: S308 - rendered with autoescape; each value put in is escaped
        html.replace(_CSRF, escape(get_token(request)) if request is not None else "")
        .replace(_HERE, escape(request.get_full_path()) if request is not None else "/")
        .replace(_EMAIL, escape(user.email) if signed_in else ""))


def _section_urls() -> list[str]:
    return [cached_reverse(name) for _label, name in _NAVIGATION]


def _is_current(path: str, url: str) -> bool:
    """``/billing/invoices/`` marks a page anywhere under ``/billing/`` current; ``/`` only itself."""
    return path == url if url == "/" else path.startswith("/" + url.strip("/").split("/")[0] + "/")


@lru_cache(maxsize=256)
def _header_html(language: str | None, signed_in: bool, current: tuple[bool, ...], script_prefix: str,
                 urlconf) -> str:
    items = ()
    if signed_in:
        items = tuple(NavItem(label=str(label), url=cached_reverse(name), current=is_current)
                      for (label, name), is_current in zip(_NAVIGATION, current, strict=True))
    return render_to_string("portal/_site_header.html", {
        "signed_in": signed_in, "email": _EMAIL, "csrf_token": _CSRF, "here": _HERE, "nav_items": items,
    })


@receiver(setting_changed)
def _forget_headers(**kwargs) -> None:
    _header_html.cache_clear()
    _kept.clear()


class _Kept:
    """A bounded map of rendered fragments, oldest first out (shared by the process's threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.fragments: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            html = self.fragments.get(key)
            if html is not None:
                self.fragments.move_to_end(key)
            return html

    def put(self, key, html: str) -> None:
        with self.lock:
            self.fragments[key] = html
            while len(self.fragments) > self.size:
                self.fragments.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.fragments.clear()


_kept = _Kept(KEPT_FRAGMENTS)


class KeptNode(template.Node):
    def __init__(self, nodelist: template.NodeList, values: list) -> None:
        self.nodelist = nodelist
        self.values = values

    def render(self, context) -> str:
        values = tuple(value.resolve(context) for value in self.values)
        key = (self.origin.name if self.origin else None, self.token.position if self.token else None, values,
               get_language(), clock.business_zone().key, get_script_prefix(), get_urlconf())
        try:
            html = _kept.get(key)
        except TypeError:  # a value that cannot be a key: rendered every time
            return self.nodelist.render(context)
        if html is None:
            with context.push(csrf_token=_CSRF):
                html = self.nodelist.render(context)
            _kept.put(key, html)
        if _CSRF in html:
            request = context.get("request")
            html = html.replace(_CSRF, escape(get_token(request)) if request is not None else "")
        return mark_safe(html)  # noqa: S308 - the template engine escaped it as it rendered


@register.tag
def kept(parser, token):
    """``{% kept value ... %}…{% endkept %}``: the block rendered once per process for these values.

    For a block that reads nothing but the values named (frozen values: a ``Dashboard``, a row) and
    the language, business time zone and URL prefix, which are part of the key too. A form's
    ``{% csrf_token %}`` inside is filled in per request. Anything else the block reads must be named,
    or it would show one request's data on another's page."""
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, values)
