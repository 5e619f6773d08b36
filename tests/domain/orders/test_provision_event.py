"""`OrderProvisionRequested__e` (decoded Avro) -> ProvisionRequest; the Organization query -> tenant id."""
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.orders.providers import salesforce
from domain.orders.providers.salesforce import ProvisionRequest
from domain.shared.errors import MappingError

ORDER_15, ORDER = "8015g0000eKOmXR", "8015g0000eKOmXRAA1"
USER = "005Dn00009v0qvoIAA"
EVENT_ID = "3e6a9c1b-2f4d-4a8e-9b7c-5d1e0f2a3b4c"
REPLAY = b"\x00\x00\x00\x00\x00\x00\x01\x2c"
IDEM_KEY = "b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57"


def event(**changes: object) -> dict[str, object]:
    """A payload as fastavro's schemaless reader returns it."""
    return {"CreatedDate": 1795668561123, "CreatedById": USER, "orderId__c": ORDER, "idemKey__c": IDEM_KEY, **changes}


def transform(payload: object, *, event_id: str = EVENT_ID, replay_id: bytes = REPLAY) -> ProvisionRequest:
    return salesforce.transform_order_provision_requested(payload, event_id=event_id, replay_id=replay_id)


def test_an_event_becomes_a_provision_request():
    request = transform(event())

    assert request == ProvisionRequest(
        event_id=EVENT_ID, order_id=ORDER, idempotency_key=IDEM_KEY, replay_id=REPLAY,
        requested_at=datetime(2026, 11, 26, 4, 49, 21, 123000, tzinfo=UTC), requested_by_id=USER,
    )


def test_a_15_character_order_id_is_normalised():
    assert transform(event(orderId__c=ORDER_15)).order_id == ORDER


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_an_empty_idempotency_key_falls_back_to_the_order_id(empty):
    assert transform(event(idemKey__c=empty, orderId__c=ORDER_15)).idempotency_key == ORDER


def test_an_idempotency_key_is_trimmed():
    assert transform(event(idemKey__c=f"  {IDEM_KEY} ")).idempotency_key == IDEM_KEY


def test_fields_we_do_not_read_are_ignored():
    assert transform(event(Unused__c="x")).order_id == ORDER


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"orderId__c": None}, "orderId__c"),
        ({"orderId__c": "0015g0000C3J27XAQS"}, "orderId__c"),  # an Account id
        ({"orderId__c": "8015g0000eKOmXRAAX"}, "orderId__c"),  # wrong checksum
        ({"orderId__c": f"{ORDER}\n"}, "orderId__c"),
        ({"CreatedDate": "2026-11-26T04:49:21.000Z"}, "CreatedDate"),
        ({"CreatedDate": True}, "CreatedDate"),
        ({"CreatedDate": 10**20}, "CreatedDate"),
        ({"CreatedById": "not-an-id"}, "CreatedById"),
        ({"idemKey__c": 42}, "idemKey__c"),
    ],
)
def test_a_malformed_event_is_a_mapping_error_naming_the_raw_field(changes, field):
    with pytest.raises(MappingError) as caught:
        transform(event(**changes))

    assert caught.value.field == field
    assert caught.value.provider == "salesforce" and caught.value.entity == "OrderProvisionRequested__e"


@pytest.mark.parametrize("missing", ["orderId__c", "CreatedDate", "CreatedById"])
def test_a_missing_field_is_a_mapping_error(missing):
    payload = event()
    del payload[missing]

    with pytest.raises(MappingError) as caught:
        transform(payload)
    assert caught.value.field == missing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"idemKey__c": "x" * 256}, "idempotency_key"),
        ({"idemKey__c": "key\nwith a newline"}, "idempotency_key"),
    ],
)
def test_an_unusable_idempotency_key_is_a_mapping_error(changes, field):
    with pytest.raises(MappingError) as caught:
        transform(event(**changes))
    assert caught.value.field == field


@pytest.mark.parametrize(("kwargs", "field"), [({"event_id": ""}, "event_id"), ({"replay_id": b""}, "replay_id")])
def test_the_envelope_must_identify_the_event(kwargs, field):
    with pytest.raises(MappingError) as caught:
        transform(event(), **kwargs)
    assert caught.value.field == field


def test_a_payload_that_is_not_a_record_is_a_mapping_error():
    with pytest.raises(MappingError) as caught:
        transform(["not", "a", "record"])
    assert caught.value.field == "(root)"


def test_a_provision_request_is_immutable():
    request = transform(event())

    with pytest.raises(ValidationError):
        request.order_id = "8015g0000eKOmXSAA1"  # type: ignore[misc]


def test_the_organization_query_gives_the_tenant_id():
    answer = {"totalSize": 1, "done": True,
              "records": [{"attributes": {"type": "Organization", "url": "/x"}, "Id": "00DDn00009w8MqdMAE"}]}

    assert salesforce.transform_salesforce_organization_id(answer) == "00DDn00009w8MqdMAE"


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({"totalSize": 0, "done": True, "records": []}, "records"),
        ({"totalSize": 1, "done": True, "records": [{"Id": "0015g0000C3J27XAQS"}]}, "Id"),
        ({"records": []}, "totalSize"),
    ],
)
def test_a_wrong_organization_answer_is_a_mapping_error(answer, field):
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_organization_id(answer)
    assert caught.value.field == field
