"""An emulator of the Salesforce Pub/Sub API (gRPC service ``eventbus.v1.PubSub``).

In process (tests, the demo)::

    from sandbox.salesforce import start_salesforce_sandbox

    rest = start_salesforce_sandbox(env={}, pubsub=True)   # the REST emulator with Pub/Sub attached
    pubsub = rest.app.pubsub                                # a PubSubSandbox
    pubsub.target                                           # "127.0.0.1:<port>" (plaintext gRPC)
    pubsub.publish_order_provision_requested("801...")      # -> replay id (8 bytes)
    rest.app.approve_order("801...")                        # publishes OrderProvisionRequested__e too
    pubsub.kill_streams()                                   # every Subscribe ends with UNAVAILABLE
    rest.stop()                                             # stops both

or on its own: ``start_pubsub_sandbox(port=0, salesforce_app=None, keepalive_seconds=..., retention=...)``.
Standalone: ``python -m sandbox.salesforce.pubsub`` (both emulators). The gRPC stubs are generated
from ``integrations/salesforce/pubsub/pubsub_api.proto`` by ``scripts/generate-grpc.sh`` (the
sandbox may not import ``integrations``). Details: ``sandbox/README.md``.
"""
from .bus import REPLAY_ID_LENGTH, EventBus, ReplayIdError, decode_replay_id, encode_replay_id
from .schemas import (
    CASE_STATUS_UPDATE,
    CASE_STATUS_UPDATE_AVRO,
    CASE_STATUS_UPDATE_SCHEMA,
    CASE_STATUS_UPDATE_TOPIC,
    ORDER_PROVISION_REQUESTED,
    ORDER_PROVISION_REQUESTED_AVRO,
    ORDER_PROVISION_REQUESTED_SCHEMA,
    ORDER_PROVISION_REQUESTED_TOPIC,
    Schema,
)
from .server import DEFAULT_KEEPALIVE_SECONDS, DEFAULT_RETENTION, PubSubSandbox, start_pubsub_sandbox
from .service import AUTH_ERROR, REPLAY_ID_CORRUPTED, Stream, SubscriptionRecord

__all__ = [
    "AUTH_ERROR",
    "CASE_STATUS_UPDATE",
    "CASE_STATUS_UPDATE_AVRO",
    "CASE_STATUS_UPDATE_SCHEMA",
    "CASE_STATUS_UPDATE_TOPIC",
    "DEFAULT_KEEPALIVE_SECONDS",
    "DEFAULT_RETENTION",
    "ORDER_PROVISION_REQUESTED",
    "ORDER_PROVISION_REQUESTED_AVRO",
    "ORDER_PROVISION_REQUESTED_SCHEMA",
    "ORDER_PROVISION_REQUESTED_TOPIC",
    "REPLAY_ID_CORRUPTED",
    "REPLAY_ID_LENGTH",
    "EventBus",
    "PubSubSandbox",
    "ReplayIdError",
    "Schema",
    "Stream",
    "SubscriptionRecord",
    "decode_replay_id",
    "encode_replay_id",
    "start_pubsub_sandbox",
]
