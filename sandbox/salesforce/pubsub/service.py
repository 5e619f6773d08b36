"""The ``eventbus.v1.PubSub`` service: ``GetTopic``, ``GetSchema``, ``Subscribe``, ``Publish``,
``PublishStream``, answering as Salesforce does.

Every call is authenticated from its metadata (``accesstoken``, ``instanceurl``, ``tenantid``); a
failure is ``UNAUTHENTICATED`` with ``error-code: sfdc.platform.eventbus.grpc.service.auth.error``.
Errors carry an ``rpc-id`` trailer and end their message with ``rpcId: <id>``.

``Subscribe`` is pull-based: the server sends at most as many events as the client asked for
(``num_requested``, at most 100 outstanding), sends a keep-alive (no events, the latest replay id,
the pending count) when it has had nothing to send for ``keepalive_seconds``, and checks the
session again at every wake-up, so an expired or revoked token ends the stream with
``UNAUTHENTICATED``. A replay id it cannot resume from ends it with ``INVALID_ARGUMENT`` and
``error-code: sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted``.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

import grpc

from . import pubsub_api_pb2 as pb2
from . import pubsub_api_pb2_grpc as pb2_grpc
from .bus import EventBus, ReplayIdError, StoredEvent, encode_replay_id
from .schemas import Schema

logger = logging.getLogger("sandbox.salesforce.pubsub")

MAX_PENDING = 100
"""Salesforce lets a subscriber have at most 100 events outstanding; more requested is ignored."""
AUTH_ERROR = "sfdc.platform.eventbus.grpc.service.auth.error"
REPLAY_ID_CORRUPTED = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted"
TOPIC_NOT_FOUND = "sfdc.platform.eventbus.grpc.topic.not.found"
SCHEMA_NOT_FOUND = "sfdc.platform.eventbus.grpc.schema.not.found"
BAD_REQUEST = "sfdc.platform.eventbus.grpc.fetch.request.invalid"
STREAM_RESET = "sfdc.platform.eventbus.grpc.service.unavailable"


@dataclass(frozen=True)
class Caller:
    access_token: str = field(repr=False)
    instance_url: str
    tenant_id: str


@dataclass
class Stream:
    """One open ``Subscribe`` call, as the emulator sees it (``PubSubSandbox.streams``)."""

    rpc_id: str
    topic: str
    preset: str
    replay_id: bytes
    position: int
    """The counter of the last event sent."""
    caller: Caller
    credit: int = 0
    """Events the client asked for and has not been sent yet (the pending count)."""
    requested: int = 0
    delivered: int = 0
    max_pending: int = 0
    """The highest the pending count ever was: never above 100, nor above what was asked for."""
    keepalives: int = 0
    error: tuple[grpc.StatusCode, str, str] | None = None
    """Set to end the stream with this status, Salesforce error code and message."""
    done: bool = False
    opened_at: float = field(default_factory=time.time)

    def grant(self, count: int) -> None:
        self.requested += count
        self.credit = min(MAX_PENDING, self.credit + count)
        self.max_pending = max(self.max_pending, self.credit)


@dataclass(frozen=True)
class SubscriptionRecord:
    """How a ``Subscribe`` call started (``PubSubSandbox.subscriptions``), for assertions."""

    rpc_id: str
    topic: str
    preset: str
    replay_id: bytes
    outcome: str
    """``"ok"``, or the gRPC status name it was refused with."""


class PubSubService(pb2_grpc.PubSubServicer):
    def __init__(
        self,
        bus: EventBus,
        schemas: dict[str, Schema],
        *,
        tenant_id: Callable[[], str],
        token_valid: Callable[[str], bool],
        keepalive_seconds: float,
        stopping: threading.Event,
    ) -> None:
        self.bus = bus
        self.schemas = schemas
        self._tenant_id = tenant_id
        self._token_valid = token_valid
        self.keepalive_seconds = keepalive_seconds
        self._stopping = stopping
        self.streams: list[Stream] = []
        self.subscriptions: list[SubscriptionRecord] = []

    # -- unary calls -------------------------------------------------------------------------------
    def GetTopic(self, request: pb2.TopicRequest, context: grpc.ServicerContext) -> pb2.TopicInfo:  # noqa: N802
        rpc_id = _rpc_id()
        self._authenticate(context, rpc_id)
        topic = self._topic(request.topic_name, context, rpc_id)
        return pb2.TopicInfo(topic_name=topic.name, tenant_guid=self._tenant_id(), can_publish=True,
                             can_subscribe=True, schema_id=topic.schema_id, rpc_id=rpc_id)

    def GetSchema(self, request: pb2.SchemaRequest, context: grpc.ServicerContext) -> pb2.SchemaInfo:  # noqa: N802
        rpc_id = _rpc_id()
        self._authenticate(context, rpc_id)
        schema = self.schemas.get(request.schema_id)
        if schema is None:
            _abort(context, grpc.StatusCode.NOT_FOUND, SCHEMA_NOT_FOUND,
                   f"No schema with the ID {request.schema_id!r}.", rpc_id)
        return pb2.SchemaInfo(schema_json=schema.json, schema_id=schema.id, rpc_id=rpc_id)

    def Publish(self, request: pb2.PublishRequest, context: grpc.ServicerContext) -> pb2.PublishResponse:  # noqa: N802
        rpc_id = _rpc_id()
        self._authenticate(context, rpc_id)
        return self._publish(request, context, rpc_id)

    def PublishStream(self, request_iterator: Iterator[pb2.PublishRequest],  # noqa: N802
                      context: grpc.ServicerContext) -> Iterator[pb2.PublishResponse]:
        rpc_id = _rpc_id()
        self._authenticate(context, rpc_id)
        topic_name = ""
        for request in request_iterator:
            topic_name = topic_name or request.topic_name
            if request.topic_name and request.topic_name != topic_name:
                _abort(context, grpc.StatusCode.INVALID_ARGUMENT, BAD_REQUEST,
                       "The topic cannot change within a PublishStream.", rpc_id)
            yield self._publish(pb2.PublishRequest(topic_name=topic_name, events=request.events), context, rpc_id)

    def _publish(self, request: pb2.PublishRequest, context: grpc.ServicerContext,
                 rpc_id: str) -> pb2.PublishResponse:
        topic = self._topic(request.topic_name, context, rpc_id)
        schema = self.schemas[topic.schema_id]
        results = []
        for event in request.events:
            try:
                if event.schema_id != topic.schema_id:
                    raise ValueError(f"the event's schema ID {event.schema_id!r} is not the topic's "
                                     f"({topic.schema_id})")
                schema.decode(event.payload)
            except ValueError as exc:
                results.append(pb2.PublishResult(error=pb2.Error(code=pb2.PUBLISH, msg=str(exc)),
                                                 correlation_key=event.id))
                continue
            stored = self.bus.append(topic.name, schema_id=topic.schema_id, payload=event.payload,
                                     event_id=event.id, headers=tuple((h.key, h.value) for h in event.headers))
            results.append(pb2.PublishResult(replay_id=stored.replay_id, correlation_key=stored.event_id))
        return pb2.PublishResponse(results=results, schema_id=topic.schema_id, rpc_id=rpc_id)

    # -- Subscribe ---------------------------------------------------------------------------------
    def Subscribe(self, request_iterator: Iterator[pb2.FetchRequest],  # noqa: N802
                  context: grpc.ServicerContext) -> Iterator[pb2.FetchResponse]:
        rpc_id = _rpc_id()
        caller = self._authenticate(context, rpc_id)
        first = next(request_iterator, None)
        if first is None:
            return
        stream = self._open(first, caller, context, rpc_id)
        context.add_callback(lambda: self._close(stream))
        threading.Thread(target=self._read_requests, args=(request_iterator, stream, context),
                         name=f"pubsub-requests-{rpc_id[:8]}", daemon=True).start()
        try:
            yield from self._deliver(stream, context)
        finally:
            self._close(stream)

    def _open(self, first: pb2.FetchRequest, caller: Caller, context: grpc.ServicerContext, rpc_id: str) -> Stream:
        preset = pb2.ReplayPreset.Name(first.replay_preset) if first.replay_preset in (0, 1, 2) else "?"
        record = SubscriptionRecord(rpc_id, first.topic_name, preset, first.replay_id, "ok")

        def refuse(code: grpc.StatusCode, error_code: str, message: str) -> NoReturn:
            self.subscriptions.append(SubscriptionRecord(rpc_id, record.topic, preset, record.replay_id, code.name))
            _abort(context, code, error_code, message, rpc_id)

        if not first.topic_name:
            refuse(grpc.StatusCode.INVALID_ARGUMENT, BAD_REQUEST, "The first FetchRequest must name a topic.")
        if self.bus.topic(first.topic_name) is None:
            refuse(grpc.StatusCode.NOT_FOUND, TOPIC_NOT_FOUND, f"Topic {first.topic_name!r} does not exist.")
        if first.num_requested < 0:
            refuse(grpc.StatusCode.INVALID_ARGUMENT, BAD_REQUEST, "num_requested cannot be negative.")
        try:
            if first.replay_preset == pb2.CUSTOM:
                position = self.bus.start_after(first.topic_name, replay_id=first.replay_id)
            else:
                position = self.bus.start_after(first.topic_name, earliest=first.replay_preset == pb2.EARLIEST)
        except ReplayIdError as exc:
            refuse(grpc.StatusCode.INVALID_ARGUMENT, REPLAY_ID_CORRUPTED,
                   f"The Replay ID validation failed: {exc}. Subscribe with a valid replay ID or a preset.")
        stream = Stream(rpc_id, first.topic_name, preset, first.replay_id, position, caller)
        with self.bus.changed:
            stream.grant(first.num_requested)
            self.streams.append(stream)
            self.subscriptions.append(record)
        logger.info("pubsub subscribe %s from %s (rpc %s)", first.topic_name, preset, rpc_id)
        return stream

    def _read_requests(self, requests: Iterator[pb2.FetchRequest], stream: Stream,
                       context: grpc.ServicerContext) -> None:
        """Later FetchRequests only grant more events (their replay settings are ignored, as Salesforce does)."""
        try:
            for request in requests:
                with self.bus.changed:
                    if request.topic_name and request.topic_name != stream.topic:
                        stream.error = (grpc.StatusCode.INVALID_ARGUMENT, BAD_REQUEST,
                                        "The topic cannot change within a Subscribe stream.")
                    elif request.num_requested > 0:
                        stream.grant(request.num_requested)
                    self.bus.changed.notify_all()
        except Exception:  # the call was cancelled or the client went away
            logger.debug("pubsub request stream %s ended", stream.rpc_id, exc_info=True)
        finally:
            self._close(stream)

    def _deliver(self, stream: Stream, context: grpc.ServicerContext) -> Iterator[pb2.FetchResponse]:
        while True:
            response = self._next_response(stream)
            if stream.error is not None:
                _abort(context, *stream.error, stream.rpc_id)
            if response is None:
                return
            yield response

    def _next_response(self, stream: Stream) -> pb2.FetchResponse | None:
        """Wait for something to send: events (within the credit) or a keep-alive. ``None`` when the
        stream ends: the client left, the server stops, or ``stream.error`` was set."""
        deadline = time.monotonic() + self.keepalive_seconds
        with self.bus.changed:
            while True:
                if stream.done or stream.error is not None or self._stopping.is_set():
                    return None
                if not self._token_valid(stream.caller.access_token):
                    stream.error = (grpc.StatusCode.UNAUTHENTICATED, AUTH_ERROR,
                                    "The session expired or is invalid. Authenticate again and resubscribe.")
                    return None
                events = self.bus.after(stream.topic, stream.position, stream.credit) if stream.credit > 0 else []
                if events:
                    return self._events_response(stream, events)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    stream.keepalives += 1
                    return pb2.FetchResponse(latest_replay_id=encode_replay_id(self.bus.latest_counter()),
                                             rpc_id=stream.rpc_id, pending_num_requested=stream.credit)
                # Wake at least every half second: a revoked session makes no noise.
                self.bus.changed.wait(min(remaining, 0.5))

    def _events_response(self, stream: Stream, events: list[StoredEvent]) -> pb2.FetchResponse:
        stream.credit -= len(events)
        stream.delivered += len(events)
        stream.position = events[-1].counter
        consumer_events = [
            pb2.ConsumerEvent(
                event=pb2.ProducerEvent(id=e.event_id, schema_id=e.schema_id, payload=e.payload,
                                        headers=[pb2.EventHeader(key=k, value=v) for k, v in e.headers]),
                replay_id=e.replay_id,
            )
            for e in events
        ]
        return pb2.FetchResponse(events=consumer_events, latest_replay_id=encode_replay_id(self.bus.latest_counter()),
                                 rpc_id=stream.rpc_id, pending_num_requested=stream.credit)

    def _close(self, stream: Stream) -> None:
        with self.bus.changed:
            stream.done = True
            if stream in self.streams:
                self.streams.remove(stream)
            self.bus.changed.notify_all()

    def kill_streams(self) -> int:
        """End every open ``Subscribe`` with ``UNAVAILABLE`` (clients must resubscribe); how many."""
        with self.bus.changed:
            open_streams = [s for s in self.streams if not s.done]
            for stream in open_streams:
                stream.error = (grpc.StatusCode.UNAVAILABLE, STREAM_RESET, "The stream was reset by the server.")
            self.bus.changed.notify_all()
        return len(open_streams)

    # -- helpers -----------------------------------------------------------------------------------
    def _authenticate(self, context: grpc.ServicerContext, rpc_id: str) -> Caller:
        metadata: dict[str, Any] = {key.lower(): value for key, value in context.invocation_metadata()}
        caller = Caller(str(metadata.get("accesstoken") or ""), str(metadata.get("instanceurl") or ""),
                        str(metadata.get("tenantid") or ""))
        if not (caller.access_token and caller.instance_url and caller.tenant_id):
            _abort(context, grpc.StatusCode.UNAUTHENTICATED, AUTH_ERROR,
                   "Provide accesstoken, instanceurl and tenantid metadata headers.", rpc_id)
        org_id = self._tenant_id()
        if caller.tenant_id not in (org_id, org_id[:15]):
            _abort(context, grpc.StatusCode.UNAUTHENTICATED, AUTH_ERROR,
                   "The tenant ID does not match the org of the access token.", rpc_id)
        if not self._token_valid(caller.access_token):
            _abort(context, grpc.StatusCode.UNAUTHENTICATED, AUTH_ERROR,
                   "The session expired or is invalid. Authenticate again.", rpc_id)
        return caller

    def _topic(self, name: str, context: grpc.ServicerContext, rpc_id: str):
        topic = self.bus.topic(name)
        if topic is None:
            _abort(context, grpc.StatusCode.NOT_FOUND, TOPIC_NOT_FOUND, f"Topic {name!r} does not exist.", rpc_id)
        return topic


def _rpc_id() -> str:
    return str(uuid.uuid4())


def _abort(context: grpc.ServicerContext, code: grpc.StatusCode, error_code: str, message: str,
           rpc_id: str) -> NoReturn:
    context.set_trailing_metadata((("error-code", error_code), ("rpc-id", rpc_id)))
    context.abort(code, f"{message} rpcId: {rpc_id}")
    raise AssertionError("unreachable: context.abort raises")
