"""The structured requests a SIM's page shows (issue 20): an open lost or stolen report at the top of
that SIM's page until staff close its case, resuming a line as a request type of its own, and the
MNP reservation number staff record on the MNP case, shown with its expiry (and refusing the SIM's
cancellation: the port cancels it) until that day has passed. Against
the emulators; staff act through the Salesforce sandbox's reply endpoint, and the Platform Event's
effect (the customer's cached cases forgotten) is what ``forget_cases`` does."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from domain.shared import clock
from portal.core import formats
from portal.sim.actions import cancellation_end_dates
from portal.sim.models import SimAction
from portal.support.selectors import forget_cases
from tests.pages import main_of, messages_of, request_id_of
from tests.portal.sim.conftest import ALICE, ALICE_DATA, ALICE_SUSPENDED, ALICE_VOICE, sim_page

pytestmark = pytest.mark.django_db(transaction=True)
JST = ZoneInfo("Asia/Tokyo")
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


# -- MNP port-out ----------------------------------------------------------------------------------------
MNP_NUMBER = "4012345678"


def record_reservation(sf, customer_user, case_id, number, expires_on):
    """Staff type the reservation number and its expiry into the MNP case (and the event forgets the
    customer's cached cases)."""
    sf.reply(case_id, "Here is your reservation number.", fields={
        "MNP_Reservation_Number__c": number, "MNP_Reservation_Expiry__c": expires_on.isoformat()})
    forget_cases(customer_user.pk)


def test_the_mnp_reservation_staff_record_is_on_the_sim_page_and_refuses_its_cancellation(
        providers, sf, whmcs, customer_client, customer_user):
    case_id = open_request(customer_client, ALICE_VOICE, "mnp_reservation", holder_name="Alice Andersen")
    assert MNP_NUMBER not in main_of(sim_page(customer_client, ALICE_VOICE)), "nothing until staff record it"
    expires_on = clock.today() + timedelta(days=14)

    record_reservation(sf, customer_user, case_id, "401-234-5678", expires_on)  # typed with hyphens

    page = main_of(sim_page(customer_client, ALICE_VOICE))
    assert MNP_NUMBER in page and f"Valid until {formats.day(expires_on)}" in page
    assert f'action="/sims/{ALICE_VOICE}/cancel/"' not in page and "cancels this SIM by itself" in page
    assert MNP_NUMBER not in main_of(sim_page(customer_client, ALICE_DATA)), "only on the SIM being ported"
    listed = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/actions").json()
    assert listed["mnp_reservation"] == {"number": MNP_NUMBER, "expires_on": expires_on.isoformat()}

    end = cancellation_end_dates(clock.today())[1].isoformat()
    refused = customer_client.post(f"/sims/{ALICE_VOICE}/cancel/", {
        "request_id": str(uuid.uuid4()), "end_date": end, "confirm": "True"}, follow=True)
    assert any("MNP reservation" in text for _, text in messages_of(refused))
    api = customer_client.post(f"/api/v1/sims/{ALICE_VOICE}/cancellation", {
        "request_id": str(uuid.uuid4()), "end_date": end}, content_type="application/json")
    assert api.status_code == 400 and "MNP reservation" in json.dumps(api.json())
    assert not SimAction.objects.filter(kind=SimAction.Kind.CANCELLATION).exists()
    assert providers.calls("PA02-04") == 0 and whmcs.store.cancel_requests == {}

    after = datetime.combine(expires_on + timedelta(days=1), time(10), JST)
    with time_machine.travel(after, tick=False):
        customer_client.force_login(customer_user)  # a fortnight later: a new session
        page = main_of(sim_page(customer_client, ALICE_VOICE))
    assert MNP_NUMBER not in page and f'action="/sims/{ALICE_VOICE}/cancel/"' in page, "an expired number holds nothing"


def test_a_malformed_reservation_number_is_not_shown_and_does_not_block(providers, sf, customer_client,
                                                                        customer_user):
    case_id = open_request(customer_client, ALICE_VOICE, "mnp_reservation", holder_name="Alice Andersen")
    record_reservation(sf, customer_user, case_id, "40123", clock.today() + timedelta(days=14))
    page = main_of(sim_page(customer_client, ALICE_VOICE))
    assert "Your MNP reservation number" not in page and f'action="/sims/{ALICE_VOICE}/cancel/"' in page
