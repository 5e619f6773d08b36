"""Fixtures of the provisioning tests: the three emulators as real HTTP peers.

Salesforce's operator approves an order through ``POST /__sandbox__/orders/<id>/approve``;
failures are injected per action through the emulators' fault controls (``actions`` and ``times``);
expectations are read from the emulators' live stores, never hard-coded, so the tests follow
the seed whatever day they run.
"""
from __future__ import annotations

import uuid

import pytest

from portal.provisioning import services, tasks
from portal.provisioning.models import ProvisioningJob
from sandbox.demo_identities import DEMO_CUSTOMERS

ALICE, BOB = DEMO_CUSTOMERS[:2]


@pytest.fixture
def providers(sf, billing, freebit):
    """All three emulators wired in (reset, no faults, zeroed counts)."""
    return sf, billing, freebit


@pytest.fixture
def draft_order(sf) -> dict:
    """Alice's seed order waiting for review: two Data SIM 3 GB and two SIM activation fees."""
    return sf.draft_order_of(ALICE.salesforce_account_id)


@pytest.fixture
def approved_order(sf, draft_order) -> dict:
    """The draft order approved by the operator (as the Salesforce UI would): the approval the
    Pub/Sub event carries (``order_id``, ``idempotency_key``)."""
    return sf.approve(draft_order["Id"])


@pytest.fixture
def retries_run_inline():
    """Eager tasks that retry as a worker would, at once: Celery re-runs a retried eager task only
    when eager exceptions do not propagate (the test settings make them propagate)."""
    conf = tasks.run_job.app.conf
    propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
    yield
    conf.task_eager_propagates = propagates


def request_provisioning(capture, approval: dict, *, event_id: str | None = None,
                         key: str | None = None) -> tuple[ProvisioningJob, bool]:
    """What the Pub/Sub subscriber does with one event: record the job; the queued task runs
    (eagerly) when the transaction commits."""
    with capture(execute=True):
        job, created = services.provisioning_request(
            order_id=approval["order_id"], idempotency_key=key or approval["idempotency_key"],
            event_id=event_id or f"evt-{uuid.uuid4().hex[:12]}",
        )
    job.refresh_from_db()
    return job, created


def run_again(job: ProvisioningJob) -> str | None:
    """One more attempt, as the next Celery retry would make it: the final state, "retry" when it
    failed transiently again, None when there was nothing to run."""
    try:
        outcome = services.provisioning_run(job_id=job.pk)
    except services.ProvisioningRetry:
        outcome = "retry"
    job.refresh_from_db()
    return outcome
