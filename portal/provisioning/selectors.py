"""Reads of provisioning jobs."""
from __future__ import annotations

from portal.provisioning.models import ProvisioningJob

State = ProvisioningJob.State


def job_for_key_or_event(key: str, event_id: str | None) -> ProvisioningJob | None:
    """The job recorded under this idempotency key, or else for this Platform Event."""
    job = ProvisioningJob.objects.filter(idempotency_key=key).first()
    if job is None and event_id:
        job = ProvisioningJob.objects.filter(salesforce_event_id=event_id).first()
    return job
