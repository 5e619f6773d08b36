"""Recording a job for an event: exactly one per idempotency key and per event id, queued only
when the caller's transaction commits, nothing stored for a malformed event."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from portal.provisioning import services
from portal.provisioning.models import ProvisioningJob
from tests.portal.provisioning.conftest import request_provisioning

State = ProvisioningJob.State
ORDER = "801Dn000001abcdIAA"  # a well-formed Order id (checksum included)


@pytest.fixture
def order_id():
    return ORDER


@pytest.mark.django_db
def test_a_new_key_records_a_job_queued_on_commit(order_id, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        job, created = services.provisioning_request(order_id=order_id, idempotency_key="key-1", event_id="evt-1")

    assert created and len(queued) == 1
    assert (job.idempotency_key, job.salesforce_order_id, job.salesforce_event_id) == ("key-1", order_id, "evt-1")
    assert (job.state, job.step, job.attempts) == (State.QUEUED, "", 0)


@pytest.mark.django_db
def test_the_same_key_or_the_same_event_is_a_duplicate(order_id, django_capture_on_commit_callbacks):
    first, _ = services.provisioning_request(order_id=order_id, idempotency_key="key-1", event_id="evt-1")

    with django_capture_on_commit_callbacks() as queued:
        same_key = services.provisioning_request(order_id=order_id, idempotency_key="key-1", event_id="evt-2")
        same_event = services.provisioning_request(order_id=order_id, idempotency_key="key-2", event_id="evt-1")
        no_event = services.provisioning_request(order_id=order_id, idempotency_key="key-1")

    assert same_key == (first, False) and same_event == (first, False) and no_event == (first, False)
    assert queued == [] and ProvisioningJob.objects.count() == 1
    first.refresh_from_db()
    assert first.salesforce_event_id == "evt-1", "a duplicate changes nothing"


@pytest.mark.django_db
def test_without_a_key_the_order_id_is_the_key(order_id):
    job, created = services.provisioning_request(order_id=order_id[:15], idempotency_key="")

    assert created and job.idempotency_key == order_id == job.salesforce_order_id
    assert services.provisioning_request(order_id=order_id, idempotency_key=order_id) == (job, False)


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs", [
    {"order_id": "001Dn00000AliceIAB", "idempotency_key": "k"},  # an Account id
    {"order_id": "801' OR Id != '", "idempotency_key": "k"},
    {"order_id": "", "idempotency_key": "k"},
    {"order_id": ORDER, "idempotency_key": "x" * 256},
    {"order_id": ORDER, "idempotency_key": "two\nlines"},
    {"order_id": ORDER, "idempotency_key": "k", "event_id": "e" * 300},
])
def test_a_malformed_event_stores_nothing(kwargs):
    with pytest.raises(services.InvalidProvisioningRequest):
        services.provisioning_request(**kwargs)
    assert ProvisioningJob.objects.count() == 0


@pytest.mark.django_db
def test_inside_the_callers_transaction_a_rolled_back_event_leaves_no_job_and_no_task(
    order_id, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.provisioning_request(order_id=order_id, idempotency_key="key-1", event_id="evt-1")
            raise RuntimeError("the replay cursor could not be saved")

    assert queued == [] and ProvisioningJob.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_subscribers_racing_on_one_key_record_one_job(order_id, task_queue):
    barrier = threading.Barrier(4)
    results, failures = [], []

    def deliver(n: int) -> None:
        try:
            barrier.wait(timeout=5)
            with transaction.atomic():  # the subscriber's transaction (job + replay cursor)
                results.append(services.provisioning_request(order_id=order_id, idempotency_key="race",
                                                             event_id=f"evt-{n % 2}"))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert failures == []
    assert ProvisioningJob.objects.count() == 1
    assert sum(created for _, created in results) == 1
    assert len(task_queue.first_args("portal.provisioning.run_job")) == 1
    assert {job.pk for job, _ in results} == {ProvisioningJob.objects.get().pk}


@pytest.mark.django_db
def test_a_failed_job_is_queued_again_by_a_new_event_for_it(
    providers, customer_user, approved_order, django_capture_on_commit_callbacks
):
    """The operator fixed the cause and approved the order again: Salesforce publishes a new event
    with the same key. The failed job runs again; replays of events already seen do not."""
    sf, billing, _ = providers
    billing.remove_payment_methods()
    job, _ = request_provisioning(django_capture_on_commit_callbacks, approved_order, event_id="evt-first")
    assert (job.state, job.error_code) == (State.FAILED, "no_payment_method")

    with django_capture_on_commit_callbacks() as replayed:
        assert services.provisioning_request(order_id=approved_order["order_id"],
                                             idempotency_key=approved_order["idempotency_key"],
                                             event_id="evt-first")[1] is False
    assert replayed == []

    billing.app.reset_state()  # the customer saved a card again (the seed's)
    again = sf.approve(approved_order["order_id"])
    job, created = request_provisioning(django_capture_on_commit_callbacks, again, event_id="evt-second")

    assert not created
    assert (job.state, job.salesforce_event_id, job.error_code) == (State.SUCCEEDED, "evt-second", "")
    assert len(billing.orders_with_marker(approved_order["idempotency_key"])) == 1
    assert sf.order(approved_order["order_id"])["Provisioning_Status__c"] == "Active"
