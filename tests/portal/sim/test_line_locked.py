"""Freebit's line lock: a 4G/5G switch (PA05-38) locks the line for about 30 minutes, and every write
sent for it meanwhile is refused with "260". The portal takes no new change while its own switch is
in flight (tests/portal/sim/test_sim_actions.py); what is already under way when the line turns out
locked (a plan change falling due, a top-up or an option change meeting a switch made elsewhere)
waits for the lock to end without spending its attempts, is charged once and lands once.

Against the emulators; the lock is made over Freebit's API as its own console would, and the clock
(the portal's and the emulator's) moved with time-machine.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from integrations.freebit.sims import FreebitSimClient
from portal.core.connections import freebit_connection
from portal.sim import plan_changes
from portal.sim.actions import SimActionFlow
from portal.sim.models import PlanChange, SimAction, TopUp
from portal.sim.topups import TopUpFlow
from tests.pages import messages_of
from tests.portal.sim.conftest import ALICE_VOICE, ALICE_VOICE_5G, NUMBER_OF, top_up_through_the_pages

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
LOCK = timedelta(minutes=30)  # the emulator's contract_line_seconds (Freebit: about 30 minutes)


def switch_network_elsewhere(freebit, iccid: str) -> None:
    """A 4G/5G switch sent to Freebit outside the portal (its console): the line is locked."""
    other = "5G" if freebit.sim(iccid).contract_line == "4G" else "4G"
    FreebitSimClient(freebit_connection()).change_network(NUMBER_OF[iccid], other)
    assert freebit.sim(iccid).locked


def test_a_plan_change_falling_due_during_a_switch_is_billed_once_and_made_when_the_lock_ends(
        providers, billing, customer_client, settings):
    settings.SIM_PLAN_CHANGE_MAX_ATTEMPTS = 3  # far fewer than the waits a 30-minute lock takes
    settings.JOB_WAIT_SECONDS = 300
    request_id = str(uuid.uuid4())
    customer_client.post(f"/sims/{ALICE_VOICE_5G}/plan/", {"plan_code": "MOB-VOICE-20G", "when": "next_month",
                                                          "confirm": "True", "request_id": request_id})
    change = PlanChange.objects.get(request_id=request_id)
    billing.store.services[13].nextduedate = change.effective_date + timedelta(days=20)  # so the change costs
    start = datetime.combine(change.effective_date, datetime.min.time(), JST) + timedelta(minutes=1)

    with time_machine.travel(start, tick=False):
        switch_network_elsewhere(providers, ALICE_VOICE_5G)
        assert plan_changes.start_due_plan_changes() == 1
    change.refresh_from_db()
    assert (change.status, change.attempts) == (PlanChange.Status.BILLED, 0), change.last_error
    assert change.last_error.startswith("waiting: SIM: ")
    [invoice] = billing.new_invoices()
    assert (invoice.status, invoice.notes, billing.charges()) == ("Paid", f"portal-request:{request_id}", 1)
    assert billing.store.services[13].pid == 3, "WHMCS bills the new plan"
    assert providers.sim(ALICE_VOICE_5G).plan_code == "MOB-VOICE-5G"
    assert plan_changes.plan_change_message(change) == (
        "warning", "Your SIM's network is being switched, which takes about 30 minutes; your plan changes to "
                   f"{change.to_plan_name} once that is done. You don't need to do anything.")

    for minutes in range(5, 30, 5):  # every JOB_WAIT_SECONDS while the line is locked
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            plan_changes.plan_change_process(change_id=change.pk)
        change.refresh_from_db()
        assert (change.status, change.attempts) == (PlanChange.Status.BILLED, 0), change.last_error

    with time_machine.travel(start + LOCK + timedelta(minutes=1), tick=False):
        plan_changes.plan_change_process(change_id=change.pk)
    change.refresh_from_db()
    assert change.status == PlanChange.Status.DONE, change.last_error
    assert plan_changes.plan_change_message(change)[0] == "success"
    assert providers.sim(ALICE_VOICE_5G).plan_code == "MOB-VOICE-20G"
    assert billing.new_invoices() == [invoice] and billing.charges() == 1
    assert providers.calls("PA05-21") == 7, "refused six times while locked, then made once"


def test_a_top_up_meeting_a_switch_made_elsewhere_is_charged_once_and_added_when_the_lock_ends(
        providers, billing, customer_client, settings):
    settings.SIM_TOPUP_MAX_ATTEMPTS = 2
    start = datetime.now(JST)
    with time_machine.travel(start, tick=False):
        switch_network_elsewhere(providers, ALICE_VOICE)
        request_id, page = top_up_through_the_pages(customer_client, ALICE_VOICE, 1024)
    topup = TopUp.objects.get(request_id=request_id)
    assert (topup.status, topup.attempts, topup.quota_requests) == (TopUp.Status.CHARGED, 0, 0), topup.last_error
    assert billing.charges() == 1 and providers.topups_for(request_id) == []
    assert messages_of(page) == [("warning", "Your payment went through. Your SIM's network is being switched, which "
                                             "takes about 30 minutes; 1 GB will be added once that is done. You "
                                             "don't need to do anything.")]

    for minutes in (5, 10, 15, 20, 25):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            TopUpFlow.run(topup.pk)
    topup.refresh_from_db()
    assert (topup.status, topup.attempts) == (TopUp.Status.CHARGED, 0), topup.last_error

    with time_machine.travel(start + LOCK + timedelta(minutes=1), tick=False):
        TopUpFlow.run(topup.pk)
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED, topup.last_error
    assert billing.charges() == 1 and len(providers.topups_for(request_id)) == 1


def test_an_option_change_meeting_a_switch_made_elsewhere_is_sent_once_the_lock_ends(
        providers, customer_client, settings):
    settings.SIM_ACTION_MAX_ATTEMPTS = 2
    voicemail = providers.sim(ALICE_VOICE).voice["voiceMail"]
    start = datetime.now(JST)
    with time_machine.travel(start, tick=False):
        switch_network_elsewhere(providers, ALICE_VOICE)
        customer_client.post(f"/sims/{ALICE_VOICE}/voice/", {
            "request_id": str(uuid.uuid4()), "voice_Voicemail": "off" if voicemail else "on"})
    action = SimAction.objects.get(kind=SimAction.Kind.VOICE_OPTIONS)
    assert (action.status, action.attempts, action.provider_requests) == (SimAction.Status.REQUESTED, 0, 0)

    for minutes in (5, 10, 15, 20, 25):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            SimActionFlow.run(action.pk)
    action.refresh_from_db()
    assert (action.status, action.attempts, action.provider_requests) == (SimAction.Status.REQUESTED, 0, 0)

    with time_machine.travel(start + LOCK + timedelta(minutes=1), tick=False):
        SimActionFlow.run(action.pk)
    action.refresh_from_db()
    assert action.status in (SimAction.Status.IN_PROGRESS, SimAction.Status.DONE), action.last_error
    assert action.provider_requests == 1


def test_a_switch_asked_for_while_the_same_switch_made_elsewhere_runs_is_adopted_not_sent_again(
        providers, customer_client):
    start = datetime.now(JST)
    with time_machine.travel(start, tick=False):
        target = "5G" if providers.sim(ALICE_VOICE).contract_line == "4G" else "4G"
        switch_network_elsewhere(providers, ALICE_VOICE)  # to ``target``, locked for 30 minutes
        customer_client.post(f"/sims/{ALICE_VOICE}/network/", {"request_id": str(uuid.uuid4()), "network": target})
    action = SimAction.objects.get(kind=SimAction.Kind.NETWORK)
    assert (action.status, action.attempts, action.provider_requests) == (SimAction.Status.REQUESTED, 0, 0)
    sent = providers.calls("PA05-38")

    with time_machine.travel(start + LOCK + timedelta(minutes=1), tick=False):
        SimActionFlow.run(action.pk)
    action.refresh_from_db()
    assert action.status == SimAction.Status.DONE, action.last_error
    assert providers.calls("PA05-38") == sent, "the SIM showed it: nothing sent again"
    assert providers.sim(ALICE_VOICE).contract_line == target
