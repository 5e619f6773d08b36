"""The Pub/Sub client's parts on their own: the generated stubs, error classification, backoff,
flow control, the schema cache and decoding, and the tenant id query."""
from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import fastavro
import grpc
import pytest

from integrations.salesforce.pubsub import PubSubDecodeError, fetch_tenant_id
from integrations.salesforce.pubsub import pubsub_api_pb2 as pb2
from integrations.salesforce.pubsub.errors import Action, RpcFailure, classify
from integrations.salesforce.pubsub.flow import Backoff, FlowControl, RequestFeed
from integrations.salesforce.pubsub.schemas import SchemaCache, decode

ROOT = Path(__file__).resolve().parents[3]
STUBS = ("pubsub_api_pb2.py", "pubsub_api_pb2.pyi", "pubsub_api_pb2_grpc.py")
SCHEMA = {"type": "record", "name": "OrderProvisionRequested__e", "namespace": "com.sforce.eventbus", "fields": [
    {"name": "CreatedDate", "type": "long"}, {"name": "CreatedById", "type": "string"},
    {"name": "orderId__c", "type": ["null", "string"], "default": None},
    {"name": "idemKey__c", "type": ["null", "string"], "default": None}]}


# -- the generated stubs ----------------------------------------------------------------------------


def test_the_committed_stubs_are_what_the_script_generates():
    result = subprocess.run(["bash", "scripts/generate-grpc.sh", "--check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 0, result.stderr


def test_the_client_and_the_sandbox_carry_identical_stubs_with_a_package_relative_import():
    for stub in STUBS:
        client = (ROOT / "integrations/salesforce/pubsub" / stub).read_bytes()
        assert client == (ROOT / "sandbox/salesforce/pubsub" / stub).read_bytes(), stub
    grpc_module = (ROOT / "integrations/salesforce/pubsub/pubsub_api_pb2_grpc.py").read_text()
    assert "from . import pubsub_api_pb2 as" in grpc_module
    assert "\nimport pubsub_api_pb2" not in grpc_module


def test_the_interface_is_salesforces():
    service = pb2.DESCRIPTOR.services_by_name["PubSub"]
    assert pb2.DESCRIPTOR.package == "eventbus.v1"
    assert {m.name for m in service.methods} >= {"Subscribe", "GetSchema", "GetTopic", "Publish", "PublishStream"}
    assert (pb2.LATEST, pb2.EARLIEST, pb2.CUSTOM) == (0, 1, 2)
    fields = {f.name: (f.number, f.type) for f in pb2.FetchRequest.DESCRIPTOR.fields}
    assert fields == {"topic_name": (1, 9), "replay_preset": (2, 14), "replay_id": (3, 12), "num_requested": (4, 5),
                      "auth_refresh": (5, 9)}
    fields = {f.name: f.number for f in pb2.FetchResponse.DESCRIPTOR.fields}
    assert fields == {"events": 1, "latest_replay_id": 2, "rpc_id": 3, "pending_num_requested": 4}
    assert {f.name: f.number for f in pb2.ProducerEvent.DESCRIPTOR.fields} == {
        "id": 1, "schema_id": 2, "payload": 3, "headers": 4}


# -- errors -----------------------------------------------------------------------------------------


def failure(code, details="", error_code=""):
    return RpcFailure(code=code, details=details, error_code=error_code, rpc_id="rpc-1")


@pytest.mark.parametrize(("rpc_failure", "action"), [
    (failure(grpc.StatusCode.UNAUTHENTICATED), Action.REAUTHENTICATE),
    (failure(grpc.StatusCode.UNKNOWN, error_code="sfdc.platform.eventbus.grpc.service.auth.error"),
     Action.REAUTHENTICATE),
    (failure(grpc.StatusCode.INVALID_ARGUMENT,
             error_code="sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted"), Action.RESET_REPLAY),
    (failure(grpc.StatusCode.INVALID_ARGUMENT, "The Replay ID validation failed."), Action.RESET_REPLAY),
    (failure(grpc.StatusCode.INVALID_ARGUMENT, "The topic cannot change."), Action.GIVE_UP),
    (failure(grpc.StatusCode.NOT_FOUND, "no such topic"), Action.GIVE_UP),
    (failure(grpc.StatusCode.PERMISSION_DENIED), Action.GIVE_UP),
    (failure(grpc.StatusCode.UNAVAILABLE), Action.RETRY),
    (failure(grpc.StatusCode.INTERNAL), Action.RETRY),
    (failure(grpc.StatusCode.RESOURCE_EXHAUSTED), Action.RETRY),
    (failure(None), Action.RETRY),
])
def test_each_grpc_error_has_its_reaction(rpc_failure, action):
    assert classify(rpc_failure) is action


def test_a_failure_names_its_status_and_salesforce_code():
    text = str(failure(grpc.StatusCode.INVALID_ARGUMENT, "bad replay", "sfdc.x.replayid.corrupted"))

    assert text == "INVALID_ARGUMENT: bad replay [sfdc.x.replayid.corrupted]"


# -- backoff and flow control -----------------------------------------------------------------------


def test_backoff_grows_exponentially_up_to_the_cap_with_jitter_and_resets():
    backoff = Backoff(base=0.5, cap=4.0)
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    delays = [backoff.next_delay() for _ in ceilings]

    assert all(0 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings, strict=True))
    assert len({round(d, 6) for d in delays}) > 1  # jittered
    backoff.reset()
    assert backoff.next_delay() <= 0.5


def test_flow_control_asks_for_more_only_when_nothing_is_outstanding():
    feed = RequestFeed()
    flow = FlowControl(feed, batch_size=3)
    flow.start(topic="/event/X__e", preset=pb2.CUSTOM, replay_id=b"\x00" * 8)

    flow.received(2)
    assert flow.top_up() is False
    flow.received(1)
    assert flow.top_up() is True
    assert flow.outstanding == 3
    feed.close()

    sent = list(feed)
    assert [(r.topic_name, r.replay_preset, r.replay_id, r.num_requested) for r in sent] == [
        ("/event/X__e", pb2.CUSTOM, b"\x00" * 8, 3), ("", pb2.LATEST, b"", 3)]


# -- schemas and decoding ---------------------------------------------------------------------------


def encode(record, schema=SCHEMA):
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), record)
    return buffer.getvalue()


def test_a_schema_is_fetched_once_per_schema_id():
    fetched = []
    cache = SchemaCache(lambda schema_id: fetched.append(schema_id) or json.dumps(SCHEMA))

    for _ in range(3):
        cache.get("schema-a")
    cache.get("schema-b")

    assert fetched == ["schema-a", "schema-b"]


def test_a_payload_without_a_container_header_is_decoded():
    record = {"CreatedDate": 1795668561000, "CreatedById": "005Dn00009v0qvoIAA", "orderId__c": "8015g0000eKOmXRAA1",
              "idemKey__c": None}
    schema = SchemaCache(lambda _: json.dumps(SCHEMA)).get("s")

    assert decode(encode(record), schema) == record


@pytest.mark.parametrize("payload", [b"", b"\x02", encode({"CreatedDate": 1, "CreatedById": "x", "orderId__c": None,
                                                           "idemKey__c": None}) + b"\x00"])
def test_a_payload_that_does_not_fit_the_schema_is_a_decode_error(payload):
    schema = SchemaCache(lambda _: json.dumps(SCHEMA)).get("s")

    with pytest.raises(PubSubDecodeError):
        decode(payload, schema, schema_id="s")


def test_a_schema_that_is_not_avro_is_a_decode_error():
    with pytest.raises(PubSubDecodeError, match="not a valid Avro schema"):
        SchemaCache(lambda _: '{"type": "nonsense"}').get("s")


# -- tenant id --------------------------------------------------------------------------------------


class FakeConnection:
    def __init__(self, answer):
        self.answer, self.queries = answer, []

    def query(self, soql):
        self.queries.append(soql)
        return self.answer


def test_the_tenant_id_is_the_org_id_from_the_organization_query():
    connection = FakeConnection({"totalSize": 1, "done": True, "records": [
        {"attributes": {"type": "Organization"}, "Id": "00DDn00009w8Mqd"}]})

    assert fetch_tenant_id(connection) == "00DDn00009w8MqdMAE"
    assert connection.queries == ["SELECT Id FROM Organization"]
