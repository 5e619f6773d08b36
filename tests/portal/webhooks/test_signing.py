"""Which secrets sign a WHMCS webhook: configured ones, and the demo's only with the in-process sandbox."""
import hashlib
import hmac

from portal.demo import sandboxes
from portal.webhooks import signing


def test_the_signature_is_hex_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(b"k", b"1700000000.{\"a\":1}", hashlib.sha256).hexdigest()

    assert signing.sign("k", "1700000000", b'{"a":1}') == expected


def test_the_configured_secrets_current_first(settings):
    settings.WHMCS_WEBHOOK_SECRET = "new-secret"
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = "old-secret"

    assert signing.whmcs_signing_secrets() == {"current": "new-secret", "previous": "old-secret"}


def test_the_demo_secret_only_with_the_in_process_sandbox_and_no_secret_set(settings):
    settings.WHMCS_WEBHOOK_SECRET = settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = ""
    settings.PROVIDERS_USE_SANDBOX = True
    settings.WHMCS_API_URL = ""
    assert signing.whmcs_signing_secrets() == {"current": signing.DEMO_SECRET}

    settings.WHMCS_API_URL = "https://billing.example.com/includes/api.php"  # a real WHMCS
    assert signing.whmcs_signing_secrets() == {}

    settings.WHMCS_API_URL = ""
    settings.PROVIDERS_USE_SANDBOX = False  # production's default
    assert signing.whmcs_signing_secrets() == {}


def test_the_demo_sandbox_posts_to_the_portals_own_public_url_with_the_same_secret(settings):
    settings.WHMCS_WEBHOOK_SECRET = ""
    settings.PROVIDERS_USE_SANDBOX = True
    settings.WHMCS_API_URL = ""
    settings.PORTAL_PUBLIC_URL = "http://127.0.0.1:8080/"

    assert sandboxes._whmcs_sandbox_webhooks() == {
        "webhook_url": "http://127.0.0.1:8080/webhooks/whmcs/", "webhook_secret": signing.DEMO_SECRET}

    settings.WHMCS_WEBHOOK_SECRET = "configured"
    assert sandboxes._whmcs_sandbox_webhooks()["webhook_secret"] == "configured"


def test_a_signature_is_matched_to_the_secret_that_made_it():
    secrets = {"current": "new", "previous": "old"}
    body = b"{}"

    assert signing.matching_secret(secrets, "1", body, signing.sign("old", "1", body)) == "previous"
    assert signing.matching_secret(secrets, "1", body, signing.sign("new", "1", body).upper()) == "current"
    assert signing.matching_secret(secrets, "1", body, signing.sign("other", "1", body)) is None
    assert signing.matching_secret({}, "1", body, signing.sign("new", "1", body)) is None
    assert signing.matching_secret(secrets, "1", body, "zz" * 32) is None
