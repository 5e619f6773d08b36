"""The Platform Event subscriber end to end: a real gRPC stream from the Pub/Sub emulator, jobs
recorded with the replay cursor, and a restart that resumes without losing or doubling events."""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from domain.shared.salesforce_id import checksum
from portal.provisioning.models import EventCursor, ProvisioningJob
from portal.provisioning.subscriber import build_subscriber

pytestmark = pytest.mark.django_db(transaction=True)
TOPIC = "/event/OrderProvisionRequested__e"


@pytest.fixture
def pubsub(providers, salesforce_server, settings):
    from sandbox.salesforce.pubsub import start_pubsub_sandbox

    server = start_pubsub_sandbox(salesforce_app=salesforce_server.app, keepalive_seconds=0.5)
    settings.SALESFORCE_PUBSUB_TARGET = server.target
    settings.SALESFORCE_PUBSUB_TLS = False
    settings.SALESFORCE_PUBSUB_FIRST_START = "EARLIEST"
    settings.SALESFORCE_PUBSUB_BATCH_SIZE = 2
    yield server
    server.stop()


def start_subscriber():
    subscriber = build_subscriber()

    def run() -> None:
        try:
            subscriber.run()
        finally:
            connections.close_all()  # this thread's database connection

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return subscriber, thread


def stop(subscriber, thread) -> None:
    subscriber.stop()
    thread.join(timeout=15)
    assert not thread.is_alive()


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail("timed out waiting")


def order_id(n: int) -> str:
    id15 = f"801Dn0000Test{n:02d}"
    return id15 + checksum(id15)


def test_an_approved_order_is_provisioned_through_the_event_stream(pubsub, customer_user, draft_order, sf):
    subscriber, thread = start_subscriber()
    try:
        approval = sf.approve(draft_order["Id"])
        job = wait_for(lambda: ProvisioningJob.objects.filter(salesforce_order_id=approval["order_id"]).first())
        job = wait_for(lambda: ProvisioningJob.objects.filter(
            pk=job.pk, state=ProvisioningJob.State.SUCCEEDED).first())
    finally:
        stop(subscriber, thread)

    assert job.salesforce_event_id and job.idempotency_key == approval["idempotency_key"]
    assert sf.store.get("Order", approval["order_id"])["Provisioning_Status__c"] == "Active"
    assert bytes(EventCursor.objects.get(topic=TOPIC).replay_id)


def test_a_restart_resumes_from_the_stored_replay_id_without_loss_or_duplicates(pubsub, customer_user):
    subscriber, thread = start_subscriber()
    pubsub.publish_order_provision_requested(order_id(1))
    wait_for(lambda: ProvisioningJob.objects.filter(salesforce_order_id=order_id(1)).exists())
    stop(subscriber, thread)

    for n in (2, 3, 4):  # published while the subscriber is down
        pubsub.publish_order_provision_requested(order_id(n), idem_key=f"key-{n}")
    subscriber, thread = start_subscriber()
    try:
        wait_for(lambda: ProvisioningJob.objects.filter(salesforce_order_id=order_id(4)).exists())
        pubsub.publish_order_provision_requested(order_id(2), idem_key="key-2")  # a duplicate delivery
        time.sleep(1.5)
    finally:
        stop(subscriber, thread)

    recorded = sorted(ProvisioningJob.objects.values_list("salesforce_order_id", flat=True))
    assert recorded == [order_id(n) for n in (1, 2, 3, 4)]
