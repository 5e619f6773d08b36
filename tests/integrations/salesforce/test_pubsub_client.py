"""The Pub/Sub subscriber against the Pub/Sub emulator over real gRPC, signed in through the REST
emulator's JWT bearer flow: decoding, flow control, keep-alives, reconnects, resuming from a stored
replay id, a refused replay id, an expired session, a wrong tenant id and a graceful stop."""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine

from domain.orders.providers import salesforce as salesforce_orders
from integrations.salesforce.connection import SalesforceConfig, SalesforceConnection
from integrations.salesforce.pubsub import (
    EARLIEST,
    LATEST,
    PubSubAuthError,
    PubSubError,
    PubSubSubscriber,
    ReceivedEvent,
    SubscriberSettings,
    fetch_tenant_id,
)
from sandbox.salesforce import generate_demo_keypair, make_id, start_salesforce_sandbox

PRIVATE_PEM, PUBLIC_PEM = generate_demo_keypair()
ORDER = "8015g0000eKOmXRAA1"
IDEM_KEY = "b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57"
KEEPALIVE = 0.2
_ORDER_NUMBERS = itertools.count(900_000)


@pytest.fixture(scope="module")
def salesforce_sandbox():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, pubsub={"keepalive_seconds": KEEPALIVE})
    yield handle
    handle.stop()


@pytest.fixture
def pubsub(salesforce_sandbox):
    """The Pub/Sub emulator, emptied: no retained events, no call log (replay ids keep increasing)."""
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    yield salesforce_sandbox.app.pubsub
    salesforce_sandbox.app.pubsub.kill_streams()


@pytest.fixture
def sign_ins():
    return Counter()


@pytest.fixture
def connection(salesforce_sandbox, sign_ins):
    config = SalesforceConfig(login_url=salesforce_sandbox.url, client_id="sandbox-consumer-key",
                              username="integration@portal.example", private_key=PRIVATE_PEM)
    return SalesforceConnection(config, on_call=lambda operation: sign_ins.update([operation]))


@pytest.fixture(scope="module")
def tenant_id(salesforce_sandbox):
    config = SalesforceConfig(login_url=salesforce_sandbox.url, client_id="sandbox-consumer-key",
                              username="integration@portal.example", private_key=PRIVATE_PEM)
    return fetch_tenant_id(SalesforceConnection(config))


class MemoryReplayStore:
    """The caller's cursor: saved by the handler after it has recorded the event."""

    def __init__(self, replay_id: bytes | None = None) -> None:
        self.replay_id = replay_id

    def load(self) -> bytes | None:
        return self.replay_id


class Running:
    """A subscriber on its own thread, with what its handler saw."""

    def __init__(self, subscriber: PubSubSubscriber, store: MemoryReplayStore, events: list[ReceivedEvent]) -> None:
        self.subscriber, self.store, self.events = subscriber, store, events
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="test-subscriber", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.subscriber.run()
        except BaseException as exc:
            self.error = exc

    def order_ids(self) -> list[str]:
        return [event.payload["orderId__c"] for event in self.events]

    def stop(self) -> None:
        self.subscriber.stop()
        self.thread.join(5)
        assert not self.thread.is_alive(), "run() did not return after stop()"


@pytest.fixture
def start(pubsub, connection, tenant_id):
    """Start a subscriber: ``start(store=..., batch_size=..., handler=...)``; all are stopped afterwards."""
    running: list[Running] = []

    def start(store: MemoryReplayStore | None = None, *, handler: Callable[[ReceivedEvent], None] | None = None,
              tenant: str | None = None, checkpoint=None, **settings) -> Running:
        store = store or MemoryReplayStore()
        events: list[ReceivedEvent] = []

        def record(event: ReceivedEvent) -> None:
            if handler is not None:
                handler(event)
            events.append(event)
            store.replay_id = event.replay_id  # "the same transaction" as the job

        settings = {"target": pubsub.target, "tls": False, "backoff_base": 0.05, "backoff_max": 0.2, **settings}
        subscriber = PubSubSubscriber(
            SubscriberSettings(**settings), session=connection.session,
            invalidate_session=connection.invalidate_session,
            tenant_id=(lambda: tenant) if tenant else (lambda: tenant_id),
            replay_store=store, handler=record, checkpoint=checkpoint,
        )
        running.append(Running(subscriber, store, events))
        return running[-1]

    yield start
    for each in running:
        each.subscriber.stop()
        each.thread.join(5)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {message or condition}")
        time.sleep(0.01)


def publish(pubsub, count: int) -> list[str]:
    """Publish ``count`` events, each for a new order id; the ids, in order."""
    order_ids = [make_id("801", next(_ORDER_NUMBERS)) for _ in range(count)]
    for order_id in order_ids:
        pubsub.publish_order_provision_requested(order_id)
    return order_ids


def subscribed(pubsub, count: int = 1) -> Callable[[], bool]:
    return lambda: len([s for s in pubsub.subscriptions if s.outcome == "ok"]) >= count and bool(pubsub.streams)


# -- decoding and delivery --------------------------------------------------------------------------


def test_events_are_decoded_and_handed_over_in_order_with_the_session_as_metadata(pubsub, start, connection,
                                                                                    tenant_id, salesforce_sandbox):
    running = start()  # no stored replay id: LATEST, only what is published from now on
    wait_until(subscribed(pubsub))
    replay_id = pubsub.publish_order_provision_requested(ORDER, IDEM_KEY)
    pubsub.publish_order_provision_requested(ORDER)

    wait_until(lambda: len(running.events) == 2)
    first = running.events[0]
    assert first.replay_id == replay_id and len(first.event_id) == 36
    assert first.payload["orderId__c"] == ORDER and first.payload["idemKey__c"] == IDEM_KEY
    assert isinstance(first.payload["CreatedDate"], int) and first.payload["CreatedById"].startswith("005")
    assert running.events[1].payload["idemKey__c"] is None
    assert pubsub.subscriptions[0].preset == "LATEST"
    caller = pubsub.streams[0].caller
    assert caller.access_token == connection.session().access_token
    assert (caller.instance_url, caller.tenant_id) == (salesforce_sandbox.url, tenant_id)

    # What the provisioning side does with it: one mapper call.
    request = salesforce_orders.transform_order_provision_requested(first.payload, event_id=first.event_id,
                                                                    replay_id=first.replay_id)
    assert request.order_id == ORDER and request.idempotency_key == IDEM_KEY


def test_the_schema_is_fetched_once_per_schema_id(pubsub, start):
    running = start(first_start_preset=EARLIEST)
    publish(pubsub, 3)
    wait_until(lambda: len(running.events) == 3)

    assert len(running.subscriber._schemas) == 1


def test_an_order_approved_in_the_rest_emulator_reaches_the_subscriber(pubsub, start, salesforce_sandbox):
    running = start()
    wait_until(subscribed(pubsub))
    draft = next(o for o in salesforce_sandbox.app.store.tables["Order"].values()
                 if o["Provisioning_Status__c"] == "Pending Review")

    requests.post(f"{salesforce_sandbox.url}/__sandbox__/orders/{draft['Id']}/approve", timeout=5).raise_for_status()

    wait_until(lambda: len(running.events) == 1)
    assert running.events[0].payload["orderId__c"] == draft["Id"]
    assert running.events[0].payload["idemKey__c"] == draft["Portal_Request_Id__c"]


# -- flow control -----------------------------------------------------------------------------------


def test_flow_control_asks_for_a_batch_at_a_time_and_never_has_more_outstanding(pubsub, start):
    order_ids = publish(pubsub, 5)
    running = start(batch_size=2, first_start_preset=EARLIEST)

    wait_until(lambda: len(running.events) == 5)
    assert running.order_ids() == order_ids
    stream = pubsub.streams[0]
    assert stream.max_pending == 2  # never more than one batch outstanding
    assert stream.requested == 6  # 2 at the start, 2 more after each full batch
    assert stream.delivered == 5


def test_keep_alives_then_more_events(pubsub, start):
    checkpoints: list[bytes] = []
    running = start(checkpoint=checkpoints.append)
    wait_until(subscribed(pubsub))
    wait_until(lambda: running.subscriber.stats["keepalives"] >= 2, message="two keep-alives")
    assert pubsub.streams[0].keepalives >= 2
    assert checkpoints and checkpoints[-1] == pubsub.bus.latest_counter().to_bytes(8, "big")

    order_ids = publish(pubsub, 3)
    wait_until(lambda: len(running.events) == 3)
    assert running.order_ids() == order_ids
    assert running.subscriber.stats["subscriptions"] == 1  # the same stream all along


# -- reconnecting and resuming ----------------------------------------------------------------------


def test_a_dropped_stream_is_resubscribed_after_the_last_handled_event(pubsub, start):
    first = publish(pubsub, 2)
    running = start(first_start_preset=EARLIEST)
    wait_until(lambda: len(running.events) == 2)
    handled = running.events[-1].replay_id

    assert pubsub.kill_streams() == 1
    later = publish(pubsub, 3)  # published while the subscriber reconnects

    wait_until(lambda: len(running.events) == 5)
    assert running.order_ids() == first + later  # nothing lost, nothing twice
    resumed = [s for s in pubsub.subscriptions if s.outcome == "ok"][-1]
    assert resumed.preset == "CUSTOM"
    assert int.from_bytes(resumed.replay_id, "big") >= int.from_bytes(handled, "big")
    assert running.subscriber.stats["subscriptions"] == 2


def test_a_new_subscriber_resumes_from_the_stored_replay_id_without_loss_or_duplicates(pubsub, start):
    store = MemoryReplayStore()
    before = publish(pubsub, 2)
    first = start(store, first_start_preset=EARLIEST)
    wait_until(lambda: len(first.events) == 2)
    first.stop()
    stored = store.replay_id
    assert stored == first.events[-1].replay_id

    while_down = publish(pubsub, 3)
    second = start(store)  # a restarted process: a new instance, the same store

    wait_until(lambda: len(second.events) == 3)
    time.sleep(3 * KEEPALIVE)  # and nothing more arrives
    assert first.order_ids() == before
    assert second.order_ids() == while_down
    assert pubsub.subscriptions[-1].preset == "CUSTOM" and pubsub.subscriptions[-1].replay_id == stored


@pytest.mark.parametrize("how", ["corrupted", "expired"])
def test_a_refused_replay_id_falls_back_to_earliest_and_is_logged_as_an_error(pubsub, start, caplog, monkeypatch, how):
    if how == "corrupted":
        store = MemoryReplayStore(b"not-a-replay-id")
        retained = publish(pubsub, 2)
    else:
        monkeypatch.setattr(pubsub.bus, "retention", 3)
        store = MemoryReplayStore(pubsub.publish_order_provision_requested(ORDER))
        retained = publish(pubsub, 4)[-3:]  # the stored event's successor has expired

    with caplog.at_level(logging.ERROR, logger="integrations.salesforce.pubsub"):
        running = start(store)
        wait_until(lambda: len(running.events) == 3 if how == "expired" else len(running.events) == 2)

    assert running.order_ids() == retained
    assert [s.outcome for s in pubsub.subscriptions] == ["INVALID_ARGUMENT", "ok"]
    assert pubsub.subscriptions[1].preset == "EARLIEST"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "replay id" in errors[0].getMessage() and "EARLIEST" in errors[0].getMessage()
    assert running.error is None


# -- authentication ---------------------------------------------------------------------------------


def test_an_expired_session_is_renewed_once_and_the_subscription_resumes(pubsub, start, salesforce_sandbox, sign_ins):
    running = start()
    wait_until(subscribed(pubsub))
    first = publish(pubsub, 1)
    wait_until(lambda: len(running.events) == 1)
    assert sign_ins["sign-in"] == 1

    requests.post(f"{salesforce_sandbox.url}/__sandbox__/expire-sessions", timeout=5).raise_for_status()
    wait_until(lambda: running.subscriber.stats["subscriptions"] == 2, message="resubscribed")
    later = publish(pubsub, 2)

    wait_until(lambda: len(running.events) == 3)
    assert running.order_ids() == first + later
    assert sign_ins["sign-in"] == 2  # exactly one fresh sign-in
    assert running.subscriber.stats["reauthentications"] == 1
    assert running.error is None


def test_a_quiet_topic_whose_session_expires_again_later_signs_in_again(pubsub, start, salesforce_sandbox,
                                                                       sign_ins):
    """No event arrives between two expiries (a quiet topic): the second, minutes later, is not taken
    for credentials refused right after a fresh sign-in."""
    running = start()
    wait_until(subscribed(pubsub))
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/expire-sessions", timeout=5).raise_for_status()
    wait_until(lambda: running.subscriber.stats["subscriptions"] == 2, message="resubscribed")

    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10), tick=True):
        requests.post(f"{salesforce_sandbox.url}/__sandbox__/expire-sessions", timeout=5).raise_for_status()
        wait_until(lambda: running.subscriber.stats["subscriptions"] == 3, message="resubscribed again")

    assert running.error is None
    assert sign_ins["sign-in"] == 3 and running.subscriber.stats["reauthentications"] == 2


def test_a_wrong_tenant_id_is_surfaced_after_one_fresh_sign_in(pubsub, start, sign_ins):
    running = start(tenant="00D000000000001AAA")

    running.thread.join(5)
    assert isinstance(running.error, PubSubAuthError)
    assert "UNAUTHENTICATED" in str(running.error)
    assert sign_ins["sign-in"] == 2
    assert running.events == []


def test_an_unknown_topic_is_a_permanent_error(pubsub, start):
    running = start(topic="/event/NoSuchEvent__e")

    running.thread.join(5)
    assert isinstance(running.error, PubSubError) and "NOT_FOUND" in str(running.error)


# -- handler failures and stopping ------------------------------------------------------------------


def test_a_failing_handler_gets_the_same_event_again(pubsub, start):
    failures = iter([RuntimeError("database is down")])

    def flaky(event: ReceivedEvent) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure

    order_ids = publish(pubsub, 2)
    running = start(handler=flaky, first_start_preset=EARLIEST)

    wait_until(lambda: len(running.events) == 2)
    assert running.order_ids() == order_ids
    assert running.subscriber.stats["subscriptions"] == 2


def test_a_failure_the_handler_expects_is_logged_on_one_line_and_the_event_comes_again(pubsub, start, caplog):
    class Declined(Exception):
        expected = True  # as the subscriber's LeaseLost

    failures = iter([Declined("lease taken over"), RuntimeError("database is down")])

    def declining(event: ReceivedEvent) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure

    publish(pubsub, 1)
    with caplog.at_level(logging.WARNING, logger="integrations.salesforce.pubsub.client"):
        running = start(handler=declining, first_start_preset=EARLIEST)
        wait_until(lambda: len(running.events) == 1)

    declined = [r for r in caplog.records if "declined the event (lease taken over)" in r.getMessage()]
    failed = [r for r in caplog.records if "handler failed (database is down)" in r.getMessage()]
    def traceback(record: logging.LogRecord) -> bool:  # the redacting filter may have rendered it already
        return bool(record.exc_info or record.exc_text)

    assert len(declined) == 1 and declined[0].levelno == logging.WARNING and not traceback(declined[0])
    assert len(failed) == 1 and failed[0].levelno == logging.ERROR and traceback(failed[0])


def test_a_handler_that_keeps_failing_backs_off_further_each_time(pubsub, start):
    def broken(event: ReceivedEvent) -> None:
        raise RuntimeError("poison")

    publish(pubsub, 1)
    running = start(handler=broken, first_start_preset=EARLIEST)

    wait_until(lambda: running.subscriber.stats["subscriptions"] >= 3)
    assert running.subscriber._backoff.failures >= 2
    assert running.events == [] and running.error is None


def test_stop_returns_from_run_when_idle(pubsub, start):
    running = start()
    wait_until(subscribed(pubsub))
    started = time.monotonic()

    running.stop()

    assert time.monotonic() - started < 1.0
    assert running.error is None
    wait_until(lambda: not pubsub.streams, message="the stream closed on the server")


def test_stop_finishes_the_event_being_handled_and_starts_no_other(pubsub, start):
    store = MemoryReplayStore()
    in_handler, release = threading.Event(), threading.Event()

    def slow(event: ReceivedEvent) -> None:
        in_handler.set()
        release.wait(5)

    order_ids = publish(pubsub, 3)
    running = start(store, handler=slow, batch_size=3, first_start_preset=EARLIEST)
    assert in_handler.wait(5)
    stopper = threading.Thread(target=running.subscriber.stop)
    stopper.start()
    stopper.join(5)
    release.set()
    running.thread.join(5)

    assert not running.thread.is_alive() and running.error is None
    assert running.order_ids() == order_ids[:1]  # the one in progress completed, no other started

    resumed = start(store)
    wait_until(lambda: len(resumed.events) == 2)
    assert resumed.order_ids() == order_ids[1:]


def test_settings_are_checked():
    with pytest.raises(ValueError, match="batch_size"):
        SubscriberSettings(batch_size=101)
    with pytest.raises(ValueError, match="batch_size"):
        SubscriberSettings(batch_size=0)
    with pytest.raises(ValueError, match="LATEST or EARLIEST"):
        SubscriberSettings(fallback_preset=2)
    assert SubscriberSettings().first_start_preset == LATEST and SubscriberSettings().tls is True
