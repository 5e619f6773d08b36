"""The emulator's records and the rules Salesforce applies when they are written.

Records are plain dicts keyed by canonical field names, holding Python values (``str``, ``float``,
``bool``, ``date``, aware UTC ``datetime``, ``None``). Deleting marks a record ``IsDeleted`` (the
recycle bin): ``query`` no longer sees it, ``queryAll`` does. Every rule failure raises
:class:`SalesforceError` with Salesforce's error code and wording.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from . import schema
from .ids import make_id, to_18
from .schema import Field, SObjectType

ORDER_NUMBER_START = 100
CASE_NUMBER_START = 1001


class SalesforceError(Exception):
    """An error as Salesforce reports it: ``[{"message", "errorCode", "fields"}]`` with an HTTP status."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields
        self.status = status

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            body["fields"] = list(self.fields)
        return body

    def to_tree_error(self) -> dict[str, Any]:
        """The shape inside an sObject Tree answer."""
        return {"statusCode": self.code, "message": self.message, "fields": list(self.fields or [])}


def not_found() -> SalesforceError:
    return SalesforceError("NOT_FOUND", "The requested resource does not exist", status=404)


def format_datetime(value: datetime) -> str:
    """Salesforce's datetime format: ``2026-11-26T06:49:21.000+0000`` (always UTC)."""
    value = value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}+0000"


def to_json_value(field: Field, value: Any) -> Any:
    if value is None:
        return None
    if field.type == "datetime":
        return format_datetime(value)
    if field.type == "date":
        return value.isoformat()
    if field.type == "base64":
        return value if isinstance(value, str) else None  # the record's VersionData URL, never the bytes
    if field.category == "number":
        return float(value)
    return value


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _json_token(value: Any) -> str:
    """How Salesforce's JSON parser names a value in its errors."""
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    return "VALUE_STRING"


def _json_error(kind: str, value: Any) -> SalesforceError:
    shown = _json_token(value)
    return SalesforceError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from {shown} value {value} or request may be missing a "
        f"required field",
    )


def coerce(field: Field, value: Any) -> Any:
    """A JSON value written to ``field`` as the Python value stored, or :class:`SalesforceError`."""
    if value is None:
        return None
    if field.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _json_error("boolean", value)
    if field.category == "number":
        if isinstance(value, bool):
            raise _json_error("double", value)
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(str(value).strip())
        except ValueError:
            raise _json_error("double", value) from None
    if field.type == "date":
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise _json_error("date", value)
    if field.type == "datetime":
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None:
                return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
        raise _json_error("datetime", value)
    if field.type == "base64":
        if not isinstance(value, str):
            raise _json_error("base64", value)
        try:
            return base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise SalesforceError("JSON_PARSER_ERROR", f"{field.label}: the value is not valid base64",
                                  [field.name]) from None
    if field.category == "id":
        normalized = to_18(value)
        if normalized is None:
            raise SalesforceError("MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name])
        return normalized
    # text
    if isinstance(value, dict | list):
        raise _json_error("string", value)
    text = value if isinstance(value, str) else (str(value).lower() if isinstance(value, bool) else str(value))
    if field.length is not None and len(text) > field.length:
        raise SalesforceError(
            "STRING_TOO_LONG", f"{field.label}: data value too large: {text} (max length={field.length})", [field.name]
        )
    if field.type == "picklist" and field.restricted and text not in field.picklist:
        raise SalesforceError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{field.label}: bad value for restricted picklist field: {text}", [field.name],
        )
    if field.type == "email" and text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise SalesforceError("INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {text}", [field.name])
    return text


_SUPPORT_OBJECTS = ("Case", "CaseComment", "ContentVersion")


class _SupportRules:
    """What Salesforce derives for cases and files (mixed into :class:`Store`)."""

    def _before_support_insert(self, sobject: SObjectType, record: dict) -> None:
        if sobject.name == "Case":
            if record.get("CaseNumber") is None:
                record["CaseNumber"] = f"{CASE_NUMBER_START + len(self.tables['Case']):08d}"
            self._case_closed(record)
        elif sobject.name == "CaseComment" and record.get("CreatedById") is None:
            record["CreatedById"] = self.integration_user_id
        elif sobject.name == "ContentVersion":
            content = record.get("VersionData")
            if not isinstance(content, bytes) or not content:
                raise SalesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [VersionData]",
                                      ["VersionData"])
            extension = record["PathOnClient"].rsplit(".", 1)[-1].lower() if "." in record["PathOnClient"] else ""
            record["FileExtension"] = extension[:40] or None
            record["ContentSize"] = float(len(content))

    def _case_closed(self, record: dict) -> None:
        """``IsClosed`` follows the status; ``ClosedDate`` is when it last became closed."""
        closed = record.get("Status") in schema.CLOSED_CASE_STATUSES
        if closed and not record.get("IsClosed"):
            record["ClosedDate"] = record.get("ClosedDate") or self.clock()  # the seed may date it
        elif not closed:
            record["ClosedDate"] = None
        record["IsClosed"] = closed

    def _publish_version(self, version: dict) -> None:
        """A new ContentVersion: its bytes kept aside (``VersionData`` reads as its URL), a
        ContentDocument made for it, and linked to the record it was first published to."""
        content = version.get("VersionData")
        self._remember(version)
        if isinstance(content, bytes):
            version["_content"] = content
            version["VersionData"] = f"/services/data/v62.0/sobjects/ContentVersion/{version['Id']}/VersionData"
        document = self.insert("ContentDocument", {
            "Title": version["Title"], "FileExtension": version.get("FileExtension"),
            "FileType": (version.get("FileExtension") or "UNKNOWN").upper(), "ContentSize": version["ContentSize"],
            "LatestPublishedVersionId": version["Id"], "CreatedDate": version["CreatedDate"].isoformat(),
        }, system=True)
        version["ContentDocumentId"] = document["Id"]
        if version.get("FirstPublishLocationId"):
            self.insert("ContentDocumentLink", {"ContentDocumentId": document["Id"],
                                                "LinkedEntityId": version["FirstPublishLocationId"],
                                                "ShareType": "V", "Visibility": "AllUsers"}, system=True)

    def content(self, version_id: str) -> bytes | None:
        """The bytes of a ContentVersion (``GET .../ContentVersion/<id>/VersionData``)."""
        version = self.get("ContentVersion", to_18(version_id) or "")
        return None if version is None else version.get("_content")


class Store(_SupportRules):
    """All records, by object and id. Not thread-safe on its own: the app holds a lock around it."""

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self.tables: dict[str, dict[str, dict[str, Any]]] = {t.name: {} for t in schema.OBJECTS.values()}
        self.counters: dict[str, int] = {}
        self.next_order_number = ORDER_NUMBER_START
        self.integration_user_id: str | None = None
        """Who a comment created through the API is by (the seed sets the integration user)."""
        self._journal: list[tuple] | None = None
        self._indexes: dict[tuple[str, str], dict[Any, list[dict[str, Any]]]] = {}
        """(object, id or lookup field) -> value -> records: Salesforce indexes these fields, and a
        query filtering on one reads only its records (see ``having``)."""

    # -- reading ----------------------------------------------------------------------------------
    def raw(self, type_name: str, record_id: str | None) -> dict[str, Any] | None:
        """A record by id, deleted or not (relationship lookups in ``queryAll`` see the recycle bin)."""
        if record_id is None:
            return None
        return self.tables[type_name].get(record_id)

    def get(self, type_name: str, record_id: str | None) -> dict[str, Any] | None:
        record = self.raw(type_name, record_id)
        return None if record is None or record.get("IsDeleted") else record

    def rows(self, type_name: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        rows = self.tables[type_name].values()
        return list(rows) if include_deleted else [r for r in rows if not r.get("IsDeleted")]

    def having(self, type_name: str, field_name: str, value: Any, include_deleted: bool = False) -> list[dict]:
        """The records whose id or lookup field ``field_name`` equals ``value``, in ``rows`` order,
        through an index made on first use and kept by ``insert``, ``update`` and ``restore``."""
        key = (type_name, field_name)
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = {}
            for record in self.tables[type_name].values():
                index.setdefault(record.get(field_name), []).append(record)
        found = [r for r in index.get(value, ()) if r.get(field_name) == value]
        return found if include_deleted else [r for r in found if not r.get("IsDeleted")]

    def _index(self, type_name: str, record: dict[str, Any], changed: Mapping[str, Any] | None = None) -> None:
        """A record inserted (``changed`` None) or updated: the indexes of its object follow."""
        for (name, field_name), index in list(self._indexes.items()):
            if name != type_name:
                continue
            if changed is None:
                index.setdefault(record.get(field_name), []).append(record)
            elif field_name in changed:
                del self._indexes[(name, field_name)]  # made again on next use

    # -- transactions ------------------------------------------------------------------------------
    def snapshot(self) -> tuple:
        """Start a transaction: ``restore`` with the answer undoes every write made since. Writes
        are journalled (what was inserted, each changed record's values before), so a transaction
        costs what it changes, not a copy of the whole org (thousands of generated customers made
        ``copy.deepcopy`` of it take a second). One transaction at a time: the app holds its lock."""
        self._journal = []
        return self._journal, dict(self.counters), self.next_order_number

    def restore(self, snapshot: tuple) -> None:
        journal, counters, next_order_number = snapshot
        for entry in reversed(journal):
            if entry[0] == "insert":
                self.tables[entry[1]].pop(entry[2], None)
            else:
                entry[1].clear()
                entry[1].update(entry[2])
        journal.clear()
        self.counters, self.next_order_number = counters, next_order_number
        self._indexes.clear()

    def _remember(self, record: dict[str, Any]) -> None:
        """Journal a record's values before it is changed in place (see ``snapshot``)."""
        if self._journal is not None:
            self._journal.append(("change", record, dict(record)))

    def new_id(self, sobject: SObjectType) -> str:
        """The next id of an object: increasing, so ``ORDER BY Id`` is creation order."""
        while True:
            number = self.counters.get(sobject.name, 0)
            self.counters[sobject.name] = number + 1
            # Start well into the id space, so ids look like a used org's rather than 0000000001.
            record_id = make_id(sobject.prefix, 9_000_000_000 + 1_009 * number)
            if record_id not in self.tables[sobject.name]:
                return record_id

    # -- writing ----------------------------------------------------------------------------------
    def insert(self, type_name: str, data: Mapping[str, Any], *, system: bool = False) -> dict[str, Any]:
        """Create a record. ``system`` (seeding) may set read-only fields and the ``Id``."""
        sobject = _sobject(type_name)
        values = self._values(sobject, data, creating=True, system=system)
        record: dict[str, Any] = {f.name: f.default for f in sobject.fields}
        record.update(values)
        missing = [f.name for f in sobject.fields if f.required and record.get(f.name) in (None, "")]
        if missing:
            raise SalesforceError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                                  missing)
        self._check_references(sobject, record, record)
        self._check_unique(sobject, record, None)
        self._before_insert(sobject, record)
        now = self.clock()
        record["Id"] = values.get("Id") or self.new_id(sobject)
        for name in ("CreatedDate", "LastModifiedDate"):
            if sobject.field(name) and record.get(name) is None:
                record[name] = now
        self._derive(sobject, record)
        self.tables[sobject.name][record["Id"]] = record
        if self._journal is not None:
            self._journal.append(("insert", sobject.name, record["Id"]))
        self._index(sobject.name, record)
        self._after_write(sobject, record)
        return record

    def load(self, type_name: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Seed a record fast: values coerced and defaulted as ``insert`` does, derived fields
        derived, but no rule checked and nothing scanned (generated data is valid by construction;
        ``insert`` on 100,000 records would take minutes). Read-only fields may be given."""
        sobject = _sobject(type_name)
        record: dict[str, Any] = {f.name: f.default for f in sobject.fields}
        for key, value in data.items():
            field = sobject.field(key)
            record[field.name] = value if _stored_as_is(field, value) else coerce(field, value)
        record["Id"] = record.get("Id") or self.new_id(sobject)
        for name in ("CreatedDate", "LastModifiedDate"):
            if sobject.field(name) and record.get(name) is None:
                record[name] = record.get("CreatedDate") or self.clock()
        self._derive(sobject, record)
        self.tables[sobject.name][record["Id"]] = record
        self._index(sobject.name, record)
        return record

    def update(self, type_name: str, record_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        sobject = _sobject(type_name)
        record = self.get(sobject.name, to_18(record_id) or "")
        if record is None:
            raise not_found()
        values = self._values(sobject, data, creating=False, system=False)
        updated = {**record, **values}
        cleared = [name for name, value in values.items() if sobject.field(name).required and value in (None, "")]
        if cleared:
            raise SalesforceError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(cleared)}]",
                                  cleared)
        self._check_references(sobject, updated, values)
        self._check_unique(sobject, updated, record["Id"])
        self._before_update(sobject, updated)
        self._derive(sobject, updated)
        updated["LastModifiedDate"] = self.clock()
        self._remember(record)
        record.update(updated)
        self._index(sobject.name, record, values)
        self._after_write(sobject, record)
        return record

    def delete(self, type_name: str, record_id: str) -> None:
        sobject = _sobject(type_name)
        record = self.get(sobject.name, to_18(record_id) or "")
        if record is None:
            raise not_found()
        if not sobject.deletable:
            raise SalesforceError("METHOD_NOT_ALLOWED", "HTTP Method 'DELETE' not allowed. "
                                  f"Allowed are {sobject.allowed_methods}", status=405)
        self._check_not_referenced(sobject, record)
        for child in sobject.children:
            if child.cascade_delete:
                for row in self.having(child.child, child.field, record["Id"]):
                    self._remember(row)
                    row["IsDeleted"] = True
        self._remember(record)
        record["IsDeleted"] = True
        record["LastModifiedDate"] = self.clock()
        self._after_write(sobject, record)

    # -- rules ------------------------------------------------------------------------------------
    def _values(self, sobject: SObjectType, data: Mapping[str, Any], *, creating: bool, system: bool) -> dict:
        if not isinstance(data, Mapping):
            raise SalesforceError("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object value")
        values: dict[str, Any] = {}
        read_only: list[str] = []
        for key, value in data.items():
            if key == "attributes":
                continue
            if key.lower() == "id" and not system:
                raise SalesforceError("INVALID_FIELD", "The Id field should not be specified in the sobject data.")
            field = sobject.field(key)
            if field is None:
                raise SalesforceError("INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject.name}")
            if not system and not (field.createable if creating else field.updateable):
                read_only.append(field.name)
                continue
            values[field.name] = coerce(field, value)
        if read_only:
            raise SalesforceError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(read_only)}. Please check the security settings of this "
                "field and verify that it is read/write for your profile or permission set.",
                read_only,
            )
        return values

    def _check_references(self, sobject: SObjectType, record: dict, changed: Mapping[str, Any]) -> None:
        for field in sobject.fields:
            if field.type != "reference" or field.name not in changed or record.get(field.name) is None:
                continue
            value = record[field.name]
            targets = [schema.sobject(name) for name in (field.reference_to, *field.also_to)]
            target = next((t for t in targets if value[:3] == t.prefix), targets[0])
            if value[:3] != target.prefix:
                raise SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                                      f"{field.label}: id value of incorrect type: {value}", [field.name])
            if self.get(target.name, value) is None:
                raise SalesforceError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field.name])

    def _check_unique(self, sobject: SObjectType, record: dict, own_id: str | None) -> None:
        for field in sobject.fields:
            value = record.get(field.name)
            if not field.unique or value in (None, ""):
                continue
            for row in self.rows(sobject.name):
                other = row.get(field.name)
                if row["Id"] != own_id and isinstance(other, str) and other.lower() == value.lower():
                    raise SalesforceError(
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {field.name} duplicates value on record with id: {row['Id']}",
                        [],
                    )

    def _check_not_referenced(self, sobject: SObjectType, record: dict) -> None:
        cascaded = {(c.child, c.field) for c in sobject.children if c.cascade_delete}
        for other in schema.OBJECTS.values():
            for field in other.fields:
                if field.reference_to != sobject.name or (other.name, field.name) in cascaded:
                    continue
                if any(row.get(field.name) == record["Id"] for row in self.rows(other.name)):
                    name = record.get("Name") or record.get("OrderNumber") or record["Id"]
                    raise SalesforceError(
                        "DELETE_FAILED",
                        f"Your attempt to delete {name} could not be completed because it is associated with the "
                        f"following {other.label.lower()} records.",
                        [],
                    )

    def _before_insert(self, sobject: SObjectType, record: dict) -> None:
        if sobject.name in _SUPPORT_OBJECTS:
            self._before_support_insert(sobject, record)
        elif sobject.name == "OrderItem":
            self._check_order_item(record)
        elif sobject.name == "PricebookEntry":
            self._check_pricebook_entry(record)
        elif sobject.name == "Order" and record.get("OrderNumber") is None:
            record["OrderNumber"] = f"{self.next_order_number:08d}"
            self.next_order_number += 1

    def _before_update(self, sobject: SObjectType, record: dict) -> None:
        if sobject.name == "Case":
            self._case_closed(record)
        elif sobject.name == "OrderItem":
            _check_quantity(record)
        elif sobject.name == "Order" and record.get("Pricebook2Id") is not None:
            items = self.having("OrderItem", "OrderId", record["Id"])
            entries = {self.raw("PricebookEntry", i["PricebookEntryId"])["Pricebook2Id"] for i in items}
            if entries - {record["Pricebook2Id"]}:
                raise SalesforceError(
                    "FIELD_INTEGRITY_EXCEPTION",
                    "field integrity exception: Pricebook2Id (the order has products from another price book)",
                    ["Pricebook2Id"],
                )

    def _check_order_item(self, item: dict) -> None:
        order = self.get("Order", item["OrderId"])
        entry = self.get("PricebookEntry", item["PricebookEntryId"])
        if order is None or entry is None:  # _check_references has answered for these already
            raise SalesforceError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["PricebookEntryId"])
        if order.get("Pricebook2Id") is None or order["Pricebook2Id"] != entry["Pricebook2Id"]:
            raise SalesforceError(
                "FIELD_INTEGRITY_EXCEPTION",
                "field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the "
                "one assigned to the order, or Order has no pricebook assigned)",
                ["PricebookEntryId"],
            )
        if not entry["IsActive"]:
            raise SalesforceError(
                "FIELD_INTEGRITY_EXCEPTION",
                "field integrity exception: PricebookEntryId (pricebook entry is inactive)", ["PricebookEntryId"],
            )
        if item.get("Product2Id") is None:
            item["Product2Id"] = entry["Product2Id"]
        elif item["Product2Id"] != entry["Product2Id"]:
            raise SalesforceError(
                "FIELD_INTEGRITY_EXCEPTION",
                "field integrity exception: Product2Id (product does not match the pricebook entry's product)",
                ["Product2Id"],
            )
        _check_quantity(item)

    def _check_pricebook_entry(self, entry: dict) -> None:
        pricebook = self.get("Pricebook2", entry["Pricebook2Id"])
        same = [e for e in self.rows("PricebookEntry")
                if e["Pricebook2Id"] == entry["Pricebook2Id"] and e["Product2Id"] == entry["Product2Id"]]
        if same:
            raise SalesforceError("DUPLICATE_VALUE", "This price definition already exists in this price book", [])
        if not pricebook["IsStandard"]:
            standard = [e for e in self.rows("PricebookEntry") if e["Product2Id"] == entry["Product2Id"]
                        and self.raw("Pricebook2", e["Pricebook2Id"])["IsStandard"]]
            if not standard:
                raise SalesforceError("STANDARD_PRICE_NOT_DEFINED", "No standard price defined for this product", [])

    @staticmethod
    def _derive(sobject: SObjectType, record: dict) -> None:
        if sobject.name == "OrderItem":
            record["TotalPrice"] = record["Quantity"] * record["UnitPrice"]
        elif sobject.name == "Order" and record.get("TotalAmount") is None:
            record["TotalAmount"] = 0.0

    def _after_write(self, sobject: SObjectType, record: dict) -> None:
        """Keep the roll-up ``Order.TotalAmount`` equal to the sum of its live items; a new file version
        becomes a document linked where it was published; a comment touches its case."""
        if sobject.name == "ContentVersion" and record.get("ContentDocumentId") is None:
            self._publish_version(record)
        elif sobject.name == "CaseComment":
            case = self.raw("Case", record["ParentId"])
            if case is not None:
                self._remember(case)
                case["LastModifiedDate"] = self.clock()
        if sobject.name == "OrderItem":
            order = self.raw("Order", record["OrderId"])
            if order is not None and not order["IsDeleted"]:
                self._remember(order)
                order["TotalAmount"] = float(sum(
                    i["TotalPrice"] for i in self.having("OrderItem", "OrderId", order["Id"])
                ))


def _stored_as_is(field: Field, value: Any) -> bool:
    """Whether ``value`` is already what ``coerce`` would store for ``field`` (a seed's Python value)."""
    if field.category == "id":
        return isinstance(value, str) and len(value) == 18
    if field.type == "datetime":
        return isinstance(value, datetime) and value.tzinfo is not None
    if field.type == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if field.category == "number":
        return isinstance(value, float)
    if field.type == "boolean":
        return isinstance(value, bool)
    return field.category == "string" and isinstance(value, str)


def _check_quantity(item: dict) -> None:
    if item["Quantity"] <= 0:
        raise SalesforceError(
            "FIELD_INTEGRITY_EXCEPTION", "field integrity exception: Quantity (quantity must be greater than zero)",
            ["Quantity"],
        )


def _sobject(type_name: str) -> SObjectType:
    sobject = schema.sobject(type_name)
    if sobject is None:
        raise not_found()
    return sobject
