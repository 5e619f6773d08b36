"""An Internet service's cancellation on its subscription page and in the API (issue 20): an end date
by the SIM rules' cutoff day, confirmed with what happens to billing, withdrawable with nothing sent
until its send day, then one WHMCS AddCancelRequest and a case for staff; another customer's service
is a 404. Against the WHMCS and Salesforce emulators; the clock moved with time-machine."""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from domain.shared import clock
from portal.sim.actions import cancellation_end_dates, start_due_cancellations
from portal.sim.models import SimAction
from tests.pages import main_of, messages_of, request_id_of

pytestmark = pytest.mark.django_db(transaction=True)
JST = ZoneInfo("Asia/Tokyo")
FIBER = 11  # Alice's Fiber 1 Gbps, active (an "Internet" product)
ALICE_SIM_SERVICE = 12  # a SIM: cancelled on the SIM's own page
ALICE_CANCELLED_FIBER = 16
BOB_FIBER = 22


def page(browser, service_id):
    return browser.get(f"/subscriptions/{service_id}/")


def book(browser, service_id=FIBER):
    """Choose next month's end (a few days to withdraw whatever the day), see what happens, confirm."""
    end = cancellation_end_dates(clock.today())[1]
    request_id = request_id_of(page(browser, service_id))
    quote = browser.post(f"/subscriptions/{service_id}/cancel/", {"request_id": request_id,
                                                                  "end_date": end.isoformat()})
    assert quote.status_code == 200 and "Confirm the cancellation" in main_of(quote)
    assert "end of its billing period" in main_of(quote)
    done = browser.post(f"/subscriptions/{service_id}/cancel/", {"request_id": request_id, "end_date": end.isoformat(),
                                                                 "confirm": "True"}, follow=True)
    return end, done


def booked():
    return SimAction.objects.get(kind=SimAction.Kind.SERVICE_CANCELLATION)


def test_only_an_internet_service_in_use_offers_its_cancellation(whmcs, sf, customer_client):
    assert 'action="/subscriptions/11/cancel/"' in main_of(page(customer_client, FIBER))
    assert "/cancel/" not in main_of(page(customer_client, ALICE_SIM_SERVICE))
    assert "/cancel/" not in main_of(page(customer_client, ALICE_CANCELLED_FIBER))
    refused = customer_client.post(f"/subscriptions/{ALICE_SIM_SERVICE}/cancel/", {
        "request_id": str(uuid.uuid4()), "end_date": cancellation_end_dates(clock.today())[0].isoformat(),
        "confirm": "True"}, follow=True)
    assert any("cannot be cancelled here" in text for _, text in messages_of(refused))
    assert not SimAction.objects.exists()


def test_a_withdrawn_cancellation_leaves_nothing_cancelled_in_whmcs(whmcs, sf, customer_client):
    end, done = book(customer_client)
    action = booked()
    assert (action.status, action.end_date, action.whmcs_service_id, action.iccid) == (
        SimAction.Status.SCHEDULED, end, FIBER, "")
    assert "Withdraw the cancellation" in main_of(done) and "You can withdraw it until" in " ".join(
        text for _, text in messages_of(done))

    customer_client.post(f"/subscriptions/{FIBER}/cancel/withdraw/", {"request_id": str(action.request_id)})

    action.refresh_from_db()
    assert action.status == SimAction.Status.WITHDRAWN
    with time_machine.travel(datetime.combine(end, time(9), JST) - timedelta(days=1), tick=False):
        assert start_due_cancellations() == 0
    assert whmcs.store.cancel_requests == {}
    assert whmcs.calls("AddCancelRequest") == 0
    assert 'action="/subscriptions/11/cancel/"' in main_of(page(customer_client, FIBER)), "it can be booked again"


def test_on_its_send_day_whmcs_is_asked_once_and_staff_get_a_case(whmcs, sf, customer_client):
    end, _done = book(customer_client)
    action = booked()

    with time_machine.travel(datetime.combine(action.send_on, time(9), JST), tick=False):
        assert start_due_cancellations() == 1
        assert start_due_cancellations() == 0
    action.refresh_from_db()
    assert action.status == SimAction.Status.DONE
    assert whmcs.store.cancel_requests[FIBER]["type"] == "End of Billing Period"
    assert whmcs.calls("AddCancelRequest") == 1
    (case,) = [c for c in sf.store.rows("Case") if c.get("WHMCS_Service_Id__c") == FIBER
               and (c.get("Subject") or "").startswith("Cancellation")]
    assert end.isoformat() in case["Subject"]
    refused = customer_client.post(f"/api/v1/subscriptions/{FIBER}/cancellation/withdraw", {},
                                   content_type="application/json")
    assert refused.status_code == 409


def test_the_api_books_once_per_request_id(whmcs, sf, customer_client):
    body = {"request_id": str(uuid.uuid4()), "end_date": cancellation_end_dates(clock.today())[1].isoformat()}
    first = customer_client.post(f"/api/v1/subscriptions/{FIBER}/cancellation", body, content_type="application/json")
    again = customer_client.post(f"/api/v1/subscriptions/{FIBER}/cancellation", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["data"]["status"] == "scheduled" and first.json()["data"]["withdraw_until"]
    assert SimAction.objects.count() == 1
    other = customer_client.post(f"/api/v1/subscriptions/{FIBER}/cancellation",
                                 {**body, "request_id": str(uuid.uuid4())}, content_type="application/json")
    assert other.status_code == 400 and "requested already" in str(other.json())


@pytest.mark.parametrize("what", ["cancel/", "cancel/withdraw/"])
def test_bob_gets_404_on_alices_service_pages(whmcs, sf, bob_client, what):
    answer = bob_client.post(f"/subscriptions/{FIBER}/{what}", {
        "request_id": str(uuid.uuid4()), "end_date": cancellation_end_dates(clock.today())[1].isoformat(),
        "confirm": "True"})
    assert answer.status_code == 404
    assert not SimAction.objects.exists() and whmcs.store.cancel_requests == {}


@pytest.mark.parametrize("what", ["cancellation", "cancellation/withdraw"])
def test_bob_gets_404_on_alices_service_apis(whmcs, sf, bob_client, what):
    answer = bob_client.post(f"/api/v1/subscriptions/{FIBER}/{what}", {
        "request_id": str(uuid.uuid4()), "end_date": cancellation_end_dates(clock.today())[1].isoformat()},
        content_type="application/json")
    assert answer.status_code == 404
    assert not SimAction.objects.exists()
    assert 'action="/subscriptions/22/cancel/"' in main_of(page(bob_client, BOB_FIBER)), "his own he may cancel"
