"""WHMCS webhook bodies -> WhmcsWebhookEvent: table-driven, no database."""
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.shared.errors import MappingError
from domain.webhooks.providers import whmcs
from domain.webhooks.types import ClientProfile, WebhookEventType, WebhookTopic, WhmcsWebhookEvent

EVENT_ID = "0123456789abcdef0123456789abcdef"
BASE = {"event_id": EVENT_ID, "occurred_at": "2026-11-26T06:49:00+00:00", "client_id": "1001"}
WHEN = datetime(2026, 11, 26, 6, 49, tzinfo=UTC)


@pytest.mark.parametrize("event", ["InvoicePaid", "InvoiceCreated", "InvoiceCancelled", "InvoiceRefunded"])
def test_invoice_events(event):
    mapped = whmcs.transform_whmcs_webhook(json.dumps({**BASE, "event": event, "invoice_id": 42}).encode())

    assert mapped == WhmcsWebhookEvent(event_id=EVENT_ID, type=WebhookEventType(event), occurred_at=WHEN,
                                       client_id=1001, invoice_id=42)
    assert mapped.topic is WebhookTopic.INVOICE


@pytest.mark.parametrize("event", ["AfterModuleCreate", "AfterModuleSuspend", "AfterModuleUnsuspend",
                                   "AfterModuleTerminate"])
def test_service_events(event):
    mapped = whmcs.transform_whmcs_webhook({**BASE, "event": event, "service_id": "9", "product_id": 0,
                                            "domain": "", "password": "never-kept"})

    assert (mapped.type.value, mapped.service_id, mapped.product_id) == (event, 9, None)
    assert mapped.topic is WebhookTopic.SERVICE
    assert "never-kept" not in repr(mapped)


def test_client_edit_keeps_only_the_profile_fields_trimmed_and_the_email_lower_cased():
    mapped = whmcs.transform_whmcs_webhook({**BASE, "event": "ClientEdit", "firstname": " Alicia ",
                                            "lastname": "Berg", "email": " Alicia@Example.COM",
                                            "companyname": "", "address1": "1 Main St"})

    assert mapped.topic is WebhookTopic.CLIENT
    assert mapped.profile == ClientProfile(first_name="Alicia", last_name="Berg", email="alicia@example.com")


def test_an_offset_other_than_utc_is_kept_as_an_aware_time():
    mapped = whmcs.transform_whmcs_webhook({**BASE, "occurred_at": "2026-11-26T15:49:00+09:00",
                                            "event": "InvoicePaid", "invoice_id": 1})

    assert mapped.occurred_at == WHEN and mapped.occurred_at.utcoffset() == timedelta(hours=9)
    assert mapped.occurred_at.tzinfo == timezone(timedelta(hours=9))


@pytest.mark.parametrize("raw, field, reason", [
    (b"{", "(root)", "not valid JSON"),
    (b"\xff", "(root)", "not valid JSON"),
    (b"[]", "(root)", "not a JSON object"),
    ({**BASE}, "event", "missing"),
    ({**BASE, "event": ""}, "event", "missing"),
    ({**BASE, "event": "InvoicePaid"}, "invoice_id", "Field required"),
    ({**BASE, "event": "InvoicePaid", "invoice_id": 0}, "invoice_id", "greater than 0"),
    ({**BASE, "event": "InvoicePaid", "invoice_id": 1, "client_id": "x"}, "client_id", "whole number"),
    ({**BASE, "event": "InvoicePaid", "invoice_id": 1, "occurred_at": "2026-11-26 06:49:00"}, "occurred_at",
     "no UTC offset"),
    ({**BASE, "event": "InvoicePaid", "invoice_id": 1, "occurred_at": 1764140940}, "occurred_at", "ISO 8601"),
    ({**BASE, "event": "InvoicePaid", "invoice_id": 1, "event_id": "short"}, "event_id", "pattern"),
    ({**BASE, "event": "InvoicePaid", "invoice_id": 1, "event_id": 12345678}, "event_id", "not text"),
    ({**BASE, "event": "AfterModuleCreate"}, "service_id", "Field required"),
    ({**BASE, "event": "ClientEdit", "email": "not-an-email"}, "profile.email", "pattern"),
])
def test_malformed_bodies_name_the_field(raw, field, reason):
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_webhook(raw)

    assert not isinstance(caught.value, whmcs.UnknownWebhookEvent)
    assert caught.value.field == field and reason in caught.value.reason


def test_an_unknown_event_is_its_own_error():
    with pytest.raises(whmcs.UnknownWebhookEvent) as caught:
        whmcs.transform_whmcs_webhook({**BASE, "event": "TicketOpen"})

    assert caught.value.event == "TicketOpen" and caught.value.field == "event"
    assert isinstance(caught.value, MappingError)


@pytest.mark.parametrize("raw, name", [
    (b'{"event": "InvoicePaid"}', "InvoicePaid"),
    (b'{"event": "' + b"x" * 100 + b'"}', "x" * 64),
    (b'{"event": 5}', ""),
    (b"nope", ""),
    (b"[]", ""),
])
def test_the_event_name_of_any_body_can_be_read_for_the_record(raw, name):
    assert whmcs.whmcs_webhook_event_name(raw) == name
