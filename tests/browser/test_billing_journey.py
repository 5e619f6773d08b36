import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from sandbox.demo_identities import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_opens_an_unpaid_invoice_and_pay_leads_to_the_billing_site(
    browser, live_server, screenshot, whmcs
):
    call_command("seed_demo")
    browser.delete_all_cookies()
    wait = WebDriverWait(browser, 15)

    browser.get(f"{live_server.url}/login/?next=/billing/invoices/%3Fstatus%3DUnpaid")
    browser.find_element(By.ID, "id_username").send_keys("alice@example.com")
    browser.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait.until(EC.title_contains("Invoices"))
    screenshot("invoices-unpaid")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.data-table tbody tr")
    assert rows, "Alice has unpaid invoices in the sandbox"

    rows[0].find_element(By.CSS_SELECTOR, "th a").click()
    wait.until(EC.title_contains("Invoice INV-"))
    number = browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Invoice ")
    screenshot("invoice-detail")
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
    browser.find_element(By.CSS_SELECTOR, ".pay-form button").click()

    wait.until(EC.title_contains("Sandbox WHMCS"))
    screenshot("whmcs-invoice")
    assert browser.current_url.startswith(whmcs.url + "/viewinvoice.php?id=")
    assert number in browser.find_element(By.TAG_NAME, "h1").text
