"""Reads of stored webhook events."""
from datetime import datetime

from django.db.models import Q, QuerySet

from portal.webhooks.models import WebhookEvent

SWEEP_BATCH = 200
Status = WebhookEvent.Status


def waiting_events(*, received_before: datetime, retrying_before: datetime) -> QuerySet[WebhookEvent]:
    """Events queued (RECEIVED) or between attempts (RETRYING) that have not moved for a while."""
    return WebhookEvent.objects.filter(
        Q(status=Status.RECEIVED, updated_at__lt=received_before)
        | Q(status=Status.RETRYING, updated_at__lt=retrying_before)
    ).order_by("updated_at")[:SWEEP_BATCH]


def stale_processing_events(*, older_than: datetime) -> QuerySet[WebhookEvent]:
    """Events claimed (PROCESSING) longer ago than any task may run: their worker is gone."""
    return WebhookEvent.objects.filter(status=Status.PROCESSING, updated_at__lt=older_than).order_by("updated_at")[
        :SWEEP_BATCH
    ]


def newer_profile_edit_applied(event: WebhookEvent) -> bool:
    """Whether a ClientEdit for the same client that happened after ``event`` was already applied."""
    if event.occurred_at is None or event.client_id is None:
        return False
    return WebhookEvent.objects.filter(
        provider=event.provider, client_id=event.client_id, event_type=event.event_type,
        status=Status.PROCESSED, occurred_at__gt=event.occurred_at,
    ).exclude(pk=event.pk).exists()


def events_to_reprocess(*, status: str | None = None, pks: list[int] | None = None,
                        event_ids: list[str] | None = None) -> QuerySet[WebhookEvent]:
    """For ``reprocess_webhooks``: by status, and/or exactly the given rows (pk or sender's event id)."""
    events = WebhookEvent.objects.all()
    if pks or event_ids:
        events = events.filter(Q(pk__in=pks or []) | Q(event_id__in=event_ids or []))
    if status:
        events = events.filter(status=status)
    return events.order_by("received_at", "id")
