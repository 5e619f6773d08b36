"""Salesforce support records <-> support domain types. Pure: every piece of context is an argument.

The org's vocabulary is written here once: its `Case.Status` values and the four statuses a
customer reads, the category and request-detail picklists, the record type of each request type,
and `Origin = Portal`. Reading tolerates what an org admin may add later (an unknown status is
"in progress", or "solved" on a closed case; an unknown category is none) but never a malformed id,
date or checkbox: those raise MappingError naming the raw field.

A comment's author is the portal's integration user (the customer wrote it through the portal) or
anyone else (support). Only published comments are ever turned into conversation: an internal note
that reached the mapper is dropped here, whatever the query asked for.
"""
from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.providers.salesforce import PROVIDER, single_record
from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, checked_id, to_18
from domain.sim.iccid import InvalidIccid, require_iccid
from domain.support.attachments import NewAttachment
from domain.support.providers.salesforce.raw import (
    SfCaseBaseRaw,
    SfCaseCommentRaw,
    SfCaseDetailRaw,
    SfCaseListRaw,
    SfCaseLookupRaw,
    SfContentVersionLookupRaw,
    SfCreateResultRaw,
    SfRecentCommentsRaw,
    SfRecordTypesRaw,
)
from domain.support.requests import SPECS, Detail
from domain.support.types import (
    CaseAttachment,
    CaseCategory,
    CaseComment,
    CaseDetails,
    CasePriority,
    CaseStatus,
    CaseSummary,
    CommentAuthor,
    DeliveryAddress,
    LossKind,
    MnpReservation,
    NewCase,
    NewComment,
    RelatedKind,
    RelatedRecord,
    ReplacementReason,
    RequestDetails,
    RequestType,
    SimSize,
)

ORIGIN = "Portal"
"""`Case.Origin` of every case the portal opens."""
NEW_STATUS = "New"
STATUSES: dict[str, CaseStatus] = {
    "New": CaseStatus.NEW,
    "Working": CaseStatus.IN_PROGRESS,
    "Escalated": CaseStatus.IN_PROGRESS,
    "On Hold": CaseStatus.IN_PROGRESS,
    "Waiting on Customer": CaseStatus.WAITING_FOR_YOU,
    "Closed": CaseStatus.SOLVED,
}
"""`Case.Status` values and what the customer reads; any other is in progress (solved when closed)."""
CATEGORIES: dict[CaseCategory, str] = {
    CaseCategory.BILLING: "Billing",
    CaseCategory.SUBSCRIPTION: "Subscription",
    CaseCategory.ORDER: "Order",
    CaseCategory.SIM: "SIM",
    CaseCategory.TECHNICAL: "Technical",
    CaseCategory.ACCOUNT: "Account",
    CaseCategory.OTHER: "Other",
}
"""`Case.Portal_Category__c` picklist values."""
PRIORITIES: dict[CasePriority, str] = {CasePriority.HIGH: "High", CasePriority.MEDIUM: "Medium",
                                       CasePriority.LOW: "Low"}
RECORD_TYPES: dict[RequestType, str] = {
    RequestType.GENERAL: "Portal_General",
    RequestType.LOST_SIM: "Portal_Lost_Stolen_SIM",
    RequestType.MNP_RESERVATION: "Portal_MNP_Reservation",
    RequestType.SIM_REPLACEMENT: "Portal_SIM_Replacement",
    RequestType.ADDRESS_CHANGE: "Portal_Delivery_Address_Change",
    RequestType.RESUME_LINE: "Portal_Resume_Line",
}
"""The developer name of each request type's Case record type."""
LOSS_KINDS: dict[LossKind, str] = {LossKind.LOST: "Lost", LossKind.STOLEN: "Stolen"}
REPLACEMENT_REASONS: dict[ReplacementReason, str] = {
    ReplacementReason.DAMAGED: "Damaged", ReplacementReason.NOT_RECOGNISED: "Not recognised",
    ReplacementReason.SIZE_CHANGE: "Size change", ReplacementReason.OTHER: "Other",
}
SIM_SIZES: dict[SimSize, str] = {SimSize.NANO: "Nano", SimSize.MICRO: "Micro", SimSize.STANDARD: "Standard"}


def _reverse(table: dict) -> dict:
    return {value.casefold(): key for key, value in table.items()}


_CATEGORY_OF, _PRIORITY_OF, _TYPE_OF = _reverse(CATEGORIES), _reverse(PRIORITIES), _reverse(RECORD_TYPES)
_LOSS_OF, _REASON_OF, _SIZE_OF = _reverse(LOSS_KINDS), _reverse(REPLACEMENT_REASONS), _reverse(SIM_SIZES)


def customer_status(status: str | None, *, is_closed: bool) -> CaseStatus:
    """What the customer reads for a Salesforce status (``IsClosed`` decides "solved")."""
    if is_closed:
        return CaseStatus.SOLVED
    found = STATUSES.get((status or "").strip(), CaseStatus.IN_PROGRESS)
    return CaseStatus.IN_PROGRESS if found is CaseStatus.SOLVED else found  # "Closed" but not closed: odd


# -- reading --------------------------------------------------------------------------------------


def transform_salesforce_case_list(raw_query_response: object) -> tuple[CaseSummary, ...]:
    """The customer's cases from the answer of the cases query, in its order."""
    parsed = validate_raw(SfCaseListRaw, raw_query_response, provider=PROVIDER, entity="case list")
    summaries = []
    for record in parsed.records:
        replies = record.CaseComments.records if record.CaseComments is not None else []
        summaries.append(build_domain(CaseSummary, provider=PROVIDER, entity="case",
                                      **_summary_fields(record, (reply.CreatedDate for reply in replies))))
    return tuple(summaries)


def transform_salesforce_case_details(raw_record: object, *, portal_user_id: str) -> CaseDetails:
    """One case from the record of the one-case query, with its public conversation and its files.

    ``portal_user_id`` is the integration user the portal signs in as: its comments are the
    customer's (written through the portal), everyone else's are support's.
    """
    portal_user = _user_id(portal_user_id)
    record = validate_raw(SfCaseDetailRaw, raw_record, provider=PROVIDER, entity="case")
    comments = _comments(record.CaseComments.records if record.CaseComments is not None else [], portal_user)
    links = record.ContentDocumentLinks.records if record.ContentDocumentLinks is not None else []
    attachments = tuple(sorted((build_domain(
        CaseAttachment, provider=PROVIDER, entity="case attachment",
        document_id=link.ContentDocumentId,
        version_id=link.ContentDocument.LatestPublishedVersionId,
        title=(link.ContentDocument.Title or "").strip() or "attachment",
        file_extension=(link.ContentDocument.FileExtension or "").strip().lower(),
        size_bytes=link.ContentDocument.ContentSize,
        created_at=link.ContentDocument.CreatedDate,
    ) for link in links), key=lambda attachment: (attachment.created_at, attachment.document_id)))
    request_type = _request_type(record)
    return build_domain(
        CaseDetails, provider=PROVIDER, entity="case",
        **_summary_fields(record, (comment.created_at for comment in comments)),
        account_id=record.AccountId,
        description=record.Description or "",
        related=_related(record),
        details=_details(record, request_type),
        comments=comments,
        attachments=attachments,
    )


def transform_salesforce_case_lookup(raw_query_response: object) -> str | None:
    """The id of the case the case-by-request-id query found, or None: was this form saved?"""
    record = single_record(raw_query_response, entity="case lookup")
    if record is None:
        return None
    return validate_raw(SfCaseLookupRaw, raw_query_response, provider=PROVIDER, entity="case lookup").records[0].Id


def transform_salesforce_record_types(raw_query_response: object) -> dict[RequestType, str]:
    """The record type id of each request type the org has (the others are left out)."""
    parsed = validate_raw(SfRecordTypesRaw, raw_query_response, provider=PROVIDER, entity="record types")
    found: dict[RequestType, str] = {}
    for record in parsed.records:
        request_type = _TYPE_OF.get(record.DeveloperName.casefold())
        if request_type is not None:
            found[request_type] = record.Id
    return found


def transform_salesforce_recent_comments(raw_query_response: object, *, portal_user_id: str
                                         ) -> tuple[CaseComment, ...]:
    """The comments of the recent-comments query, oldest first, with their authors."""
    parsed = validate_raw(SfRecentCommentsRaw, raw_query_response, provider=PROVIDER, entity="recent comments")
    return _comments(parsed.records, _user_id(portal_user_id), published_only=False)


def transform_salesforce_content_version_lookup(raw_query_response: object) -> str | None:
    """The ContentVersion the lookup by request id found (its id), or None."""
    record = single_record(raw_query_response, entity="file lookup")
    if record is None:
        return None
    return validate_raw(SfContentVersionLookupRaw, raw_query_response, provider=PROVIDER,
                        entity="file lookup").records[0].Id


def transform_salesforce_create_result(raw: object, *, prefix: KeyPrefix, entity: str) -> str:
    """The id a `POST sobjects/<Type>` created (an id of ``prefix``'s object)."""
    parsed = validate_raw(SfCreateResultRaw, raw, provider=PROVIDER, entity=entity)
    if not parsed.success:
        reasons = "; ".join(f"{e.statusCode}: {e.message}" for e in parsed.errors) or "no reason given"
        raise MappingError(provider=PROVIDER, entity=entity, field="success", reason=f"false ({reasons})")
    try:
        return checked_id(parsed.id, prefix=prefix)
    except InvalidSalesforceId as exc:
        raise MappingError(provider=PROVIDER, entity=entity, field="id", reason=str(exc)) from None


def _user_id(value: str) -> str:
    try:
        return checked_id(value, prefix=KeyPrefix.USER)
    except InvalidSalesforceId as exc:
        raise ValueError(f"portal_user_id {exc}") from None


def _summary_fields(record: SfCaseBaseRaw, reply_times: Iterable[datetime]) -> dict[str, Any]:
    updated = max([record.LastModifiedDate, *reply_times])
    return {
        "id": record.Id,
        "number": record.CaseNumber,
        "subject": (record.Subject or "").strip(),
        "status": customer_status(record.Status, is_closed=record.IsClosed),
        "category": _CATEGORY_OF.get((record.Portal_Category__c or "").strip().casefold()),
        "request_type": _request_type(record),
        "priority": _PRIORITY_OF.get((record.Priority or "").strip().casefold()),
        "created_at": record.CreatedDate,
        "updated_at": updated,
        "closed_at": record.ClosedDate if record.IsClosed else None,
        "sim_iccid": _iccid(record.SIM_ICCID__c),
        "mnp_reservation": _mnp_reservation(record),
    }


def _request_type(record: SfCaseBaseRaw) -> RequestType:
    name = record.RecordType.DeveloperName if record.RecordType is not None else None
    return _TYPE_OF.get((name or "").casefold(), RequestType.GENERAL)


def _comments(records: Iterable[SfCaseCommentRaw], portal_user: str, *, published_only: bool = True
              ) -> tuple[CaseComment, ...]:
    comments = [
        build_domain(CaseComment, provider=PROVIDER, entity="case comment", id=record.Id,
                     body=(record.CommentBody or "").replace("\r\n", "\n").strip(),
                     author=CommentAuthor.CUSTOMER if record.CreatedById == portal_user else CommentAuthor.SUPPORT,
                     created_at=record.CreatedDate)
        for record in records if record.IsPublished or not published_only
    ]
    return tuple(sorted(comments, key=lambda comment: (comment.created_at, comment.id)))


def _related(record: SfCaseDetailRaw) -> RelatedRecord | None:
    if record.WHMCS_Invoice_Id__c is not None:
        return RelatedRecord(kind=RelatedKind.INVOICE, id=str(record.WHMCS_Invoice_Id__c))
    if record.WHMCS_Service_Id__c is not None:
        return RelatedRecord(kind=RelatedKind.SUBSCRIPTION, id=str(record.WHMCS_Service_Id__c))
    if record.Order__c is not None:
        return RelatedRecord(kind=RelatedKind.ORDER, id=record.Order__c)
    iccid = _iccid(record.SIM_ICCID__c)
    return RelatedRecord(kind=RelatedKind.SIM, id=iccid) if iccid else None


def _mnp_reservation(record: SfCaseBaseRaw) -> MnpReservation | None:
    """The reservation number and expiry staff recorded on an MNP request (typed by hand: spaces and
    hyphens are dropped; a number that still is not ten digits, or half of the pair, is none)."""
    if _request_type(record) is not RequestType.MNP_RESERVATION:
        return None
    number = "".join((record.MNP_Reservation_Number__c or "").replace("-", "").split())
    if not number or record.MNP_Reservation_Expiry__c is None:
        return None
    try:
        return MnpReservation(number=number, expires_on=record.MNP_Reservation_Expiry__c)
    except ValueError:
        return None


def _iccid(value: str | None) -> str | None:
    try:
        return require_iccid(value) if value else None
    except InvalidIccid:
        return None  # typed by hand in the CRM: not worth failing the page over


def _details(record: SfCaseDetailRaw, request_type: RequestType) -> RequestDetails:
    """The request's details, as far as its type takes them and they still read well (staff may
    have edited them); what does not is left out rather than failing the page."""
    takes = set(SPECS[request_type].details)
    values: dict[str, Any] = {}
    if Detail.ICCID in takes:
        values["iccid"] = _iccid(record.SIM_ICCID__c)
    if Detail.LOSS_KIND in takes:
        values["loss_kind"] = _LOSS_OF.get((record.Loss_Type__c or "").casefold())
    if Detail.NOTICED_ON in takes:
        values["noticed_on"] = record.Incident_Date__c
    if Detail.HOLDER_NAME in takes:
        values["holder_name"] = (record.MNP_Holder_Name__c or "").strip()[:80] or None
    if Detail.REPLACEMENT_REASON in takes:
        values["replacement_reason"] = _REASON_OF.get((record.Replacement_Reason__c or "").casefold())
    if Detail.SIM_SIZE in takes:
        values["sim_size"] = _SIZE_OF.get((record.SIM_Size__c or "").casefold())
    if Detail.ADDRESS in takes:
        values["address"] = _address(record)
    try:
        return RequestDetails(**values)
    except ValueError:
        return RequestDetails(**{name: value for name, value in values.items()
                                 if _readable(name, value)})


def _readable(name: str, value: Any) -> bool:
    try:
        RequestDetails(**{name: value})
    except ValueError:
        return False
    return True


def _address(record: SfCaseDetailRaw) -> DeliveryAddress | None:
    try:
        return DeliveryAddress(postal_code=record.Delivery_Postal_Code__c or "",
                               prefecture=record.Delivery_Prefecture__c or "", city=record.Delivery_City__c or "",
                               street=record.Delivery_Street__c or "", building=record.Delivery_Building__c or "")
    except ValueError:
        return None


# -- writing --------------------------------------------------------------------------------------


def build_salesforce_case(new_case: NewCase) -> dict[str, Any]:
    """The fields of `POST sobjects/Case`: the customer's words, the request's details in their own
    fields, the related record in its own field, `Origin = Portal` and the form's request id
    (`Portal_Request_Id__c`, unique: a form submitted twice fails with DUPLICATE_VALUE)."""
    if not isinstance(new_case, NewCase):
        raise TypeError("new_case must be a NewCase")
    details = new_case.details
    fields: dict[str, Any] = {
        "AccountId": new_case.account_id,
        "Subject": new_case.subject,
        "Description": new_case.description or None,
        "Status": NEW_STATUS,
        "Origin": ORIGIN,
        "Priority": PRIORITIES[new_case.priority],
        "Portal_Category__c": CATEGORIES[new_case.category],
        "Portal_Request_Id__c": new_case.request_id,
    }
    if new_case.record_type_id:
        fields["RecordTypeId"] = new_case.record_type_id
    if new_case.contact_name:
        fields["SuppliedName"] = new_case.contact_name
    if new_case.contact_email:
        fields["SuppliedEmail"] = new_case.contact_email
    related = new_case.related
    iccid = details.iccid
    if related is not None:
        if related.kind is RelatedKind.INVOICE:
            fields["WHMCS_Invoice_Id__c"] = related.number
        elif related.kind is RelatedKind.SUBSCRIPTION:
            fields["WHMCS_Service_Id__c"] = related.number
        elif related.kind is RelatedKind.ORDER:
            fields["Order__c"] = related.id
        else:
            iccid = iccid or related.id
    if iccid:
        fields["SIM_ICCID__c"] = iccid
    if details.loss_kind is not None:
        fields["Loss_Type__c"] = LOSS_KINDS[details.loss_kind]
    if details.noticed_on is not None:
        fields["Incident_Date__c"] = details.noticed_on.isoformat()
    if details.holder_name:
        fields["MNP_Holder_Name__c"] = details.holder_name
    if details.replacement_reason is not None:
        fields["Replacement_Reason__c"] = REPLACEMENT_REASONS[details.replacement_reason]
    if details.sim_size is not None:
        fields["SIM_Size__c"] = SIM_SIZES[details.sim_size]
    if details.address is not None:
        address = details.address
        fields.update({"Delivery_Postal_Code__c": address.postal_code, "Delivery_Prefecture__c": address.prefecture,
                       "Delivery_City__c": address.city, "Delivery_Street__c": address.street,
                       "Delivery_Building__c": address.building or None})
    return fields


def build_salesforce_case_comment(comment: NewComment) -> dict[str, Any]:
    """The fields of `POST sobjects/CaseComment`: a public comment (staff see it as the customer's)."""
    return {"ParentId": comment.case_id, "CommentBody": comment.body, "IsPublished": True}


def build_salesforce_content_version(case_id: str, request_id: str, attachment: NewAttachment, *,
                                     parent_prefix: KeyPrefix = KeyPrefix.CASE) -> dict[str, Any]:
    """The fields of `POST sobjects/ContentVersion`: the file (base64) published to the case (or
    to another record of ``parent_prefix``'s object, e.g. an Account's identity documents), which
    links it (a ContentDocument and its ContentDocumentLink), with the form's request id as a marker
    to look for when the answer is lost."""
    return {
        "Title": attachment.title,
        "PathOnClient": attachment.file_name,
        "VersionData": base64.b64encode(attachment.content).decode("ascii"),
        "FirstPublishLocationId": checked_id(case_id, prefix=parent_prefix),
        "Portal_Request_Id__c": request_id,
    }


def same_comment(comment: CaseComment, body: str) -> bool:
    """Whether ``comment`` is the customer's comment with this text (a lost answer's comment)."""
    return comment.author is CommentAuthor.CUSTOMER and comment.body == body.replace("\r\n", "\n").strip()


def case_id_of(value: str) -> str:
    """A case id in its 18-character form (ValueError when it is not one)."""
    return checked_id(to_18(value), prefix=KeyPrefix.CASE)
