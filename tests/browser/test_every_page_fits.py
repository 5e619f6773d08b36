"""Every page of the portal at 360, 768 and 1280 px, in English and in Japanese, against the running demo.

A customer walks the portal signed out (sign-in, password reset) and signed in (dashboard, billing,
services, catalog, cart and checkout, orders, SIMs, account, error pages). The Japanese walk starts
with the language switcher on the sign-in page. On every page, at every width:

- no element reaches past the right or left edge of the viewport, and the page does not scroll
  sideways (tables turn into cards on phones, the navigation into a Menu button);
- the page is in the walk's language (``<html lang>``);
- axe-core finds no serious or critical violation (at 360 px and 1280 px);
- a screenshot is saved: test-output/browser/pages-<language>/<page>-<width>.png.
"""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from sandbox.demo_identities import DEMO_PASSWORD
from tests.browser.support import (
    BLOCKING_IMPACTS,
    OUTPUT,
    axe_violations,
    click_and_wait,
    describe_violations,
    page_loaded,
    save_full_page,
    submit,
    wait,
)

pytestmark = pytest.mark.browser

WIDTHS = (360, 768, 1280)
AXE_WIDTHS = (360, 1280)
SIGN_IN = {"en": "Sign in", "ja": "ログイン"}

# Elements wider than the viewport, or reaching past either edge: what a phone would scroll sideways
# to see. Hidden things (display: none, a closed <details>, the visually-hidden 1-px boxes, the skip
# link parked above the page) take no room and are left out.
OVERFLOW_SCRIPT = """
const width = document.documentElement.clientWidth;
const found = [];
for (const el of document.querySelectorAll('body *')) {
  const rect = el.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0 || rect.width <= 1) continue;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.position === 'fixed') continue;
  if (rect.bottom < 0) continue;
  if (rect.right > width + 1 || rect.left < -1) {
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const text = (el.textContent || '').trim().slice(0, 40);
    found.push(`${name} [${Math.round(rect.left)}..${Math.round(rect.right)}] ${text}`);
  }
}
return {width: width, scroll: document.documentElement.scrollWidth, found: found.slice(0, 15)};
"""


def set_width(browser, width: int) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 700})
    wait(browser).until(lambda b: b.execute_script("return document.documentElement.clientWidth") <= width)


class Walk:
    """Checks one page at every width; collects what failed instead of stopping at the first."""

    def __init__(self, browser, language: str):
        self.browser = browser
        self.language = language
        self.folder = OUTPUT / f"pages-{language}"
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.overflows: dict[str, list] = {}
        self.violations: dict[str, list] = {}
        self.languages: dict[str, str] = {}
        self.count = 0

    def check(self, name: str) -> None:
        browser = self.browser
        wait(browser).until(page_loaded)
        self.count += 1
        lang = browser.find_element(By.TAG_NAME, "html").get_attribute("lang")
        if lang != self.language:
            self.languages[name] = lang
        for width in WIDTHS:
            set_width(browser, width)
            measured = browser.execute_script(OVERFLOW_SCRIPT)
            if measured["found"] or measured["scroll"] > measured["width"] + 1:
                self.overflows[f"{name} @ {width}px"] = measured
            if width in AXE_WIDTHS:
                blocking = [v for v in axe_violations(browser) if v["impact"] in BLOCKING_IMPACTS]
                if blocking:
                    self.violations[f"{name} @ {width}px"] = blocking
            save_full_page(browser, self.folder / f"{self.count:02d}-{name}-{width}.png")
        set_width(browser, 1280)

    def assert_clean(self) -> None:
        problems = []
        if self.overflows:
            problems.append("wider than the viewport:\n" + "\n".join(
                f"  {page}: scrollWidth {m['scroll']} > {m['width']}; " + "; ".join(m["found"])
                for page, m in self.overflows.items()))
        if self.languages:
            problems.append(f"not in {self.language}: {self.languages}")
        if self.violations:
            problems.append("axe-core:\n" + describe_violations(self.violations))
        assert not problems, "\n".join(problems)


def open_path(browser, url: str) -> None:
    browser.get(url)
    wait(browser).until(page_loaded)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_page_fits_phones_tablets_and_desktops_in_each_language(browser, demo, language):
    portal = demo.url
    walk = Walk(browser, language)
    try:
        # Signed out. The Japanese walk chooses Japanese with the switcher on the sign-in page.
        open_path(browser, portal + "/login/")
        if language != "en":
            switcher = browser.find_element(By.CSS_SELECTOR, f".language-switcher button[value='{language}']")
            click_and_wait(browser, switcher, SIGN_IN[language])
        walk.check("sign-in")
        open_path(browser, portal + "/password-reset/")
        walk.check("password-reset")

        browser.get(portal + "/login/")
        wait(browser).until(EC.title_contains(SIGN_IN[language]))
        browser.find_element(By.ID, "id_username").send_keys("alice@example.com")
        browser.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
        submit(browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
        wait(browser).until(lambda b: "/login/" not in b.current_url)
        walk.check("dashboard")

        # The compact navigation: on a phone a Menu button opens the links.
        set_width(browser, 360)
        toggle = browser.find_element(By.CSS_SELECTOR, ".nav-toggle")
        assert toggle.is_displayed() and not browser.find_element(By.ID, "main-nav-list").is_displayed()
        bar, here = toggle.rect, toggle.find_element(By.CSS_SELECTOR, ".nav-current").rect
        menu = toggle.find_element(By.CSS_SELECTOR, ".nav-toggle-label").rect
        assert bar["width"] > 300 and here["y"] == menu["y"], (bar, here, menu)  # one line across the bar
        assert here["x"] - bar["x"] < 40 < menu["x"] - here["x"] - here["width"], (bar, here, menu)
        assert menu["x"] + menu["width"] > bar["x"] + bar["width"] * 0.75, (bar, menu)  # "Menu" at the right
        toggle.click()
        assert browser.find_element(By.ID, "main-nav-list").is_displayed()
        save_full_page(browser, walk.folder / "00-navigation-open-360.png")
        set_width(browser, 1280)

        for name, path in (("invoices", "/billing/invoices/"), ("payment-methods", "/billing/payment-methods/"),
                           ("subscriptions", "/subscriptions/"), ("catalog", "/catalog/"), ("orders", "/orders/"),
                           ("sims", "/sims/"), ("account", "/account/"), ("password-change", "/account/password/"),
                           ("sign-out", "/logout/"), ("not-found", "/no-such-page/")):
            open_path(browser, portal + path)
            walk.check(name)
            if name == "invoices":
                open_path(browser, portal + "/billing/invoices/?status=Unpaid")
                browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a").click()
                walk.check("invoice")
                open_path(browser, portal + "/billing/invoices/?status=Paid")
                browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a").click()
                walk.check("invoice-paid")
            elif name == "subscriptions":
                browser.find_element(By.CSS_SELECTOR, "main table tbody th a").click()
                walk.check("subscription")
            elif name == "catalog":
                browser.find_element(By.CSS_SELECTOR, "main .product-card h3 a").click()
                walk.check("product")
                submit(browser.find_element(By.CSS_SELECTOR, "main form.pay-form button[type=submit]"))
                wait(browser).until(lambda b: "/orders/cart/" in b.current_url)
                walk.check("cart")
                open_path(browser, portal + "/orders/checkout/")
                walk.check("checkout")
            elif name == "orders" and browser.find_elements(By.CSS_SELECTOR, "main table tbody th a"):
                browser.find_element(By.CSS_SELECTOR, "main table tbody th a").click()
                walk.check("order")
            elif name == "sims":
                cards = browser.find_elements(By.CSS_SELECTOR, "main .card-list h2 a")
                links = [a.get_attribute("href") for a in cards]
                for link in links:
                    open_path(browser, link)
                    walk.check("sim-" + link.rstrip("/").rsplit("/", 1)[-1][-4:])
                open_path(browser, links[0])
                field = browser.find_element(By.ID, "id_quota_mb")
                field.clear()
                field.send_keys("50")
                see_price = "//form[.//input[@id='id_quota_mb']]//button[@type='submit' and not(@name)]"
                submit(browser.find_element(By.XPATH, see_price))
                wait(browser).until(EC.visibility_of_element_located((By.ID, "id_quota_mb_error")))
                assert browser.find_element(By.ID, "id_quota_mb").get_attribute("value") == "50"
                walk.check("sim-topup-refused")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    walk.assert_clean()
