"""The journey's support part, in headless Chromium against the running demo (issue 19).

Alice opens an invoice and asks for help with it: the new-case form already knows the invoice and
its category; she writes, sends, and attaches a PNG to the case. The support agent, in the
Salesforce sandbox's staff pages, replies and solves it, which publishes ``Case_Status_Update__e``;
the demo's subscriber forgets Alice's cached cases. Alice sees the case marked as changed in her
list, the reply and "Solved" on the case, and no page view asked Salesforce more than once (read
from the demo's per-request provider-call log lines). Screenshots: test-output/browser/support/.
"""
import ast
import re
import struct
import zlib
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from sandbox.demo_identities import DEMO_PASSWORD
from tests.browser.support import Screenshots, click_and_wait, console_errors, main_text, sign_in, sign_out, wait
from tests.browser.test_customer_journey import ADMIN_PASSWORD, nav_link

pytestmark = pytest.mark.browser

EVENT_SECONDS = 60  # the agent's save → Pub/Sub → the demo's subscriber → the cache forgets
CALLS = re.compile(r"GET (?P<path>/support/\S*) made \d+ provider call\(s\): (?P<calls>\{.*\})")
SUBJECT = "Question about this invoice"
REPLY = "Hello Alice, the second line is this month's universal service fee. Nothing was charged twice."


def screenshot_png(path) -> None:
    """A small real PNG, as a phone's screenshot would be (a 2x2 grey image)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(b"\x00\x80\x80\x00\x80\x80")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def salesforce_calls_per_support_page_view(log: str) -> list[tuple[str, int]]:
    """Each support page view the demo logged with provider calls, and its Salesforce calls."""
    found = []
    for match in CALLS.finditer(log):
        calls = ast.literal_eval(match["calls"])
        found.append((match["path"], sum(n for name, n in calls.items() if name.startswith("salesforce:"))))
    return found


def test_alice_gets_help_with_an_invoice_and_the_agent_solves_it(browser, demo, tmp_path):
    shot = Screenshots(browser, "support")
    portal = demo.url
    log_start = len(demo.log())

    # -- Alice: an invoice → Get help → the form knows the invoice --------------------------------
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path="/billing/invoices/", lands_on="Invoices")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "table.data-table tbody tr th a"), "Invoice ")
    invoice_number = browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Invoice ")
    invoice_id = urlsplit(browser.current_url).path.rstrip("/").rsplit("/", 1)[-1]
    shot("invoice")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Get help with this"), "Get help")
    assert f"About: Invoice {invoice_number}" in main_text(browser)
    assert browser.find_element(By.NAME, "related_id").get_attribute("value") == invoice_id
    assert Select(browser.find_element(By.ID, "id_category")).first_selected_option.text == "Billing and payments"
    shot("new-case")

    browser.find_element(By.ID, "id_subject").send_keys(SUBJECT)
    browser.find_element(By.ID, "id_description").send_keys("There are two lines I do not recognise on this "
                                                            "invoice. Was I charged twice?")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"), "Case ")
    case_url = browser.current_url
    case_number = browser.find_element(By.CSS_SELECTOR, "h1 .help").text.removeprefix("Case ")
    page = main_text(browser)
    assert "Thank you: your case is open." in page and SUBJECT in page and "New" in page
    shot("case-opened")

    image = tmp_path / "invoice-screenshot.png"
    screenshot_png(image)
    browser.find_element(By.ID, "id_file").send_keys(str(image))
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Upload']"), "Case ")
    assert "Your file has been added to the case." in main_text(browser)
    assert "invoice-screenshot.png" in browser.find_element(By.ID, "attachments").text
    shot("case-with-file")
    assert console_errors(browser) == []
    sign_out(browser)

    # -- The agent replies and solves it in the Salesforce sandbox ---------------------------------
    sign_in(browser, portal, "admin@example.com", ADMIN_PASSWORD, next_path="/admin/sandbox/cases/",
            lands_on="Sandbox: support cases")
    row = browser.find_element(By.XPATH, f"//tbody/tr[th[contains(., '{case_number}')]]")
    assert SUBJECT in row.text
    shot("sandbox-cases")
    click_and_wait(browser, row.find_element(By.TAG_NAME, "a"), f"Sandbox: case {case_number}")
    assert "invoice-screenshot.png" in main_text(browser) and f"WHMCS_Invoice_Id__c\n{invoice_id}" in main_text(browser)
    browser.find_element(By.ID, "reply-body").send_keys(REPLY)
    Select(browser.find_element(By.ID, "reply-status")).select_by_value("Closed")
    shot("sandbox-reply")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Save']"),
                   f"Sandbox: case {case_number}")
    assert f"Case {case_number} updated." in main_text(browser)
    assert browser.find_element(By.ID, "case-status").text == "Closed"
    sign_out(browser)

    # -- Alice sees the reply and the new status ---------------------------------------------------
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path="/support/cases/", lands_on="Support")

    def solved_in_the_list(b) -> bool:
        b.get(portal + "/support/cases/")
        return "Solved" in b.find_element(By.XPATH, f"//tr[@data-case='{case_number}']").text

    wait(browser, EVENT_SECONDS, every=1).until(solved_in_the_list, "the solved case is never shown solved")
    row = browser.find_element(By.XPATH, f"//tr[@data-case='{case_number}']")
    assert row.find_elements(By.CSS_SELECTOR, ".case-changed"), "the case is not marked as changed"
    shot("cases-solved")
    click_and_wait(browser, nav_link(browser, "Support"), "Support")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, case_number), "Case ")
    assert browser.current_url == case_url
    page = main_text(browser)
    assert REPLY in page and "Support team" in page and "Solved" in page
    assert "This case is solved, so nothing more can be added to it." in page
    assert not browser.find_elements(By.ID, "id_body")
    shot("case-solved")
    click_and_wait(browser, nav_link(browser, "Support"), "Support")
    assert not browser.find_element(By.XPATH, f"//tr[@data-case='{case_number}']").find_elements(
        By.CSS_SELECTOR, ".case-changed")
    assert console_errors(browser) == []
    sign_out(browser)

    # -- No page view asked Salesforce more than once -----------------------------------------------
    views = salesforce_calls_per_support_page_view(demo.log()[log_start:])
    assert views, "the demo logged no support page view with a provider call"
    assert [view for view in views if view[1] > 1] == [], views
