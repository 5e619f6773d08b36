"""Helpers of the webhook tests: signed deliveries built exactly as the WHMCS hook module builds them.

Signing here is written out independently of ``portal.webhooks.signing`` (hex HMAC-SHA256 over
``timestamp + "." + body``), so a change on either side shows up as a failing test.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from portal.webhooks.models import WebhookEvent

SECRET = "test-webhook-secret-0123456789"
PREVIOUS_SECRET = "previous-webhook-secret-9876543210"
URL = "/webhooks/whmcs/"
ALICE_CLIENT_ID = 1001
UNKNOWN_CLIENT_ID = 4242


def hmac_hex(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def payload(event: str = "InvoicePaid", *, event_id: str | None = None, client_id: int = ALICE_CLIENT_ID,
            **fields) -> dict:
    defaults = {
        "InvoicePaid": {"invoice_id": 7}, "InvoiceCreated": {"invoice_id": 7},
        "InvoiceCancelled": {"invoice_id": 7}, "InvoiceRefunded": {"invoice_id": 7},
        "AfterModuleCreate": {"service_id": 3, "product_id": 2, "domain": ""},
        "AfterModuleSuspend": {"service_id": 3, "product_id": 2, "domain": ""},
        "AfterModuleUnsuspend": {"service_id": 3, "product_id": 2, "domain": ""},
        "AfterModuleTerminate": {"service_id": 3, "product_id": 2, "domain": ""},
        "ClientEdit": {"firstname": "Alice", "lastname": "Andersen", "email": "alice@example.com",
                       "companyname": ""},
    }.get(event, {})
    return {
        "event_id": event_id or secrets.token_hex(16),
        "event": event,
        "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "client_id": client_id,
        **defaults,
        **fields,
    }


@dataclass
class Delivery:
    """One signed POST, ready to send; change any part to forge it."""

    body: bytes
    event_id: str
    timestamp: str
    signature: str
    extra_headers: dict = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        found = {"X-WHMCS-Event-Id": self.event_id, "X-WHMCS-Timestamp": self.timestamp,
                 "X-WHMCS-Signature": self.signature}
        return {name: value for name, value in {**found, **self.extra_headers}.items() if value is not None}

    def post(self, client, **extra):
        return client.post(URL, data=self.body, content_type="application/json", headers=self.headers(), **extra)


def signed(body: dict | bytes | None = None, *, secret: str = SECRET, timestamp: int | str | None = None,
           event_id: str | None = None) -> Delivery:
    """A delivery of ``body`` (a payload dict, raw bytes, or a fresh InvoicePaid) signed with ``secret``."""
    if body is None:
        body = payload()
    if isinstance(body, dict):
        event_id = event_id or body.get("event_id")
        body = json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return Delivery(body=body, event_id=event_id or secrets.token_hex(16), timestamp=stamp,
                    signature=hmac_hex(secret, stamp, body))


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.WHMCS_WEBHOOK_SECRET = SECRET
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = ""
    settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS = 300
    settings.WEBHOOK_MAX_BODY_BYTES = 65536
    settings.WEBHOOK_MAX_ATTEMPTS = 6
    return settings


def stored(**filters) -> list[WebhookEvent]:
    return list(WebhookEvent.objects.filter(**filters).order_by("id"))


def make_event(event: str = "InvoicePaid", *, status: str = WebhookEvent.Status.RECEIVED, **fields) -> WebhookEvent:
    """A stored event as the receiver would have stored it (a factory, no HTTP)."""
    body = payload(event, **fields)
    return WebhookEvent.objects.create(
        event_id=body["event_id"], event_type=event, status=status, body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, client_id=body["client_id"],
        occurred_at=datetime.fromisoformat(body["occurred_at"]),
    )
