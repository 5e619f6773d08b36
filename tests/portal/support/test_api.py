"""``/api/v1/cases``: the same operations and rules as the pages, in the API's envelope and error shape."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.portal.support.conftest import ALICE, alices_sim, new_request_id, png

pytestmark = pytest.mark.django_db(transaction=True)


def create(browser, **fields):
    body = {"request_id": new_request_id(), "type": "general", "category": "billing", "subject": "Charged twice",
            "description": "My card was charged twice for March."}
    body.update(fields)
    return browser.post("/api/v1/cases", body, content_type="application/json")


def test_the_list_and_a_case(sf, customer_client, alice_case):
    listed = customer_client.get("/api/v1/cases")
    assert listed.status_code == 200 and listed.json()["stale"] is False
    rows = listed.json()["data"]
    assert {row["number"] for row in rows} == {c["CaseNumber"] for c in sf.cases_of(ALICE)}
    row = next(row for row in rows if row["id"] == alice_case["Id"])
    assert (row["status"], row["status_label"], row["changed"]) == ("waiting_for_you", "Waiting for you", True)

    case = customer_client.get(f"/api/v1/cases/{alice_case['Id']}").json()["data"]
    assert case["related"] == {"kind": "subscription", "id": "11"}
    assert [c["author"] for c in case["comments"]] == ["support"]  # the internal note is not there
    again = customer_client.get("/api/v1/cases").json()["data"]
    assert next(row for row in again if row["id"] == alice_case["Id"])["changed"] is False


def test_opening_a_case_once_per_request_id(sf, customer_client):
    request_id = new_request_id()
    first = create(customer_client, request_id=request_id)
    second = create(customer_client, request_id=request_id)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["data"]["id"] == second.json()["data"]["id"]
    assert first.json()["data"]["status"] == "new" and first.json()["data"]["category"] == "billing"
    assert len(sf.case_by_request_id(request_id)) == 1


def test_a_structured_request_with_nested_details(sf, customer_client):
    response = create(customer_client, type="lost_sim", category=None, description="",
                      subject="Lost SIM", related={"kind": "sim", "id": alices_sim()},
                      details={"iccid": alices_sim(), "loss_kind": "lost", "noticed_on": "2026-01-05"})
    assert response.status_code == 201, response.json()
    case = response.json()["data"]
    assert (case["request_type"], case["priority"], case["details"]["loss_kind"]) == ("lost_sim", "high", "lost")
    assert sf.case(case["id"])["Incident_Date__c"].isoformat() == "2026-01-05"

    address = create(customer_client, type="delivery_address_change", category=None, description="", subject="Moved",
                     details={"address": {"postal_code": "150-0001", "prefecture": "Tokyo", "city": "Shibuya-ku",
                                          "street": "Jingumae 1-2-3"}})
    assert address.status_code == 201, address.json()
    assert address.json()["data"]["details"]["address"]["postal_code"] == "150-0001"


def test_rules_answer_400_with_the_pages_messages(sf, customer_client):
    response = create(customer_client, type="mnp_reservation", category=None, details={"iccid": alices_sim()})
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["holder_name"] == ["Please fill this in."]
    long = create(customer_client, subject="s" * 121)
    assert long.json()["extra"]["fields"]["subject"] == ["Please keep this to 120 characters or fewer (it has 121)."]
    assert create(customer_client, type="teleport").status_code == 400


def test_creation_is_rate_limited_with_retry_after(sf, customer_client, settings):
    settings.SUPPORT_CASE_RATE = "1/h"
    assert create(customer_client).status_code == 201
    refused = create(customer_client)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "You have opened several cases in a short time." in refused.json()["message"]


def test_replying_and_attaching(sf, customer_client, alice_case):
    request_id = new_request_id()
    replied = customer_client.post(f"/api/v1/cases/{alice_case['Id']}/comments",
                                   {"request_id": request_id, "body": "Here is my speed test."},
                                   content_type="application/json")
    again = customer_client.post(f"/api/v1/cases/{alice_case['Id']}/comments",
                                 {"request_id": request_id, "body": "Here is my speed test."},
                                 content_type="application/json")
    assert (replied.status_code, again.status_code) == (201, 200)
    assert replied.json()["data"]["comments"][-1] | {"id": None, "created_at": None} == {
        "id": None, "author": "customer", "body": "Here is my speed test.", "created_at": None}
    assert [c["CommentBody"] for c in sf.comments_of(alice_case["Id"])].count("Here is my speed test.") == 1

    attached = customer_client.post(f"/api/v1/cases/{alice_case['Id']}/attachments", {
        "request_id": new_request_id(), "file": SimpleUploadedFile("speed.png", png(), "image/png")})
    assert attached.status_code == 201, attached.json()
    assert [a["title"] for a in attached.json()["data"]["attachments"]] == ["speed"]
    wrong = customer_client.post(f"/api/v1/cases/{alice_case['Id']}/attachments", {
        "request_id": new_request_id(), "file": SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf")})
    assert wrong.status_code == 400
    assert wrong.json()["extra"]["fields"]["file"] == ["Only PNG, JPEG and GIF images and PDF files can be attached."]


def test_a_solved_case_takes_no_reply(sf, customer_client):
    solved = sf.solved_case_of(ALICE)
    response = customer_client.post(f"/api/v1/cases/{solved['Id']}/comments",
                                    {"request_id": new_request_id(), "body": "One more thing"},
                                    content_type="application/json")
    assert response.status_code == 400 and "please open a new case" in response.json()["extra"]["fields"]["body"][0]


def test_the_case_types_and_their_required_details(customer_client):
    types = {t["type"]: t for t in customer_client.get("/api/v1/case-types").json()["data"]}
    assert types["lost_sim"]["priority"] == "high" and types["lost_sim"]["required_details"] == ["iccid", "loss_kind"]
    assert types["delivery_address_change"]["required_details"] == ["address"]
    assert set(types) == {"general", "lost_sim", "mnp_reservation", "sim_replacement", "delivery_address_change",
                          "resume_line"}
