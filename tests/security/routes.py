"""Every URL pattern of ``portal.urls``, walked, so the security tests cover routes added later.

A test lists what it expects of each *kind* of route (by its parameters, its name or its area);
a route it cannot place makes the test fail with the route named, never pass silently.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern with the prefixes of the resolvers above it."""

    parts: tuple[tuple[str, str], ...]  # ("route" | "regex", pattern text), outermost first
    name: str  # "namespace:name", or "namespace:<unnamed …>"
    callback: Callable
    params: tuple[str, ...]

    @property
    def pattern(self) -> str:
        return "".join(text for _, text in self.parts)

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:") or self.pattern.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def url(self, **values) -> str:
        """The path with ``values`` in the parameters, each percent-encoded as one path segment."""
        missing = set(self.params) - set(values)
        assert not missing, f"{self.name} ({self.pattern}) needs a value for {sorted(missing)}"
        path = "/"
        for kind, text in self.parts:
            if kind == "route":
                path += _ROUTE_PARAM.sub(lambda m: _segment(m["converter"], values[m["name"]]), text)
            else:
                text = _REGEX_GROUP.sub(lambda m: _segment(None, values[m["name"]]), text)
                path += text.lstrip("^").rstrip("$")
        return path

    def __str__(self) -> str:
        return f"{self.name} (/{self.pattern})"


def _segment(converter: str | None, value: object) -> str:
    # A path converter may hold slashes; every other value stays one segment, even a hostile one.
    return quote(str(value), safe="/" if converter == "path" else "")


def all_routes() -> list[Route]:
    """Every reachable route: one without parameters whose path an earlier route already takes
    (Django's first match wins: the admin's own /admin/login/ behind ours) is left out."""
    routes, taken = [], set()
    for route in _walk(get_resolver().url_patterns, (), None):
        if not route.params:
            if route.pattern in taken:
                continue
            taken.add(route.pattern)
        routes.append(route)
    return routes


def _walk(patterns, parts, namespace) -> Iterator[Route]:
    for entry in patterns:
        part = _part(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, (*parts, part), inner)
        elif isinstance(entry, URLPattern):
            all_parts = (*parts, part)
            name = entry.name or f"<unnamed {''.join(t for _, t in all_parts)}>"
            yield Route(
                parts=all_parts,
                name=f"{namespace}:{name}" if namespace else name,
                callback=entry.callback,
                params=tuple(_params(all_parts)),
            )


def _part(pattern) -> tuple[str, str]:
    if isinstance(pattern, RoutePattern):
        return "route", str(pattern)
    assert isinstance(pattern, RegexPattern), f"unknown pattern type {type(pattern).__name__}"
    return "regex", str(pattern)


def _params(parts) -> Iterator[str]:
    for kind, text in parts:
        found = _ROUTE_PARAM.finditer(text) if kind == "route" else _REGEX_GROUP.finditer(text)
        yield from (match["name"] for match in found)


def resolves_to(route: Route, path: str) -> bool:
    """Whether ``path`` reaches ``route``'s view (a sanity check of ``Route.url``)."""
    from django.urls import Resolver404

    try:
        return resolve(path).func == route.callback
    except Resolver404:
        return False


# Values that make each route resolve; where an object of a customer is meant, the test gives its own.
SAMPLE_VALUES = {
    "invoice_id": 1,
    "service_id": 1,
    "order_id": "801Dn0000000001AAA",
    "iccid": "8981100000001001124",
    "case_id": "500Dn00009p558KIAQ",
    "account_id": "001Dn0000000001AAA",
    "product_id": "01tDn0000000001AAA",
    "uidb64": "MQ",
    "token": "set-password",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "pk": 1,
    "app_label": "accounts",
    "url": "no-such-admin-page/",
}


def sample_url(route: Route, **overrides) -> str:
    values = {name: SAMPLE_VALUES[name] for name in route.params if name in SAMPLE_VALUES}
    values.update(overrides)
    path = route.url(**values)
    assert resolves_to(route, path), f"{route}: {path} does not reach the view (add a sample value)"
    return path
