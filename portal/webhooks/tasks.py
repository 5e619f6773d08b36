"""Celery tasks of the webhooks: thin, each calls one service."""
from celery import shared_task
from django.conf import settings

from portal.webhooks import services


@shared_task(
    name="portal.webhooks.process_webhook_event",
    autoretry_for=(services.WebhookProcessingError,),
    retry_backoff=settings.WEBHOOK_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=settings.WEBHOOK_RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    # The event's own attempt count decides when it has failed (services.webhook_process); this
    # only keeps Celery from retrying longer than that.
    max_retries=settings.WEBHOOK_MAX_ATTEMPTS - 1,
)
def process_webhook_event(event_pk: int) -> str | None:
    return services.webhook_process(event_pk=event_pk)


@shared_task(name="portal.webhooks.sweep_webhook_events")
def sweep_webhook_events() -> int:
    return services.webhook_sweep()
