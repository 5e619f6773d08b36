"""Signing of WHMCS webhooks: one definition shared with the hook module and the sandbox sender.

``X-WHMCS-Signature`` is the lower-case hex HMAC-SHA256, keyed with the shared secret, of
``timestamp + "." + raw body`` where the timestamp is ``X-WHMCS-Timestamp`` (Unix seconds). The
signature covers the body's exact bytes: a proxy that re-encodes the JSON breaks it, on purpose.
"""
import hashlib
import hmac
import re

from django.conf import settings

EVENT_ID_HEADER = "X-WHMCS-Event-Id"
TIMESTAMP_HEADER = "X-WHMCS-Timestamp"
SIGNATURE_HEADER = "X-WHMCS-Signature"

DEMO_SECRET = "demo-webhook-secret"  # noqa: S105 - shared with the in-process WHMCS sandbox of the demo only
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def matching_secret(secrets: dict[str, str], timestamp: str, body: bytes, signature: str) -> str | None:
    """The name of the secret that made ``signature`` (each compared in constant time), or None."""
    if not _HEX_SHA256.fullmatch(signature):
        return None
    given = signature.lower()
    found = None
    for name, secret in secrets.items():
        if hmac.compare_digest(sign(secret, timestamp, body), given) and found is None:
            found = name
    return found


def whmcs_signing_secrets() -> dict[str, str]:
    """The secrets a WHMCS webhook may be signed with, by name: ``current`` and/or ``previous``.

    The one place the demo secret is chosen: only when no secret is configured and WHMCS is the
    in-process sandbox (``PROVIDERS_USE_SANDBOX`` on, ``WHMCS_API_URL`` unset), never in production.
    """
    current = settings.WHMCS_WEBHOOK_SECRET
    if not current and settings.PROVIDERS_USE_SANDBOX and not settings.WHMCS_API_URL:
        current = DEMO_SECRET
    named = {"current": current, "previous": settings.WHMCS_WEBHOOK_PREVIOUS_SECRET}
    return {name: secret for name, secret in named.items() if secret}
