"""WHMCS webhook body (raw bytes or the decoded object) -> ``WhmcsWebhookEvent``. Pure.

A body that is not JSON, not an object, or lacks a field its event needs raises ``MappingError``
naming the field; a well-formed body whose ``event`` this portal does not know raises its subclass
``UnknownWebhookEvent`` (the receiver records those as ignored rather than rejected).
"""
from collections.abc import Mapping

from domain.shared import json_input
from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.providers.whmcs import PROVIDER
from domain.webhooks.providers.whmcs.raw import (
    RAW_SCHEMAS,
    WhmcsClientEditWebhookRaw,
    WhmcsInvoiceWebhookRaw,
    WhmcsServiceWebhookRaw,
    WhmcsWebhookRaw,
)
from domain.webhooks.types import WebhookEventType, WhmcsWebhookEvent

ENTITY = "webhook"
EVENT_NAME_MAX_LENGTH = 64
MAX_DEPTH = 8
"""An event nests two levels deep; anything much deeper is not one (and is refused unparsed)."""


class UnknownWebhookEvent(MappingError):
    """A well-formed body whose ``event`` is not one the portal handles."""

    def __init__(self, event: str) -> None:
        self.event = event
        super().__init__(provider=PROVIDER, entity=ENTITY, field="event",
                         reason=f"unknown event type {event[:EVENT_NAME_MAX_LENGTH]!r}")

    def __reduce__(self):
        return UnknownWebhookEvent, (self.event,)


def transform_whmcs_webhook(raw_body: bytes | str | Mapping) -> WhmcsWebhookEvent:
    raw = _decode(raw_body)
    event = raw.get("event")
    if not isinstance(event, str) or not event.strip():
        raise MappingError(provider=PROVIDER, entity=ENTITY, field="event", reason="missing or not text")
    schema = RAW_SCHEMAS.get(event)
    if schema is None:
        raise UnknownWebhookEvent(event)
    parsed = validate_raw(schema, raw, provider=PROVIDER, entity=f"{event} {ENTITY}")
    return build_domain(WhmcsWebhookEvent, provider=PROVIDER, entity=f"{event} {ENTITY}", **_fields(parsed))


def whmcs_webhook_event_name(raw_body: bytes | str | Mapping) -> str:
    """The body's ``event`` as sent (cut to 64 characters), or "" when there is none to read.

    For recording a body the mapper refused: never raises.
    """
    try:
        event = _decode(raw_body).get("event")
    except MappingError:
        return ""
    return event.strip()[:EVENT_NAME_MAX_LENGTH] if isinstance(event, str) else ""


def _decode(raw_body: bytes | str | Mapping) -> Mapping:
    if isinstance(raw_body, bytes | str):
        try:
            raw = json_input.loads(raw_body, max_depth=MAX_DEPTH)
        except json_input.InvalidJson as exc:
            reason = str(exc) if exc.too_deep else "not valid JSON"
            raise MappingError(provider=PROVIDER, entity=ENTITY, field="", reason=reason) from None
    else:
        raw = raw_body
    if not isinstance(raw, Mapping):
        raise MappingError(provider=PROVIDER, entity=ENTITY, field="", reason="not a JSON object")
    return raw


def _fields(parsed: WhmcsWebhookRaw) -> dict:
    fields: dict = {
        "event_id": parsed.event_id,
        "type": WebhookEventType(parsed.event),
        "occurred_at": parsed.occurred_at,
        "client_id": parsed.client_id,
    }
    if isinstance(parsed, WhmcsInvoiceWebhookRaw):
        fields["invoice_id"] = parsed.invoice_id
    elif isinstance(parsed, WhmcsServiceWebhookRaw):
        fields.update(service_id=parsed.service_id, product_id=parsed.product_id)
    elif isinstance(parsed, WhmcsClientEditWebhookRaw):
        fields["profile"] = {  # validated with the event, so a bad email names "profile.email"
            "first_name": parsed.firstname.strip(),
            "last_name": parsed.lastname.strip(),
            "email": parsed.email.strip().lower() or None,
            "company_name": parsed.companyname.strip(),
        }
    return fields
