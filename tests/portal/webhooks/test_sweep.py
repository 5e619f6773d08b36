"""The beat-driven sweep: events nobody is working on are queued again."""
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from portal.webhooks import services, tasks
from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import make_event

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status


@pytest.fixture
def queued(task_queue):
    """The events handed to the processing task, read back from the broker."""
    return lambda: task_queue.first_args("portal.webhooks.process_webhook_event")


def aged(event: WebhookEvent, seconds: int) -> WebhookEvent:
    WebhookEvent.objects.filter(pk=event.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))
    return event


def test_events_left_waiting_are_queued_again_and_recent_ones_are_not(queued, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.WEBHOOK_SWEEP_AFTER_SECONDS = 300
    settings.WEBHOOK_RETRY_BACKOFF_MAX_SECONDS = 600
    lost = aged(make_event(status=Status.RECEIVED), 301)
    fresh = aged(make_event(status=Status.RECEIVED), 30)
    retry_lost = aged(make_event(status=Status.RETRYING), 901)
    retry_pending = aged(make_event(status=Status.RETRYING), 600)  # its retry may still be on its way
    done = aged(make_event(status=Status.PROCESSED), 10_000)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_webhook_events.apply().get() == 2

    assert sorted(queued()) == sorted([lost.pk, retry_lost.pk])
    assert fresh.pk not in queued() and retry_pending.pk not in queued() and done.pk not in queued()


def test_a_swept_event_is_not_queued_again_by_the_next_sweep(queued, django_capture_on_commit_callbacks):
    lost = aged(make_event(status=Status.RECEIVED), 3600)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_sweep()
        services.webhook_sweep()

    assert queued() == [lost.pk]


def test_an_event_held_by_a_dead_worker_is_released_and_queued(queued, settings,
                                                               django_capture_on_commit_callbacks):
    stuck = aged(make_event(status=Status.PROCESSING), settings.CELERY_TASK_TIME_LIMIT + 400)
    WebhookEvent.objects.filter(pk=stuck.pk).update(attempts=1)
    working = aged(make_event(status=Status.PROCESSING), 10)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_sweep()

    stuck.refresh_from_db()
    working.refresh_from_db()
    assert stuck.status == Status.RETRYING and "stopped before finishing" in stuck.last_error
    assert queued() == [stuck.pk]
    assert working.status == Status.PROCESSING


def test_a_dead_workers_event_on_its_last_attempt_is_failed(queued, settings, django_capture_on_commit_callbacks):
    stuck = aged(make_event(status=Status.PROCESSING), settings.CELERY_TASK_TIME_LIMIT + 400)
    WebhookEvent.objects.filter(pk=stuck.pk).update(attempts=settings.WEBHOOK_MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_sweep()

    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED and queued() == []


def test_a_swept_event_is_then_processed(customer_user, django_capture_on_commit_callbacks):
    lost = aged(make_event(status=Status.RECEIVED), 3600)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_sweep()

    lost.refresh_from_db()
    assert lost.status == Status.PROCESSED


def test_beat_runs_the_sweep():
    entry = django_settings.CELERY_BEAT_SCHEDULE["webhooks-sweep"]
    assert entry["task"] == tasks.sweep_webhook_events.name
    assert 0 < entry["schedule"] <= 600
