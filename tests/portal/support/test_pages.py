"""The support pages: the customer's cases (open first, statuses in their words, which changed since
they last looked), one case with its public conversation and files, a new case opened in context
(an invoice, a subscription, an order, a SIM) or as a structured request, a reply and a file, and
the limits, each with a clear message. Each page view asks Salesforce at most once."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.support.selectors import forget_cases
from tests.pages import main_of, request_id_of
from tests.portal.support.conftest import ALICE, BOB, SUPPORT_USER_ID, alices_sim, calls, new_request_id, open_case, png

pytestmark = pytest.mark.django_db(transaction=True)  # the write views commit before they send

ROW = re.compile(r'<tr data-case="(?P<number>\d+)">.*?<span class="badge badge-\w+ case-status">(?P<status>[^<]+)'
                 r'</span>', re.S)
CHANGED = re.compile(r'<tr data-case="(?P<number>\d+)">(?:(?!</tr>).)*case-changed', re.S)


def listed(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.status_code
    return [(m["number"], m["status"]) for m in ROW.finditer(main_of(response))]


def changed(response) -> set[str]:
    return {m["number"] for m in CHANGED.finditer(main_of(response))}


def created_case(sf, response) -> dict:
    assert response.status_code == 302, main_of(response)[:2000]
    case_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return sf.case(case_id)


# -- the list -------------------------------------------------------------------------------------------


def test_the_list_shows_the_customers_cases_open_first_in_the_customers_words(sf, customer_client):
    mine = sf.cases_of(ALICE)
    words = {"New": "New", "Working": "In progress", "Waiting on Customer": "Waiting for you", "Closed": "Solved"}
    expected = sorted(mine, key=lambda c: c["LastModifiedDate"], reverse=True)
    expected = sorted(expected, key=lambda c: c["IsClosed"])

    assert listed(customer_client.get("/support/cases/")) == [(c["CaseNumber"], words[c["Status"]]) for c in expected]
    shown = {number for number, _ in listed(customer_client.get("/support/cases/"))}
    assert not {c["CaseNumber"] for c in sf.cases_of(BOB)} & shown


def test_a_case_shows_its_public_conversation_never_an_internal_note(sf, customer_client, alice_case):
    comments = sf.comments_of(alice_case["Id"])
    public = [c for c in comments if c["IsPublished"]]
    internal = [c for c in comments if not c["IsPublished"]]
    assert public and internal, "the seed gives Alice's open case a reply and an internal note"

    page = main_of(customer_client.get(f"/support/cases/{alice_case['Id']}/"))

    assert alice_case["Subject"] in page and alice_case["Description"][:40] in page
    for comment in public:
        assert comment["CommentBody"][:60] in page
    for note in internal:
        assert note["CommentBody"] not in page
    assert "Support team" in page and "Waiting for you" in page


def test_the_list_says_which_cases_changed_since_the_customer_last_looked(sf, customer_client, alice_case):
    assert alice_case["CaseNumber"] in changed(customer_client.get("/support/cases/"))  # never opened yet
    customer_client.get(f"/support/cases/{alice_case['Id']}/")
    assert alice_case["CaseNumber"] not in changed(customer_client.get("/support/cases/"))

    sf.reply(alice_case["Id"], "We found the fault and fixed it.", status="Closed")
    forget_cases(int(customer_client.session["_auth_user_id"]))  # what the Platform Event does (test_events.py)
    page = customer_client.get("/support/cases/")
    assert alice_case["CaseNumber"] in changed(page)
    assert (alice_case["CaseNumber"], "Solved") in listed(page)


def test_each_page_view_asks_salesforce_at_most_once(sf, customer_client, alice_case):
    customer_client.get("/support/cases/")  # signs in to Salesforce
    sf.reset_stats()
    for path in ("/support/cases/", f"/support/cases/{alice_case['Id']}/"):
        response = customer_client.get(path)
        assert response.status_code == 200 and calls(response) <= 1
    assert sf.calls() == 1  # the list came from the cache the first view filled: only the case was read
    assert calls(customer_client.get(f"/support/cases/{alice_case['Id']}/")) == 0


# -- opening a case -------------------------------------------------------------------------------------


def test_a_general_question_is_opened_as_a_portal_case_of_the_customers_account(sf, customer_client, customer_user):
    response = open_case(customer_client, subject="Charged twice", description="My card was charged twice for March.")
    case = created_case(sf, response)

    assert case["AccountId"] == ALICE.salesforce_account_id and case["Origin"] == "Portal"
    assert (case["Subject"], case["Description"], case["Status"]) == (
        "Charged twice", "My card was charged twice for March.", "New")
    assert case["Portal_Category__c"] == "Billing" and case["Priority"] == "Medium"
    assert sf.record_type(case) == "Portal_General"
    assert case["SuppliedEmail"] == customer_user.email
    followed = customer_client.get(response["Location"])
    assert "Thank you: your case is open." in main_of(followed)
    assert "Charged twice" in main_of(followed)


def test_submitting_the_same_form_twice_opens_one_case(sf, customer_client):
    request_id = new_request_id()
    first = open_case(customer_client, request_id=request_id)
    second = open_case(customer_client, request_id=request_id)

    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert len(sf.case_by_request_id(request_id)) == 1


@pytest.mark.parametrize(("kind", "category", "field"), [
    ("invoice", "Billing", "WHMCS_Invoice_Id__c"), ("subscription", "Subscription", "WHMCS_Service_Id__c"),
    ("order", "Order", "Order__c"), ("sim", "SIM", "SIM_ICCID__c"),
])
def test_get_help_in_context_fills_in_the_category_and_the_record(sf, whmcs, customer_client, kind, category, field):
    own = {
        "invoice": lambda: str(next(i.id for i in whmcs.app.store.invoices.values()
                                    if i.userid == ALICE.whmcs_client_id)),
        "subscription": lambda: "11",
        "order": lambda: next(o["Id"] for o in sf.store.rows("Order") if o["AccountId"] == ALICE.salesforce_account_id),
        "sim": alices_sim,
    }[kind]()
    form = customer_client.get(f"/support/cases/new/?{kind}={own}")
    assert form.status_code == 200
    page = main_of(form)
    assert f'name="related_kind" value="{kind}"' in page and f'name="related_id" value="{own}"' in page
    assert f'value="{category.lower()}" selected' in page

    response = open_case(customer_client, request_id=request_id_of(form), related_kind=kind, related_id=own,
                         category=category.lower())
    case = created_case(sf, response)
    stored = case[field]
    assert (str(int(stored)) if isinstance(stored, float) else stored) == own
    assert case["Portal_Category__c"] == category


@pytest.mark.parametrize("kind", ["invoice", "subscription", "order", "sim"])
def test_get_help_about_another_customers_record_is_a_404(sf, whmcs, customer_client, kind):
    bobs = {
        "invoice": lambda: str(next(i.id for i in whmcs.app.store.invoices.values()
                                    if i.userid == BOB.whmcs_client_id)),
        "subscription": lambda: "22",
        "order": lambda: next(o["Id"] for o in sf.store.rows("Order") if o["AccountId"] == BOB.salesforce_account_id),
        "sim": lambda: alices_sim(21),
    }[kind]()
    assert customer_client.get(f"/support/cases/new/?{kind}={bobs}").status_code == 404
    assert open_case(customer_client, related_kind=kind, related_id=bobs).status_code == 404
    assert sf.case_by_request_id("") == [] and not [c for c in sf.cases_of(ALICE) if c["Subject"] == "Charged twice"]


def test_a_lost_sim_is_an_urgent_structured_request_with_its_details(sf, customer_client):
    form = customer_client.get(f"/support/cases/new/?type=lost_sim&sim={alices_sim()}")
    assert "Urgent" in main_of(form) and "Lost or stolen SIM: please suspend it" in main_of(form)

    response = open_case(customer_client, request_id=request_id_of(form), request_type="lost_sim", category=None,
                         related_kind="sim", related_id=alices_sim(), iccid=alices_sim(), loss_kind="stolen",
                         subject="Lost or stolen SIM: please suspend it", description="")
    case = created_case(sf, response)

    assert (case["Priority"], case["Portal_Category__c"], case["SIM_ICCID__c"], case["Loss_Type__c"]) == (
        "High", "SIM", alices_sim(), "Stolen")
    assert sf.record_type(case) == "Portal_Lost_Stolen_SIM"


@pytest.mark.parametrize(("request_type", "fields", "record_type", "stored"), [
    ("mnp_reservation", {"iccid": "SIM", "holder_name": "Alice Andersen"}, "Portal_MNP_Reservation",
     {"MNP_Holder_Name__c": "Alice Andersen"}),
    ("sim_replacement", {"iccid": "SIM", "replacement_reason": "damaged", "sim_size": "nano"},
     "Portal_SIM_Replacement", {"Replacement_Reason__c": "Damaged", "SIM_Size__c": "Nano"}),
    ("delivery_address_change", {"postal_code": "150-0001", "prefecture": "Tokyo", "city": "Shibuya-ku",
                                 "street": "Jingumae 1-2-3", "building": "Omotesando Hills 4F"},
     "Portal_Delivery_Address_Change", {"Delivery_Postal_Code__c": "150-0001", "Delivery_City__c": "Shibuya-ku"}),
])
def test_structured_requests_store_their_details_in_their_own_fields(sf, customer_client, request_type, fields,
                                                                     record_type, stored):
    fields = {name: alices_sim() if value == "SIM" else value for name, value in fields.items()}
    case = created_case(sf, open_case(customer_client, request_type=request_type, category=None, description="",
                                      subject="A request", **fields))
    assert sf.record_type(case) == record_type and case["Priority"] == "Medium"
    assert {name: case[name] for name in stored} == stored


@pytest.mark.parametrize(("request_type", "fields", "field"), [
    ("lost_sim", {"iccid": "SIM"}, "loss_kind"),
    ("lost_sim", {"loss_kind": "lost"}, "iccid"),
    ("mnp_reservation", {"iccid": "SIM"}, "holder_name"),
    ("sim_replacement", {"iccid": "SIM", "sim_size": "nano"}, "replacement_reason"),
    ("delivery_address_change", {"postal_code": "1500001", "prefecture": "Tokyo", "city": "x", "street": "y"},
     "postal_code"),
    ("delivery_address_change", {"postal_code": "150-0001", "city": "x", "street": "y"}, "prefecture"),
])
def test_a_structured_request_without_its_required_details_says_what_is_missing(sf, customer_client, request_type,
                                                                                fields, field):
    fields = {name: alices_sim() if value == "SIM" else value for name, value in fields.items()}
    response = open_case(customer_client, request_type=request_type, category=None, description="", **fields)

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in main_of(response)
    assert not [c for c in sf.cases_of(ALICE) if c["Subject"] == "Charged twice"]


def test_a_sim_request_only_takes_the_customers_own_sims(sf, customer_client):
    response = open_case(customer_client, request_type="lost_sim", category=None, iccid=alices_sim(21),
                         loss_kind="lost")
    assert response.status_code == 200 and "Please choose one of your SIMs." in main_of(response)


@pytest.mark.parametrize(("fields", "message"), [
    ({"subject": "x" * 121}, "Please keep this to 120 characters or fewer (it has 121)."),
    ({"subject": "Hi"}, "Please write at least 3 characters (it has 2)."),
    ({"description": "d" * 4001}, "Please keep this to 4000 characters or fewer (it has 4001)."),
    ({"description": "Help"}, "Please tell us a little more: at least 10 characters."),
    ({"category": ""}, "Please choose what your question is about."),
    ({"subject": ""}, "Please fill this in."),
])
def test_lengths_are_checked_with_clear_messages_and_nothing_is_sent(sf, customer_client, fields, message):
    sf.reset_stats()
    response = open_case(customer_client, **fields)

    assert response.status_code == 200 and message in main_of(response)
    assert not [name for name in sf.stats()["calls"] if name.startswith("POST")]


def test_case_creation_is_rate_limited_per_customer(sf, customer_client, bob_client, settings):
    settings.SUPPORT_CASE_RATE = "2/h"
    assert open_case(customer_client).status_code == 302
    assert open_case(customer_client).status_code == 302
    refused = open_case(customer_client)

    assert refused.status_code == 429
    assert "You have opened several cases in a short time." in main_of(refused)
    assert len([c for c in sf.cases_of(ALICE) if c["Subject"] == "Charged twice"]) == 2
    assert open_case(bob_client).status_code == 302  # Bob's own allowance


# -- the conversation -----------------------------------------------------------------------------------


def test_a_reply_is_added_as_a_public_comment_and_shown_at_once(sf, customer_client, alice_case):
    page = customer_client.get(f"/support/cases/{alice_case['Id']}/")
    response = customer_client.post(f"/support/cases/{alice_case['Id']}/comment/",
                                    {"request_id": request_id_of(page), "body": "Speed test attached: 18 Mbps."})
    assert response.status_code == 302

    comment = sf.comments_of(alice_case["Id"])[-1]
    assert (comment["CommentBody"], comment["IsPublished"]) == ("Speed test attached: 18 Mbps.", True)
    assert comment["CreatedById"] != SUPPORT_USER_ID
    shown = customer_client.get(response["Location"])
    assert "Speed test attached: 18 Mbps." in main_of(shown) and calls(shown) == 1


def test_a_solved_case_takes_no_more_replies_or_files(sf, customer_client):
    solved = sf.solved_case_of(ALICE)
    before = len(sf.comments_of(solved["Id"]))
    page = customer_client.get(f"/support/cases/{solved['Id']}/")
    assert "This case is solved" in main_of(page) and 'name="body"' not in main_of(page)

    reply = customer_client.post(f"/support/cases/{solved['Id']}/comment/", {"request_id": new_request_id(),
                                                                          "body": "One more thing"})
    upload = customer_client.post(f"/support/cases/{solved['Id']}/attachments/", {
        "request_id": new_request_id(), "file": SimpleUploadedFile("a.png", png(), "image/png")})
    assert reply.status_code == upload.status_code == 302
    assert "please open a new case" in main_of(customer_client.get(reply["Location"]))
    assert len(sf.comments_of(solved["Id"])) == before and sf.files_of(solved["Id"]) == []


def test_an_empty_or_too_long_reply_is_refused_with_a_message(sf, customer_client, alice_case):
    before = len(sf.comments_of(alice_case["Id"]))
    for body, message in (("   ", "Please fill this in."),
                          ("x" * 4001, "Please keep this to 4000 characters or fewer (it has 4001).")):
        response = customer_client.post(f"/support/cases/{alice_case['Id']}/comment/",
                                        {"request_id": new_request_id(), "body": body})
        assert response.status_code == 200 and message in main_of(response)
    assert len(sf.comments_of(alice_case["Id"])) == before


# -- files ----------------------------------------------------------------------------------------------


def test_a_png_goes_to_salesforce_files_linked_to_the_case_and_is_listed(sf, customer_client, alice_case, tmp_path,
                                                                         settings):
    image = png(2048)
    response = customer_client.post(f"/support/cases/{alice_case['Id']}/attachments/", {
        "request_id": new_request_id(), "file": SimpleUploadedFile("speed test.png", image, "image/png")})
    assert response.status_code == 302

    (version,) = sf.files_of(alice_case["Id"])
    assert version["_content"] == image and version["PathOnClient"] == "speed test.png"
    page = main_of(customer_client.get(response["Location"]))
    assert "speed test.png" in page and "2.0\xa0KB" in page


@pytest.mark.parametrize(("name", "content", "message"), [
    ("virus.png", b"MZ\x90\x00" + b"\x00" * 100, "Only PNG, JPEG and GIF images and PDF files can be attached."),
    ("empty.png", b"", "This file is empty."),
])
def test_files_that_are_not_images_or_pdfs_are_refused(sf, customer_client, alice_case, name, content, message):
    response = customer_client.post(f"/support/cases/{alice_case['Id']}/attachments/", {
        "request_id": new_request_id(), "file": SimpleUploadedFile(name, content, "image/png")})
    assert response.status_code == 200 and message in main_of(response)
    assert sf.files_of(alice_case["Id"]) == []


def test_a_file_over_the_limit_is_refused_with_its_size(sf, customer_client, alice_case, settings):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 1000
    response = customer_client.post(f"/support/cases/{alice_case['Id']}/attachments/", {
        "request_id": new_request_id(), "file": SimpleUploadedFile("big.png", png(1500), "image/png")})
    assert response.status_code == 200 and "files can be at most 1000\xa0bytes" in main_of(response)
    assert sf.files_of(alice_case["Id"]) == []


def test_a_body_larger_than_an_upload_may_be_is_refused_before_it_is_read(sf, customer_client, alice_case, settings):
    settings.SUPPORT_UPLOAD_MAX_BODY_BYTES = 4096
    response = customer_client.post(f"/support/cases/{alice_case['Id']}/attachments/", {
        "request_id": new_request_id(), "file": SimpleUploadedFile("big.png", png(8192), "image/png")})
    assert response.status_code == 413
    assert sf.files_of(alice_case["Id"]) == []


def test_uploads_above_the_usual_body_limit_reach_only_the_attachment_route(sf, customer_client, alice_case, settings):
    image = png(300 * 1024)  # above REQUEST_MAX_BODY_BYTES (256 KB)
    comment = customer_client.post(f"/support/cases/{alice_case['Id']}/comment/", {
        "request_id": new_request_id(), "body": "x", "file": SimpleUploadedFile("big.png", image, "image/png")})
    upload = customer_client.post(f"/support/cases/{alice_case['Id']}/attachments/", {
        "request_id": new_request_id(), "file": SimpleUploadedFile("big.png", image, "image/png")})
    assert comment.status_code == 413 and upload.status_code == 302


def test_a_case_holds_a_limited_number_of_files(sf, customer_client, alice_case, settings):
    settings.SUPPORT_ATTACHMENTS_PER_CASE = 1
    for _ in range(2):
        response = customer_client.post(f"/support/cases/{alice_case['Id']}/attachments/", {
            "request_id": new_request_id(), "file": SimpleUploadedFile("a.png", png(), "image/png")})
        assert response.status_code == 302
    assert "already has 1 files, the most it can hold" in main_of(customer_client.get(response["Location"]))
    assert len(sf.files_of(alice_case["Id"])) == 1


def test_the_replacement_card_request_says_its_fee_and_the_address_it_is_posted_to(sf, whmcs, customer_client):
    client = whmcs.store.clients[ALICE.whmcs_client_id]
    page = main_of(customer_client.get(f"/support/cases/new/?type=sim_replacement&sim={alices_sim()}"))

    terms = page.split('id="replacement-terms"', 1)[1].split("</div>", 1)[0]
    assert "A replacement card costs ¥3,300 (tax incl.)." in terms  # SIM_REPLACEMENT_FEE ¥3,000 before tax
    assert f"〒{client.postcode} " in terms and client.city in terms and client.address1 in terms
    assert 'href="/account/profile/"' in terms


def test_with_no_address_on_file_the_replacement_request_asks_for_one_first(sf, whmcs, customer_client):
    whmcs.store.clients[ALICE.whmcs_client_id].address1 = ""
    page = main_of(customer_client.get("/support/cases/new/?type=sim_replacement"))

    assert "We have no address to post it to: please add your address first." in page
