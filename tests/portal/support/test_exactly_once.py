"""Each write of a form reaches Salesforce once: recorded before it is sent, found again by its
marker after a lost answer (``Case.Portal_Request_Id__c``, ``ContentVersion.Portal_Request_Id__c``,
a comment's case, author and text), looked for before it is sent again, and never sent twice
while another submit of the same form is sending it. Faults are the emulator's own."""
import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from domain.shared import clock
from portal.support.models import SupportWrite
from tests.pages import main_of
from tests.portal.support.conftest import ALICE, new_request_id, open_case, png

pytestmark = pytest.mark.django_db(transaction=True)


def comment(browser, case_id, request_id, body="Speed test: 18 Mbps at 9 pm."):
    return browser.post(f"/support/cases/{case_id}/comment/", {"request_id": request_id, "body": body})


def attach(browser, case_id, request_id, content=None):
    return browser.post(f"/support/cases/{case_id}/attachments/", {
        "request_id": request_id, "file": SimpleUploadedFile("speed.png", content or png(), "image/png")})


def test_a_lost_answer_to_opening_a_case_is_adopted_not_repeated(sf, customer_client):
    request_id = new_request_id()
    sf.lose_answer("POST sobjects/Case")

    response = open_case(customer_client, request_id=request_id)

    (case,) = sf.case_by_request_id(request_id)
    assert response.status_code == 302 and response["Location"] == f"/support/cases/{case['Id']}/"
    assert SupportWrite.objects.get(request_id=request_id).salesforce_id == case["Id"]
    assert open_case(customer_client, request_id=request_id)["Location"] == response["Location"]
    assert len(sf.case_by_request_id(request_id)) == 1


def test_a_case_salesforce_never_got_is_recorded_then_looked_for_before_it_is_sent_again(sf, customer_client):
    request_id = new_request_id()
    sf.fail("POST sobjects/Case")

    failed = open_case(customer_client, request_id=request_id)

    assert failed.status_code == 503 and sf.case_by_request_id(request_id) == []
    write = SupportWrite.objects.get(request_id=request_id)
    assert write.sent_at is not None and write.salesforce_id == "" and write.sending_until is None
    sf.reset_stats()
    retried = open_case(customer_client, request_id=request_id)
    assert retried.status_code == 302 and len(sf.case_by_request_id(request_id)) == 1
    assert sf.calls("POST sobjects/Case") == 1 and sf.calls("query") >= 1  # looked for it first


def test_a_lost_answer_to_a_reply_is_found_by_its_text_and_not_sent_twice(sf, customer_client, alice_case):
    request_id = new_request_id()
    before = len(sf.comments_of(alice_case["Id"]))
    sf.lose_answer("POST sobjects/CaseComment")

    response = comment(customer_client, alice_case["Id"], request_id)
    again = comment(customer_client, alice_case["Id"], request_id)

    assert response.status_code == again.status_code == 302
    added = sf.comments_of(alice_case["Id"])[before:]
    assert [c["CommentBody"] for c in added] == ["Speed test: 18 Mbps at 9 pm."]
    assert SupportWrite.objects.get(request_id=request_id).salesforce_id == added[0]["Id"]


def test_a_lost_answer_to_a_file_is_found_by_its_marker(sf, customer_client, alice_case):
    request_id = new_request_id()
    sf.lose_answer("POST sobjects/ContentVersion")

    response = attach(customer_client, alice_case["Id"], request_id)
    again = attach(customer_client, alice_case["Id"], request_id)

    (version,) = sf.files_of(alice_case["Id"])
    assert response.status_code == again.status_code == 302
    assert version["Portal_Request_Id__c"] == request_id
    assert SupportWrite.objects.get(request_id=request_id).salesforce_id == version["Id"]


def test_a_second_submit_while_the_first_is_sending_waits_and_sends_nothing(sf, customer_client, customer_user,
                                                                             alice_case):
    request_id = new_request_id()
    SupportWrite.objects.create(customer=customer_user.customer, request_id=request_id, kind="comment",
                                case_id=alice_case["Id"], sent_at=clock.now(),
                                content_digest=hashlib.sha256(b"Speed test: 18 Mbps at 9 pm.").hexdigest(),
                                sending_until=clock.now() + timedelta(seconds=30))
    sf.reset_stats()

    response = comment(customer_client, alice_case["Id"], request_id)

    assert "We are still sending what you submitted a moment ago." in main_of(customer_client.get(response["Location"]))
    assert sf.calls("POST sobjects/CaseComment") == 0


def test_a_form_sent_already_cannot_send_something_else(sf, customer_client, alice_case):
    request_id = new_request_id()
    assert comment(customer_client, alice_case["Id"], request_id).status_code == 302
    before = len(sf.comments_of(alice_case["Id"]))

    response = comment(customer_client, alice_case["Id"], request_id, body="Something else entirely")

    assert "This form was sent already." in main_of(customer_client.get(response["Location"]))
    assert len(sf.comments_of(alice_case["Id"])) == before


def test_another_customers_request_id_is_refused(sf, customer_client, bob_client, bob_case):
    request_id = new_request_id()
    assert comment(bob_client, bob_case["Id"], request_id).status_code == 302
    mine = open_case(customer_client, request_id=request_id)
    assert mine.status_code == 200 and "This form cannot be used for this." in main_of(mine)
    assert [c for c in sf.cases_of(ALICE) if c["Subject"] == "Charged twice"] == []
