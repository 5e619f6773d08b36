"""What a customer sees of their SIMs at the instants where Japan's calendar and UTC's disagree, and
at the calendar's edges (tests/timepoints.py): the usage the portal records is filed under Japan's
day and shown in Japan's month, a SIM activated today has a proper "no usage yet" state with one
activation date everywhere, a quota addition counts in Japan's month (it is sent expiring on the
last day of Japan's month), and a plan change booked for the first of next month (PA05-21
``runTime``) is made on the first of Japan's next month.

The whole process (portal and the in-process emulators) runs at each instant with time-machine;
expected figures come from the emulator's live data.
"""
import re
from datetime import timedelta

import pytest
import time_machine

from domain.shared import calendar, clock
from domain.sim.types import DataQuota
from integrations.freebit.sims import FreebitSimClient
from portal.core.connections import freebit_connection
from portal.sim.models import SimUsageDay
from tests.pages import main_of
from tests.portal.sim.conftest import ALICE_DATA, ALICE_VOICE, NUMBER_OF, sim_page
from tests.timepoints import BOUNDARY_INSTANTS

pytestmark = pytest.mark.django_db

USAGE_HEADING = re.compile(r'<h2 id="usage-\d+">Usage in ([A-Z][a-z]+ \d{4}):')
DAY_ROW = re.compile(r'<tr><td>(\d+ [A-Z][a-z]{2})</td>')


@pytest.fixture(params=list(BOUNDARY_INSTANTS.values()), ids=list(BOUNDARY_INSTANTS))
def instant(request):
    """The process's clock at the instant (running on from there), before the emulators are reset
    so that their seed data is dated from it."""
    with time_machine.travel(request.param, tick=True):
        yield request.param


@pytest.fixture
def sims_at(instant, providers):
    return providers


def freebit_service() -> FreebitSimClient:
    """The portal's own Freebit client, wired to the emulator by the ``providers`` fixture."""
    return FreebitSimClient(freebit_connection())


def make_new(freebit, iccid: str) -> None:
    """The emulator's SIM as if activated today (Japan time): no traffic yet."""
    sim = freebit.sim(iccid)
    sim.activation_date = freebit.store.today
    sim.usage.clear()
    freebit.store.fill_usage(sim)


def test_the_usage_window_is_japans_month_and_day(sims_at, customer_client, instant):
    today = instant.date()  # the instant is written in Japan time: its date is Japan's
    yesterday = today - timedelta(days=1)
    SimUsageDay.objects.create(iccid=ALICE_VOICE, day=yesterday, used_kb=123_456, read_at=instant - timedelta(days=1))

    page = main_of(sim_page(customer_client, ALICE_VOICE))

    reading = SimUsageDay.objects.get(iccid=ALICE_VOICE, day__gt=yesterday)
    assert reading.day == today, "today's reading is filed under Japan's day"
    months = USAGE_HEADING.findall(page)
    if yesterday.month == today.month:
        assert months == [f"{today:%B %Y}"]
        assert DAY_ROW.findall(page) == [f"{yesterday.day} {yesterday:%b}", f"{today.day} {today:%b}"]
    else:  # the 1st: yesterday belongs to last month's section
        assert months == [f"{today:%B %Y}", f"{yesterday:%B %Y}"]
        assert DAY_ROW.findall(page) == [f"{today.day} {today:%b}", f"{yesterday.day} {yesterday:%b}"]


def test_a_sim_activated_today_shows_no_usage_yet_with_one_activation_date(sims_at, customer_client, instant):
    make_new(sims_at, ALICE_DATA)
    today = instant.date()
    shown_day = f"{today.day} {today:%b %Y}"  # "3 Dec 2026", as every date of the portal

    page = main_of(sim_page(customer_client, ALICE_DATA))
    assert '<svg class="usage-chart"' not in page
    assert "% used" not in page
    assert "Nothing used yet" in page
    assert f"This SIM has been active since {shown_day} and has not used any data yet." in page
    assert f"<dt>Active since</dt><dd>{shown_day}</dd>" in page

    dashboard = customer_client.get("/").content.decode()
    assert f"Active since {shown_day}, no data used yet" in dashboard

    data = customer_client.get(f"/api/v1/sims/{ALICE_DATA}").json()["data"]
    assert data["activation_date"] == today.isoformat()
    assert data["usage_started"] is False and data["used_percent"] is None
    sims = customer_client.get("/api/v1/dashboard").json()["data"]["sims"]["value"]
    new = next(sim for sim in sims if sim["iccid"] == ALICE_DATA)
    assert new["usage_started"] is False and new["activation_date"] == today.isoformat()


def test_an_old_sim_keeps_its_usage_on_the_first_minutes_of_a_month(sims_at, customer_client, instant):
    page = main_of(sim_page(customer_client, ALICE_VOICE))

    assert '<svg class="usage-chart"' in page, "last month's chart stays while this month has begun"
    assert "% used" in page and "Nothing used yet" not in page


def test_a_top_up_counts_in_japans_month_and_leaves_it_at_midnight(sims_at, instant):
    service = freebit_service()
    number = NUMBER_OF[ALICE_VOICE]
    plan_total = service.get_details(number).total

    service.add_quota(number, 1024, quota_code="month-end-topup", expires=calendar.month_end(clock.today()))

    assert service.get_details(number).total.kb == plan_total.kb + DataQuota.from_mb(1024).kb
    next_month = calendar.next_month_start(instant.date())
    minutes_to_midnight = (clock.local(instant).replace(hour=0, minute=0) + timedelta(days=1) - instant)
    if next_month - instant.date() == timedelta(days=1):  # the month's last day: cross into the next month
        with time_machine.travel(instant + minutes_to_midnight + timedelta(minutes=1), tick=True):
            assert clock.today() == next_month
            assert service.get_details(number).total.kb == plan_total.kb, "a top-up lasts for its month"


def test_a_plan_change_from_next_month_starts_on_japans_first(sims_at, instant):
    service = freebit_service()
    number = NUMBER_OF[ALICE_VOICE]
    first = calendar.next_month_start(instant.date())

    change = service.change_plan(number, "MOB-VOICE-5G", run_date=first)

    assert change.run_date == first and not change.immediate
    assert service.get_details(number).plan_code == "MOB-VOICE-20G", "booked, not made yet"
    with time_machine.travel(clock.local(instant).replace(year=first.year, month=first.month, day=first.day,
                                                          hour=0, minute=1), tick=True):
        assert service.get_details(number).plan_code == "MOB-VOICE-5G"
