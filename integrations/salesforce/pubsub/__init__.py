"""Salesforce Pub/Sub API (gRPC, Avro): subscribe to platform events without losing any.

``PubSubSubscriber`` (``client.py``) runs one subscription; ``fetch_tenant_id`` reads the org id
the API wants as ``tenantid``. The gRPC stubs (``pubsub_api_pb2*.py``) are generated from
``pubsub_api.proto`` by ``scripts/generate-grpc.sh``. See docs/pubsub.md.
"""
from integrations.salesforce.pubsub import pubsub_api_pb2
from integrations.salesforce.pubsub.client import (
    DEFAULT_TARGET,
    DEFAULT_TOPIC,
    PubSubSubscriber,
    ReceivedEvent,
    ReplayStore,
    SubscriberSettings,
)
from integrations.salesforce.pubsub.errors import PubSubAuthError, PubSubDecodeError, PubSubError
from integrations.salesforce.pubsub.flow import MAX_BATCH_SIZE
from integrations.salesforce.pubsub.tenant import fetch_tenant_id

LATEST = pubsub_api_pb2.LATEST
EARLIEST = pubsub_api_pb2.EARLIEST
CUSTOM = pubsub_api_pb2.CUSTOM

__all__ = [
    "CUSTOM",
    "DEFAULT_TARGET",
    "DEFAULT_TOPIC",
    "EARLIEST",
    "LATEST",
    "MAX_BATCH_SIZE",
    "PubSubAuthError",
    "PubSubDecodeError",
    "PubSubError",
    "PubSubSubscriber",
    "ReceivedEvent",
    "ReplayStore",
    "SubscriberSettings",
    "fetch_tenant_id",
]
