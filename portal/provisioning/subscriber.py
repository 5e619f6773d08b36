"""The Platform Event subscriber: ``OrderProvisionRequested__e`` → a durable provisioning job.

The replay id of the last handled event is stored per topic (``EventCursor``) in the **same
transaction** as the job it created, so a crash never loses an event (the cursor did not move)
nor records one twice (the job's idempotency key and event id are unique). A restart resumes with
``CUSTOM`` from the stored replay id (docs/decisions.md §4).

The subscriber also follows a second topic, ``Case_Status_Update__e`` (``portal.support.events``),
with its own cursor: ``build_subscribers`` makes one subscription per topic and
``run_subscribers`` runs them side by side, one thread each.

Only one subscriber process is active at a time: :class:`PlatformEvents` waits as a standby until
it holds the lease (``portal.provisioning.lease``), and every write it makes is fenced by it.
"""
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction

from domain.orders.providers.salesforce.events import transform_order_provision_requested
from domain.shared.errors import MappingError
from integrations.salesforce.pubsub import (
    EARLIEST,
    LATEST,
    PubSubSubscriber,
    ReceivedEvent,
    SubscriberSettings,
    fetch_tenant_id,
)
from portal.core.connections import salesforce_connection, salesforce_pubsub_target
from portal.provisioning.errors import InvalidProvisioningRequest
from portal.provisioning.lease import Lease, NoLease, subscriber_lease
from portal.provisioning.models import EventCursor
from portal.provisioning.services import provisioning_request

logger = logging.getLogger(__name__)


Fence = Callable[[], None]
"""Raises ``LeaseLost`` when this process may no longer write (``Lease.check``)."""


class DatabaseReplayStore:
    def __init__(self, topic: str, fence: Fence | None = None) -> None:
        self.topic = topic
        self.fence = fence
        self._saved: bytes | None = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction in which the subscriber may act: the lease is checked first (fencing), and
        the work and the cursor commit together or not at all."""
        with transaction.atomic():
            if self.fence is not None:
                self.fence()
            yield

    def load(self) -> bytes | None:
        stored = EventCursor.objects.filter(topic=self.topic).values_list("replay_id", flat=True).first()
        self._saved = bytes(stored) if stored else None
        return self._saved

    def save(self, replay_id: bytes) -> None:
        if replay_id == self._saved:  # keep-alives repeat the same position: nothing to write
            return
        with self.transaction():
            EventCursor.objects.update_or_create(topic=self.topic, defaults={"replay_id": replay_id})
            transaction.on_commit(lambda: setattr(self, "_saved", replay_id))


def handle_event(event: ReceivedEvent, store: DatabaseReplayStore) -> None:
    """Record the provisioning job and move the cursor together; a malformed event is logged and
    skipped (the cursor moves past it, so one bad event cannot block the topic)."""
    try:
        request = transform_order_provision_requested(event.payload, event_id=event.event_id,
                                                      replay_id=event.replay_id)
    except MappingError as exc:
        logger.error("skipping malformed platform event %s: %s", event.event_id, exc)
        store.save(event.replay_id)
        return
    with store.transaction():
        try:
            job, created = provisioning_request(order_id=request.order_id, idempotency_key=request.idempotency_key,
                                                event_id=request.event_id)
        except InvalidProvisioningRequest as exc:
            logger.error("skipping platform event %s: %s", event.event_id, exc)
            store.save(event.replay_id)
            return
        store.save(event.replay_id)
    logger.info("platform event %s for order %s: %s job %s", event.event_id, request.order_id,
                "new" if created else "duplicate of", job.pk)


def build_subscriber(fence: Fence | None = None) -> PubSubSubscriber:
    connection = salesforce_connection()
    target, tls = salesforce_pubsub_target()
    topic = settings.SALESFORCE_PUBSUB_TOPIC
    store = DatabaseReplayStore(topic, fence)
    presets = {"LATEST": LATEST, "EARLIEST": EARLIEST}
    return PubSubSubscriber(
        SubscriberSettings(
            target=target, topic=topic, tls=tls, batch_size=settings.SALESFORCE_PUBSUB_BATCH_SIZE,
            first_start_preset=presets[settings.SALESFORCE_PUBSUB_FIRST_START],
            fallback_preset=presets[settings.SALESFORCE_PUBSUB_FALLBACK],
        ),
        session=connection.session,
        tenant_id=lambda: fetch_tenant_id(connection),
        replay_store=store,
        handler=lambda event: handle_event(event, store),
        invalidate_session=connection.invalidate_session,
        checkpoint=store.save,
    )


def build_subscribers(fence: Fence | None = None) -> list[PubSubSubscriber]:
    """One subscription per topic the portal follows: provisioning, and support cases (unless
    ``SALESFORCE_PUBSUB_CASE_TOPIC`` is empty); their writes checked by ``fence`` when given."""
    from portal.support.events import build_case_subscriber

    subscribers = [build_subscriber(fence)]
    cases = build_case_subscriber(fence)
    if cases is not None:
        subscribers.append(cases)
    return subscribers


def run_subscribers(subscribers: list[PubSubSubscriber], lease: Lease | NoLease | None = None) -> None:
    """Run each subscription in a thread of its own until every one has stopped (``stop()`` on
    each, e.g. from a signal handler). A subscription that fails for good (``PubSubError``: a topic
    the org does not have, no permission) stops the others too and its error is raised here, so a
    process manager sees the subscriber exit and restarts it (each topic resumes from its cursor).
    With ``lease``, this thread keeps checking it holds it (``heartbeat``: its callbacks stop the
    subscriptions when it is lost)."""
    from django.db import connections

    failures: list[BaseException] = []

    def run(subscriber: PubSubSubscriber) -> None:
        try:
            subscriber.run()
        except BaseException as exc:
            logger.exception("the subscription to %s failed; stopping the others", subscriber.settings.topic)
            failures.append(exc)
            for other in subscribers:
                other.stop()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(subscriber,), name=f"pubsub {subscriber.settings.topic}",
                                daemon=True) for subscriber in subscribers]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=0.5)  # short joins: the main thread keeps handling signals
            if lease is not None:
                lease.heartbeat()
    if failures:
        raise failures[0]


class PlatformEvents:
    """The subscriber process: a standby until it holds the lease, then the subscriptions until
    :meth:`stop` (or until the lease is lost: standby again). Start it on as many hosts as wanted;
    one is active. ``stop()`` is thread-safe and fine in a signal handler."""

    def __init__(self, lease: Lease | NoLease | None = None) -> None:
        self.lease = lease if lease is not None else subscriber_lease()
        self._stopping = threading.Event()
        self._lock = threading.RLock()  # re-entrant: stop() may run in a signal handler on run()'s thread
        self._subscribers: list[PubSubSubscriber] = []
        self.lease.on_lost(self._stop_subscribers)

    def run(self) -> None:
        try:
            while self.lease.wait_until_active(self._stopping):
                subscribers = build_subscribers(self.lease.check)
                with self._lock:
                    self._subscribers = subscribers
                if self._stopping.is_set() or not self.lease.active:
                    self._stop_subscribers()
                for subscriber in subscribers:
                    logger.info("subscribing to %s at %s", subscriber.settings.topic, subscriber.settings.target)
                run_subscribers(subscribers, self.lease)
                if self._stopping.is_set() or self.lease.active:
                    break
                # The lease was lost (the subscriptions are stopped): standby again.
        finally:
            self.lease.release()

    def stop(self) -> None:
        self._stopping.set()
        self._stop_subscribers()

    def _stop_subscribers(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.stop()
