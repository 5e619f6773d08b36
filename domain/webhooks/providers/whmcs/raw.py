"""Raw bodies of the WHMCS hook module's webhooks (``contrib/whmcs/portal_webhooks.php``).

Every body is a JSON object with ``event_id``, ``event`` (the WHMCS hook name), ``occurred_at``
(ISO 8601 with offset) and ``client_id``, plus the fields of its kind. Unknown fields are ignored,
so the module may send more without breaking the portal.
"""
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator

from domain.shared.providers.whmcs import WhmcsId, WhmcsOptionalId, WhmcsRawModel, WhmcsText

INVOICE_EVENTS = ("InvoicePaid", "InvoiceCreated", "InvoiceCancelled", "InvoiceRefunded")
SERVICE_EVENTS = ("AfterModuleCreate", "AfterModuleSuspend", "AfterModuleUnsuspend", "AfterModuleTerminate")
CLIENT_EVENTS = ("ClientEdit",)


def _aware_datetime(value: object) -> datetime:
    """ISO 8601 with a UTC offset (PHP's ``gmdate('c')``: ``2026-11-26T06:49:00+00:00``)."""
    if not isinstance(value, str):
        raise ValueError("not an ISO 8601 datetime")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("not an ISO 8601 datetime") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("has no UTC offset")
    return parsed


def _event_id(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


AwareDateTime = Annotated[datetime, BeforeValidator(_aware_datetime)]
EventId = Annotated[str, BeforeValidator(_event_id)]


class WhmcsWebhookRaw(WhmcsRawModel):
    event_id: EventId
    event: str
    occurred_at: AwareDateTime
    client_id: WhmcsId


class WhmcsInvoiceWebhookRaw(WhmcsWebhookRaw):
    event: Literal[INVOICE_EVENTS]
    invoice_id: WhmcsId


class WhmcsServiceWebhookRaw(WhmcsWebhookRaw):
    event: Literal[SERVICE_EVENTS]
    service_id: WhmcsId
    product_id: WhmcsOptionalId = None
    domain: WhmcsText = ""


class WhmcsClientEditWebhookRaw(WhmcsWebhookRaw):
    event: Literal[CLIENT_EVENTS]
    firstname: WhmcsText = ""
    lastname: WhmcsText = ""
    email: WhmcsText = ""
    companyname: WhmcsText = ""


RAW_SCHEMAS: dict[str, type[WhmcsWebhookRaw]] = {
    **dict.fromkeys(INVOICE_EVENTS, WhmcsInvoiceWebhookRaw),
    **dict.fromkeys(SERVICE_EVENTS, WhmcsServiceWebhookRaw),
    **dict.fromkeys(CLIENT_EVENTS, WhmcsClientEditWebhookRaw),
}
