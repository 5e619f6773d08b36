"""The customer queries: an Account or Contact by the sign-up's marker, the Account of a billing
client, the Contact of an Account, and an Account's identity check. Every id is validated and every
value quoted by `format_soql`; field names are constants."""
from simple_salesforce import format_soql

from domain.orders.types import InvalidRequestId, check_request_id
from domain.shared.salesforce_id import KeyPrefix
from integrations.salesforce.utils.soql import InvalidQueryArgumentError, field_list, require_salesforce_id

IDENTITY_FIELDS = ("Id", "Identity_Verification_Status__c", "Identity_Rejection_Reason__c")


def build_account_by_request_id_query(request_id: str) -> str:
    """The Account a sign-up made (``Portal_Request_Id__c`` is unique: at most one)."""
    return format_soql("SELECT Id FROM Account WHERE Portal_Request_Id__c = {request_id} LIMIT 2",
                       request_id=_request_id(request_id))


def build_contact_by_request_id_query(request_id: str, account_id: str) -> str:
    """The Contact a sign-up made on its Account."""
    return format_soql("SELECT Id FROM Contact WHERE Portal_Request_Id__c = {request_id} AND AccountId = {account_id} "
                       "LIMIT 2", request_id=_request_id(request_id),
                       account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT))


def build_account_by_whmcs_client_query(client_id: int) -> str:
    """The Account of a billing client (two, if the org has a duplicate: the caller refuses then)."""
    if not isinstance(client_id, int) or isinstance(client_id, bool) or client_id <= 0:
        raise InvalidQueryArgumentError("the WHMCS client id must be a positive whole number")
    return format_soql("SELECT Id FROM Account WHERE WHMCS_Client_Id__c = {client_id} LIMIT 2", client_id=client_id)


def build_contact_of_account_query(account_id: str) -> str:
    """The Account's first Contact (the person the portal user is)."""
    return format_soql("SELECT Id FROM Contact WHERE AccountId = {account_id} ORDER BY CreatedDate ASC LIMIT 1",
                       account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT))


def build_identity_query(account_id: str) -> str:
    return format_soql("SELECT {fields:literal} FROM Account WHERE Id = {account_id} LIMIT 1",
                       fields=field_list(IDENTITY_FIELDS),
                       account_id=require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT))


def _request_id(value: str) -> str:
    try:
        return check_request_id(value)
    except InvalidRequestId as exc:
        raise InvalidQueryArgumentError(f"request id {exc}") from None
