"""``manage.py reprocess_webhooks``: failed events by default, or chosen ones; --dry-run."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import make_event

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status


def run(*args) -> str:
    out = StringIO()
    call_command("reprocess_webhooks", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def events(customer_user):
    return {
        "failed": make_event("InvoicePaid", status=Status.FAILED),
        "failed_too": make_event("AfterModuleCreate", status=Status.FAILED),
        "processed": make_event("InvoicePaid", status=Status.PROCESSED),
        "retrying": make_event("InvoicePaid", status=Status.RETRYING),
    }


def status_of(event) -> str:
    event.refresh_from_db()
    return event.status


def test_by_default_every_failed_event_is_processed_again(events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run()

    assert "Queued 2 event(s)" in output
    assert status_of(events["failed"]) == status_of(events["failed_too"]) == Status.PROCESSED
    assert events["processed"].attempts == 0  # untouched
    assert status_of(events["retrying"]) == Status.RETRYING


def test_dry_run_lists_and_queues_nothing(events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = run("--dry-run")

    assert events["failed"].event_id in output and events["processed"].event_id not in output
    assert "2 event(s) would be queued" in output
    assert callbacks == []
    assert status_of(events["failed"]) == Status.FAILED


def test_chosen_events_by_row_id_or_event_id(events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--id", str(events["processed"].pk), "--event-id", events["retrying"].event_id)

    assert "Queued 1 event(s)" in output
    assert "skipped: retrying" in output
    assert status_of(events["processed"]) == Status.PROCESSED
    events["processed"].refresh_from_db()
    assert events["processed"].attempts == 1  # processed again


def test_another_status_can_be_chosen(events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--status", "processed")

    assert "Queued 1 event(s)" in output
    assert status_of(events["failed"]) == Status.FAILED


def test_an_unknown_id_is_an_error(events):
    with pytest.raises(CommandError, match="no stored webhook event"):
        run("--id", "999999")
