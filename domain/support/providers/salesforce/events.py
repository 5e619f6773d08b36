"""`Case_Status_Update__e`, the platform event that tells the portal a case changed. Pure.

Salesforce publishes it (a record-triggered flow on `Case`, docs/salesforce.md) when staff change
a case's status or add a public reply. The Pub/Sub API delivers it as an Avro record, decoded by
`integrations.salesforce.pubsub` into a dict:

    {"CreatedDate": 1795668561000,        # long: milliseconds since the epoch (UTC)
     "CreatedById": "005...",             # who published it
     "caseId__c": "500...",               # ["null", "string"]: the Case
     "accountId__c": "001...",            # ["null", "string"]: its Account (whose cache to forget)
     "status__c": "Closed"}               # ["null", "string"]: its Status now
"""
from domain.orders.providers.salesforce.events import EpochMillis
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.providers.salesforce import PROVIDER, SalesforceRawModel, SfOptionalText
from domain.shared.salesforce_id import AccountId, CaseId, SalesforceId
from domain.support.providers.salesforce.mapper import STATUSES, customer_status
from domain.support.types import CaseStatus, CaseUpdate

CASE_STATUS_UPDATE = "Case_Status_Update__e"
"""The platform event's API name; its Pub/Sub topic is `/event/Case_Status_Update__e`."""


class SfCaseStatusUpdateRaw(SalesforceRawModel):
    CreatedDate: EpochMillis
    CreatedById: SalesforceId
    caseId__c: CaseId
    accountId__c: AccountId
    status__c: SfOptionalText = None


def transform_case_status_update(decoded: object, *, event_id: str, replay_id: bytes) -> CaseUpdate:
    """A `CaseUpdate` from a decoded `Case_Status_Update__e`; MappingError naming the raw field when
    it is malformed. The status is the customer's word for it (None when the event has none)."""
    raw = validate_raw(SfCaseStatusUpdateRaw, decoded, provider=PROVIDER, entity=CASE_STATUS_UPDATE)
    status: CaseStatus | None = None
    if raw.status__c:
        status = customer_status(raw.status__c, is_closed=STATUSES.get(raw.status__c) is CaseStatus.SOLVED)
    return build_domain(CaseUpdate, provider=PROVIDER, entity=CASE_STATUS_UPDATE, event_id=event_id,
                        case_id=raw.caseId__c, account_id=raw.accountId__c, status=status, replay_id=replay_id,
                        published_at=raw.CreatedDate)
