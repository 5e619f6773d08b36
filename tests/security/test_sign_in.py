"""Sign-in: throttling (django-axes, on both sign-in forms), no open redirect after sign-in or
sign-out, cookie flags, a fresh session id at sign-in and a dead one after sign-out."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"


def sign_in(browser: Client, email: str, password: str, path: str = "/login/", **extra):
    return browser.post(path, {"username": email, "password": password}, **extra)


# -- throttling ------------------------------------------------------------------------------------


def test_guessing_passwords_locks_the_account_from_that_address_even_for_the_right_one(client, customer_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, EMAIL, "wrong-password").status_code == 200
    assert sign_in(client, EMAIL, "wrong-password").status_code == 429  # the last failure allowed

    locked = sign_in(client, EMAIL, PASSWORD)

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session
    assert PASSWORD not in locked.content.decode()
    # other spellings of the same address do not get round it
    assert sign_in(Client(), "  ALICE@example.COM", PASSWORD).status_code == 429


def test_the_admin_sign_in_counts_towards_the_same_lockout(client, customer_user, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "staff@example.com", "wrong-password", path="/admin/login/")

    assert sign_in(Client(), "staff@example.com", PASSWORD).status_code == 429
    assert sign_in(Client(), "staff@example.com", PASSWORD, path="/admin/login/").status_code == 429
    assert sign_in(Client(), EMAIL, PASSWORD).status_code == 302  # another account is not locked


def test_failures_spread_over_accounts_do_not_lock_anyone_who_did_not_fail(client, customer_user, make_user):
    make_user(email="dave@example.com")
    for index in range(settings.AXES_FAILURE_LIMIT * 2):
        sign_in(client, f"guess{index}@example.com", "wrong-password")

    assert sign_in(client, "dave@example.com", PASSWORD).status_code == 302


# -- open redirects --------------------------------------------------------------------------------

EVIL_TARGETS = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example/",
    "\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    " //evil.example",
    "\t//evil.example",
    "//\tevil.example",
    "/\t/evil.example",
    "\x00//evil.example",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://testserver.evil.example/",
    "https://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "//evil%2Eexample",
    "http://[::ffff:7f00:1]/",
]


def lands_on_this_site(location: str) -> bool:
    """Whether a browser following ``Location`` stays on https://testserver/ (browsers strip leading
    controls and spaces, drop tabs and newlines anywhere, and read a backslash as a slash)."""
    cleaned = re.sub(r"[\t\n\r]", "", location.lstrip("".join(map(chr, range(33))))).replace("\\", "/")
    parts = urlsplit(cleaned)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return False
    if cleaned.startswith("//") or parts.netloc:
        return (parts.hostname or "") == "testserver"
    return not parts.scheme  # a relative path: this site


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_sign_in_never_redirects_off_site(customer_user, target):
    browser = Client()

    response = browser.post("/login/", {"username": EMAIL, "password": PASSWORD, "next": target},
                            QUERY_STRING=f"next={target}")

    assert response.status_code == 302
    assert response["Location"] == "/"  # the dashboard
    assert SESSION_KEY in browser.session
    # signed in already: the sign-in page sends the user on, and not there either
    again = browser.get("/login/", {"next": target})
    assert again.status_code == 302 and again["Location"] == "/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_sign_out_never_redirects_off_site(customer_client, target):
    response = customer_client.post("/logout/", {"next": target}, QUERY_STRING=f"next={target}")

    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_a_next_on_this_site_is_still_honoured(customer_user):
    assert Client().post("/login/?next=/billing/invoices/", {"username": EMAIL, "password": PASSWORD,
                                                             "next": "/billing/invoices/"})["Location"] == (
        "/billing/invoices/")


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=40),
    st.tuples(st.sampled_from(["", "/", "//", "\\", "/\\", "https:", "https://", " ", "\t", "%2F"]),
              st.sampled_from(["evil.example", "testserver", "testserver.evil.example", "@evil.example"]),
              st.text(alphabet="/\\@:.%?#", max_size=4)).map("".join),
))
@example("/%2F%2Fevil.example")
@example("//evil.example@testserver/")
def test_whatever_next_holds_the_redirect_stays_on_this_site(customer_user, target):
    response = Client().post("/login/", {"username": EMAIL, "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert lands_on_this_site(response["Location"]), response["Location"]


# -- cookies and session lifetime ------------------------------------------------------------------


def test_the_session_and_csrf_cookies_are_http_only_and_same_site(customer_user):
    browser = Client()
    form = browser.get("/login/")
    csrf = form.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["samesite"] in ("Lax", "Strict")

    response = sign_in(browser, EMAIL, PASSWORD)

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] in ("Lax", "Strict")
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_signing_in_gives_a_new_session_id(customer_user):
    browser = Client()
    planted = browser.session
    planted["planted"] = "by an attacker"
    planted.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    sign_in(browser, EMAIL, PASSWORD)

    assert browser.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    assert SESSION_KEY in browser.session


def test_a_signed_out_session_cannot_be_replayed(customer_user):
    browser = Client()
    sign_in(browser, EMAIL, PASSWORD)
    stolen = browser.cookies[settings.SESSION_COOKIE_NAME].value

    browser.post("/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen

    assert replay.get("/billing/invoices/")["Location"].startswith("/login/")
    assert replay.get("/api/v1/invoices").status_code == 403


def test_changing_the_password_ends_other_sessions(customer_user):
    other_device = Client()
    sign_in(other_device, EMAIL, PASSWORD)
    browser = Client()
    sign_in(browser, EMAIL, PASSWORD)

    changed = browser.post("/account/password/", {"old_password": PASSWORD, "new_password1": "N3w-Passw0rd-for-Alice",
                                                  "new_password2": "N3w-Passw0rd-for-Alice"})

    assert changed.status_code == 302
    assert browser.get("/account/").status_code == 200  # this session goes on
    assert other_device.get("/account/")["Location"].startswith("/login/")
