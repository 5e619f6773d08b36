"""Support cases: the customer's cases, one case with its conversation and files, and the writes
(a case, a comment, a file), each with the look-up that finds it again after a lost answer."""
from datetime import datetime

from domain.shared.providers.salesforce import single_record
from domain.shared.salesforce_id import KeyPrefix
from domain.support.attachments import NewAttachment
from domain.support.providers import salesforce as mapper
from domain.support.types import CaseComment, CaseDetails, CaseSummary, NewCase, NewComment, RequestType
from integrations.salesforce.connection import SalesforceConnection
from integrations.salesforce.utils import case_query_builder as queries
from integrations.salesforce.utils.soql import require_salesforce_id


class SalesforceCaseClient:
    def __init__(self, connection: SalesforceConnection) -> None:
        self._sf = connection

    def portal_user_id(self) -> str:
        """The integration user the portal signs in as: the author of the customer's comments."""
        return self._sf.session().user_id

    # --- reads ----------------------------------------------------------------------------------
    def list_cases(self, account_id: str) -> tuple[CaseSummary, ...]:
        return mapper.transform_salesforce_case_list(self._sf.query(queries.build_cases_for_account_query(account_id)))

    def get_case(self, case_id: str, account_id: str) -> CaseDetails | None:
        """The case with its public comments and files (one query), or None when it does not
        exist or is another Account's."""
        record = single_record(self._sf.query(queries.build_case_query(case_id, account_id)), entity="case")
        if record is None:
            return None
        return mapper.transform_salesforce_case_details(record, portal_user_id=self.portal_user_id())

    def find_case_by_request_id(self, request_id: str, account_id: str) -> str | None:
        return mapper.transform_salesforce_case_lookup(
            self._sf.query(queries.build_case_by_request_id_query(request_id, account_id)))

    def record_type_ids(self) -> dict[RequestType, str]:
        """The Case record type id of each request type the org has."""
        return mapper.transform_salesforce_record_types(self._sf.query(queries.build_case_record_types_query()))

    def recent_comments(self, case_id: str, since: datetime) -> tuple[CaseComment, ...]:
        """The case's comments added since ``since`` (published or not), with their authors."""
        return mapper.transform_salesforce_recent_comments(
            self._sf.query(queries.build_recent_comments_query(case_id, since)), portal_user_id=self.portal_user_id())

    def find_file_by_request_id(self, request_id: str, case_id: str) -> str | None:
        """The ContentVersion a form already sent to the case, or None."""
        return mapper.transform_salesforce_content_version_lookup(
            self._sf.query(queries.build_content_version_by_request_id_query(request_id, case_id)))

    # --- writes (never retried: a lost answer is looked up, see the portal's services) -----------
    def create_case(self, new_case: NewCase) -> str:
        """Open the case; its id. ``SalesforceApiError`` (``DUPLICATE_VALUE``) when this request id
        already opened one."""
        raw = self._sf.create("Case", mapper.build_salesforce_case(new_case))
        return mapper.transform_salesforce_create_result(raw, prefix=KeyPrefix.CASE, entity="case")

    def add_comment(self, comment: NewComment) -> str:
        raw = self._sf.create("CaseComment", mapper.build_salesforce_case_comment(comment))
        return mapper.transform_salesforce_create_result(raw, prefix=KeyPrefix.CASE_COMMENT, entity="case comment")

    def attach_file(self, case_id: str, request_id: str, attachment: NewAttachment) -> str:
        """Store the file in Salesforce Files, published to the case; the ContentVersion's id."""
        case_id = require_salesforce_id(case_id, prefix=KeyPrefix.CASE)
        fields = mapper.build_salesforce_content_version(case_id, request_id, attachment)
        raw = self._sf.create("ContentVersion", fields)
        return mapper.transform_salesforce_create_result(raw, prefix=KeyPrefix.CONTENT_VERSION, entity="file")
