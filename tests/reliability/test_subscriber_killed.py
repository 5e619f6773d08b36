"""Drill: the Platform Event subscriber is SIGKILLed while approvals stream in, then started again.

Every event must give exactly one provisioning job and, once a real worker has run the jobs, one
WHMCS order per approved order: the restarted subscriber resumes after the last event whose job
committed (the replay cursor commits with the job), and events Salesforce delivers again, as it
may (at least once), are recognised as duplicates.
"""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from portal.catalog.selectors import catalog
from portal.orders.cart import Cart, CartLine
from portal.orders.services import order_place
from portal.provisioning.models import EventCursor, ProvisioningJob
from sandbox.salesforce.pubsub import start_pubsub_sandbox

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
State = ProvisioningJob.State
TOPIC = "/event/OrderProvisionRequested__e"
ORDERS = 12
APPROVED_WHILE_FIRST_RUNS = 8  # approvals 1-8 stream while the first subscriber runs and is killed
KILL_AFTER_JOBS = 3
APPROVAL_GAP_SECONDS = 0.25  # the kill lands well before the last of the first eight approvals


def provisioning_subscriptions(pubsub) -> list:
    """The subscriptions to the provisioning topic (the subscriber follows the support cases' too)."""
    return [subscription for subscription in pubsub.subscriptions if subscription.topic == TOPIC]


@pytest.fixture
def pubsub(sf):
    server = start_pubsub_sandbox(salesforce_app=sf.app, keepalive_seconds=0.5)
    yield server
    server.stop()


def test_a_subscriber_killed_mid_stream_and_restarted_loses_no_event_and_doubles_none(
    pubsub, drill, sf, billing, customer_user
):
    drill.worker(PROVISIONING_SWEEP_AFTER_SECONDS=5)
    # The sweep covers a subscriber killed between its commit and queueing the job on the broker.
    drill.beat(PROVISIONING_SWEEP_INTERVAL_SECONDS=1)
    orders = _place_orders(customer_user.customer, ORDERS)
    # Otherwise production's defaults: a first start from LATEST, batches of 100 events.
    subscriber_env = {"SALESFORCE_PUBSUB_TARGET": pubsub.target, "SALESFORCE_PUBSUB_TLS": "false"}

    first = drill.subscriber("subscriber-1", **subscriber_env)
    drill.wait_for(lambda: provisioning_subscriptions(pubsub), what="subscriber-1 to subscribe")
    assert provisioning_subscriptions(pubsub)[0].preset == "LATEST"
    approvals: list[dict] = []
    publisher = _approve_in_background(sf, orders[:APPROVED_WHILE_FIRST_RUNS], approvals)
    try:
        drill.wait_for(lambda: ProvisioningJob.objects.count() >= KILL_AFTER_JOBS, what="the first jobs",
                       interval=0.05)
        first.kill()
    finally:
        publisher.join(timeout=30)
    jobs_at_kill = ProvisioningJob.objects.count()
    cursor_at_kill = _cursor()
    assert len(approvals) == APPROVED_WHILE_FIRST_RUNS
    assert jobs_at_kill < APPROVED_WHILE_FIRST_RUNS, "killed part-way through the stream"

    subscribed = len(provisioning_subscriptions(pubsub))
    second = drill.subscriber("subscriber-2", **subscriber_env)
    drill.wait_for(lambda: len(provisioning_subscriptions(pubsub)) > subscribed, what="subscriber-2 to subscribe")
    resumed = provisioning_subscriptions(pubsub)[subscribed]
    assert (resumed.preset, resumed.replay_id, resumed.outcome) == ("CUSTOM", cursor_at_kill, "ok")
    for order_id in orders[APPROVED_WHILE_FIRST_RUNS:]:
        approvals.append(sf.approve(order_id))
    # Salesforce delivers at least once: two events come again with their own ids, and the flow
    # publishes a second event (a new id) for an order already requested.
    published = pubsub.events()[:ORDERS]
    for event in (published[1], published[jobs_at_kill]):
        pubsub.publish_order_provision_requested(event["payload"]["orderId__c"], event["payload"]["idemKey__c"],
                                                 event_id=event["event_id"])
    again = published[-1]["payload"]
    pubsub.publish_order_provision_requested(again["orderId__c"], again["idemKey__c"])
    latest = bytes.fromhex(pubsub.events()[-1]["replay_id"])

    drill.wait_for(lambda: _cursor() == latest, what="subscriber-2 to handle every event")
    drill.wait_for(lambda: ProvisioningJob.objects.exclude(state=State.QUEUED).exclude(state=State.RUNNING)
                   .count() >= ORDERS, what="the worker to run every job")

    jobs = list(ProvisioningJob.objects.all())
    assert len(jobs) == ORDERS
    assert {job.salesforce_event_id for job in jobs} == {event["event_id"] for event in published}
    assert sorted(job.salesforce_order_id for job in jobs) == sorted(orders)
    assert {job.idempotency_key for job in jobs} == {approval["idempotency_key"] for approval in approvals}
    assert {job.state for job in jobs} == {State.SUCCEEDED}, drill.logs()
    assert billing.calls("AddOrder") == ORDERS
    for job in jobs:
        [order] = billing.orders_with_marker(job.idempotency_key)
        assert order.id == job.whmcs_order_id
        assert sf.order(job.salesforce_order_id)["Provisioning_Status__c"] == "Active"
    duplicates = [line for line in second.log().splitlines() if ": duplicate of job " in line]
    assert len(duplicates) == 3, second.log()


def _place_orders(customer, count: int) -> list[str]:
    """Orders placed through the portal's checkout, as customers would: one Secure VPN each."""
    vpn = next(product for product in catalog().value.products if product.sku == "VPN-SECURE")
    cart = Cart(lines=(CartLine(product=vpn, quantity=1),))
    return [order_place(customer=customer, cart=cart, request_id=str(uuid.uuid4())).order_id for _ in range(count)]


def _approve_in_background(sf, order_ids: list[str], approvals: list[dict]) -> threading.Thread:
    """The operator approving orders one after the other; each approval publishes an event."""

    def approve() -> None:
        for order_id in order_ids:
            approvals.append(sf.approve(order_id))
            time.sleep(APPROVAL_GAP_SECONDS)

    thread = threading.Thread(target=approve, name="approvals", daemon=True)
    thread.start()
    return thread


def _cursor() -> bytes | None:
    stored = EventCursor.objects.filter(topic=TOPIC).values_list("replay_id", flat=True).first()
    return bytes(stored) if stored is not None else None
