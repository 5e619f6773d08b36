"""The Freebit connection, mocked at the HTTP boundary with ``responses`` (and a tiny stdlib HTTP
server for real timeouts and urllib3's own logging). Nothing of ours is patched."""
from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses
from responses import matchers
from responses.registries import OrderedRegistry

from integrations.freebit.connection import (
    DETAILS,
    PLAN_CHANGE,
    READ_ENDPOINTS,
    RESULT_CODE_ERRORS,
    TOPUP,
    TOPUP_HISTORY,
    USAGE,
    FreebitConfig,
    FreebitConnection,
)
from integrations.freebit.errors import (
    FreebitApiError,
    FreebitAuthError,
    FreebitError,
    FreebitInvalidRequest,
    FreebitMalformedResponse,
    FreebitPlanChangeRefused,
    FreebitRateLimited,
    FreebitSimSuspended,
    FreebitTransportError,
    FreebitUnknownSim,
)

BASE = "https://freebit.example.test"
API_KEY = "FBKEY-5e1c9a7d-0b3f-secret"
ICCID = "8981100000001001124"
WRITES = (TOPUP, PLAN_CHANGE)
OK = {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}, "account": {"iccid": ICCID}}

TRANSIENT_FAILURES = {
    "connection-error": ({"body": requests.exceptions.ConnectionError("connection reset by peer")},
                         FreebitTransportError),
    "read-timeout": ({"body": requests.exceptions.ReadTimeout("read timed out")}, FreebitTransportError),
    "connect-timeout": ({"body": requests.exceptions.ConnectTimeout("connect timed out")}, FreebitTransportError),
    "http-500": ({"status": 500, "body": "Internal Server Error"}, FreebitTransportError),
    "http-502": ({"status": 502, "body": "<html>Bad Gateway</html>"}, FreebitTransportError),
    "http-503": ({"status": 503, "body": "Service Unavailable"}, FreebitTransportError),
    "http-504": ({"status": 504, "body": "Gateway Timeout"}, FreebitTransportError),
    "http-429": ({"status": 429, "json": {"resultCode": "500", "status": {"message": "Too many requests.",
                                                                           "statusCode": "429"}}},
                 FreebitRateLimited),
    "http-429-html": ({"status": 429, "body": "<html>429</html>"}, FreebitRateLimited),
    "result-500-on-200": ({"json": {"resultCode": "500", "status": {"message": "Too many requests.",
                                                                     "statusCode": "429"}}}, FreebitRateLimited),
}


def make_config(**overrides) -> FreebitConfig:
    values = {"api_url": BASE, "api_key": API_KEY, "connect_timeout": 2.0, "read_timeout": 4.0,
              "max_attempts": 3, "backoff_base": 0.001, "backoff_max": 0.005}
    values.update(overrides)
    return FreebitConfig(**values)


def error(code: str, message: str = "Error.", status_code: str = "200") -> dict:
    return {"resultCode": code, "status": {"message": message, "statusCode": status_code}}


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def ordered() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=OrderedRegistry) as rsps:
        yield rsps


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def conn(calls) -> FreebitConnection:
    return FreebitConnection(make_config(), on_call=calls.append)


# --- the request ----------------------------------------------------------------------------------


def test_a_call_is_a_json_post_with_the_bearer_key(mocked, conn):
    mocked.post(BASE + DETAILS, json=OK, match=[
        matchers.json_params_matcher({"iccid": ICCID}, strict_match=True),
        matchers.header_matcher({"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json",
                                 "Accept": "application/json"}),
    ])

    assert conn.request(DETAILS, {"iccid": ICCID}) == OK

    request = mocked.calls[0].request
    assert request.method == "POST"
    assert request.url == BASE + DETAILS
    assert json.loads(request.body) == {"iccid": ICCID}


def test_a_trailing_slash_in_the_base_url_is_fine(mocked):
    mocked.post(BASE + USAGE, json=OK)
    FreebitConnection(make_config(api_url=BASE + "/")).request(USAGE, {"iccid": ICCID})
    assert mocked.calls[0].request.url == BASE + USAGE


@pytest.mark.parametrize("endpoint", ["api/sim/details", "//evil.example.test/x", "https://evil.example.test/"])
def test_an_endpoint_must_be_a_path_on_the_api(conn, endpoint):
    with pytest.raises(ValueError, match="endpoint"):
        conn.request(endpoint, {})


def test_non_ascii_values_travel_as_json(mocked, conn):
    mocked.post(BASE + PLAN_CHANGE, json=OK)
    conn.request(PLAN_CHANGE, {"iccid": ICCID, "note": "プラン変更 für Jürgen"})
    assert json.loads(mocked.calls[0].request.body)["note"] == "プラン変更 für Jürgen"


def test_the_given_session_is_used_and_keeps_no_key(mocked):
    session = requests.Session()
    session.headers["User-Agent"] = "customer-portal-test"
    mocked.post(BASE + DETAILS, json=OK)

    FreebitConnection(make_config(), session=session).request(DETAILS, {"iccid": ICCID})

    assert mocked.calls[0].request.headers["User-Agent"] == "customer-portal-test"
    assert "Authorization" not in session.headers, "the key is sent per request, not stored on a shared session"


def test_connect_and_read_timeouts_are_passed_to_requests(mocked):
    mocked.post(BASE + DETAILS, json=OK, match=[matchers.request_kwargs_matcher({"timeout": (1.5, 7.25)})])
    FreebitConnection(make_config(connect_timeout=1.5, read_timeout=7.25)).request(DETAILS, {"iccid": ICCID})


# --- answers --------------------------------------------------------------------------------------


def test_numeric_result_code_is_accepted(mocked, conn):
    mocked.post(BASE + DETAILS, json={**OK, "resultCode": 100})
    assert conn.request(DETAILS, {"iccid": ICCID})["account"] == {"iccid": ICCID}


@pytest.mark.parametrize("code, expected", [
    ("201", FreebitInvalidRequest),
    ("202", FreebitInvalidRequest),
    ("210", FreebitUnknownSim),
    ("220", FreebitPlanChangeRefused),
    ("221", FreebitPlanChangeRefused),
    ("222", FreebitPlanChangeRefused),
    ("230", FreebitSimSuspended),
    ("240", FreebitInvalidRequest),
    ("241", FreebitInvalidRequest),
    ("401", FreebitAuthError),
    ("999", FreebitApiError),
    ("211", FreebitApiError),
])
@pytest.mark.parametrize("http_status", [200, 400])
def test_error_result_codes_map_to_typed_errors_without_retry(mocked, conn, calls, code, expected, http_status):
    message = "Specified SIM is not found."
    mocked.post(BASE + DETAILS, status=http_status, json=error(code, message))

    with pytest.raises(expected) as caught:
        conn.request(DETAILS, {"iccid": ICCID})

    assert type(caught.value) is expected
    assert isinstance(caught.value, FreebitApiError)
    assert not caught.value.retryable
    assert caught.value.result_code == code
    assert caught.value.endpoint == DETAILS
    assert message in str(caught.value) and code in str(caught.value)
    assert calls == [DETAILS], "an API error is an answer: never retried"


def test_every_mapped_code_is_covered():
    assert set(RESULT_CODE_ERRORS) == {"201", "202", "210", "220", "221", "222", "230", "240", "241", "401", "500"}


def test_an_error_without_a_message_still_says_its_code(mocked, conn):
    mocked.post(BASE + DETAILS, json={"resultCode": "210"})
    with pytest.raises(FreebitUnknownSim, match="resultCode 210: no message"):
        conn.request(DETAILS, {"iccid": ICCID})


@pytest.mark.parametrize("add_kwargs", [
    {"status": 401, "json": error("401", "Authentication error: invalid API key.", "401")},
    {"status": 401, "body": "Unauthorized"},
    {"status": 403, "body": "<html>Forbidden</html>"},
    {"status": 403, "json": {"message": "Forbidden"}},
])
def test_a_refused_key_is_an_auth_error_and_not_retried(mocked, conn, calls, add_kwargs):
    mocked.post(BASE + USAGE, **add_kwargs)

    with pytest.raises(FreebitAuthError) as caught:
        conn.request(USAGE, {"iccid": ICCID})

    assert not caught.value.retryable
    assert calls == [USAGE]


@pytest.mark.parametrize("body, content_type", [
    ("<html><body>Maintenance</body></html>", "text/html"),
    ("", "text/plain"),
    ('{"resultCode": "100", ', "application/json"),
    ("\x00\xff garbage", "application/octet-stream"),
])
def test_a_body_that_is_not_json_is_malformed_and_not_retried(mocked, conn, calls, body, content_type):
    mocked.post(BASE + DETAILS, body=body, content_type=content_type)

    with pytest.raises(FreebitMalformedResponse) as caught:
        conn.request(DETAILS, {"iccid": ICCID})

    assert not caught.value.retryable
    assert calls == [DETAILS]


@pytest.mark.parametrize("payload", [
    {"account": {}},
    {"resultCode": None},
    {"resultCode": "OK"},
    {"resultCode": True},
    {"resultCode": ""},
    ["resultCode", "100"],
    "100",
    None,
])
def test_json_without_a_result_code_is_malformed(mocked, conn, payload):
    mocked.post(BASE + DETAILS, body=json.dumps(payload), content_type="application/json")
    with pytest.raises(FreebitMalformedResponse):
        conn.request(DETAILS, {"iccid": ICCID})
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("status", [201, 400, 404])
def test_success_code_with_another_http_status_is_malformed(mocked, conn, status):
    mocked.post(BASE + DETAILS, status=status, json=OK)
    with pytest.raises(FreebitMalformedResponse, match=f"HTTP {status}"):
        conn.request(DETAILS, {"iccid": ICCID})


def test_a_404_page_is_malformed(mocked, conn):
    mocked.post(BASE + DETAILS, status=404, body="Not Found\n")
    with pytest.raises(FreebitMalformedResponse, match="HTTP 404"):
        conn.request(DETAILS, {"iccid": ICCID})


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed_so_the_key_goes_nowhere_else(mocked, conn, status):
    mocked.post(BASE + DETAILS, status=status, headers={"Location": "http://elsewhere.example.test/collect"})

    with pytest.raises(FreebitMalformedResponse, match=f"HTTP {status}"):
        conn.request(DETAILS, {"iccid": ICCID})

    assert [c.request.url for c in mocked.calls] == [BASE + DETAILS]


# --- retries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
@pytest.mark.parametrize("max_attempts", [1, 3])
@pytest.mark.parametrize("endpoint", sorted(READ_ENDPOINTS))
def test_reads_retry_transient_failures_up_to_max_attempts(mocked, calls, failure, max_attempts, endpoint):
    add_kwargs, expected = failure
    mocked.post(BASE + endpoint, **add_kwargs)
    conn = FreebitConnection(make_config(max_attempts=max_attempts), on_call=calls.append)

    with pytest.raises(expected) as caught:
        conn.request(endpoint, {"iccid": ICCID})

    assert isinstance(caught.value, FreebitTransportError)
    assert caught.value.retryable
    assert calls == [endpoint] * max_attempts


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
def test_a_read_that_succeeds_on_the_second_attempt_returns_the_body(ordered, conn, calls, failure):
    add_kwargs, _ = failure
    ordered.post(BASE + DETAILS, **add_kwargs)
    ordered.post(BASE + DETAILS, json=OK)

    assert conn.request(DETAILS, {"iccid": ICCID}) == OK
    assert calls == [DETAILS, DETAILS]
    assert ordered.calls[0].request.body == ordered.calls[1].request.body


def test_read_endpoints_are_exactly_the_three_reads():
    assert READ_ENDPOINTS == {DETAILS, USAGE, TOPUP_HISTORY}
    assert not READ_ENDPOINTS & set(WRITES)


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
@pytest.mark.parametrize("endpoint", [*WRITES, "/api/sim/activate"])
def test_writes_and_unknown_endpoints_are_never_retried(mocked, calls, failure, endpoint):
    add_kwargs, expected = failure
    mocked.post(BASE + endpoint, **add_kwargs)
    conn = FreebitConnection(make_config(max_attempts=5), on_call=calls.append)

    with pytest.raises(expected):
        conn.request(endpoint, {"iccid": ICCID})

    assert calls == [endpoint]


def test_retrying_is_the_read_policy_for_callers_with_an_idempotency_key(ordered, conn, calls):
    ordered.post(BASE + TOPUP, status=503)
    ordered.post(BASE + TOPUP, json=OK)

    assert conn.retrying()(conn.request, TOPUP, {"request_id": "r-1"}) == OK
    assert calls == [TOPUP, TOPUP]


def test_the_first_typed_failure_after_a_retry_is_raised(ordered, conn):
    ordered.post(BASE + DETAILS, status=503)
    ordered.post(BASE + DETAILS, json=error("210", "Specified SIM is not found."))

    with pytest.raises(FreebitUnknownSim):
        conn.request(DETAILS, {"iccid": ICCID})
    assert len(ordered.calls) == 2


def test_rate_limit_waits_at_least_retry_after(ordered, conn):
    ordered.post(BASE + DETAILS, status=429, headers={"Retry-After": "0.2"}, json=error("500", "Too many", "429"))
    ordered.post(BASE + DETAILS, json=OK)

    started = time.monotonic()
    assert conn.request(DETAILS, {"iccid": ICCID}) == OK
    assert 0.19 <= time.monotonic() - started < 2.0


def test_retry_after_on_a_result_code_500_is_honoured_too(ordered, conn):
    ordered.post(BASE + USAGE, headers={"Retry-After": "0.15"}, json=error("500", "Too many", "429"))
    ordered.post(BASE + USAGE, json=OK)

    started = time.monotonic()
    conn.request(USAGE, {"iccid": ICCID})
    assert time.monotonic() - started >= 0.14


def test_retry_after_is_capped_and_exposed(mocked):
    mocked.post(BASE + DETAILS, status=429, headers={"Retry-After": "120"})

    started = time.monotonic()
    with pytest.raises(FreebitRateLimited) as caught:
        FreebitConnection(make_config(max_attempts=1)).request(DETAILS, {"iccid": ICCID})

    assert time.monotonic() - started < 1.0, "no sleep after the last attempt"
    assert caught.value.retry_after == 120.0


@pytest.mark.parametrize("header", ["Wed, 21 Oct 2015 07:28:00 GMT", "soon", "-3"])
def test_an_unusable_retry_after_falls_back_to_backoff(mocked, conn, header):
    mocked.post(BASE + DETAILS, status=429, headers={"Retry-After": header})

    started = time.monotonic()
    with pytest.raises(FreebitRateLimited):
        conn.request(DETAILS, {"iccid": ICCID})

    assert time.monotonic() - started < 0.5
    assert len(mocked.calls) == 3


def test_on_call_runs_once_per_http_attempt(ordered, conn, calls):
    ordered.post(BASE + DETAILS, body=requests.exceptions.ConnectionError("reset"))
    ordered.post(BASE + DETAILS, status=502)
    ordered.post(BASE + DETAILS, json=OK)
    ordered.post(BASE + TOPUP, json=OK)

    conn.request(DETAILS, {"iccid": ICCID})
    conn.request(TOPUP, {"iccid": ICCID})

    assert calls == [DETAILS, DETAILS, DETAILS, TOPUP]


# --- the key stays secret -------------------------------------------------------------------------


@pytest.fixture
def all_logs(caplog) -> Iterator[pytest.LogCaptureFixture]:
    names = ["", "integrations", "integrations.freebit", "integrations.freebit.connection", "requests", "urllib3",
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


def assert_no_key(*texts: str) -> None:
    for text in texts:
        assert API_KEY not in text


def test_config_and_connection_repr_hide_the_key():
    config = make_config()
    for text in (repr(config), str(config), repr(FreebitConnection(config))):
        assert_no_key(text)
    assert BASE in repr(config)


@pytest.mark.parametrize("add_kwargs, endpoint", [
    ({"json": OK}, DETAILS),
    ({"status": 401, "json": error("401", "Authentication error.", "401")}, DETAILS),
    ({"json": error("230", "It can not charge because the SIM is suspended.")}, TOPUP),
    ({"body": "<html>oops</html>"}, USAGE),
    ({"status": 307, "headers": {"Location": "http://elsewhere.example.test/"}}, DETAILS),
    ({"body": requests.exceptions.ConnectionError("connection refused")}, DETAILS),
    ({"body": requests.exceptions.ReadTimeout("read timed out")}, PLAN_CHANGE),
    ({"status": 503}, TOPUP_HISTORY),
    ({"status": 429, "headers": {"Retry-After": "0"}}, DETAILS),
])
def test_no_key_in_exceptions_or_logs(mocked, conn, all_logs, add_kwargs, endpoint):
    mocked.post(BASE + endpoint, **add_kwargs)

    try:
        conn.request(endpoint, {"iccid": ICCID})
    except FreebitError as exc:
        assert_no_key(*exception_texts(exc))

    assert_no_key(rendered_logs(all_logs))


# --- against a real socket ------------------------------------------------------------------------


class _Server:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.requests: list[tuple[str, dict, str]] = []  # (path, headers, body)
        self.plan: list[str] = []  # per request: "ok", "503" or "slow"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                server.requests.append((self.path, dict(self.headers), body))
                step = server.plan.pop(0) if server.plan else "ok"
                if step == "slow":
                    server.release.wait(5)
                if step == "503":
                    self._answer(503, b"busy")
                else:
                    self._answer(200, json.dumps(OK).encode())

            def _answer(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
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


def test_real_post_carries_the_key_in_the_header_only(server, all_logs):
    conn = FreebitConnection(make_config(api_url=server.url))

    assert conn.request(DETAILS, {"iccid": ICCID}) == OK
    conn.close()

    path, headers, body = server.requests[0]
    assert path == DETAILS
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"iccid": ICCID}
    assert API_KEY not in body
    assert any(r.name.startswith("urllib3") for r in all_logs.records)
    assert_no_key(rendered_logs(all_logs))


def test_real_connections_are_pooled(server):
    conn = FreebitConnection(make_config(api_url=server.url))
    for _ in range(3):
        conn.request(DETAILS, {"iccid": ICCID})
    assert len(server.requests) == 3
    assert all(headers.get("Connection", "keep-alive").lower() == "keep-alive" for _, headers, _ in server.requests)


def test_real_retry_path_logs_no_key(server, all_logs):
    server.plan = ["503", "503", "ok"]
    conn = FreebitConnection(make_config(api_url=server.url))

    assert conn.request(USAGE, {"iccid": ICCID}) == OK

    assert len(server.requests) == 3
    assert "freebit retry" in all_logs.text
    assert_no_key(rendered_logs(all_logs))


def test_a_real_read_timeout_on_a_write_is_a_transport_error_quickly(server, all_logs):
    server.plan = ["slow"]
    conn = FreebitConnection(make_config(api_url=server.url, read_timeout=0.3, connect_timeout=1.0))

    started = time.monotonic()
    with pytest.raises(FreebitTransportError, match="timed out") as caught:
        conn.request(TOPUP, {"iccid": ICCID, "quota_mb": 1024, "request_id": "r-1"})

    assert 0.25 <= time.monotonic() - started < 0.8
    assert isinstance(caught.value.__cause__, requests.exceptions.ReadTimeout)
    assert len(server.requests) == 1
    assert_no_key(*exception_texts(caught.value), rendered_logs(all_logs))


def test_a_refused_connection_is_a_transport_error_without_the_key(all_logs):
    with _Server() as closed:
        url = closed.url
    conn = FreebitConnection(make_config(api_url=url, max_attempts=2))

    with pytest.raises(FreebitTransportError, match="network error") as caught:
        conn.request(DETAILS, {"iccid": ICCID})

    assert isinstance(caught.value.__cause__, requests.exceptions.ConnectionError)
    assert_no_key(*exception_texts(caught.value), rendered_logs(all_logs))


def test_config_is_immutable():
    config = make_config()
    with pytest.raises(AttributeError):
        config.api_key = "other"  # type: ignore[misc]
    assert replace(config, max_attempts=1).max_attempts == 1
