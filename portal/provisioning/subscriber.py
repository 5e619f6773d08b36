"""The Platform Event subscriber: ``OrderProvisionRequested__e`` → a durable provisioning job.

The replay id of the last handled event is stored per topic (``EventCursor``) in the **same
transaction** as the job it created, so a crash never loses an event (the cursor did not move)
nor records one twice (the job's idempotency key and event id are unique). A restart resumes with
``CUSTOM`` from the stored replay id (docs/decisions.md §4).

The subscriber also follows a second topic, ``Case_Status_Update__e`` (``portal.support.events``),
with its own cursor: ``build_subscribers`` makes one subscription per topic and
``run_subscribers`` runs them side by side, one thread each.
"""
import logging
import threading

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
from portal.provisioning.models import EventCursor
from portal.provisioning.services import provisioning_request

logger = logging.getLogger(__name__)


class DatabaseReplayStore:
    def __init__(self, topic: str) -> None:
        self.topic = topic
        self._saved: bytes | None = None

    def load(self) -> bytes | None:
        stored = EventCursor.objects.filter(topic=self.topic).values_list("replay_id", flat=True).first()
        self._saved = bytes(stored) if stored else None
        return self._saved

    def save(self, replay_id: bytes) -> None:
        if replay_id == self._saved:  # keep-alives repeat the same position: nothing to write
            return
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
        with transaction.atomic():
            store.save(event.replay_id)
        return
    with transaction.atomic():
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


def build_subscriber() -> PubSubSubscriber:
    connection = salesforce_connection()
    target, tls = salesforce_pubsub_target()
    topic = settings.SALESFORCE_PUBSUB_TOPIC
    store = DatabaseReplayStore(topic)
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


def build_subscribers() -> list[PubSubSubscriber]:
    """One subscription per topic the portal follows: provisioning, and support cases (unless
    ``SALESFORCE_PUBSUB_CASE_TOPIC`` is empty)."""
    from portal.support.events import build_case_subscriber

    subscribers = [build_subscriber()]
    cases = build_case_subscriber()
    if cases is not None:
        subscribers.append(cases)
    return subscribers


def run_subscribers(subscribers: list[PubSubSubscriber]) -> None:
    """Run each subscription in a thread of its own until every one has stopped (``stop()`` on
    each, e.g. from a signal handler). A subscription that fails for good (``PubSubError``: a topic
    the org does not have, no permission) stops the others too and its error is raised here, so a
    process manager sees the subscriber exit and restarts it (each topic resumes from its cursor)."""
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
    if failures:
        raise failures[0]
