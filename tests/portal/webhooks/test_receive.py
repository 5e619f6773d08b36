"""POST /webhooks/whmcs/: signature, timestamp, size limit, storing, duplicates, bad bodies."""
import json
import logging
import time

import pytest
from django.test import Client

from portal.webhooks import outbox, views
from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import (
    PREVIOUS_SECRET,
    SECRET,
    URL,
    payload,
    signed,
    stored,
)

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status


@pytest.fixture
def queued(task_queue):
    """Events are queued on a real broker, not processed; this reads which ones were."""
    return lambda: task_queue.first_args("portal.webhooks.process_webhook_event")


# -- a good delivery -------------------------------------------------------------------------------


def test_a_signed_event_is_stored_as_received_and_a_worker_not_the_request_queues_it(
    client, django_capture_on_commit_callbacks, queued
):
    body = payload("InvoicePaid", invoice_id=42)
    delivery = signed(body)

    with django_capture_on_commit_callbacks() as callbacks:
        response = delivery.post(client, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "event_id": body["event_id"]}
    [event] = stored()
    assert (event.provider, event.event_id, event.event_type, event.status) == (
        "whmcs", body["event_id"], "InvoicePaid", Status.RECEIVED)
    assert bytes(event.body) == delivery.body  # byte for byte
    assert event.headers["X-Whmcs-Signature"] == delivery.signature
    assert event.headers["X-Whmcs-Event-Id"] == body["event_id"]
    assert event.client_id == 1001 and event.remote_addr == "203.0.113.9"
    assert event.received_at is not None and event.attempts == 0 and event.last_error == ""
    assert callbacks == [] and queued() == [] and event.queued_at is None  # the request sent nothing
    assert outbox.dispatch() == 1  # what a worker's dispatcher does
    assert queued() == [event.pk]
    assert outbox.dispatch() == 0 and queued() == [event.pk]  # handed over once
    event.refresh_from_db()
    assert event.queued_at is not None and event.status == Status.RECEIVED


def test_the_stored_headers_leave_out_cookies_and_credentials(client, django_capture_on_commit_callbacks,
                                                              queued):
    delivery = signed()
    delivery.extra_headers = {"Authorization": "Bearer nope", "X-Trace": "t-1"}
    client.cookies["sessionid"] = "abc"

    with django_capture_on_commit_callbacks():
        assert delivery.post(client).status_code == 202

    headers = {name.lower() for name in stored()[0].headers}
    assert "x-trace" in headers
    assert not headers & {"cookie", "authorization"}


def test_the_receiver_needs_no_csrf_token_no_session_and_is_outside_atomic_requests(queued):
    strict = Client(enforce_csrf_checks=True)

    assert signed().post(strict).status_code == 202
    assert views.whmcs_webhook.csrf_exempt is True
    assert views.whmcs_webhook.login_required is False
    assert "default" in views.whmcs_webhook._non_atomic_requests


def test_only_post_is_answered(client):
    assert client.get(URL).status_code == 405
    assert client.put(URL).status_code == 405


# -- signatures ------------------------------------------------------------------------------------


def assert_refused(response, caplog, *, reason: str):
    assert response.status_code == 401
    assert reason in response.json()["error"]
    assert WebhookEvent.objects.count() == 0
    assert any("refused a WHMCS webhook from 198.51.100.7" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("missing", ["X-WHMCS-Signature", "X-WHMCS-Timestamp"])
def test_a_missing_signature_header_is_refused_and_nothing_is_stored(client, caplog, queued, missing):
    delivery = signed()
    delivery.extra_headers = {missing: None}

    response = delivery.post(client, REMOTE_ADDR="198.51.100.7")

    assert_refused(response, caplog, reason="missing")
    assert queued() == []


def test_a_signature_made_with_another_secret_is_refused(client, caplog, queued):
    response = signed(secret="not-the-secret").post(client, REMOTE_ADDR="198.51.100.7")

    assert_refused(response, caplog, reason="signature does not match")
    assert queued() == []


@pytest.mark.parametrize("forgery", ["garbage", "", "0" * 64, "A" * 63])
def test_a_malformed_signature_is_refused(client, caplog, forgery):
    delivery = signed()
    delivery.signature = forgery

    response = delivery.post(client, REMOTE_ADDR="198.51.100.7")

    assert_refused(response, caplog, reason="missing" if not forgery else "signature does not match")


def test_an_upper_case_hex_signature_is_accepted(client, queued):
    delivery = signed()
    delivery.signature = delivery.signature.upper()

    assert delivery.post(client).status_code == 202


@pytest.mark.parametrize("skew", [-310, 310, -3600])  # clear of the 300 s edge on a slow machine
def test_a_timestamp_outside_the_tolerance_is_refused_even_with_a_good_signature(client, caplog, skew):
    response = signed(timestamp=int(time.time()) + skew).post(client, REMOTE_ADDR="198.51.100.7")

    assert_refused(response, caplog, reason="timestamp")


@pytest.mark.parametrize("stamp", ["yesterday", "1.5e9", "-5", "99999999999999"])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(client, caplog, stamp):
    assert_refused(signed(timestamp=stamp).post(client, REMOTE_ADDR="198.51.100.7"), caplog, reason="timestamp")


def test_the_tolerance_is_configurable(client, settings, queued):
    settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS = 30

    assert signed(timestamp=int(time.time()) - 60).post(client).status_code == 401
    assert signed(timestamp=int(time.time()) - 20).post(client).status_code == 202


def test_a_timestamp_changed_after_signing_is_refused(client, caplog):
    delivery = signed()
    delivery.timestamp = str(int(delivery.timestamp) - 1)  # still fresh, but not what was signed

    assert_refused(delivery.post(client, REMOTE_ADDR="198.51.100.7"), caplog, reason="signature does not match")


def test_a_body_re_encoded_by_a_proxy_is_refused(client, caplog):
    """Same JSON, other bytes (key order, spacing, escaping): the signature is over the raw bytes."""
    original = payload("ClientEdit", firstname="Zoë", lastname="O'Brien")
    delivery = signed(json.dumps(original, ensure_ascii=False).encode())
    delivery.body = json.dumps(json.loads(delivery.body), indent=1, sort_keys=True).encode()

    assert_refused(delivery.post(client, REMOTE_ADDR="198.51.100.7"), caplog, reason="signature does not match")


def test_a_body_changed_after_signing_is_refused(client, caplog):
    delivery = signed(payload("InvoicePaid", invoice_id=42))
    delivery.body = delivery.body.replace(b"42", b"43")

    assert_refused(delivery.post(client, REMOTE_ADDR="198.51.100.7"), caplog, reason="signature does not match")


def test_without_a_configured_secret_every_webhook_is_refused(client, settings, caplog):
    settings.WHMCS_WEBHOOK_SECRET = ""
    settings.WHMCS_API_URL = "https://billing.example.com/includes/api.php"  # a real WHMCS: no demo secret

    with caplog.at_level(logging.ERROR):
        response = signed(secret="").post(client, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 401
    assert "WHMCS_WEBHOOK_SECRET is not set" in caplog.text


# -- secret rotation ---------------------------------------------------------------------------------


def test_during_a_rotation_both_the_current_and_the_previous_secret_are_accepted(client, settings, caplog,
                                                                                 queued):
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = PREVIOUS_SECRET

    with caplog.at_level(logging.INFO, logger="portal.webhooks.services"):
        old = signed(secret=PREVIOUS_SECRET).post(client)
        new = signed(secret=SECRET).post(client)
        other = signed(secret="a-third-secret").post(client)

    assert (old.status_code, new.status_code, other.status_code) == (202, 202, 401)
    assert WebhookEvent.objects.count() == 2
    assert "signed with the previous secret" in caplog.text


def test_once_the_previous_secret_is_removed_it_is_refused(client, settings):
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = ""

    assert signed(secret=PREVIOUS_SECRET).post(client).status_code == 401


# -- size limit ------------------------------------------------------------------------------------


def test_a_body_over_the_size_limit_is_refused_before_anything_else(client, settings, caplog):
    settings.WEBHOOK_MAX_BODY_BYTES = 1024
    body = payload("InvoicePaid", padding="x" * 2000)

    response = signed(body).post(client, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 413
    assert WebhookEvent.objects.count() == 0
    assert "body larger than 1024 bytes" in caplog.text


def test_a_body_exactly_at_the_size_limit_is_accepted(client, settings, queued):
    body = payload("InvoicePaid")
    raw = json.dumps(body).encode()
    raw = raw[:-1] + b', "padding": "' + b"x" * 100 + b'"}'
    settings.WEBHOOK_MAX_BODY_BYTES = len(raw)

    assert signed(raw, event_id=body["event_id"]).post(client).status_code == 202
    settings.WEBHOOK_MAX_BODY_BYTES = len(raw) - 1
    assert signed(raw, event_id=body["event_id"]).post(client).status_code == 413


# -- duplicates ------------------------------------------------------------------------------------


def test_a_duplicate_event_id_answers_200_and_is_stored_and_queued_once(client, queued):
    body = payload("InvoicePaid")

    first = signed(body).post(client)
    again = signed(body).post(client)  # the sender tried again: new timestamp, same event
    third = signed(body).post(client)
    outbox.dispatch()

    assert (first.status_code, again.status_code, third.status_code) == (202, 200, 200)
    assert again.json() == {"status": "duplicate", "event_id": body["event_id"]}
    assert WebhookEvent.objects.count() == 1
    assert queued() == [stored()[0].pk]


def test_a_duplicate_with_another_body_keeps_the_first_and_says_so(client, caplog, queued):
    first = payload("InvoicePaid", invoice_id=1)
    second = {**first, "invoice_id": 2}

    assert signed(first).post(client).status_code == 202
    assert signed(second).post(client).status_code == 200

    [event] = stored()
    assert json.loads(bytes(event.body))["invoice_id"] == 1
    assert "different body" in caplog.text


# -- bodies that are not a valid event -------------------------------------------------------------


@pytest.mark.parametrize("raw, reason", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"event": 5}', "field 'event'"),
])
def test_a_malformed_body_with_a_good_signature_is_stored_as_rejected_and_answered_400(
    client, django_capture_on_commit_callbacks, queued, raw, reason
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed(raw, event_id="malformed-0001").post(client)

    assert response.status_code == 400
    assert response.json()["status"] == "rejected" and reason in response.json()["reason"]
    [event] = stored()
    assert (event.event_id, event.status) == ("malformed-0001", Status.REJECTED)
    assert reason in event.last_error and bytes(event.body) == raw
    assert queued() == []


@pytest.mark.parametrize("change, field", [
    ({"invoice_id": None}, "invoice_id"),
    ({"client_id": "abc"}, "client_id"),
    ({"occurred_at": "2026-01-01 10:00:00"}, "occurred_at"),
])
def test_a_known_event_missing_what_it_needs_is_rejected_with_the_field_named(client, queued, change, field):
    body = {**payload("InvoicePaid"), **change}

    response = signed(body).post(client)

    assert response.status_code == 400
    [event] = stored()
    assert event.status == Status.REJECTED and event.event_type == "InvoicePaid"
    assert f"field '{field}'" in event.last_error


def test_a_body_whose_event_id_differs_from_the_header_is_rejected(client, queued):
    body = payload("InvoicePaid")

    response = signed(body, event_id="a-different-event-id").post(client)

    assert response.status_code == 400
    [event] = stored()
    assert event.event_id == "a-different-event-id" and event.status == Status.REJECTED
    assert "does not match" in event.last_error
    assert queued() == []


def test_an_unknown_event_type_is_stored_as_ignored_and_answered_200(client, queued):
    body = payload("TicketOpen", ticket_id=5)

    response = signed(body).post(client)

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    [event] = stored()
    assert (event.event_type, event.status) == ("TicketOpen", Status.IGNORED)
    assert "unknown event type 'TicketOpen'" in event.outcome
    assert queued() == []


@pytest.mark.parametrize("event_id", [None, "", "short", "has spaces in it", "x" * 101])
def test_a_signed_delivery_without_a_usable_event_id_is_answered_400_and_not_stored(client, event_id):
    delivery = signed()
    delivery.event_id = event_id

    response = delivery.post(client)

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_a_remote_address_that_is_not_an_ip_is_stored_as_unknown(client, queued):
    assert signed().post(client, REMOTE_ADDR="unix:/run/gunicorn.sock").status_code == 202

    assert stored()[0].remote_addr is None
