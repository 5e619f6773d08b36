"""The customer journey, end to end, in headless Chromium against the running demo.

Alice signs in, looks at her dashboard and invoices, pays an unpaid one on the WHMCS sandbox (its
signed webhook marks it paid in the portal), looks at her subscriptions and SIMs, orders a SIM plan
from the catalog; the admin approves the order in the Salesforce sandbox; the portal's Platform
Event subscriber provisions it; Alice opens the new SIM (no usage yet, the same activation date on
its page, its subscription and the dashboard), an older SIM's usage chart, and adds data.
Screenshots of every page, numbered in order: test-output/browser/journey/.
"""
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from sandbox.demo_identities import DEMO_PASSWORD
from tests.browser.support import (
    Screenshots,
    click_and_wait,
    console_errors,
    demo_clock,
    long_date,
    main_text,
    sign_in,
    sign_out,
    submit,
    wait,
)

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "portal-admin"  # README: the demo's admin
PROVISIONING_SECONDS = 120  # approval → Pub/Sub → subscriber → WHMCS, Freebit, Salesforce, on a loaded machine
WEBHOOK_SECONDS = 60
PLAN = "Data SIM 10 GB"


def nav_link(browser, label: str):
    return browser.find_element(By.XPATH, f"//nav[@aria-label='Main']//a[normalize-space()='{label}']")


def timeline(browser) -> list[tuple[str, str]]:
    """The order's status timeline: (label, state) per step."""
    steps = []
    for step in browser.find_elements(By.CSS_SELECTOR, ".timeline .step"):
        state = next(c.removeprefix("step-") for c in step.get_attribute("class").split() if c.startswith("step-"))
        steps.append((step.find_element(By.CSS_SELECTOR, ".step-label").text, state))
    return steps


def details_value(browser, term: str) -> str:
    """The value of a ``<dt>term</dt><dd>value</dd>`` pair on the page."""
    return browser.find_element(By.XPATH, f"//main//dt[normalize-space()='{term}']/following-sibling::dd[1]").text


def test_the_customer_journey(browser, demo):
    shot = Screenshots(browser, "journey")
    portal = demo.url

    # -- Sign in: a page that needs sign-in leads to the form, and back after it -----------------
    browser.get(portal + "/")
    wait(browser).until(EC.title_contains("Sign in"))
    assert urlsplit(browser.current_url)[2:4] == ("/login/", "next=/")
    shot("sign-in")
    browser.find_element(By.ID, "id_username").send_keys("alice@example.com")
    browser.find_element(By.ID, "id_password").send_keys("not-the-password")
    submit(browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    alert = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "main [role=alert]")))
    assert "The email or password is not right" in alert.text
    shot("sign-in-refused")
    password = browser.find_element(By.ID, "id_password")
    password.clear()
    password.send_keys(DEMO_PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"), "Dashboard")

    # -- Dashboard ---------------------------------------------------------------------------------
    assert browser.find_element(By.TAG_NAME, "h1").text == "Welcome, Alice"
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav[aria-label=Main] a")]
    assert nav == ["Dashboard", "Billing", "Subscriptions", "Catalog", "Orders", "SIMs", "Support", "Account"]
    assert browser.execute_script(  # our stylesheet is served and applied
        "return getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(255, 255, 255)"
    panels = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main .card h2")]
    assert panels == ["Billing", "Recent orders", "Your services"]
    shot("dashboard")

    # -- Invoices → an unpaid invoice → Pay on the WHMCS sandbox -----------------------------------
    click_and_wait(browser, nav_link(browser, "Billing"), "Invoices")
    shot("invoices")
    status = browser.find_element(By.ID, "id_status")
    status.find_element(By.CSS_SELECTOR, "option[value=Unpaid]").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".filter-form button"), "Invoices")
    wait(browser).until(lambda b: "status=Unpaid" in b.current_url)
    badges = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "table.data-table tbody .badge")]
    assert badges and set(badges) <= {"To pay", "Overdue"}, badges
    shot("invoices-unpaid")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a"), "Invoice ")
    invoice_url = browser.current_url
    number = browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Invoice ")
    pay = browser.find_element(By.CSS_SELECTOR, ".pay-form button[type=submit]")
    assert pay.text.startswith("Pay ")
    shot("invoice-detail")
    assert console_errors(browser) == []

    click_and_wait(browser, pay, "Sandbox WHMCS")  # a fresh single-use SSO link, then the client area
    landed = urlsplit(browser.current_url)
    assert landed.netloc != urlsplit(portal).netloc, "Pay leaves the portal for the billing site"
    assert landed.path == "/viewinvoice.php" and landed.query.startswith("id=")
    assert number in browser.find_element(By.TAG_NAME, "h1").text
    shot("whmcs-invoice")
    click_and_wait(browser, browser.find_element(By.ID, "pay-now"), "Sandbox WHMCS")
    assert "Payment successful" in browser.find_element(By.TAG_NAME, "body").text
    shot("whmcs-paid")
    browser.get_log("browser")  # the sandbox's own page is not ours to judge

    # -- Back to the portal: the sandbox's signed webhook has marked the invoice paid --------------
    def invoice_paid(b) -> bool:
        b.get(invoice_url)
        return b.find_element(By.CSS_SELECTOR, ".invoice-summary .badge").text == "Paid"

    wait(browser, WEBHOOK_SECONDS, every=1).until(invoice_paid, "the invoice paid on WHMCS is never shown paid")
    assert not browser.find_elements(By.CSS_SELECTOR, ".pay-form")
    shot("invoice-paid")

    # -- Subscriptions, SIMs ---------------------------------------------------------------------
    click_and_wait(browser, nav_link(browser, "Subscriptions"), "Subscriptions")
    assert browser.find_elements(By.CSS_SELECTOR, "main table.data-table tbody tr, main .card-list li")
    shot("subscriptions")
    click_and_wait(browser, nav_link(browser, "SIMs"), "SIMs")
    sims_before = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main .card-list h2 a")}
    shot("sims")

    # -- Catalog → cart → checkout → order placed --------------------------------------------------
    click_and_wait(browser, nav_link(browser, "Catalog"), "Catalog")
    shot("catalog")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Mobile"), "Catalog")
    card = browser.find_element(By.XPATH, f"//li[contains(@class,'product-card')][.//a[text()='{PLAN}']]")
    click_and_wait(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"), "Your cart")
    assert PLAN in main_text(browser)
    shot("cart")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Continue to checkout"), "Checkout")
    assert not browser.find_elements(By.CSS_SELECTOR, "main [role=alert]"), main_text(browser)
    browser.find_element(By.ID, "id_confirm").click()
    shot("checkout")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"), "Order ")
    order_url = browser.current_url
    order_number = browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Order ")
    assert "your order is placed" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert browser.find_element(By.CSS_SELECTOR, ".timeline [aria-current=step]").text.startswith("Under review")
    assert PLAN in main_text(browser)
    shot("order-placed")
    assert console_errors(browser) == []

    # -- The operator approves it in the Salesforce sandbox ----------------------------------------
    sign_out(browser)
    sign_in(browser, portal, "admin@example.com", ADMIN_PASSWORD, next_path="/admin/sandbox/orders/",
            lands_on="Sandbox: approve orders")
    row = browser.find_element(By.XPATH, f"//tbody/tr[th[contains(., '{order_number}')]]")
    assert "Pending Review" in row.text
    shot("sandbox-orders")
    click_and_wait(browser, row.find_element(By.XPATH, ".//button[normalize-space()='Approve']"),
                   "Sandbox: approve orders")
    assert f"Order {urlsplit(order_url).path.rstrip('/').rsplit('/', 1)[-1]} approved" in main_text(browser)
    shot("sandbox-order-approved")
    sign_out(browser)

    # -- Alice follows the order until it is provisioned -------------------------------------------
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path=urlsplit(order_url).path,
            lands_on="Order ")

    def provisioned(b) -> bool:
        b.get(order_url)
        steps = timeline(b)
        failed = [label for label, state in steps if state == "failed"]
        assert not failed, f"provisioning failed: {main_text(b)}"
        return bool(steps) and all(state == "done" for _, state in steps)

    wait(browser, PROVISIONING_SECONDS, every=1).until(provisioned, f"order {order_number} is never shown active")
    assert [label for label, _ in timeline(browser)][-1] == "Active"
    shot("order-active")

    # -- The new SIM: activated today, no usage yet; one activation date on every page ------------
    click_and_wait(browser, nav_link(browser, "SIMs"), "SIMs")
    new_sims = [a for a in browser.find_elements(By.CSS_SELECTOR, "main .card-list h2 a")
                if a.get_attribute("href") not in sims_before]
    assert len(new_sims) == 1 and PLAN in new_sims[0].find_element(By.XPATH, "./ancestor::li").text
    shot("sims-with-new-sim")
    click_and_wait(browser, new_sims[0], "SIM ")
    assert urlsplit(browser.current_url).path.startswith("/sims/89")
    new_sim_url = browser.current_url
    active_since = details_value(browser, "Active since")
    demo_today = demo_clock(portal)["today"]
    if active_since == long_date(demo_today):  # still the activation day in Japan (the usual case)
        assert not browser.find_elements(By.CSS_SELECTOR, "main svg.usage-chart")
        empty = browser.find_element(By.CSS_SELECTOR, "main section.usage-empty")
        assert "has not used any data yet" in empty.text and "after its first day of use" in empty.text
        assert "% used" not in main_text(browser) and "Nothing used yet" in main_text(browser)
    meter = browser.find_element(By.CSS_SELECTOR, "main .sim-hero meter")
    assert float(meter.get_attribute("value")) > 0 and meter.get_attribute("aria-label").startswith("Data left")
    shot("sim-detail")
    assert console_errors(browser) == []
    click_and_wait(browser, nav_link(browser, "Subscriptions"), "Subscriptions")
    newest = max(browser.find_elements(By.XPATH, f"//main//a[normalize-space()='{PLAN}']"),
                 key=lambda a: int(a.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]))
    click_and_wait(browser, newest, PLAN)
    assert details_value(browser, "Started") == active_since, "the subscription started the day the SIM did"
    click_and_wait(browser, nav_link(browser, "Dashboard"), "Dashboard")
    if active_since == long_date(demo_today):
        assert f"Active since {active_since}, no data used yet" in main_text(browser)

    # -- An older SIM: its page with the usage charts ---------------------------------------------
    browser.get(sorted(sims_before)[0])
    chart = browser.find_element(By.CSS_SELECTOR, "main svg.usage-chart[role=img]")
    assert chart.get_attribute("aria-labelledby")
    assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent").startswith("Daily data use")
    shot("sim-with-usage")
    browser.get(new_sim_url)

    # -- Top-up: the price, then pay and add -------------------------------------------------------
    topup = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=topup-heading]")
    amount = topup.find_element(By.ID, "id_quota_mb")
    amount.clear()
    amount.send_keys("1024")
    click_and_wait(browser, topup.find_element(By.XPATH, ".//button[normalize-space()='See the price']"),
                   "Confirm top-up")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Add 1 GB?"
    shot("topup-confirm")
    pay_and_add = browser.find_element(By.XPATH, "//main//button[starts-with(normalize-space(), 'Pay and add')]")
    click_and_wait(browser, pay_and_add, "SIM ")
    confirmation = browser.find_element(By.CSS_SELECTOR, ".messages .message-success")
    assert "1 GB was added to your SIM" in confirmation.text
    assert "1 GB · Applied" in browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=topup-heading] ul").text
    shot("topup-done")
    assert console_errors(browser) == []
