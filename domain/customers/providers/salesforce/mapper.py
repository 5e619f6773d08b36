"""Salesforce Accounts and Contacts <-> customer types, and the identity check kept on the Account.
Pure: no I/O.

The fields (docs/salesforce-model.md): a new customer's ``Account`` carries ``WHMCS_Client_Id__c``
(the billing client it belongs to) and ``Portal_Request_Id__c`` (the sign-up's marker, unique, so
a lost answer is looked up rather than the Account made twice); its ``Contact`` carries the names
(``First_Name_Local__c``/``Last_Name_Local__c`` in Japanese), phone and mailing address and the
same marker. The identity check is ``Identity_Verification_Status__c`` (Not Submitted, Under
Review, Verified, Rejected) and ``Identity_Rejection_Reason__c``, set by staff.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.customers.types import ContactDetails, IdentityStatus, IdentityVerification, NewCustomer
from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.providers.salesforce import (
    PROVIDER,
    SalesforceRawModel,
    SfOptionalText,
    SfQueryResult,
    optional_picklist,
)
from domain.shared.salesforce_id import AccountId, InvalidSalesforceId, KeyPrefix, checked_id


class SfIdentityStatus(StrEnum):
    NOT_SUBMITTED = "Not Submitted"
    UNDER_REVIEW = "Under Review"
    VERIFIED = "Verified"
    REJECTED = "Rejected"


_STATUSES = {
    SfIdentityStatus.NOT_SUBMITTED: IdentityStatus.NOT_SUBMITTED,
    SfIdentityStatus.UNDER_REVIEW: IdentityStatus.UNDER_REVIEW,
    SfIdentityStatus.VERIFIED: IdentityStatus.VERIFIED,
    SfIdentityStatus.REJECTED: IdentityStatus.REJECTED,
}


# --- raw answers --------------------------------------------------------------------------------------


class SfIdRaw(SalesforceRawModel):
    Id: str


SfIdLookupRaw = SfQueryResult[SfIdRaw]


class SfAccountIdentityRaw(SalesforceRawModel):
    Id: AccountId
    Identity_Verification_Status__c: Any = None
    Identity_Rejection_Reason__c: SfOptionalText = None


# --- reading ----------------------------------------------------------------------------------------


def transform_salesforce_id_lookup(raw_query_response: object, *, prefix: KeyPrefix, entity: str) -> str | None:
    """The one record a ``SELECT Id ... LIMIT 2`` look-up found (its id), None when none; more than
    one is a MappingError (the look-up's key must name one record)."""
    parsed = validate_raw(SfIdLookupRaw, raw_query_response, provider=PROVIDER, entity=entity)
    if not parsed.records:
        return None
    if len(parsed.records) > 1:
        raise MappingError(provider=PROVIDER, entity=entity, field="records", reason="more than one record")
    try:
        return checked_id(parsed.records[0].Id, prefix=prefix)
    except InvalidSalesforceId as exc:
        raise MappingError(provider=PROVIDER, entity=entity, field="records.0.Id", reason=str(exc)) from None


def transform_salesforce_identity(raw_record: object) -> IdentityVerification:
    """The identity check of an Account (``GET sobjects/Account/<id>?fields=...``). An empty status
    is "not submitted"; an unknown one a MappingError."""
    record = validate_raw(SfAccountIdentityRaw, raw_record, provider=PROVIDER, entity="account identity")
    parse = optional_picklist(SfIdentityStatus).func
    try:
        status = parse(record.Identity_Verification_Status__c)
    except ValueError as exc:
        raise MappingError(provider=PROVIDER, entity="account identity", field="Identity_Verification_Status__c",
                           reason=str(exc)) from None
    reason = (record.Identity_Rejection_Reason__c or "").strip()
    mapped = _STATUSES[status] if status is not None else IdentityStatus.NOT_SUBMITTED
    return build_domain(IdentityVerification, provider=PROVIDER, entity="account identity", account_id=record.Id,
                        status=mapped, rejection_reason=reason if mapped is IdentityStatus.REJECTED else "")


# --- writing ----------------------------------------------------------------------------------------


def build_salesforce_account(customer: NewCustomer, *, whmcs_client_id: int) -> dict[str, Any]:
    """``POST sobjects/Account``: the customer's Account, tied to its billing client."""
    address = customer.contact.address
    return {
        "Name": customer.name.full_name,
        "Email__c": customer.email,
        "Phone": customer.contact.phone,
        "WHMCS_Client_Id__c": _client_id(whmcs_client_id),
        "Portal_Request_Id__c": customer.marker,
        "BillingPostalCode": address.postal_code,
        "BillingState": address.prefecture,
        "BillingCity": address.city,
        "BillingStreet": _street(address.street, address.building),
        "BillingCountry": "Japan",
        "Identity_Verification_Status__c": SfIdentityStatus.NOT_SUBMITTED.value,
    }


def build_salesforce_contact(customer: NewCustomer, *, account_id: str) -> dict[str, Any]:
    """``POST sobjects/Contact``: the person, on their Account."""
    return {
        "AccountId": checked_id(account_id, prefix=KeyPrefix.ACCOUNT),
        "FirstName": customer.name.first_name,
        "LastName": customer.name.last_name,
        "First_Name_Local__c": customer.name.first_name_local or None,
        "Last_Name_Local__c": customer.name.last_name_local or None,
        "Email": customer.email,
        "Portal_Request_Id__c": customer.marker,
        **build_salesforce_contact_details(customer.contact),
    }


def build_salesforce_contact_details(contact: ContactDetails) -> dict[str, Any]:
    """``PATCH sobjects/Contact/<id>``: the phone and the mailing address."""
    address = contact.address
    return {
        "Phone": contact.phone,
        "MailingPostalCode": address.postal_code,
        "MailingState": address.prefecture,
        "MailingCity": address.city,
        "MailingStreet": _street(address.street, address.building),
        "MailingCountry": "Japan",
    }


def build_salesforce_identity_submitted() -> dict[str, Any]:
    """``PATCH sobjects/Account/<id>``: new documents are waiting for staff (an earlier rejection's
    reason is cleared)."""
    return {"Identity_Verification_Status__c": SfIdentityStatus.UNDER_REVIEW.value,
            "Identity_Rejection_Reason__c": None}


def _street(street: str, building: str) -> str:
    return f"{street}\n{building}" if building else street


def _client_id(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError("the WHMCS client id must be a positive whole number")
    return value
