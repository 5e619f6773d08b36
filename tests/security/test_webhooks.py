"""The WHMCS webhook receiver under attack: forged, tampered, replayed, stale, oversized, the wrong
content type, missing headers. ``tests/portal/webhooks/test_receive.py`` holds the receiver's own
tests (each check with its edge cases); these are the attacks end to end, each asserting that
nothing was stored or processed, or processed exactly once.
"""
import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import URL, payload, signed, webhook_settings  # noqa: F401 - autouse settings

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status


def deliver(browser: Client, delivery, captured, **extra):
    """Post ``delivery``; what it queues runs at once, in-process (Celery is eager in the tests)."""
    with captured(execute=True):
        return delivery.post(browser, **extra)


def test_a_forged_signature_is_refused_and_nothing_is_stored(client, django_capture_on_commit_callbacks):
    attempts = [signed(secret="guessed-secret"), signed(secret=""), signed()]
    attempts[2].signature = "0" * 64

    for delivery in attempts:
        assert deliver(client, delivery, django_capture_on_commit_callbacks).status_code == 401

    assert WebhookEvent.objects.count() == 0


@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(signature=st.one_of(st.text(max_size=80), st.from_regex(r"[0-9a-f]{64}", fullmatch=True)),
       tamper=st.sampled_from(["signature", "body", "timestamp", "event-id-only"]))
def test_no_tampered_or_invented_delivery_is_accepted(client, signature, tamper):
    WebhookEvent.objects.all().delete()  # the examples share the test's transaction
    delivery = signed(payload("InvoicePaid", invoice_id=42))
    if tamper == "signature":
        delivery.signature = signature
    elif tamper == "body":
        delivery.body = delivery.body.replace(b"42", b"43")
    elif tamper == "timestamp":
        delivery.timestamp = str(int(delivery.timestamp) + 1)
    else:  # the header id is not signed: a new id over the same signed body is a different event
        delivery.event_id = "replayed-under-a-new-id-" + str(abs(hash(signature)))
    headers = {name: value.replace("\n", "").replace("\r", "") for name, value in delivery.headers().items()}

    response = client.post(URL, data=delivery.body, content_type="application/json", headers=headers)

    if tamper == "event-id-only":
        assert response.status_code == 400 and response.json()["status"] == "rejected"
        assert WebhookEvent.objects.exclude(status=Status.REJECTED).count() == 0
    else:
        assert response.status_code in (401, 400), response.content  # 400: a header Django itself refuses
        assert WebhookEvent.objects.count() == 0


def test_a_replayed_delivery_is_processed_once(client, customer_user, django_capture_on_commit_callbacks):
    delivery = signed(payload("InvoicePaid", invoice_id=42))

    answers = [deliver(client, delivery, django_capture_on_commit_callbacks).status_code for _ in range(3)]

    assert answers == [202, 200, 200]
    [event] = WebhookEvent.objects.all()
    assert event.status == Status.PROCESSED and event.attempts == 1


def test_a_captured_delivery_replayed_after_the_tolerance_is_refused(client, time_machine,
                                                                     django_capture_on_commit_callbacks, settings):
    time_machine.move_to("2026-11-26 10:00:00+00:00", tick=False)
    delivery = signed(payload("InvoicePaid"))
    time_machine.shift(settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS + 1)

    response = deliver(client, delivery, django_capture_on_commit_callbacks)

    assert response.status_code == 401
    assert "timestamp" in response.json()["error"]
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("missing", [("X-WHMCS-Signature",), ("X-WHMCS-Timestamp",), ("X-WHMCS-Event-Id",),
                                     ("X-WHMCS-Signature", "X-WHMCS-Timestamp", "X-WHMCS-Event-Id")])
def test_missing_headers_are_refused_and_nothing_is_stored(client, django_capture_on_commit_callbacks, missing):
    delivery = signed()
    delivery.extra_headers = dict.fromkeys(missing)

    response = deliver(client, delivery, django_capture_on_commit_callbacks)

    assert response.status_code == (400 if missing == ("X-WHMCS-Event-Id",) else 401)
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("content_type", [
    "text/plain",  # what a cross-site form may send without a preflight
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/jsonp",
    "",
])
def test_a_wrong_content_type_is_refused_even_when_signed(client, django_capture_on_commit_callbacks, content_type):
    delivery = signed()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic("POST", URL, delivery.body, content_type=content_type, headers=delivery.headers())

    assert response.status_code == 415
    assert response.json() == {"error": "Content-Type must be application/json"}
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
def test_json_with_or_without_a_charset_is_accepted(client, django_capture_on_commit_callbacks, content_type):
    delivery = signed()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic("POST", URL, delivery.body, content_type=content_type, headers=delivery.headers())

    assert response.status_code == 202


def test_an_oversized_body_is_refused_before_it_is_read(client, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 1024
    delivery = signed(payload("InvoicePaid", padding="x" * 5000))

    assert delivery.post(client).status_code == 413
    # a Content-Length that understates the body: only that much is read, and it is not what was signed
    assert delivery.post(client, CONTENT_LENGTH="100").status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_a_body_that_is_signed_but_not_an_event_is_stored_as_rejected_and_never_processed(
    client, django_capture_on_commit_callbacks
):
    raw = json.dumps({"event_id": "x" * 20, "event": "InvoicePaid", "client_id": "1001 OR 1=1"}).encode()
    delivery = signed(raw, event_id="x" * 20)

    response = deliver(client, delivery, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert list(WebhookEvent.objects.values_list("status", flat=True)) == [Status.REJECTED]


def test_the_receiver_answers_post_only_and_needs_no_session(client):
    assert client.get(URL).status_code == 405
    assert client.put(URL, b"{}", content_type="application/json").status_code == 405
    fresh = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token: the signature is the authentication
    assert signed().post(fresh).status_code == 202
