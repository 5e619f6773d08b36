"""Support cases in the Salesforce emulator, over real HTTP: ``Case``, ``CaseComment`` and Salesforce
Files (``ContentVersion`` → ``ContentDocument`` + ``ContentDocumentLink``) queried, created and
updated as the portal does, the operator's reply endpoint, and ``Case_Status_Update__e`` on the
attached Pub/Sub emulator."""
import base64
from datetime import date

import pytest
import requests

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce import INTEGRATION_USER_ID, make_id, start_salesforce_sandbox, to_18
from sandbox.salesforce.pubsub import CASE_STATUS_UPDATE_AVRO, CASE_STATUS_UPDATE_TOPIC
from sandbox.salesforce.support_seed import SUPPORT_USER_ID
from tests.sandbox.test_salesforce_sandbox import PUBLIC_PEM, Api

ALICE, BOB = (c.salesforce_account_id for c in DEMO_CUSTOMERS[:2])
TODAY = date(2026, 11, 26)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture(scope="module")
def salesforce_sandbox():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, today=TODAY, pubsub=True)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(salesforce_sandbox):
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{salesforce_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()
    yield


@pytest.fixture
def api(salesforce_sandbox):
    client = Api(salesforce_sandbox)
    yield client
    client.session.close()


def reply(salesforce_sandbox, case_id, **body):
    return requests.post(f"{salesforce_sandbox.url}/__sandbox__/cases/{case_id}/reply", json=body, timeout=5)


def new_case(api, **fields) -> str:
    body = {"AccountId": ALICE, "Subject": "Help", "Origin": "Portal", "Portal_Category__c": "Billing",
            "Portal_Request_Id__c": "req-1", **fields}
    response = api.post("sobjects/Case", body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_the_seed_has_believable_cases_with_record_types_and_an_internal_note(api):
    cases = api.records("SELECT Id, AccountId, CaseNumber, Status, IsClosed, RecordType.DeveloperName, "
                        "(SELECT CommentBody, IsPublished, CreatedById FROM CaseComments) "
                        "FROM Case ORDER BY CaseNumber")
    assert {c["AccountId"] for c in cases} == {ALICE, BOB}
    assert [c["CaseNumber"] for c in cases] == sorted({c["CaseNumber"] for c in cases})
    assert {c["RecordType"]["DeveloperName"] for c in cases} >= {"Portal_General", "Portal_Lost_Stolen_SIM"}
    assert any(c["IsClosed"] and c["Status"] == "Closed" for c in cases)
    notes = [comment for c in cases for comment in (c["CaseComments"] or {"records": []})["records"]
             if not comment["IsPublished"]]
    assert notes and all(note["CreatedById"] == SUPPORT_USER_ID for note in notes)
    types = api.records("SELECT DeveloperName FROM RecordType WHERE SobjectType = 'Case' AND IsActive = true")
    assert len(types) == 6


def test_a_case_is_created_numbered_and_closed_with_its_date(api):
    case_id = new_case(api)
    case = api.get(f"sobjects/Case/{case_id}").json()
    assert case_id.startswith("500") and to_18(case_id) == case_id
    assert case["Status"] == "New" and case["IsClosed"] is False and case["ClosedDate"] is None
    assert case["CaseNumber"].isdigit() and len(case["CaseNumber"]) == 8

    assert api.patch(f"sobjects/Case/{case_id}", {"Status": "Closed"}).status_code == 204
    closed = api.get(f"sobjects/Case/{case_id}").json()
    assert closed["IsClosed"] is True and closed["ClosedDate"]
    assert api.patch(f"sobjects/Case/{case_id}", {"Status": "Working"}).status_code == 204
    assert api.get(f"sobjects/Case/{case_id}").json()["ClosedDate"] is None


@pytest.mark.parametrize(("fields", "code"), [
    ({"Status": "Solved"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
    ({"Portal_Category__c": "Gossip"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
    ({"Subject": "x" * 256}, "STRING_TOO_LONG"),
    ({"IsClosed": True}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
    ({"AccountId": make_id("001", 12345)}, "INVALID_CROSS_REFERENCE_KEY"),
])
def test_case_writes_follow_salesforces_rules(api, fields, code):
    response = api.post("sobjects/Case", {"AccountId": ALICE, "Subject": "x", **fields})
    assert api.error(response)["errorCode"] == code


def test_the_portal_request_id_is_unique(api):
    new_case(api, Portal_Request_Id__c="same")
    response = api.post("sobjects/Case", {"AccountId": ALICE, "Subject": "again", "Portal_Request_Id__c": "SAME"})
    assert api.error(response)["errorCode"] == "DUPLICATE_VALUE"


def test_a_comment_through_the_api_is_the_integration_users_and_touches_its_case(api):
    case_id = new_case(api)
    before = api.get(f"sobjects/Case/{case_id}").json()["LastModifiedDate"]
    response = api.post("sobjects/CaseComment", {"ParentId": case_id, "CommentBody": "More", "IsPublished": True})
    assert response.status_code == 201
    comment = api.get(f"sobjects/CaseComment/{response.json()['id']}").json()
    assert comment["CreatedById"] == INTEGRATION_USER_ID
    assert api.get(f"sobjects/Case/{case_id}").json()["LastModifiedDate"] >= before
    assert api.error(api.post("sobjects/CaseComment", {"ParentId": case_id, "CommentBody": "x" * 4001})
                     )["errorCode"] == "STRING_TOO_LONG"


def test_a_file_published_to_a_case_becomes_a_linked_document_with_its_bytes(api):
    case_id = new_case(api)
    response = api.post("sobjects/ContentVersion", {
        "Title": "screen", "PathOnClient": "screen.png", "VersionData": base64.b64encode(PNG).decode(),
        "FirstPublishLocationId": case_id, "Portal_Request_Id__c": "file-1"})
    assert response.status_code == 201, response.text
    version_id = response.json()["id"]

    found = api.records("SELECT Id, (SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.FileExtension, "
                        "ContentDocument.ContentSize, ContentDocument.LatestPublishedVersionId "
                        f"FROM ContentDocumentLinks) FROM Case WHERE Id = '{case_id}'")
    (link,) = found[0]["ContentDocumentLinks"]["records"]
    assert link["ContentDocument"]["Title"] == "screen" and link["ContentDocument"]["FileExtension"] == "png"
    assert link["ContentDocument"]["ContentSize"] == len(PNG)
    assert link["ContentDocument"]["LatestPublishedVersionId"] == version_id
    assert api.records(f"SELECT Id FROM ContentVersion WHERE Portal_Request_Id__c = 'file-1' "
                       f"AND FirstPublishLocationId = '{case_id}'")[0]["Id"] == version_id
    version = api.get(f"sobjects/ContentVersion/{version_id}").json()
    assert version["VersionData"] == f"/services/data/v62.0/sobjects/ContentVersion/{version_id}/VersionData"
    data = api.get(f"sobjects/ContentVersion/{version_id}/VersionData")
    assert data.status_code == 200 and data.content == PNG


def test_a_file_must_be_base64(api):
    case_id = new_case(api)
    response = api.post("sobjects/ContentVersion", {"Title": "x", "PathOnClient": "x.png", "VersionData": "not base64!",
                                                    "FirstPublishLocationId": case_id})
    assert api.error(response)["errorCode"] == "JSON_PARSER_ERROR"


def test_the_operator_replies_solves_and_publishes_the_case_event(salesforce_sandbox, api):
    case_id = new_case(api)
    answer = reply(salesforce_sandbox, case_id, body="Fixed on our side.", status="Closed")
    assert answer.status_code == 200, answer.text
    assert answer.json()["case"]["Status"] == "Closed" and answer.json()["case"]["IsClosed"] is True
    comment = api.get(f"sobjects/CaseComment/{answer.json()['comment_id']}").json()
    assert comment["IsPublished"] is True and comment["CreatedById"] == SUPPORT_USER_ID

    events = salesforce_sandbox.app.pubsub.events(CASE_STATUS_UPDATE_TOPIC)
    assert [e["payload"]["caseId__c"] for e in events] == [case_id]
    assert events[-1]["payload"]["accountId__c"] == ALICE and events[-1]["payload"]["status__c"] == "Closed"
    assert events[-1]["schema_id"] == CASE_STATUS_UPDATE_AVRO.id
    listed = requests.get(f"{salesforce_sandbox.url}/__sandbox__/pubsub/events",
                          params={"topic": CASE_STATUS_UPDATE_TOPIC},
                          timeout=5).json()
    assert [e["payload"]["caseId__c"] for e in listed] == [case_id]


def test_an_internal_note_alone_publishes_nothing(salesforce_sandbox, api):
    case_id = new_case(api)
    assert reply(salesforce_sandbox, case_id, body="Customer sounds upset.", public=False).status_code == 200
    assert salesforce_sandbox.app.pubsub.events(CASE_STATUS_UPDATE_TOPIC) == []


@pytest.mark.parametrize(("body", "status"), [({}, 400), ({"status": "Solved"}, 400), ({"body": 3}, 400)])
def test_the_reply_endpoint_refuses_what_salesforce_would(salesforce_sandbox, api, body, status):
    case_id = new_case(api)
    assert reply(salesforce_sandbox, case_id, **body).status_code == status
    assert reply(salesforce_sandbox, make_id("500", 12345), body="hello").status_code == 404
    assert api.get(f"sobjects/Case/{case_id}").json()["Status"] == "New"  # nothing half-done
