"""A keyboard-only pass through sign-in and checkout, against the running demo.

No clicks: only TAB, SHIFT+TAB, ENTER and SPACE (and the typed email and password) go to the focused
element, as a keyboard user's would. Every stop must be visible, show a focus ring that contrasts at
least 3:1 with what surrounds it, and come after the previous one in the page's order (no positive
tabindex, no trap, no jump backwards).
Screenshots: test-output/browser/keyboard/.
"""
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from sandbox.demo_identities import DEMO_PASSWORD
from tests.browser.support import Screenshots, console_errors, gone_from_page, page_loaded, replaced, wait

pytestmark = pytest.mark.browser

PLAN = "Data SIM 10 GB"
FOCUSED = r"""
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const box = el.getBoundingClientRect(), style = getComputedStyle(el);
const rgb = value => (value.match(/[\d.]+/g) || []).map(Number);
const luminance = ([r, g, b]) => [r, g, b].map(c => c / 255)
  .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
let behind = el.parentElement;  // the ring is drawn outside the element, on its surroundings
while (behind && (rgb(getComputedStyle(behind).backgroundColor)[3] === 0
                  || getComputedStyle(behind).backgroundColor === 'transparent')) behind = behind.parentElement;
const [ring, ground] = [luminance(rgb(style.outlineColor)),
                        luminance(rgb(behind ? getComputedStyle(behind).backgroundColor : 'rgb(255,255,255)'))];
const text = el.getAttribute('aria-label') || el.textContent || el.value || '';
return {
  tag: el.tagName.toLowerCase(), id: el.id, type: el.getAttribute('type') || '',
  name: text.trim().replace(/\s+/g, ' ').slice(0, 80),
  position: Array.prototype.indexOf.call(document.getElementsByTagName('*'), el),
  tabindex: el.tabIndex, explicitTabindex: el.getAttribute('tabindex'),
  visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
           && box.top < innerHeight && box.left < innerWidth
           && style.visibility !== 'hidden' && parseFloat(style.opacity) > 0,
  ring: el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
  ringContrast: (Math.max(ring, ground) + 0.05) / (Math.min(ring, ground) + 0.05),
};
"""


def describe(stop: dict | None) -> str:
    if stop is None:
        return "(nothing: the page itself)"
    return f"{stop['tag']}{'#' + stop['id'] if stop['id'] else ''} {stop['name']!r}"


class Keyboard:
    """The keyboard of a user who cannot use a mouse, and where their focus has been."""

    def __init__(self, browser):
        self.browser = browser
        self.path: list[str] = []

    def focused(self) -> dict | None:
        return self.browser.execute_script(FOCUSED)

    def press(self, *keys: str) -> None:
        ActionChains(self.browser).send_keys(*keys).perform()  # to the focused element

    def type(self, text: str) -> None:
        self.press(text)

    def tab(self, *, back: bool = False) -> dict:
        before = self.focused()
        if back:
            ActionChains(self.browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            self.press(Keys.TAB)
        stop = self.focused()
        self.path.append(("⇧" if back else "") + "⇥ " + describe(stop))
        where = " → ".join(self.path[-12:])
        assert stop is not None, f"focus left the page's controls: {where}"
        assert stop["visible"], f"focus landed on something not visible: {where}"
        assert stop["ring"], f"no visible focus indicator on {describe(stop)}: {where}"
        assert stop["ringContrast"] >= 3, (  # WCAG 1.4.11: 3:1 for the focus indicator
            f"focus indicator of {describe(stop)} contrasts {stop['ringContrast']:.1f}:1 with its surroundings")
        assert not (stop["explicitTabindex"] and int(stop["explicitTabindex"]) > 0), f"positive tabindex: {where}"
        if before is not None:
            moved_on = stop["position"] < before["position"] if back else stop["position"] > before["position"]
            assert moved_on, f"focus went {'forward' if back else 'back'} in the page: {where}"
        return stop

    def tab_to(self, wanted, limit: int = 60) -> dict:
        for _ in range(limit):
            stop = self.tab()
            if wanted(stop):
                return stop
        raise AssertionError(f"not reached in {limit} tabs: " + " → ".join(self.path[-limit:]))

    def activate(self, key: str, title: str) -> None:
        """ENTER or SPACE on the focused link or button, and the page it leads to."""
        page = self.browser.find_element(By.TAG_NAME, "html")
        try:
            self.press(key)
        except WebDriverException as exc:  # the page went away under the key press: it worked
            if not gone_from_page(exc):
                raise
        wait(self.browser).until(replaced(page))
        wait(self.browser).until(EC.title_contains(title))
        wait(self.browser).until(page_loaded)
        self.path.append(f"[{self.browser.title}]")


def names(stops: list[dict]) -> list[str]:
    return [stop["name"] for stop in stops]


def test_sign_in_and_checkout_with_the_keyboard_only(browser, demo):
    shot = Screenshots(browser, "keyboard")
    keys = Keyboard(browser)

    # -- Sign in: the email field has the focus; before it only the skip link, the brand and the
    #    language switcher -----------------------------------------------------------------------------
    browser.get(demo.url + "/login/")
    wait(browser).until(EC.title_contains("Sign in"))
    wait(browser).until(lambda b: (keys.focused() or {}).get("id") == "id_username",
                        "the email field does not get the focus when the page opens")
    assert names([keys.tab(back=True) for _ in range(3)]) == ["日本語", "Customer Portal", "Skip to main content"]
    shot("sign-in-skip-link")
    assert names([keys.tab() for _ in range(3)]) == ["Customer Portal", "日本語", ""]
    assert keys.focused()["id"] == "id_username"
    keys.type("alice@example.com")
    assert keys.tab()["id"] == "id_password"
    keys.type(DEMO_PASSWORD)
    assert keys.tab()["name"] == "Sign in"
    assert keys.tab(back=True)["id"] == "id_password"
    assert keys.tab()["name"] == "Sign in"
    shot("sign-in-button")
    keys.activate(Keys.ENTER, "Dashboard")

    # -- Dashboard: through the header to the main navigation's Catalog ---------------------------
    stops = [keys.tab() for _ in range(8)]
    assert names(stops) == ["Skip to main content", "Customer Portal", "日本語", "Sign out", "Dashboard", "Billing",
                            "Subscriptions", "Catalog"]
    shot("dashboard-nav-catalog")
    keys.activate(Keys.ENTER, "Catalog")

    # -- Catalog: the skip link leads into the page's content; add the SIM plan ---------------------
    assert keys.tab()["name"] == "Skip to main content"
    keys.press(Keys.ENTER)
    wait(browser).until(lambda b: b.execute_script("return document.activeElement.id") == "main")
    first_in_main = keys.tab()
    assert first_in_main["name"] == "All", "after the skip link, the first stop is the page's own first link"
    add = keys.tab_to(lambda stop: stop["tag"] == "button" and stop["name"] == f"Add to cart: {PLAN}")
    assert add["visible"]
    shot("catalog-add-to-cart")
    keys.activate(Keys.ENTER, "Your cart")

    # -- Cart → checkout --------------------------------------------------------------------------
    keys.tab_to(lambda stop: stop["tag"] == "a" and stop["name"] == "Continue to checkout")
    shot("cart-continue")
    keys.activate(Keys.ENTER, "Checkout")

    # -- Checkout: tick the confirmation with SPACE, place the order with ENTER -------------------
    keys.tab_to(lambda stop: stop["id"] == "id_confirm")
    confirm = browser.find_element(By.ID, "id_confirm")
    assert not confirm.is_selected()
    keys.press(Keys.SPACE)
    assert confirm.is_selected()
    assert keys.tab()["name"] == "Place order"
    shot("checkout-place-order")
    keys.activate(Keys.ENTER, "Order ")

    # -- Order placed ------------------------------------------------------------------------------
    assert browser.find_element(By.CSS_SELECTOR, ".timeline [aria-current=step]").text.startswith("Under review")
    assert PLAN in browser.find_element(By.TAG_NAME, "main").text
    shot("order-placed")
    assert console_errors(browser) == []
