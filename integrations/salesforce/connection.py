"""The one way the portal talks to Salesforce's REST API.

Authentication is the OAuth 2.0 JWT bearer flow only (docs/decisions.md §4): we sign a short-lived
assertion (``iss`` consumer key, ``sub`` user name, ``aud`` login URL, ``exp`` ≤ 3 minutes) with the
connected app's private key and exchange it at ``/services/oauth2/token``. simple-salesforce then
carries the session: its ``login`` helper hard-codes ``https://<domain>.salesforce.com``, so we mint
the assertion ourselves with PyJWT and hand simple-salesforce the resulting session id and
instance URL.

One session is reused by every thread; when Salesforce answers ``INVALID_SESSION_ID`` the
connection signs in again **once** and repeats the call. Every exchange goes through the provider
HTTP base (``integrations.http``: one pooled session, timeouts, the circuit breaker, call counting,
network errors and 5xx as transport errors); what is Salesforce's own is here: the JWT bearer
sign-in and simple-salesforce's errors turned into ours. Reads (queries) and idempotent writes (a
PATCH setting the same values) are retried on network errors, timeouts and 5xx with exponential
backoff and jitter; other writes are not.

A query answer comes in batches (Salesforce's default 2,000 records, at least 200, fewer when the
records are large; child records count towards it): ``query`` follows ``nextRecordsUrl`` until
``done``, for the top-level records and for every child subquery, and hands back one complete
answer. It is bounded (``max_query_records``, ``max_query_pages``): a query that would read more
fails with ``SalesforceQueryTooLarge`` instead of reading without end.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from simple_salesforce import Salesforce
from simple_salesforce import exceptions as sf_exceptions

from integrations.http import HttpSettings, ProviderConnection
from integrations.salesforce.errors import (
    KINDS,
    SalesforceApiError,
    SalesforceAuthError,
    SalesforceNotFound,
    SalesforceQueryTooLarge,
    SalesforceRequestLimitExceeded,
    SalesforceSessionExpired,
    SalesforceTransportError,
)

logger = logging.getLogger(__name__)
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME_SECONDS = 170  # Salesforce refuses assertions valid for more than 3 minutes
QUERY_OPTIONS_HEADER = "Sforce-Query-Options"
MIN_QUERY_BATCH_SIZE, MAX_QUERY_BATCH_SIZE = 200, 2000
REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
_NEXT_RECORDS_URL = re.compile(r"/services/data/v\d{1,3}\.\d/(query|queryAll)/([A-Za-z0-9][A-Za-z0-9-]{0,99})")


@dataclass(frozen=True)
class SalesforceConfig(HttpSettings):
    login_url: str
    client_id: str
    username: str
    private_key: str = field(repr=False)
    audience: str = ""  # defaults to the login URL
    api_version: str = "62.0"
    read_timeout: float = field(default=15.0, kw_only=True)
    query_batch_size: int | None = None
    """Sent as ``Sforce-Query-Options: batchSize=N`` (200 to 2,000); None: Salesforce's default (2,000)."""
    max_query_records: int = 10_000
    """The most records one query may answer (its ``totalSize``, child records included)."""
    max_query_pages: int = 100
    """The most ``nextRecordsUrl`` pages one query may follow."""

    def __post_init__(self) -> None:
        size = self.query_batch_size
        if size is not None and not MIN_QUERY_BATCH_SIZE <= size <= MAX_QUERY_BATCH_SIZE:
            raise ValueError(f"query_batch_size must be {MIN_QUERY_BATCH_SIZE} to {MAX_QUERY_BATCH_SIZE}")


@dataclass(frozen=True)
class SalesforceSession:
    access_token: str = field(repr=False)
    instance_url: str
    user_id: str = ""
    """The signed-in (integration) user's id, from the token answer's identity URL ``.../id/<org>/<user>``."""


class SalesforceConnection(ProviderConnection):
    name, kinds, logger = "salesforce", KINDS, logger
    config: SalesforceConfig

    def __init__(self, config: SalesforceConfig, **transport) -> None:
        super().__init__(config, **transport)
        self._lock = threading.Lock()
        self._client: Salesforce | None = None
        self._session: SalesforceSession | None = None

    # --- public operations ----------------------------------------------------------------------
    def query(self, soql: str) -> dict[str, Any]:
        """Run one SOQL query (built by ``integrations.salesforce.utils``); the raw JSON answer with
        every batch read: ``done`` true and all the records, child subqueries included."""
        headers = {QUERY_OPTIONS_HEADER: f"batchSize={self.config.query_batch_size}"} \
            if self.config.query_batch_size else {}
        first = self._retried("query", lambda client: client.query(soql, timeout=self._timeout, headers=headers))
        return self._complete(first, _PageBudget(self.config.max_query_records, self.config.max_query_pages))

    def create_tree(self, sobject: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST composite/tree/<sobject>``: records and their children, all or nothing."""
        return self._once(
            "create tree", lambda client: client.restful(f"composite/tree/{sobject}", method="POST", json=body,
                                                         timeout=self._timeout)
        )

    def create(self, sobject: str, fields: dict[str, Any]) -> dict[str, Any]:
        """``POST sobjects/<sobject>``: one record; the answer ``{"id", "success", "errors"}``. Not retried."""
        return self._once("create", lambda client: client.restful(f"sobjects/{sobject}", method="POST", json=fields,
                                                                    timeout=self._timeout))

    def update(self, sobject: str, record_id: str, fields: dict[str, Any]) -> None:
        """``PATCH sobjects/<sobject>/<id>``; setting the same values twice is harmless, so it is retried."""
        self._retried("update", lambda client: client.restful(f"sobjects/{sobject}/{record_id}", method="PATCH",
                                                           json=fields, timeout=self._timeout))

    def delete(self, sobject: str, record_id: str) -> None:
        self._once("delete", lambda client: client.restful(f"sobjects/{sobject}/{record_id}", method="DELETE",
                                                            timeout=self._timeout))

    def session(self) -> SalesforceSession:
        """The current session (signing in if needed): the Pub/Sub API reuses it."""
        self._ensure_client()
        assert self._session is not None
        return self._session

    def invalidate_session(self, stale: SalesforceSession | None = None) -> None:
        """Forget the session so the next call signs in again (unless another thread already did)."""
        with self._lock:
            if stale is None or self._session == stale:
                self._client = self._session = None

    # --- plumbing -------------------------------------------------------------------------------
    @property
    def _timeout(self) -> tuple[float, float]:
        return self._http.timeout

    def _get_next_batch(self, client: Salesforce, path: str) -> Any:
        """``GET`` the ``nextRecordsUrl`` path as Salesforce wrote it, on the session's instance.

        simple-salesforce's ``query_more`` either rebuilds the path with our API version or forces
        https on the instance host; its request helper sends the URL as given (with the session's
        headers, and its errors mapped as for every other call)."""
        origin = client.base_url.split("/services/data/", 1)[0]
        response = client._call_salesforce("GET", origin + path, name="query_more", timeout=self._timeout)  # noqa: SLF001
        return client.parse_result_to_json(response)

    def _complete(self, answer: Any, budget: _PageBudget) -> Any:
        """``answer`` with its later batches read and appended, and so for each child subquery of
        each record. Anything that is not a query answer is handed back as it is (the mapper says
        what is wrong with it)."""
        if not (isinstance(answer, dict) and isinstance(answer.get("records"), list)):
            return answer
        budget.expect(answer.get("totalSize"))
        records = list(answer["records"])
        page = answer
        while page.get("done") is False:
            path = _next_records_path(page.get("nextRecordsUrl"))
            budget.next_page()
            page = self._retried("query more", lambda client, p=path: self._get_next_batch(client, p))
            if not (isinstance(page, dict) and isinstance(page.get("records"), list)):
                raise SalesforceTransportError("query more", "the answer is not a query result")
            if not page["records"] and page.get("done") is False:
                raise SalesforceTransportError("query more", "a batch without records that is not the last")
            records.extend(page["records"])
        budget.count(len(records))
        for record in records:
            if isinstance(record, dict):
                for name, value in record.items():
                    if isinstance(value, dict) and isinstance(value.get("records"), list):
                        record[name] = self._complete(value, budget)
        complete = {key: value for key, value in answer.items() if key != "nextRecordsUrl"}
        complete.update(done=True, records=records)
        return complete

    def _retried(self, operation: str, call: Callable[[Salesforce], Any]) -> Any:
        """A call that is safe to repeat (a read, or a write setting the same values again)."""
        return self._http.retrying()(self._with_session, operation, call)

    def _once(self, operation: str, call: Callable[[Salesforce], Any]) -> Any:
        """A write that could be carried out twice: never repeated (nor by the caller, blindly)."""
        return self._with_session(operation, call)

    def _with_session(self, operation: str, call: Callable[[Salesforce], Any]) -> Any:
        """Run ``call``; on an expired session sign in again once and repeat it (nothing ran)."""
        client, session = self._ensure_client()
        try:
            return self._send(operation, call, client)
        except SalesforceSessionExpired:
            logger.info("salesforce session expired: signing in again")
            self.invalidate_session(session)
            client, _ = self._ensure_client()
            return self._send(operation, call, client)

    def _send(self, operation: str, call: Callable[[Salesforce], Any], client: Salesforce) -> Any:
        return self._http.exchange(operation, lambda: self._translated(operation, call, client))

    @staticmethod
    def _translated(operation: str, call: Callable[[Salesforce], Any], client: Salesforce) -> Any:
        """``call(client)``, simple-salesforce's errors raised as ours (a network error or a timeout
        the HTTP base turns into a transport error)."""
        try:
            return call(client)
        except sf_exceptions.SalesforceExpiredSession as exc:
            raise SalesforceSessionExpired(operation, "session expired", errors=_errors(exc)) from None
        except sf_exceptions.SalesforceResourceNotFound as exc:
            raise SalesforceNotFound(operation, "not found", errors=_errors(exc)) from None
        except (sf_exceptions.SalesforceMalformedRequest, sf_exceptions.SalesforceRefusedRequest,
                sf_exceptions.SalesforceMoreThanOneRecord) as exc:
            errors = _errors(exc)
            if any(error.get("errorCode") == REQUEST_LIMIT_EXCEEDED for error in errors):
                # 403: the org's API allocation is used up (or too many long requests run at once).
                raise SalesforceRequestLimitExceeded(operation, _summary(errors), errors=errors) from None
            raise SalesforceApiError(operation, _summary(errors) or f"HTTP {exc.status}", errors=errors) from None
        except sf_exceptions.SalesforceGeneralError as exc:
            raise SalesforceTransportError(operation, f"HTTP {exc.status}") from None
        except ValueError as exc:
            if isinstance(exc, requests.RequestException):  # requests' JSON errors: the HTTP base's to map
                raise
            raise SalesforceTransportError(operation, "answer is not JSON") from exc

    def _ensure_client(self) -> tuple[Salesforce, SalesforceSession]:
        with self._lock:
            if self._client is None or self._session is None:
                self._session = self._sign_in()
                client = Salesforce(instance_url=self._session.instance_url, session_id=self._session.access_token,
                                    session=self._http.session, version=self.config.api_version)
                # simple-salesforce assumes https; keep the scheme the token endpoint gave us.
                client.base_url = f"{self._session.instance_url.rstrip('/')}/services/data/v{self.config.api_version}/"
                self._client = client
            return self._client, self._session

    def _sign_in(self) -> SalesforceSession:
        """The JWT bearer flow: a short-lived assertion signed with the connected app's key, exchanged
        at the token endpoint for a session."""
        login_url = self.config.login_url.rstrip("/")
        claims = {
            "iss": self.config.client_id,
            "sub": self.config.username,
            "aud": self.config.audience or login_url,
            "exp": int(time.time()) + ASSERTION_LIFETIME_SECONDS,
        }
        try:
            assertion = jwt.encode(claims, self.config.private_key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError):
            raise SalesforceAuthError("sign-in", "the private key could not sign the assertion") from None
        return self._http.post("sign-in", f"{login_url}/services/oauth2/token",
                               data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion}, decode=self._token)

    def _token(self, response: requests.Response) -> SalesforceSession:
        try:
            body = response.json()
        except ValueError:
            body = None
        # Salesforce (or a proxy in front of it) failing is not a refusal of our credentials: 5xx, 429
        # and a 200 that is not a token are transport failures (retried, and counted by the breaker).
        self._http.refuse_unavailable("sign-in", response)
        if response.status_code == 200 and not (isinstance(body, dict) and body.get("access_token")
                                                and body.get("instance_url")):
            raise SalesforceTransportError("sign-in", "HTTP 200 without a token")
        body = body if isinstance(body, dict) else {}
        if response.status_code != 200:
            reason = f"{body.get('error', 'refused')}: {body.get('error_description', f'HTTP {response.status_code}')}"
            raise SalesforceAuthError("sign-in", reason)
        logger.info("salesforce signed in as %s", self.config.username)
        identity = body.get("id") if isinstance(body.get("id"), str) else ""
        return SalesforceSession(access_token=body["access_token"], instance_url=body["instance_url"],
                                 user_id=identity.rstrip("/").rsplit("/", 1)[-1] if identity else "")


class _PageBudget:
    """What one query may still read: records (by ``totalSize``) and ``nextRecordsUrl`` pages."""

    def __init__(self, max_records: int, max_pages: int) -> None:
        self.max_records, self.max_pages = max_records, max_pages
        self.records = self.pages = 0

    def expect(self, total_size: object) -> None:
        """Refuse at once a query whose ``totalSize`` is already over the bound (no page is read)."""
        if isinstance(total_size, int) and self.records + total_size > self.max_records:
            raise SalesforceQueryTooLarge("query", f"{total_size} records is more than the {self.max_records} "
                                                   "one query may read")

    def count(self, records: int) -> None:
        self.records += records
        if self.records > self.max_records:
            raise SalesforceQueryTooLarge("query", f"more than the {self.max_records} records one query may read")

    def next_page(self) -> None:
        self.pages += 1
        if self.pages > self.max_pages:
            raise SalesforceQueryTooLarge("query more", f"more than the {self.max_pages} batches one query may read")


def _next_records_path(next_records_url: object) -> str:
    """A ``nextRecordsUrl`` such as ``/services/data/v62.0/query/01gD0000002HU6KIAW-2000``, checked:
    anything else (another host, another resource) is refused, so the session's token only goes to
    Salesforce's own query locators."""
    if not (isinstance(next_records_url, str) and _NEXT_RECORDS_URL.fullmatch(next_records_url)):
        raise SalesforceTransportError("query more", "done is false without a usable nextRecordsUrl")
    return next_records_url


def _errors(exc: sf_exceptions.SalesforceError) -> tuple[dict, ...]:
    content = getattr(exc, "content", None)
    if isinstance(content, list):
        return tuple(e for e in content if isinstance(e, dict))
    if isinstance(content, dict):
        return (content,)
    return ()


def _summary(errors: tuple[dict, ...]) -> str:
    return "; ".join(f"{e.get('errorCode', '')}: {e.get('message', '')}" for e in errors)
