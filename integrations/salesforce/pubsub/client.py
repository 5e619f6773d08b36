"""Subscribe to a Salesforce platform event topic through the Pub/Sub API, without losing events.

    subscriber = PubSubSubscriber(
        SubscriberSettings(target="api.pubsub.salesforce.com:7443"),
        session=connection.session,                    # -> .access_token, .instance_url
        invalidate_session=connection.invalidate_session,
        tenant_id=lambda: tenant_id,                   # fetch_tenant_id(connection), once
        replay_store=store,                            # .load() -> bytes | None
        handler=handle,                                # records the job and the cursor, in one transaction
    )
    subscriber.run()        # blocks; subscriber.stop() from another thread (SIGTERM) ends it

How it behaves (docs/decisions.md §4, docs/pubsub.md):

- It resumes after the stored replay id (``CUSTOM``), or starts at ``first_start_preset`` when
  none is stored. Each event is decoded (Avro, the schema from ``GetSchema`` cached per schema
  id) and handed to ``handler`` **synchronously**; only when the handler returns does the
  subscriber move on. The handler persists the replay id: the cursor moves only with the work.
- Flow control: ``batch_size`` events at a time, the next batch asked for once they are handled.
- Errors: it resubscribes after the last handled event with capped exponential backoff and
  jitter. ``UNAUTHENTICATED`` invalidates the session and signs in again, once; failing again
  right away raises :class:`PubSubAuthError`. A corrupted or expired replay id (``INVALID_ARGUMENT``
  about the replay id) is logged at ERROR and the subscription restarts from
  ``fallback_preset`` (EARLIEST: replayed events are deduplicated by the handler). A handler
  exception is logged and the event is delivered again after the backoff. Permanent errors (an
  unknown topic, no permission) and undecodable payloads raise :class:`PubSubError`.
- :meth:`PubSubSubscriber.stop` is thread-safe: it ends the stream after the event being handled,
  and :meth:`PubSubSubscriber.run` returns.

No Django here: settings, the session and the replay store are handed in.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import grpc

from integrations.salesforce.pubsub import pubsub_api_pb2 as pb2
from integrations.salesforce.pubsub import pubsub_api_pb2_grpc as pb2_grpc
from integrations.salesforce.pubsub.errors import (
    Action,
    PubSubAuthError,
    PubSubError,
    RpcFailure,
    classify,
)
from integrations.salesforce.pubsub.flow import MAX_BATCH_SIZE, Backoff, FlowControl, RequestFeed
from integrations.salesforce.pubsub.schemas import SchemaCache, decode

logger = logging.getLogger(__name__)
FRESH_SESSION_SECONDS = 120
"""An authentication failure this soon after signing in again means the credentials are refused."""

DEFAULT_TOPIC = "/event/OrderProvisionRequested__e"
DEFAULT_TARGET = "api.pubsub.salesforce.com:7443"
ReplayPreset = int
"""``pb2.ReplayPreset`` values: ``pb2.LATEST``, ``pb2.EARLIEST``, ``pb2.CUSTOM``."""


class Session(Protocol):
    """What the session provider returns (``SalesforceConnection.session()`` does)."""

    @property
    def access_token(self) -> str: ...

    @property
    def instance_url(self) -> str: ...


class ReplayStore(Protocol):
    """Where the caller keeps the replay id of the last event it handled (its handler saves it)."""

    def load(self) -> bytes | None: ...


@dataclass(frozen=True)
class ReceivedEvent:
    """One decoded event, as the handler gets it."""

    event_id: str
    """``ProducerEvent.id`` (a UUID): the same event delivered twice has the same id."""
    replay_id: bytes
    """Its position: what the handler saves, in the same transaction as its work."""
    schema_id: str
    payload: dict[str, Any]
    """The Avro record: ``{"CreatedDate": 1795668561000, "CreatedById": "005...", "orderId__c": ...}``."""


@dataclass(frozen=True)
class SubscriberSettings:
    target: str = DEFAULT_TARGET
    """``host:port`` of the Pub/Sub API."""
    topic: str = DEFAULT_TOPIC
    batch_size: int = MAX_BATCH_SIZE
    """Events asked for at a time (1 to 100)."""
    tls: bool = True
    """False only for the sandbox (a plaintext local server)."""
    first_start_preset: ReplayPreset = pb2.LATEST
    """Where to start when no replay id is stored yet."""
    fallback_preset: ReplayPreset = pb2.EARLIEST
    """Where to restart when Salesforce refuses the stored replay id (corrupted, or older than 72 hours)."""
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    rpc_timeout: float = 10.0
    """Seconds for the unary calls (``GetTopic``, ``GetSchema``)."""
    channel_options: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be 1 to {MAX_BATCH_SIZE}")
        for name in ("first_start_preset", "fallback_preset"):
            if getattr(self, name) not in (pb2.LATEST, pb2.EARLIEST):
                raise ValueError(f"{name} must be LATEST or EARLIEST")


class _Stopped(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside the loop when stop() was called."""


class _HandlerFailed(Exception):  # noqa: N818 - wraps the handler's own exception
    pass


@dataclass
class _Cursor:
    """Where the next subscription starts: after the last handled event, else after the stored
    replay id, else at a preset."""

    position: bytes | None = None
    """In memory: the last handled event, or the latest replay id of a caught-up keep-alive."""
    use_fallback: bool = False

    def start(self, store: ReplayStore, settings: SubscriberSettings) -> tuple[ReplayPreset, bytes]:
        if self.use_fallback:
            return settings.fallback_preset, b""
        replay_id = self.position if self.position is not None else store.load()
        if replay_id:
            return pb2.CUSTOM, bytes(replay_id)
        return settings.first_start_preset, b""

    def reset(self) -> None:
        """The stored replay id was refused: forget it and use the fallback preset until an event moves us."""
        self.position = None
        self.use_fallback = True

    def moved_to(self, replay_id: bytes) -> None:
        self.position = replay_id
        self.use_fallback = False


class PubSubSubscriber:
    """A long-running subscription to one topic. ``run()`` blocks; ``stop()`` ends it."""

    def __init__(
        self,
        settings: SubscriberSettings,
        *,
        session: Callable[[], Session],
        tenant_id: Callable[[], str],
        replay_store: ReplayStore,
        handler: Callable[[ReceivedEvent], None],
        invalidate_session: Callable[[Any], None] | None = None,
        checkpoint: Callable[[bytes], None] | None = None,
    ) -> None:
        """``checkpoint`` (optional) is given the latest replay id of a keep-alive that proves the
        subscription is caught up (no event was waiting): saving it keeps a quiet topic's cursor
        inside the 72-hour retention window."""
        self.settings = settings
        self._session = session
        self._tenant_id = tenant_id
        self._store = replay_store
        self._handler = handler
        self._invalidate_session = invalidate_session
        self._checkpoint = checkpoint
        self._stopping = threading.Event()
        self._lock = threading.RLock()  # re-entrant: stop() may run in a signal handler on the run() thread
        self._call: grpc.Future | None = None
        self._feed: RequestFeed | None = None
        self._cursor = _Cursor()
        self._backoff = Backoff(base=settings.backoff_base, cap=settings.backoff_max)
        self._signed_in_again_at: float | None = None
        self._schemas = SchemaCache(self._fetch_schema)
        self._stub: pb2_grpc.PubSubStub | None = None
        self._metadata: tuple[tuple[str, str], ...] = ()
        self._last_session: Any = None
        self.stats = {"events": 0, "keepalives": 0, "requests": 0, "subscriptions": 0, "reauthentications": 0}

    # -- public -------------------------------------------------------------------------------
    def run(self) -> None:
        """Subscribe until :meth:`stop`; raises :class:`PubSubError` on a failure retrying cannot fix."""
        channel = self._open_channel()
        try:
            stub = pb2_grpc.PubSubStub(channel)
            while not self._stopping.is_set():
                try:
                    self._subscribe_once(stub)
                    delay = self._backoff.next_delay()  # the server ended the stream: resubscribe
                    logger.info("pubsub stream ended by the server; resubscribing in %.1f s", delay)
                except _Stopped:
                    break
                except grpc.RpcError as error:
                    delay = self._after_rpc_error(RpcFailure.of(error))
                except _HandlerFailed as failed:
                    delay = self._backoff.next_delay()
                    cause = failed.__cause__
                    if getattr(cause, "expected", False):  # a state the handler knows, e.g. its lease lost
                        logger.warning("pubsub handler declined the event (%s); it will be delivered again "
                                       "in %.1f s", cause, delay)
                    else:
                        logger.error("pubsub handler failed (%s); the event will be delivered again in %.1f s",
                                     cause, delay, exc_info=cause)
                except PubSubError:
                    raise
                except Exception as exc:
                    if not getattr(exc, "retryable", False):
                        raise  # e.g. the JWT sign-in was refused: retrying cannot help
                    delay = self._backoff.next_delay()
                    logger.warning("pubsub could not get a session (%s); retrying in %.1f s", exc, delay)
                self._stopping.wait(delay)
        finally:
            channel.close()
            logger.info("pubsub subscriber stopped")

    def stop(self) -> None:
        """End the subscription (thread-safe, idempotent, fine in a signal handler): the event being
        handled is finished, no further one is started, and ``run()`` returns."""
        self._stopping.set()
        with self._lock:
            call, feed = self._call, self._feed
        if feed is not None:
            feed.close()
        if call is not None:
            call.cancel()

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    # -- one subscription -----------------------------------------------------------------------
    def _subscribe_once(self, stub: pb2_grpc.PubSubStub) -> None:
        self._stub, metadata = stub, self._authenticate()
        topic = stub.GetTopic(pb2.TopicRequest(topic_name=self.settings.topic), metadata=metadata,
                              timeout=self.settings.rpc_timeout)
        if not topic.can_subscribe:
            raise PubSubError(f"the integration user may not subscribe to {self.settings.topic}")

        preset, replay_id = self._cursor.start(self._store, self.settings)
        feed = RequestFeed()
        flow = FlowControl(feed, self.settings.batch_size)
        flow.start(topic=self.settings.topic, preset=preset, replay_id=replay_id)
        call = stub.Subscribe(iter(feed), metadata=metadata)
        with self._lock:
            self._call, self._feed = call, feed
        try:
            if self._stopping.is_set():
                raise _Stopped()
            self.stats["subscriptions"] += 1
            logger.info("pubsub subscribed to %s from %s%s", self.settings.topic, pb2.ReplayPreset.Name(preset),
                        f" after {replay_id.hex()}" if replay_id else "")
            for response in call:
                self._on_response(response, flow)
        except grpc.RpcError:
            if self._stopping.is_set():
                raise _Stopped() from None
            raise
        finally:
            feed.close()
            call.cancel()
            with self._lock:
                self._call = self._feed = None

    def _on_response(self, response: pb2.FetchResponse, flow: FlowControl) -> None:
        self._signed_in_again_at = None  # any answer means the credentials and the replay id were accepted
        flow.received(len(response.events))
        if not response.events:
            self._on_keepalive(response)
        for consumer_event in response.events:
            if self._stopping.is_set():
                raise _Stopped()
            event = self._decode(consumer_event)
            try:
                self._handler(event)
            except Exception as exc:
                raise _HandlerFailed() from exc
            self._cursor.moved_to(event.replay_id)
            self.stats["events"] += 1
        self._backoff.reset()  # only after progress: a handler failing on the same event backs off further each time
        if flow.top_up():
            self.stats["requests"] += 1

    def _on_keepalive(self, response: pb2.FetchResponse) -> None:
        self.stats["keepalives"] += 1
        logger.debug("pubsub keep-alive: latest replay id %s, %d pending", response.latest_replay_id.hex(),
                     response.pending_num_requested)
        # The server could have sent events and sent none: everything up to latest_replay_id was handled.
        if response.pending_num_requested > 0 and response.latest_replay_id:
            self._cursor.moved_to(response.latest_replay_id)
            if self._checkpoint is not None:
                try:
                    self._checkpoint(response.latest_replay_id)
                except Exception:
                    logger.warning("pubsub checkpoint failed; the stored replay id stays where it was", exc_info=True)

    def _decode(self, consumer_event: pb2.ConsumerEvent) -> ReceivedEvent:
        event = consumer_event.event
        payload = decode(event.payload, self._schemas.get(event.schema_id), schema_id=event.schema_id)
        return ReceivedEvent(event_id=event.id, replay_id=consumer_event.replay_id, schema_id=event.schema_id,
                             payload=payload)

    # -- errors ---------------------------------------------------------------------------------
    def _after_rpc_error(self, failure: RpcFailure) -> float:
        """React to a failed call; the seconds to wait before subscribing again."""
        action = classify(failure)
        if action is Action.REAUTHENTICATE:
            now = time.time()
            if self._signed_in_again_at is not None and now - self._signed_in_again_at < FRESH_SESSION_SECONDS:
                raise PubSubAuthError(f"Salesforce refused the credentials after a fresh sign-in: {failure}")
            # A quiet topic may send nothing for a long time: a session that worked that long and
            # expired is signed in again, however long ago the last sign-in was.
            self._signed_in_again_at = now
            self.stats["reauthentications"] += 1
            logger.warning("pubsub authentication failed (%s): signing in again", failure)
            if self._invalidate_session is not None:
                self._invalidate_session(self._last_session)
            return 0.0
        if action is Action.RESET_REPLAY:
            preset = pb2.ReplayPreset.Name(self.settings.fallback_preset)
            logger.error("pubsub refused the replay id to resume from (%s); resubscribing from %s. Events "
                         "older than the retention window may have been missed.", failure, preset)
            self._cursor.reset()
            return 0.0
        if action is Action.GIVE_UP:
            raise PubSubError(f"Pub/Sub API call failed permanently on {self.settings.topic}: {failure}")
        delay = self._backoff.next_delay()
        logger.warning("pubsub stream failed (%s, rpc id %s); resubscribing in %.1f s", failure,
                       failure.rpc_id or "-", delay)
        return delay

    # -- plumbing -------------------------------------------------------------------------------
    def _authenticate(self) -> tuple[tuple[str, str], ...]:
        """The auth metadata of every call: the session's token and instance URL, and the org id."""
        session = self._session()
        self._last_session = session
        self._metadata = (("accesstoken", session.access_token), ("instanceurl", session.instance_url),
                          ("tenantid", self._tenant_id()))
        return self._metadata

    def _fetch_schema(self, schema_id: str) -> str:
        assert self._stub is not None
        info = self._stub.GetSchema(pb2.SchemaRequest(schema_id=schema_id), metadata=self._metadata,
                                    timeout=self.settings.rpc_timeout)
        logger.info("pubsub fetched schema %s", schema_id)
        return info.schema_json

    def _open_channel(self) -> grpc.Channel:
        options = list(self.settings.channel_options)
        if self.settings.tls:
            return grpc.secure_channel(self.settings.target, grpc.ssl_channel_credentials(), options=options)
        return grpc.insecure_channel(self.settings.target, options=options)
