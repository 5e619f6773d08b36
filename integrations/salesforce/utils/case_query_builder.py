"""The support case queries. Every id is validated and every value quoted by `format_soql`; field
names are constants. A customer's case is only ever read with its Account in the WHERE clause, so
another customer's case id finds nothing.
"""
from datetime import UTC, datetime

from simple_salesforce import format_soql

from domain.orders.types import InvalidRequestId, check_request_id
from domain.shared.salesforce_id import KeyPrefix
from integrations.salesforce.utils.soql import InvalidQueryArgumentError, check_limit, field_list, require_salesforce_id

CASE_FIELDS = (
    "Id",
    "AccountId",
    "CaseNumber",
    "Subject",
    "Status",
    "IsClosed",
    "Priority",
    "Portal_Category__c",
    "CreatedDate",
    "LastModifiedDate",
    "ClosedDate",
    "RecordType.DeveloperName",
    "SIM_ICCID__c",
    "MNP_Reservation_Number__c",
    "MNP_Reservation_Expiry__c",
)
"""What the case list shows (docs/salesforce.md lists every Case field the portal uses)."""
CASE_DETAIL_FIELDS = (
    "Description",
    "WHMCS_Invoice_Id__c",
    "WHMCS_Service_Id__c",
    "Order__c",
    "Loss_Type__c",
    "Incident_Date__c",
    "MNP_Holder_Name__c",
    "Replacement_Reason__c",
    "SIM_Size__c",
    "Delivery_Postal_Code__c",
    "Delivery_Prefecture__c",
    "Delivery_City__c",
    "Delivery_Street__c",
    "Delivery_Building__c",
)
COMMENT_FIELDS = ("Id", "CommentBody", "IsPublished", "CreatedById", "CreatedDate")
FILE_FIELDS = (
    "ContentDocumentId",
    "ContentDocument.Title",
    "ContentDocument.FileExtension",
    "ContentDocument.ContentSize",
    "ContentDocument.LatestPublishedVersionId",
    "ContentDocument.CreatedDate",
)
CASES_LIMIT = 100
MAX_CASES_LIMIT = 200
COMMENTS_LIMIT = 200
FILES_LIMIT = 50
RECENT_COMMENTS_LIMIT = 20


def build_cases_for_account_query(account_id: str, limit: int = CASES_LIMIT) -> str:
    """The Account's cases, most recently changed first, each with the time of its last public
    reply (a reply is news to the customer even when the case itself did not change)."""
    return format_soql(
        "SELECT {fields:literal}, (SELECT CreatedDate FROM CaseComments WHERE IsPublished = true "
        "ORDER BY CreatedDate DESC LIMIT 1) FROM Case WHERE AccountId = {account_id} "
        "ORDER BY LastModifiedDate DESC LIMIT {limit}",
        fields=field_list(CASE_FIELDS),
        account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
        limit=check_limit(limit, maximum=MAX_CASES_LIMIT),
    )


def build_case_query(case_id: str, account_id: str) -> str:
    """One case of the Account with its public comments and its files, in one query."""
    return format_soql(
        "SELECT {fields:literal}, "
        "(SELECT {comment_fields:literal} FROM CaseComments WHERE IsPublished = true "
        "ORDER BY CreatedDate ASC LIMIT {comments}), "
        "(SELECT {file_fields:literal} FROM ContentDocumentLinks LIMIT {files}) "
        "FROM Case WHERE Id = {case_id} AND AccountId = {account_id} LIMIT 1",
        fields=field_list((*CASE_FIELDS, *CASE_DETAIL_FIELDS)),
        comment_fields=field_list(COMMENT_FIELDS),
        file_fields=field_list(FILE_FIELDS),
        comments=COMMENTS_LIMIT,
        files=FILES_LIMIT,
        case_id=require_salesforce_id(case_id, prefix=KeyPrefix.CASE),
        account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
    )


def build_case_by_request_id_query(request_id: str, account_id: str) -> str:
    """The case this Account's form already opened, if any (a form submitted twice opens one case)."""
    return format_soql(
        "SELECT Id FROM Case WHERE Portal_Request_Id__c = {request_id} AND AccountId = {account_id} LIMIT 1",
        request_id=_request_id(request_id),
        account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
    )


def build_case_record_types_query() -> str:
    """The org's active Case record types (the portal picks its request types' by developer name)."""
    return "SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Case' AND IsActive = true"


def build_recent_comments_query(case_id: str, since: datetime) -> str:
    """The comments added to a case since ``since`` (an aware instant): where a comment whose
    answer was lost is looked for (`CommentBody` cannot be filtered on: it is compared by the caller)."""
    if not isinstance(since, datetime) or since.tzinfo is None:
        raise InvalidQueryArgumentError("since must be an aware datetime")
    return format_soql(
        "SELECT {fields:literal} FROM CaseComment WHERE ParentId = {case_id} AND CreatedDate >= {since:literal} "
        "ORDER BY CreatedDate DESC LIMIT {limit}",
        fields=field_list(COMMENT_FIELDS),
        case_id=require_salesforce_id(case_id, prefix=KeyPrefix.CASE),
        since=since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        limit=RECENT_COMMENTS_LIMIT,
    )


def build_content_version_by_request_id_query(request_id: str, case_id: str, *,
                                              parent_prefix: KeyPrefix = KeyPrefix.CASE) -> str:
    """The file a form already sent to this case (or to another record of ``parent_prefix``'s
    object, e.g. an Account), if any (its request id is the marker)."""
    return format_soql(
        "SELECT Id, ContentDocumentId FROM ContentVersion WHERE Portal_Request_Id__c = {request_id} "
        "AND FirstPublishLocationId = {case_id} LIMIT 1",
        request_id=_request_id(request_id),
        case_id=require_salesforce_id(case_id, prefix=parent_prefix),
    )


def _request_id(value: str) -> str:
    try:
        return check_request_id(value)
    except InvalidRequestId as exc:
        raise InvalidQueryArgumentError(f"request id {exc}") from None
