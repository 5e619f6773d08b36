"""Failures: a business failure fails the job at once (no retry) and tells the customer on the
Salesforce order; a transient one is retried with the job kept in the queue, until the last attempt."""
from __future__ import annotations

import pytest

from portal.provisioning import errors, tasks
from portal.provisioning.models import ProvisioningJob
from tests.portal.provisioning.conftest import request_provisioning, run_again

pytestmark = pytest.mark.django_db
State, Step = ProvisioningJob.State, ProvisioningJob.Step


def assert_failed_fast(job, code, sf, order_id):
    assert (job.state, job.error_code, job.attempts) == (State.FAILED, code, 1)
    assert job.customer_message == errors.CUSTOMER_MESSAGES[code] and job.finished_at is not None
    order = sf.order(order_id)
    assert (order["Status"], order["Provisioning_Status__c"]) == ("Draft", "Failed")
    assert order["Provisioning_Error__c"] == job.customer_message


# -- business failures -------------------------------------------------------------------------------


def test_a_product_without_a_whmcs_mapping_fails_fast_and_orders_nothing(
    providers, customer_user, customer_client, approved_order, django_capture_on_commit_callbacks,
    retries_run_inline,
):
    sf, billing, freebit = providers
    fee = sf.product("FEE-SIM-ACTIVATION")
    sf.store.update("Product2", fee["Id"], {"WHMCS_Product_Id__c": None})

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert_failed_fast(job, errors.UNKNOWN_PRODUCT, sf, approved_order["order_id"])
    assert "FEE-SIM-ACTIVATION" in job.last_error and job.step == Step.READ
    assert billing.calls("AddOrder") == 0 and freebit.calls() == 0
    page = customer_client.get(f"/orders/{approved_order['order_id']}/").content.decode()
    assert "step-failed" in page and "cannot be activated automatically" in page


def test_a_customer_without_a_payment_method_fails_fast(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks, retries_run_inline
):
    sf, billing, freebit = providers
    billing.remove_payment_methods()

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert_failed_fast(job, errors.NO_PAYMENT_METHOD, sf, approved_order["order_id"])
    assert job.step == Step.MAPPED and job.whmcs_order_id is None and job.whmcs_order_requested_at is None
    assert billing.calls("AddOrder") == 0 and freebit.calls() == 0


def test_an_order_of_an_account_without_a_portal_customer_fails_fast(
    providers, approved_order, django_capture_on_commit_callbacks, retries_run_inline
):
    sf, billing, _ = providers

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert_failed_fast(job, errors.UNKNOWN_CUSTOMER, sf, approved_order["order_id"])
    assert job.customer is None and billing.calls() == 0


def test_whmcs_refusing_the_order_fails_fast(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks, retries_run_inline
):
    sf, billing, _ = providers
    del billing.store.products[13]  # the activation fee's WHMCS product is gone: "Invalid Product ID"

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert_failed_fast(job, errors.WHMCS_REFUSED, sf, approved_order["order_id"])
    assert "Invalid Product ID" in job.last_error
    assert billing.orders_with_marker(job.idempotency_key) == []


def test_an_empty_sim_inventory_fails_fast_after_billing_with_the_reason_for_staff(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks, retries_run_inline
):
    sf, billing, freebit = providers
    assert sf.retire(SIM_Type__c="Physical", Data_Only__c=True) == 16  # no data-only SIM card left

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert_failed_fast(job, errors.SIM_INVENTORY_EMPTY, sf, approved_order["order_id"])
    assert job.step == Step.WHMCS_ACCEPTED and job.whmcs_order_id and job.activated_sims == []
    assert "no free Physical SIM for a data-only line (plan MOB-DATA-3G) in the SIM inventory" in job.last_error
    assert freebit.calls() == 0 and not job.sim_assignments.exists()


def test_a_sim_freebit_refuses_fails_fast_after_billing(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks, retries_run_inline
):
    sf, billing, freebit = providers
    [first, *_] = sorted(sf.inventory(SIM_Type__c="Physical", Data_Only__c=True), key=lambda r: r["Phone_Number__c"])
    sf.store.update("SIM_Inventory__c", first["Id"], {"Product_Number__c": "ZZ9999999999999"})  # not a card we own

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert_failed_fast(job, errors.SIM_ACTIVATION_REFUSED, sf, approved_order["order_id"])
    assert "resultCode 250" in job.last_error
    assert job.sim_assignments.get().registration_requested_at is None, "refused: nothing was registered"


def test_an_order_that_is_not_approved_fails_fast_and_is_left_alone(
    providers, customer_user, draft_order, django_capture_on_commit_callbacks, retries_run_inline
):
    sf, billing, freebit = providers
    approval = {"order_id": draft_order["Id"], "idempotency_key": draft_order["Portal_Request_Id__c"]}

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approval)

    assert (job.state, job.error_code, job.attempts, job.step) == (State.FAILED, errors.NOT_APPROVED, 1, "")
    assert "Pending Review" in job.last_error
    order = sf.order(draft_order["Id"])
    assert (order["Provisioning_Status__c"], order["Provisioning_Error__c"]) == ("Pending Review", None)
    assert billing.calls() == 0 and freebit.calls() == 0


def test_an_order_salesforce_does_not_have_fails_fast(providers, customer_user, django_capture_on_commit_callbacks):
    job, _ = request_provisioning(django_capture_on_commit_callbacks,
                                  {"order_id": "801Dn000001abcdIAA", "idempotency_key": "gone"})

    assert (job.state, job.error_code) == (State.FAILED, errors.UNKNOWN_ORDER)


# -- transient failures ------------------------------------------------------------------------------


def test_a_transient_failure_keeps_the_job_queued_with_the_error_then_it_succeeds(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    sf, billing, freebit = providers
    freebit.faults(error_rate=1.0, status=503)

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert (job.state, job.step, job.attempts, job.error_code) == (State.QUEUED, Step.WHMCS_ACCEPTED, 1, "")
    assert "FreebitTransportError" in job.last_error and "HTTP 503" in job.last_error
    assert job.lease_until is None and job.finished_at is None
    assert sf.order(approved_order["order_id"])["Provisioning_Status__c"] == "Activating"

    freebit.clear_faults()
    assert run_again(job) == State.SUCCEEDED

    assert (job.attempts, job.last_error) == (2, "")
    assert len(billing.orders_with_marker(job.idempotency_key)) == 1
    assert sf.order(approved_order["order_id"])["Provisioning_Status__c"] == "Active"


def test_celery_retries_a_transient_failure_until_it_succeeds(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks, retries_run_inline
):
    sf, billing, freebit = providers
    sf.fail("query", times=2, status=503)  # the first two order reads (each tried twice)

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert (job.state, job.attempts) == (State.SUCCEEDED, 2)
    assert billing.calls("AddOrder") == 1


def test_after_the_last_attempt_the_job_fails_and_the_order_says_so(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks, retries_run_inline, settings
):
    sf, billing, freebit = providers
    settings.PROVISIONING_MAX_ATTEMPTS = 3
    freebit.faults(error_rate=1.0, status=502)

    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order)

    assert (job.state, job.error_code, job.attempts) == (State.FAILED, errors.PROVIDER_UNAVAILABLE, 3)
    # The first attempt sent the new line (no answer); the next ones ask Freebit for the line before
    # anything is sent again, and fail reading it.
    assert "Freebit /mvno/getDetail/: HTTP 502" in job.last_error
    assert freebit.calls("PA02-01") == 1
    order = sf.order(approved_order["order_id"])
    assert (order["Provisioning_Status__c"], order["Provisioning_Error__c"]) == ("Failed", job.customer_message)
    assert len(billing.orders_with_marker(job.idempotency_key)) == 1, "the WHMCS order stays, recorded"
    assert run_again(job) is None, "a failed job runs again only when staff retries it"


def test_the_task_is_thin_late_acked_retried_with_backoff_and_time_limited(settings):
    task = tasks.run_job
    assert task.name == "portal.provisioning.run_job"
    assert task.acks_late is True
    assert task.autoretry_for == (errors.ProvisioningRetry,)
    assert task.retry_backoff == settings.PROVISIONING_RETRY_BACKOFF_SECONDS
    assert task.retry_backoff_max == settings.PROVISIONING_RETRY_BACKOFF_MAX_SECONDS
    assert task.retry_jitter is True
    assert task.max_retries == settings.PROVISIONING_MAX_ATTEMPTS - 1
    assert (task.soft_time_limit, task.time_limit) == (settings.PROVISIONING_TASK_SOFT_TIME_LIMIT,
                                                        settings.PROVISIONING_TASK_TIME_LIMIT)
