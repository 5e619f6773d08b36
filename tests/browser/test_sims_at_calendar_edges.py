"""The journey's SIM steps at the calendar's edges, in Chromium against the running demo.

For each instant of tests/timepoints.py (moved into the future, since the demo's Freebit calendar
only moves forward) the demo's clock is set through ``/__demo__/clock``: Alice orders a SIM plan, the
operator approves it at the instant (23:59 or 00:01 in Japan, 14:59 or 15:01 UTC), the subscriber
provisions it, and Alice finds one activation date on the SIM page, its subscription and the
dashboard, the "no usage yet" state while it is still the activation day in Japan, and adds data.
This module runs after the journey (its name sorts after it): the demo's clock stays moved.
"""
from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By

from sandbox.demo_identities import DEMO_PASSWORD
from tests.browser.support import (
    Screenshots,
    click_and_wait,
    demo_clock,
    long_date,
    main_text,
    sign_in,
    sign_out,
    wait,
)
from tests.browser.test_customer_journey import (
    ADMIN_PASSWORD,
    PLAN,
    PROVISIONING_SECONDS,
    details_value,
    nav_link,
    timeline,
)
from tests.timepoints import future_instants

pytestmark = pytest.mark.browser

EDGES = ("last-day-2359-jst", "new-year-0001-jst", "31st-before-30-day-month", "first-of-30-day-month-0001",
         "leap-day-2359-jst")


def place_order(browser, portal: str) -> tuple[str, str]:
    """Alice orders ``PLAN`` from the catalog; answers the order's page URL and number."""
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path="/catalog/", lands_on="Catalog")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Mobile"), "Catalog")
    card = browser.find_element(By.XPATH, f"//li[contains(@class,'product-card')][.//a[text()='{PLAN}']]")
    click_and_wait(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"), "Your cart")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Continue to checkout"), "Checkout")
    browser.find_element(By.ID, "id_confirm").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"), "Order ")
    order_url, number = browser.current_url, browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Order ")
    sign_out(browser)
    return order_url, number


def approve(browser, portal: str, order_number: str) -> None:
    sign_in(browser, portal, "admin@example.com", ADMIN_PASSWORD, next_path="/admin/sandbox/orders/",
            lands_on="Sandbox: approve orders")
    row = browser.find_element(By.XPATH, f"//tbody/tr[th[contains(., '{order_number}')]]")
    click_and_wait(browser, row.find_element(By.XPATH, ".//button[normalize-space()='Approve']"),
                   "Sandbox: approve orders")
    sign_out(browser)


def wait_until_active(browser, order_url: str) -> None:
    def active(b) -> bool:
        b.get(order_url)
        steps = timeline(b)
        assert not [label for label, state in steps if state == "failed"], main_text(b)
        return bool(steps) and all(state == "done" for _, state in steps)

    wait(browser, PROVISIONING_SECONDS, every=1).until(active, "the order is never shown active")


@pytest.mark.parametrize("edge", EDGES)
def test_a_new_sims_dates_agree_at_the_calendars_edges(browser, demo, edge):
    instant = dict(future_instants(datetime.now(UTC)))[edge]
    shot = Screenshots(browser, f"calendar-edges/{edge}")
    portal = demo.url

    demo_clock(portal, instant - timedelta(minutes=2))
    order_url, order_number = place_order(browser, portal)
    demo_clock(portal, instant)
    approve(browser, portal, order_number)
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path="/sims/", lands_on="SIMs")
    wait_until_active(browser, order_url)

    click_and_wait(browser, nav_link(browser, "SIMs"), "SIMs")
    on_plan = [a for a in browser.find_elements(By.CSS_SELECTOR, "main .card-list h2 a")
               if PLAN in a.find_element(By.XPATH, "./ancestor::li").text]  # listed by phone number, with the plan
    newest = max(on_plan, key=lambda a: int(a.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]))  # by ICCID
    click_and_wait(browser, newest, "SIM ")
    active_since = details_value(browser, "Active since")
    assert active_since == long_date(instant.date().isoformat()), "activated on Japan's day of the approval"
    today = demo_clock(portal)["today"]
    if today == instant.date().isoformat():
        assert not browser.find_elements(By.CSS_SELECTOR, "main svg.usage-chart")
        assert "has not used any data yet" in main_text(browser)
    shot("sim")
    sim_url = browser.current_url

    click_and_wait(browser, nav_link(browser, "Subscriptions"), "Subscriptions")
    subscription = max(browser.find_elements(By.XPATH, f"//main//a[normalize-space()='{PLAN}']"),
                       key=lambda a: int(a.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]))
    click_and_wait(browser, subscription, PLAN)
    assert details_value(browser, "Started") == active_since
    shot("subscription")
    click_and_wait(browser, nav_link(browser, "Dashboard"), "Dashboard")
    if today == instant.date().isoformat():
        assert f"Active since {active_since}, no data used yet" in main_text(browser)
    shot("dashboard")

    browser.get(sim_url)
    topup = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=topup-heading]")
    amount = topup.find_element(By.ID, "id_quota_mb")
    amount.clear()
    amount.send_keys("1024")
    click_and_wait(browser, topup.find_element(By.XPATH, ".//button[normalize-space()='See the price']"),
                   "Confirm top-up")
    pay_and_add = browser.find_element(By.XPATH, "//main//button[starts-with(normalize-space(), 'Pay and add')]")
    click_and_wait(browser, pay_and_add, "SIM ")
    assert "1 GB was added to your SIM" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    shot("topped-up")
    sign_out(browser)
