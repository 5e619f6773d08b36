"""Drills with real processes: an immediate plan upgrade whose worker is SIGKILLed inside
``UpgradeProduct``, and one whose retry cannot be queued because the broker is down.

Alice upgrades her Mobile Voice 5 GB SIM to 20 GB through the page, as a customer would; WHMCS
answers the request's own ``UpgradeProduct`` with a 503 (creating nothing), so the next attempt goes
through Celery. Each drill ends as the in-process drills of ``test_plan_change_money.py`` do: one
upgrade order, one invoice paid by one capture, nothing left Unpaid, and WHMCS and Freebit on the new
plan. Nothing of the portal is patched: the worker is SIGKILLed, the broker is a private
``redis-server`` stopped or frozen (``tests/reliability/conftest.py``).
"""
from __future__ import annotations

import time
import uuid

import pytest

from portal.sim.models import PlanChange
from tests.reliability.test_plan_change_money import PAID_ONCE, confirm_upgrade, ledger

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("salesforce")]
Status = PlanChange.Status
# A short lease (above the longest a provider call may take here), sweeps every second.
WORKER_ENV = {"SIM_PLAN_CHANGE_LEASE_SECONDS": 12, "PROVIDER_READ_TIMEOUT": 8,
              "SIM_PLAN_CHANGE_SWEEP_AFTER_SECONDS": 1, "SIM_PLAN_CHANGE_RETRY_BACKOFF_SECONDS": 1,
              "SIM_PLAN_CHANGE_RETRY_BACKOFF_MAX_SECONDS": 1}
BEAT_ENV = {"SIM_PLAN_CHANGE_SWEEP_INTERVAL_SECONDS": 1}
CUSTOMER_PATIENCE_SECONDS = 10.0  # a page that takes longer than this has failed the customer


@pytest.fixture
def fast_retries(settings):
    settings.SIM_PLAN_CHANGE_RETRY_BACKOFF_SECONDS = 1
    settings.SIM_PLAN_CHANGE_RETRY_BACKOFF_MAX_SECONDS = 1


def change_of(request_id: str) -> PlanChange:
    return PlanChange.objects.get(request_id=request_id)


def test_a_worker_killed_inside_upgrade_product_is_taken_over_and_charged_once(
    drill, billing, freebit, customer_client, fast_retries
):
    """The worker dies while WHMCS is placing the upgrade order: WHMCS finishes it, nobody records
    it. Once the dead worker's lease runs out the sweep queues the change again; the next worker
    finds the order placed after the recorded floor, adopts it, captures its invoice once and
    changes the SIM's plan once."""
    billing.fail("UpgradeProduct", times=1)
    request_id = str(uuid.uuid4())
    confirm_upgrade(customer_client, request_id)  # no worker yet: the retry waits in the broker
    assert change_of(request_id).status == Status.REQUESTED
    assert billing.new_invoices() == []
    billing.faults(latency_ms=5000, actions=["UpgradeProduct"], times=1)  # the worker will be inside this call

    first = drill.worker("worker-1", **WORKER_ENV)
    drill.wait_for(lambda: billing.calls("UpgradeProduct") == 2, what="the worker to send UpgradeProduct")
    first.kill()
    change = change_of(request_id)
    assert (change.status, change.whmcs_order_id, change.upgrade_requests) == (Status.REQUESTED, None, 2), (
        "killed between the call and the save")
    assert change.lease_until is not None, "the dead worker still holds it"

    drill.beat(**BEAT_ENV)
    second = drill.worker("worker-2", **WORKER_ENV)
    drill.wait_for(lambda: change_of(request_id).status in (Status.DONE, Status.FAILED),
                   what="the sweep and the new worker to finish the plan change", timeout=90)

    assert change_of(request_id).status == Status.DONE, change_of(request_id).last_error
    assert ledger(billing, freebit) == PAID_ONCE
    assert billing.calls("UpgradeProduct") == 2, "the order the killed worker placed was adopted"
    assert billing.calls("CapturePayment") == 1
    assert "plan change sweep queued 1 waiting plan change(s) again" in second.log(), drill.logs()
    assert "adopted, not placed again" in second.log()


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_a_plan_change_whose_retry_cannot_be_queued_is_picked_up_by_the_sweep(
    outage, drill, broker, billing, freebit, customer_client, fast_retries, caplog
):
    """The request's attempt fails (UpgradeProduct 503) and the broker is down, so its next attempt
    cannot be queued: the page still answers, saying the change is on its way, and the beat's sweep
    queues the change once the broker is back."""
    worker = drill.worker(**WORKER_ENV)
    drill.beat(**BEAT_ENV)
    billing.fail("UpgradeProduct", times=1)
    broker.stop() if outage == "stopped" else broker.freeze()
    request_id = str(uuid.uuid4())

    started = time.monotonic()
    response = confirm_upgrade(customer_client, request_id)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < CUSTOMER_PATIENCE_SECONDS, f"the page took {elapsed:.1f} s with the broker {outage}"
    change = change_of(request_id)
    assert change.status == Status.REQUESTED
    assert f"could not queue (or, with in-process tasks, run) plan change {change.pk}" in caplog.text

    broker.start() if outage == "stopped" else broker.thaw()
    drill.wait_for(lambda: change_of(request_id).status in (Status.DONE, Status.FAILED),
                   what="the sweep to queue the plan change and the worker to finish it", timeout=90)

    assert change_of(request_id).status == Status.DONE, change_of(request_id).last_error
    assert ledger(billing, freebit) == PAID_ONCE
    assert billing.calls("UpgradeProduct") == 2
    assert "plan change sweep queued 1 waiting plan change(s) again" in worker.log(), drill.logs()
