"""Provisioning jobs: record one per approved order (exactly once), run it, retry it, sweep it.

``provisioning_request`` is what the Platform Event subscriber calls for each
``OrderProvisionRequested__e``, inside the transaction that also moves its replay cursor
(docs/decisions.md §4): the job row and the cursor commit together, and the job is queued only once that
transaction has committed. The work itself is ``orchestrator.provisioning_run``, run by the Celery
task ``portal.provisioning.run_job``.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, checked_id
from portal.provisioning import selectors
from portal.provisioning.errors import InvalidProvisioningRequest, ProvisioningFailed, ProvisioningRetry
from portal.provisioning.models import ProvisioningJob
from portal.provisioning.orchestrator import ProvisioningFlow, provisioning_run

logger = logging.getLogger(__name__)
Job = ProvisioningJob
State = ProvisioningJob.State
MAX_KEY_LENGTH = 255


def provisioning_request(*, order_id: str, idempotency_key: str, event_id: str | None = None
                         ) -> tuple[ProvisioningJob, bool]:
    """Record the provisioning job of one approved order and queue it once the caller's
    transaction commits. Answers ``(job, created)``.

    ``idempotency_key`` is the event's key (empty: the order id stands in); ``event_id`` the
    Platform Event's ``id``. A key or an event id already recorded is a duplicate: the existing job
    is answered with ``created`` False and nothing new is queued, except when that job **failed**
    and this is a new event for it (the order was approved again in Salesforce): then the job is
    queued again, keeping what it had done (its WHMCS order is never placed twice).

    Safe inside the caller's ``transaction.atomic()`` (it uses a savepoint; a concurrent duplicate
    hits the unique constraints and is answered as a duplicate). Raises
    ``InvalidProvisioningRequest`` for a malformed order id, key or event id (nothing is stored).
    """
    try:
        order_id = checked_id(order_id, prefix=KeyPrefix.ORDER)
    except InvalidSalesforceId as exc:
        raise InvalidProvisioningRequest(f"order id {exc}") from None
    key = _one_line(idempotency_key, "idempotency key") or order_id
    event_id = _one_line(event_id, "event id") or None
    with transaction.atomic():
        if event_id is not None:
            seen = Job.objects.filter(salesforce_event_id=event_id).first()
            if seen is not None:
                logger.info("provisioning event %s was already recorded (job %s): duplicate", event_id, seen.pk)
                return seen, False
        existing = Job.objects.filter(idempotency_key=key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    job = Job.objects.create(idempotency_key=key, salesforce_order_id=order_id,
                                             salesforce_event_id=event_id)
            except IntegrityError:  # recorded concurrently under this key or event id
                existing = selectors.job_for_key_or_event(key, event_id)
                if existing is None:
                    raise
            else:
                ProvisioningFlow.enqueue(job.pk)
                logger.info("provisioning job %s recorded for order %s (key %s, event %s); queued on commit",
                            job.pk, order_id, key, event_id)
                return job, True
        return _duplicate(existing, order_id=order_id, event_id=event_id), False


def _duplicate(job: ProvisioningJob, *, order_id: str, event_id: str | None) -> ProvisioningJob:
    if job.salesforce_order_id != order_id:
        logger.warning("provisioning key %s names order %s but job %s is for order %s: ignored",
                       job.idempotency_key, order_id, job.pk, job.salesforce_order_id)
        return job
    if job.state == State.FAILED and event_id is not None and event_id != job.salesforce_event_id:
        try:
            with transaction.atomic():
                requeued = Job.objects.filter(pk=job.pk, state=State.FAILED).update(
                    state=State.QUEUED, attempts=0, error_code="", customer_message="", finished_at=None,
                    lease_until=None, salesforce_event_id=event_id, updated_at=timezone.now(),
                )
        except IntegrityError:
            requeued = 0
        if requeued:
            ProvisioningFlow.enqueue(job.pk)
            logger.info("provisioning job %s (failed) queued again by new event %s for order %s",
                        job.pk, event_id, order_id)
            job.refresh_from_db()
            return job
    logger.info("provisioning key %s already has job %s (%s): duplicate", job.idempotency_key, job.pk, job.state)
    return job


def _one_line(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidProvisioningRequest(f"the {name} must be text")
    value = value.strip()
    if len(value) > MAX_KEY_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise InvalidProvisioningRequest(f"the {name} must be at most {MAX_KEY_LENGTH} characters, no control "
                                         "characters")
    return value


def provisioning_retry(*, jobs: Iterable[ProvisioningJob]) -> int:
    """Queue failed jobs again (the admin's retry action): back to queued with a fresh set of
    attempts, keeping what they had done. The run then also accepts a Salesforce order marked
    Failed (by the job itself). Jobs that are not failed are left alone; answers how many were queued."""
    return ProvisioningFlow.retry(jobs)


def provisioning_sweep() -> int:
    """Queue again the jobs nobody is working on: queued for longer than
    ``PROVISIONING_SWEEP_AFTER_SECONDS`` (the broker was down, a retry was lost), or running with an
    expired lease (the worker died). Running a job claims it, so a spare queueing is harmless."""
    return ProvisioningFlow.sweep()


__all__ = [
    "InvalidProvisioningRequest",
    "ProvisioningFlow",
    "ProvisioningFailed",
    "ProvisioningRetry",
    "provisioning_request",
    "provisioning_retry",
    "provisioning_run",
    "provisioning_sweep",
]
