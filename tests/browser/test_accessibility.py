"""axe-core on the portal's main pages, against the running demo.

axe-core comes from the npm registry (package.json / package-lock.json, installed by `make test`),
is injected into each page and run on the whole document. No violation of impact "serious" or
"critical" is allowed, in English and in Japanese (picked with the switcher on the sign-in page); every
violation found (of any impact) is written to test-output/browser/a11y-<language>/axe-violations.json
and printed when the test fails.
"""
import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from sandbox.demo_identities import DEMO_PASSWORD
from tests.browser.support import (
    BLOCKING_IMPACTS,
    Screenshots,
    Words,
    axe_violations,
    click_and_wait,
    describe_violations,
    open_page,
    submit,
    wait,
)

pytestmark = pytest.mark.browser

PLAN = "Data SIM 10 GB"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_main_pages_have_no_serious_or_critical_axe_violations(browser, demo, language):
    words = Words(language)
    shot = Screenshots(browser, f"a11y-{language}")
    portal = demo.url
    found: dict[str, list[dict]] = {}

    def check(page: str) -> None:
        found[page] = axe_violations(browser)
        shot(page)

    # Signed out: the sign-in form, empty and refused.
    open_page(browser, portal + "/login/", "Sign in")
    if language != "en":
        switcher = browser.find_element(By.CSS_SELECTOR, f".language-switcher button[value='{language}']")
        click_and_wait(browser, switcher, words("Sign in"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    check("login")
    browser.find_element(By.ID, "id_username").send_keys("alice@example.com")
    browser.find_element(By.ID, "id_password").send_keys("not-the-password")
    submit(browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "main [role=alert]")))
    check("login-refused")
    password = browser.find_element(By.ID, "id_password")
    password.clear()
    password.send_keys(DEMO_PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"), words("Dashboard"))
    check("dashboard")

    # Billing and subscriptions.
    open_page(browser, portal + "/billing/invoices/", words("Invoices"))
    check("invoices")
    open_page(browser, portal + "/billing/invoices/?status=Unpaid", words("Invoices"))
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a"),
                   words.before("Invoice %(number)s"))
    assert browser.find_elements(By.CSS_SELECTOR, ".pay-form"), "an unpaid invoice, with its Pay button"
    check("invoice-detail")
    open_page(browser, portal + "/billing/payment-methods/", words("Payment methods"))
    check("payment-methods")
    open_page(browser, portal + "/subscriptions/", words("Subscriptions"))
    check("subscriptions")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main table a, main .card-list a"), "")
    check("subscription-detail")

    # Catalog → cart → checkout → the order placed; the orders.
    open_page(browser, portal + "/catalog/", words("Catalog"))
    check("catalog")
    card = browser.find_element(By.XPATH, f"//li[contains(@class,'product-card')][.//a[text()='{PLAN}']]")
    click_and_wait(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"), words("Your cart"))
    check("cart")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, words("Continue to checkout")), words("Checkout"))
    check("checkout")
    browser.find_element(By.ID, "id_confirm").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"),
                   words.before("Order %(number)s"))
    check("order-detail")
    open_page(browser, portal + "/orders/", words("Orders"))
    check("orders")

    # SIMs: the list, one SIM with its charts, the top-up's confirmation.
    open_page(browser, portal + "/sims/", words("SIMs"))
    check("sims")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main .card-list h2 a"),
                   words.before("SIM %(number)s"))
    assert browser.find_elements(By.CSS_SELECTOR, "main svg.usage-chart[role=img]")
    check("sim-detail")
    see_the_price = f"//main//button[normalize-space()='{words('See the price')}']"
    click_and_wait(browser, browser.find_element(By.XPATH, see_the_price), words("Confirm top-up"))
    check("topup-confirm")

    # The account.
    open_page(browser, portal + "/account/", words("Account"))
    check("account")

    report = {page: violations for page, violations in found.items() if violations}
    (shot.folder / "axe-violations.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    blocking = {page: [v for v in violations if v["impact"] in BLOCKING_IMPACTS] for page, violations in found.items()}
    assert not any(blocking.values()), (
        "axe-core found serious or critical violations. All violations found:\n" + describe_violations(report)
    )
