"""What the browser tests share: numbered screenshots, signing in, waits, console errors, axe-core."""
import base64
import json
import re
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

from django.utils import translation
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"  # the artifacts of the browser tests (test-output/ is CI's)
# Generous: a page may make several provider calls, on a slow and loaded 2-core machine.
PAGE_SECONDS = 45
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


class Words:
    """The pages' words in one language, read from the portal's own catalogues (locale/), so a test
    written once walks the portal in each language it speaks. A missing translation gives the English
    text, which the page in the other language then does not show: the test fails."""

    def __init__(self, language: str):
        self.language = language

    def __call__(self, msgid: str, *, context: str = "", **values) -> str:
        with translation.override(self.language):
            text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
        return text % values if values else text

    def before(self, msgid: str, *, context: str = "") -> str:
        """The words of ``msgid`` before its first placeholder (``Data left: %(left)s…`` → ``Data left: ``)."""
        return self(msgid, context=context).split("%(", 1)[0]

    def pattern(self, msgid: str, *, context: str = "") -> str:
        """A regular expression for ``msgid`` in this language, any value in each placeholder."""
        text = self(msgid, context=context).replace("%%", "%")
        return ".+?".join(re.escape(part) for part in re.split(r"%\(\w+\)[sd]", text))

    def matches(self, msgid: str, text: str, *, context: str = "") -> bool:
        """``text`` is ``msgid`` in this language, with some value in each placeholder."""
        return re.fullmatch(self.pattern(msgid, context=context), text.strip(), re.DOTALL) is not None

    def day(self, iso_day: str) -> str:
        """A day as the pages write it: ``3 Dec 2026``, ``2026年12月3日``."""
        day = date.fromisoformat(iso_day)
        if self.language == "ja":
            return f"{day.year}年{day.month}月{day.day}日"
        return f"{day.day} {day:%b %Y}"


ENGLISH = Words("en")


def wait(browser: WebDriver, seconds: float = PAGE_SECONDS, *, every: float = 0.2) -> WebDriverWait:
    """An explicit wait; ``every`` seconds between two checks (longer when each check loads a page)."""
    return WebDriverWait(browser, seconds, poll_frequency=every)


class Screenshots:
    """Numbered screenshots, in the order taken, under test-output/browser/<folder>/ (emptied first)."""

    def __init__(self, browser: WebDriver, folder: str):
        self.browser = browser
        self.folder = OUTPUT / folder
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        save_full_page(self.browser, path)
        return path


def save_full_page(browser: WebDriver, path: Path) -> None:
    """The whole page, not only the window (Chromium's DevTools protocol)."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))


def page_loaded(browser: WebDriver) -> bool:
    return browser.execute_script("return document.readyState") == "complete"


def open_page(browser: WebDriver, url: str, title: str) -> None:
    browser.get(url)
    wait(browser).until(EC.title_contains(title))
    wait(browser).until(page_loaded)


def gone_from_page(exc: WebDriverException) -> bool:
    """Chromium's two ways of saying an element's page has gone: a stale element, or (while the
    next page replaces it) "Node with given id does not belong to the document"."""
    return isinstance(exc, StaleElementReferenceException) or "does not belong to the document" in str(exc)


def submit(element) -> None:
    """Click something that leaves the page. ChromeDriver may report the click as failed when the
    page is already going away under it: the click happened; the caller's wait for the next page
    tells if it did not."""
    try:
        element.click()
    except WebDriverException as exc:
        if not gone_from_page(exc):
            raise


def replaced(element):
    """A wait condition: ``element``'s page has been replaced (``EC.staleness_of`` that also knows
    Chromium's other way of saying so)."""
    def check(_browser) -> bool:
        try:
            element.is_enabled()
        except WebDriverException as exc:
            if gone_from_page(exc):
                return True
            raise
        return False

    return check


def click_and_wait(browser: WebDriver, element, title: str) -> None:
    """Click, then wait for the next page (the old one gone, the new one loaded, its title containing ``title``)."""
    page = browser.find_element(By.TAG_NAME, "html")
    submit(element)
    wait(browser).until(replaced(page))
    wait(browser).until(EC.title_contains(title))
    wait(browser).until(page_loaded)


def sign_in(browser: WebDriver, base_url: str, email: str, password: str, *, next_path: str = "/",
            lands_on: str = "", words: Words = ENGLISH) -> None:
    """Sign in through the portal's form and wait for the page it leads to (its title contains ``lands_on``)."""
    browser.get(f"{base_url}/login/?next={next_path}")
    wait(browser).until(EC.title_contains(words("Sign in")))
    browser.find_element(By.ID, "id_username").send_keys(email)
    browser.find_element(By.ID, "id_password").send_keys(password)
    submit(browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    wait(browser).until(lambda b: "/login/" not in b.current_url or "/login/second-factor/" in b.current_url)
    if "/login/second-factor/" in browser.current_url:  # staff: the code of the demo's published authenticator
        wait(browser).until(page_loaded)
        browser.find_element(By.ID, "id_code").send_keys(second_factor_code(base_url, email))
        submit(browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        wait(browser).until(lambda b: "/login/" not in b.current_url)
    if lands_on:
        wait(browser).until(EC.title_contains(lands_on))


_last_steps: dict[str, int] = {}


def second_factor_code(base_url: str, email: str) -> str:
    """The demo admin's TOTP code at the demo's clock (which a test may have moved), never the code of a
    time step already used (a TOTP code works once): the next step's, which the portal accepts, or a
    wait for a new step."""
    from django_otp.oath import TOTP

    from sandbox.demo_identities import DEMO_ADMIN_EMAIL, DEMO_ADMIN_TOTP_KEY

    assert email == DEMO_ADMIN_EMAIL, f"no published second factor for {email}"
    totp = TOTP(bytes.fromhex(DEMO_ADMIN_TOTP_KEY))
    while True:
        try:
            now = datetime.fromisoformat(demo_clock(base_url)["now"]).timestamp()
        except Exception:  # noqa: BLE001 - a demo without the clock control: the real time
            now = time.time()
        totp.time = now
        step = totp.t()
        if step > _last_steps.get(email, -1):
            break
        if _last_steps[email] == step:
            step += 1  # the portal accepts one step ahead
            break
        time.sleep(5)
    _last_steps[email] = step
    totp.time = step * totp.step + totp.t0 + 1
    return f"{totp.token():06d}"


def sign_out(browser: WebDriver, words: Words = ENGLISH) -> None:
    """Sign out from a portal page, or from an admin page (the admin's own layout and logout form)."""
    admin = browser.find_elements(By.CSS_SELECTOR, "#logout-form button[type=submit]")
    if admin:
        base = browser.current_url.split("/admin/", 1)[0]
        page = browser.find_element(By.TAG_NAME, "html")
        submit(admin[0])
        wait(browser).until(replaced(page))
        browser.get(base + "/login/")
    else:
        submit(browser.find_element(By.CSS_SELECTOR, ".header-user button[type=submit]"))
    wait(browser).until(EC.title_contains(words("Sign in")))


def console_errors(browser: WebDriver) -> list[dict]:
    """The SEVERE entries of the browser console since the last call (a CSP violation, a failed load)."""
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def main_text(browser: WebDriver) -> str:
    return browser.find_element(By.TAG_NAME, "main").text


def axe_violations(browser: WebDriver) -> list[dict]:
    """axe-core's violations on the current page (axe-core from the npm registry: package.json)."""
    if not AXE_SCRIPT.is_file():
        raise AssertionError(f"{AXE_SCRIPT.relative_to(ROOT)} is missing: run `npm ci` (make test does)")
    if not browser.execute_script("return typeof window.axe === 'object'"):
        browser.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    answer = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then(results => done({violations: results.violations.map(v => ({
             id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
             nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))}))}))
          .catch(error => done({error: String(error)}));
        """
    )
    if "error" in answer:
        raise AssertionError(f"axe-core failed on {browser.current_url}: {answer['error']}")
    return answer["violations"]


def describe_violations(found: dict[str, list[dict]]) -> str:
    """Every violation found, page by page, for a failure message."""
    lines = []
    for page, violations in found.items():
        for violation in violations:
            lines.append(f"{page}: [{violation['impact']}] {violation['id']}: {violation['help']} "
                         f"({violation['helpUrl']})")
            for node in violation["nodes"]:
                lines.append(f"    {json.dumps(node['target'])} {node['html'][:160]}")
                lines.append("        " + (node["summary"] or "").replace("\n", "\n        "))
    return "\n".join(lines)


def demo_clock(base_url: str, at: datetime | None = None) -> dict:
    """The demo's clock (``/__demo__/clock``): moved to ``at`` when given; answers ``now`` and ``today``."""
    request = urllib.request.Request(base_url + "/__demo__/clock", method="POST" if at else "GET",  # noqa: S310
                                     data=json.dumps({"at": at.isoformat()}).encode() if at else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (our own demo)
        return json.load(answer)


def long_date(iso_day: str) -> str:
    """``2026-12-03`` as the pages write it in English: ``3 Dec 2026``."""
    return ENGLISH.day(iso_day)
