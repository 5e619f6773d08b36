"""The demo's support agent pages: staff read a sandbox case with its internal notes, reply and change
its status, which publishes ``Case_Status_Update__e`` on the sandbox's Pub/Sub API."""
import pytest
import requests

from portal.demo import sandboxes
from sandbox.salesforce.pubsub import CASE_STATUS_UPDATE_TOPIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_process_salesforce(settings):
    settings.SALESFORCE_LOGIN_URL = ""
    settings.PROVIDERS_USE_SANDBOX = True
    sandbox = sandboxes.salesforce_sandbox()
    requests.post(sandbox.url + "/__sandbox__/reset", timeout=5).raise_for_status()
    return sandbox


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def open_case_with_a_note(store) -> dict:
    return next(c for c in store.rows("Case") if not c["IsClosed"]
                and any(not n["IsPublished"] for n in store.rows("CaseComment") if n["ParentId"] == c["Id"]))


def test_only_staff_reach_them(customer_client, in_process_salesforce):
    case = open_case_with_a_note(in_process_salesforce.app.store)
    assert customer_client.get("/admin/sandbox/cases/").status_code == 302
    assert customer_client.get(f"/admin/sandbox/cases/{case['Id']}/").status_code == 302
    assert customer_client.post(f"/admin/sandbox/cases/{case['Id']}/", {"body": "x"}).status_code == 302


def test_they_are_absent_with_a_real_salesforce(staff, settings):
    settings.SALESFORCE_LOGIN_URL = "https://login.example.test"
    assert staff.get("/admin/sandbox/cases/").status_code == 404


def test_staff_see_every_case_and_its_internal_notes(staff, in_process_salesforce):
    store = in_process_salesforce.app.store
    case = open_case_with_a_note(store)
    note = next(n for n in store.rows("CaseComment") if n["ParentId"] == case["Id"] and not n["IsPublished"])

    listing = staff.get("/admin/sandbox/cases/").content.decode()
    assert all(c["CaseNumber"] in listing for c in store.rows("Case"))
    page = staff.get(f"/admin/sandbox/cases/{case['Id']}/").content.decode()
    assert note["CommentBody"] in page and "Internal note" in page


def test_staff_reply_and_solve_which_publishes_the_case_event(staff, in_process_salesforce):
    store = in_process_salesforce.app.store
    case = open_case_with_a_note(store)

    response = staff.post(f"/admin/sandbox/cases/{case['Id']}/",
                          {"body": "Fixed: please try again.", "visibility": "public", "status": "Closed"}, follow=True)

    assert f"Case {case['CaseNumber']} updated." in response.content.decode()
    assert store.get("Case", case["Id"])["Status"] == "Closed"
    last = sorted((c for c in store.rows("CaseComment") if c["ParentId"] == case["Id"]),
                  key=lambda c: c["CreatedDate"])[-1]
    assert (last["CommentBody"], last["IsPublished"]) == ("Fixed: please try again.", True)
    (event,) = in_process_salesforce.app.pubsub.events(CASE_STATUS_UPDATE_TOPIC)
    assert event["payload"] | {"CreatedDate": 0} == {
        "CreatedDate": 0, "CreatedById": event["payload"]["CreatedById"], "caseId__c": case["Id"],
        "accountId__c": case["AccountId"], "status__c": "Closed"}


def test_an_internal_note_stays_internal_and_publishes_nothing(staff, in_process_salesforce):
    store = in_process_salesforce.app.store
    case = open_case_with_a_note(store)

    staff.post(f"/admin/sandbox/cases/{case['Id']}/", {"body": "Called the customer.", "visibility": "internal",
                                                       "status": case["Status"]})

    last = sorted((c for c in store.rows("CaseComment") if c["ParentId"] == case["Id"]),
                  key=lambda c: c["CreatedDate"])[-1]
    assert (last["CommentBody"], last["IsPublished"]) == ("Called the customer.", False)
    assert in_process_salesforce.app.pubsub.events(CASE_STATUS_UPDATE_TOPIC) == []


@pytest.mark.parametrize(("data", "message"), [
    ({"body": "", "status": ""}, "Write a reply or choose another status."),
    ({"body": "x", "status": "Teleported"}, "Choose one of the statuses offered."),
    ({"body": "x" * 4001, "status": ""}, "A reply can be at most 4000 characters."),
])
def test_what_the_agent_sends_is_checked(staff, in_process_salesforce, data, message):
    case = open_case_with_a_note(in_process_salesforce.app.store)
    response = staff.post(f"/admin/sandbox/cases/{case['Id']}/", data, follow=True)
    assert message in response.content.decode()


def test_an_unknown_case_is_a_404(staff, in_process_salesforce):
    assert staff.get("/admin/sandbox/cases/nonsense/").status_code == 404
    assert staff.get("/admin/sandbox/cases/500Dn0000000001AAA/").status_code == 404


def test_staff_record_an_mnp_reservation_number_and_its_expiry(staff, in_process_salesforce):
    store = in_process_salesforce.app.store
    mnp_type = next(t["Id"] for t in store.rows("RecordType") if t["DeveloperName"] == "Portal_MNP_Reservation")
    account = next(c["AccountId"] for c in store.rows("Case"))
    case = store.insert("Case", {"AccountId": account, "RecordTypeId": mnp_type, "Subject": "MNP please",
                                 "Status": "New", "MNP_Holder_Name__c": "Alice Andersen"}, system=True)
    assert 'name="mnp_number"' in staff.get(f"/admin/sandbox/cases/{case['Id']}/").content.decode()

    refused = staff.post(f"/admin/sandbox/cases/{case['Id']}/", {"mnp_number": "4012345678", "mnp_expiry": "",
                                                                  "status": "New"}, follow=True)
    assert "or neither" in refused.content.decode()
    staff.post(f"/admin/sandbox/cases/{case['Id']}/", {"mnp_number": "4012345678", "mnp_expiry": "2026-12-18",
                                                       "status": "New", "body": ""})

    saved = store.get("Case", case["Id"])
    assert (saved["MNP_Reservation_Number__c"], str(saved["MNP_Reservation_Expiry__c"])) == ("4012345678",
                                                                                              "2026-12-18")
    assert [e["payload"]["caseId__c"] for e in in_process_salesforce.app.pubsub.events(CASE_STATUS_UPDATE_TOPIC)] == [
        case["Id"]]
