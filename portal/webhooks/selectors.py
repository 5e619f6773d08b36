"""Reads of stored webhook events."""
from django.db.models import Q, QuerySet
from django.db.models.functions import Least

from portal.webhooks.models import WebhookEvent

Status = WebhookEvent.Status


def newer_profile_edit_applied(event: WebhookEvent) -> bool:
    """Whether a ClientEdit for the same client that happened after ``event`` was already applied.

    "Happened" as far as the portal can trust it: the sender's ``occurred_at``, but never later than
    when the portal received the event (its own clock). A future ``occurred_at`` is refused on
    receipt; events stored before that check cannot hold back later edits either.
    """
    if event.occurred_at is None or event.client_id is None:
        return False
    happened = min(event.occurred_at, event.received_at)
    return WebhookEvent.objects.filter(
        provider=event.provider, client_id=event.client_id, event_type=event.event_type,
        status=Status.PROCESSED, occurred_at__isnull=False,
    ).exclude(pk=event.pk).annotate(happened=Least("occurred_at", "received_at")).filter(
        happened__gt=happened,
    ).exists()


def events_to_reprocess(*, status: str | None = None, pks: list[int] | None = None,
                        event_ids: list[str] | None = None) -> QuerySet[WebhookEvent]:
    """For ``reprocess_webhooks``: by status, and/or exactly the given rows (pk or sender's event id)."""
    events = WebhookEvent.objects.all()
    if pks or event_ids:
        events = events.filter(Q(pk__in=pks or []) | Q(event_id__in=event_ids or []))
    if status:
        events = events.filter(status=status)
    return events.order_by("received_at", "id")
