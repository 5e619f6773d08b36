"""CSRF: a POST without a token is refused on every route of ``portal.urls`` (pages: the friendly
"form expired" page; the API: a 403 in its error shape), signed in or not. The one exception is the
WHMCS webhook receiver, which has no session and is authenticated by its HMAC signature instead.
"""
import json

import pytest
from django.test import Client
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from tests.security.routes import all_routes, sample_url
from tests.security.test_object_access import MULTIPART, OWNED, alices_own_id, post_bodies

pytestmark = pytest.mark.django_db(transaction=True)  # the top-up API runs outside ATOMIC_REQUESTS

CSRF_EXEMPT = {"webhooks:whmcs": "no session; authenticated by its HMAC signature (test_webhooks.py)"}
FORM_EXPIRED = "This form has expired"


def strict_browser(user=None) -> Client:
    browser = Client(enforce_csrf_checks=True)
    if user is not None:
        browser.force_login(user)
    return browser


def path_for(route, providers) -> str:
    return sample_url(route, **{p: alices_own_id(kind, providers) for p, kind in OWNED.items() if p in route.params})


def post(browser: Client, route, path: str, **extra):
    body = post_bodies(route)[-1]
    if route.is_api and route.name not in MULTIPART:
        return browser.post(path, json.dumps(body), content_type="application/json", **extra)
    return browser.post(path, body, **extra)


def assert_csrf_refused(route, response) -> None:
    what = (str(route), response.status_code, response.content[:200])
    view_class = getattr(route.callback, "cls", None)
    if response.status_code == 405 and view_class is not None:
        assert not hasattr(view_class, "post"), what  # an API view that takes no POST at all (the schema)
        return
    assert response.status_code == 403, what
    if route.is_api and response["Content-Type"].startswith("text/html"):  # the API docs page: DRF renders 403.html
        assert "You can't open this page" in response.content.decode(), what
    elif route.is_api:
        text = response.content.decode()  # the API's JSON, or YAML from the schema view
        assert "CSRF Failed" in text or "credentials were not provided" in text, what
    else:
        assert FORM_EXPIRED in response.content.decode(), what


def test_only_the_webhook_receiver_skips_djangos_csrf_check_and_every_api_view_makes_its_own():
    for route in all_routes():
        if not getattr(route.callback, "csrf_exempt", False):
            continue
        if route.name in CSRF_EXEMPT:
            continue
        view_class = getattr(route.callback, "cls", None)
        assert view_class is not None and issubclass(view_class, APIView), f"{route} is csrf_exempt"
        authenticators = view_class().get_authenticators()
        # DRF views skip Django's check; SessionAuthentication enforces CSRF for signed-in sessions.
        assert authenticators, f"{route} has no authentication"
        assert all(isinstance(a, SessionAuthentication) for a in authenticators), (str(route), authenticators)


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_every_post_without_a_token_is_refused(providers, customer_user, signed_in):
    browser = strict_browser(customer_user if signed_in else None)

    for route in all_routes():
        path = path_for(route, providers)
        if route.name in CSRF_EXEMPT:
            response = browser.post(path, {"event": "InvoicePaid"}, content_type="application/json")
            assert response.status_code == 401, (str(route), response.status_code)  # unsigned: refused, not stored
            continue
        response = post(browser, route, path)
        assert_csrf_refused(route, response)
        # A cross-site form post carries a foreign Origin or Referer and a forged cookie: refused too.
        forged = post(browser, route, path, HTTP_ORIGIN="https://evil.example", HTTP_X_CSRFTOKEN="x" * 32)
        assert_csrf_refused(route, forged)

    assert providers.write_calls() == {}
    assert providers.freebit.calls() == 0


def test_the_same_posts_with_a_token_get_past_the_check(providers, customer_user):
    """The control: with the session's token the same requests reach the views, so the 403s above
    were the CSRF check and nothing else."""
    browser = strict_browser(customer_user)
    browser.get("/account/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    # Sign-out last: it ends the session the other requests need.
    for route in sorted(all_routes(), key=lambda route: route.name in ("logout", "admin:logout")):
        if route.name in CSRF_EXEMPT:
            continue
        path = path_for(route, providers)
        response = post(browser, route, path, HTTP_X_CSRFTOKEN=token)
        assert response.status_code < 500, (str(route), response.status_code)
        if route.is_api and response.headers.get("Content-Type", "").startswith("application/json"):
            assert "CSRF" not in response.json().get("message", ""), str(route)
        else:
            assert FORM_EXPIRED not in response.content.decode(), str(route)
