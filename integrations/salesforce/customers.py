"""Customers in Salesforce: the Account and Contact of a new customer (each looked up by the
sign-up's marker before it is made, so a lost answer is adopted rather than made twice), the
Account of a billing client, a Contact's phone and address, and the identity check: the residence
card's files on the Account (Salesforce Files, the same ContentVersion writes as a case's files)
and the status staff set."""
from __future__ import annotations

from domain.customers.providers.salesforce import mapper
from domain.customers.types import ContactDetails, IdentityVerification, NewCustomer
from domain.shared.providers.salesforce import single_record
from domain.shared.salesforce_id import KeyPrefix
from domain.support.attachments import NewAttachment
from domain.support.providers.salesforce import mapper as files
from integrations.salesforce.connection import SalesforceConnection
from integrations.salesforce.utils import case_query_builder as file_queries
from integrations.salesforce.utils import customer_query_builder as queries
from integrations.salesforce.utils.soql import require_salesforce_id


class SalesforceCustomerClient:
    def __init__(self, connection: SalesforceConnection) -> None:
        self._sf = connection

    # --- reads ------------------------------------------------------------------------------------
    def find_account_by_request_id(self, request_id: str) -> str | None:
        return mapper.transform_salesforce_id_lookup(self._sf.query(queries.build_account_by_request_id_query(
            request_id)), prefix=KeyPrefix.ACCOUNT, entity="account lookup")

    def find_contact_by_request_id(self, request_id: str, account_id: str) -> str | None:
        return mapper.transform_salesforce_id_lookup(self._sf.query(queries.build_contact_by_request_id_query(
            request_id, account_id)), prefix=KeyPrefix.CONTACT, entity="contact lookup")

    def account_of_client(self, whmcs_client_id: int) -> str | None:
        """The Account of a billing client; None when it has none. More than one is a MappingError
        (the org must be fixed by staff before the client can be linked)."""
        return mapper.transform_salesforce_id_lookup(self._sf.query(
            queries.build_account_by_whmcs_client_query(whmcs_client_id)), prefix=KeyPrefix.ACCOUNT,
            entity="account of client")

    def contact_of_account(self, account_id: str) -> str | None:
        return mapper.transform_salesforce_id_lookup(self._sf.query(queries.build_contact_of_account_query(
            account_id)), prefix=KeyPrefix.CONTACT, entity="contact of account")

    def identity(self, account_id: str) -> IdentityVerification | None:
        """The Account's identity check; None when there is no such Account."""
        record = single_record(self._sf.query(queries.build_identity_query(account_id)), entity="account identity")
        return None if record is None else mapper.transform_salesforce_identity(record)

    def find_file_by_request_id(self, request_id: str, account_id: str) -> str | None:
        """The ContentVersion a form already sent to the Account, or None."""
        return files.transform_salesforce_content_version_lookup(self._sf.query(
            file_queries.build_content_version_by_request_id_query(request_id, account_id,
                                                                   parent_prefix=KeyPrefix.ACCOUNT)))

    # --- writes (creates are sent once: a lost answer is looked up by the marker) -------------------
    def create_account(self, customer: NewCustomer, *, whmcs_client_id: int) -> str:
        raw = self._sf.create("Account", mapper.build_salesforce_account(customer, whmcs_client_id=whmcs_client_id))
        return files.transform_salesforce_create_result(raw, prefix=KeyPrefix.ACCOUNT, entity="account")

    def create_contact(self, customer: NewCustomer, *, account_id: str) -> str:
        raw = self._sf.create("Contact", mapper.build_salesforce_contact(customer, account_id=account_id))
        return files.transform_salesforce_create_result(raw, prefix=KeyPrefix.CONTACT, entity="contact")

    def update_contact(self, contact_id: str, contact: ContactDetails) -> None:
        self._sf.update("Contact", require_salesforce_id(contact_id, prefix=KeyPrefix.CONTACT),
                        mapper.build_salesforce_contact_details(contact))

    def attach_identity_document(self, account_id: str, request_id: str, attachment: NewAttachment) -> str:
        """Store one side of the residence card in Salesforce Files on the Account; the
        ContentVersion's id."""
        account_id = require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT)
        fields = files.build_salesforce_content_version(account_id, request_id, attachment,
                                                        parent_prefix=KeyPrefix.ACCOUNT)
        raw = self._sf.create("ContentVersion", fields)
        return files.transform_salesforce_create_result(raw, prefix=KeyPrefix.CONTENT_VERSION, entity="file")

    def mark_identity_submitted(self, account_id: str) -> None:
        """The Account's documents wait for staff (Under Review). Safe to send twice."""
        self._sf.update("Account", require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
                        mapper.build_salesforce_identity_submitted())
