"""The Freebit connection, mocked at the HTTP boundary with ``responses`` (and a tiny stdlib HTTP
server for real timeouts and urllib3's own logging). Nothing of ours is patched.

What Freebit documents is asserted exactly: the form post with one field ``json``, the paths with
their trailing slash, ``authOem`` and the ``authKey`` inside the JSON (no header), the envelope.
"""
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
from responses.registries import OrderedRegistry

from integrations.freebit.connection import (
    ACCOUNT_DETAILS,
    AUTH,
    CANCEL,
    CONTRACT_LINE,
    NEW_ESIM_LINE,
    NEW_LINE,
    OPERATIONS,
    PLAN_CHANGE,
    QUOTA_ADD,
    QUOTA_HISTORY,
    READS,
    RESULT_CODE_ERRORS,
    TRAFFIC,
    VOICE_OPTIONS,
    FreebitConfig,
    FreebitConnection,
)
from integrations.freebit.errors import (
    FreebitActivationRefused,
    FreebitAlreadyRegistered,
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

HOST = "https://i1.mvno.example.test"
BASE = HOST + "/emptool/api"
OEM_ID = "OEM-PORTAL"
OEM_KEY = "OEMKEY-5e1c9a7d-0b3f-secret"
AUTH_KEY = "AUTHKEY-9f8e7d6c5b4a-secret"
AUTH_KEY_2 = "AUTHKEY-0a1b2c3d4e5f-renewed"
SECRETS = (OEM_KEY, AUTH_KEY, AUTH_KEY_2)
PHONE = "09012340012"
WRITES = (QUOTA_ADD, PLAN_CHANGE, NEW_LINE, NEW_ESIM_LINE, VOICE_OPTIONS, CONTRACT_LINE, CANCEL)
OK = {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}}
AUTH_OK = {**OK, "authKey": AUTH_KEY}

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
    values = {"api_url": BASE, "oem_id": OEM_ID, "oem_key": OEM_KEY, "connect_timeout": 2.0, "read_timeout": 4.0,
              "max_attempts": 3, "backoff_base": 0.001, "backoff_max": 0.005}
    values.update(overrides)
    return FreebitConfig(**values)


def error(code: str, message: str = "Error.", status_code: str = "200") -> dict:
    return {"resultCode": code, "status": {"message": message, "statusCode": status_code}}


def sent(call) -> dict:
    """The request object a call carried in its form field ``json``."""
    form = parse_qs(call.request.body)
    assert list(form) == ["json"], "the body is a form with the one field json"
    return json.loads(form["json"][0])


def api_calls(mocked) -> list:
    return [call for call in mocked.calls if not call.request.url.endswith(AUTH)]


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        rsps.post(BASE + AUTH, json=AUTH_OK)
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


def test_a_call_is_a_form_post_of_one_json_field_with_the_auth_key_inside(mocked, conn):
    mocked.post(BASE + TRAFFIC, json=OK)

    assert conn.request(TRAFFIC, {"account": PHONE}) == OK

    auth_call, call = mocked.calls
    assert auth_call.request.url == BASE + "/authOem/"
    assert sent(auth_call) == {"oemId": OEM_ID, "oemKey": OEM_KEY}
    request = call.request
    assert request.method == "POST"
    assert request.url == HOST + "/emptool/api/mvno/getTrafficInfo/"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request.headers, "Freebit takes no auth header: the key is in the JSON"
    assert sent(call) == {"authKey": AUTH_KEY, "account": PHONE}


def test_every_path_is_freebits_with_its_trailing_slash():
    assert OPERATIONS == {
        "/authOem/": "PA01-01",
        "/mvno/getDetail/": "PA03-02",
        "/mvno/getTrafficInfo/": "PA05-01",
        "/master/addSpec/": "PA04-04",
        "/mvno/getQuotaHistory/": "PA05-02",
        "/mvno/changePlan/": "PA05-21",
        "/master/addAcnt/": "PA02-01",
        "/mvno/esim/addAcnt/": "PA05-41",
        "/mvno/talkoption/changeOrder/": "PA05-06",
        "/mvno/contractline/change/": "PA05-38",
        "/master/cnclAcnt/": "PA02-04",
    }
    assert all(path.startswith("/") and path.endswith("/") for path in OPERATIONS)


def test_a_trailing_slash_in_the_base_url_is_fine(mocked):
    mocked.post(BASE + ACCOUNT_DETAILS, json=OK)
    FreebitConnection(make_config(api_url=BASE + "/")).request(ACCOUNT_DETAILS, {"account": PHONE})
    assert mocked.calls[1].request.url == BASE + ACCOUNT_DETAILS


@pytest.mark.parametrize("path", ["mvno/getDetail/", "/mvno/getDetail", "//evil.example.test/x", "/details",
                                  AUTH])
def test_only_the_known_operations_may_be_called(conn, path):
    with pytest.raises(ValueError, match="operation"):
        conn.request(path, {})


def test_the_caller_never_passes_the_auth_key_itself(conn):
    with pytest.raises(ValueError, match="authKey"):
        conn.request(TRAFFIC, {"authKey": "mine", "account": PHONE})


def test_non_ascii_values_travel_as_json(mocked, conn):
    mocked.post(BASE + PLAN_CHANGE, json=OK)
    conn.request(PLAN_CHANGE, {"account": PHONE, "note": "プラン変更 für Jürgen"})
    assert sent(mocked.calls[1])["note"] == "プラン変更 für Jürgen"


def test_the_given_session_is_used(mocked):
    session = requests.Session()
    session.headers["User-Agent"] = "customer-portal-test"
    mocked.post(BASE + ACCOUNT_DETAILS, json=OK)

    FreebitConnection(make_config(), session=session).request(ACCOUNT_DETAILS, {"account": PHONE})

    assert mocked.calls[1].request.headers["User-Agent"] == "customer-portal-test"


def test_connect_and_read_timeouts_are_passed_to_requests(mocked):
    from responses import matchers

    mocked.post(BASE + ACCOUNT_DETAILS, json=OK, match=[matchers.request_kwargs_matcher({"timeout": (1.5, 7.25)})])
    FreebitConnection(make_config(connect_timeout=1.5, read_timeout=7.25)).request(ACCOUNT_DETAILS, {"account": PHONE})


# --- authentication (PA01-01) ---------------------------------------------------------------------


def test_the_auth_key_is_fetched_once_and_kept(mocked, conn, calls):
    mocked.post(BASE + TRAFFIC, json=OK)
    mocked.post(BASE + QUOTA_ADD, json=OK)

    conn.request(TRAFFIC, {"account": PHONE})
    conn.request(QUOTA_ADD, {"account": PHONE})
    conn.request(TRAFFIC, {"account": PHONE})

    assert calls == [AUTH, TRAFFIC, QUOTA_ADD, TRAFFIC]
    assert [sent(call)["authKey"] for call in api_calls(mocked)] == [AUTH_KEY] * 3


@pytest.mark.parametrize("path", [TRAFFIC, QUOTA_ADD, NEW_LINE])
def test_a_refused_auth_key_is_renewed_once_and_the_call_sent_again(ordered, conn, calls, path):
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + path, json=error("401", "Authentication error: the authKey is invalid or expired.", "401"))
    ordered.post(BASE + AUTH, json={**OK, "authKey": AUTH_KEY_2})
    ordered.post(BASE + path, json=OK)

    assert conn.request(path, {"account": PHONE}) == OK

    assert calls == [AUTH, path, AUTH, path]
    assert [sent(call)["authKey"] for call in ordered.calls if call.request.url.endswith(path)] == [
        AUTH_KEY, AUTH_KEY_2]


def test_the_renewed_key_is_kept_for_later_calls(ordered, conn, calls):
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + TRAFFIC, json=error("401", "expired", "401"))
    ordered.post(BASE + AUTH, json={**OK, "authKey": AUTH_KEY_2})
    ordered.post(BASE + TRAFFIC, json=OK)
    ordered.post(BASE + TRAFFIC, json=OK)

    conn.request(TRAFFIC, {"account": PHONE})
    conn.request(TRAFFIC, {"account": PHONE})

    assert sent(ordered.calls[-1])["authKey"] == AUTH_KEY_2
    assert calls.count(AUTH) == 2


def test_a_key_refused_twice_is_an_auth_error_after_one_renewal(ordered, conn, calls):
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + QUOTA_ADD, json=error("401", "expired", "401"))
    ordered.post(BASE + AUTH, json={**OK, "authKey": AUTH_KEY_2})
    ordered.post(BASE + QUOTA_ADD, json=error("401", "expired", "401"))

    with pytest.raises(FreebitAuthError) as caught:
        conn.request(QUOTA_ADD, {"account": PHONE})

    assert not caught.value.retryable
    assert calls == [AUTH, QUOTA_ADD, AUTH, QUOTA_ADD]


@pytest.mark.parametrize("answer", [
    {"json": error("401", "Authentication error: the OEM id or key is wrong.", "401")},
    {"status": 401, "body": "Unauthorized"},
    {"status": 403, "body": "<html>Forbidden</html>"},
])
def test_wrong_oem_credentials_are_an_auth_error_and_nothing_else_is_sent(ordered, conn, calls, answer):
    ordered.post(BASE + AUTH, **answer)

    with pytest.raises(FreebitAuthError):
        conn.request(QUOTA_ADD, {"account": PHONE})

    assert calls == [AUTH]


def test_an_auth_answer_without_a_key_is_malformed(ordered, conn):
    ordered.post(BASE + AUTH, json=OK)
    with pytest.raises(FreebitMalformedResponse, match="authKey"):
        conn.request(TRAFFIC, {"account": PHONE})


def test_authentication_is_retried_like_a_read(ordered, conn, calls):
    ordered.post(BASE + AUTH, status=503)
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + QUOTA_ADD, json=OK)

    conn.request(QUOTA_ADD, {"account": PHONE})

    assert calls == [AUTH, AUTH, QUOTA_ADD], "getting a key is safe to repeat; the write itself is sent once"


def test_threads_share_one_key(mocked):
    mocked.post(BASE + TRAFFIC, json=OK)
    conn = FreebitConnection(make_config())
    threads = [threading.Thread(target=conn.request, args=(TRAFFIC, {"account": PHONE})) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)

    assert sum(call.request.url.endswith(AUTH) for call in mocked.calls) == 1


# --- answers --------------------------------------------------------------------------------------


def test_numeric_result_code_is_accepted(mocked, conn):
    mocked.post(BASE + ACCOUNT_DETAILS, json={**OK, "resultCode": 100, "responseDatas": []})
    assert conn.request(ACCOUNT_DETAILS, {"account": PHONE})["responseDatas"] == []


@pytest.mark.parametrize("code, status_code, expected", [
    ("400", "356", FreebitInvalidRequest),
    ("201", "400", FreebitInvalidRequest),
    ("210", "404", FreebitUnknownSim),
    ("220", "409", FreebitPlanChangeRefused),
    ("230", "409", FreebitSimSuspended),
    ("240", "400", FreebitInvalidRequest),
    ("250", "404", FreebitActivationRefused),
    ("251", "409", FreebitAlreadyRegistered),
    ("400", "357", FreebitApiError),
    ("999", "200", FreebitApiError),
    ("211", "", FreebitApiError),
])
@pytest.mark.parametrize("http_status", [200, 400])
def test_error_result_codes_map_to_typed_errors_without_retry(mocked, conn, calls, code, status_code, expected,
                                                              http_status):
    message = "Specified account is not found."
    mocked.post(BASE + ACCOUNT_DETAILS, status=http_status, json=error(code, message, status_code))

    with pytest.raises(expected) as caught:
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})

    assert type(caught.value) is expected
    assert isinstance(caught.value, FreebitApiError)
    assert not caught.value.retryable
    assert caught.value.result_code == code
    assert caught.value.endpoint == ACCOUNT_DETAILS
    assert message in str(caught.value) and code in str(caught.value)
    assert calls == [AUTH, ACCOUNT_DETAILS], "an API error is an answer: never retried"


def test_the_code_table_is_the_documented_one_and_the_assumed_ones():
    assert set(RESULT_CODE_ERRORS) == {"400-356", "201", "210", "220", "230", "240", "250", "251", "260",
                                       "270", "401", "500"}


def test_an_error_without_a_message_still_says_its_code(mocked, conn):
    mocked.post(BASE + ACCOUNT_DETAILS, json={"resultCode": "210"})
    with pytest.raises(FreebitUnknownSim, match="resultCode 210: no message"):
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})


@pytest.mark.parametrize("body, content_type", [
    ("<html><body>Maintenance</body></html>", "text/html"),
    ("", "text/plain"),
    ('{"resultCode": "100", ', "application/json"),
    ("\x00\xff garbage", "application/octet-stream"),
])
def test_a_body_that_is_not_json_is_malformed_and_not_retried(mocked, conn, calls, body, content_type):
    mocked.post(BASE + ACCOUNT_DETAILS, body=body, content_type=content_type)

    with pytest.raises(FreebitMalformedResponse) as caught:
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})

    assert not caught.value.retryable
    assert calls == [AUTH, ACCOUNT_DETAILS]


@pytest.mark.parametrize("payload", [
    {"responseDatas": []}, {"resultCode": None}, {"resultCode": "OK"}, {"resultCode": True}, {"resultCode": ""},
    ["resultCode", "100"], "100", None,
])
def test_json_without_a_result_code_is_malformed(mocked, conn, payload):
    mocked.post(BASE + ACCOUNT_DETAILS, body=json.dumps(payload), content_type="application/json")
    with pytest.raises(FreebitMalformedResponse):
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})
    assert len(api_calls(mocked)) == 1


@pytest.mark.parametrize("status", [201, 400, 404])
def test_success_code_with_another_http_status_is_malformed(mocked, conn, status):
    mocked.post(BASE + ACCOUNT_DETAILS, status=status, json=OK)
    with pytest.raises(FreebitMalformedResponse, match=f"HTTP {status}"):
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})


def test_a_404_page_is_malformed(mocked, conn):
    mocked.post(BASE + ACCOUNT_DETAILS, status=404, body="Not Found\n")
    with pytest.raises(FreebitMalformedResponse, match="HTTP 404"):
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed_so_the_key_goes_nowhere_else(mocked, conn, status):
    mocked.post(BASE + ACCOUNT_DETAILS, status=status, headers={"Location": "http://elsewhere.example.test/collect"})

    with pytest.raises(FreebitMalformedResponse, match=f"HTTP {status}"):
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})

    assert [c.request.url for c in api_calls(mocked)] == [BASE + ACCOUNT_DETAILS]


# --- retries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
@pytest.mark.parametrize("max_attempts", [1, 3])
@pytest.mark.parametrize("path", sorted(READS - {AUTH}))
def test_reads_retry_transient_failures_up_to_max_attempts(mocked, calls, failure, max_attempts, path):
    add_kwargs, expected = failure
    mocked.post(BASE + path, **add_kwargs)
    conn = FreebitConnection(make_config(max_attempts=max_attempts), on_call=calls.append)

    with pytest.raises(expected) as caught:
        conn.request(path, {"account": PHONE})

    assert isinstance(caught.value, FreebitTransportError)
    assert caught.value.retryable
    assert calls == [AUTH] + [path] * max_attempts


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
def test_a_read_that_succeeds_on_the_second_attempt_returns_the_body(ordered, conn, calls, failure):
    add_kwargs, _ = failure
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + TRAFFIC, **add_kwargs)
    ordered.post(BASE + TRAFFIC, json=OK)

    assert conn.request(TRAFFIC, {"account": PHONE}) == OK
    assert calls == [AUTH, TRAFFIC, TRAFFIC]
    assert ordered.calls[1].request.body == ordered.calls[2].request.body


def test_reads_are_exactly_authentication_details_traffic_and_quota_history():
    assert READS == {AUTH, ACCOUNT_DETAILS, TRAFFIC, QUOTA_HISTORY}
    assert not READS & set(WRITES)
    assert set(OPERATIONS) == READS | set(WRITES)


@pytest.mark.parametrize("failure", TRANSIENT_FAILURES.values(), ids=TRANSIENT_FAILURES.keys())
@pytest.mark.parametrize("path", WRITES)
def test_writes_are_never_retried(mocked, calls, failure, path):
    add_kwargs, expected = failure
    mocked.post(BASE + path, **add_kwargs)
    conn = FreebitConnection(make_config(max_attempts=5), on_call=calls.append)

    with pytest.raises(expected):
        conn.request(path, {"account": PHONE})

    assert calls == [AUTH, path], "no idempotency key: a write whose answer is lost is never sent again here"


def test_the_first_typed_failure_after_a_retry_is_raised(ordered, conn):
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + ACCOUNT_DETAILS, status=503)
    ordered.post(BASE + ACCOUNT_DETAILS, json=error("210", "Specified account is not found."))

    with pytest.raises(FreebitUnknownSim):
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})
    assert len(ordered.calls) == 3


def test_rate_limit_waits_at_least_retry_after(ordered, conn):
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + TRAFFIC, status=429, headers={"Retry-After": "0.2"}, json=error("500", "Too many", "429"))
    ordered.post(BASE + TRAFFIC, json=OK)

    started = time.monotonic()
    assert conn.request(TRAFFIC, {"account": PHONE}) == OK
    assert 0.19 <= time.monotonic() - started < 2.0


def test_retry_after_is_capped_and_exposed(mocked):
    mocked.post(BASE + TRAFFIC, status=429, headers={"Retry-After": "120"})

    started = time.monotonic()
    with pytest.raises(FreebitRateLimited) as caught:
        FreebitConnection(make_config(max_attempts=1)).request(TRAFFIC, {"account": PHONE})

    assert time.monotonic() - started < 1.0, "no sleep after the last attempt"
    assert caught.value.retry_after == 120.0


def test_on_call_runs_once_per_http_attempt(ordered, conn, calls):
    ordered.post(BASE + AUTH, json=AUTH_OK)
    ordered.post(BASE + ACCOUNT_DETAILS, body=requests.exceptions.ConnectionError("reset"))
    ordered.post(BASE + ACCOUNT_DETAILS, status=502)
    ordered.post(BASE + ACCOUNT_DETAILS, json=OK)
    ordered.post(BASE + QUOTA_ADD, json=OK)

    conn.request(ACCOUNT_DETAILS, {"account": PHONE})
    conn.request(QUOTA_ADD, {"account": PHONE})

    assert calls == [AUTH, ACCOUNT_DETAILS, ACCOUNT_DETAILS, ACCOUNT_DETAILS, QUOTA_ADD]


# --- the keys stay secret -------------------------------------------------------------------------


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


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_config_and_connection_repr_hide_the_oem_key():
    config = make_config()
    for text in (repr(config), str(config), repr(FreebitConnection(config))):
        assert_no_secret(text)
    assert BASE in repr(config)


@pytest.mark.parametrize("add_kwargs, path", [
    ({"json": OK}, ACCOUNT_DETAILS),
    ({"json": error("401", "Authentication error.", "401")}, ACCOUNT_DETAILS),
    ({"json": error("230", "It can not add quota because the account is suspended.")}, QUOTA_ADD),
    ({"body": "<html>oops</html>"}, TRAFFIC),
    ({"status": 307, "headers": {"Location": "http://elsewhere.example.test/"}}, ACCOUNT_DETAILS),
    ({"body": requests.exceptions.ConnectionError("connection refused")}, ACCOUNT_DETAILS),
    ({"body": requests.exceptions.ReadTimeout("read timed out")}, PLAN_CHANGE),
    ({"status": 503}, QUOTA_HISTORY),
    ({"status": 429, "headers": {"Retry-After": "0"}}, ACCOUNT_DETAILS),
])
def test_no_key_in_exceptions_or_logs(mocked, conn, all_logs, add_kwargs, path):
    mocked.post(BASE + path, **add_kwargs)

    try:
        conn.request(path, {"account": PHONE})
    except FreebitError as exc:
        assert_no_secret(*exception_texts(exc))

    assert_no_secret(rendered_logs(all_logs))


# --- against a real socket ------------------------------------------------------------------------


class _Server:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.requests: list[tuple[str, dict, str]] = []  # (path, headers, body)
        self.plan: list[str] = []  # per API request: "ok", "503" or "slow"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                server.requests.append((self.path, dict(self.headers), body))
                if self.path.endswith(AUTH):
                    self._answer(200, json.dumps(AUTH_OK).encode())
                    return
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
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/emptool/api"
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


def test_real_post_is_a_urlencoded_form_with_the_key_in_the_json(server, all_logs):
    conn = FreebitConnection(make_config(api_url=server.url))

    assert conn.request(ACCOUNT_DETAILS, {"account": PHONE}) == OK
    conn.close()

    (auth_path, _, _), (path, headers, body) = server.requests
    assert auth_path == "/emptool/api/authOem/"
    assert path == "/emptool/api/mvno/getDetail/"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in headers
    assert json.loads(parse_qs(body)["json"][0]) == {"authKey": AUTH_KEY, "account": PHONE}
    assert any(r.name.startswith("urllib3") for r in all_logs.records)
    assert_no_secret(rendered_logs(all_logs))


def test_real_connections_are_pooled(server):
    conn = FreebitConnection(make_config(api_url=server.url))
    for _ in range(3):
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})
    assert len(server.requests) == 4
    assert all(headers.get("Connection", "keep-alive").lower() == "keep-alive" for _, headers, _ in server.requests)


def test_real_retry_path_logs_no_key(server, all_logs):
    server.plan = ["503", "503", "ok"]
    conn = FreebitConnection(make_config(api_url=server.url))

    assert conn.request(TRAFFIC, {"account": PHONE}) == OK

    assert len(server.requests) == 4
    assert "freebit retry" in all_logs.text
    assert_no_secret(rendered_logs(all_logs))


def test_a_real_read_timeout_on_a_quota_addition_is_a_transport_error_quickly(server, all_logs):
    server.plan = ["slow"]
    conn = FreebitConnection(make_config(api_url=server.url, read_timeout=0.3, connect_timeout=1.0))
    conn.request(ACCOUNT_DETAILS, {"account": PHONE})  # authenticated first: the timing is the write's alone
    server.plan = ["slow"]

    started = time.monotonic()
    with pytest.raises(FreebitTransportError, match="timed out") as caught:
        conn.request(QUOTA_ADD, {"kind": "MVNO", "account": PHONE, "quota": "1024", "quotaCode": "r-1"})

    assert 0.25 <= time.monotonic() - started < 0.8
    assert isinstance(caught.value.__cause__, requests.exceptions.ReadTimeout)
    assert [path for path, _, _ in server.requests].count("/emptool/api/master/addSpec/") == 1
    assert_no_secret(*exception_texts(caught.value), rendered_logs(all_logs))


def test_a_refused_connection_is_a_transport_error_without_the_key(all_logs):
    with _Server() as closed:
        url = closed.url
    conn = FreebitConnection(make_config(api_url=url, max_attempts=2))

    with pytest.raises(FreebitTransportError, match="network error") as caught:
        conn.request(ACCOUNT_DETAILS, {"account": PHONE})

    assert isinstance(caught.value.__cause__, requests.exceptions.ConnectionError)
    assert_no_secret(*exception_texts(caught.value), rendered_logs(all_logs))


def test_config_is_immutable():
    config = make_config()
    with pytest.raises(AttributeError):
        config.oem_key = "other"  # type: ignore[misc]
    assert replace(config, max_attempts=1).max_attempts == 1
