"""A tiny WSGI toolkit: just enough request parsing, responses and routing for the emulators."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY_BYTES = 10 * 1024 * 1024


class BadRequest(Exception):
    """Raised while handling a request to answer 400 with this message."""


class Request:
    """The parts of a WSGI environ the emulators need, parsed lazily."""

    def __init__(self, environ: dict[str, Any]):
        self.environ = environ
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        self.path: str = environ.get("PATH_INFO", "") or "/"
        self.query_string: str = environ.get("QUERY_STRING", "")

    @cached_property
    def headers(self) -> dict[str, str]:
        """Request headers with lower-case names."""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in self.environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if self.environ.get(key):
                headers[key.replace("_", "-").lower()] = self.environ[key]
        return headers

    @property
    def content_type(self) -> str:
        return self.environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()

    @cached_property
    def body(self) -> bytes:
        try:
            length = int(self.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return b""
        if length > MAX_BODY_BYTES:
            raise BadRequest("request body too large")
        return self.environ["wsgi.input"].read(length)

    @cached_property
    def query_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    @cached_property
    def query(self) -> dict[str, str]:
        """Query parameters; a repeated name keeps its last value."""
        return dict(self.query_pairs)

    @cached_property
    def form_pairs(self) -> list[tuple[str, str]]:
        """The form-encoded body as ordered (name, value) pairs; empty for any other body."""
        if self.content_type != "application/x-www-form-urlencoded":
            return []
        return parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True)

    @cached_property
    def form(self) -> dict[str, str]:
        """The form-encoded body; a repeated name keeps its last value (as PHP does)."""
        return dict(self.form_pairs)

    @cached_property
    def json(self) -> Any:
        """The JSON body, ``None`` when there is none; :class:`BadRequest` when it does not parse."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise BadRequest(f"body is not valid JSON: {exc}") from exc

    @cached_property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        try:
            jar.load(self.environ.get("HTTP_COOKIE", ""))
        except Exception:  # noqa: BLE001 - a malformed Cookie header just means no cookies
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    @property
    def remote_addr(self) -> str:
        return self.environ.get("REMOTE_ADDR", "")

    @property
    def base_url(self) -> str:
        """``scheme://host[:port]`` as the client addressed this server."""
        scheme = self.environ.get("wsgi.url_scheme", "http")
        host = self.environ.get("HTTP_HOST")
        if not host:
            host = self.environ.get("SERVER_NAME", "127.0.0.1")
            port = self.environ.get("SERVER_PORT", "")
            if port and port not in ("80", "443"):
                host = f"{host}:{port}"
        return f"{scheme}://{host}"


def status_line(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


@dataclass
class Response:
    """A fully buffered response; callable as a WSGI app."""

    body: bytes = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(self.body))))
        start_response(status_line(self.status), headers)
        return [self.body]


def json_response(data: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(body, status, [("Content-Type", "application/json; charset=utf-8"), *(headers or [])])


def text_response(text: str, status: int = 200, content_type: str = "text/plain") -> Response:
    return Response(text.encode("utf-8"), status, [("Content-Type", f"{content_type}; charset=utf-8")])


def html_response(html: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(html.encode("utf-8"), status, [("Content-Type", "text/html; charset=utf-8"), *(headers or [])])


def redirect(location: str, status: int = 302, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(b"", status, [("Location", location), *(headers or [])])


Handler = Callable[[Request], Response]


class Router:
    """Exact-path routing with 404 and 405 (with ``Allow``) answers."""

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, Handler]] = {}

    def add(self, path: str, handler: Handler, methods: Iterable[str] = ("GET",)) -> None:
        for method in methods:
            self._routes.setdefault(path, {})[method.upper()] = handler

    def match(self, request: Request) -> Handler | None:
        return self._routes.get(request.path, {}).get(request.method)

    def dispatch(self, request: Request) -> Response:
        methods = self._routes.get(request.path)
        if methods is None:
            return text_response("Not Found\n", 404)
        handler = methods.get(request.method)
        if handler is None and request.method == "HEAD":
            handler = methods.get("GET")
        if handler is None:
            response = text_response("Method Not Allowed\n", 405)
            response.set_header("Allow", ", ".join(sorted(methods)))
            return response
        try:
            return handler(request)
        except BadRequest as exc:
            return json_response({"error": str(exc)}, 400)
