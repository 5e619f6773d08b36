"""The structured requests a SIM's page shows (issue 20): an open lost or stolen report at the top of
that SIM's page until staff close its case, resuming a line as a request type of its own. Against
the emulators; staff act through the Salesforce sandbox's reply endpoint, and the Platform Event's
effect (the customer's cached cases forgotten) is what ``forget_cases`` does."""
from __future__ import annotations

import pytest

from portal.support.selectors import forget_cases
from tests.pages import main_of, request_id_of
from tests.portal.sim.conftest import ALICE, ALICE_DATA, ALICE_SUSPENDED, ALICE_VOICE, sim_page

pytestmark = pytest.mark.django_db(transaction=True)
LOST_NOTICE = "You reported this SIM lost or stolen"
RESUME_NOTICE = "You asked us to resume this line"


def open_request(browser, iccid, request_type, **details):
    form = browser.get(f"/support/cases/new/?type={request_type}&sim={iccid}")
    assert form.status_code == 200
    answer = browser.post("/support/cases/new/", {
        "request_id": request_id_of(form), "request_type": request_type, "subject": "About my SIM",
        "description": "", "related_kind": "sim", "related_id": iccid, "iccid": iccid, **details})
    assert answer.status_code == 302, main_of(answer)[:2000]
    return answer["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_an_open_lost_sim_report_is_on_top_of_its_sim_page_until_staff_close_it(providers, sf, customer_client,
                                                                                 customer_user):
    assert LOST_NOTICE not in main_of(sim_page(customer_client, ALICE_SUSPENDED))  # the seed's report is solved

    case_id = open_request(customer_client, ALICE_VOICE, "lost_sim", loss_kind="stolen")

    page = main_of(sim_page(customer_client, ALICE_VOICE))
    assert LOST_NOTICE in page
    assert page.index(LOST_NOTICE) < page.index('id="sim-number"'), "the notice leads the page"
    assert sf.case(case_id)["CaseNumber"] in page and f"/support/cases/{case_id}/" in page
    assert "type=resume_line" in page
    assert LOST_NOTICE not in main_of(sim_page(customer_client, ALICE_DATA)), "only on the SIM reported"

    sf.reply(case_id, "We have suspended the SIM.", status="Working")
    forget_cases(customer_user.pk)
    assert LOST_NOTICE in main_of(sim_page(customer_client, ALICE_VOICE)), "handled means closed"

    sf.reply(case_id, "Suspended; ask for a replacement when you are ready.", status="Closed")
    forget_cases(customer_user.pk)
    assert LOST_NOTICE not in main_of(sim_page(customer_client, ALICE_VOICE))


def test_resuming_a_line_is_a_request_type_of_its_own(providers, sf, customer_client):
    page = main_of(sim_page(customer_client, ALICE_SUSPENDED))
    assert f"type=resume_line&amp;sim={ALICE_SUSPENDED}" in page

    case = sf.case(open_request(customer_client, ALICE_SUSPENDED, "resume_line"))

    assert sf.record_type(case) == "Portal_Resume_Line"
    assert (case["Priority"], case["Portal_Category__c"], case["SIM_ICCID__c"]) == ("Medium", "SIM", ALICE_SUSPENDED)
    page = main_of(sim_page(customer_client, ALICE_SUSPENDED))
    assert RESUME_NOTICE in page and case["CaseNumber"] in page
    assert f"type=resume_line&amp;sim={ALICE_SUSPENDED}" not in page, "asked once is enough"


def test_a_resume_request_needs_the_sim(providers, sf, customer_client):
    form = customer_client.get("/support/cases/new/?type=resume_line")
    answer = customer_client.post("/support/cases/new/", {
        "request_id": request_id_of(form), "request_type": "resume_line", "subject": "Resume please",
        "description": ""})
    assert answer.status_code == 200 and 'id="id_iccid_error"' in main_of(answer)
    assert not [c for c in sf.cases_of(ALICE) if c["Subject"] == "Resume please"]


def test_salesforce_down_leaves_the_sim_page_without_the_notices(providers, sf, customer_client):
    sf.faults(error_rate=1.0, status=503)
    response = sim_page(customer_client, ALICE_VOICE)
    assert response.status_code == 200
    assert LOST_NOTICE not in main_of(response)
