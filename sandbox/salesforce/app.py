"""The Salesforce emulator as a WSGI app: the JWT bearer token endpoint and the REST API parts the
portal uses (``query``/``queryAll``, ``sobjects``, ``composite/tree``), plus sandbox-only operator
endpoints under ``/__sandbox__/``."""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sandbox.common import BadRequest, EmulatorApp, FaultConfig, Request, Response, json_response
from sandbox.common.clock import PROVIDER_ZONE, provider_today
from sandbox.common.faults import coerce_config

from . import cases, identity, schema, soql
from .cursors import (
    DEFAULT_BATCH_SIZE,
    MAX_BATCH_SIZE,
    MIN_BATCH_SIZE,
    QUERY_OPTIONS_HEADER,
    Cursors,
    InvalidQueryLocator,
    batch_size,
)
from .ids import to_18
from .keys import generate_demo_keypair, load_public_key
from .oauth import JwtPolicy, OAuthError, Sessions, normalize_audience, verify_assertion
from .seed import INTEGRATION_USER_ID, ORG_ID, seed_store
from .store import SalesforceError, Store, not_found, to_json_value

logger = logging.getLogger("sandbox.salesforce")

TOKEN_PATH = "/services/oauth2/token"  # noqa: S105 - a URL path, not a secret
DATA_PREFIX = "/services/data/"
DEFAULT_CONSUMER_KEY = "sandbox-consumer-key"
DEFAULT_USERNAME = "integration@portal.example"
API_VERSION = "62.0"
_VERSIONED = re.compile(r"/services/data/v(\d{1,3}\.\d)(?:/(.*))?")
VERSIONS = (("58.0", "Summer '23"), ("59.0", "Winter '24"), ("60.0", "Spring '24"), ("61.0", "Summer '24"),
            ("62.0", "Winter '25"))
STATUS_FIELDS = ("Status", "Provisioning_Status__c", "Provisioning_Error__c", "WHMCS_Order_Id__c")
APPROVABLE = ("Pending Review", "Approved", "Failed")


@dataclass(frozen=True)
class SalesforceConfig:
    consumer_key: str = DEFAULT_CONSUMER_KEY
    """The connected app's consumer key: the assertion's ``iss``."""
    username: str = DEFAULT_USERNAME
    """The integration user: the assertion's ``sub``."""
    public_key_pem: str | bytes | None = None
    """The connected app's certificate or public key (PEM). None: the emulator makes a key pair and
    keeps the private half in ``app.private_key_pem``."""
    audiences: tuple[str, ...] | None = None
    """Accepted ``aud`` values. None: the login URL (``login_url``, or the URL the request came in on)."""
    login_url: str | None = None
    """This emulator's public base URL; also the ``instance_url`` it hands out. None: the request's."""
    session_ttl: float = 7200.0
    """Seconds an access token lives (Salesforce's default session timeout is 2 hours)."""
    max_assertion_lifetime: float = 180.0
    """How far in the future an assertion's ``exp`` may be (Salesforce: within 3 minutes)."""
    faults: FaultConfig | Mapping[str, Any] | None = None
    seed: int | None = None
    """Seeds the fault injector's random generator."""
    today: date | None = None
    """Pins the emulator's calendar (seed dates and record timestamps); default: the real today."""
    batch_size: int = DEFAULT_BATCH_SIZE
    """Records per query batch when the request asks for none (``Sforce-Query-Options: batchSize=N``
    asks for 200 to 2,000): Salesforce's default is 2,000; the tests run at 200 so that paging
    happens everywhere."""
    customers: int = 0
    """Generated customers seeded beside the demo ones (``sandbox.population``; the benchmark's)."""

    def __post_init__(self) -> None:
        if not MIN_BATCH_SIZE <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be {MIN_BATCH_SIZE} to {MAX_BATCH_SIZE}, as in Salesforce")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SalesforceConfig:
        """``SANDBOX_SALESFORCE_CONSUMER_KEY``, ``_USERNAME``, ``_PUBLIC_KEY`` (PEM) or ``_PUBLIC_KEY_FILE``,
        ``_AUDIENCES`` (comma-separated), ``_LOGIN_URL``, ``_SESSION_TTL``, ``_TODAY`` (YYYY-MM-DD),
        ``_BATCH_SIZE`` (200 to 2000), ``_CUSTOMERS``, and the fault variables (``SANDBOX_SALESFORCE_FAULT_*``,
        ``SANDBOX_FAULT_*``)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"SANDBOX_SALESFORCE_{name}")
            return value if value else None

        public_key = get("PUBLIC_KEY")
        if public_key is None and get("PUBLIC_KEY_FILE"):
            public_key = Path(get("PUBLIC_KEY_FILE")).read_text()
        audiences = get("AUDIENCES")
        return cls(
            consumer_key=get("CONSUMER_KEY") or DEFAULT_CONSUMER_KEY,
            username=get("USERNAME") or DEFAULT_USERNAME,
            public_key_pem=public_key,
            audiences=tuple(a.strip() for a in audiences.split(",") if a.strip()) if audiences else None,
            login_url=get("LOGIN_URL"),
            session_ttl=float(get("SESSION_TTL") or 7200.0),
            faults=FaultConfig.from_env(env, emulator="salesforce"),
            today=date.fromisoformat(get("TODAY")) if get("TODAY") else None,
            batch_size=int(get("BATCH_SIZE") or DEFAULT_BATCH_SIZE),
            customers=int(get("CUSTOMERS") or 0),
        )


@dataclass(frozen=True)
class OrderApproval:
    """An operator approved an order: what the Pub/Sub emulator will publish as
    ``OrderProvisionRequested__e``."""

    order_id: str
    account_id: str
    order_number: str
    idempotency_key: str
    """``Portal_Request_Id__c``, or the order id when the order has none."""
    approved_at: datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["approved_at"] = self.approved_at.isoformat()
        return data


def _errors(*errors: SalesforceError | soql.SoqlError, status: int | None = None) -> Response:
    status = status or getattr(errors[0], "status", 400)
    return json_response([error.to_json() for error in errors], status)


def _session_error() -> Response:
    return json_response([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], 401)


class SalesforceSandbox(EmulatorApp):
    name = "salesforce"

    def __init__(
        self,
        config: SalesforceConfig | None = None,
        *,
        on_order_approved: Callable[[OrderApproval], None] | None = None,
        **overrides: Any,
    ):
        config = replace(config or SalesforceConfig(), **overrides)
        if isinstance(config.audiences, str):
            config = replace(config, audiences=(config.audiences,))
        super().__init__(faults=coerce_config(config.faults), seed=config.seed)
        self.config = config
        self.org_id = ORG_ID
        self.user_id = INTEGRATION_USER_ID
        self.private_key_pem: str | None = None
        self._public_key = None
        if config.public_key_pem is None:
            self.private_key_pem, public_pem = generate_demo_keypair()
            self.set_public_key(public_pem)
        else:
            self.set_public_key(config.public_key_pem)
        self.sessions = Sessions(self.org_id, config.session_ttl)
        self.on_order_approved = on_order_approved
        self.approved_orders: list[OrderApproval] = []
        self.pubsub: Any = None
        """The attached Pub/Sub emulator (``sandbox.salesforce.pubsub``), if any: each approval publishes
        ``OrderProvisionRequested__e`` on it, ``/__sandbox__/pubsub/...`` reaches it, a reset expires
        its events and stopping this emulator stops it."""
        self._lock = threading.RLock()
        self.store = self._seeded_store()
        self.cursors = Cursors()
        """The open query cursors (``nextRecordsUrl``); a reset releases them."""

    # -- clock and keys ---------------------------------------------------------------------------
    def today(self) -> date:
        """The org's today (its time zone is Asia/Tokyo, as the portal's business day)."""
        return provider_today(self.config.today)

    def now(self) -> datetime:
        now = datetime.now(PROVIDER_ZONE)
        if self.config.today:
            now = datetime.combine(self.config.today, now.timetz())
        now = now.astimezone(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)  # Salesforce keeps milliseconds

    def set_public_key(self, pem: str | bytes) -> None:
        """Install the connected app's certificate or public key (PEM); ``ValueError`` if it is not one."""
        self._public_key = load_public_key(pem)

    def _seeded_store(self) -> Store:
        store = Store(self.now)
        seed_store(store, self.today(), self.config.customers)
        return store

    # -- EmulatorApp hooks ------------------------------------------------------------------------
    def api_call_name(self, request: Request) -> str | None:
        path = request.path.rstrip("/")
        if path == TOKEN_PATH:
            return "oauth2/token"
        match = _VERSIONED.fullmatch(path)
        if not match:
            return "versions" if path == DATA_PREFIX.rstrip("/") else None
        resource = match.group(2) or ""
        parts = resource.split("/")
        if parts[0] in ("query", "queryAll"):
            return "query more" if len(parts) > 1 else parts[0]
        if parts[0] == "sobjects" and len(parts) > 1:
            return f"{request.method} sobjects/{parts[1]}"
        if parts[0] == "composite" and len(parts) > 2 and parts[1] == "tree":
            return f"{request.method} composite/tree/{parts[2]}"
        return f"{request.method} {resource}".rstrip()

    def reset_state(self) -> None:
        with self._lock:
            self.store = self._seeded_store()
            self.approved_orders.clear()
            self.cursors.reset()
        if self.pubsub is not None:
            self.pubsub.reset()

    def shutdown(self) -> None:
        super().shutdown()
        if self.pubsub is not None:
            self.pubsub.stop()

    def _api(self, request: Request, call: str) -> Response:
        response = super()._api(request, call)
        if response.header("Retry-After") is not None and request.path.startswith(DATA_PREFIX):
            # An injected rate limit, answered as Salesforce answers a used-up API allocation: 403
            # REQUEST_LIMIT_EXCEEDED, whatever status the fault names, and no Retry-After (the
            # allocation is a rolling 24 hours; Salesforce does not say when to come back).
            return json_response([{"message": "TotalRequests Limit exceeded.",
                                   "errorCode": "REQUEST_LIMIT_EXCEEDED"}], 403)
        return response

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        try:
            if path == TOKEN_PATH:
                return self._token(request)
            if path == DATA_PREFIX.rstrip("/"):
                return json_response([{"label": label, "url": f"/services/data/v{v}", "version": v}
                                      for v, label in VERSIONS])
            match = _VERSIONED.fullmatch(path)
            if match is None:
                return _errors(not_found())
            if not self.sessions.valid(_bearer(request)):
                return _session_error()
            response = self._rest(request, match.group(1), match.group(2) or "")
        except SalesforceError as exc:
            response = _errors(exc)
        except Exception:
            logger.exception("salesforce sandbox failed on %s %s", request.method, request.path)
            response = json_response([{"message": "An unexpected error occurred. Please include this ErrorId if "
                                                  "you contact support: 1234567890-12345 (-1234567890)",
                                       "errorCode": "UNKNOWN_EXCEPTION"}], 500)
        if path.startswith(DATA_PREFIX):
            response.set_header("Sforce-Limit-Info", f"api-usage={self.stats()['total']}/15000")
        return response

    # -- OAuth ------------------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            return json_response({"error": "invalid_request", "error_description": "must use HTTP POST"}, 400)
        base = (self.config.login_url or request.base_url).rstrip("/")
        audiences = self.config.audiences if self.config.audiences is not None else (base,)
        policy = JwtPolicy(
            consumer_key=self.config.consumer_key,
            username=self.config.username,
            public_key=self._public_key,
            audiences=frozenset(normalize_audience(a) for a in audiences),
            max_lifetime=self.config.max_assertion_lifetime,
        )
        form = request.form
        try:
            verify_assertion(form.get("grant_type"), form.get("assertion"), policy, time.time())
        except OAuthError as exc:
            return json_response(exc.to_json(), 400)
        return json_response({
            "access_token": self.sessions.issue(),
            "scope": "api",
            "instance_url": base,
            "id": f"{base}/id/{self.org_id}/{self.user_id}",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
        })

    # -- REST -------------------------------------------------------------------------------------
    def _rest(self, request: Request, version: str, resource: str) -> Response:
        parts = resource.split("/") if resource else []
        method = request.method
        if not parts:
            return self._only(method, "GET") or json_response({
                name: f"/services/data/v{version}/{name}" for name in ("sobjects", "query", "queryAll", "composite")
            })
        head = parts[0]
        if head in ("query", "queryAll") and len(parts) == 1:
            return self._only(method, "GET") or self._query(request, version, include_deleted=head == "queryAll")
        if head in ("query", "queryAll") and len(parts) == 2:
            return self._only(method, "GET") or self._query_more(parts[1])
        if head == "sobjects" and len(parts) == 1:
            return self._only(method, "GET") or self._describe_global(version)
        if head == "sobjects" and len(parts) == 4 and parts[1].lower() == "contentversion" \
                and parts[3] == "VersionData":
            return self._only(method, "GET") or cases.version_data(self, parts[2])
        if head == "sobjects" and len(parts) in (2, 3):
            sobject = schema.sobject(parts[1])
            if sobject is None:
                raise not_found()
            if len(parts) == 2:
                return self._only(method, "POST") or self._create(request, sobject)
            return self._record(request, sobject, parts[2], version)
        if head == "composite" and len(parts) == 3 and parts[1] == "tree":
            return self._only(method, "POST") or self._tree(request, parts[2])
        raise not_found()

    @staticmethod
    def _only(method: str, allowed: str) -> Response | None:
        if method == allowed or (allowed == "GET" and method == "HEAD"):
            return None
        allowed_list = "GET,HEAD" if allowed == "GET" else allowed
        return json_response([{"message": f"HTTP Method '{method}' not allowed. Allowed are {allowed_list}",
                               "errorCode": "METHOD_NOT_ALLOWED"}], 405)

    def _query(self, request: Request, version: str, *, include_deleted: bool) -> Response:
        """The first batch of the answer (``batchSize`` from ``Sforce-Query-Options``, else the
        configured size), with a ``nextRecordsUrl`` when there is more."""
        text = request.query.get("q")
        try:
            with self._lock:
                answer = soql.execute(text or "", self.store, version=version, include_deleted=include_deleted)
        except soql.SoqlError as exc:
            return _errors(exc)
        size = batch_size(request.headers.get(QUERY_OPTIONS_HEADER), self.config.batch_size)
        return json_response(self.cursors.first_batch(answer, batch=size, version=version))

    def _query_more(self, locator: str) -> Response:
        """``GET query/<locator>``: the next batch of an earlier query (Query More Results)."""
        try:
            return json_response(self.cursors.next_batch(locator))
        except InvalidQueryLocator:
            return json_response([{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}], 400)

    def _describe_global(self, version: str) -> Response:
        return json_response({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
            {"name": t.name, "label": t.label, "keyPrefix": t.prefix, "createable": t.createable,
             "updateable": t.updateable, "deletable": t.deletable, "queryable": True,
             "urls": {"sobject": f"/services/data/v{version}/sobjects/{t.name}",
                      "rowTemplate": f"/services/data/v{version}/sobjects/{t.name}/{{ID}}"}}
            for t in schema.OBJECTS.values()
        ]})

    def record_json(self, sobject: schema.SObjectType, record: dict[str, Any], version: str = API_VERSION,
                    fields: list[str] | None = None) -> dict[str, Any]:
        """A record as ``GET sobjects/<Type>/<Id>`` answers it."""
        out: dict[str, Any] = {"attributes": {
            "type": sobject.name, "url": f"/services/data/v{version}/sobjects/{sobject.name}/{record['Id']}"
        }}
        chosen = sobject.fields if fields is None else [sobject.field(name) for name in fields]
        for field in chosen:
            out[field.name] = to_json_value(field, record.get(field.name))
        return out

    def _record(self, request: Request, sobject: schema.SObjectType, record_id: str, version: str) -> Response:
        method = request.method
        with self._lock:
            if method in ("GET", "HEAD"):
                record = self.store.get(sobject.name, to_18(record_id) or "")
                if record is None:
                    raise not_found()
                fields = None
                if request.query.get("fields"):
                    fields = [name.strip() for name in request.query["fields"].split(",") if name.strip()]
                    unknown = [name for name in fields if sobject.field(name) is None]
                    if unknown:
                        raise SalesforceError("INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type "
                                                               f"{sobject.name}")
                return json_response(self.record_json(sobject, record, version, fields))
            if method == "PATCH":
                if not sobject.updateable:
                    return self._not_allowed(method, sobject)
                self.store.update(sobject.name, record_id, _json_object(request))
                return Response(b"", 204)
            if method == "DELETE":
                self.store.delete(sobject.name, record_id)
                return Response(b"", 204)
        return self._not_allowed(method, sobject)

    @staticmethod
    def _not_allowed(method: str, sobject: schema.SObjectType) -> Response:
        return json_response([{"message": f"HTTP Method '{method}' not allowed. Allowed are "
                                          f"{sobject.allowed_methods}", "errorCode": "METHOD_NOT_ALLOWED"}], 405)

    def _create(self, request: Request, sobject: schema.SObjectType) -> Response:
        if not sobject.createable:
            return json_response([{"message": "HTTP Method 'POST' not allowed. Allowed are GET,HEAD",
                                   "errorCode": "METHOD_NOT_ALLOWED"}], 405)
        body = _json_object(request)
        with self._lock:
            snapshot = self.store.snapshot()
            try:
                record = self.store.insert(sobject.name, body)
            except SalesforceError:
                self.store.restore(snapshot)
                raise
        return json_response({"id": record["Id"], "success": True, "errors": []}, 201)

    def _tree(self, request: Request, type_name: str) -> Response:
        """``POST composite/tree/<Type>``: records with nested children, all created or none."""
        sobject = schema.sobject(type_name)
        if sobject is None:
            raise not_found()
        body = _json_object(request)
        records = body.get("records")
        if not isinstance(records, list) or not records:
            raise SalesforceError("INVALID_INPUT", "The request must contain a non-empty 'records' array")
        plan: list[tuple[str, schema.SObjectType, dict, tuple[str, str] | None]] = []
        # Breadth first, as Salesforce lists the results: every parent before its children.
        level = [(record, sobject, None) for record in records]
        while level:
            following = []
            for record, record_type, parent in level:
                reference = _reference_id(record)
                if reference is None:
                    return json_response({"hasErrors": True, "results": [{"referenceId": None, "errors": [
                        {"statusCode": "INVALID_INPUT", "message": "Include a reference ID for each record in the "
                                                                   "request.", "fields": []}]}]}, 400)
                plan.append((reference, record_type, record, parent))
                if not isinstance(record, dict):
                    continue
                for key, value in record.items():
                    relationship = record_type.child(key)
                    if relationship is None or not isinstance(value, dict):
                        continue
                    child_type = schema.sobject(relationship.child)
                    children = value.get("records")
                    for child in children if isinstance(children, list) else []:
                        following.append((child, child_type, (reference, relationship.field)))
            level = following

        references = [reference for reference, *_ in plan]
        duplicates = [r for r in references if references.count(r) > 1]
        if duplicates:
            return json_response({"hasErrors": True, "results": [
                {"referenceId": r, "errors": [{"statusCode": "INVALID_INPUT", "message": f"Duplicate ReferenceId "
                                               f"provided in the request: {r}", "fields": []}]} for r in duplicates
            ]}, 400)

        with self._lock:
            snapshot = self.store.snapshot()
            created: dict[str, str] = {}
            results = []
            for reference, record_type, record, parent in plan:
                try:
                    values = self._tree_values(record, record_type)
                    if parent is not None:
                        values[parent[1]] = created[parent[0]]
                    created[reference] = self.store.insert(record_type.name, values)["Id"]
                except SalesforceError as exc:
                    self.store.restore(snapshot)
                    return json_response({"hasErrors": True, "results": [
                        {"referenceId": reference, "errors": [exc.to_tree_error()]}
                    ]}, 400)
                results.append({"referenceId": reference, "id": created[reference]})
        return json_response({"hasErrors": False, "results": results}, 201)

    @staticmethod
    def _tree_values(record: Any, record_type: schema.SObjectType) -> dict[str, Any]:
        if not isinstance(record, dict):
            raise SalesforceError("INVALID_INPUT", "Each record must be a JSON object", [])
        attributes = record.get("attributes")
        if not isinstance(attributes, dict) or not isinstance(attributes.get("type"), str):
            raise SalesforceError("INVALID_INPUT", "Each record must have attributes with a type", [])
        if attributes["type"].lower() != record_type.name.lower():
            raise SalesforceError("INVALID_INPUT", f"The record type {attributes['type']} does not match "
                                                   f"{record_type.name}", [])
        values = {}
        for key, value in record.items():
            if key == "attributes":
                continue
            if record_type.child(key) is not None:
                if not isinstance(value, dict) or not isinstance(value.get("records"), list):
                    raise SalesforceError("INVALID_INPUT", f"{key} must be an object with a records array", [])
                continue
            values[key] = value
        return values

    # -- sandbox-only control endpoints -----------------------------------------------------------
    def _control(self, request: Request) -> Response:
        route = request.path[len("/__sandbox__/"):].rstrip("/")
        method = request.method
        try:
            if route == "expire-sessions" and method == "POST":
                body = request.json
                tokens = None
                if isinstance(body, dict) and body.get("access_token"):
                    tokens = [str(body["access_token"])]
                return json_response({"expired": self.sessions.expire(tokens)})
            if route == "public-key" and method == "PUT":
                body = request.json if request.content_type == "application/json" else None
                pem = body.get("public_key_pem") if isinstance(body, dict) else request.body.decode("utf-8", "replace")
                try:
                    self.set_public_key(pem or "")
                except ValueError as exc:
                    return json_response({"error": str(exc)}, 400)
                return json_response({"status": "installed"})
            if route == "approved-orders" and method == "GET":
                with self._lock:
                    return json_response([approval.to_json() for approval in self.approved_orders])
            if (route == "pubsub" or route.startswith("pubsub/")) and self.pubsub is not None:
                return self.pubsub.http_control(request, route[len("pubsub/"):])
            if route.startswith("cases/") and (answer := cases.http_control(self, request, route)) is not None:
                return answer
            if route.startswith("accounts/") and (answer := identity.http_control(self, request, route)) is not None:
                return answer
            match = re.fullmatch(r"orders/([^/]+)/(approve|status)", route)
            if match and method == "POST":
                if match.group(2) == "approve":
                    return self._approve(match.group(1))
                return self._set_status(match.group(1), request)
        except BadRequest as exc:
            return json_response({"error": str(exc)}, 400)
        return super()._control(request)

    def approve_order(self, order_id: str) -> OrderApproval:
        """Play the operator approving an order: ``Provisioning_Status__c = Approved``, and an approval
        recorded in ``approved_orders``, passed to ``on_order_approved`` and, with a Pub/Sub emulator
        attached, published there as ``OrderProvisionRequested__e``."""
        with self._lock:
            order = self.store.get("Order", to_18(order_id) or "")
            if order is None:
                raise not_found()
            if order["Provisioning_Status__c"] not in APPROVABLE:
                raise SalesforceError("INVALID_STATUS", f"Order {order['OrderNumber']} is "
                                                        f"{order['Provisioning_Status__c']}: only orders that are "
                                                        f"{', '.join(APPROVABLE)} can be approved", status=409)
            self.store.update("Order", order["Id"], {"Provisioning_Status__c": "Approved",
                                                     "Provisioning_Error__c": None})
            approval = OrderApproval(order["Id"], order["AccountId"], order["OrderNumber"],
                                     order["Portal_Request_Id__c"] or order["Id"], self.now())
            self.approved_orders.append(approval)
        if self.on_order_approved is not None:
            try:
                self.on_order_approved(approval)
            except Exception:
                logger.exception("on_order_approved failed for %s", approval.order_id)
        if self.pubsub is not None:
            try:
                self.pubsub.order_approved(approval)
            except Exception:
                logger.exception("publishing OrderProvisionRequested__e failed for %s", approval.order_id)
        return approval

    def _approve(self, order_id: str) -> Response:
        try:
            approval = self.approve_order(order_id)
        except SalesforceError as exc:
            return json_response({"error": exc.message}, exc.status)
        with self._lock:
            order = self.store.get("Order", approval.order_id)
            return json_response({"approval": approval.to_json(), "order": self.record_json(schema.sobject("Order"),
                                                                                             order)})

    def _set_status(self, order_id: str, request: Request) -> Response:
        body = request.json
        if not isinstance(body, dict) or not body:
            return json_response({"error": f"send a JSON object with any of {', '.join(STATUS_FIELDS)}"}, 400)
        unknown = sorted(set(body) - set(STATUS_FIELDS))
        if unknown:
            return json_response({"error": f"unknown field(s): {', '.join(unknown)}; "
                                           f"known: {', '.join(STATUS_FIELDS)}"}, 400)
        with self._lock:
            try:
                order = self.store.update("Order", order_id, body)
            except SalesforceError as exc:
                return json_response({"error": exc.message, "errorCode": exc.code}, exc.status)
            return json_response(self.record_json(schema.sobject("Order"), order))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    return None


def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"null")
    except ValueError as exc:
        raise SalesforceError("JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
    if not isinstance(body, dict):
        raise SalesforceError("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object value")
    return body


def _reference_id(record: Any) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("attributes"), dict):
        reference = record["attributes"].get("referenceId")
        if isinstance(reference, str) and reference:
            return reference
    return None


__all__ = ["API_VERSION", "OrderApproval", "SalesforceConfig", "SalesforceSandbox"]
