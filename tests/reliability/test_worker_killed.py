"""Drill: the Celery worker is SIGKILLed in the middle of a provisioning job, and a new one started.

The job must end succeeded with one WHMCS order, one SIM of the inventory per unit with its line
registered on Freebit once, and the Salesforce order Active. How production recovers: the killed
worker never acknowledged the task, but Redis hands an unacknowledged task out again only after
the visibility timeout (an hour), and a redelivered copy
would find the job still leased anyway. The job is recovered by its lease running out
(``PROVISIONING_LEASE_SECONDS``) and the beat's provisioning sweep queueing it again; the drill runs
exactly that, with a short lease and a sweep every second.
"""
from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from portal.provisioning import services
from portal.provisioning.models import ProvisioningJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
State, Step = ProvisioningJob.State, ProvisioningJob.Step
# The drill's workers: a short lease (kept above the longest a provider call may take, as the default
# is kept above the task's time limit), so the sweep picks up the killed worker's job in seconds.
WORKER_ENV = {"PROVISIONING_TASK_SOFT_TIME_LIMIT": 10, "PROVISIONING_TASK_TIME_LIMIT": 12,
              "PROVISIONING_LEASE_SECONDS": 12, "PROVIDER_READ_TIMEOUT": 8}


@pytest.mark.parametrize(("provider", "call", "step_at_kill"), [
    ("whmcs", "AddOrder", Step.MAPPED),  # the order is placed by WHMCS, its answer never recorded
    ("freebit", "PA02-01", Step.WHMCS_ACCEPTED),  # Freebit registers the line, the answer never recorded
])
def test_a_worker_killed_mid_job_is_replaced_and_the_order_is_provisioned_once(
    provider, call, step_at_kill, drill, sf, billing, sims, customer_user
):
    first = drill.worker("worker-1", **WORKER_ENV)
    drill.beat(PROVISIONING_SWEEP_INTERVAL_SECONDS=1)
    slowed = {"whmcs": billing, "freebit": sims}[provider]
    # The next call of that action takes 5 s: the worker will be inside it when it is killed.
    slowed.faults(latency_ms=5000, actions=[call], times=1)
    approval = sf.approve(sf.draft_order_of(customer_user.customer.salesforce_account_id)["Id"])
    units = sum(int(item["Quantity"]) for item in sf.items_of(approval["order_id"])
                if sf.store.get("Product2", _product_of(sf, item))["Is_SIM__c"])

    with transaction.atomic():  # what the Platform Event subscriber does with the approval's event
        job, created = services.provisioning_request(order_id=approval["order_id"],
                                                     idempotency_key=approval["idempotency_key"],
                                                     event_id=f"evt-{uuid.uuid4().hex[:12]}")
    assert created

    drill.wait_for(lambda: slowed.calls(call) == 1, what=f"the worker to call {call}")
    first.kill()
    job.refresh_from_db()
    assert (job.state, job.step) == (State.RUNNING, step_at_kill), "killed inside the call"
    assert job.whmcs_order_requested_at is not None

    second = drill.worker("worker-2", **WORKER_ENV)
    drill.wait_for(lambda: ProvisioningJob.objects.filter(pk=job.pk, state__in=[State.SUCCEEDED, State.FAILED])
                   .exists(), what="the job to finish on the new worker")

    job.refresh_from_db()
    assert (job.state, job.step, job.attempts, job.error_code) == (State.SUCCEEDED, Step.WRITTEN_BACK, 2, ""), \
        drill.logs()
    assert "provisioning sweep queued 1 waiting job(s) again" in second.log()
    [order] = billing.orders_with_marker(approval["idempotency_key"])
    assert (order.id, order.status) == (job.whmcs_order_id, "Active")
    assert billing.calls("AddOrder") == 1
    if call == "AddOrder":
        assert billing.calls("GetOrders") >= 1
        assert "was placed by an earlier attempt; not ordering again" in second.log()
    # Each SIM unit kept the one SIM it took from the inventory; the line registered by the killed
    # worker was found on Freebit (PA03-02) by the new one, not sent again.
    assert len(job.activated_sims) == units == 2 and job.sim_assignments.count() == units
    assert sims.calls("PA02-01") == units
    assert len(sims.new_lines()) == units
    if call == "PA02-01":
        assert "was registered by an earlier attempt" in second.log()
    assert len(sf.inventory(Assigned_Order__c=approval["order_id"], Status__c="Activated")) == units
    salesforce_order = sf.order(approval["order_id"])
    assert (salesforce_order["Status"], salesforce_order["Provisioning_Status__c"]) == ("Activated", "Active")
    assert salesforce_order["WHMCS_Order_Id__c"] == order.id


def _product_of(sf, item: dict) -> str:
    return sf.store.get("PricebookEntry", item["PricebookEntryId"])["Product2Id"]
