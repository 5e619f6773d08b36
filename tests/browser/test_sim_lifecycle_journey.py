"""A SIM's life in self-service (issue 20), in headless Chromium against the running demo.

On Alice's voice SIM (090-1234-0012, Mobile Voice 20 GB, the demo's eSIM: its page says eSIM with the
phone's EID): a voice option switched (pending, then done once the demo's clock has moved past
Freebit's delay), the switch to 5G (the page says the line is locked about 30 minutes; a change sent
from another tab meanwhile is refused; the operator sees the lock on the demo's SIM lines page; done
once the clock has moved past the lock), a cancellation booked then withdrawn, the eSIM reissue for a new phone (the fee
shown first; the confirmation sent twice, as after a lost answer, charges one invoice), and a lost
SIM reported, whose notice then leads the SIM's page. On her data-only SIM, a physical SIM card: no
voice options, and the sentence why; no eSIM reissue but the replacement card's request, with its
fee and the delivery address, leading to the structured request. On her Internet subscription: the
cancellation booked, then withdrawn.
Screenshots: test-output/browser/sim-lifecycle/ and sim-lifecycle-data-and-internet/.

The demo's clock (``/__demo__/clock``) is first moved to the next 10:00 in Japan, so that the
clock's later moves (6, then 40 minutes) never cross Japan's midnight whatever the hour the tests
run at (tests/timepoints.py): the cancellation's end dates are Japan's days. It only moves forward,
by less than a day, which leaves the calendar-edge instants of test_sims_at_calendar_edges.py ahead.
The latest end date offered is chosen: it can be withdrawn for weeks whatever the day.
"""
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from sandbox.demo_identities import DEMO_PASSWORD
from sandbox.freebit.seed import DEMO_ESIM_EID
from tests.browser.support import (
    Screenshots,
    click_and_wait,
    console_errors,
    demo_clock,
    main_text,
    sign_in,
    sign_out,
    wait,
)
from tests.browser.test_customer_journey import ADMIN_PASSWORD, details_value, nav_link

pytestmark = pytest.mark.browser

JST = ZoneInfo("Asia/Tokyo")
VOICE_SIM = "090-1234-0012"  # Mobile Voice 20 GB: a 5G plan; voicemail and call waiting on, roaming off
DATA_SIM = "020-1234-0014"  # Data SIM 10 GB
INTERNET = "Fiber 1 Gbps"
NEW_EID = "89049032000001000000000000000456"  # a new phone's, not one of the MVNO's blank eSIMs
CONFIRM_CANCELLATION = "//main//button[normalize-space()='Confirm the cancellation']"
CONFIRM_SECONDS = 60  # the page's refresh asks Freebit again; on a loaded machine


@pytest.fixture(scope="module")
def morning_in_japan(demo) -> datetime:
    """The demo's clock at the next 10:00 in Japan (at most a day ahead of where it is)."""
    now = datetime.fromisoformat(demo_clock(demo.url)["now"])
    morning = now.astimezone(JST).replace(hour=10, minute=0, second=0, microsecond=0)
    if morning <= now + timedelta(minutes=1):
        morning += timedelta(days=1)
    demo_clock(demo.url, morning)
    return morning


def messages_text(browser) -> str:
    return " ".join(m.text for m in browser.find_elements(By.CSS_SELECTOR, ".messages"))


def section(browser, heading_id: str):
    return browser.find_element(By.CSS_SELECTOR, f"main section[aria-labelledby={heading_id}]")


def action_state(browser, kind: str) -> str:
    """The newest request of that kind in "Your requests for this SIM": its status."""
    found = browser.find_elements(By.CSS_SELECTOR, f"main .sim-actions li[data-action={kind}]")
    return found[0].get_attribute("data-status") if found else ""


def open_sim(browser, phone: str) -> str:
    click_and_wait(browser, nav_link(browser, "SIMs"), "SIMs")
    click_and_wait(browser, browser.find_element(By.XPATH, f"//main//h2/a[normalize-space()='{phone}']"),
                   f"SIM {phone}")
    return browser.current_url


def toggle_voice_option(browser, label: str) -> None:
    form = section(browser, "voice-heading")
    target = form.find_element(By.XPATH, f".//label[normalize-space()='{label}']").get_attribute("for")
    form.find_element(By.ID, target).click()


def wait_until_done(browser, url: str, kind: str) -> None:
    def done(b) -> bool:
        b.get(url)
        state = action_state(b, kind)
        assert state != "failed", main_text(b)
        return state == "done"

    wait(browser, CONFIRM_SECONDS, every=1).until(done, f"the {kind} request is never shown done")


def last_end_date(browser) -> str:
    """Chooses the latest last day of service offered; answers it as the page writes it."""
    choice = Select(browser.find_element(By.ID, "cancel-end"))
    choice.select_by_index(len(choice.options) - 1)
    return choice.first_selected_option.text


def invoice_links(browser, portal: str) -> set[str]:
    browser.get(portal + "/billing/invoices/")
    wait(browser).until(lambda b: "Invoices" in b.title)
    return {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table.data-table tbody th a")}


def test_alices_voice_sim_from_voice_options_to_a_lost_sim(browser, demo, morning_in_japan):
    shot = Screenshots(browser, "sim-lifecycle")
    portal = demo.url
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path="/sims/", lands_on="SIMs")
    sim_url = open_sim(browser, VOICE_SIM)
    assert details_value(browser, "SIM type") == "eSIM"
    assert details_value(browser, "EID of the phone") == DEMO_ESIM_EID
    assert not browser.find_elements(By.ID, "replacement-heading"), "an eSIM is reissued, not replaced by a card"
    shot("voice-sim")

    # -- Voice options: pending until Freebit applies them, a few minutes later --------------------
    assert details_value(browser, "International roaming") == "Off"
    toggle_voice_option(browser, "International roaming")
    click_and_wait(browser, section(browser, "voice-heading").find_element(
        By.XPATH, ".//button[normalize-space()='Save voice options']"), f"SIM {VOICE_SIM}")
    assert "this usually takes a few minutes" in messages_text(browser)
    assert action_state(browser, "voice_options") == "in_progress"
    assert details_value(browser, "International roaming") == "Off", "not applied yet"
    shot("voice-options-pending")

    demo_clock(portal, morning_in_japan + timedelta(minutes=6))
    wait_until_done(browser, sim_url, "voice_options")
    assert details_value(browser, "International roaming") == "On"
    shot("voice-options-done")

    # -- 4G/5G: the line is locked about 30 minutes; a change from another tab is refused -----------
    assert "This SIM is on 4G." in section(browser, "network-heading").text
    first_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(sim_url)  # the page as it was: its forms still offered
    wait(browser).until(lambda b: f"SIM {VOICE_SIM}" in b.title)
    stale_tab = browser.current_window_handle
    browser.switch_to.window(first_tab)

    click_and_wait(browser, section(browser, "network-heading").find_element(
        By.XPATH, ".//button[normalize-space()='Switch to 5G']"), f"SIM {VOICE_SIM}")
    network = section(browser, "network-heading").text
    assert "This takes about 30 minutes, during which no other change can be made to this SIM." in network
    assert action_state(browser, "network") == "in_progress"
    assert "the options can be changed once it is done" in section(browser, "voice-heading").text
    assert not section(browser, "voice-heading").find_elements(By.TAG_NAME, "form")
    assert "cannot be reissued right now" in section(browser, "esim-heading").text
    shot("network-switch-locked")

    browser.switch_to.window(stale_tab)
    toggle_voice_option(browser, "Voicemail")
    click_and_wait(browser, section(browser, "voice-heading").find_element(
        By.XPATH, ".//button[normalize-space()='Save voice options']"), f"SIM {VOICE_SIM}")
    assert "network is being switched, which takes about 30 minutes; no other change" in messages_text(browser)
    assert details_value(browser, "Voicemail") == "On", "refused: nothing changed"
    assert action_state(browser, "voice_options") == "done", "no new request recorded"
    shot("change-refused-while-locked")
    browser.close()
    browser.switch_to.window(first_tab)

    # The operator sees the lock on the Freebit sandbox's SIM lines page
    sign_out(browser)
    sign_in(browser, portal, "admin@example.com", ADMIN_PASSWORD, next_path="/admin/sandbox/sims/",
            lands_on="Sandbox: SIM lines")
    line = browser.find_element(By.CSS_SELECTOR, f"tr[data-line='{VOICE_SIM.replace('-', '')}']")
    assert "Switching to 5G: the line is locked until" in line.text, line.text
    shot("operator-sim-lines")
    sign_out(browser)
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path=urlsplit(sim_url).path,
            lands_on=f"SIM {VOICE_SIM}")

    demo_clock(portal, morning_in_japan + timedelta(minutes=40))
    wait_until_done(browser, sim_url, "network")
    assert "This SIM is on 5G." in section(browser, "network-heading").text
    assert details_value(browser, "Network type") == "5G"
    shot("network-switch-done")

    # -- Cancellation: booked for the latest end date offered, then withdrawn -----------------------
    end_day = last_end_date(browser)
    click_and_wait(browser, section(browser, "cancel-heading").find_element(
        By.XPATH, ".//button[normalize-space()='See what happens']"), "Confirm cancellation")
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Cancel SIM {VOICE_SIM}?"
    assert details_value(browser, "Last day of service") == end_day
    assert "end of its billing period" in details_value(browser, "Billing")
    shot("cancellation-confirm")
    click_and_wait(browser, browser.find_element(By.XPATH, CONFIRM_CANCELLATION),
                   f"SIM {VOICE_SIM}")
    assert f"Your cancellation is booked: the service ends on {end_day}." in messages_text(browser)
    assert f"This SIM's service ends on {end_day}." in section(browser, "cancel-heading").text
    assert action_state(browser, "cancellation") == "scheduled"
    assert "cannot be reissued right now" in section(browser, "esim-heading").text, "no change while cancelling"
    shot("cancellation-booked")
    click_and_wait(browser, section(browser, "cancel-heading").find_element(
        By.XPATH, ".//button[normalize-space()='Withdraw the cancellation']"), f"SIM {VOICE_SIM}")
    assert "Your cancellation was withdrawn: nothing was cancelled." in messages_text(browser)
    assert action_state(browser, "cancellation") == "withdrawn"
    assert section(browser, "cancel-heading").find_elements(By.ID, "cancel-end"), "it can be cancelled again"
    shot("cancellation-withdrawn")

    # -- eSIM reissue: the fee first; the confirmation sent twice charges one invoice ---------------
    invoices_before = invoice_links(browser, portal)
    browser.get(sim_url)
    wait(browser).until(lambda b: f"SIM {VOICE_SIM}" in b.title)
    reissue = section(browser, "esim-heading")
    reissue.find_element(By.ID, "id_eid").send_keys(NEW_EID)
    click_and_wait(browser, reissue.find_element(By.XPATH, ".//button[normalize-space()='See the fee']"),
                   "Confirm eSIM reissue")
    fee = details_value(browser, "Fee")
    assert fee == "¥3,300 (tax incl.)", fee  # SIM_ESIM_REISSUE_FEE, 3,000 yen before tax
    assert details_value(browser, "EID of the new phone") == NEW_EID
    shot("esim-reissue-fee")
    # The first confirmation's answer is lost (sent without the page seeing it); she clicks again.
    first = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const form = document.querySelector('main form.actions');
        fetch(form.action, {method: 'POST', body: new FormData(form), credentials: 'same-origin', redirect: 'manual'})
          .then(answer => done(answer.type === 'opaqueredirect' ? 302 : answer.status), error => done(String(error)));
    """)
    assert first == 302, first
    click_and_wait(browser, browser.find_element(By.XPATH, "//main//button[normalize-space()='Pay and reissue']"),
                   f"SIM {VOICE_SIM}")
    assert "Your eSIM is ready for your new phone" in messages_text(browser)
    assert len(browser.find_elements(By.CSS_SELECTOR, "main .sim-actions li[data-action=esim_reissue]")) == 1
    assert action_state(browser, "esim_reissue") == "done"
    shot("esim-reissued")
    new_invoices = invoice_links(browser, portal) - invoices_before
    assert len(new_invoices) == 1, f"one charge for the reissue, not {len(new_invoices)}"
    browser.get(new_invoices.pop())
    wait(browser).until(lambda b: b.title.startswith("Invoice "))
    assert f"eSIM reissue for {VOICE_SIM}" in main_text(browser) and "¥3,300" in main_text(browser)
    assert browser.find_element(By.CSS_SELECTOR, ".invoice-summary .badge").text == "Paid"
    shot("esim-reissue-invoice")

    # -- A lost SIM: reported from its page, the notice then leads the page -------------------------
    browser.get(sim_url)
    wait(browser).until(lambda b: f"SIM {VOICE_SIM}" in b.title)
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Report lost or stolen"), "Get help")
    assert "we suspend the SIM as soon as we read this" in main_text(browser)
    browser.find_element(By.XPATH, "//main//input[@name='loss_kind'][@value='lost']").click()
    subject = browser.find_element(By.ID, "id_subject")
    if not subject.get_attribute("value"):
        subject.send_keys("Lost my phone on the train")
    shot("lost-sim-report")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"), "Case ")
    case_number = browser.find_element(By.CSS_SELECTOR, "h1 .help").text.removeprefix("Case ")
    browser.get(sim_url)
    wait(browser).until(lambda b: f"SIM {VOICE_SIM}" in b.title)
    notice = browser.find_element(By.CSS_SELECTOR, "main section[data-case=lost_sim]")
    assert "You reported this SIM lost or stolen" in notice.text and case_number in notice.text
    first_card = browser.find_element(By.CSS_SELECTOR, "main section.card")
    assert first_card.get_attribute("data-case") == "lost_sim", "the notice leads the SIM's page"
    assert notice.find_element(By.LINK_TEXT, "Found it? Ask us to resume the line")
    shot("lost-sim-notice")
    assert console_errors(browser) == []
    sign_out(browser)


def test_alices_data_sim_and_internet_service(browser, demo, morning_in_japan):
    shot = Screenshots(browser, "sim-lifecycle-data-and-internet")
    portal = demo.url
    sign_in(browser, portal, "alice@example.com", DEMO_PASSWORD, next_path="/sims/", lands_on="SIMs")

    # -- The data-only SIM: no voice options, and why ------------------------------------------------
    open_sim(browser, DATA_SIM)
    voice = section(browser, "voice-heading")
    assert "This is a data-only SIM: it has no phone service, so it has no voice options." in voice.text
    assert not voice.find_elements(By.TAG_NAME, "form")
    shot("data-sim-no-voice-options")

    # -- A physical SIM card: no eSIM reissue; the replacement card's request instead -----------------
    assert details_value(browser, "SIM type") == "Physical SIM card"
    assert not browser.find_elements(By.ID, "esim-heading") and not browser.find_elements(By.ID, "id_eid")
    replacement = section(browser, "replacement-heading")
    assert "there is no eSIM to reissue" in replacement.text
    assert "fee ¥3,300 (tax incl.), sent to your delivery address" in replacement.text  # SIM_REPLACEMENT_FEE
    shot("data-sim-replacement-card")
    click_and_wait(browser, replacement.find_element(By.LINK_TEXT, "Request a physical replacement SIM"), "Get help")
    assert "Replacement SIM card" in browser.find_element(By.ID, "form-heading").text
    assert "We send a new physical SIM card to your address on file." in main_text(browser)
    shot("replacement-card-request")

    # -- The Internet service: its cancellation booked, then withdrawn ------------------------------
    click_and_wait(browser, nav_link(browser, "Subscriptions"), "Subscriptions")
    click_and_wait(browser, browser.find_element(By.XPATH, f"//main//a[normalize-space()='{INTERNET}']"), INTERNET)
    subscription_url = browser.current_url
    end_day = last_end_date(browser)
    shot("internet-subscription")
    click_and_wait(browser, section(browser, "cancel-heading").find_element(
        By.XPATH, ".//button[normalize-space()='See what happens']"), "Confirm cancellation")
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Cancel {INTERNET}?"
    assert details_value(browser, "Last day of service") == end_day
    shot("internet-cancellation-confirm")
    click_and_wait(browser, browser.find_element(By.XPATH, CONFIRM_CANCELLATION),
                   INTERNET)
    assert browser.current_url == subscription_url
    assert f"Your cancellation is booked: the service ends on {end_day}." in messages_text(browser)
    booked = section(browser, "cancel-heading").find_element(By.CSS_SELECTOR, "p[data-status]")
    assert (booked.get_attribute("data-status"), booked.text) == ("scheduled", f"This service ends on {end_day}.")
    shot("internet-cancellation-booked")
    click_and_wait(browser, section(browser, "cancel-heading").find_element(
        By.XPATH, ".//button[normalize-space()='Withdraw the cancellation']"), INTERNET)
    assert "Your cancellation was withdrawn: nothing was cancelled." in messages_text(browser)
    assert section(browser, "cancel-heading").find_elements(By.ID, "cancel-end"), "it can be cancelled again"
    shot("internet-cancellation-withdrawn")
    assert console_errors(browser) == []
    sign_out(browser)
