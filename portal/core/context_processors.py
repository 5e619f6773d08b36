"""Template context shared by every page: the main navigation."""
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.core.templatetags.portal_urls import cached_reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


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


def navigation(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": ()}
    items = []
    for label, name in _NAVIGATION:
        url = cached_reverse(name)
        current = request.path == url if url == "/" else request.path.startswith(_section(url))
        items.append(NavItem(label=label, url=url, current=current))
    return {"nav_items": items}


def _section(url: str) -> str:
    """``/billing/invoices/`` → ``/billing/``: a page anywhere in a section marks it current."""
    return "/" + url.strip("/").split("/")[0] + "/"

