"""Webhook events in the Django admin: list, filter, search, raw body, re-process."""
import json

import pytest

from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import make_event

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status
CHANGELIST = "/admin/webhooks/webhookevent/"


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_list_filters_by_status_and_type_and_searches_by_event_id(admin_client):
    paid = make_event("InvoicePaid", status=Status.FAILED)
    edit = make_event("ClientEdit", status=Status.PROCESSED)

    failed = admin_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    edits = admin_client.get(CHANGELIST, {"event_type": "ClientEdit"}).content.decode()
    found = admin_client.get(CHANGELIST, {"q": paid.event_id}).content.decode()

    assert paid.event_id in failed and edit.event_id not in failed
    assert edit.event_id in edits and paid.event_id not in edits
    assert paid.event_id in found and edit.event_id not in found


def test_the_detail_page_shows_the_raw_body_pretty_printed_and_read_only(admin_client):
    event = make_event("InvoicePaid", invoice_id=31337)

    page = admin_client.get(f"{CHANGELIST}{event.pk}/change/").content.decode()

    assert "&quot;invoice_id&quot;: 31337" in page
    assert f"{len(bytes(event.body))} bytes as received" in page
    assert '<input type="text" name="event_id"' not in page  # nothing editable


def test_a_body_that_is_not_json_is_shown_as_received(admin_client):
    event = make_event(status=Status.REJECTED)
    event.body = b"<html>not json</html>"
    event.save(update_fields=["body"])

    page = admin_client.get(f"{CHANGELIST}{event.pk}/change/").content.decode()

    assert "&lt;html&gt;not json&lt;/html&gt;" in page


def test_events_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_reprocess_selected_events_queues_them_again_and_they_are_processed(
    admin_client, customer_user, django_capture_on_commit_callbacks
):
    failed = make_event("InvoicePaid", status=Status.FAILED)
    WebhookEvent.objects.filter(pk=failed.pk).update(attempts=6, last_error="ConnectionError: boom")
    in_flight = make_event("InvoicePaid", status=Status.PROCESSING)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(CHANGELIST, {
            "action": "reprocess", "_selected_action": [failed.pk, in_flight.pk],
        }, follow=True)

    page = response.content.decode()
    assert "Queued 1 event(s) for processing." in page
    assert "1 event(s) still waiting or in progress were left alone." in page
    failed.refresh_from_db()
    in_flight.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.PROCESSED, 1, "")
    assert in_flight.status == Status.PROCESSING


def test_reprocessing_an_ignored_event_maps_it_again(admin_client, django_capture_on_commit_callbacks):
    event = make_event("TicketOpen", status=Status.IGNORED)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(CHANGELIST, {"action": "reprocess", "_selected_action": [event.pk]})

    event.refresh_from_db()
    assert event.status == Status.IGNORED and "unknown event type" in event.outcome
    assert json.loads(bytes(event.body))["event"] == "TicketOpen"
