"""Reads of provisioning jobs."""
from __future__ import annotations

from django.db.models import QuerySet

from portal.provisioning.models import ProvisioningJob

State = ProvisioningJob.State


def job_for_key_or_event(key: str, event_id: str | None) -> ProvisioningJob | None:
    """The job recorded under this idempotency key, or else for this Platform Event."""
    job = ProvisioningJob.objects.filter(idempotency_key=key).first()
    if job is None and event_id:
        job = ProvisioningJob.objects.filter(salesforce_event_id=event_id).first()
    return job


def jobs_for_order(order_id: str) -> QuerySet[ProvisioningJob]:
    """The jobs of one Salesforce order (18-character id), newest first."""
    return ProvisioningJob.objects.filter(salesforce_order_id=order_id).order_by("-created_at", "-id")
