"""Every step is safe to run twice (docs/decisions.md §8): a lost answer, a crash between two steps or a
duplicate event never creates a second WHMCS order, a second acceptance or a second SIM."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from portal.provisioning.models import ProvisioningJob, SimAssignment
from portal.provisioning.orchestrator import ProvisioningFlow
from tests.portal.provisioning.conftest import request_provisioning, run_again

pytestmark = pytest.mark.django_db
State, Step = ProvisioningJob.State, ProvisioningJob.Step


def test_a_duplicate_event_makes_one_job_and_one_whmcs_order(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    sf, billing, freebit = providers

    first, created = request_provisioning(django_capture_on_commit_callbacks, approved_order, event_id="evt-1")
    by_key, again = request_provisioning(django_capture_on_commit_callbacks, approved_order, event_id="evt-2")
    by_event, third = request_provisioning(django_capture_on_commit_callbacks, approved_order, event_id="evt-1",
                                           key="another-key")

    assert (created, again, third) == (True, False, False)
    assert first.pk == by_key.pk == by_event.pk and ProvisioningJob.objects.count() == 1
    assert len(billing.orders_with_marker(approved_order["idempotency_key"])) == 1
    assert billing.calls("AddOrder") == 1 and freebit.calls("PA02-01") == 2


def test_a_lost_addorder_answer_finds_the_order_instead_of_placing_another(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """WHMCS placed the order but its answer never arrived (a crash would look the same: AddOrder
    sent, nothing recorded). The next attempt finds the order by the marker in its notes."""
    sf, billing, _ = providers
    billing.lose_answer("AddOrder")

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert (job.state, job.step, job.whmcs_order_id) == (State.QUEUED, Step.MAPPED, None)
    assert job.whmcs_order_requested_at is not None and "HTTP 504" in job.last_error
    [placed] = billing.orders_with_marker(approved_order["idempotency_key"])
    assert placed.status == "Pending"

    assert run_again(job) == State.SUCCEEDED

    assert job.whmcs_order_id == placed.id and job.whmcs_service_ids == placed.service_ids
    assert billing.orders_with_marker(approved_order["idempotency_key"]) == [placed]
    assert billing.calls("AddOrder") == 1 and placed.status == "Active"
    assert (job.attempts, job.last_error) == (2, "")


def test_acceptorder_failing_once_is_retried_on_the_same_order(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    sf, billing, _ = providers
    billing.fail("AcceptOrder", status=503)

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert (job.state, job.step) == (State.QUEUED, Step.WHMCS_ORDERED)
    assert job.whmcs_order_id and "AcceptOrder" in job.last_error
    assert sf.order(approved_order["order_id"])["Provisioning_Status__c"] == "Activating"

    assert run_again(job) == State.SUCCEEDED

    assert billing.calls("AddOrder") == 1 and billing.calls("AcceptOrder") == 2
    [order] = billing.orders_with_marker(approved_order["idempotency_key"])
    assert order.id == job.whmcs_order_id and order.status == "Active"


def test_an_acceptance_whose_answer_was_lost_counts_as_done(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """WHMCS accepted the order but the answer was lost: accepting again is refused ("not in Pending
    status"), and the order read back is Active, so the job goes on."""
    sf, billing, _ = providers
    billing.lose_answer("AcceptOrder")

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    assert (job.state, job.step) == (State.QUEUED, Step.WHMCS_ORDERED)

    assert run_again(job) == State.SUCCEEDED
    assert billing.calls("AcceptOrder") == 2 and len(billing.orders_with_marker(job.idempotency_key)) == 1


def test_a_crash_after_addorder_then_a_rerun_keeps_one_order(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """A worker killed right after AddOrder was recorded (the job left running with its lease):
    once the lease is over the job is claimed again and carries on from the recorded order."""
    sf, billing, _ = providers
    billing.fail("AcceptOrder", times=1)
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    ProvisioningJob.objects.filter(pk=job.pk).update(state=State.RUNNING,
                                                     lease_until=timezone.now() - timedelta(seconds=1))

    assert run_again(job) == State.SUCCEEDED
    assert len(billing.orders_with_marker(job.idempotency_key)) == 1 and billing.calls("AddOrder") == 1


def test_a_job_another_worker_holds_is_not_run_twice(providers, customer_user, approved_order,
                                                     django_capture_on_commit_callbacks):
    sf, billing, _ = providers
    billing.fail("AcceptOrder", times=1)
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    ProvisioningJob.objects.filter(pk=job.pk).update(state=State.RUNNING,
                                                     lease_until=timezone.now() + timedelta(minutes=5))
    billing.reset_stats()

    assert run_again(job) is None
    assert billing.calls() == 0 and job.state == State.RUNNING


def test_a_lost_new_line_answer_is_settled_by_reading_the_line_not_sent_again(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """Freebit registered the line, its answer was lost (PA02-01 has no idempotency key): the next
    attempt asks Freebit for the number (PA03-02), finds the line on the SIM and adopts it."""
    sf, billing, freebit = providers
    freebit.lose_answer("PA02-01")

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    assert (job.state, job.step) == (State.QUEUED, Step.WHMCS_ACCEPTED)
    [pending] = job.sim_assignments.all()
    assert pending.registration_requested_at is not None and pending.registered_at is None

    assert run_again(job) == State.SUCCEEDED
    assert freebit.calls("PA02-01") == 2, "one per unit: the lost one was not sent again"
    assert freebit.calls("PA03-02") == 1
    assert len(freebit.new_lines()) == len(job.activated_sims) == 2
    assert job.sim_assignments.count() == 2, "the unit kept its SIM"


def test_a_line_already_registered_after_a_lost_answer_is_adopted_when_it_is_on_our_sim(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """Freebit answers "already registered" to a new line sent again: the line is on the SIM we
    assigned (our earlier request), so it is adopted; no second SIM is taken."""
    sf, billing, freebit = providers
    freebit.lose_answer("PA02-01")
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    assignment = job.sim_assignments.get()
    assignment.registration_requested_at = None  # as if the request had never been recorded as sent
    assignment.save()

    assert run_again(job) == State.SUCCEEDED
    assert freebit.calls("PA02-01") == 3, "sent again, answered 'already registered', adopted"
    assert len(freebit.new_lines()) == 2 and job.sim_assignments.count() == 2


def test_a_sim_registered_but_not_yet_written_is_written_on_the_rerun(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    sf, billing, freebit = providers
    billing.fail("UpdateClientProduct", times=1)

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    assert (job.state, job.step) == (State.QUEUED, Step.WHMCS_ACCEPTED)
    assert len(job.activated_sims) == 1 and not job.activated_sims[0]["written"]

    assert run_again(job) == State.SUCCEEDED
    assert [sim["written"] for sim in job.activated_sims] == [True, True]
    assert len(freebit.new_lines()) == 2 and freebit.calls("PA02-01") == 2
    for sim in job.activated_sims:
        assert billing.store.services[sim["service_id"]].customfields[1] == sim["iccid"]


def test_two_jobs_never_take_the_same_sim(providers, customer_user, approved_order,
                                          django_capture_on_commit_callbacks):
    """Two orders provisioned one after the other take different SIMs, and a SIM the portal has
    claimed is not taken again even while Salesforce still lists it Available."""
    sf, billing, freebit = providers
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    taken = set(job.sim_assignments.values_list("inventory_id", flat=True))
    for record_id in taken:  # as if the Assigned write had not reached Salesforce
        sf.store.update("SIM_Inventory__c", record_id, {"Status__c": "Available"})
    other = ProvisioningJob.objects.create(idempotency_key="second-order", salesforce_order_id=job.salesforce_order_id,
                                           lines=job.lines, whmcs_service_ids=job.whmcs_service_ids,
                                           whmcs_order_id=job.whmcs_order_id, step=Step.WHMCS_ACCEPTED,
                                           customer=job.customer)
    flow = ProvisioningFlow(other)  # the second job's SIM step (its order read as the first's)
    flow.order = SimpleNamespace(id=job.salesforce_order_id, account_id=customer_user.customer.salesforce_account_id)
    flow.customer = job.customer
    flow.activate_sims()

    assert not taken & set(other.sim_assignments.values_list("inventory_id", flat=True))
    assert SimAssignment.objects.count() == 4


def test_a_job_whose_write_back_was_done_but_not_recorded_finishes_without_calls(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """Salesforce already says Active with this job's WHMCS order (the worker died right after
    writing it back): the re-run only records the success."""
    sf, billing, freebit = providers
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    ProvisioningJob.objects.filter(pk=job.pk).update(state=State.QUEUED, step=Step.SIMS_ACTIVATED)
    for emulator in providers:
        emulator.reset_stats()

    assert run_again(job) == State.SUCCEEDED
    assert (billing.calls(), freebit.calls()) == (0, 0) and job.step == Step.WRITTEN_BACK
