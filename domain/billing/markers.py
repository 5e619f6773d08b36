"""Markers: how the portal finds again what a billing write created when the answer was lost.

WHMCS has no idempotency keys. A write whose answer can be lost (``CreateInvoice``) therefore
carries one line in the created object's notes naming the portal's request, ``portal-request:<key>``;
after a lost answer the caller lists the client's recent invoices and adopts the one whose notes
carry that line instead of creating another (billing orders do the same with
``domain.billing.orders.order_marker``).
"""
import hashlib
import re

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


def request_marker(key: str) -> str:
    """``portal-request:<key>`` for a plain key (a UUID), else ``portal-request:sha256-<digest>``:
    one ASCII line with nothing to escape, whatever the billing system does with notes."""
    if not isinstance(key, str) or not key.strip():
        raise ValueError("the marker key must be non-empty text")
    key = key.strip()
    if _PLAIN_KEY.fullmatch(key):
        return f"portal-request:{key}"
    return "portal-request:sha256-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def carries_marker(notes: str, marker: str) -> bool:
    """Whether one line of ``notes`` is exactly ``marker`` (surrounding blanks ignored)."""
    return bool(marker) and any(line.strip() == marker for line in (notes or "").splitlines())
