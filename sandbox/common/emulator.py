"""The frame every emulator shares: control endpoints, fault injection and call counting.

An emulator subclasses :class:`EmulatorApp` and provides ``handle`` (its own routes),
``api_call_name`` (which requests are provider API calls, and under what name they are counted)
and ``reset_state`` (back to the seed data). Only API calls are counted and subject to faults; the
control endpoints under ``/__sandbox__/`` never are:

- ``GET    /__sandbox__/health``  liveness
- ``GET    /__sandbox__/faults``  the live fault configuration
- ``POST   /__sandbox__/faults``  replace it (JSON body, see :class:`FaultConfig`; ``actions`` limits
  faults to some calls, ``times`` to the next N)
- ``DELETE /__sandbox__/faults``  no faults
- ``GET    /__sandbox__/stats``   API calls received per action (and faults injected) since the last reset
- ``DELETE /__sandbox__/stats``   zero the counts
- ``POST   /__sandbox__/reset``   restore the seed data and zero the counts (faults are kept)
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from .faults import FaultConfig, FaultConfigError, FaultDecision, FaultInjector
from .server import DropConnection
from .wsgi import BadRequest, Request, Response, html_response, json_response, text_response

CONTROL_PREFIX = "/__sandbox__/"


def _error_page(status: int, reason: str) -> str:
    """The kind of page a reverse proxy in front of a provider answers with."""
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


class EmulatorApp:
    """Base WSGI app of an emulator. Subclasses set ``name`` and implement the three hooks."""

    name = "emulator"

    def __init__(
        self,
        *,
        faults: FaultConfig | Mapping[str, Any] | None = None,
        seed: int | None = None,
    ):
        self.faults = FaultInjector(faults, seed=seed)
        self._stats_lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._stats_since = time.time()
        self._stopping = threading.Event()

    # -- hooks ------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def api_call_name(self, request: Request) -> str | None:
        """The name an API call is counted under, or ``None`` when the request is not one."""
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    # -- WSGI -------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            try:
                call = self.api_call_name(request)
            except BadRequest as exc:
                return json_response({"error": str(exc)}, 400)(environ, start_response)
            response = self._api(request, call) if call is not None else self.handle(request)
        return response(environ, start_response)

    def shutdown(self) -> None:
        """Wake any request sleeping in an injected delay (called when the server stops)."""
        self._stopping.set()

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _api(self, request: Request, call: str) -> Response:
        with self._stats_lock:
            self._calls[call] += 1
        decision = self.faults.decide(call)
        self._sleep(decision.latency_s)
        if decision.fault == "rate_limit":
            limit = decision.config.rate_limit
            response = html_response(_error_page(limit.status, "Too Many Requests"), limit.status)
            response.set_header("Retry-After", str(limit.retry_after))
            return response
        if decision.fault == "timeout":
            self._sleep(decision.config.timeout_seconds)
            raise DropConnection()
        if decision.fault == "error":
            status = decision.config.status
            return html_response(_error_page(status, _reason(status)), status)
        response = self.handle(request)
        if decision.fault == "malformed":
            response = self._malform(response, decision)
        if decision.fault == "lost_answer":  # done, but the caller never learns it
            response = html_response(_error_page(504, "Gateway Time-out"), 504)
        return response

    @staticmethod
    def _malform(response: Response, decision: FaultDecision) -> Response:
        if decision.config.malformed_kind == "html" or len(response.body) < 2:
            return html_response(
                "<br />\n<b>Warning</b>:  Undefined index: sandbox in <b>/var/www/html/includes/api.php</b>"
                " on line <b>42</b><br />\n<html><body>Service temporarily degraded</body></html>"
            )
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        return Response(response.body[: len(response.body) // 2], 200, headers)

    # -- control endpoints ------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        with self._stats_lock:
            calls = dict(sorted(self._calls.items()))
            since = self._stats_since
        return {
            "emulator": self.name,
            "since": since,
            "total": sum(calls.values()),
            "calls": calls,
            "faults_injected": self.faults.counts(),
        }

    def reset_stats(self) -> None:
        with self._stats_lock:
            self._calls.clear()
            self._stats_since = time.time()
        self.faults.reset_counts()

    def _control(self, request: Request) -> Response:
        route = (request.method, request.path[len(CONTROL_PREFIX):].rstrip("/"))
        if route == ("GET", "health"):
            return json_response({"status": "ok", "emulator": self.name})
        if route == ("GET", "faults"):
            return json_response(self.faults.config.to_dict())
        if route == ("POST", "faults"):
            try:
                body = request.json
                if body is not None and not isinstance(body, dict):
                    raise FaultConfigError("the fault configuration must be a JSON object")
                config = self.faults.configure(body)
            except (BadRequest, FaultConfigError) as exc:
                return json_response({"error": str(exc)}, 400)
            return json_response(config.to_dict())
        if route == ("DELETE", "faults"):
            self.faults.clear()
            return json_response(self.faults.config.to_dict())
        if route == ("GET", "stats"):
            return json_response(self.stats())
        if route == ("DELETE", "stats"):
            self.reset_stats()
            return json_response(self.stats())
        if route == ("POST", "reset"):
            self.reset_state()
            self.reset_stats()
            return json_response({"status": "reset", "emulator": self.name})
        known = {"health", "faults", "stats", "reset"}
        if route[1] in known:
            return text_response("Method Not Allowed\n", 405)
        return text_response("Not Found\n", 404)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
