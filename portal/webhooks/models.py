from django.db import models
from django.utils import timezone

from portal.core.jobs import DurableJob


class WebhookEvent(DurableJob):
    """One signed webhook delivery, stored as received, and what processing made of it (a durable
    job: ``portal.webhooks.services.WebhookFlow``)."""

    class Provider(models.TextChoices):
        WHMCS = "whmcs", "WHMCS"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received (queued)"
        PROCESSING = "processing", "Processing"
        RETRYING = "retrying", "Retrying (last attempt failed)"
        PROCESSED = "processed", "Processed"
        NO_CUSTOMER = "no_customer", "No portal customer"
        FAILED = "failed", "Failed (attempts exhausted)"
        REJECTED = "rejected", "Rejected (malformed)"
        IGNORED = "ignored", "Ignored (unknown type)"

    CLAIMABLE = (Status.RECEIVED, Status.RETRYING)
    """Processing may start only from these (or from PROCESSING once its lease ran out); claiming
    moves the event to PROCESSING."""
    REPROCESSABLE = (Status.PROCESSED, Status.NO_CUSTOMER, Status.FAILED, Status.REJECTED, Status.IGNORED)

    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.WHMCS)
    event_id = models.CharField("event id", max_length=100, help_text="The sender's id: unique per provider.")
    event_type = models.CharField("type", max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    headers = models.JSONField("raw headers", default=dict, blank=True)
    body = models.BinaryField("raw body")
    remote_addr = models.GenericIPAddressField("remote address", null=True, blank=True)
    client_id = models.PositiveIntegerField("WHMCS client id", null=True, blank=True, db_index=True)
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="When the sender says it happened.")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When a worker's dispatcher handed it to Celery (empty: stored, not handed over yet).")
    last_error = models.TextField(blank=True)
    outcome = models.TextField(blank=True, help_text="What processing did (or why it did nothing).")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhooks_event_unique_per_provider"),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="webhooks_status_updated")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.event_type or '?'} {self.event_id}"
