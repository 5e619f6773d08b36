"""Salesforce platform events about orders -> domain types. Pure, like every mapper.

`OrderProvisionRequested__e` is published when an operator approves an order. The Pub/Sub API
delivers it as an Avro record (decoded by `integrations.salesforce.pubsub` into a dict):

    {"CreatedDate": 1795668561000,            # long: milliseconds since the epoch (UTC)
     "CreatedById": "005...",                 # the user who published it
     "orderId__c": "801...",                  # ["null", "string"]: the approved Order
     "idemKey__c": "c0ffee...-..." or None}   # ["null", "string"]: the provisioning idempotency key

`transform_order_provision_requested` turns it into a `ProvisionRequest`: what the provisioning
job is keyed and started by. As in the design (`idemKey__c || orderId__c`), an empty idempotency
key falls back to the order id.

`transform_salesforce_organization_id` reads the answer of `SELECT Id FROM Organization`: the org
id is the Pub/Sub API's `tenantid`.
"""
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, Strict, StringConstraints

from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.model import DomainModel
from domain.shared.providers.salesforce import PROVIDER, SalesforceRawModel, SfOptionalText, single_record
from domain.shared.salesforce_id import OrderId, OrganizationId, SalesforceId

ORDER_PROVISION_REQUESTED = "OrderProvisionRequested__e"
"""The platform event's API name; its Pub/Sub topic is `/event/OrderProvisionRequested__e`."""

MAX_IDEMPOTENCY_KEY_LENGTH = 255
"""`idemKey__c` is a Text(255) field."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_millis(value: object) -> datetime:
    """An Avro `long` of milliseconds since the epoch (how Salesforce sends `CreatedDate`)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not a timestamp in milliseconds (an integer)")
    try:
        return _EPOCH + timedelta(milliseconds=value)
    except OverflowError:
        raise ValueError("timestamp out of range") from None


def _no_control_characters(value: str) -> str:
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("contains control characters")
    return value


EpochMillis = Annotated[datetime, BeforeValidator(_epoch_millis)]
IdempotencyKey = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=MAX_IDEMPOTENCY_KEY_LENGTH),
    AfterValidator(_no_control_characters),
]


class SfOrderProvisionRequestedRaw(SalesforceRawModel):
    """The decoded Avro payload of `OrderProvisionRequested__e`."""

    CreatedDate: EpochMillis
    CreatedById: SalesforceId
    orderId__c: OrderId
    """Nullable in the Avro schema (every custom field is), but an event without an order is useless."""
    idemKey__c: SfOptionalText = None


class SfOrganizationRaw(SalesforceRawModel):
    Id: OrganizationId


class ProvisionRequest(DomainModel):
    """An approved order to provision, as one `OrderProvisionRequested__e` asked for it."""

    event_id: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=255)]
    """The event's id (`ProducerEvent.id`, a UUID): deduplicates a redelivered event."""
    order_id: OrderId
    idempotency_key: IdempotencyKey
    """What the provisioning job is keyed by: `idemKey__c`, or the order id when it is empty."""
    replay_id: Annotated[bytes, Strict(), Field(min_length=1)]
    """The event's opaque position in the stream: stored with the job as the subscription cursor."""
    requested_at: AwareDatetime
    """`CreatedDate`: when the event was published."""
    requested_by_id: str
    """`CreatedById`: the user who published it (18 characters)."""


def transform_order_provision_requested(decoded: object, *, event_id: str, replay_id: bytes) -> ProvisionRequest:
    """A `ProvisionRequest` from a decoded `OrderProvisionRequested__e` payload.

    `event_id` and `replay_id` come from the envelope the payload arrived in (`ConsumerEvent`).
    A malformed payload raises MappingError naming the raw field (`orderId__c`, ...).
    """
    entity = ORDER_PROVISION_REQUESTED
    raw = validate_raw(SfOrderProvisionRequestedRaw, decoded, provider=PROVIDER, entity=entity)
    idem_key = (raw.idemKey__c or "").strip() or raw.orderId__c
    return build_domain(
        ProvisionRequest,
        provider=PROVIDER,
        entity=entity,
        event_id=event_id,
        order_id=raw.orderId__c,
        idempotency_key=idem_key,
        replay_id=replay_id,
        requested_at=raw.CreatedDate,
        requested_by_id=raw.CreatedById,
    )


def transform_salesforce_organization_id(raw_query_response: object) -> str:
    """The org id (18 characters) from the answer of `SELECT Id FROM Organization`."""
    record = single_record(raw_query_response, entity="organization")
    if record is None:
        raise MappingError(provider=PROVIDER, entity="organization", field="records", reason="no Organization record")
    return validate_raw(SfOrganizationRaw, record, provider=PROVIDER, entity="organization").Id
