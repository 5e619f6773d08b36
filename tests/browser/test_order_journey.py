import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from sandbox.demo_identities import DEMO_CUSTOMERS, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_orders_a_sim_plan_and_follows_the_order(browser, live_server, screenshot, whmcs, salesforce):
    call_command("seed_demo")
    wait = WebDriverWait(browser, 15)
    browser.get(f"{live_server.url}/login/?next=/catalog/%3Fcategory%3DMobile")
    browser.find_element(By.ID, "id_username").send_keys("alice@example.com")
    browser.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait.until(EC.title_contains("Catalog"))
    screenshot("catalog-mobile")

    card = browser.find_element(By.XPATH, "//li[contains(@class,'product-card')][.//a[text()='Data SIM 10 GB']]")
    card.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.title_contains("Your cart"))
    browser.find_element(By.LINK_TEXT, "Continue to checkout").click()
    wait.until(EC.title_contains("Checkout"))
    browser.find_element(By.ID, "id_confirm").click()
    screenshot("checkout")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()

    wait.until(EC.title_contains("Order "))
    screenshot("order-placed")
    current = browser.find_element(By.CSS_SELECTOR, ".timeline [aria-current=step]").text
    assert current.startswith("Under review")
    assert "Data SIM 10 GB" in browser.find_element(By.TAG_NAME, "main").text
    order_id = browser.current_url.rstrip("/").rsplit("/", 1)[-1]
    order = salesforce.app.store.get("Order", order_id)
    assert order["AccountId"] == DEMO_CUSTOMERS[0].salesforce_account_id
    items = [i for i in salesforce.app.store.rows("OrderItem") if i["OrderId"] == order_id]
    assert [i["Quantity"] for i in items] == [1]
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
