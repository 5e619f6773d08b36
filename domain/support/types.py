"""Support cases: what a customer asks help with, and the conversation until it is solved.

A case lives in the CRM (Salesforce ``Case``, its conversation in ``CaseComment``, its files in
Salesforce Files); these are the portal's own words for it. Statuses are the four a customer
understands, whatever the CRM's picklist says (the mapper turns one into the other, once).

Structured requests (a lost SIM to suspend, an MNP reservation number, a replacement SIM, a new
delivery address) are request types with their own required details and priority
(``domain.support.requests``), so any feature can raise one.
"""
from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, Strict, StringConstraints, model_validator

from domain.orders.types import RequestId
from domain.shared.model import DomainModel
from domain.shared.salesforce_id import (
    AccountId,
    CaseCommentId,
    CaseId,
    ContentDocumentId,
    ContentVersionId,
    KeyPrefix,
    RecordTypeId,
    checked_id,
)
from domain.sim.iccid import require_iccid

MAX_SUBJECT_LENGTH = 120
"""Characters of a subject (Salesforce's ``Case.Subject`` holds 255)."""
MIN_SUBJECT_LENGTH = 3
MAX_DESCRIPTION_LENGTH = 4000
MIN_DESCRIPTION_LENGTH = 10
"""A general request must say at least this much; a structured one's details speak for it."""
MAX_COMMENT_LENGTH = 4000
"""``CaseComment.CommentBody`` holds 4,000 characters."""
MAX_NAME_LENGTH = 80
MAX_ADDRESS_LINE_LENGTH = 120
MAX_CITY_LENGTH = 80
MAX_PREFECTURE_LENGTH = 40

_POSTAL_CODE = re.compile(r"\d{3}-\d{4}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    """Text a person typed: line breaks and tabs are fine, other control characters are not."""
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("must be one line")
    return value


def _postal_code(value: str) -> str:
    if not _POSTAL_CODE.fullmatch(value):
        raise ValueError("must be a Japanese postal code, 123-4567")
    return value


def _iccid(value: str) -> str:
    return require_iccid(value)


def _text(max_length: int, min_length: int = 1, *, one_line: bool = True):
    checks = [AfterValidator(_no_control_characters)] + ([AfterValidator(_single_line)] if one_line else [])
    return Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=min_length,
                                                      max_length=max_length), *checks]


Subject = _text(MAX_SUBJECT_LENGTH, MIN_SUBJECT_LENGTH)
Description = _text(MAX_DESCRIPTION_LENGTH, 0, one_line=False)
CommentBody = _text(MAX_COMMENT_LENGTH, 1, one_line=False)
Iccid = Annotated[str, Strict(), AfterValidator(_iccid)]
PostalCode = Annotated[str, Strict(), StringConstraints(strip_whitespace=True), AfterValidator(_postal_code)]


class CaseStatus(StrEnum):
    """Where a case stands, in the customer's words."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_YOU = "waiting_for_you"
    SOLVED = "solved"

    @property
    def is_open(self) -> bool:
        return self is not CaseStatus.SOLVED


class CaseCategory(StrEnum):
    BILLING = "billing"
    SUBSCRIPTION = "subscription"
    ORDER = "order"
    SIM = "sim"
    TECHNICAL = "technical"
    ACCOUNT = "account"
    OTHER = "other"


class CasePriority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RequestType(StrEnum):
    """What kind of help: a general question, or a request staff fulfil by hand."""

    GENERAL = "general"
    LOST_SIM = "lost_sim"
    MNP_RESERVATION = "mnp_reservation"
    SIM_REPLACEMENT = "sim_replacement"
    ADDRESS_CHANGE = "delivery_address_change"
    RESUME_LINE = "resume_line"


class RelatedKind(StrEnum):
    """What a case can be about, so staff see which record without asking."""

    INVOICE = "invoice"
    SUBSCRIPTION = "subscription"
    ORDER = "order"
    SIM = "sim"


class RelatedRecord(DomainModel):
    """The invoice, subscription (WHMCS service), order or SIM a case is about."""

    kind: RelatedKind
    id: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _check_id(self) -> RelatedRecord:
        if self.kind in (RelatedKind.INVOICE, RelatedKind.SUBSCRIPTION):
            if not (self.id.isascii() and self.id.isdigit() and 0 < int(self.id) < 2**31):
                raise ValueError(f"a {self.kind.value} id is a positive whole number")
        elif self.kind is RelatedKind.ORDER:
            object.__setattr__(self, "id", checked_id(self.id, prefix=KeyPrefix.ORDER))
        else:
            object.__setattr__(self, "id", require_iccid(self.id))
        return self

    @property
    def number(self) -> int:
        """The WHMCS id of an invoice or subscription."""
        if self.kind not in (RelatedKind.INVOICE, RelatedKind.SUBSCRIPTION):
            raise ValueError(f"a {self.kind.value} has no WHMCS number")
        return int(self.id)


class LossKind(StrEnum):
    LOST = "lost"
    STOLEN = "stolen"


class ReplacementReason(StrEnum):
    DAMAGED = "damaged"
    NOT_RECOGNISED = "not_recognised"
    SIZE_CHANGE = "size_change"
    OTHER = "other"


class SimSize(StrEnum):
    NANO = "nano"
    MICRO = "micro"
    STANDARD = "standard"


class DeliveryAddress(DomainModel):
    """A Japanese delivery address."""

    postal_code: PostalCode
    prefecture: _text(MAX_PREFECTURE_LENGTH)
    city: _text(MAX_CITY_LENGTH)
    street: _text(MAX_ADDRESS_LINE_LENGTH)
    building: _text(MAX_ADDRESS_LINE_LENGTH, 0) = ""


class RequestDetails(DomainModel):
    """The details a structured request carries (each type requires its own: ``requests.SPECS``)."""

    iccid: Iccid | None = None
    """The SIM concerned (lost, replaced, or whose number is ported out)."""
    loss_kind: LossKind | None = None
    noticed_on: date | None = None
    """When the customer noticed the SIM was gone."""
    holder_name: _text(MAX_NAME_LENGTH) | None = None
    """The contract holder's name, as MNP requires it."""
    replacement_reason: ReplacementReason | None = None
    sim_size: SimSize | None = None
    address: DeliveryAddress | None = None


class NewCase(DomainModel):
    """A case to open for a customer, checked against its request type's rules."""

    account_id: AccountId
    request_id: RequestId
    """The form's idempotency key: the same form submitted twice opens one case."""
    request_type: RequestType
    category: CaseCategory
    subject: Subject
    description: Description = ""
    related: RelatedRecord | None = None
    details: RequestDetails = Field(default_factory=RequestDetails)
    contact_name: _text(MAX_NAME_LENGTH, 0) = ""
    contact_email: _text(254, 0) = ""
    record_type_id: RecordTypeId | None = None
    """The Salesforce record type of the request type, when the org has it."""

    @model_validator(mode="after")
    def _check_request(self) -> NewCase:
        from domain.support.requests import problems  # the rules of each request type

        found = problems(self.request_type, description=self.description, details=self.details)
        if (self.related is not None and self.related.kind is RelatedKind.SIM and self.details.iccid
                and self.details.iccid != self.related.id):
            found.append(("iccid", "is not the SIM the case is about"))
        if found:
            raise ValueError("; ".join(f"{name}: {reason}" for name, reason in found))
        return self

    @property
    def priority(self) -> CasePriority:
        from domain.support.requests import SPECS

        return SPECS[self.request_type].priority


MNP_RESERVATION_NUMBER = re.compile(r"\d{10}")
"""An MNP reservation number: ten digits."""


def _mnp_number(value: str) -> str:
    if not MNP_RESERVATION_NUMBER.fullmatch(value):
        raise ValueError("an MNP reservation number is ten digits")
    return value


class MnpReservation(DomainModel):
    """The port-out reservation number staff obtained for a SIM's phone number, and the last day it
    can be used (Japan time): while it holds, porting the number to the new carrier ends the SIM."""

    number: Annotated[str, Strict(), AfterValidator(_mnp_number)]
    expires_on: date

    def holds_on(self, day: date) -> bool:
        return day <= self.expires_on


class CaseSummary(DomainModel):
    """A case as the customer's list shows it."""

    id: CaseId
    number: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=30)]
    subject: str
    status: CaseStatus
    category: CaseCategory | None
    request_type: RequestType
    priority: CasePriority | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    """The last thing that happened: the case changed, or a reply was added."""
    closed_at: AwareDatetime | None = None
    sim_iccid: Iccid | None = None
    """The SIM the case is about (a structured SIM request's, or the one it was opened from)."""
    mnp_reservation: MnpReservation | None = None
    """An MNP request's reservation number and expiry, once staff recorded them on the case."""

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def is_open_about_sim(self, request_type: RequestType, iccid: str) -> bool:
        """An open case of ``request_type`` about the SIM ``iccid`` (what a SIM's page shows on top)."""
        return self.is_open and self.request_type is request_type and self.sim_iccid == iccid


class CommentAuthor(StrEnum):
    CUSTOMER = "customer"
    SUPPORT = "support"


class CaseComment(DomainModel):
    """One public message of the conversation (internal notes never become one)."""

    id: CaseCommentId
    body: str
    author: CommentAuthor
    created_at: AwareDatetime


class CaseAttachment(DomainModel):
    """A file of the case, kept in Salesforce Files."""

    document_id: ContentDocumentId
    version_id: ContentVersionId | None
    title: str
    file_extension: str
    size_bytes: Annotated[int, Field(ge=0)] | None
    created_at: AwareDatetime


class CaseDetails(CaseSummary):
    """A case with everything the customer may see of it."""

    account_id: AccountId
    description: str
    related: RelatedRecord | None = None
    details: RequestDetails = Field(default_factory=RequestDetails)
    comments: tuple[CaseComment, ...] = ()
    attachments: tuple[CaseAttachment, ...] = ()


class NewComment(DomainModel):
    case_id: CaseId
    body: CommentBody


class CaseUpdate(DomainModel):
    """A case changed in the CRM (a Platform Event): what the portal must forget."""

    event_id: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=255)]
    case_id: CaseId
    account_id: AccountId
    status: CaseStatus | None
    replay_id: Annotated[bytes, Strict(), Field(min_length=1)]
    published_at: AwareDatetime


__all__ = [
    "CaseAttachment",
    "CaseCategory",
    "CaseComment",
    "CaseDetails",
    "CasePriority",
    "CaseStatus",
    "CaseSummary",
    "CaseUpdate",
    "CommentAuthor",
    "DeliveryAddress",
    "LossKind",
    "NewCase",
    "NewComment",
    "RelatedKind",
    "RelatedRecord",
    "ReplacementReason",
    "RequestDetails",
    "RequestType",
    "SimSize",
]
