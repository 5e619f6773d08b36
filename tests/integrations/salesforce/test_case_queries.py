"""The support case queries: exact SOQL, the customer's Account in every read of a case, and no
input that can change a query's shape (every id validated, every value quoted by format_soql)."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.salesforce.utils import case_query_builder as queries
from integrations.salesforce.utils.soql import InvalidQueryArgumentError
from tests.integrations.salesforce.test_query_builders import HOSTILE_IDS, split_literals

ACCOUNT = "001Dn00000AliceIAB"
CASE = "500Dn00009p558KIAQ"
CASE_FIELDS = ("Id, AccountId, CaseNumber, Subject, Status, IsClosed, Priority, Portal_Category__c, CreatedDate, "
               "LastModifiedDate, ClosedDate, RecordType.DeveloperName, SIM_ICCID__c, MNP_Reservation_Number__c, "
               "MNP_Reservation_Expiry__c")


def test_the_customers_cases_with_their_last_public_reply():
    assert queries.build_cases_for_account_query(ACCOUNT) == (
        f"SELECT {CASE_FIELDS}, (SELECT CreatedDate FROM CaseComments WHERE IsPublished = true "  # noqa: S608
        f"ORDER BY CreatedDate DESC LIMIT 1) FROM Case WHERE AccountId = '{ACCOUNT}' "
        "ORDER BY LastModifiedDate DESC LIMIT 100")


def test_one_case_is_read_with_its_account_its_public_comments_and_files_in_one_query():
    soql = queries.build_case_query(CASE[:15], ACCOUNT)
    assert soql.startswith(f"SELECT {CASE_FIELDS}, Description, WHMCS_Invoice_Id__c")
    assert ("(SELECT Id, CommentBody, IsPublished, CreatedById, CreatedDate FROM CaseComments "
            "WHERE IsPublished = true ORDER BY CreatedDate ASC LIMIT 200)") in soql
    assert ("(SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.FileExtension, "
            "ContentDocument.ContentSize, ContentDocument.LatestPublishedVersionId, ContentDocument.CreatedDate "
            "FROM ContentDocumentLinks LIMIT 50)") in soql
    assert soql.endswith(f"FROM Case WHERE Id = '{CASE}' AND AccountId = '{ACCOUNT}' LIMIT 1")


def test_the_look_ups_of_a_write_whose_answer_was_lost():
    assert queries.build_case_by_request_id_query("req-1", ACCOUNT) == (
        f"SELECT Id FROM Case WHERE Portal_Request_Id__c = 'req-1' AND AccountId = '{ACCOUNT}' LIMIT 1")
    since = datetime(2026, 11, 27, 10, 0, 30, tzinfo=timezone(timedelta(hours=9)))
    assert queries.build_recent_comments_query(CASE, since) == (
        "SELECT Id, CommentBody, IsPublished, CreatedById, CreatedDate FROM CaseComment "
        f"WHERE ParentId = '{CASE}' AND CreatedDate >= 2026-11-27T01:00:30Z ORDER BY CreatedDate DESC LIMIT 20")
    assert queries.build_content_version_by_request_id_query("req-2", CASE) == (
        "SELECT Id, ContentDocumentId FROM ContentVersion WHERE Portal_Request_Id__c = 'req-2' "
        f"AND FirstPublishLocationId = '{CASE}' LIMIT 1")
    assert queries.build_case_record_types_query() == (
        "SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Case' AND IsActive = true")


@pytest.mark.parametrize("hostile", HOSTILE_IDS + [ACCOUNT])
@pytest.mark.parametrize("build", [
    lambda value: queries.build_cases_for_account_query(value if value != ACCOUNT else CASE),
    lambda value: queries.build_case_query(value, ACCOUNT),
    lambda value: queries.build_case_query(CASE, value if value != ACCOUNT else CASE),
    lambda value: queries.build_case_by_request_id_query("req", value if value != ACCOUNT else CASE),
    lambda value: queries.build_recent_comments_query(value, datetime.now(UTC)),
    lambda value: queries.build_content_version_by_request_id_query("req", value),
], ids=["cases-account", "case-id", "case-account", "lookup-account", "comments-case", "file-case"])
def test_hostile_or_wrong_object_ids_raise(build, hostile):
    with pytest.raises(InvalidQueryArgumentError):
        build(hostile)


@pytest.mark.parametrize("request_id", ["' OR Id != '", "a\n", "", "x%", None, "a" * 65])
def test_hostile_request_ids_raise(request_id):
    with pytest.raises(InvalidQueryArgumentError, match="request id"):
        queries.build_case_by_request_id_query(request_id, ACCOUNT)
    with pytest.raises(InvalidQueryArgumentError, match="request id"):
        queries.build_content_version_by_request_id_query(request_id, CASE)


def test_since_must_be_an_aware_instant():
    with pytest.raises(InvalidQueryArgumentError):
        queries.build_recent_comments_query(CASE, datetime(2026, 11, 27))  # noqa: DTZ001 - the point of the test


@given(st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True))
def test_a_request_id_is_always_one_literal(request_id):
    skeleton, literals = split_literals(queries.build_case_by_request_id_query(request_id, ACCOUNT))
    assert skeleton == "SELECT Id FROM Case WHERE Portal_Request_Id__c = ? AND AccountId = ? LIMIT 1"
    assert literals == [request_id, ACCOUNT]
