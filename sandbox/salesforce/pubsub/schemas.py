"""Avro schemas of the platform events the emulator knows, as Salesforce generates them.

A platform event's schema is a record named after the event in ``com.sforce.eventbus``, with the
standard fields ``CreatedDate`` (a ``long`` of epoch milliseconds) and ``CreatedById`` (a
``string``), then every custom field as a union with ``null`` (default ``null``); each field's
``doc`` says what Salesforce type it came from. A schema id is a short fingerprint of the schema.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import Any

import fastavro

ORDER_PROVISION_REQUESTED = "OrderProvisionRequested__e"
ORDER_PROVISION_REQUESTED_TOPIC = f"/event/{ORDER_PROVISION_REQUESTED}"

ORDER_PROVISION_REQUESTED_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": ORDER_PROVISION_REQUESTED,
    "namespace": "com.sforce.eventbus",
    "fields": [
        {"name": "CreatedDate", "type": "long", "doc": "CreatedDate:DateTime"},
        {"name": "CreatedById", "type": "string", "doc": "CreatedBy:EntityId"},
        {"name": "orderId__c", "type": ["null", "string"], "doc": "Data:Text:00N5g00000OrdId", "default": None},
        {"name": "idemKey__c", "type": ["null", "string"], "doc": "Data:Text:00N5g00000IdmKy", "default": None},
    ],
}


CASE_STATUS_UPDATE = "Case_Status_Update__e"
CASE_STATUS_UPDATE_TOPIC = f"/event/{CASE_STATUS_UPDATE}"

CASE_STATUS_UPDATE_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": CASE_STATUS_UPDATE,
    "namespace": "com.sforce.eventbus",
    "fields": [
        {"name": "CreatedDate", "type": "long", "doc": "CreatedDate:DateTime"},
        {"name": "CreatedById", "type": "string", "doc": "CreatedBy:EntityId"},
        {"name": "caseId__c", "type": ["null", "string"], "doc": "Data:Text:00N5g00000CasId", "default": None},
        {"name": "accountId__c", "type": ["null", "string"], "doc": "Data:Text:00N5g00000AccId", "default": None},
        {"name": "status__c", "type": ["null", "string"], "doc": "Data:Text:00N5g00000CaStt", "default": None},
    ],
}


class Schema:
    """One Avro schema: its JSON, its id, and encoding/decoding of one record without a header."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.json = json.dumps(definition, separators=(",", ":"))
        self.id = base64.urlsafe_b64encode(hashlib.sha256(self.json.encode()).digest()[:16]).decode().rstrip("=")
        self._parsed = fastavro.parse_schema(definition)

    def encode(self, record: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, self._parsed, record)
        return buffer.getvalue()

    def decode(self, payload: bytes) -> dict[str, Any]:
        """The record; ``ValueError`` when the payload is not exactly one record of this schema."""
        buffer = io.BytesIO(payload)
        try:
            record = fastavro.schemaless_reader(buffer, self._parsed, None)
        except Exception as exc:
            raise ValueError(f"the payload does not match schema {self.id}: {type(exc).__name__}") from None
        if buffer.tell() != len(payload):
            raise ValueError(f"the payload has bytes left over after a record of schema {self.id}")
        return record


ORDER_PROVISION_REQUESTED_AVRO = Schema(ORDER_PROVISION_REQUESTED_SCHEMA)
CASE_STATUS_UPDATE_AVRO = Schema(CASE_STATUS_UPDATE_SCHEMA)
