"""Raw Salesforce support records, as the case queries
(`integrations.salesforce.utils.case_query_builder`) answer them, and the answers of the writes.

Picklist values (`Status`, `Priority`, `Portal_Category__c`, the request details) are read as text
here and turned into the portal's words by the mapper, which tolerates a value an org admin added
later (a new status is "in progress" until the portal learns it); ids, dates and checkboxes are
strict. Every selected field is required: Salesforce sends a selected field as `null` when empty.
"""
from typing import Annotated

from pydantic import Field, Strict

from domain.shared.providers.salesforce import (
    RequiredRelationship,
    SalesforceRawModel,
    SfCheckbox,
    SfDate,
    SfDateTime,
    SfOptionalText,
    SfPositiveWholeNumber,
    SfQueryResult,
    SfText,
    SfWholeNumber,
)
from domain.shared.salesforce_id import (
    AccountId,
    CaseCommentId,
    CaseId,
    ContentDocumentId,
    ContentVersionId,
    OrderId,
    RecordTypeId,
    SalesforceId,
)


class SfRecordTypeRefRaw(SalesforceRawModel):
    """`Case.RecordType`: its developer name says the request type."""

    DeveloperName: SfOptionalText = None


class SfCaseActivityRaw(SalesforceRawModel):
    """A row of the list query's `CaseComments` subquery: only when the last public reply was."""

    CreatedDate: SfDateTime


class SfCaseCommentRaw(SalesforceRawModel):
    Id: CaseCommentId
    CommentBody: SfOptionalText
    IsPublished: SfCheckbox
    CreatedById: SalesforceId
    CreatedDate: SfDateTime


class SfContentDocumentRaw(SalesforceRawModel):
    """`ContentDocumentLink.ContentDocument`."""

    Title: SfOptionalText
    FileExtension: SfOptionalText
    ContentSize: SfWholeNumber | None
    LatestPublishedVersionId: ContentVersionId | None
    CreatedDate: SfDateTime


class SfContentDocumentLinkRaw(SalesforceRawModel):
    ContentDocumentId: ContentDocumentId
    ContentDocument: Annotated[SfContentDocumentRaw, RequiredRelationship]


class SfCaseBaseRaw(SalesforceRawModel):
    Id: CaseId
    AccountId: AccountId
    CaseNumber: SfText
    Subject: SfOptionalText
    Status: SfOptionalText
    IsClosed: SfCheckbox
    Priority: SfOptionalText
    Portal_Category__c: SfOptionalText
    CreatedDate: SfDateTime
    LastModifiedDate: SfDateTime
    ClosedDate: SfDateTime | None
    RecordType: SfRecordTypeRefRaw | None
    SIM_ICCID__c: SfOptionalText
    MNP_Reservation_Number__c: SfOptionalText
    MNP_Reservation_Expiry__c: SfDate | None


class SfCaseListItemRaw(SfCaseBaseRaw):
    """A record of the customer's-cases query."""

    CaseComments: SfQueryResult[SfCaseActivityRaw] | None


class SfCaseDetailRaw(SfCaseBaseRaw):
    """The record of the one-case query: the case, its public comments and its files."""

    Description: SfOptionalText
    WHMCS_Invoice_Id__c: SfPositiveWholeNumber | None
    WHMCS_Service_Id__c: SfPositiveWholeNumber | None
    Order__c: OrderId | None
    Loss_Type__c: SfOptionalText
    Incident_Date__c: SfDate | None
    MNP_Holder_Name__c: SfOptionalText
    Replacement_Reason__c: SfOptionalText
    SIM_Size__c: SfOptionalText
    Delivery_Postal_Code__c: SfOptionalText
    Delivery_Prefecture__c: SfOptionalText
    Delivery_City__c: SfOptionalText
    Delivery_Street__c: SfOptionalText
    Delivery_Building__c: SfOptionalText
    CaseComments: SfQueryResult[SfCaseCommentRaw] | None
    ContentDocumentLinks: SfQueryResult[SfContentDocumentLinkRaw] | None


SfCaseListRaw = SfQueryResult[SfCaseListItemRaw]


class SfCaseIdRaw(SalesforceRawModel):
    Id: CaseId


SfCaseLookupRaw = SfQueryResult[SfCaseIdRaw]
"""The answer of the case-by-request-id query."""


class SfRecordTypeRaw(SalesforceRawModel):
    Id: RecordTypeId
    DeveloperName: SfText


SfRecordTypesRaw = SfQueryResult[SfRecordTypeRaw]


SfRecentCommentsRaw = SfQueryResult[SfCaseCommentRaw]
"""The answer of the recent-comments query (a lost comment answer is looked for there)."""


class SfContentVersionIdRaw(SalesforceRawModel):
    Id: ContentVersionId
    ContentDocumentId: ContentDocumentId | None


SfContentVersionLookupRaw = SfQueryResult[SfContentVersionIdRaw]


class SfCreateErrorRaw(SalesforceRawModel):
    statusCode: SfOptionalText = None
    message: SfOptionalText = None


class SfCreateResultRaw(SalesforceRawModel):
    """`POST sobjects/<Type>` → `201 {"id": "...", "success": true, "errors": []}`."""

    id: Annotated[str, Strict(), Field(min_length=15, max_length=18)]
    success: SfCheckbox
    errors: list[SfCreateErrorRaw] = []
