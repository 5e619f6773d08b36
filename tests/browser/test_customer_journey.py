"""The customer journey, end to end, in headless Chromium against the running demo: once in English
as Alice, once in Japanese as Bob (who picks 日本語 with the switcher on the sign-in page; the admin
who approves his order then sees the operator page in Japanese too). Each pays one of their own
unpaid invoices, so the other browser tests still find one of Alice's to look at.

The customer signs in, looks at the dashboard and invoices, pays an unpaid one on the WHMCS sandbox
(its signed webhook marks it paid in the portal), looks at the subscriptions and SIMs, orders a SIM
plan from the catalog; the admin approves the order in the Salesforce sandbox; the portal's Platform
Event subscriber provisions it; the customer opens the new SIM (no usage yet, the same activation
date on its page, its subscription and the dashboard), an older SIM's usage chart, and adds data.
The expected words come from the portal's catalogues (``Words``). Screenshots of every page,
numbered in order: test-output/browser/journey-<language>/.
"""
import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from sandbox.demo_identities import DEMO_CUSTOMERS, DEMO_PASSWORD
from tests.browser.support import (
    Screenshots,
    Words,
    click_and_wait,
    console_errors,
    demo_clock,
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
ALICE, BOB = DEMO_CUSTOMERS[:2]
NAVIGATION = ("Dashboard", "Billing", "Subscriptions", "Catalog", "Orders", "SIMs", "Support", "Account")


def nav_link(browser, label: str):
    return browser.find_element(By.XPATH, f"//ul[@id='main-nav-list']//a[normalize-space()='{label}']")


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


@pytest.mark.parametrize(("language", "customer"), [("en", ALICE), ("ja", BOB)], ids=["en-alice", "ja-bob"])
def test_the_customer_journey(browser, demo, language, customer):
    words = Words(language)
    shot = Screenshots(browser, f"journey-{language}")
    portal = demo.url

    # -- Sign in: a page that needs sign-in leads to the form, and back after it -----------------
    browser.get(portal + "/")
    wait(browser).until(EC.title_contains("Sign in"))  # a first visit: the browser asks for English
    if language != "en":
        switcher = browser.find_element(By.CSS_SELECTOR, f".language-switcher button[value='{language}']")
        click_and_wait(browser, switcher, words("Sign in"))
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    assert urlsplit(browser.current_url)[2:4] == ("/login/", "next=/")
    shot("sign-in")
    browser.find_element(By.ID, "id_username").send_keys(customer.email)
    browser.find_element(By.ID, "id_password").send_keys("not-the-password")
    submit(browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    alert = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "main [role=alert]")))
    assert words("The email or password is not right. Please try again.") in alert.text
    shot("sign-in-refused")
    password = browser.find_element(By.ID, "id_password")
    password.clear()
    password.send_keys(DEMO_PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"), words("Dashboard"))

    # -- Dashboard ---------------------------------------------------------------------------------
    assert browser.find_element(By.TAG_NAME, "h1").text == words("Welcome, %(name)s", name=customer.first_name)
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#main-nav-list a")]
    assert nav == [words(label) for label in NAVIGATION]
    assert browser.execute_script(  # our stylesheet is served and applied
        "return getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(255, 255, 255)"
    panels = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main .card h2")]
    assert panels == [words("Billing"), words("Recent orders"), words("Your services")]
    shot("dashboard")

    # -- Invoices → an unpaid invoice → Pay on the WHMCS sandbox -----------------------------------
    click_and_wait(browser, nav_link(browser, words("Billing")), words("Invoices"))
    shot("invoices")
    status = browser.find_element(By.ID, "id_status")
    status.find_element(By.CSS_SELECTOR, "option[value=Unpaid]").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".filter-form button"), words("Invoices"))
    wait(browser).until(lambda b: "status=Unpaid" in b.current_url)
    badges = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "table.data-table tbody .badge")]
    assert badges and set(badges) <= {words("To pay"), words("Overdue")}, badges
    shot("invoices-unpaid")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a"),
                   words.before("Invoice %(number)s"))
    invoice_url = browser.current_url
    number = browser.find_element(By.TAG_NAME, "h1").text.removeprefix(words.before("Invoice %(number)s"))
    pay = browser.find_element(By.CSS_SELECTOR, ".pay-form button[type=submit]")
    assert words.matches("Pay %(amount)s", pay.text), pay.text
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
        return b.find_element(By.CSS_SELECTOR, ".invoice-summary .badge").text == words("Paid")

    wait(browser, WEBHOOK_SECONDS, every=1).until(invoice_paid, "the invoice paid on WHMCS is never shown paid")
    assert not browser.find_elements(By.CSS_SELECTOR, ".pay-form")
    shot("invoice-paid")

    # -- Subscriptions, SIMs ---------------------------------------------------------------------
    click_and_wait(browser, nav_link(browser, words("Subscriptions")), words("Subscriptions"))
    assert browser.find_elements(By.CSS_SELECTOR, "main table.data-table tbody tr, main .card-list li")
    shot("subscriptions")
    click_and_wait(browser, nav_link(browser, words("SIMs")), words("SIMs"))
    sims_before = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main .card-list h2 a")}
    shot("sims")

    # -- Catalog → cart → checkout → order placed --------------------------------------------------
    click_and_wait(browser, nav_link(browser, words("Catalog")), words("Catalog"))
    shot("catalog")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, words("Mobile")), words("Catalog"))
    card = browser.find_element(By.XPATH, f"//li[contains(@class,'product-card')][.//a[text()='{PLAN}']]")
    click_and_wait(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"), words("Your cart"))
    assert PLAN in main_text(browser)
    shot("cart")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, words("Continue to checkout")), words("Checkout"))
    assert not browser.find_elements(By.CSS_SELECTOR, "main [role=alert]"), main_text(browser)
    browser.find_element(By.ID, "id_confirm").click()
    shot("checkout")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"),
                   words.before("Order %(number)s"))
    order_url = browser.current_url
    order_number = browser.find_element(By.TAG_NAME, "h1").text.removeprefix(words.before("Order %(number)s"))
    assert words("Thank you: your order is placed and waiting for review.") in \
        browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert browser.find_element(By.CSS_SELECTOR, ".timeline [aria-current=step]").text.startswith(words("Under review"))
    assert PLAN in main_text(browser)
    shot("order-placed")
    assert console_errors(browser) == []

    # -- The operator approves it in the Salesforce sandbox ----------------------------------------
    sign_out(browser, words)
    sign_in(browser, portal, "admin@example.com", ADMIN_PASSWORD, next_path="/admin/sandbox/orders/",
            lands_on=words("Sandbox: approve orders"), words=words)
    row = browser.find_element(By.XPATH, f"//tbody/tr[th[contains(., '{order_number}')]]")
    assert "Pending Review" in row.text  # Salesforce's own status, as the operator knows it
    shot("sandbox-orders")
    click_and_wait(browser, row.find_element(By.XPATH, f".//button[normalize-space()='{words('Approve')}']"),
                   words("Sandbox: approve orders"))
    order_id = urlsplit(order_url).path.rstrip("/").rsplit("/", 1)[-1]
    assert words("Order %(order)s approved: the provisioning event is published.", order=order_id) in main_text(browser)
    shot("sandbox-order-approved")
    sign_out(browser, words)

    # -- Alice follows the order until it is provisioned -------------------------------------------
    sign_in(browser, portal, customer.email, DEMO_PASSWORD, next_path=urlsplit(order_url).path,
            lands_on=words.before("Order %(number)s"), words=words)

    def provisioned(b) -> bool:
        b.get(order_url)
        steps = timeline(b)
        failed = [label for label, state in steps if state == "failed"]
        assert not failed, f"provisioning failed: {main_text(b)}"
        return bool(steps) and all(state == "done" for _, state in steps)

    wait(browser, PROVISIONING_SECONDS, every=1).until(provisioned, f"order {order_number} is never shown active")
    assert [label for label, _ in timeline(browser)][-1] == words("Active", context="order")
    shot("order-active")

    # -- The new SIM: activated today, no usage yet; one activation date on every page ------------
    click_and_wait(browser, nav_link(browser, words("SIMs")), words("SIMs"))
    new_sims = [a for a in browser.find_elements(By.CSS_SELECTOR, "main .card-list h2 a")
                if a.get_attribute("href") not in sims_before]
    assert len(new_sims) == 1 and PLAN in new_sims[0].find_element(By.XPATH, "./ancestor::li").text
    shot("sims-with-new-sim")
    click_and_wait(browser, new_sims[0], words.before("SIM %(number)s"))
    assert urlsplit(browser.current_url).path.startswith("/sims/89")
    new_sim_url = browser.current_url
    active_since = details_value(browser, words("Active since"))
    activation_day = active_since == words.day(demo_clock(portal)["today"])  # still that day in Japan (usual)
    if activation_day:
        assert not browser.find_elements(By.CSS_SELECTOR, "main svg.usage-chart")
        empty = browser.find_element(By.CSS_SELECTOR, "main section.usage-empty")
        assert words("This SIM has been active since %(day)s and has not used any data yet. Its daily usage "
                     "appears here after its first day of use.", day=active_since) in empty.text
        assert words("Nothing used yet") in main_text(browser)
        assert not re.search(words.pattern("%(used)s%% used this month"), main_text(browser))
    meter = browser.find_element(By.CSS_SELECTOR, "main .sim-hero meter")
    assert float(meter.get_attribute("value")) > 0
    assert words.matches("Data left: %(left)s of %(total)s", meter.get_attribute("aria-label"))
    shot("sim-detail")
    assert console_errors(browser) == []
    click_and_wait(browser, nav_link(browser, words("Subscriptions")), words("Subscriptions"))
    newest = max(browser.find_elements(By.XPATH, f"//main//a[normalize-space()='{PLAN}']"),
                 key=lambda a: int(a.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]))
    click_and_wait(browser, newest, PLAN)
    assert details_value(browser, words("Started")) == active_since, "the subscription started the day the SIM did"
    click_and_wait(browser, nav_link(browser, words("Dashboard")), words("Dashboard"))
    if activation_day:
        assert words("Active since %(day)s, no data used yet", day=active_since) in main_text(browser)

    # -- An older SIM: its page with the usage charts ---------------------------------------------
    browser.get(sorted(sims_before)[0])
    chart = browser.find_element(By.CSS_SELECTOR, "main svg.usage-chart[role=img]")
    assert chart.get_attribute("aria-labelledby")
    title = chart.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    assert words.matches("Daily data use, %(month)s", title), title
    shot("sim-with-usage")
    browser.get(new_sim_url)

    # -- Top-up: the price, then pay and add -------------------------------------------------------
    topup = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=topup-heading]")
    amount = topup.find_element(By.ID, "id_quota_mb")
    amount.clear()
    amount.send_keys("1024")
    click_and_wait(browser, topup.find_element(By.XPATH, f".//button[normalize-space()='{words('See the price')}']"),
                   words("Confirm top-up"))
    one_gb = words("%(amount)s GB", amount="1")
    assert browser.find_element(By.TAG_NAME, "h1").text == words("Add %(amount)s?", amount=one_gb)
    shot("topup-confirm")
    pay_and_add = [b for b in browser.find_elements(By.CSS_SELECTOR, "main button")
                   if words.matches("Pay and add %(amount)s", b.text)]
    assert len(pay_and_add) == 1, [b.text for b in browser.find_elements(By.CSS_SELECTOR, "main button")]
    click_and_wait(browser, pay_and_add[0], words.before("SIM %(number)s"))
    confirmation = browser.find_element(By.CSS_SELECTOR, ".messages .message-success")
    assert words("%(amount)s was added to your SIM. Its invoice, already paid, is in Billing.", amount=one_gb) \
        in confirmation.text
    assert f"{one_gb} · {words('Applied')}" in \
        browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=topup-heading] ul").text
    shot("topup-done")
    assert console_errors(browser) == []
