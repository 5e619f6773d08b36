"""``Case_Status_Update__e`` reaches the portal through the existing Platform Event subscriber, on a
second topic with its own durable replay cursor: staff solve a case in Salesforce, the subscriber
forgets the customer's cached cases, and the customer's next page view shows it (one query)."""
from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connections

from domain.shared.salesforce_id import to_18
from integrations.salesforce.pubsub import PubSubError, ReceivedEvent
from portal.core.cache import CacheUnavailable
from portal.provisioning.models import EventCursor, ProvisioningJob
from portal.provisioning.subscriber import DatabaseReplayStore, build_subscribers, run_subscribers
from portal.support.events import build_case_subscriber, handle_case_event
from sandbox.salesforce.pubsub import CASE_STATUS_UPDATE_AVRO
from tests.pages import main_of
from tests.portal.provisioning.test_subscriber import order_id, wait_for
from tests.portal.support.conftest import calls

pytestmark = pytest.mark.django_db(transaction=True)
CASE_TOPIC = "/event/Case_Status_Update__e"
ORDER_TOPIC = "/event/OrderProvisionRequested__e"


@pytest.fixture
def pubsub(sf, salesforce_server, settings):
    """The Pub/Sub emulator attached to the Salesforce one: an operator's reply publishes there."""
    from sandbox.salesforce.pubsub import start_pubsub_sandbox

    server = start_pubsub_sandbox(salesforce_app=salesforce_server.app, keepalive_seconds=0.5)
    settings.SALESFORCE_PUBSUB_TARGET = server.target
    settings.SALESFORCE_PUBSUB_TLS = False
    settings.SALESFORCE_PUBSUB_FIRST_START = "EARLIEST"
    yield server
    server.stop()


def received(payload: dict, replay: int = 1) -> ReceivedEvent:
    return ReceivedEvent(event_id=str(uuid.uuid4()), replay_id=replay.to_bytes(8, "big"),
                         schema_id=CASE_STATUS_UPDATE_AVRO.id, payload=payload)


def payload(case: dict, status: str = "Closed") -> dict:
    return {"CreatedDate": 1795668561123, "CreatedById": "005Dn00009v0qvoIAA", "caseId__c": case["Id"],
            "accountId__c": case["AccountId"], "status__c": status}


def cursor(topic: str) -> bytes | None:
    found = EventCursor.objects.filter(topic=topic).first()
    return bytes(found.replay_id) if found else None


def test_an_event_forgets_the_customers_cached_cases_and_moves_its_own_cursor(sf, customer_client, alice_case):
    customer_client.get(f"/support/cases/{alice_case['Id']}/")
    assert calls(customer_client.get(f"/support/cases/{alice_case['Id']}/")) == 0  # cached
    sf.reply(alice_case["Id"], "All fixed.", status="Closed")
    assert "All fixed." not in main_of(customer_client.get(f"/support/cases/{alice_case['Id']}/"))  # still cached

    handle_case_event(received(payload(alice_case), replay=7), DatabaseReplayStore(CASE_TOPIC))

    shown = customer_client.get(f"/support/cases/{alice_case['Id']}/")
    assert calls(shown) == 1 and "All fixed." in main_of(shown) and "Solved" in main_of(shown)
    assert cursor(CASE_TOPIC) == (7).to_bytes(8, "big") and cursor(ORDER_TOPIC) is None


def test_another_customers_event_leaves_this_customers_cache_alone(sf, customer_client, bob_client, bob_case):
    customer_client.get("/support/cases/")
    handle_case_event(received(payload(bob_case)), DatabaseReplayStore(CASE_TOPIC))
    assert calls(customer_client.get("/support/cases/")) == 0


@pytest.mark.parametrize("broken", [{"caseId__c": None}, {"accountId__c": "not-an-id"}, {"CreatedDate": "now"}])
def test_a_malformed_event_is_skipped_and_cannot_block_the_topic(sf, alice_case, broken, caplog):
    handle_case_event(received(payload(alice_case) | broken, replay=3), DatabaseReplayStore(CASE_TOPIC))
    assert cursor(CASE_TOPIC) == (3).to_bytes(8, "big")
    assert "skipping malformed case event" in caplog.text


def test_an_event_for_an_account_no_customer_has_only_moves_the_cursor(sf, alice_case):
    orphan = dict(payload(alice_case), accountId__c=to_18("001Dn00000ZZZZZ"))
    handle_case_event(received(orphan, replay=4), DatabaseReplayStore(CASE_TOPIC))
    assert cursor(CASE_TOPIC) == (4).to_bytes(8, "big")


def test_when_the_cache_cannot_forget_the_event_fails_and_the_cursor_stays(sf, customer_user, alice_case,
                                                                          cache_redis):
    cache_redis.stop()
    with pytest.raises(CacheUnavailable):
        handle_case_event(received(payload(alice_case), replay=5), DatabaseReplayStore(CASE_TOPIC))
    assert cursor(CASE_TOPIC) is None  # delivered again after the subscriber's backoff


def start(subscribers):
    def run() -> None:
        try:
            run_subscribers(subscribers)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def stop(subscribers, thread) -> None:
    for subscriber in subscribers:
        subscriber.stop()
    thread.join(timeout=20)
    assert not thread.is_alive()


def test_the_operators_reply_reaches_the_customer_through_the_second_topic(pubsub, sf, customer_client, alice_case):
    subscribers = build_subscribers()
    assert [s.settings.topic for s in subscribers] == [ORDER_TOPIC, CASE_TOPIC]
    thread = start(subscribers)
    try:
        customer_client.get(f"/support/cases/{alice_case['Id']}/")  # cached from now on
        sf.reply(alice_case["Id"], "We replaced the line card: it is fast again.", status="Closed")
        wait_for(lambda: cursor(CASE_TOPIC))
        shown = customer_client.get(f"/support/cases/{alice_case['Id']}/")
        listed = customer_client.get("/support/cases/")
    finally:
        stop(subscribers, thread)

    assert "We replaced the line card" in main_of(shown) and "Solved" in main_of(shown) and calls(shown) == 1
    assert "case-changed" in main_of(listed) and calls(listed) == 1


def test_each_topic_keeps_its_own_cursor_and_a_restart_resumes_each(pubsub, sf, customer_user, alice_case):
    subscribers = build_subscribers()
    thread = start(subscribers)
    try:
        pubsub.publish_order_provision_requested(order_id(1))
        sf.reply(alice_case["Id"], status="Working")
        wait_for(lambda: cursor(CASE_TOPIC)
                 and ProvisioningJob.objects.filter(salesforce_order_id=order_id(1)).exists())
    finally:
        stop(subscribers, thread)
    case_cursor, order_cursor = cursor(CASE_TOPIC), cursor(ORDER_TOPIC)
    assert case_cursor and order_cursor and case_cursor != order_cursor

    sf.reply(alice_case["Id"], status="Waiting on Customer")  # while the subscriber is down
    subscribers = build_subscribers()
    thread = start(subscribers)
    try:
        wait_for(lambda: cursor(CASE_TOPIC) != case_cursor)
    finally:
        stop(subscribers, thread)
    assert ProvisioningJob.objects.count() == 1  # the order topic resumed after its own event: not delivered twice
    resumed = [s for s in pubsub.subscriptions if s.topic == CASE_TOPIC][-1]
    assert resumed.preset == "CUSTOM" and resumed.replay_id == case_cursor


def test_the_case_topic_can_be_turned_off(pubsub, settings):
    settings.SALESFORCE_PUBSUB_CASE_TOPIC = ""
    assert build_case_subscriber() is None
    assert [s.settings.topic for s in build_subscribers()] == [ORDER_TOPIC]


def test_a_topic_the_org_does_not_have_stops_the_whole_subscriber(pubsub, sf, settings):
    settings.SALESFORCE_PUBSUB_CASE_TOPIC = "/event/Nobody_Has_This__e"
    subscribers = build_subscribers()
    with pytest.raises(PubSubError):
        run_subscribers(subscribers)
    assert all(s.stopped for s in subscribers)
