"""The Pub/Sub API emulator driven over real gRPC with the raw stubs, the way Salesforce's own
Pub/Sub API answers: topics and schemas, auth metadata, publishing, replay presets, flow control,
keep-alives, refused replay ids, dropped streams, and the REST emulator's approvals."""
from __future__ import annotations

import io
import json
import queue
import time

import fastavro
import grpc
import pytest
import requests

from sandbox.salesforce import ORG_ID, generate_demo_keypair, start_salesforce_sandbox
from sandbox.salesforce.pubsub import (
    AUTH_ERROR,
    ORDER_PROVISION_REQUESTED_AVRO,
    ORDER_PROVISION_REQUESTED_TOPIC,
    REPLAY_ID_CORRUPTED,
    decode_replay_id,
    encode_replay_id,
    start_pubsub_sandbox,
)
from sandbox.salesforce.pubsub import pubsub_api_pb2 as pb2
from sandbox.salesforce.pubsub import pubsub_api_pb2_grpc as pb2_grpc

TOPIC = ORDER_PROVISION_REQUESTED_TOPIC
ORDER = "8015g0000eKOmXRAA1"
KEEPALIVE = 0.2
_, PUBLIC_PEM = generate_demo_keypair()


@pytest.fixture(scope="module")
def salesforce_sandbox():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, pubsub={"keepalive_seconds": KEEPALIVE})
    yield handle
    handle.stop()


@pytest.fixture
def pubsub(salesforce_sandbox):
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    yield salesforce_sandbox.app.pubsub
    salesforce_sandbox.app.pubsub.kill_streams()


@pytest.fixture(scope="module")
def stub(salesforce_sandbox):
    channel = grpc.insecure_channel(salesforce_sandbox.app.pubsub.target)
    yield pb2_grpc.PubSubStub(channel)
    channel.close()


@pytest.fixture
def auth(salesforce_sandbox):
    """Valid metadata: a live access token of the REST emulator, its URL and org id."""
    token = salesforce_sandbox.app.sessions.issue()
    return (("accesstoken", token), ("instanceurl", salesforce_sandbox.url), ("tenantid", ORG_ID))


class Subscription:
    """A raw Subscribe stream: ``request(n)`` grants more, ``next()`` reads the next response."""

    def __init__(self, stub, metadata, first: pb2.FetchRequest) -> None:
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._requests.put(first)
        self.call = stub.Subscribe(iter(self._requests.get, None), metadata=metadata)

    def request(self, count: int) -> None:
        self._requests.put(pb2.FetchRequest(num_requested=count))

    def next(self) -> pb2.FetchResponse:
        return next(self.call)

    def next_with_events(self) -> pb2.FetchResponse:
        """The next response that has events (keep-alives skipped)."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            response = self.next()
            if response.events:
                return response
        raise AssertionError("no events")

    def next_events(self) -> list[pb2.ConsumerEvent]:
        return list(self.next_with_events().events)

    def close(self) -> None:
        self._requests.put(None)
        self.call.cancel()


@pytest.fixture
def subscribe(stub, auth):
    opened: list[Subscription] = []

    def subscribe(preset=pb2.LATEST, replay_id=b"", num_requested=10, topic=TOPIC, metadata=None) -> Subscription:
        first = pb2.FetchRequest(topic_name=topic, replay_preset=preset, replay_id=replay_id,
                                 num_requested=num_requested)
        opened.append(Subscription(stub, auth if metadata is None else metadata, first))
        return opened[-1]

    yield subscribe
    for subscription in opened:
        subscription.close()


def payload(event: pb2.ConsumerEvent) -> dict:
    return ORDER_PROVISION_REQUESTED_AVRO.decode(event.event.payload)


def trailers(error: grpc.RpcError) -> dict[str, str]:
    return dict(error.trailing_metadata())


def wait_for_stream(pubsub, count: int = 1) -> None:
    deadline = time.monotonic() + 5
    while len(pubsub.streams) < count:
        assert time.monotonic() < deadline, "the stream did not open"
        time.sleep(0.01)


# -- topics, schemas, auth --------------------------------------------------------------------------


def test_get_topic_and_get_schema_describe_the_platform_event(stub, auth):
    topic = stub.GetTopic(pb2.TopicRequest(topic_name=TOPIC), metadata=auth)
    assert (topic.topic_name, topic.tenant_guid, topic.can_subscribe, topic.can_publish) == (TOPIC, ORG_ID, True, True)
    assert topic.rpc_id

    schema = stub.GetSchema(pb2.SchemaRequest(schema_id=topic.schema_id), metadata=auth)
    definition = json.loads(schema.schema_json)
    assert schema.schema_id == topic.schema_id and len(schema.schema_id) == 22
    assert (definition["type"], definition["name"], definition["namespace"]) == (
        "record", "OrderProvisionRequested__e", "com.sforce.eventbus")
    assert [(f["name"], f["type"]) for f in definition["fields"]] == [
        ("CreatedDate", "long"), ("CreatedById", "string"),
        ("orderId__c", ["null", "string"]), ("idemKey__c", ["null", "string"])]
    fastavro.parse_schema(definition)


def test_unknown_topics_and_schemas_are_not_found(stub, auth):
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetTopic(pb2.TopicRequest(topic_name="/event/Nope__e"), metadata=auth)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetSchema(pb2.SchemaRequest(schema_id="nope"), metadata=auth)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("bad", ["no metadata", "unknown token", "other tenant", "no instance url"])
def test_calls_without_valid_credentials_are_unauthenticated(stub, auth, bad):
    metadata = dict(auth)
    if bad == "no metadata":
        metadata = {}
    elif bad == "unknown token":
        metadata["accesstoken"] = "00DDn00009w8Mqd!forged"
    elif bad == "other tenant":
        metadata["tenantid"] = "00D000000000001AAA"
    else:
        del metadata["instanceurl"]

    with pytest.raises(grpc.RpcError) as caught:
        stub.GetTopic(pb2.TopicRequest(topic_name=TOPIC), metadata=tuple(metadata.items()))

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert trailers(caught.value)["error-code"] == AUTH_ERROR
    assert "rpcId: " in caught.value.details() and trailers(caught.value)["rpc-id"]


def test_the_15_character_org_id_is_accepted_as_tenant_id(stub, auth):
    metadata = dict(auth) | {"tenantid": ORG_ID[:15]}

    assert stub.GetTopic(pb2.TopicRequest(topic_name=TOPIC), metadata=tuple(metadata.items())).topic_name == TOPIC


def test_an_expired_session_ends_an_open_stream(pubsub, subscribe, salesforce_sandbox):
    subscription = subscribe()
    wait_for_stream(pubsub)

    requests.post(f"{salesforce_sandbox.url}/__sandbox__/expire-sessions", timeout=5).raise_for_status()

    with pytest.raises(grpc.RpcError) as caught:
        while True:
            subscription.next()
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_standalone_it_accepts_any_token_for_its_tenant():
    with start_pubsub_sandbox(env={}, tenant_id="00D000000000001AAA") as standalone:
        channel = grpc.insecure_channel(standalone.target)
        metadata = (("accesstoken", "anything"), ("instanceurl", "https://x.example"),
                    ("tenantid", "00D000000000001AAA"))
        topic = pb2_grpc.PubSubStub(channel).GetTopic(pb2.TopicRequest(topic_name=TOPIC), metadata=metadata)
        channel.close()
    assert topic.can_subscribe


# -- publishing -------------------------------------------------------------------------------------


def encoded(order_id=ORDER, idem_key=None):
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(json.loads(ORDER_PROVISION_REQUESTED_AVRO.json)), {
        "CreatedDate": 1795668561000, "CreatedById": "005Dn00009v0qvoIAA", "orderId__c": order_id,
        "idemKey__c": idem_key})
    return buffer.getvalue()


def test_publish_assigns_increasing_8_byte_replay_ids_and_rejects_bad_events(pubsub, stub, auth):
    schema_id = ORDER_PROVISION_REQUESTED_AVRO.id
    response = stub.Publish(pb2.PublishRequest(topic_name=TOPIC, events=[
        pb2.ProducerEvent(id="evt-1", schema_id=schema_id, payload=encoded()),
        pb2.ProducerEvent(schema_id=schema_id, payload=encoded(idem_key="k")),
        pb2.ProducerEvent(id="evt-3", schema_id=schema_id, payload=b"\x02"),
        pb2.ProducerEvent(id="evt-4", schema_id="other", payload=encoded()),
    ]), metadata=auth)

    ok, generated, truncated, wrong_schema = response.results
    assert response.schema_id == schema_id
    assert ok.correlation_key == "evt-1" and len(ok.replay_id) == 8
    assert len(generated.correlation_key) == 36  # a UUID when the publisher gave no id
    assert decode_replay_id(generated.replay_id) == decode_replay_id(ok.replay_id) + 1
    assert truncated.error.code == pb2.PUBLISH and not truncated.replay_id
    assert wrong_schema.error.code == pb2.PUBLISH and "schema" in wrong_schema.error.msg
    assert [e["event_id"] for e in pubsub.events()] == ["evt-1", generated.correlation_key]


def test_the_python_api_publishes_the_event_a_salesforce_flow_would(pubsub):
    replay_id = pubsub.publish_order_provision_requested(ORDER, "idem-1")

    (event,) = pubsub.events()
    assert event["replay_id"] == replay_id.hex()
    assert event["payload"]["orderId__c"] == ORDER and event["payload"]["idemKey__c"] == "idem-1"
    assert event["payload"]["CreatedById"].startswith("005")
    assert abs(event["payload"]["CreatedDate"] / 1000 - time.time()) < 60


def test_approving_an_order_in_the_rest_emulator_publishes_it(pubsub, salesforce_sandbox):
    draft = next(o for o in salesforce_sandbox.app.store.tables["Order"].values()
                 if o["Provisioning_Status__c"] == "Pending Review")

    requests.post(f"{salesforce_sandbox.url}/__sandbox__/orders/{draft['Id']}/approve", timeout=5).raise_for_status()

    (event,) = pubsub.events()
    assert event["payload"]["orderId__c"] == draft["Id"]
    assert event["payload"]["idemKey__c"] == draft["Portal_Request_Id__c"]


# -- subscribing ------------------------------------------------------------------------------------


def test_presets_earliest_latest_and_custom(pubsub, subscribe):
    first = pubsub.publish_order_provision_requested("8015g0000eKOmXRAA1")
    pubsub.publish_order_provision_requested("8015g0000eKOmXSAA1")

    earliest = subscribe(pb2.EARLIEST)
    assert [payload(e)["orderId__c"] for e in earliest.next_events()] == ["8015g0000eKOmXRAA1", "8015g0000eKOmXSAA1"]
    custom = subscribe(pb2.CUSTOM, replay_id=first)
    assert [payload(e)["orderId__c"] for e in custom.next_events()] == ["8015g0000eKOmXSAA1"]
    latest = subscribe(pb2.LATEST)
    wait_for_stream(pubsub, 3)
    pubsub.publish_order_provision_requested("8015g0000eKOmXTAA1")
    assert [payload(e)["orderId__c"] for e in latest.next_events()] == ["8015g0000eKOmXTAA1"]
    assert [(s.preset, s.outcome) for s in pubsub.subscriptions] == [
        ("EARLIEST", "ok"), ("CUSTOM", "ok"), ("LATEST", "ok")]


def test_never_more_events_than_requested_and_keep_alives_carry_the_pending_count(pubsub, subscribe):
    for _ in range(5):
        pubsub.publish_order_provision_requested(ORDER)
    subscription = subscribe(pb2.EARLIEST, num_requested=2)

    assert len(subscription.next_events()) == 2
    keepalive = subscription.next()  # nothing more until asked
    assert list(keepalive.events) == [] and keepalive.pending_num_requested == 0
    assert decode_replay_id(keepalive.latest_replay_id) == pubsub.bus.latest_counter()

    subscription.request(2)
    assert len(subscription.next_events()) == 2
    subscription.request(5)
    last = subscription.next_with_events()
    assert len(last.events) == 1 and last.pending_num_requested == 4
    assert pubsub.streams[0].max_pending <= 5


def test_at_most_100_events_are_pending(pubsub, subscribe):
    subscribe(num_requested=250)
    wait_for_stream(pubsub)

    assert pubsub.streams[0].credit == 100


@pytest.mark.parametrize("replay_id", [b"short", b"\xff" * 8], ids=["malformed", "never handed out"])
def test_a_corrupted_replay_id_is_invalid_argument(pubsub, subscribe, replay_id):
    subscription = subscribe(pb2.CUSTOM, replay_id=replay_id)

    with pytest.raises(grpc.RpcError) as caught:
        subscription.next()
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert trailers(caught.value)["error-code"] == REPLAY_ID_CORRUPTED
    assert "Replay ID" in caught.value.details()


def test_a_replay_id_past_the_retention_is_refused(pubsub, subscribe, monkeypatch):
    monkeypatch.setattr(pubsub.bus, "retention", 2)
    old = pubsub.publish_order_provision_requested(ORDER)
    kept = pubsub.publish_order_provision_requested(ORDER)
    pubsub.publish_order_provision_requested(ORDER)
    pubsub.publish_order_provision_requested(ORDER)  # the event after `kept` is still there; after `old`, not

    with pytest.raises(grpc.RpcError) as caught:
        subscribe(pb2.CUSTOM, replay_id=old).next()
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "retention" in caught.value.details()
    assert len(subscribe(pb2.CUSTOM, replay_id=kept).next_events()) == 2


def test_an_unknown_topic_cannot_be_subscribed(pubsub, subscribe):
    with pytest.raises(grpc.RpcError) as caught:
        subscribe(topic="/event/Nope__e").next()
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_kill_streams_drops_every_subscription(pubsub, subscribe, salesforce_sandbox):
    subscriptions = [subscribe(), subscribe()]
    wait_for_stream(pubsub, 2)

    answer = requests.post(f"{salesforce_sandbox.url}/__sandbox__/pubsub/kill-streams", timeout=5)

    assert answer.json() == {"killed": 2}
    for subscription in subscriptions:
        with pytest.raises(grpc.RpcError) as caught:
            while True:
                subscription.next()
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


def test_http_controls_publish_list_and_purge(pubsub, salesforce_sandbox):
    base = f"{salesforce_sandbox.url}/__sandbox__/pubsub"

    published = requests.post(f"{base}/publish", json={"order_id": ORDER, "idem_key": "k"}, timeout=5)
    assert published.status_code == 201
    status = requests.get(base, timeout=5).json()
    assert status["target"] == pubsub.target and status["tenant_id"] == ORG_ID
    assert [e["payload"]["idemKey__c"] for e in requests.get(f"{base}/events", timeout=5).json()] == ["k"]
    assert requests.post(f"{base}/purge", timeout=5).json() == {"purged": 1}
    assert requests.get(f"{base}/events", timeout=5).json() == []
    assert requests.post(f"{base}/publish", json={}, timeout=5).status_code == 400
    assert requests.get(f"{base}/nope", timeout=5).status_code == 404


def test_a_reset_expires_events_but_replay_ids_keep_increasing(pubsub, salesforce_sandbox, subscribe):
    before = pubsub.publish_order_provision_requested(ORDER)

    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    after = pubsub.publish_order_provision_requested(ORDER)

    assert pubsub.events()[0]["replay_id"] == after.hex()
    assert decode_replay_id(after) == decode_replay_id(before) + 1
    assert len(subscribe(pb2.CUSTOM, replay_id=before).next_events()) == 1  # the cursor just before is still valid


def test_stopping_the_rest_emulator_stops_the_attached_pubsub_emulator():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, pubsub=True)
    pubsub = handle.app.pubsub
    channel = grpc.insecure_channel(pubsub.target)
    grpc.channel_ready_future(channel).result(timeout=5)

    handle.stop()

    assert handle.app.pubsub is None
    with pytest.raises(grpc.RpcError) as caught:
        pb2_grpc.PubSubStub(channel).GetTopic(pb2.TopicRequest(topic_name=TOPIC), timeout=2)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    channel.close()


def test_replay_ids_are_8_byte_big_endian_counters():
    assert encode_replay_id(300) == b"\x00\x00\x00\x00\x00\x00\x01\x2c"
    assert decode_replay_id(encode_replay_id(2**40 + 7)) == 2**40 + 7
