"""The Pub/Sub emulator as a running gRPC server, its Python API and its HTTP control endpoints."""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from concurrent import futures
from datetime import datetime
from typing import Any

import grpc

from sandbox.common import Request, Response, json_response

from ..seed import INTEGRATION_USER_ID, ORG_ID
from . import pubsub_api_pb2_grpc as pb2_grpc
from .bus import EventBus, StoredEvent, decode_replay_id
from .schemas import (
    CASE_STATUS_UPDATE_AVRO,
    CASE_STATUS_UPDATE_TOPIC,
    ORDER_PROVISION_REQUESTED_AVRO,
    ORDER_PROVISION_REQUESTED_TOPIC,
    Schema,
)
from .service import PubSubService, Stream, SubscriptionRecord

logger = logging.getLogger("sandbox.salesforce.pubsub")

DEFAULT_KEEPALIVE_SECONDS = 30.0
"""Salesforce sends a keep-alive within 270 seconds of nothing to deliver; shorter here, configurable."""
DEFAULT_RETENTION = 10_000
"""Events kept per topic (Salesforce keeps 72 hours' worth)."""


class PubSubSandbox:
    """A running Pub/Sub emulator: ``target`` to connect to, ``publish_*`` to put events on the bus,
    ``kill_streams()`` to drop every subscription, ``stop()`` to shut it down.

    Attached to the REST emulator (``salesforce_app``), it accepts only that emulator's live access
    tokens and its org id as ``tenantid``; approving an order there publishes
    ``OrderProvisionRequested__e`` here. Standalone, any non-empty token is accepted.
    """

    def __init__(
        self,
        *,
        salesforce_app: Any = None,
        keepalive_seconds: float = DEFAULT_KEEPALIVE_SECONDS,
        retention: int = DEFAULT_RETENTION,
        tenant_id: str | None = None,
        max_workers: int = 16,
    ) -> None:
        self.salesforce_app = salesforce_app
        self.bus = EventBus(retention)
        self.schemas: dict[str, Schema] = {ORDER_PROVISION_REQUESTED_AVRO.id: ORDER_PROVISION_REQUESTED_AVRO,
                                           CASE_STATUS_UPDATE_AVRO.id: CASE_STATUS_UPDATE_AVRO}
        self.bus.add_topic(ORDER_PROVISION_REQUESTED_TOPIC, ORDER_PROVISION_REQUESTED_AVRO.id)
        self.bus.add_topic(CASE_STATUS_UPDATE_TOPIC, CASE_STATUS_UPDATE_AVRO.id)
        self._tenant_id = tenant_id
        self._stopping = threading.Event()
        self.service = PubSubService(self.bus, self.schemas, tenant_id=self.tenant_id, token_valid=self._token_valid,
                                     keepalive_seconds=keepalive_seconds, stopping=self._stopping)
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers,
                                                              thread_name_prefix="sandbox-pubsub"))
        pb2_grpc.add_PubSubServicer_to_server(self.service, self._server)
        self.host = "127.0.0.1"
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self, port: int = 0, host: str = "127.0.0.1") -> PubSubSandbox:
        self.host = host
        self.port = self._server.add_insecure_port(f"{host}:{port}")
        if self.port == 0:
            raise OSError(f"could not bind the Pub/Sub sandbox to {host}:{port}")
        self._server.start()
        if self.salesforce_app is not None:
            self.salesforce_app.pubsub = self
        logger.info("pubsub sandbox on %s", self.target)
        return self

    @property
    def target(self) -> str:
        """``host:port`` for a gRPC channel (plaintext)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "[::]") else self.host  # noqa: S104 - a name, not a bind
        return f"{host}:{self.port}"

    def stop(self, grace: float | None = None) -> None:
        """Stop serving (idempotent): open streams end, the REST emulator lets go of it."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self.bus.changed:
            self.bus.changed.notify_all()
        if self.salesforce_app is not None and getattr(self.salesforce_app, "pubsub", None) is self:
            self.salesforce_app.pubsub = None
        self._server.stop(grace).wait(5)

    def wait(self) -> None:
        """Block until the server stops (the standalone entry point)."""
        self._server.wait_for_termination()

    def __enter__(self) -> PubSubSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- auth --------------------------------------------------------------------------------------
    def tenant_id(self) -> str:
        if self._tenant_id is not None:
            return self._tenant_id
        return getattr(self.salesforce_app, "org_id", ORG_ID)

    def _token_valid(self, token: str) -> bool:
        if self.salesforce_app is None:
            return bool(token)
        return self.salesforce_app.sessions.valid(token)

    # -- publishing --------------------------------------------------------------------------------
    def publish_order_provision_requested(
        self,
        order_id: str,
        idem_key: str | None = None,
        *,
        created_at: datetime | None = None,
        created_by_id: str = INTEGRATION_USER_ID,
        event_id: str = "",
    ) -> bytes:
        """Publish ``OrderProvisionRequested__e`` (as a Salesforce flow would on approval); its replay id."""
        millis = int(created_at.timestamp() * 1000) if created_at is not None else int(time.time() * 1000)
        payload = ORDER_PROVISION_REQUESTED_AVRO.encode({
            "CreatedDate": millis, "CreatedById": created_by_id, "orderId__c": order_id, "idemKey__c": idem_key,
        })
        event = self.bus.append(ORDER_PROVISION_REQUESTED_TOPIC, schema_id=ORDER_PROVISION_REQUESTED_AVRO.id,
                                payload=payload, event_id=event_id)
        logger.info("pubsub published %s for %s (replay %s)", ORDER_PROVISION_REQUESTED_TOPIC, order_id,
                    event.replay_id.hex())
        return event.replay_id

    def order_approved(self, approval: Any) -> bytes:
        """The REST emulator's hook: an approved order (``OrderApproval``) is published."""
        return self.publish_order_provision_requested(approval.order_id, approval.idempotency_key,
                                                      created_at=approval.approved_at)

    def publish_case_status_update(
        self,
        case_id: str,
        account_id: str | None,
        status: str | None,
        *,
        created_at: datetime | None = None,
        created_by_id: str = INTEGRATION_USER_ID,
        event_id: str = "",
    ) -> bytes:
        """Publish ``Case_Status_Update__e`` (as the org's flow does when staff change a case); its replay id."""
        millis = int(created_at.timestamp() * 1000) if created_at is not None else int(time.time() * 1000)
        payload = CASE_STATUS_UPDATE_AVRO.encode({
            "CreatedDate": millis, "CreatedById": created_by_id, "caseId__c": case_id, "accountId__c": account_id,
            "status__c": status,
        })
        event = self.bus.append(CASE_STATUS_UPDATE_TOPIC, schema_id=CASE_STATUS_UPDATE_AVRO.id, payload=payload,
                                event_id=event_id)
        logger.info("pubsub published %s for %s (replay %s)", CASE_STATUS_UPDATE_TOPIC, case_id,
                    event.replay_id.hex())
        return event.replay_id

    def case_updated(self, update: Any) -> bytes:
        """The REST emulator's hook: staff changed a case (``sandbox.salesforce.cases.CaseUpdate``)."""
        return self.publish_case_status_update(update.case_id, update.account_id, update.status,
                                               created_at=update.changed_at)

    # -- inspection and control --------------------------------------------------------------------
    def events(self, topic: str = ORDER_PROVISION_REQUESTED_TOPIC) -> list[dict[str, Any]]:
        """The retained events of a topic, decoded, oldest first."""
        return [self._event_json(event) for event in self.bus.events(topic)]

    @property
    def streams(self) -> list[Stream]:
        """The open ``Subscribe`` streams."""
        with self.bus.changed:
            return [stream for stream in self.service.streams if not stream.done]

    @property
    def subscriptions(self) -> list[SubscriptionRecord]:
        """Every ``Subscribe`` call so far and how it started."""
        with self.bus.changed:
            return list(self.service.subscriptions)

    def kill_streams(self) -> int:
        """End every open ``Subscribe`` with ``UNAVAILABLE``; how many were open."""
        return self.service.kill_streams()

    def purge(self) -> int:
        """Expire every retained event (stored replay ids before them become invalid); how many."""
        return self.bus.purge()

    def reset(self) -> None:
        """The REST emulator's reset: retained events expire and the call log is forgotten."""
        self.purge()
        with self.bus.changed:
            self.service.subscriptions.clear()

    def http_control(self, request: Request, route: str) -> Response:
        """``/__sandbox__/pubsub/<route>`` on the REST emulator it is attached to."""
        method = request.method
        if route == "" and method == "GET":
            return json_response({
                "target": self.target, "tenant_id": self.tenant_id(),
                "topics": {ORDER_PROVISION_REQUESTED_TOPIC: ORDER_PROVISION_REQUESTED_AVRO.id,
                           CASE_STATUS_UPDATE_TOPIC: CASE_STATUS_UPDATE_AVRO.id},
                "streams": len(self.streams), "latest_replay_id": f"{self.bus.latest_counter():016x}",
            })
        if route == "events" and method == "GET":
            topic = request.query.get("topic") or ORDER_PROVISION_REQUESTED_TOPIC
            if self.bus.topic(topic) is None:
                return json_response({"error": f"no such topic: {topic}"}, 404)
            return json_response(self.events(topic))
        if route == "kill-streams" and method == "POST":
            return json_response({"killed": self.kill_streams()})
        if route == "purge" and method == "POST":
            return json_response({"purged": self.purge()})
        if route == "publish" and method == "POST":
            body = request.json
            if not isinstance(body, dict) or not isinstance(body.get("order_id"), str):
                return json_response({"error": 'send {"order_id": "801...", "idem_key": null}'}, 400)
            idem_key = body.get("idem_key")
            replay_id = self.publish_order_provision_requested(
                body["order_id"], idem_key if isinstance(idem_key, str) else None)
            return json_response({"replay_id": replay_id.hex()}, 201)
        return json_response({"error": f"no such Pub/Sub control: {method} {route or '/'}"}, 404)

    def _event_json(self, event: StoredEvent) -> dict[str, Any]:
        return {"replay_id": event.replay_id.hex(), "counter": decode_replay_id(event.replay_id),
                "event_id": event.event_id, "schema_id": event.schema_id,
                "payload": self.schemas[event.schema_id].decode(event.payload)}


def start_pubsub_sandbox(
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    salesforce_app: Any = None,
    env: Mapping[str, str] | None = None,
    keepalive_seconds: float | None = None,
    retention: int | None = None,
    tenant_id: str | None = None,
    max_workers: int = 16,
) -> PubSubSandbox:
    """Serve a fresh Pub/Sub emulator from gRPC's own threads; ``handle.target`` is ``"127.0.0.1:<port>"``.

    With ``salesforce_app`` (a running ``SalesforceSandbox``) it is attached to it: only that
    emulator's live access tokens and org id are accepted, approvals there publish here, and
    ``/__sandbox__/pubsub/...`` reaches it. ``keepalive_seconds`` and ``retention`` default to
    ``SANDBOX_PUBSUB_KEEPALIVE_SECONDS`` / ``SANDBOX_PUBSUB_RETENTION`` (``env``, else ``os.environ``),
    else 30 s and 10,000 events.
    """
    environ = os.environ if env is None else env
    if keepalive_seconds is None:
        keepalive_seconds = float(environ.get("SANDBOX_PUBSUB_KEEPALIVE_SECONDS") or DEFAULT_KEEPALIVE_SECONDS)
    if retention is None:
        retention = int(environ.get("SANDBOX_PUBSUB_RETENTION") or DEFAULT_RETENTION)
    sandbox = PubSubSandbox(salesforce_app=salesforce_app, keepalive_seconds=keepalive_seconds, retention=retention,
                            tenant_id=tenant_id, max_workers=max_workers)
    return sandbox.start(port, host)
