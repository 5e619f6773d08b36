"""Salesforce record ids, checked in this one place before they are used anywhere (a query, a
domain object, a link to a customer).

An id is 15 case-sensitive letters and digits, or 18 with a case-folding checksum: checking it stops
a crafted string from ever reaching SOQL, and the checksum catches ids mangled by case-insensitive
systems. Its first three characters, the key prefix, name its object (``801...`` is an Order): an id
of the wrong object is as wrong as a malformed one. The whole string must match (a trailing newline,
which Python's ``$`` lets through, is refused rather than trimmed), and no message echoes the value.
"""
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

_ID_15_OR_18 = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class InvalidSalesforceId(ValueError):
    pass


class KeyPrefix(StrEnum):
    ORGANIZATION = "00D"
    ACCOUNT = "001"
    CONTACT = "003"
    PRODUCT = "01t"
    PRICEBOOK = "01s"
    PRICEBOOK_ENTRY = "01u"
    ORDER = "801"
    ORDER_ITEM = "802"
    CASE = "500"
    CASE_COMMENT = "00a"
    CONTENT_DOCUMENT = "069"
    CONTENT_VERSION = "068"
    RECORD_TYPE = "012"
    USER = "005"


_OBJECT_NAMES = {
    KeyPrefix.ORGANIZATION: "Organization",
    KeyPrefix.ACCOUNT: "Account",
    KeyPrefix.CONTACT: "Contact",
    KeyPrefix.PRODUCT: "Product2",
    KeyPrefix.PRICEBOOK: "Pricebook2",
    KeyPrefix.PRICEBOOK_ENTRY: "PricebookEntry",
    KeyPrefix.ORDER: "Order",
    KeyPrefix.ORDER_ITEM: "OrderItem",
    KeyPrefix.CASE: "Case",
    KeyPrefix.CASE_COMMENT: "CaseComment",
    KeyPrefix.CONTENT_DOCUMENT: "ContentDocument",
    KeyPrefix.CONTENT_VERSION: "ContentVersion",
    KeyPrefix.RECORD_TYPE: "RecordType",
    KeyPrefix.USER: "User",
}


def checksum(id15: str) -> str:
    """The three characters Salesforce appends to a 15-character id."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += _CHECKSUM_ALPHABET[bits]
    return suffix


def checked_id(value: object, *, prefix: str | None = None) -> str:
    """The 18-character form of a valid 15/18-character id, of the object ``prefix`` names if given.

    Raises InvalidSalesforceId (a ValueError) for anything else; the message never echoes the value.
    """
    if not isinstance(value, str) or not _ID_15_OR_18.fullmatch(value):
        raise InvalidSalesforceId("must be 15 or 18 letters and digits")
    expected = checksum(value[:15])
    if len(value) == 18 and value[15:] != expected:
        raise InvalidSalesforceId("checksum does not match (the id may have lost its letter case)")
    id18 = value[:15] + expected
    if prefix is not None and not id18.startswith(prefix):
        name = _OBJECT_NAMES.get(prefix, "the expected object")
        raise InvalidSalesforceId(f"must be an id of {name} (key prefix {prefix})")
    return id18


def to_18(value: str) -> str:
    """Validate a 15- or 18-character id of any object and return its 18-character form."""
    return checked_id(value)


def is_valid(value: str) -> bool:
    try:
        checked_id(value)
    except InvalidSalesforceId:
        return False
    return True


SalesforceId = Annotated[str, AfterValidator(to_18)]
"""A pydantic type: any valid 15/18-character id, normalised to 18 characters."""


def _id_of(prefix: KeyPrefix) -> AfterValidator:
    return AfterValidator(lambda value: checked_id(value, prefix=prefix))


AccountId = Annotated[str, _id_of(KeyPrefix.ACCOUNT)]
ContactId = Annotated[str, _id_of(KeyPrefix.CONTACT)]
ProductId = Annotated[str, _id_of(KeyPrefix.PRODUCT)]
PricebookId = Annotated[str, _id_of(KeyPrefix.PRICEBOOK)]
PricebookEntryId = Annotated[str, _id_of(KeyPrefix.PRICEBOOK_ENTRY)]
OrderId = Annotated[str, _id_of(KeyPrefix.ORDER)]
OrderItemId = Annotated[str, _id_of(KeyPrefix.ORDER_ITEM)]
OrganizationId = Annotated[str, _id_of(KeyPrefix.ORGANIZATION)]
CaseId = Annotated[str, _id_of(KeyPrefix.CASE)]
CaseCommentId = Annotated[str, _id_of(KeyPrefix.CASE_COMMENT)]
ContentDocumentId = Annotated[str, _id_of(KeyPrefix.CONTENT_DOCUMENT)]
ContentVersionId = Annotated[str, _id_of(KeyPrefix.CONTENT_VERSION)]
RecordTypeId = Annotated[str, _id_of(KeyPrefix.RECORD_TYPE)]
UserId = Annotated[str, _id_of(KeyPrefix.USER)]
