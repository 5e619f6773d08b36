import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from sandbox.demo_identities import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_customer_signs_in_and_sees_the_dashboard(browser, live_server, screenshot):
    call_command("seed_demo")
    browser.delete_all_cookies()

    browser.get(f"{live_server.url}/billing/invoices/")
    WebDriverWait(browser, 10).until(EC.title_contains("Sign in"))
    assert "/login/?next=/billing/invoices/" in browser.current_url
    browser.find_element(By.ID, "id_username").send_keys("alice@example.com")
    browser.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.title_contains("Invoices"))

    browser.find_element(By.LINK_TEXT, "Dashboard").click()
    WebDriverWait(browser, 10).until(EC.title_contains("Dashboard"))
    heading = browser.find_element(By.TAG_NAME, "h1").text
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav[aria-label=Main] a")]
    stylesheet_applied = browser.execute_script(
        "return getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    path = screenshot("dashboard")

    assert heading == "Welcome, Alice"
    assert nav == ["Dashboard", "Billing", "Subscriptions", "Catalog", "Orders", "SIMs", "Account"]
    assert stylesheet_applied == "rgb(255, 255, 255)"
    assert path.stat().st_size > 10_000
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []


def test_a_wrong_password_shows_the_message_in_the_browser(browser, live_server, screenshot):
    call_command("seed_demo")
    browser.delete_all_cookies()

    browser.get(f"{live_server.url}/login/")
    browser.find_element(By.ID, "id_username").send_keys("bob@example.com")
    browser.find_element(By.ID, "id_password").send_keys("not-the-password")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    alert = WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]")))
    screenshot("sign-in-refused")

    assert "The email or password is not right" in alert.text
    assert "/login/" in browser.current_url
