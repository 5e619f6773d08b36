"""Provisioning jobs in the Django admin: list, filter, search, read-only detail, and the retry of
failed jobs (queued on commit); and the sweep that queues forgotten jobs again."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from domain.shared.salesforce_id import to_18
from portal.provisioning import errors, services
from portal.provisioning.models import ProvisioningJob
from tests.portal.provisioning.conftest import request_provisioning

pytestmark = pytest.mark.django_db
State, Step = ProvisioningJob.State, ProvisioningJob.Step
CHANGELIST = "/admin/provisioning/provisioningjob/"
ORDERS = tuple(to_18(f"801Dn000001abc{letter}") for letter in "def")


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def make_job(key: str, order_id: str = ORDERS[0], **fields) -> ProvisioningJob:
    return ProvisioningJob.objects.create(idempotency_key=key, salesforce_order_id=order_id, **fields)


def test_the_list_filters_by_state_and_step_and_searches(admin_client):
    failed = make_job("key-failed", ORDERS[0], state=State.FAILED, step=Step.MAPPED,
                      error_code=errors.UNKNOWN_PRODUCT)
    done = make_job("key-done", ORDERS[1], state=State.SUCCEEDED, step=Step.WRITTEN_BACK, whmcs_order_id=4711)

    by_state = admin_client.get(CHANGELIST, {"state__exact": "failed"}).content.decode()
    by_step = admin_client.get(CHANGELIST, {"step__exact": "written_back"}).content.decode()
    by_order = admin_client.get(CHANGELIST, {"q": failed.salesforce_order_id}).content.decode()
    by_whmcs = admin_client.get(CHANGELIST, {"q": "4711"}).content.decode()

    assert failed.salesforce_order_id in by_state and done.salesforce_order_id not in by_state
    assert done.salesforce_order_id in by_step and failed.salesforce_order_id not in by_step
    assert failed.salesforce_order_id in by_order and done.salesforce_order_id not in by_order
    assert done.salesforce_order_id in by_whmcs and failed.salesforce_order_id not in by_whmcs


def test_the_detail_page_is_read_only_and_jobs_are_neither_added_nor_deleted(admin_client):
    job = make_job("key-1", lines=[{"product_id": 10, "billing_cycle": "Monthly", "is_sim": True}],
                   last_error="FreebitTransportError: Freebit /master/addAcnt/: HTTP 503")

    page = admin_client.get(f"{CHANGELIST}{job.pk}/change/").content.decode()

    assert "FreebitTransportError" in page and "&quot;product_id&quot;: 10" in page
    assert '<input type="text" name="idempotency_key"' not in page
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{job.pk}/delete/").status_code == 403


def test_retry_requeues_a_failed_job_which_then_completes(
    admin_client, providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """Staff fixed the cause (the product's WHMCS mapping) and retries the failed job: it runs again
    although the Salesforce order is now marked Failed, and ends Active with one WHMCS order."""
    sf, billing, _ = providers
    fee = sf.product("FEE-SIM-ACTIVATION")
    sf.store.update("Product2", fee["Id"], {"WHMCS_Product_Id__c": None})
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    assert (job.state, job.error_code) == (State.FAILED, errors.UNKNOWN_PRODUCT)
    still_running = make_job("key-running", ORDERS[2], state=State.RUNNING)
    sf.store.update("Product2", fee["Id"], {"WHMCS_Product_Id__c": 13})

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(CHANGELIST, {"action": "retry", "_selected_action": [job.pk, still_running.pk]},
                                     follow=True)

    page = response.content.decode()
    assert "Queued 1 job(s) to run again." in page
    assert "1 job(s) that had not failed were left alone." in page
    job.refresh_from_db()
    still_running.refresh_from_db()
    assert (job.state, job.error_code, job.customer_message, job.attempts) == (State.SUCCEEDED, "", "", 1)
    assert job.retry_requested_at is not None and still_running.state == State.RUNNING
    order = sf.order(approved_order["order_id"])
    assert (order["Provisioning_Status__c"], order["Provisioning_Error__c"]) == ("Active", None)
    assert len(billing.orders_with_marker(job.idempotency_key)) == 1


def test_retry_is_queued_only_on_commit(django_capture_on_commit_callbacks):
    failed = make_job("key-failed", state=State.FAILED, attempts=6, error_code=errors.PROVIDER_UNAVAILABLE)
    done = make_job("key-done", ORDERS[1], state=State.SUCCEEDED)

    with django_capture_on_commit_callbacks() as queued:
        assert services.provisioning_retry(jobs=[failed, done]) == 1

    assert len(queued) == 1
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.error_code, failed.finished_at) == (State.QUEUED, 0, "", None)


def test_the_sweep_queues_forgotten_and_abandoned_jobs_only(settings, django_capture_on_commit_callbacks,
                                                            task_queue):
    settings.PROVISIONING_SWEEP_AFTER_SECONDS = 600
    now = timezone.now()
    forgotten = make_job("forgotten", ORDERS[0])
    fresh = make_job("fresh", ORDERS[1])
    abandoned = make_job("abandoned", ORDERS[2], state=State.RUNNING, lease_until=now - timedelta(seconds=5))
    held = make_job("held", ORDERS[0], state=State.RUNNING, lease_until=now + timedelta(minutes=5))
    failed = make_job("failed", ORDERS[1], state=State.FAILED)
    ProvisioningJob.objects.filter(pk__in=[forgotten.pk, held.pk, failed.pk, abandoned.pk]).update(
        updated_at=now - timedelta(seconds=601))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.provisioning_sweep() == 2

    queued = task_queue.first_args("portal.provisioning.run_job")
    assert sorted(queued) == sorted([forgotten.pk, abandoned.pk])
    assert fresh.pk not in queued and held.pk not in queued and failed.pk not in queued


def test_a_retry_after_a_fixed_product_mapping_orders_with_the_fixed_one(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    sf, billing, _ = providers
    fee = sf.product("FEE-SIM-ACTIVATION")
    sf.store.update("Product2", fee["Id"], {"WHMCS_Product_Id__c": 99})  # a typo: WHMCS has no product 99
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)
    assert (job.state, job.error_code, job.whmcs_order_requested_at) == (State.FAILED, errors.WHMCS_REFUSED, None)
    sf.store.update("Product2", fee["Id"], {"WHMCS_Product_Id__c": 13})

    with django_capture_on_commit_callbacks(execute=True):
        assert services.provisioning_retry(jobs=[job]) == 1

    job.refresh_from_db()
    assert job.state == State.SUCCEEDED and sorted(line["product_id"] for line in job.lines) == [10, 10, 13, 13]
    assert len(billing.orders_with_marker(job.idempotency_key)) == 1
