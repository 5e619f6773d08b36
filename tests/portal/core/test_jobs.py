"""The durable-job mechanism itself (``portal.core.jobs``), seen through the webhook flow, its
simplest user. Each flow's own behaviour is tested with the flow (webhooks, provisioning, top-ups)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.jobs import JobFlow, JobWait
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


# -- a wait the provider asks for is not an attempt -------------------------------------------------------


class LineLockedFlow(WebhookFlow):
    """The webhook flow whose one step meets a provider that asks to be asked again later."""

    steps = ("ask",)

    def ask(self) -> None:
        raise JobWait("the line is locked")


def test_a_wait_does_not_count_the_attempt_and_queues_the_next_after_the_wait(settings, task_queue,
                                                                              django_capture_on_commit_callbacks):
    settings.JOB_WAIT_SECONDS = 300
    event = make_event()
    before = timezone.now()

    for _ in range(settings.WEBHOOK_MAX_ATTEMPTS + 2):  # more waits than it has attempts: none is spent
        with django_capture_on_commit_callbacks(execute=True):
            assert LineLockedFlow.run(event.pk) == Status.RETRYING

    event.refresh_from_db()
    assert (event.attempts, event.lease_until, event.last_error) == (0, None, "waiting: the line is locked")
    assert before <= event.waiting_since <= timezone.now()
    etas = task_queue.etas()
    assert len(etas) == settings.WEBHOOK_MAX_ATTEMPTS + 2
    assert all(before + timedelta(seconds=299) <= eta <= timezone.now() + timedelta(seconds=301) for eta in etas)


def test_past_the_longest_wait_it_is_a_failure_like_any_other(settings, task_queue):
    settings.JOB_MAX_WAIT_SECONDS = 3600
    event = make_event()
    LineLockedFlow.run(event.pk)
    WebhookEvent.objects.filter(pk=event.pk).update(waiting_since=timezone.now() - timedelta(seconds=3601))

    with pytest.raises(WebhookFlow.retry_error):
        LineLockedFlow.run(event.pk)

    event.refresh_from_db()
    assert event.attempts == 1 and event.last_error == "JobWait: the line is locked"
    for _ in range(2, settings.WEBHOOK_MAX_ATTEMPTS):  # a lock that never ends: every attempt counts now
        with pytest.raises(WebhookFlow.retry_error):
            LineLockedFlow.run(event.pk)
    assert LineLockedFlow.run(event.pk) == Status.FAILED
    event.refresh_from_db()
    assert event.attempts == settings.WEBHOOK_MAX_ATTEMPTS


def test_the_sweep_leaves_a_waiting_row_to_its_queued_run_until_the_wait_is_over(settings, task_queue):
    settings.JOB_WAIT_SECONDS = 300
    settings.WEBHOOK_SWEEP_AFTER_SECONDS = 60
    event = make_event()
    LineLockedFlow.run(event.pk)

    WebhookEvent.objects.filter(pk=event.pk).update(updated_at=timezone.now() - timedelta(seconds=300))
    assert WebhookFlow.sweep() == 0, "its run is queued for the end of the wait"
    WebhookEvent.objects.filter(pk=event.pk).update(updated_at=timezone.now() - timedelta(seconds=361))
    assert WebhookFlow.sweep() == 1, "the queued run was lost: the sweep queues it again"


class BrokenFlow(WebhookFlow):
    steps = ("ask",)

    def ask(self) -> None:
        raise RuntimeError("the provider answered 500")


def test_a_failure_after_waiting_is_counted_and_ends_the_run_of_waits(task_queue):
    event = make_event()
    LineLockedFlow.run(event.pk)

    with pytest.raises(WebhookFlow.retry_error):
        BrokenFlow.run(event.pk)

    event.refresh_from_db()
    assert (event.attempts, event.waiting_since) == (1, None)
    LineLockedFlow.run(event.pk)
    event.refresh_from_db()
    assert event.waiting_since > timezone.now() - timedelta(seconds=5), "a new run of waits starts now"
