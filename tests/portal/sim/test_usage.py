"""A SIM's usage without bulk polling: the portal reads Freebit's traffic figures (PA05-01) for the
one SIM its customer looks at, at most every ``CACHE_TTL_SIM_TRAFFIC`` seconds and
``SIM_TRAFFIC_READS_PER_DAY`` times a day per SIM, records the day's figure itself
(``SimUsageDay``) and charts what it recorded, saying so. Expected figures come from the Freebit
emulator's live data; time is frozen where a figure depends on the hour."""
import ast
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings

from domain.shared import clock
from domain.sim.types import DataQuota
from portal.sim.charts import WIDTH, Bar, format_mb, usage_bar_chart
from portal.sim.models import SimUsageDay
from tests.pages import main_of
from tests.portal.sim.conftest import ALICE_DATA, ALICE_VOICE, sim_page

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
SVG = re.compile(r'<svg class="usage-chart"[^>]*>.*?</svg>', re.S)
TABLE_ROW = re.compile(r'<tr><td>([^<]+)</td><td class="num">([^<]+)</td></tr>')
SOURCE_NOTE = ("Daily use as this portal recorded it when this SIM's page was opened (Japan time): a day shows "
               "what had been used by the last time it was read that day, and a day it was not read has no figure.")


def sections_of(page: str) -> list[str]:
    """The usage sections of the SIM page, newest month first."""
    return re.findall(r'<section class="card" aria-labelledby="usage-\d+">(.*?)</section>', page, re.S)


def at(hour: int, minute: int = 0, *, days: int = 1) -> datetime:
    """That time (Japan) ``days`` from today: tomorrow by default, so that the clock only moves
    forward (the emulator's calendar does)."""
    return datetime.combine(clock.today() + timedelta(days=days), time(hour, minute), tzinfo=clock.business_zone())


def look(browser, user, moment: datetime):
    """The SIM page at ``moment`` (signed in afresh: a session does not last for days)."""
    with time_machine.travel(moment, tick=False):
        browser.force_login(user)
        return sim_page(browser, ALICE_VOICE)


def record(iccid: str, day, kb: int) -> None:
    SimUsageDay.objects.create(iccid=iccid, day=day, used_kb=kb, read_at=datetime.combine(
        day, time(21, 0), tzinfo=clock.business_zone()), reads=1)


def test_a_page_view_records_todays_figure_from_freebit_and_charts_it(providers, customer_client, customer_user):
    page = main_of(look(customer_client, customer_user, at(15, 30)))

    today = providers.store.today
    expected = providers.store.used_today_kb(providers.sim(ALICE_VOICE))  # at the emulator's last call

    row = SimUsageDay.objects.get(iccid=ALICE_VOICE)
    assert (row.day, row.used_kb, row.reads) == (today, expected, 1)
    assert providers.calls("PA05-01") == 1
    assert TABLE_ROW.findall(page) == [(f"{today.day} {today:%b}", DataQuota(kb=expected).format())]
    assert SOURCE_NOTE in page and "Last read at 15:30." in page


def test_the_chart_shows_the_recorded_days_by_month(providers, customer_client):
    today = clock.today()
    first = today.replace(day=1)
    last_month_day = first - timedelta(days=3)
    recorded = {last_month_day: 700_000, first: 300_000} if today != first else {last_month_day: 700_000}
    for day, kb in recorded.items():
        record(ALICE_VOICE, day, kb)
    never_read = first - timedelta(days=10)

    page = main_of(sim_page(customer_client, ALICE_VOICE))

    sections = sections_of(page)
    assert len(sections) == 2, "this month (today's reading) and last month's recorded day"
    rows = TABLE_ROW.findall(sections[1])
    assert rows == [(f"{last_month_day.day} {last_month_day:%b}", DataQuota(kb=700_000).format())]
    assert f"{never_read.day} {never_read:%b}" not in page, "a day nobody looked at has no figure"
    svg = SVG.findall(sections[1])[0]
    bars = re.findall(r'<rect [^>]*class="bar"><title>([^<]+)</title></rect>', svg)
    assert bars == [f"{last_month_day.day} {last_month_day:%b}: {format_mb(700_000 // 1024)}"]
    assert f"Usage in {last_month_day:%B %Y}: {DataQuota(kb=700_000).format()}" in sections[1]


def test_the_chart_bars_are_taller_for_heavier_days(providers, customer_client):
    today = clock.today()
    days = [today - timedelta(days=n) for n in (1, 2, 3) if (today - timedelta(days=n)).month == today.month]
    if len(days) < 2:
        days = [today.replace(day=1)]  # early in the month: today's reading alone
    for n, day in enumerate(days):
        record(ALICE_VOICE, day, 100_000 * (n + 1))

    page = main_of(sim_page(customer_client, ALICE_VOICE))

    svg = SVG.findall(sections_of(page)[0])[0]
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)" class="bar">', svg)]
    figures = [row.used_kb for row in SimUsageDay.objects.filter(iccid=ALICE_VOICE, day__month=today.month)
               .order_by("day")]
    assert len(heights) == len(figures)
    assert heights.index(max(heights)) == figures.index(max(figures))


def test_a_second_look_within_the_cache_time_reads_nothing(providers, customer_client, customer_user, settings):
    settings.CACHE_TTL_SIM_TRAFFIC = 900
    look(customer_client, customer_user, at(10))
    with time_machine.travel(at(10, 14), tick=False):
        customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage")
    assert providers.calls("PA05-01") == 1

    look(customer_client, customer_user, at(10, 16))

    expected = providers.store.used_today_kb(providers.sim(ALICE_VOICE))
    assert providers.calls("PA05-01") == 2
    row = SimUsageDay.objects.get(iccid=ALICE_VOICE)
    assert (row.used_kb, row.reads) == (expected, 2), "the day's figure is the latest reading"


def test_a_sim_is_read_at_most_so_many_times_a_day(providers, customer_client, customer_user, settings):
    settings.CACHE_TTL_SIM_TRAFFIC = 60
    settings.SIM_TRAFFIC_READS_PER_DAY = 3
    for minutes in range(0, 50, 5):  # ten looks, five minutes apart
        assert look(customer_client, customer_user, at(8) + timedelta(minutes=minutes)).status_code == 200

    assert providers.calls("PA05-01") == 3
    assert SimUsageDay.objects.get(iccid=ALICE_VOICE).reads == 3

    look(customer_client, customer_user, at(8, days=2))  # a new day (Japan's), new reads
    assert SimUsageDay.objects.get(iccid=ALICE_VOICE, day=clock.today() + timedelta(days=2)).reads == 1


def test_each_sim_is_read_for_itself(providers, customer_client):
    sim_page(customer_client, ALICE_VOICE)
    sim_page(customer_client, ALICE_DATA)

    assert providers.calls("PA05-01") == 2
    assert set(SimUsageDay.objects.values_list("iccid", flat=True)) == {ALICE_VOICE, ALICE_DATA}


def test_freebit_failing_shows_the_recorded_figures_with_a_notice(providers, customer_client):
    yesterday = clock.today() - timedelta(days=1)
    record(ALICE_VOICE, yesterday, 512_000)
    providers.fail("PA05-01", times=None)

    response = sim_page(customer_client, ALICE_VOICE)

    assert response.status_code == 200
    page = main_of(response)
    assert f"{yesterday.day} {yesterday:%b}" in page
    assert 'role="status"' in page, "the page says its figures may be out of date"


def test_a_speed_restriction_is_shown(providers, customer_client):
    sim = providers.sim(ALICE_VOICE)
    for n in (1, 2, 3):
        sim.usage[clock.today() - timedelta(days=n)] = 1_500_000  # 4.3 GB over three days

    page = main_of(sim_page(customer_client, ALICE_VOICE))

    assert "The speed of this SIM is restricted for now, after heavy use over the last few days." in page
    assert SimUsageDay.objects.get(iccid=ALICE_VOICE, day=clock.today()).throttled


def test_a_reading_just_before_midnight_and_one_just_after_are_two_days(providers, customer_client, customer_user,
                                                                         settings):
    settings.CACHE_TTL_SIM_TRAFFIC = 60
    look(customer_client, customer_user, at(23, 58))
    look(customer_client, customer_user, at(0, 2, days=2))
    day_one = clock.today() + timedelta(days=1)

    days = list(SimUsageDay.objects.order_by("day").values_list("day", flat=True))
    assert days == [day_one, day_one + timedelta(days=1)]


def test_the_usage_api_answers_the_recorded_figures(providers, customer_client):
    yesterday = clock.today() - timedelta(days=1)
    record(ALICE_VOICE, yesterday, 204_800)

    data = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage",
                               {"start": yesterday.isoformat(), "end": clock.today().isoformat()}).json()["data"]

    assert data["points"][0] == {"date": yesterday.isoformat(), "used": {"mb": 200, "display": "200 MB"}}
    assert [point["date"] for point in data["points"]] == [yesterday.isoformat(), clock.today().isoformat()]


def test_nothing_but_a_customers_look_reads_freebit_traffic():
    """PA05-01 is called in one place (``portal.sim.usage.read_traffic``), which is called by the
    selector of a customer's request alone: no task, command or sweep walks the SIMs through it."""
    callers: dict[str, set[str]] = {"get_traffic": set(), "read_traffic": set()}
    for path in (ROOT / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in callers:
                callers[node.attr].add(path.relative_to(ROOT).as_posix())
    assert callers == {"get_traffic": {"portal/sim/usage.py"}, "read_traffic": {"portal/sim/selectors.py"}}
    beat_tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert not any("usage" in task or "traffic" in task for task in beat_tasks)


def test_a_chart_of_one_day_draws_one_bar_a_week_wide_slot_not_the_whole_width():
    one_day = str(usage_bar_chart([Bar(day=date(2026, 12, 1), value=120.0)], chart_id="c", title="Usage"))
    month = str(usage_bar_chart([Bar(day=date(2026, 11, d), value=10.0) for d in range(1, 31)], chart_id="m",
                                title="Usage"))
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', one_day)]
    assert len(widths) == 1 and widths[0] <= WIDTH / 7
    assert len(re.findall(r"<rect ", month)) == 30
