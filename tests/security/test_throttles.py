"""Throttles that work in production (issue 15, findings 3 and 4): behind the TLS proxy every
customer arrives from the proxy's address, so lockouts must key on the client's address the proxy
reports, an address guessing one password at many accounts must be slowed, and password reset, the
JSON API and the webhook receiver each have a rate limit of their own.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from portal.webhooks.models import WebhookEvent
from tests.conftest import PASSWORD
from tests.portal.webhooks.conftest import URL, signed, webhook_settings  # noqa: F401 - autouse settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.7"  # the TLS-terminating proxy: REMOTE_ADDR of every request behind it


def via_proxy(client_address: str, spoofed: str | None = None) -> dict:
    """What the portal sees of a request the proxy forwarded for ``client_address`` (the proxy
    appends the address it got the request from to whatever X-Forwarded-For the client sent)."""
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def sign_in(browser: Client, email: str, password: str, **extra):
    return browser.post("/login/", {"username": email, "password": password}, **extra)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


# -- sign-in ---------------------------------------------------------------------------------------


def test_behind_the_proxy_one_attacker_cannot_lock_a_customer_out(behind_one_proxy, customer_user):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        sign_in(Client(), "alice@example.com", "wrong-password", **via_proxy("203.0.113.66"))

    alice = sign_in(Client(), "alice@example.com", PASSWORD, **via_proxy("198.51.100.20"))

    assert alice.status_code == 302  # her own connection, through the same proxy: not locked
    assert sign_in(Client(), "alice@example.com", PASSWORD, **via_proxy("203.0.113.66")).status_code == 429


def test_a_forged_x_forwarded_for_does_not_dodge_the_lockout(behind_one_proxy, customer_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "alice@example.com", "wrong-password", **via_proxy("203.0.113.66", spoofed=f"192.0.2.{n}"))

    retry = sign_in(Client(), "alice@example.com", PASSWORD, **via_proxy("203.0.113.66", spoofed="192.0.2.200"))

    assert retry.status_code == 429


def test_without_a_trusted_proxy_the_header_is_not_believed(customer_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "alice@example.com", "wrong-password",
                REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert sign_in(Client(), "alice@example.com", PASSWORD, REMOTE_ADDR="203.0.113.66",
                   HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_password_spraying_from_one_address_is_stopped(behind_one_proxy, make_user, settings):
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT  # a separate, higher limit
    make_user(email="dave@example.com")
    sprayer = via_proxy("203.0.113.99")

    answers = [sign_in(Client(), f"user{n}@example.com", "Summer2026!", **sprayer).status_code for n in range(limit)]

    assert answers[:-1] == [200] * (limit - 1)  # one guess per account: under the per-account limit
    assert answers[-1] == 429
    # the address is paused, even for a right password of an account it never guessed at
    assert SESSION_KEY not in sign_in(Client(), "dave@example.com", PASSWORD, **sprayer).wsgi_request.session
    # everyone else, through the same proxy, signs in as usual
    assert sign_in(Client(), "dave@example.com", PASSWORD, **via_proxy("198.51.100.20")).status_code == 302


# -- password reset --------------------------------------------------------------------------------


def test_password_reset_mails_are_limited_per_email_with_the_same_answer(customer_user, settings):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "3/h"

    answers = [Client().post("/password-reset/", {"email": "alice@example.com"},
                             REMOTE_ADDR=f"198.51.100.{n}") for n in range(15)]

    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/password-reset/sent/")}
    assert len(mail.outbox) == 3


def test_password_reset_requests_are_limited_per_address(customer_user, make_user, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "5/h"
    for n in range(8):
        make_user(email=f"user{n}@example.com")

    answers = [Client().post("/password-reset/", {"email": f"user{n}@example.com"}, REMOTE_ADDR="203.0.113.5")
               for n in range(8)]

    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/password-reset/sent/")}
    assert len(mail.outbox) == 5
    Client().post("/password-reset/", {"email": "alice@example.com"}, REMOTE_ADDR="198.51.100.1")
    assert len(mail.outbox) == 6  # another address is not affected


# -- the JSON API ----------------------------------------------------------------------------------


def test_the_api_is_rate_limited_per_user_with_retry_after(customer_user, other_customer_user, settings):
    settings.API_RATE_PER_USER = "5/m"
    alice, bob = Client(), Client()
    alice.force_login(customer_user)
    bob.force_login(other_customer_user)

    answers = [alice.get("/api/v1/orders/not-an-order-id") for _ in range(6)]

    assert [a.status_code for a in answers[:5]] == [404] * 5
    throttled = answers[5]
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert set(throttled.json()) == {"message", "extra"}
    assert bob.get("/api/v1/orders/not-an-order-id").status_code == 404  # per user


# -- the webhook receiver --------------------------------------------------------------------------


def test_an_address_sending_refused_deliveries_is_answered_429_past_its_limit(client, settings, caplog):
    settings.WEBHOOK_REFUSALS_PER_ADDRESS = "5/m"
    flood = [client.post(URL, b"{}", content_type="application/json", REMOTE_ADDR="203.0.113.7") for _ in range(8)]
    elsewhere = client.post(URL, b"{}", content_type="application/json", REMOTE_ADDR="198.51.100.30")

    assert [r.status_code for r in flood] == [401] * 5 + [429] * 3  # unsigned: refused, then throttled
    assert int(flood[-1]["Retry-After"]) >= 1 and flood[-1].json() == {"error": "too many requests"}
    assert elsewhere.status_code == 401, "the limit is per address"
    refusals_logged = [r for r in caplog.records if "refused a WHMCS webhook from 203.0.113.7" in r.getMessage()]
    assert len(refusals_logged) == 5, "past the limit a refusal is not logged again"
    assert WebhookEvent.objects.count() == 0


def test_a_signed_delivery_from_an_address_over_its_limit_is_still_stored(client, settings,
                                                                        django_capture_on_commit_callbacks):
    """The signature is checked first: whatever else comes from WHMCS's address, its own deliveries
    are taken (its hook module does not retry)."""
    settings.WEBHOOK_REFUSALS_PER_ADDRESS = "5/m"
    flood = [client.post(URL, b"{}", content_type="application/json", REMOTE_ADDR="203.0.113.7") for _ in range(6)]
    assert flood[-1].status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        genuine = signed().post(client, REMOTE_ADDR="203.0.113.7")
    assert genuine.status_code == 202
    assert WebhookEvent.objects.count() == 1


def test_genuine_deliveries_are_never_throttled_however_many_come_from_one_address(client, settings,
                                                                                 django_capture_on_commit_callbacks):
    """A billing run sends one InvoiceCreated per invoice from WHMCS's one address, and its hook module
    does not retry: only refused deliveries count towards the limit."""
    settings.WEBHOOK_REFUSALS_PER_ADDRESS = "5/m"
    with django_capture_on_commit_callbacks(execute=True):
        answers = [signed().post(client, REMOTE_ADDR="203.0.113.8") for _ in range(12)]

    assert [a.status_code for a in answers] == [202] * 12
    assert WebhookEvent.objects.count() == 12

# -- the production profile ------------------------------------------------------------------------


def production_setting(expression: str, **env) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.production",
                   "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "portal.example", **env}
    if "TRUSTED_PROXY_COUNT" not in env:
        environment.pop("TRUSTED_PROXY_COUNT", None)
    probe = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_reads_the_client_address_its_tls_proxy_reports():
    assert production_setting("s.TRUSTED_PROXY_COUNT, s.AXES_CLIENT_IP_CALLABLE") == (
        "1 portal.core.client_address.client_address")
    assert production_setting("s.TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT="2") == "2"
