"""Signed webhooks, sent exactly as the portal's WHMCS hook module (``contrib/whmcs``) sends them.

Real WHMCS has no signed outbound webhooks; the portal ships a hook module that adds them. The
emulator plays that module: when configured with a URL and a secret, paying an invoice (and the
other changes listed in ``sandbox/README.md``) POSTs a JSON body with

- ``X-WHMCS-Event-Id``: a random id per event (32 hex digits),
- ``X-WHMCS-Timestamp``: Unix seconds,
- ``X-WHMCS-Signature``: hex HMAC-SHA256 with the secret over ``timestamp + "." + body``.

Each delivery runs in a background thread with a short timeout, is tried once (like the module),
and its result is recorded for tests (``WhmcsSandbox.webhook_deliveries``).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("sandbox.whmcs.webhooks")

EVENT_ID_HEADER = "X-WHMCS-Event-Id"
TIMESTAMP_HEADER = "X-WHMCS-Timestamp"
SIGNATURE_HEADER = "X-WHMCS-Signature"
USER_AGENT = "WHMCS-Portal-Webhooks/1.0 (sandbox)"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``portal_webhooks_sign`` of the PHP module: hex HMAC-SHA256 over ``timestamp.body``."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivery:
    """One webhook POST and what came of it."""

    event_id: str
    event: str
    url: str
    body: bytes
    status: int | None
    """The HTTP status answered, or None when there was no answer (refused, timed out)."""
    error: str = ""
    response: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "event": self.event, "url": self.url, "status": self.status,
                "ok": self.ok, "error": self.error, "response": self.response, "payload": self.payload}


class WebhookSender:
    """Builds, signs and POSTs events; ``record`` receives each finished :class:`Delivery`."""

    def __init__(self, url: str, secret: str, *, timeout: float = 5.0,
                 record: Callable[[Delivery], None] | None = None, clock: Callable[[], float] = time.time):
        if not url.startswith(("http://", "https://")):
            raise ValueError("the webhook URL must be http:// or https://")
        self.url = url
        self._secret = secret
        self.timeout = timeout
        self._record = record or (lambda delivery: None)
        self._clock = clock

    def build(self, event: str, fields: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
        """(event id, headers, body) of one event, signed."""
        event_id = secrets.token_hex(16)
        payload = {
            "event_id": event_id,
            "event": event,
            "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **fields,
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_ID_HEADER: event_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
        }
        return event_id, headers, body

    def send(self, event: str, **fields: Any) -> str:
        """Queue one event for delivery from a background thread; answers its event id at once."""
        event_id, headers, body = self.build(event, fields)
        thread = threading.Thread(target=self._deliver, args=(event_id, event, headers, body),
                                  name=f"sandbox-webhook-{event_id[:8]}", daemon=True)
        thread.start()
        return event_id

    def _deliver(self, event_id: str, event: str, headers: dict[str, str], body: bytes) -> None:
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only
        status, error, response = None, "", ""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - http(s) only
                status, response = answer.status, answer.read(500).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, error, response = exc.code, f"HTTP {exc.code}", exc.read(500).decode("utf-8", "replace")
        except (OSError, ValueError) as exc:  # refused, timed out, bad URL
            error = f"{type(exc).__name__}: {exc}"
        delivery = Delivery(event_id, event, self.url, body, status, error, response)
        if not delivery.ok:
            logger.warning("webhook %s %s to %s failed: %s", event, event_id, self.url, error or status)
        self._record(delivery)


class WebhookLog:
    """The deliveries made so far, and a way for tests to wait for them."""

    def __init__(self) -> None:
        self._deliveries: list[Delivery] = []
        self._changed = threading.Condition()

    def record(self, delivery: Delivery) -> None:
        with self._changed:
            self._deliveries.append(delivery)
            self._changed.notify_all()

    def all(self) -> list[Delivery]:
        with self._changed:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._changed:
            self._deliveries.clear()

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[Delivery]:
        """The deliveries once at least ``count`` have finished (or whatever there is after ``timeout``)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._deliveries) >= count, timeout=timeout)
            return list(self._deliveries)
