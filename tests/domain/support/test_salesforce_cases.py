"""Salesforce Case, CaseComment and Salesforce Files records -> support domain types, and a new case
or comment -> the fields Salesforce is sent. Statuses in the customer's words, mapped once."""
import base64
from datetime import UTC, date, datetime

import pytest

from domain.shared.errors import MappingError
from domain.shared.salesforce_id import KeyPrefix
from domain.support.attachments import check_attachment
from domain.support.providers import salesforce
from domain.support.types import (
    CaseCategory,
    CasePriority,
    CaseStatus,
    CommentAuthor,
    DeliveryAddress,
    LossKind,
    MnpReservation,
    NewCase,
    NewComment,
    RelatedKind,
    RelatedRecord,
    RequestDetails,
    RequestType,
)

ACCOUNT = "001Dn00000AliceIAB"
CASE = "500Dn00009p558KIAQ"
PORTAL_USER = "005Dn00009v0qvoIAA"
AGENT = "005Dn00009v0qxGIAQ"
COMMENT_1, COMMENT_2, COMMENT_3 = "00aDn00009p55esIAA", "00aDn00009p55v9IAA", "00aDn00009p56BQIAY"
DOCUMENT, VERSION = "069Dn00009p558KIAQ", "068Dn00009p558KIAQ"
RECORD_TYPE = "012Dn00009p558KIAQ"
ICCID = "8981100000001001124"


def comment(comment_id, body, *, by=AGENT, published=True, at="2026-11-27T01:32:00.000+0000"):
    return {"attributes": {"type": "CaseComment"}, "Id": comment_id, "CommentBody": body, "IsPublished": published,
            "CreatedById": by, "CreatedDate": at}


def case_record(**changes):
    record = {
        "attributes": {"type": "Case", "url": f"/services/data/v62.0/sobjects/Case/{CASE}"},
        "Id": CASE, "AccountId": ACCOUNT, "CaseNumber": "00001001", "Subject": "Fiber slows down", "Status": "Working",
        "IsClosed": False, "Priority": "Medium", "Portal_Category__c": "Technical",
        "CreatedDate": "2026-11-26T11:40:00.000+0000", "LastModifiedDate": "2026-11-26T12:00:00.000+0000",
        "ClosedDate": None, "RecordType": {"attributes": {"type": "RecordType"}, "DeveloperName": "Portal_General"},
        "Description": "Slow in the evening.", "WHMCS_Invoice_Id__c": None, "WHMCS_Service_Id__c": 11.0,
        "Order__c": None, "SIM_ICCID__c": None, "Loss_Type__c": None, "Incident_Date__c": None,
        "MNP_Holder_Name__c": None, "MNP_Reservation_Number__c": None, "MNP_Reservation_Expiry__c": None,
        "Replacement_Reason__c": None, "SIM_Size__c": None,
        "Delivery_Postal_Code__c": None, "Delivery_Prefecture__c": None, "Delivery_City__c": None,
        "Delivery_Street__c": None, "Delivery_Building__c": None,
        "CaseComments": {"totalSize": 3, "done": True, "records": [
            comment(COMMENT_1, "Line test ok.", published=False, at="2026-11-27T01:15:00.000+0000"),
            comment(COMMENT_2, "Could you run a speed test?", at="2026-11-27T01:32:00.000+0000"),
            comment(COMMENT_3, "Here it is.\r\n", by=PORTAL_USER, at="2026-11-27T09:00:00.000+0000"),
        ]},
        "ContentDocumentLinks": {"totalSize": 1, "done": True, "records": [{
            "ContentDocumentId": DOCUMENT, "ContentDocument": {
                "Title": "speed", "FileExtension": "PNG", "ContentSize": 2048.0, "LatestPublishedVersionId": VERSION,
                "CreatedDate": "2026-11-27T09:00:01.000+0000"}}]},
    }
    record.update(changes)
    return record


def details(**changes):
    return salesforce.transform_salesforce_case_details(case_record(**changes), portal_user_id=PORTAL_USER)


@pytest.mark.parametrize(("status", "closed", "expected"), [
    ("New", False, CaseStatus.NEW), ("Working", False, CaseStatus.IN_PROGRESS),
    ("Escalated", False, CaseStatus.IN_PROGRESS), ("Waiting on Customer", False, CaseStatus.WAITING_FOR_YOU),
    ("Closed", True, CaseStatus.SOLVED), ("Resolved by phone", True, CaseStatus.SOLVED),
    ("Something an admin added", False, CaseStatus.IN_PROGRESS), (None, False, CaseStatus.IN_PROGRESS),
    ("Closed", False, CaseStatus.IN_PROGRESS),
])
def test_statuses_are_mapped_once_to_the_customers_four(status, closed, expected):
    assert salesforce.customer_status(status, is_closed=closed) is expected
    assert details(Status=status, IsClosed=closed).status is expected


def test_a_case_with_its_public_conversation_and_files():
    case = details()

    assert (case.id, case.number, case.subject, case.account_id) == (CASE, "00001001", "Fiber slows down", ACCOUNT)
    assert case.category is CaseCategory.TECHNICAL and case.request_type is RequestType.GENERAL
    assert case.priority is CasePriority.MEDIUM
    assert case.related == RelatedRecord(kind=RelatedKind.SUBSCRIPTION, id="11")
    assert [(c.id, c.author, c.body) for c in case.comments] == [
        (COMMENT_2, CommentAuthor.SUPPORT, "Could you run a speed test?"),
        (COMMENT_3, CommentAuthor.CUSTOMER, "Here it is."),
    ]
    (attachment,) = case.attachments
    assert (attachment.document_id, attachment.version_id, attachment.title, attachment.file_extension,
            attachment.size_bytes) == (DOCUMENT, VERSION, "speed", "png", 2048)
    assert case.updated_at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # the last reply, later than the case


def test_an_internal_note_never_becomes_conversation_even_if_a_query_asked_for_it():
    case = details()
    assert "Line test ok." not in [c.body for c in case.comments]


def test_empty_child_subqueries_are_null():
    case = details(CaseComments=None, ContentDocumentLinks=None, Description=None)
    assert case.comments == () and case.attachments == () and case.description == ""
    assert case.updated_at == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_a_structured_request_reads_its_details_and_its_type_from_the_record_type():
    case = details(RecordType={"DeveloperName": "Portal_Lost_Stolen_SIM"}, SIM_ICCID__c=ICCID, Loss_Type__c="Stolen",
                   Incident_Date__c="2026-11-25", Priority="High", WHMCS_Service_Id__c=None, Status="Closed",
                   IsClosed=True, ClosedDate="2026-11-26T13:00:00.000+0000")
    assert case.request_type is RequestType.LOST_SIM and case.priority is CasePriority.HIGH
    assert case.details == RequestDetails(iccid=ICCID, loss_kind=LossKind.STOLEN, noticed_on=date(2026, 11, 25))
    assert case.related == RelatedRecord(kind=RelatedKind.SIM, id=ICCID)
    assert case.closed_at == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)


def test_details_staff_mangled_are_left_out_rather_than_failing_the_page():
    case = details(RecordType={"DeveloperName": "Portal_Delivery_Address_Change"}, Delivery_Postal_Code__c="1500001",
                   Delivery_Prefecture__c="Tokyo", Delivery_City__c="Shibuya", Delivery_Street__c="1-2-3",
                   WHMCS_Service_Id__c=None, SIM_ICCID__c="not an iccid")
    assert case.details.address is None and case.related is None
    fixed = details(RecordType={"DeveloperName": "Portal_Delivery_Address_Change"}, Delivery_Postal_Code__c="150-0001",
                    Delivery_Prefecture__c="Tokyo", Delivery_City__c="Shibuya", Delivery_Street__c="1-2-3",
                    WHMCS_Service_Id__c=None)
    assert fixed.details.address == DeliveryAddress(postal_code="150-0001", prefecture="Tokyo", city="Shibuya",
                                                    street="1-2-3")


def test_unknown_picklist_values_are_tolerated():
    case = details(Portal_Category__c="Gossip", Priority="Critical", RecordType=None)
    assert case.category is None and case.priority is None and case.request_type is RequestType.GENERAL


@pytest.mark.parametrize(("changes", "field"), [
    ({"Id": "001Dn00000AliceIAB"}, "Id"),
    ({"AccountId": None}, "AccountId"),
    ({"IsClosed": "false"}, "IsClosed"),
    ({"CreatedDate": "yesterday"}, "CreatedDate"),
    ({"CaseComments": {"totalSize": 1, "done": False, "records": []}}, "CaseComments.done"),
    ({"WHMCS_Service_Id__c": 0}, "WHMCS_Service_Id__c"),
])
def test_a_malformed_case_is_a_mapping_error_naming_the_raw_field(changes, field):
    with pytest.raises(MappingError) as caught:
        details(**changes)
    assert caught.value.field == field


def test_the_list_reads_each_cases_last_reply():
    listed = salesforce.transform_salesforce_case_list({"totalSize": 1, "done": True, "records": [
        {key: value for key, value in case_record().items() if key not in ("ContentDocumentLinks",)}
        | {"CaseComments": {"totalSize": 1, "done": True, "records": [{"CreatedDate": "2026-11-28T00:00:00.000+0000"}]}}
    ]})
    assert [(c.id, c.status, c.updated_at) for c in listed] == [
        (CASE, CaseStatus.IN_PROGRESS, datetime(2026, 11, 28, tzinfo=UTC))]


def test_the_list_names_the_sim_a_case_is_about_so_its_page_can_show_an_open_request():
    def listed(**changes):
        record = {key: value for key, value in case_record(**changes).items() if key != "ContentDocumentLinks"}
        return salesforce.transform_salesforce_case_list({"totalSize": 1, "done": True, "records": [record]})[0]

    lost = listed(RecordType={"DeveloperName": "Portal_Lost_Stolen_SIM"}, SIM_ICCID__c=ICCID)
    assert lost.sim_iccid == ICCID and lost.is_open_about_sim(RequestType.LOST_SIM, ICCID)
    assert not lost.is_open_about_sim(RequestType.RESUME_LINE, ICCID)
    assert not lost.is_open_about_sim(RequestType.LOST_SIM, "8981100000001001132")
    assert listed(RecordType={"DeveloperName": "Portal_Resume_Line"}, SIM_ICCID__c=ICCID).request_type is (
        RequestType.RESUME_LINE)
    closed = listed(RecordType={"DeveloperName": "Portal_Lost_Stolen_SIM"}, SIM_ICCID__c=ICCID, Status="Closed",
                    IsClosed=True, ClosedDate="2026-11-27T00:00:00.000+0000")
    assert not closed.is_open_about_sim(RequestType.LOST_SIM, ICCID)
    assert listed(SIM_ICCID__c="typed by hand").sim_iccid is None


@pytest.mark.parametrize(("record_type", "number", "expiry", "expected"), [
    ("Portal_MNP_Reservation", "4012345678", "2026-12-18", MnpReservation(number="4012345678",
                                                                         expires_on=date(2026, 12, 18))),
    ("Portal_MNP_Reservation", " 401-2345-678 ", "2026-12-18", MnpReservation(number="4012345678",
                                                                              expires_on=date(2026, 12, 18))),
    ("Portal_MNP_Reservation", "40123", "2026-12-18", None),  # not ten digits: typed wrong, not shown
    ("Portal_MNP_Reservation", "4012345678", None, None),  # half of the pair
    ("Portal_MNP_Reservation", None, None, None),  # not recorded yet
    ("Portal_General", "4012345678", "2026-12-18", None),  # only an MNP request carries one
])
def test_the_mnp_reservation_staff_record_is_mapped_once(record_type, number, expiry, expected):
    record = {key: value for key, value in case_record(
        RecordType={"DeveloperName": record_type}, SIM_ICCID__c=ICCID, MNP_Reservation_Number__c=number,
        MNP_Reservation_Expiry__c=expiry).items() if key != "ContentDocumentLinks"}
    listed = salesforce.transform_salesforce_case_list({"totalSize": 1, "done": True, "records": [record]})[0]
    assert listed.mnp_reservation == expected
    if expected is not None:
        assert expected.holds_on(date(2026, 12, 18)) and not expected.holds_on(date(2026, 12, 19))


def test_lookups_and_record_types():
    assert salesforce.transform_salesforce_case_lookup({"totalSize": 0, "done": True, "records": []}) is None
    assert salesforce.transform_salesforce_case_lookup(
        {"totalSize": 1, "done": True, "records": [{"Id": CASE}]}) == CASE
    assert salesforce.transform_salesforce_record_types({"totalSize": 2, "done": True, "records": [
        {"Id": RECORD_TYPE, "DeveloperName": "Portal_MNP_Reservation"},
        {"Id": "012Dn00009p55ObIAI", "DeveloperName": "Someone_Elses"}]}) == {RequestType.MNP_RESERVATION: RECORD_TYPE}
    assert salesforce.transform_salesforce_create_result({"id": CASE, "success": True, "errors": []},
                                                         prefix=KeyPrefix.CASE, entity="case") == CASE
    with pytest.raises(MappingError):
        salesforce.transform_salesforce_create_result({"id": COMMENT_1, "success": True, "errors": []},
                                                      prefix=KeyPrefix.CASE, entity="case")


def new_case(**changes) -> NewCase:
    fields = {"account_id": ACCOUNT, "request_id": "4b0d6a8e-1f2c-4d3b-9a8e-5c6d7e8f9a0b",
              "request_type": RequestType.GENERAL, "category": CaseCategory.BILLING, "subject": "Charged twice",
              "description": "My card was charged twice in March.",
              "related": RelatedRecord(kind=RelatedKind.INVOICE, id="1042"), "contact_name": "Alice Andersen",
              "contact_email": "alice@example.com", "record_type_id": RECORD_TYPE}
    fields.update(changes)
    return NewCase(**fields)


def test_a_new_case_is_written_in_the_cases_own_fields():
    assert salesforce.build_salesforce_case(new_case()) == {
        "AccountId": ACCOUNT, "Subject": "Charged twice", "Description": "My card was charged twice in March.",
        "Status": "New", "Origin": "Portal", "Priority": "Medium", "Portal_Category__c": "Billing",
        "Portal_Request_Id__c": "4b0d6a8e-1f2c-4d3b-9a8e-5c6d7e8f9a0b", "RecordTypeId": RECORD_TYPE,
        "SuppliedName": "Alice Andersen", "SuppliedEmail": "alice@example.com", "WHMCS_Invoice_Id__c": 1042,
    }


def test_an_urgent_lost_sim_request_is_high_priority_with_its_details():
    fields = salesforce.build_salesforce_case(new_case(
        request_type=RequestType.LOST_SIM, category=CaseCategory.SIM, description="",
        related=RelatedRecord(kind=RelatedKind.SIM, id=ICCID),
        details=RequestDetails(iccid=ICCID, loss_kind=LossKind.LOST, noticed_on=date(2026, 11, 25))))
    assert fields["Priority"] == "High" and fields["SIM_ICCID__c"] == ICCID and fields["Loss_Type__c"] == "Lost"
    assert fields["Incident_Date__c"] == "2026-11-25" and fields["Description"] is None


@pytest.mark.parametrize(("changes", "reason"), [
    ({"request_type": RequestType.LOST_SIM, "details": RequestDetails(iccid=ICCID)}, "loss_kind"),
    ({"request_type": RequestType.MNP_RESERVATION, "details": RequestDetails(iccid=ICCID)}, "holder_name"),
    ({"request_type": RequestType.ADDRESS_CHANGE}, "address"),
    ({"description": "help"}, "description"),
    ({"details": RequestDetails(iccid=ICCID)}, "iccid"),  # not a detail of a general request
    ({"subject": "x" * 121}, "subject"),
    ({"subject": "two\nlines"}, "subject"),
    ({"description": "bad \x00 byte here"}, "description"),
    ({"request_type": RequestType.LOST_SIM, "related": RelatedRecord(kind=RelatedKind.SIM, id=ICCID),
      "details": RequestDetails(iccid="8981100000001001132", loss_kind=LossKind.LOST)}, "iccid"),
])
def test_a_case_breaking_its_request_types_rules_cannot_be_built(changes, reason):
    with pytest.raises(ValueError, match=reason):
        new_case(**changes)


def test_a_comment_and_a_file_are_written_to_the_case():
    assert salesforce.build_salesforce_case_comment(NewComment(case_id=CASE, body=" Thanks \n")) == {
        "ParentId": CASE, "CommentBody": "Thanks", "IsPublished": True}
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    fields = salesforce.build_salesforce_content_version(CASE, "req-9", check_attachment("../shot.PNG", png,
                                                                                          max_bytes=100))
    assert fields == {"Title": "shot", "PathOnClient": "shot.png", "VersionData": base64.b64encode(png).decode(),
                      "FirstPublishLocationId": CASE, "Portal_Request_Id__c": "req-9"}


def event(**changes):
    return {"CreatedDate": 1795668561123, "CreatedById": AGENT, "caseId__c": CASE, "accountId__c": ACCOUNT,
            "status__c": "Closed", **changes}


def test_the_case_event_names_the_case_its_account_and_the_customers_status():
    update = salesforce.transform_case_status_update(event(), event_id="e-1", replay_id=b"\x01")
    assert (update.case_id, update.account_id, update.status) == (CASE, ACCOUNT, CaseStatus.SOLVED)
    assert update.published_at == datetime(2026, 11, 26, 4, 49, 21, 123000, tzinfo=UTC)
    no_status = salesforce.transform_case_status_update(event(status__c=None), event_id="e", replay_id=b"\x01")
    assert no_status.status is None
    assert salesforce.transform_case_status_update(event(status__c="Waiting on Customer"), event_id="e",
                                                   replay_id=b"\x01").status is CaseStatus.WAITING_FOR_YOU


@pytest.mark.parametrize(("changes", "field"), [
    ({"caseId__c": None}, "caseId__c"), ({"caseId__c": ACCOUNT}, "caseId__c"), ({"accountId__c": None}, "accountId__c"),
    ({"CreatedDate": "x"}, "CreatedDate"),
])
def test_a_malformed_case_event_is_a_mapping_error(changes, field):
    with pytest.raises(MappingError) as caught:
        salesforce.transform_case_status_update(event(**changes), event_id="e", replay_id=b"\x01")
    assert caught.value.field == field
