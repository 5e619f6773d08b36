"""The client's network address: the one place it is worked out (docs/security.md, "Throttles").

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (a load balancer, a CDN), ``REMOTE_ADDR`` is the
last proxy's address, shared by every customer. Each proxy appends the address it received the
request from to ``X-Forwarded-For``, so the client's address is the entry that the first trusted
proxy wrote: the ``TRUSTED_PROXY_COUNT``-th from the right. Entries further left were written by
the client itself and are never believed. With no trusted proxy (the default) the header is
ignored and ``REMOTE_ADDR`` is the client.

Sign-in lockout (django-axes, through ``AXES_CLIENT_IP_CALLABLE``), the password-reset, API and
webhook rate limits and the webhook log all use this function.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder value for counting, never bound to


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the trusted proxies saw it (normalised); ``0.0.0.0``
    when there is none to read (a Unix socket), so that such requests are still counted, together."""
    return known_client_address(request) or UNKNOWN


def known_client_address(request: HttpRequest) -> str | None:
    """``client_address``, or None when no IP address can be read (for storing, not counting)."""
    remote = _normalised(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped a proxy; the leftmost entry is the best we have.
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _normalised(candidate) or remote


def _normalised(value: str) -> str | None:
    """``value`` as a canonical IP address, or None. Accepts ``1.2.3.4:5678`` and ``[::1]:5678``
    (some proxies add the client's port)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1:value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
