"""Salesforce key prefixes and id types that check them.

The first three characters of a record id name its object (`801...` is an Order). An id of the
wrong object is as wrong as a malformed one: it is refused before it reaches a query or a domain
object. `checked_id` is also stricter than `salesforce_id.to_18` about the whole string: a trailing
newline ("001...\\n"), which Python's `$` lets through, is refused rather than trimmed.
"""
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

from domain.shared.salesforce_id import InvalidSalesforceId, to_18

_ID_CHARS = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


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


def checked_id(value: object, *, prefix: str | None = None) -> str:
    """The 18-character form of a valid 15/18-character id, of the object `prefix` names if given.

    Raises InvalidSalesforceId (a ValueError) for anything else; the message never echoes the value.
    """
    if not isinstance(value, str) or not _ID_CHARS.fullmatch(value):
        raise InvalidSalesforceId("must be 15 or 18 letters and digits")
    id18 = to_18(value)
    if prefix is not None and not id18.startswith(prefix):
        name = _OBJECT_NAMES.get(prefix, "the expected object")
        raise InvalidSalesforceId(f"must be an id of {name} (key prefix {prefix})")
    return id18


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
