"""The durable-job mechanism itself (``portal.core.jobs``), seen through the webhook flow, its
simplest user. Each flow's own behaviour is tested with the flow (webhooks, provisioning, top-ups)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.jobs import JobFlow
from portal.webhooks.models import WebhookEvent
from portal.webhooks.services import WebhookFlow
from tests.portal.webhooks.conftest import make_event

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status


def test_a_claim_sets_a_lease_from_the_settings_and_counts_the_attempt(settings):
    settings.WEBHOOK_LEASE_SECONDS = 90
    event = make_event()
    before = timezone.now()

    claimed = WebhookFlow.claim(event.pk)

    assert claimed is not None and (claimed.status, claimed.attempts) == (Status.PROCESSING, 1)
    assert before + timedelta(seconds=90) <= claimed.lease_until <= timezone.now() + timedelta(seconds=90)
    assert claimed.last_attempt_at >= before
    assert WebhookFlow.claim(event.pk) is None, "held: nobody else claims it"


def test_a_run_whose_lease_was_taken_over_records_nothing():
    event = make_event()
    late = WebhookFlow(WebhookFlow.claim(event.pk))
    WebhookEvent.objects.filter(pk=event.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    taken_over = WebhookFlow.claim(event.pk)  # its lease ran out: another run took the event
    assert taken_over is not None and taken_over.attempts == 2

    assert late.finish(Status.FAILED, last_error="too late") is False

    event.refresh_from_db()
    assert (event.status, event.last_error, event.lease_until) == (Status.PROCESSING, "", taken_over.lease_until)


def test_a_held_event_is_left_alone_by_the_sweep_while_its_lease_runs(settings):
    settings.WEBHOOK_LEASE_SECONDS = 600
    event = make_event()
    WebhookFlow.claim(event.pk)
    WebhookEvent.objects.filter(pk=event.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    assert WebhookFlow.sweep() == 0

    event.refresh_from_db()
    assert event.status == Status.PROCESSING and event.lease_until > timezone.now()


def test_a_flow_without_its_settings_says_which_one_is_missing():
    class Unset(JobFlow):
        settings_prefix = "NO_SUCH_FLOW"

    with pytest.raises(AttributeError, match="NO_SUCH_FLOW_LEASE_SECONDS"):
        Unset.lease()
