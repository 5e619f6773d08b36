"""Drill: two Platform Event subscribers started the usual way (``manage.py subscribe_platform_events``,
twice, no flags): one holds the lease and subscribes, the other waits as a hot standby. The active
one is SIGKILLed (or frozen with SIGSTOP); the standby takes over from the stored replay id, and
every event gives exactly one job, handled by exactly one process (docs/decisions.md D19).
"""
from __future__ import annotations

import os
import re
import signal

import pytest

from portal.provisioning.lease import current_subscriber_lease
from portal.provisioning.models import ProvisioningJob
from sandbox.salesforce.pubsub import start_pubsub_sandbox
from tests.processes import Process
from tests.reliability.test_subscriber_killed import _cursor, _place_orders, provisioning_subscriptions

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
BEFORE, AFTER = 4, 4  # orders approved while the first holder is active, and after it is gone
HANDLED = re.compile(r"platform event (\S+) for order \S+: (new|duplicate of) job")


@pytest.fixture
def pubsub(sf):
    server = start_pubsub_sandbox(salesforce_app=sf.app, keepalive_seconds=0.5)
    yield server
    server.stop()


def start_pair(drill, pubsub, **env) -> tuple[Process, Process]:
    """Two subscribers, one after the other; returns (active, standby) once each has said which."""
    env = {"SALESFORCE_PUBSUB_TARGET": pubsub.target, "SALESFORCE_PUBSUB_TLS": "false", **env}
    first = drill.subscriber("subscriber-a", **env)
    drill.wait_for(lambda: "is ACTIVE" in first.log(), what="subscriber-a to take the lease")
    second = drill.subscriber("subscriber-b", **env)
    drill.wait_for(lambda: "is STANDBY" in second.log(), what="subscriber-b to wait as a standby")
    drill.wait_for(lambda: provisioning_subscriptions(pubsub), what="the active subscriber to subscribe")
    assert holder_pid() == first.pid
    return first, second


def holder_pid() -> int | None:
    lease = current_subscriber_lease()
    return int(lease.holder.rsplit(":", 1)[1]) if lease is not None and lease.held else None


def approve_and_wait(drill, sf, pubsub, order_ids: list[str]) -> None:
    for order_id in order_ids:
        sf.approve(order_id)
    latest = bytes.fromhex(pubsub.events()[-1]["replay_id"])
    drill.wait_for(lambda: _cursor() == latest, what="every event to be handled")


def handled(process: Process) -> list[tuple[str, str]]:
    """(event id, "new" or "duplicate of") for each event the process recorded."""
    return HANDLED.findall(process.log())


def test_the_standby_takes_over_from_a_killed_subscriber_and_no_event_is_handled_twice(
    pubsub, drill, sf, billing, customer_user
):
    orders = _place_orders(customer_user.customer, BEFORE + AFTER)
    active, standby = start_pair(drill, pubsub)
    approve_and_wait(drill, sf, pubsub, orders[:BEFORE])
    assert len(provisioning_subscriptions(pubsub)) == 1, "the standby does not subscribe"
    assert handled(standby) == []
    cursor_at_kill = _cursor()

    active.kill()
    drill.wait_for(lambda: holder_pid() == standby.pid, what="the standby to take the lease")
    drill.wait_for(lambda: len(provisioning_subscriptions(pubsub)) == 2, what="the new active one to subscribe")
    resumed = provisioning_subscriptions(pubsub)[1]
    assert (resumed.preset, resumed.replay_id, resumed.outcome) == ("CUSTOM", cursor_at_kill, "ok")
    approve_and_wait(drill, sf, pubsub, orders[BEFORE:])

    events = [event["event_id"] for event in pubsub.events()]
    jobs = list(ProvisioningJob.objects.all())
    assert len(jobs) == len(events) == BEFORE + AFTER
    assert {job.salesforce_event_id for job in jobs} == set(events)
    assert sorted(job.salesforce_order_id for job in jobs) == sorted(orders)
    by_first, by_second = handled(active), handled(standby)
    assert sorted(event for event, _ in by_first + by_second) == sorted(events), drill.logs()
    assert {outcome for _, outcome in by_first + by_second} == {"new"}
    assert [event for event, _ in by_first] == events[:BEFORE]
    assert "is ACTIVE" in standby.log()


def test_a_frozen_subscriber_loses_the_lease_and_writes_nothing_when_it_wakes(pubsub, drill, sf, billing,
                                                                           customer_user):
    """SIGSTOP: the holder's session goes silent, PostgreSQL ends it after SUBSCRIBER_LEASE_SECONDS,
    the standby takes over. Thawed, the old holder finds the lease lost (its events are refused by
    the fence if it gets to them first), stops its subscriptions and is a standby again."""
    orders = _place_orders(customer_user.customer, BEFORE + AFTER + 2)
    frozen, standby = start_pair(drill, pubsub, SUBSCRIBER_LEASE_SECONDS=2)
    approve_and_wait(drill, sf, pubsub, orders[:BEFORE])

    os.kill(frozen.pid, signal.SIGSTOP)
    try:
        drill.wait_for(lambda: holder_pid() == standby.pid, what="the standby to take the lease")
        approve_and_wait(drill, sf, pubsub, orders[BEFORE:BEFORE + AFTER])  # the frozen one's stream gets them too
    finally:
        os.kill(frozen.pid, signal.SIGCONT)
    drill.wait_for(lambda: "LOST the lease" in frozen.log(), what="the thawed subscriber to find the lease lost")
    drill.wait_for(lambda: frozen.log().count("is STANDBY") >= 1, what="the thawed subscriber to wait as a standby")
    approve_and_wait(drill, sf, pubsub, orders[BEFORE + AFTER:])
    assert holder_pid() == standby.pid

    events = [event["event_id"] for event in pubsub.events()]
    jobs = list(ProvisioningJob.objects.all())
    assert len(jobs) == len(events) == len(orders)
    assert {job.salesforce_event_id for job in jobs} == set(events)
    by_frozen, by_standby = handled(frozen), handled(standby)
    assert [event for event, _ in by_frozen] == events[:BEFORE], drill.logs()
    assert [event for event, _ in by_standby] == events[BEFORE:], drill.logs()
    assert {outcome for _, outcome in by_frozen + by_standby} == {"new"}
