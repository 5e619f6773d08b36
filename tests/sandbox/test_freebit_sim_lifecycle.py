"""The Freebit emulator's SIM lifecycle operations, driven through the portal's own client
(``FreebitSimClient``) in the real wire format: voice options (PA05-06), the 4G/5G switch (PA05-38),
cancellation (PA02-04) and eSIM reissue (PA05-41 "R"), each with its asynchronous behaviour on the
emulator's clock (moved with time-machine), and the documents' request examples answered."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine

from domain.sim.types import NetworkType, SimStatus, VoiceOption
from integrations.freebit.connection import FreebitConfig, FreebitConnection
from integrations.freebit.errors import (
    FreebitActivationRefused,
    FreebitInvalidRequest,
    FreebitLineLocked,
    FreebitNoVoiceService,
    FreebitSimSuspended,
)
from integrations.freebit.sims import FreebitSimClient
from sandbox.freebit import API_PREFIX, DEFAULT_OEM_ID, DEFAULT_OEM_KEY, start_freebit_sandbox
from sandbox.whmcs import DEMO_SIMS

VOICE = next(sim.msisdn for sim in DEMO_SIMS if sim.service_id == 12)
DATA = next(sim.msisdn for sim in DEMO_SIMS if sim.service_id == 14)
SUSPENDED = next(sim.msisdn for sim in DEMO_SIMS if sim.service_id == 15)
NEW_EID = "89049032000001000000000000000123"
START = datetime(2031, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sandbox(clock):
    handle = start_freebit_sandbox(env={}, voice_option_delay_seconds=300, contract_line_seconds=1800,
                                   cancel_delay_seconds=600)
    yield handle
    handle.stop()


@pytest.fixture
def sims(sandbox) -> FreebitSimClient:
    return FreebitSimClient(FreebitConnection(FreebitConfig(
        api_url=sandbox.url + API_PREFIX, oem_id=DEFAULT_OEM_ID, oem_key=DEFAULT_OEM_KEY)))


def later(clock, **delta) -> None:
    clock.shift(timedelta(**delta))


def test_voice_options_change_lands_after_its_delay_and_leaves_the_others(sims, clock):
    before = sims.get_details(VOICE)
    roaming = before.voice_option(VoiceOption.INTERNATIONAL_ROAMING)

    sims.change_voice_options(VOICE, {VoiceOption.INTERNATIONAL_ROAMING: not roaming})

    assert sims.get_details(VOICE).voice_options == before.voice_options  # accepted, not applied yet
    later(clock, minutes=5, seconds=1)
    after = sims.get_details(VOICE)
    assert after.voice_option(VoiceOption.INTERNATIONAL_ROAMING) is (not roaming)
    assert after.voice_option(VoiceOption.VOICEMAIL) == before.voice_option(VoiceOption.VOICEMAIL)
    assert after.voice_option(VoiceOption.CALL_WAITING) == before.voice_option(VoiceOption.CALL_WAITING)


def test_voice_options_of_a_data_only_sim_are_refused(sims, sandbox):
    with pytest.raises(FreebitNoVoiceService):
        sims.change_voice_options(DATA, {VoiceOption.VOICEMAIL: True})
    assert sandbox.app.store.orders == []


def test_network_switch_locks_the_line_for_about_thirty_minutes(sims, clock):
    assert sims.get_details(VOICE).network is NetworkType.LTE

    sims.change_network(VOICE, NetworkType.NR)

    for refused in (lambda: sims.change_voice_options(VOICE, {VoiceOption.VOICEMAIL: False}),
                    lambda: sims.change_network(VOICE, NetworkType.LTE),
                    lambda: sims.add_quota(VOICE, 100, quota_code="during-lock"),
                    lambda: sims.cancel_line(VOICE),
                    lambda: sims.reissue_esim(VOICE, eid=NEW_EID)):
        with pytest.raises(FreebitLineLocked):
            refused()
    later(clock, minutes=29)
    assert sims.get_details(VOICE).network is NetworkType.LTE  # reads still answer, with the old line
    later(clock, minutes=1, seconds=1)
    assert sims.get_details(VOICE).network is NetworkType.NR
    sims.change_voice_options(VOICE, {VoiceOption.VOICEMAIL: False})  # unlocked


def test_switching_to_the_current_line_is_refused(sims):
    with pytest.raises(FreebitInvalidRequest):
        sims.change_network(VOICE, NetworkType.LTE)


def test_cancellation_on_a_run_date_takes_effect_that_day(sims, sandbox, clock):
    run_date = START.date() + timedelta(days=3)

    sims.cancel_line(VOICE, run_date=run_date)

    state = requests.get(f"{sandbox.url}/__sandbox__/sims/{VOICE}", timeout=5).json()
    assert state["cancellation"]["runDate"] == run_date.strftime("%Y%m%d")
    later(clock, days=2)
    assert sims.get_details(VOICE).status is SimStatus.ACTIVE
    later(clock, days=1, hours=1)
    assert sims.get_details(VOICE).status is SimStatus.CANCELLED
    with pytest.raises(FreebitSimSuspended):
        sims.add_quota(VOICE, 100, quota_code="after-cancel")


def test_an_immediate_cancellation_lands_within_ten_minutes(sims, clock):
    sims.cancel_line(DATA)
    assert sims.get_details(DATA).status is SimStatus.ACTIVE
    later(clock, minutes=10, seconds=1)
    assert sims.get_details(DATA).status is SimStatus.CANCELLED


def test_a_suspended_line_can_be_cancelled(sims, clock):
    sims.cancel_line(SUSPENDED)
    later(clock, minutes=11)
    assert sims.get_details(SUSPENDED).status is SimStatus.CANCELLED


def test_esim_reissue_moves_the_line_to_the_new_device_and_counts_every_call(sims, sandbox):
    sims.reissue_esim(VOICE, eid=NEW_EID)

    assert sims.get_details(VOICE).eid == NEW_EID
    with pytest.raises(FreebitActivationRefused):  # the same EID again: refused
        sims.reissue_esim(VOICE, eid=NEW_EID)
    assert len(sandbox.app.store.reissues) == 1


def test_a_line_on_a_sim_card_is_not_reissued(sims, sandbox):
    assert sims.get_details(VOICE).eid is not None, "the demo's eSIM"
    assert sims.get_details(DATA).eid is None, "a SIM card"
    with pytest.raises(FreebitActivationRefused):
        sims.reissue_esim(DATA, eid=NEW_EID)
    assert sims.get_details(DATA).eid is None
    assert sandbox.app.store.reissues == []


def test_esim_reissue_through_aladin_is_an_unsupported_pattern(sandbox):
    key = requests.post(f"{sandbox.url}{API_PREFIX}/authOem/", timeout=5, data={
        "json": json.dumps({"oemId": DEFAULT_OEM_ID, "oemKey": DEFAULT_OEM_KEY})}).json()["authKey"]
    answer = requests.post(f"{sandbox.url}{API_PREFIX}/mvno/esim/addAcnt/", timeout=5, data={"json": json.dumps({
        "authKey": key, "aladinOperated": "10", "addKind": "R", "account": VOICE, "eid": NEW_EID})}).json()
    assert (answer["resultCode"], answer["status"]["statusCode"]) == ("400", "356")


# The documents' own request examples (PA05-06, PA05-38, PA02-04), sent as written.
EXAMPLES = [
    ("PA05-06", "/mvno/talkoption/changeOrder/",
     {"account": VOICE, "userConfirmed": "10", "aladinOperated": "20", "talkOption": {"voiceMail": "10"}}),
    ("PA05-38", "/mvno/contractline/change/", {"account": VOICE, "contractLine": "5G"}),
    ("PA02-04", "/master/cnclAcnt/", {"kind": "MVNO", "account": DATA}),
    ("PA02-04", "/master/cnclAcnt/", {"kind": "MVNO", "account": VOICE, "runDate": "2031/03/31"}),
]


@pytest.mark.parametrize("code, path, example", EXAMPLES, ids=[f"{e[0]}-{i}" for i, e in enumerate(EXAMPLES)])
def test_the_documents_examples_are_answered(sandbox, code, path, example):
    key = requests.post(f"{sandbox.url}{API_PREFIX}/authOem/", timeout=5, data={
        "json": json.dumps({"oemId": DEFAULT_OEM_ID, "oemKey": DEFAULT_OEM_KEY})}).json()["authKey"]

    answer = requests.post(sandbox.url + API_PREFIX + path, timeout=5,
                           data={"json": json.dumps({"authKey": key, **example})}).json()

    assert answer["resultCode"] == "100", answer
    assert sandbox.app.stats()["calls"].get(code) == 1


def test_an_empty_talk_option_is_refused(sandbox):
    key = requests.post(f"{sandbox.url}{API_PREFIX}/authOem/", timeout=5, data={
        "json": json.dumps({"oemId": DEFAULT_OEM_ID, "oemKey": DEFAULT_OEM_KEY})}).json()["authKey"]
    answer = requests.post(f"{sandbox.url}{API_PREFIX}/mvno/talkoption/changeOrder/", timeout=5, data={
        "json": json.dumps({"authKey": key, "account": VOICE, "userConfirmed": "10", "talkOption": {}})}).json()
    assert answer["resultCode"] == "201"
