"""The WHMCS connection, mocked at the HTTP boundary with ``responses`` (and, for real timeouts and
urllib3's own logging, a tiny stdlib HTTP server on localhost). Nothing of ours is patched."""
from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
import responses
from responses import matchers
from responses.registries import OrderedRegistry

from integrations.whmcs.connection import READ_ACTIONS, WhmcsConfig, WhmcsConnection
from integrations.whmcs.errors import (
    WhmcsApiError,
    WhmcsAuthError,
    WhmcsError,
    WhmcsMalformedResponse,
    WhmcsNotFound,
    WhmcsRateLimited,
    WhmcsTransportError,
)

API_URL = "https://whmcs.example.test/includes/api.php"
IDENTIFIER = "IDENT-7f3a9c1e-identifier"
SECRET = "SECRET-b2c4d6e8-s3cr3t"
ACCESS_KEY = "ACCESS-41d0e5f2-key"
CREDENTIALS = (IDENTIFIER, SECRET, ACCESS_KEY)

WRITE_ACTIONS = ("AddOrder", "AcceptOrder", "CreateSsoToken", "CreateInvoice", "CapturePayment")
SUCCESS = {"result": "success", "totalresults": 1, "invoices": {"invoice": [{"id": 7, "status": "Unpaid"}]}}

# Each failure a read may meet and retry: (kwargs for responses.add, exception type the caller gets).
TRANSIENT_FAILURES = {
    "connection-error": ({"body": requests.exceptions.ConnectionError("connection reset by peer")},
                         WhmcsTransportError),
    "read-timeout": ({"body": requests.exceptions.ReadTimeout("read timed out")}, WhmcsTransportError),
    "connect-timeout": ({"body": requests.exceptions.ConnectTimeout("connect timed out")}, WhmcsTransportError),
    "http-500": ({"status": 500, "body": "Internal Server Error"}, WhmcsTransportError),
    "http-502": ({"status": 502, "body": "<html>Bad Gateway</html>"}, WhmcsTransportError),
    "http-503": ({"status": 503, "body": "Service Unavailable"}, WhmcsTransportError),
    "http-504": ({"status": 504, "body": "Gateway Timeout"}, WhmcsTransportError),
    "http-429": ({"status": 429, "body": "Too Many Requests"}, WhmcsRateLimited),
}


def make_config(**overrides) -> WhmcsConfig:
    values = {
        "api_url": API_URL, "identifier": IDENTIFIER, "secret": SECRET, "access_key": ACCESS_KEY,
        "connect_timeout": 2.0, "read_timeout": 4.0, "max_attempts": 3,
        "backoff_base": 0.001, "backoff_max": 0.005,
    }
    values.update(overrides)
    return WhmcsConfig(**values)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """Every registered response must be used; a registered response answers every matching call."""
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def ordered() -> Iterator[responses.RequestsMock]:
    """Registered responses answer in order, one call each."""
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


@pytest.fixture
def actions() -> list[str]:
    return []


@pytest.fixture
def conn(actions) -> WhmcsConnection:
    return WhmcsConnection(make_config(), on_call=actions.append)


def sent_form(call) -> dict[str, list[str]]:
    return parse_qs(call.request.body, keep_blank_values=True, strict_parsing=True)


# --- the request ----------------------------------------------------------------------------------


def test_every_call_is_a_form_encoded_post_with_auth_and_the_callers_params(mocked, conn):
    mocked.post(API_URL, json=SUCCESS, match=[matchers.urlencoded_params_matcher({
        "action": "GetInvoices", "identifier": IDENTIFIER, "secret": SECRET, "accesskey": ACCESS_KEY,
        "responsetype": "json", "userid": "42", "status": "Unpaid", "limitnum": "25",
    })])

    conn.call("GetInvoices", {"userid": 42, "status": "Unpaid", "limitnum": 25})

    request = mocked.calls[0].request
    assert request.method == "POST"
    assert request.url == API_URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("action", ["GetInvoices", *WRITE_ACTIONS])
def test_read_and_write_actions_send_the_same_envelope(mocked, conn, action):
    mocked.post(API_URL, json={"result": "success"})

    conn.call(action, {"clientid": "9"})

    assert sent_form(mocked.calls[0]) == {
        "action": [action], "identifier": [IDENTIFIER], "secret": [SECRET], "accesskey": [ACCESS_KEY],
        "responsetype": ["json"], "clientid": ["9"],
    }


def test_accesskey_is_sent_only_when_configured(mocked):
    mocked.post(API_URL, json=SUCCESS, match=[matchers.urlencoded_params_matcher({
        "action": "GetInvoices", "identifier": IDENTIFIER, "secret": SECRET, "responsetype": "json",
    })])

    WhmcsConnection(make_config(access_key="")).call("GetInvoices", {})

    assert "accesskey" not in sent_form(mocked.calls[0])


def test_params_may_be_omitted(mocked, conn):
    mocked.post(API_URL, json={"result": "success"})

    conn.call("GetCurrencies")

    assert set(sent_form(mocked.calls[0])) == {"action", "identifier", "secret", "accesskey", "responsetype"}


def test_caller_params_cannot_override_the_action_credentials_or_response_type(mocked, conn):
    mocked.post(API_URL, json={"result": "success"})

    conn.call("GetInvoices", {"action": "DeleteClient", "identifier": "x", "secret": "y", "responsetype": "xml"})

    form = sent_form(mocked.calls[0])
    assert form["action"] == ["GetInvoices"]
    assert form["identifier"] == [IDENTIFIER]
    assert form["secret"] == [SECRET]
    assert form["responsetype"] == ["json"]


def test_non_ascii_params_are_utf8_form_encoded(mocked, conn):
    mocked.post(API_URL, json={"result": "success"})

    conn.call("AddOrder", {"notes": "SIM für Jürgen & Co = 100%"})

    assert sent_form(mocked.calls[0])["notes"] == ["SIM für Jürgen & Co = 100%"]


def test_the_given_session_is_used(mocked):
    session = requests.Session()
    session.headers["User-Agent"] = "customer-portal-test"
    mocked.post(API_URL, json={"result": "success"})

    WhmcsConnection(make_config(), session=session).call("GetCurrencies", {})

    assert mocked.calls[0].request.headers["User-Agent"] == "customer-portal-test"


def test_connect_and_read_timeouts_are_passed_to_requests(mocked):
    mocked.post(API_URL, json={"result": "success"},
                match=[matchers.request_kwargs_matcher({"timeout": (1.5, 7.25)})])

    WhmcsConnection(make_config(connect_timeout=1.5, read_timeout=7.25)).call("GetInvoices", {})

    assert mocked.calls[0].request.req_kwargs["timeout"] == (1.5, 7.25)


# --- answers --------------------------------------------------------------------------------------


def test_success_returns_the_decoded_body(mocked, conn):
    mocked.post(API_URL, json=SUCCESS)

    assert conn.call("GetInvoices", {"userid": 42}) == SUCCESS


@pytest.mark.parametrize("status", [200, 403, 401])
@pytest.mark.parametrize("message", ["Authentication Failed", "Invalid IP 203.0.113.9"])
def test_refused_credentials_raise_auth_error_without_retry(mocked, conn, actions, status, message):
    mocked.post(API_URL, status=status, json={"result": "error", "message": message})

    with pytest.raises(WhmcsAuthError) as caught:
        conn.call("GetInvoices", {"userid": 42})

    assert isinstance(caught.value, WhmcsApiError)
    assert not caught.value.retryable
    assert caught.value.action == "GetInvoices"
    assert caught.value.reason == message
    assert message in str(caught.value)
    assert len(mocked.calls) == 1
    assert actions == ["GetInvoices"]


@pytest.mark.parametrize("message", ["Invoice ID Not Found", "Client Not Found", "Order ID not found"])
def test_not_found_messages_raise_not_found(mocked, conn, message):
    mocked.post(API_URL, json={"result": "error", "message": message})

    with pytest.raises(WhmcsNotFound) as caught:
        conn.call("GetInvoice", {"invoiceid": 999})

    assert isinstance(caught.value, WhmcsApiError)
    assert caught.value.reason == message
    assert caught.value.action == "GetInvoice"
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("action", ["GetInvoices", "CapturePayment"])
def test_other_error_messages_raise_api_error_carrying_the_message(mocked, conn, actions, action):
    message = "Payment Attempt Failed: card declined"
    mocked.post(API_URL, json={"result": "error", "message": message})

    with pytest.raises(WhmcsApiError) as caught:
        conn.call(action, {"invoiceid": 7})

    assert type(caught.value) is WhmcsApiError
    assert caught.value.reason == message
    assert caught.value.action == action
    assert message in str(caught.value)
    assert action in str(caught.value)
    assert not caught.value.retryable
    assert len(mocked.calls) == 1, "an API error is an answer: it is never retried, even for a read"
    assert actions == [action]


def test_error_without_a_message_names_the_http_status(mocked, conn):
    mocked.post(API_URL, status=400, json={"result": "error"})

    with pytest.raises(WhmcsApiError, match="HTTP 400"):
        conn.call("GetInvoices", {})


@pytest.mark.parametrize("body, content_type", [
    ("<html><body>Maintenance</body></html>", "text/html"),
    ("", "text/plain"),
    ('{"result": "success", ', "application/json"),
    ("\x00\xff garbage", "application/octet-stream"),
])
def test_a_body_that_is_not_json_is_malformed_and_not_retried(mocked, conn, actions, body, content_type):
    mocked.post(API_URL, body=body, content_type=content_type)

    with pytest.raises(WhmcsMalformedResponse) as caught:
        conn.call("GetInvoices", {})

    assert not caught.value.retryable
    assert len(mocked.calls) == 1
    assert actions == ["GetInvoices"]


@pytest.mark.parametrize("payload", [
    {"invoices": []},
    {"result": "pending"},
    {"result": None, "message": "odd"},
    ["result", "success"],
    "success",
    None,
])
def test_json_without_a_result_envelope_is_malformed_and_not_retried(mocked, conn, payload):
    mocked.post(API_URL, body=json.dumps(payload), content_type="application/json")

    with pytest.raises(WhmcsMalformedResponse):
        conn.call("GetInvoices", {})

    assert len(mocked.calls) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed_so_credentials_go_nowhere_else(mocked, conn, status):
    mocked.post(API_URL, status=status, headers={"Location": "http://elsewhere.example.test/collect"})

    with pytest.raises(WhmcsMalformedResponse, match=f"HTTP {status}"):
        conn.call("GetInvoices", {})

    assert [c.request.url for c in mocked.calls] == [API_URL]


# --- retries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
@pytest.mark.parametrize("max_attempts", [1, 3, 4])
def test_reads_retry_transient_failures_up_to_max_attempts_then_raise(mocked, actions, failure, max_attempts):
    add_kwargs, expected = failure
    mocked.post(API_URL, **add_kwargs)
    conn = WhmcsConnection(make_config(max_attempts=max_attempts), on_call=actions.append)

    with pytest.raises(expected) as caught:
        conn.call("GetInvoices", {"userid": 42})

    assert isinstance(caught.value, WhmcsTransportError)
    assert caught.value.retryable
    assert caught.value.action == "GetInvoices"
    assert len(mocked.calls) == max_attempts
    assert actions == ["GetInvoices"] * max_attempts


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
def test_a_read_that_succeeds_on_the_second_attempt_returns_the_body(ordered, conn, actions, failure):
    add_kwargs, _ = failure
    ordered.post(API_URL, **add_kwargs)
    ordered.post(API_URL, json=SUCCESS)

    assert conn.call("GetInvoices", {"userid": 42}) == SUCCESS
    assert len(ordered.calls) == 2
    assert actions == ["GetInvoices", "GetInvoices"]
    assert sent_form(ordered.calls[0]) == sent_form(ordered.calls[1]), "the retry resends the same request"


def test_every_read_action_is_retried(mocked):
    mocked.post(API_URL, status=503)
    for action in sorted(READ_ACTIONS):
        with pytest.raises(WhmcsTransportError):
            WhmcsConnection(make_config(max_attempts=2)).call(action, {})
    assert len(mocked.calls) == 2 * len(READ_ACTIONS)
    assert {"GetInvoices", "GetInvoice", "GetClientsProducts"} <= READ_ACTIONS
    assert not READ_ACTIONS & set(WRITE_ACTIONS)


def test_the_first_typed_failure_after_a_retry_is_raised_not_a_retry_wrapper(ordered, conn):
    ordered.post(API_URL, status=503)
    ordered.post(API_URL, json={"result": "error", "message": "Invoice ID Not Found"})

    with pytest.raises(WhmcsNotFound):
        conn.call("GetInvoice", {"invoiceid": 1})

    assert len(ordered.calls) == 2


def test_rate_limit_waits_at_least_retry_after(ordered, conn):
    ordered.post(API_URL, status=429, headers={"Retry-After": "0.2"})
    ordered.post(API_URL, json=SUCCESS)

    started = time.monotonic()
    assert conn.call("GetInvoices", {}) == SUCCESS
    elapsed = time.monotonic() - started

    assert 0.19 <= elapsed < 2.0
    assert len(ordered.calls) == 2


def test_retry_after_on_a_5xx_is_honoured_too(ordered, conn):
    ordered.post(API_URL, status=503, headers={"Retry-After": "0.15"})
    ordered.post(API_URL, json=SUCCESS)

    started = time.monotonic()
    conn.call("GetInvoices", {})

    assert time.monotonic() - started >= 0.14


def test_without_retry_after_the_backoff_stays_small(mocked, conn):
    mocked.post(API_URL, status=503)

    started = time.monotonic()
    with pytest.raises(WhmcsTransportError):
        conn.call("GetInvoices", {})

    assert time.monotonic() - started < 0.5


def test_rate_limit_exposes_retry_after_and_does_not_sleep_after_the_last_attempt(mocked):
    mocked.post(API_URL, status=429, headers={"Retry-After": "5"})

    started = time.monotonic()
    with pytest.raises(WhmcsRateLimited) as caught:
        WhmcsConnection(make_config(max_attempts=1)).call("GetInvoices", {})

    assert time.monotonic() - started < 1.0
    assert caught.value.retry_after == 5.0


@pytest.mark.parametrize("header", ["Wed, 21 Oct 2015 07:28:00 GMT", "soon", "-3"])
def test_an_unusable_retry_after_falls_back_to_backoff(mocked, conn, header):
    mocked.post(API_URL, status=429, headers={"Retry-After": header})

    started = time.monotonic()
    with pytest.raises(WhmcsRateLimited):
        conn.call("GetInvoices", {})

    assert time.monotonic() - started < 0.5
    assert len(mocked.calls) == 3


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
@pytest.mark.parametrize("action", WRITE_ACTIONS)
def test_write_actions_are_never_retried(mocked, actions, action, failure):
    add_kwargs, expected = failure
    mocked.post(API_URL, **add_kwargs)
    conn = WhmcsConnection(make_config(max_attempts=5), on_call=actions.append)

    with pytest.raises(expected):
        conn.call(action, {"clientid": 9})

    assert len(mocked.calls) == 1
    assert actions == [action]


def test_an_unknown_action_is_treated_as_a_write(mocked, conn):
    mocked.post(API_URL, status=503)

    with pytest.raises(WhmcsTransportError):
        conn.call("UpdateClientProduct", {})

    assert len(mocked.calls) == 1


# --- the on_call hook -----------------------------------------------------------------------------


def test_on_call_runs_once_per_http_attempt_with_the_action(ordered, conn, actions):
    ordered.post(API_URL, body=requests.exceptions.ConnectionError("reset"))
    ordered.post(API_URL, status=502)
    ordered.post(API_URL, json=SUCCESS)
    ordered.post(API_URL, json={"result": "success", "orderid": 5})

    conn.call("GetInvoices", {})
    conn.call("AddOrder", {"clientid": 9})

    assert actions == ["GetInvoices", "GetInvoices", "GetInvoices", "AddOrder"]


def test_on_call_is_optional(mocked):
    mocked.post(API_URL, json=SUCCESS)

    assert WhmcsConnection(make_config()).call("GetInvoices", {}) == SUCCESS


# --- credentials stay secret ----------------------------------------------------------------------


@pytest.fixture
def all_logs(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """DEBUG from everything: our module, requests and urllib3, even if a logger stops propagating."""
    names = ["", "integrations", "integrations.whmcs", "integrations.whmcs.connection", "requests", "urllib3",
             "urllib3.connectionpool", "tenacity"]
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
    extra = [logging.getLogger(n) for n in names[1:] if not logging.getLogger(n).propagate]
    for logger in extra:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in extra:
        logger.removeHandler(caplog.handler)


def rendered_logs(caplog) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) + repr(record.args) for record in caplog.records)


def exception_texts(exc: BaseException) -> list[str]:
    """str and repr of the exception and everything chained to it, plus the printed traceback."""
    texts, seen, pending = [], set(), [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        pending += [current.__cause__, current.__context__]
    texts.append("".join(traceback.format_exception(exc)))
    return texts


def assert_no_credentials(*texts: str) -> None:
    for text in texts:
        for credential in CREDENTIALS:
            assert credential not in text


def test_config_repr_hides_credentials():
    config = make_config()

    for text in (repr(config), str(config), repr(WhmcsConnection(config))):
        assert_no_credentials(text)
    assert API_URL in repr(config)


def test_success_logs_no_credentials(mocked, conn, all_logs):
    mocked.post(API_URL, json=SUCCESS)

    conn.call("GetInvoices", {"userid": 42})

    assert "GetInvoices" in all_logs.text, "the call is logged"
    assert_no_credentials(rendered_logs(all_logs))


@pytest.mark.parametrize("add_kwargs, action", [
    ({"status": 403, "json": {"result": "error", "message": "Authentication Failed"}}, "GetInvoices"),
    ({"json": {"result": "error", "message": "Invoice ID Not Found"}}, "GetInvoice"),
    ({"json": {"result": "error", "message": "Something else"}}, "AddOrder"),
    ({"body": "<html>oops</html>"}, "GetInvoices"),
    ({"json": {"nothing": True}}, "GetInvoices"),
    ({"status": 307, "headers": {"Location": "http://elsewhere.example.test/"}}, "GetInvoices"),
    ({"body": requests.exceptions.ConnectionError("connection refused")}, "GetInvoices"),
    ({"body": requests.exceptions.ReadTimeout("read timed out")}, "CreateSsoToken"),
    ({"status": 503}, "GetInvoices"),
    ({"status": 429, "headers": {"Retry-After": "0"}}, "GetInvoices"),
])
def test_failures_carry_no_credentials_in_exceptions_or_logs(mocked, conn, all_logs, add_kwargs, action):
    mocked.post(API_URL, **add_kwargs)

    with pytest.raises(WhmcsError) as caught:
        conn.call(action, {"userid": 42})

    assert_no_credentials(*exception_texts(caught.value), rendered_logs(all_logs))


def test_a_retried_read_logs_the_retry_without_credentials(ordered, conn, all_logs):
    ordered.post(API_URL, status=503)
    ordered.post(API_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    ordered.post(API_URL, json=SUCCESS)

    conn.call("GetInvoices", {})

    assert "whmcs retry" in all_logs.text
    assert_no_credentials(rendered_logs(all_logs))


# --- against a real socket: real timeouts, real urllib3 --------------------------------------------


class _Server:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.bodies: list[str] = []
        self.plan: list[str] = []  # per request: "ok", "503" or "slow"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
                step = server.plan.pop(0) if server.plan else "ok"
                if step == "slow":
                    server.release.wait(5)
                if step == "503":
                    self._answer(503, b"busy")
                else:
                    self._answer(200, json.dumps(SUCCESS).encode())

            def _answer(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up first

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/includes/api.php"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[_Server]:
    with _Server() as running:
        yield running


def test_real_post_sends_credentials_in_the_body_only(server, all_logs):
    conn = WhmcsConnection(make_config(api_url=server.url))

    assert conn.call("GetInvoices", {"userid": 42}) == SUCCESS
    conn.close()

    form = parse_qs(server.bodies[0])
    assert form["identifier"] == [IDENTIFIER] and form["secret"] == [SECRET]
    assert any(r.name.startswith("urllib3") for r in all_logs.records), "urllib3 DEBUG logging was captured"
    assert_no_credentials(rendered_logs(all_logs))


def test_real_retry_path_logs_no_credentials(server, all_logs):
    server.plan = ["503", "503", "ok"]
    conn = WhmcsConnection(make_config(api_url=server.url))

    assert conn.call("GetInvoices", {}) == SUCCESS

    assert len(server.bodies) == 3
    assert "whmcs retry" in all_logs.text
    assert_no_credentials(rendered_logs(all_logs))


def test_a_real_read_timeout_becomes_a_transport_error_quickly(server, all_logs):
    server.plan = ["slow"]
    conn = WhmcsConnection(make_config(api_url=server.url, read_timeout=0.3, connect_timeout=1.0))

    started = time.monotonic()
    with pytest.raises(WhmcsTransportError, match="timed out") as caught:
        conn.call("AddOrder", {"clientid": 9})
    elapsed = time.monotonic() - started

    assert 0.25 <= elapsed < 0.6, elapsed
    assert isinstance(caught.value.__cause__, requests.exceptions.ReadTimeout)
    assert len(server.bodies) == 1
    assert_no_credentials(*exception_texts(caught.value), rendered_logs(all_logs))


def test_a_real_read_timeout_on_a_read_is_retried(server):
    server.plan = ["slow", "ok"]
    conn = WhmcsConnection(make_config(api_url=server.url, read_timeout=0.3))

    assert conn.call("GetInvoices", {}) == SUCCESS
    assert len(server.bodies) == 2


def test_a_refused_connection_is_a_transport_error_without_credentials(all_logs):
    with _Server() as closed:
        url = closed.url
    conn = WhmcsConnection(make_config(api_url=url, max_attempts=2))

    with pytest.raises(WhmcsTransportError, match="network error") as caught:
        conn.call("GetInvoices", {})

    assert isinstance(caught.value.__cause__, requests.exceptions.ConnectionError)
    assert_no_credentials(*exception_texts(caught.value), rendered_logs(all_logs))


def test_config_is_immutable():
    config = make_config()
    with pytest.raises(AttributeError):
        config.secret = "other"  # type: ignore[misc]
    assert replace(config, max_attempts=1).max_attempts == 1
