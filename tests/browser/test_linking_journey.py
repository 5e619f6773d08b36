"""An existing customer links their portal sign-in, in Chromium against the running demo: Erin (a
WHMCS client with a Salesforce Account, whose portal sign-in is not linked yet) signs in, chooses
"I am already a customer", gives her WHMCS client-area sign-in (checked by WHMCS's ValidateLogin in
the WHMCS sandbox), and lands on her dashboard with her customer number on her account page."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from sandbox.demo_identities import DEMO_PASSWORD, DEMO_UNLINKED, DEMO_UNLINKED_BILLING_PASSWORD
from tests.browser.support import Screenshots, click_and_wait, console_errors, main_text, sign_in, wait

pytestmark = pytest.mark.browser


def test_an_existing_customer_links_herself_with_her_billing_sign_in(browser, demo):
    portal = demo.url
    shot = Screenshots(browser, "linking")
    sign_in(browser, portal, DEMO_UNLINKED.email, DEMO_PASSWORD, lands_on="Dashboard")
    assert "Your account is not linked yet" in main_text(browser)
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Link my customer account, or become a customer"),
                   "Your customer account")
    shot("start")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Link my customer account"),
                   "Link your customer account")
    browser.find_element(By.ID, "id_email").send_keys(DEMO_UNLINKED.email)
    browser.find_element(By.ID, "id_password").send_keys("not her password")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/account/link/'] button"),
                   "Link your customer account")
    assert "did not accept that email and password" in main_text(browser)
    shot("refused")
    browser.find_element(By.ID, "id_email").clear()
    browser.find_element(By.ID, "id_email").send_keys(DEMO_UNLINKED.email)
    browser.find_element(By.ID, "id_password").send_keys(DEMO_UNLINKED_BILLING_PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/account/link/'] button"),
                   "Dashboard")
    assert "Your customer account is linked" in main_text(browser)
    shot("linked")
    browser.get(f"{portal}/account/")
    wait(browser).until(EC.title_contains("Account"))
    assert str(DEMO_UNLINKED.whmcs_client_id) in main_text(browser)
    assert not console_errors(browser)
