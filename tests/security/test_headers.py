"""Security headers on every page and API answer (walked from ``portal.urls``, error pages included),
and the production profile's HTTPS settings seen on real responses: HSTS, the redirect to HTTPS,
Secure ``__Secure-`` cookies.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.routes import all_routes, sample_url
from tests.security.test_object_access import OWNED, alices_own_id

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def assert_security_headers(response, what) -> None:
    csp = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], (what, csp)
    assert directives.get("default-src") == ["'self'"], (what, csp)
    assert directives.get("object-src") == ["'none'"], (what, csp)
    assert directives.get("base-uri") == ["'self'"], (what, csp)
    for directive in ("script-src", "style-src", "default-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(directives.get(directive, [])), (what, csp)
    assert response.get("X-Content-Type-Options") == "nosniff", what
    assert response.get("X-Frame-Options") == "DENY", what
    assert response.get("Referrer-Policy") == "same-origin", what
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", what


@pytest.mark.django_db(transaction=True)  # the top-up API (405 to a GET) runs outside ATOMIC_REQUESTS
def test_every_page_and_api_answer_carries_the_security_headers(providers, client, alice):
    seen = 0
    for route in all_routes():
        path = sample_url(route, **{p: alices_own_id(kind, providers) for p, kind in OWNED.items()
                                    if p in route.params})
        for browser in (client, alice):  # anonymous, then signed in
            response = browser.get(path)
            assert_security_headers(response, (str(route), response.status_code))
            seen += 1
    assert seen > 100


@pytest.mark.parametrize("path", ["/no/such/page/", "/api/v1/no-such-endpoint", "/api/v1/invoices/not-a-number"])
def test_not_found_answers_carry_them_too(alice, path):
    response = alice.get(path)

    assert response.status_code == 404
    assert_security_headers(response, path)


def test_the_csrf_failure_page_and_the_lockout_page_carry_them(client, settings, customer_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert_security_headers(strict.post("/login/", {"username": "a@example.com"}), "csrf")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = client.post("/login/", {"username": "alice@example.com", "password": "nope"})
    assert locked.status_code == 429
    assert_security_headers(locked, "lockout")


def test_static_files_are_not_sniffed(client):
    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/css")


# -- the production profile ------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "prod-like-key-3f9c1b7e5a2d4c6b8e0f1a3c5e7d9b2f4a6c8e0d",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "REDIS_URL": "redis://cache.invalid:6379/0",
    "CELERY_BROKER_URL": "redis://cache.invalid:6379/1",
}
# Requests through the real middleware stack of the production profile; none of them reads a table
# or the cache (the health check, and the sign-in form shown to an anonymous visitor), but
# ATOMIC_REQUESTS opens a transaction: an empty SQLite file stands in for PostgreSQL.
PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
from django.test.utils import override_settings

# collectstatic has not run here: serve static URLs without the manifest (nothing else changes)
override_settings(STORAGES={**s.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()

def answer(response):
    cookies = {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]), "samesite": c["samesite"]}
               for name, c in response.cookies.items()}
    return {"status": response.status_code, "headers": dict(response.headers), "cookies": cookies}

browser = Client(HTTP_HOST="portal.example.com")
print(json.dumps({
    "https_health": answer(browser.get("/healthz", secure=True)),
    "proxied_https_login": answer(browser.get("/login/", HTTP_X_FORWARDED_PROTO="https")),
    "http_login": answer(browser.get("/login/")),
    "http_health": answer(browser.get("/healthz")),
    "settings": {name: getattr(s, name) for name in (
        "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_NAME", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_AGE")},
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    database = tmp_path_factory.mktemp("production") / "empty.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_",
                                                                     "LOG_", "PROVIDERS_"))}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.production", DATABASE_URL=f"sqlite:///{database}",
               **PRODUCTION_ENV)
    result = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_over_https(production):
    for name in ("https_health", "proxied_https_login"):
        assert production[name]["status"] == 200, production[name]
        assert production[name]["headers"]["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload")


def test_production_redirects_http_to_https_except_the_health_checks(production):
    assert production["http_login"]["status"] == 301
    assert production["http_login"]["headers"]["Location"] == "https://portal.example.com/login/"
    assert production["http_health"]["status"] == 200  # the load balancer probes over plain HTTP
    assert "Strict-Transport-Security" not in production["http_health"]["headers"]


def test_production_cookies_are_secure_http_only_and_same_site(production):
    found = production["settings"]
    assert found["DEBUG"] is False
    assert found["SESSION_COOKIE_SECURE"] is True and found["SESSION_COOKIE_HTTPONLY"] is True
    assert found["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert found["SESSION_COOKIE_NAME"].startswith("__Secure-")
    assert found["CSRF_COOKIE_SECURE"] is True and found["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert found["CSRF_COOKIE_NAME"].startswith("__Secure-")
    assert found["SECURE_SSL_REDIRECT"] is True and found["SECURE_HSTS_SECONDS"] >= 31536000
    # the cookie a real response sets (the sign-in form's CSRF cookie)
    assert production["proxied_https_login"]["cookies"] == {
        "__Secure-csrftoken": {"secure": True, "httponly": False, "samesite": found["CSRF_COOKIE_SAMESITE"]}}
    assert_security_headers(_Headers(production["proxied_https_login"]["headers"]), "production sign-in")


class _Headers(dict):
    def get(self, name, default=None):
        return super().get(name, default)


@pytest.mark.django_db
def test_pages_for_a_signed_in_customer_are_not_stored_by_the_browser(customer_client, whmcs):
    page = customer_client.get("/billing/invoices/")
    api = customer_client.get("/api/v1/invoices")
    stylesheet = customer_client.get("/static/css/portal.css")

    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert "no-store" in api["Cache-Control"]
    assert stylesheet.status_code == 200 and "no-store" not in stylesheet.get("Cache-Control", ""), \
        "static files keep their own caching"
