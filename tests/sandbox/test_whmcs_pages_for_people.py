"""The WHMCS sandbox's client-area pages as a customer meets them: usable on a phone, and a way back
to the portal (a real WHMCS's client-area template links the portal the same way)."""
import requests

from sandbox.whmcs import start_whmcs_sandbox


def test_the_pages_fit_a_phone_and_lead_back_to_the_portal():
    handle = start_whmcs_sandbox(env={}, webhook_url="http://portal.test:8000/webhooks/whmcs/", webhook_secret="s" * 32)
    try:
        page = requests.get(f"{handle.url}/clientarea.php", timeout=5).text
    finally:
        handle.stop()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<a class="back" href="http://portal.test:8000/billing/invoices/">' in page


def test_without_a_portal_there_is_no_back_link():
    handle = start_whmcs_sandbox(env={})
    try:
        page = requests.get(f"{handle.url}/", timeout=5).text
    finally:
        handle.stop()

    assert 'class="back"' not in page
