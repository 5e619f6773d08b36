"""A small HTTP client that signs in like a browser and times each request.

The production profile names its cookies ``__Secure-sessionid`` and ``__Secure-csrftoken`` and marks
them Secure; requests' cookie jar (rightly) never sends a Secure cookie over plain http, and the
benchmark talks plain http to 127.0.0.1. So the jar is switched off and the ``Cookie`` header is
kept here by hand, as a browser behind a TLS-terminating proxy would send it.
"""
from __future__ import annotations

import hashlib
import hmac
import http.cookiejar
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

TIMEOUT = (3.0, 30.0)
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie, request):
        return False

    def return_ok(self, cookie, request):
        return False


@dataclass(frozen=True)
class Timed:
    status: int
    seconds: float
    provider_calls: int | None
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error


class Browser:
    """One visitor: a pooled connection and its own cookies (not thread-safe; one per thread)."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.cookies.set_policy(_NoCookies())
        self.cookies: dict[str, str] = dict(cookies or {})

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, keep_body: bool = False, timeout=TIMEOUT, **kwargs) -> Timed:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base_url + path, headers=headers, timeout=timeout,
                                         allow_redirects=False, **kwargs)
            body = response.text
        except requests.RequestException as exc:
            return Timed(0, time.perf_counter() - started, None, error=type(exc).__name__)
        seconds = time.perf_counter() - started
        self._remember(response)
        calls = response.headers.get("X-Provider-Calls")
        return Timed(response.status_code, seconds, int(calls) if calls is not None else None,
                     body if keep_body else "")

    def get(self, path: str, **kwargs) -> Timed:
        return self.request("GET", path, **kwargs)

    def sign_in(self, email: str, password: str, *, timeout=TIMEOUT) -> None:
        page = self.get("/login/", keep_body=True, timeout=timeout)
        match = _CSRF_INPUT.search(page.body)
        if page.status != 200 or not match:
            raise RuntimeError(f"GET /login/ answered {page.status or page.error} without a CSRF token")
        answer = self.request(
            "POST", "/login/", timeout=timeout,
            data={"username": email, "password": password, "csrfmiddlewaretoken": match.group(1), "next": ""},
            headers={"Referer": self.base_url + "/login/", "Origin": self.base_url},
        )
        if answer.status != 302 or not any("sessionid" in name for name in self.cookies):
            raise RuntimeError(f"signing in as {email} answered {answer.status or answer.error} "
                               f"(cookies {sorted(self.cookies)})")

    def _remember(self, response: requests.Response) -> None:
        for raw in response.raw.headers.getlist("Set-Cookie"):
            pair, _, attributes = raw.partition(";")
            name, _, value = pair.strip().partition("=")
            expired = "max-age=0" in attributes.lower().replace(" ", "") or not value
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


class WebhookSender:
    """Signs and posts WHMCS webhooks exactly as the hook module does (docs/webhooks.md)."""

    def __init__(self, base_url: str, secret: str) -> None:
        self.url = base_url.rstrip("/") + "/webhooks/whmcs/"
        self.secret = secret.encode()
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    @staticmethod
    def body(event_id: str, client_id: int, invoice_id: int) -> bytes:
        payload = {"event_id": event_id, "event": "InvoicePaid",
                   "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
                   "client_id": client_id, "invoice_id": invoice_id}
        return json.dumps(payload, separators=(",", ":")).encode()

    def post(self, event_id: str, body: bytes) -> tuple[Timed, str]:
        timestamp = str(int(time.time()))
        signature = hmac.new(self.secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-WHMCS-Event-Id": event_id,
                   "X-WHMCS-Timestamp": timestamp, "X-WHMCS-Signature": signature}
        started = time.perf_counter()
        try:
            response = self.http.post(self.url, data=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            return Timed(0, time.perf_counter() - started, None, error=type(exc).__name__), ""
        seconds = time.perf_counter() - started
        try:
            outcome = response.json().get("status", "")
        except ValueError:
            outcome = ""
        return Timed(response.status_code, seconds, None), outcome
