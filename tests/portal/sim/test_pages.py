"""The SIM list and the SIM page: details, the quota gauge, voice options, and what a suspended SIM
offers (the usage charts: test_usage.py). Expected figures come from the Freebit emulator's live data."""
import re
from datetime import UTC, datetime

import pytest
import time_machine

from domain.sim.types import DataQuota
from tests.pages import main_of
from tests.portal.sim.conftest import (
    ALICE_DATA,
    ALICE_SIMS,
    ALICE_SUSPENDED,
    ALICE_VOICE,
    BOB_VOICE,
    SIM_BY_SERVICE,
    sim_page,
)

pytestmark = pytest.mark.django_db

METER = re.compile(r'<meter class="visually-hidden" min="0" max="(\d+)" value="(\d+)"')
GAUGE = re.compile(r'<circle class="value"[^>]*stroke-dasharray="(\d+) 100"')


def test_the_sim_list_shows_alices_sims_and_not_bobs(providers, customer_client):
    response = customer_client.get("/sims/")

    assert response.status_code == 200
    page = main_of(response)
    for iccid in ALICE_SIMS:
        assert f'href="/sims/{iccid}/"' in page
        assert f"<code>{iccid}</code>" not in page  # keyed by phone number, not by ICCID
    assert BOB_VOICE not in page
    assert "Mobile Voice 20 GB" in page and "Suspended" in page  # product names and service status, from WHMCS
    assert providers.calls() == 0, "the list comes from WHMCS alone"


def test_bobs_list_holds_only_his_sim(providers, bob_client):
    page = main_of(bob_client.get("/sims/"))

    assert f'href="/sims/{BOB_VOICE}/"' in page
    assert not any(iccid in page for iccid in ALICE_SIMS)


def test_the_sim_page_shows_the_details_from_freebit(providers, customer_client):
    sim = providers.sim(ALICE_VOICE)

    response = sim_page(customer_client, ALICE_VOICE)

    assert response.status_code == 200
    page = main_of(response)
    assert f'<h1 id="sim-number" class="sim-number">{sim.msisdn[:3]}-{sim.msisdn[3:7]}-{sim.msisdn[7:]}</h1>' in page
    assert '<p class="sim-plan">Mobile Voice 20 GB' in page
    assert "090-1234-0012" in page and sim.msisdn == "09012340012"
    assert f"<code>{ALICE_VOICE}</code>" in page
    assert "Voice and data" in page
    assert f"{sim.activation_date.day} {sim.activation_date:%b %Y}" in page
    assert 'badge-ok">Active<' in page


def test_the_quota_gauge_carries_freebits_figures(providers, customer_client):
    store, sim = providers.store, providers.sim(ALICE_VOICE)
    with time_machine.travel(datetime.now(UTC), tick=False):  # the sandbox's usage grows by the second
        # Its store moves its clock only when called: brought to this frozen instant first, it reads
        # what the page's call will read (not the usage of its last call, however long ago).
        store.advance(providers.app.now())
        total, remaining = store.month_quota_kb(sim, store.today), store.remaining_kb(sim)
        assert 0 < remaining < total

        page = main_of(sim_page(customer_client, ALICE_VOICE))

    meter = METER.search(page)
    assert meter, "the page has no quota meter"
    assert (int(meter[1]), int(meter[2])) == (total, remaining)
    assert int(GAUGE.search(page)[1]) == round(remaining * 100 / total), "the gauge shows the share left"
    assert (f'<span class="gauge-figure">{DataQuota(kb=remaining).format()}</span>'
            f'\n      <span class="gauge-caption">left of {DataQuota(kb=total).format()} this month</span>') in page
    used = round((total - remaining) * 100 / total)
    assert f"{used}% used" in page


def test_a_voice_sim_shows_its_voice_options(providers, customer_client):
    voice = providers.sim(ALICE_VOICE).voice
    page = main_of(sim_page(customer_client, ALICE_VOICE))

    for label, key in (("Call waiting", "callWaiting"), ("Voicemail", "voiceMail"),
                       ("International roaming", "worldWing")):
        assert f"<dt>{label}</dt><dd>{'On' if voice[key] else 'Off'}</dd>" in page


def test_a_data_sim_has_no_voice_options(providers, customer_client):
    page = main_of(sim_page(customer_client, ALICE_DATA))

    assert "Data only" in page and "020-1234-0014" in page
    assert "Call waiting" not in page and "Voicemail" not in page


def test_a_suspended_sim_shows_no_top_up_form(providers, customer_client):
    assert providers.sim(ALICE_SUSPENDED).status == "suspended"

    response = sim_page(customer_client, ALICE_SUSPENDED)

    assert response.status_code == 200
    page = main_of(response)
    assert 'badge-bad">Suspended<' in page and "This SIM is suspended" in page
    assert "/top-up/" not in page and 'name="quota_mb"' not in page  # its cancellation is still offered
    assert "This SIM is not active, so data cannot be added." in page
    assert "The plan of this SIM cannot be changed right now." in page


def test_a_sim_suspended_on_freebit_loses_its_top_up_form(providers, customer_client):
    providers.set_status(ALICE_VOICE, "suspended")

    page = main_of(sim_page(customer_client, ALICE_VOICE))

    assert 'name="quota_mb"' not in page
    assert "This SIM is not active, so data cannot be added." in page


def test_an_active_sim_offers_top_up_presets_and_a_free_amount(providers, customer_client):
    page = main_of(sim_page(customer_client, ALICE_VOICE))

    assert f'action="/sims/{ALICE_VOICE}/top-up/"' in page
    for value, label in ((500, "500 MB"), (1024, "1 GB"), (3072, "3 GB"), (5120, "5 GB"), (10240, "10 GB")):
        assert f'name="preset_mb" value="{value}" class="button button-quiet">{label}</button>' in page
    assert 'name="quota_mb"' in page and "From 100 MB to 50 GB" in page


def test_the_sim_page_lists_recent_top_ups_of_this_sim_only(providers, customer_client, customer_user):
    from portal.sim.models import TopUp

    for iccid, mb in ((ALICE_VOICE, 700), (ALICE_DATA, 900)):
        TopUp.objects.create(request_id=f"00000000-0000-4000-8000-{mb:012d}", customer=customer_user.customer,
                             iccid=iccid, quota_mb=mb, amount=1, currency="JPY", status=TopUp.Status.APPLIED)

    page = main_of(sim_page(customer_client, ALICE_VOICE))

    assert "Recent top-ups" in page and "700 MB · Applied" in page
    assert "900 MB" not in page


def test_a_service_with_a_mangled_iccid_is_skipped(providers, customer_client, billing):
    # A WHMCS service whose ICCID field is mangled is skipped, not shown nor sent to Freebit.
    service = billing.store.services[SIM_BY_SERVICE[14].service_id]
    service.customfields = {**service.customfields, 1: ALICE_DATA[:-1] + str((int(ALICE_DATA[-1]) + 1) % 10)}

    page = main_of(customer_client.get("/sims/"))

    assert ALICE_DATA not in page and ALICE_VOICE in page
    assert sim_page(customer_client, ALICE_DATA).status_code == 404


@pytest.mark.parametrize("number", ["", "090-1234", "not a number"])
def test_a_service_without_a_usable_phone_number_is_skipped(providers, customer_client, billing, number):
    # Freebit names a SIM by its number: a SIM whose service carries none cannot be asked about.
    service = billing.store.services[SIM_BY_SERVICE[14].service_id]
    service.customfields = {**service.customfields, 2: number}

    page = main_of(customer_client.get("/sims/"))

    assert ALICE_DATA not in page and ALICE_VOICE in page
    assert sim_page(customer_client, ALICE_DATA).status_code == 404
    assert providers.calls() == 0


def test_the_sim_page_asks_freebit_for_details_and_traffic_only(providers, customer_client):
    sim_page(customer_client, ALICE_VOICE)

    assert providers.calls("PA03-02") == 1
    assert providers.app.stats()["calls"].keys() <= {"PA01-01", "PA03-02", "PA05-01"}
