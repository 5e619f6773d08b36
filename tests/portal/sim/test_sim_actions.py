"""A SIM's lifecycle on its page and in the API (issue 20): voice options pending until Freebit's
details show them, the 4G/5G switch locking the SIM, the eSIM reissue charged once before Freebit is
asked (on an eSIM only: a SIM card's page offers the replacement card instead, and its reissue is
refused), a cancellation booked for an end date the rules allow and withdrawn with nothing sent, and
Bob refused (404) on Alice's SIMs. Against the emulators; the clock moved with time-machine."""
from __future__ import annotations

import html as html_module
import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from domain.shared import clock
from portal.sim.actions import cancellation_end_dates, start_due_cancellations
from portal.sim.models import PlanChange, SimAction, TopUp
from sandbox.freebit.seed import DEMO_ESIM_EID
from tests.pages import messages_of, text_of
from tests.portal.sim.conftest import ALICE_DATA, ALICE_VOICE, ALICE_VOICE_5G, BOB_VOICE, sim_page

pytestmark = pytest.mark.django_db(transaction=True)
JST = ZoneInfo("Asia/Tokyo")
NEW_EID = "89049032000001000000000000000456"


def post(browser, iccid, what, **data):
    return browser.post(f"/sims/{iccid}/{what}/", {"request_id": str(uuid.uuid4()), **data}, follow=True)


def latest(kind):
    return SimAction.objects.filter(kind=kind).latest("created_at")


def test_voice_options_are_pending_until_the_sims_details_show_them(providers, customer_client):
    roaming_was = providers.sim(ALICE_VOICE).voice["worldWing"]
    voicemail_was = providers.sim(ALICE_VOICE).voice["voiceMail"]
    form = {"voice_International roaming": "off" if roaming_was else "on",
            "voice_Voicemail": "on" if voicemail_was else "off",
            "voice_Call waiting": "on" if providers.sim(ALICE_VOICE).voice["callWaiting"] else "off"}

    page = post(customer_client, ALICE_VOICE, "voice", **form)

    action = latest(SimAction.Kind.VOICE_OPTIONS)
    assert action.status == SimAction.Status.IN_PROGRESS
    assert action.params == {"voice": {"International roaming": not roaming_was}}  # only what changes is sent
    assert providers.calls("PA05-06") == 1
    assert "a few minutes" in " ".join(text for _, text in messages_of(page))
    assert providers.sim(ALICE_VOICE).voice["worldWing"] is roaming_was  # not applied yet
    with time_machine.travel(datetime.now(JST) + timedelta(minutes=6), tick=False):
        sim_page(customer_client, ALICE_VOICE)
    action.refresh_from_db()
    assert action.status == SimAction.Status.DONE
    assert providers.sim(ALICE_VOICE).voice["worldWing"] is (not roaming_was)
    assert providers.calls("PA05-06") == 1


def test_a_data_only_sim_has_no_voice_options_and_says_why(providers, customer_client):
    page = sim_page(customer_client, ALICE_DATA)
    assert "data-only SIM: it has no phone service" in text_of(page)
    assert f'action="/sims/{ALICE_DATA}/voice/"' not in page.content.decode()

    refused = post(customer_client, ALICE_DATA, "voice", **{"voice_Voicemail": "on"})

    assert "no voice options" in " ".join(text for _, text in messages_of(refused))
    assert not SimAction.objects.exists()
    assert providers.calls("PA05-06") == 0


def test_a_network_switch_locks_the_sim_against_every_other_change(providers, customer_client):
    post(customer_client, ALICE_VOICE, "network", network="5G")
    action = latest(SimAction.Kind.NETWORK)
    assert action.status == SimAction.Status.IN_PROGRESS
    assert providers.sim(ALICE_VOICE).locked

    refused = post(customer_client, ALICE_VOICE, "voice", **{"voice_Voicemail": "off"})
    assert "about 30 minutes" in " ".join(text for _, text in messages_of(refused))
    api = customer_client.post(f"/api/v1/sims/{ALICE_VOICE}/esim-reissue",
                               {"request_id": str(uuid.uuid4()), "eid": NEW_EID}, content_type="application/json")
    assert api.status_code == 400
    assert SimAction.objects.count() == 1
    assert providers.calls("PA05-06") == providers.calls("PA05-41") == 0

    with time_machine.travel(datetime.now(JST) + timedelta(minutes=31), tick=False):
        page = sim_page(customer_client, ALICE_VOICE)
        action.refresh_from_db()
        assert action.status == SimAction.Status.DONE
        assert "This SIM is on 5G." in text_of(page)


def test_while_the_network_switches_no_data_plan_change_or_cancellation_is_taken(providers, customer_client):
    post(customer_client, ALICE_VOICE, "network", network="5G")
    assert providers.sim(ALICE_VOICE).locked
    locked = "This SIM's network is being switched, which takes about 30 minutes"
    page = text_of(sim_page(customer_client, ALICE_VOICE))
    assert "Data can be added once the network switch is done" in page and "See the price" not in page
    assert "The plan can be changed once the network switch is done" in page

    top_up = customer_client.post(f"/api/v1/sims/{ALICE_VOICE}/top-up",
                                  {"quota_mb": 1024, "request_id": str(uuid.uuid4())}, content_type="application/json")
    plan = customer_client.post(f"/api/v1/sims/{ALICE_VOICE}/plan",
                                {"plan_code": "MOB-VOICE-5G", "immediate": True, "request_id": str(uuid.uuid4())},
                                content_type="application/json")
    end_date = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/actions").json()["cancellation_end_dates"][-1]
    cancel = customer_client.post(f"/api/v1/sims/{ALICE_VOICE}/cancellation",
                                  {"request_id": str(uuid.uuid4()), "end_date": end_date},
                                  content_type="application/json")

    for refused in (top_up, plan, cancel):
        assert refused.status_code == 400, refused.content
        assert locked in refused.content.decode()
    assert not TopUp.objects.exists() and not PlanChange.objects.exists()
    assert SimAction.objects.count() == 1
    assert providers.calls("PA04-04") == providers.calls("PA05-21") == providers.calls("PA02-04") == 0


def test_esim_reissue_is_charged_once_then_sent_once(providers, customer_client, whmcs):
    quote = post(customer_client, ALICE_VOICE, "esim", eid=NEW_EID)
    assert "Pay and reissue" in text_of(quote)
    assert not SimAction.objects.exists()  # the fee is shown first: nothing recorded yet
    request_id = str(uuid.uuid4())

    for _ in range(2):  # the confirmation sent twice
        customer_client.post(f"/sims/{ALICE_VOICE}/esim/", {"request_id": request_id, "eid": NEW_EID,
                                                            "confirm": "True"})

    action = SimAction.objects.get()
    assert action.status == SimAction.Status.DONE
    assert len(whmcs.invoices_of_request(request_id)) == 1
    assert whmcs.charges() == 1
    assert len(providers.store.reissues) == 1
    assert providers.sim(ALICE_VOICE).eid == NEW_EID


def test_an_esims_page_says_so_with_its_eid_and_offers_the_reissue(providers, customer_client):
    page = sim_page(customer_client, ALICE_VOICE)
    html = page.content.decode()

    assert providers.sim(ALICE_VOICE).eid == DEMO_ESIM_EID  # the demo's eSIM
    assert 'data-sim-kind="eSIM">eSIM</dd>' in html
    assert f"EID of the phone</dt><dd><code>{DEMO_ESIM_EID}</code>" in html
    assert f'action="/sims/{ALICE_VOICE}/esim/"' in html
    assert "type=sim_replacement" not in html, "an eSIM is reissued, not replaced by a card"
    detail = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}").json()["data"]
    assert (detail["sim_type"], detail["eid"]) == ("eSIM", DEMO_ESIM_EID)


def test_a_sim_cards_page_offers_the_replacement_card_and_its_reissue_is_refused(providers, customer_client):
    page = sim_page(customer_client, ALICE_VOICE_5G)
    html = page.content.decode()
    text = " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", html)).split())
    assert 'data-sim-kind="Physical">Physical SIM card</dd>' in html
    assert "EID of the phone" not in html
    assert f'action="/sims/{ALICE_VOICE_5G}/esim/"' not in html and 'id="esim-heading"' not in html
    assert f"type=sim_replacement&amp;sim={ALICE_VOICE_5G}" in html
    assert "Request a physical replacement SIM · fee ¥3,300 (tax incl.), sent to your delivery address" in text
    detail = customer_client.get(f"/api/v1/sims/{ALICE_VOICE_5G}").json()["data"]
    assert (detail["sim_type"], detail["eid"]) == ("Physical", None)

    for confirm in ("", "True"):  # the fee page, and the confirmation sent anyway
        refused = post(customer_client, ALICE_VOICE_5G, "esim", eid=NEW_EID, confirm=confirm)
        assert "physical SIM card, not an eSIM" in " ".join(text for _, text in messages_of(refused))
        assert "Pay and reissue" not in text_of(refused)
    api = customer_client.post(f"/api/v1/sims/{ALICE_VOICE_5G}/esim-reissue",
                               {"request_id": str(uuid.uuid4()), "eid": NEW_EID}, content_type="application/json")
    assert api.status_code == 400
    assert "physical SIM card, not an eSIM, so there is no eSIM to reissue" in api.content.decode()
    assert not SimAction.objects.exists()
    assert providers.calls("PA05-41") == 0


def test_a_refused_card_charges_nothing_and_reissues_nothing(providers, customer_client, whmcs):
    whmcs.remove_cards()
    customer_client.post(f"/sims/{ALICE_VOICE}/esim/", {"request_id": str(uuid.uuid4()), "eid": NEW_EID,
                                                        "confirm": "True"})
    action = SimAction.objects.get()
    assert (action.status, action.failure) == (SimAction.Status.FAILED, SimAction.Failure.PAYMENT_REFUSED)
    assert whmcs.charges() == 0
    assert [invoice.status for invoice in whmcs.new_invoices()] == ["Cancelled"]
    assert providers.store.reissues == []


@pytest.mark.parametrize("today, first_end", [
    (date(2031, 3, 25), date(2031, 3, 31)),  # by the cutoff: this month's end
    (date(2031, 3, 26), date(2031, 4, 30)),  # after it: next month's
    (date(2031, 12, 31), date(2032, 1, 31)),
])
def test_cancellation_end_dates_follow_the_cutoff_day(today, first_end):
    assert cancellation_end_dates(today)[0] == first_end
    assert len(cancellation_end_dates(today)) == 3


def test_the_cutoff_day_is_a_setting(settings):
    settings.SIM_CANCELLATION_CUTOFF_DAY = 10
    assert cancellation_end_dates(date(2031, 3, 11))[0] == date(2031, 4, 30)


def cancel_through_the_pages(browser, iccid):
    end = cancellation_end_dates(clock.today())[1]  # next month's end: a few days to withdraw in any case
    quote = post(browser, iccid, "cancel", end_date=end.isoformat())
    assert "Confirm the cancellation" in text_of(quote)
    page = post(browser, iccid, "cancel", end_date=end.isoformat(), confirm="True")
    return end, page


def test_a_withdrawn_cancellation_leaves_nothing_cancelled(providers, customer_client, whmcs):
    end, page = cancel_through_the_pages(customer_client, ALICE_VOICE)
    action = latest(SimAction.Kind.CANCELLATION)
    assert action.status == SimAction.Status.SCHEDULED and action.end_date == end
    assert "Withdraw the cancellation" in text_of(page)

    customer_client.post(f"/sims/{ALICE_VOICE}/cancel/withdraw/", {"request_id": str(action.request_id)})

    action.refresh_from_db()
    assert action.status == SimAction.Status.WITHDRAWN
    with time_machine.travel(datetime.combine(end, datetime.min.time(), JST) - timedelta(days=1), tick=False):
        assert start_due_cancellations() == 0
    assert providers.calls("PA02-04") == 0
    assert providers.sim(ALICE_VOICE).cancel_at is None
    assert whmcs.store.cancel_requests == {}


def test_a_cancellation_is_sent_on_its_day_and_then_cannot_be_withdrawn(providers, customer_client, whmcs, sf):
    end, _page = cancel_through_the_pages(customer_client, ALICE_VOICE)
    action = latest(SimAction.Kind.CANCELLATION)

    with time_machine.travel(datetime.combine(action.send_on, datetime.min.time(), JST) + timedelta(hours=9),
                             tick=False):
        assert start_due_cancellations() == 1
        action.refresh_from_db()
        assert action.status == SimAction.Status.DONE
    refused = customer_client.post(f"/api/v1/sims/{ALICE_VOICE}/cancellation/withdraw", {},
                                   content_type="application/json")
    assert refused.status_code == 409
    assert providers.sim(ALICE_VOICE).cancel_run_date == end + timedelta(days=1)
    service = action.whmcs_service_id
    assert whmcs.store.cancel_requests[service]["type"] == "End of Billing Period"
    assert len([c for c in sf.store.rows("Case") if "Cancellation" in (c.get("Subject") or "")]) == 1


def test_the_api_lists_the_actions_with_their_state(providers, customer_client):
    created = customer_client.post(f"/api/v1/sims/{ALICE_VOICE}/network",
                                   {"request_id": str(uuid.uuid4()), "network": "5G"},
                                   content_type="application/json")
    assert created.status_code == 201
    assert created.json()["data"]["status"] == "in_progress"

    listed = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/actions").json()

    assert [(a["kind"], a["status"], a["done"]) for a in listed["data"]] == [("network", "in_progress", False)]
    assert listed["cancellation_end_dates"]


ACTION_PAGES = ["voice", "network", "esim", "cancel", "cancel/withdraw"]
ACTION_APIS = ["actions", "voice-options", "network", "esim-reissue", "cancellation", "cancellation/withdraw"]


@pytest.mark.parametrize("what", ACTION_PAGES)
def test_bob_gets_404_on_alices_sim_pages(providers, bob_client, what):
    answer = bob_client.post(f"/sims/{ALICE_VOICE}/{what}/", {"request_id": str(uuid.uuid4()), "network": "5G",
                                                              "eid": NEW_EID, "confirm": "True"})
    assert answer.status_code == 404
    assert not SimAction.objects.exists()
    assert providers.calls("PA05-06") == providers.calls("PA05-38") == providers.calls("PA05-41") == 0


@pytest.mark.parametrize("what", ACTION_APIS)
def test_bob_gets_404_on_alices_sim_apis(providers, bob_client, what):
    body = {"request_id": str(uuid.uuid4()), "network": "5G", "eid": NEW_EID}
    answer = (bob_client.get(f"/api/v1/sims/{ALICE_VOICE}/{what}") if what == "actions" else
              bob_client.post(f"/api/v1/sims/{ALICE_VOICE}/{what}", body, content_type="application/json"))
    assert answer.status_code == 404
    assert not SimAction.objects.exists()


def test_bob_gets_404_on_alices_sim_card_reissue_not_a_refusal(providers, bob_client):
    page = bob_client.post(f"/sims/{ALICE_VOICE_5G}/esim/", {"request_id": str(uuid.uuid4()), "eid": NEW_EID})
    api = bob_client.post(f"/api/v1/sims/{ALICE_VOICE_5G}/esim-reissue",
                          {"request_id": str(uuid.uuid4()), "eid": NEW_EID}, content_type="application/json")
    assert page.status_code == api.status_code == 404
    assert bob_client.get(f"/api/v1/sims/{ALICE_VOICE}").status_code == 404
    assert providers.calls("PA05-41") == 0


def test_alice_gets_404_on_bobs_sim(providers, customer_client):
    answer = post(customer_client, BOB_VOICE, "network", network="5G")
    assert answer.status_code == 404
