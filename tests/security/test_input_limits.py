"""Bounded input (issue 15, finding 5): deeply nested JSON used to be a 500 with a traceback in the
log (a ``RecursionError`` in DRF's parser and in the webhook mapper); bodies had no size limit
outside the webhook. Now: every body has a size limit (413), JSON has a depth limit, and every
parser failure is a 400 in the one error shape of its endpoint.
"""
from __future__ import annotations

import json
import logging
import uuid

import pytest

from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import payload, signed, webhook_settings  # noqa: F401 - autouse settings

pytestmark = pytest.mark.django_db

DEEP = b"[" * 10_000 + b"]" * 10_000  # ten times Python's recursion limit, under every body size limit
TOPUP = "/api/v1/sims/8981100000000000001/top-up"


def no_traceback(caplog) -> bool:
    return not any(record.exc_info for record in caplog.records) and "Traceback" not in caplog.text


@pytest.mark.parametrize("body", [
    DEEP,
    b'{"quota_mb": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}",  # just past JSON_MAX_DEPTH
    b'{"quota_mb": 1024, "request_id": ',  # cut short
    b"\xff\xfe not utf-8",
    b'{"quota_mb": NaN}',
], ids=["recursion", "too-deep", "truncated", "not-utf8", "nan"])
def test_bad_json_to_the_api_is_a_400_in_the_api_error_shape(customer_client, caplog, body):
    caplog.set_level(logging.INFO)

    response = customer_client.post(TOPUP, body, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert set(response.json()) == {"message", "extra"}
    assert no_traceback(caplog)


def test_json_nested_within_the_limit_still_reaches_the_view(customer_client, settings):
    settings.JSON_MAX_DEPTH = 3
    body = json.dumps({"quota_mb": [[1]], "request_id": str(uuid.uuid4())}).encode()

    response = customer_client.post(TOPUP, body, content_type="application/json")

    assert response.status_code == 400
    assert "quota_mb" in response.json()["extra"]["fields"]  # the serializer's answer, not the parser's


def test_a_deeply_nested_signed_webhook_is_rejected_not_a_500(client, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO)
    delivery = signed(b'{"event_id": "deep-event-0001", "event": ' + DEEP + b"}", event_id="deep-event-0001")

    with django_capture_on_commit_callbacks(execute=True):
        response = delivery.post(client)

    assert response.status_code == 400
    assert response.json()["status"] == "rejected"
    [event] = WebhookEvent.objects.all()
    assert event.status == WebhookEvent.Status.REJECTED and "nested deeper" in event.last_error
    assert no_traceback(caplog)


@pytest.mark.parametrize("path", ["/login/", "/password-reset/", "/account/password/"])
def test_an_oversized_form_post_to_a_page_is_refused(customer_client, settings, path):
    body = {"username": "alice@example.com", "password": "x", "padding": "x" * (settings.REQUEST_MAX_BODY_BYTES + 1)}

    response = customer_client.post(path, body)

    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_an_oversized_upload_to_a_page_is_refused_before_it_is_read(customer_client, settings, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (settings.REQUEST_MAX_BODY_BYTES + 1))

    with big.open("rb") as upload:
        response = customer_client.post("/account/password/", {"old_password": "x", "file": upload})

    assert response.status_code == 413


def test_an_oversized_api_body_is_refused_in_the_api_error_shape(customer_client, settings):
    body = json.dumps({"quota_mb": 1024, "padding": "x" * settings.REQUEST_MAX_BODY_BYTES}).encode()

    response = customer_client.post(TOPUP, body, content_type="application/json")

    assert response.status_code == 413
    assert set(response.json()) == {"message", "extra"}


def test_too_many_form_fields_are_a_400(customer_client, settings):
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = customer_client.post("/account/password/", fields)

    assert response.status_code == 400


def test_the_webhook_keeps_its_own_smaller_body_limit(client, settings):
    assert settings.WEBHOOK_MAX_BODY_BYTES < settings.REQUEST_MAX_BODY_BYTES
    delivery = signed(payload("InvoicePaid", padding="x" * settings.WEBHOOK_MAX_BODY_BYTES))

    assert delivery.post(client).status_code == 413
    assert WebhookEvent.objects.count() == 0
