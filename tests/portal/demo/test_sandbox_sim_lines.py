"""The demo's Freebit operator page (issue 20): staff see every line of the Freebit sandbox with
what is pending on it (voice options and when they land, a 4G/5G switch and the end of its lock, a
booked cancellation with its run date, the eSIM reissues), read from the sandbox's control endpoint.
The requests are sent as the portal sends them (its Freebit client) to the demo's in-process
sandbox, at a moved clock."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine

from domain.sim.types import NetworkType, VoiceOption
from integrations.freebit.sims import FreebitSimClient
from portal.core import formats
from portal.core.connections import freebit_connection
from portal.demo import sandboxes

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
PAGE = "/admin/sandbox/sims/"
ALICE_VOICE, ALICE_VOICE_5GB, ALICE_DATA, ALICE_SUSPENDED = "09012340012", "08012340013", "02012340014", "07012340015"
BOB_VOICE = "09056780021"
NEW_EID = "89049032000001000000000000000789"


@pytest.fixture
def in_process_freebit(settings):
    settings.FREEBIT_API_URL = ""
    settings.PROVIDERS_USE_SANDBOX = True
    return sandboxes.freebit_sandbox()


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def row(page: str, number: str) -> str:
    start = page.index(f'data-line="{number}"')
    return page[start:page.index("</tr>", start)]


def test_only_staff_reach_it(customer_client, in_process_freebit):
    answer = customer_client.get(PAGE)
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")


def test_it_is_absent_with_a_real_freebit(staff, settings):
    settings.FREEBIT_API_URL = "https://freebit.example.test/emptool/api"
    settings.PROVIDERS_USE_SANDBOX = True
    assert staff.get(PAGE).status_code == 404


def test_the_admin_links_it_while_the_freebit_sandbox_is_in_use(staff, in_process_freebit):
    assert f'href="{PAGE}"' in staff.get("/admin/").content.decode()


def test_staff_see_each_lines_pending_requests(client, staff_user, in_process_freebit):
    morning = (datetime.now(JST) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    run_date = date(morning.year + 1, 2, 1)
    with time_machine.travel(morning, tick=False):
        requests.post(in_process_freebit.url + "/__sandbox__/reset", timeout=5).raise_for_status()
        sims = FreebitSimClient(freebit_connection())
        sims.change_voice_options(ALICE_VOICE, {VoiceOption.INTERNATIONAL_ROAMING: True})
        sims.change_network(ALICE_DATA, NetworkType.NR)
        sims.cancel_line(BOB_VOICE, run_date=run_date)
        sims.reissue_esim(ALICE_VOICE, eid=NEW_EID)  # the demo's eSIM
        client.force_login(staff_user)  # a day ahead: a session of that day

        answer = client.get(PAGE)

    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'class="breadcrumbs"' in page  # the admin's layout, as the other operator pages
    voice = row(page, ALICE_VOICE)
    assert "International roaming on" in voice
    assert f"lands at {formats.moment(morning + timedelta(minutes=5))}" in voice
    assert "Voicemail" not in voice, "only what changes is pending"
    network = row(page, ALICE_DATA)
    assert f"Switching to 5G: the line is locked until {formats.moment(morning + timedelta(minutes=30))}" in network
    cancellation = row(page, BOB_VOICE)
    assert f"Cancellation booked: run date {formats.day(run_date)}" in cancellation
    assert NEW_EID in voice and 'data-reissues>1<' in voice
    assert "Nothing pending" in row(page, ALICE_VOICE_5GB)
    assert "Nothing pending" in row(page, ALICE_SUSPENDED)
    assert page.index(f'data-line="{ALICE_VOICE}"') < page.index(f'data-line="{ALICE_SUSPENDED}"'), \
        "lines with something pending come first"


def test_what_has_landed_is_no_longer_pending(client, staff_user, in_process_freebit):
    morning = (datetime.now(JST) + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(morning, tick=False):
        requests.post(in_process_freebit.url + "/__sandbox__/reset", timeout=5).raise_for_status()
        sims = FreebitSimClient(freebit_connection())
        sims.change_voice_options(ALICE_VOICE, {VoiceOption.VOICEMAIL: False})
        sims.change_network(ALICE_DATA, NetworkType.NR)
    with time_machine.travel(morning + timedelta(minutes=31), tick=False):
        client.force_login(staff_user)
        page = client.get(PAGE).content.decode()
    assert "Nothing pending" in row(page, ALICE_VOICE)
    data = row(page, ALICE_DATA)
    assert "Nothing pending" in data and "<td>5G</td>" in data
