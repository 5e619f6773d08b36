"""``python manage.py reprocess_webhooks``: queue failed (or other finished) webhook events again."""
from django.core.management.base import BaseCommand, CommandError

from portal.webhooks import selectors, services
from portal.webhooks.models import WebhookEvent


class Command(BaseCommand):
    help = (
        "Queue stored webhook events for processing again: by default every FAILED one. Events that "
        "are still waiting or being processed are never touched."
    )

    def add_arguments(self, parser):
        statuses = [status.value for status in WebhookEvent.REPROCESSABLE]
        parser.add_argument("--status", choices=statuses, default=None,
                            help="re-process events in this status (default: failed, unless --id/--event-id)")
        parser.add_argument("--id", dest="pks", type=int, action="append", default=[],
                            help="the event's row id (as in the admin); repeatable")
        parser.add_argument("--event-id", dest="event_ids", action="append", default=[],
                            help="the sender's event id (X-WHMCS-Event-Id); repeatable")
        parser.add_argument("--dry-run", action="store_true", help="list what would be queued, queue nothing")

    def handle(self, *args, status, pks, event_ids, dry_run, **options):
        if status is None and not (pks or event_ids):
            status = WebhookEvent.Status.FAILED
        events = list(selectors.events_to_reprocess(status=status, pks=pks, event_ids=event_ids))
        if (pks or event_ids) and not events:
            raise CommandError("no stored webhook event matches the given id(s)")
        eligible = [event for event in events if event.status in WebhookEvent.REPROCESSABLE]
        for event in events:
            note = "" if event in eligible else f"  (skipped: {event.status})"
            self.stdout.write(f"{event.pk}\t{event.event_id}\t{event.event_type}\t{event.status}{note}")
        if dry_run:
            self.stdout.write(f"Dry run: {len(eligible)} event(s) would be queued.")
            return
        queued = services.webhook_reprocess(events=eligible)
        self.stdout.write(self.style.SUCCESS(f"Queued {queued} event(s) for processing."))
