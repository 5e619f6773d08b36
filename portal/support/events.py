"""``Case_Status_Update__e``: staff changed a case in Salesforce, so the portal forgets what it
cached of that customer's cases. Received by the Platform Event subscriber on its second topic,
with a replay cursor of its own (``EventCursor`` of the topic): a restart resumes after the last
event handled, and a replayed event only forgets once more (docs/pubsub.md, docs/support.md).
"""
import logging

from django.conf import settings

from domain.shared.errors import MappingError
from domain.support.providers.salesforce import transform_case_status_update
from integrations.salesforce.pubsub import (
    EARLIEST,
    LATEST,
    PubSubSubscriber,
    ReceivedEvent,
    SubscriberSettings,
    fetch_tenant_id,
)
from portal.accounts.models import Customer
from portal.core.cache import CacheUnavailable
from portal.core.connections import salesforce_connection, salesforce_pubsub_target
from portal.provisioning.subscriber import DatabaseReplayStore, Fence
from portal.support.selectors import forget_cases

logger = logging.getLogger(__name__)


def handle_case_event(event: ReceivedEvent, store: DatabaseReplayStore) -> None:
    """Forget the cached cases of the case's customer, then move the cursor. When the cache cannot
    be reached the handler fails and the event comes again (nothing may stay cached stale); a
    malformed event is logged and skipped, so it cannot block the topic."""
    try:
        update = transform_case_status_update(event.payload, event_id=event.event_id, replay_id=event.replay_id)
    except MappingError as exc:
        logger.error("skipping malformed case event %s: %s", event.event_id, exc)
        store.save(event.replay_id)
        return
    users = list(Customer.objects.filter(salesforce_account_id=update.account_id).values_list("user_id", flat=True))
    for user_id in users:
        if not forget_cases(user_id):
            raise CacheUnavailable(f"the cache could not be reached to forget user {user_id}'s cases")
    store.save(event.replay_id)  # fenced by the lease, in a transaction of its own
    logger.info("case event %s: case %s is %s now; %d customer(s) will see it", event.event_id, update.case_id,
                update.status or "unchanged", len(users))


def build_case_subscriber(fence: Fence | None = None) -> PubSubSubscriber | None:
    """The subscription to ``SALESFORCE_PUBSUB_CASE_TOPIC`` (None when it is set empty: off); its
    cursor writes checked by ``fence`` (the subscriber lease) when given."""
    topic = settings.SALESFORCE_PUBSUB_CASE_TOPIC
    if not topic:
        return None
    connection = salesforce_connection()
    target, tls = salesforce_pubsub_target()
    store = DatabaseReplayStore(topic, fence)
    presets = {"LATEST": LATEST, "EARLIEST": EARLIEST}
    return PubSubSubscriber(
        SubscriberSettings(
            target=target, topic=topic, tls=tls, batch_size=settings.SALESFORCE_PUBSUB_BATCH_SIZE,
            first_start_preset=presets[settings.SALESFORCE_PUBSUB_CASE_FIRST_START],
            fallback_preset=EARLIEST,  # replaying case events only forgets caches again: harmless
        ),
        session=connection.session,
        tenant_id=lambda: fetch_tenant_id(connection),
        replay_store=store,
        handler=lambda event: handle_case_event(event, store),
        invalidate_session=connection.invalidate_session,
        checkpoint=store.save,
    )
