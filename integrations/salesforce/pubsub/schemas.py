"""Avro payloads: the schema of each schema id, fetched once with ``GetSchema``, and decoding.

A Pub/Sub payload is the Avro binary encoding of one record **without** a container header (no
magic bytes, no embedded schema): it can only be read with the writer's schema, which
``GetSchema`` answers for the event's ``schema_id``. Schemas never change for a given id, so they
are cached for the life of the process.
"""
from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from typing import Any

import fastavro

from integrations.salesforce.pubsub.errors import PubSubDecodeError

FetchSchema = Callable[[str], str]
"""Given a schema id, the schema's JSON (a ``GetSchema`` call)."""


class SchemaCache:
    """Parsed Avro schemas by schema id. Thread-safe; a schema id is fetched at most once at a time."""

    def __init__(self, fetch: FetchSchema) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._schemas: dict[str, Any] = {}

    def get(self, schema_id: str) -> Any:
        """The parsed schema of ``schema_id``; a gRPC error from the fetch propagates (nothing is cached)."""
        with self._lock:
            if schema_id not in self._schemas:
                self._schemas[schema_id] = _parse(schema_id, self._fetch(schema_id))
            return self._schemas[schema_id]

    def __contains__(self, schema_id: str) -> bool:
        with self._lock:
            return schema_id in self._schemas

    def __len__(self) -> int:
        with self._lock:
            return len(self._schemas)


def decode(payload: bytes, schema: Any, *, schema_id: str = "") -> dict[str, Any]:
    """One Avro record (schemaless binary) as a dict; :class:`PubSubDecodeError` when it does not fit."""
    buffer = io.BytesIO(payload)
    try:
        record = fastavro.schemaless_reader(buffer, schema, None)
    except Exception as exc:  # fastavro raises EOFError, ValueError, UnicodeDecodeError, ...
        raise PubSubDecodeError(f"payload does not decode with schema {schema_id!r}: {type(exc).__name__}") from None
    if buffer.tell() != len(payload):
        raise PubSubDecodeError(f"payload has {len(payload) - buffer.tell()} bytes left over after the record "
                                f"(schema {schema_id!r})")
    if not isinstance(record, dict):
        raise PubSubDecodeError(f"schema {schema_id!r} is not a record schema")
    return record


def _parse(schema_id: str, schema_json: str) -> Any:
    try:
        return fastavro.parse_schema(json.loads(schema_json))
    except Exception as exc:  # not JSON, or not an Avro schema
        raise PubSubDecodeError(f"schema {schema_id!r} is not a valid Avro schema: {exc}") from None
