"""Support cases in the Salesforce emulator: the operator's side, and the files' bytes.

- ``reply``: staff answer a case (a public reply, or an internal note) and/or change its status,
  as a support agent would in Salesforce. The change is published on the attached Pub/Sub API as
  ``Case_Status_Update__e`` (as the org's record-triggered flow does), and handed to
  ``app.on_case_updated`` when set. An internal note alone publishes nothing: customers never see
  one, so nothing of theirs changed.
- ``POST /__sandbox__/cases/<id>/reply`` with ``{"body": "...", "public": true, "status": "Closed"}``
  (at least a body, a status or fields) plays it over HTTP; ``"fields": {"MNP_Reservation_Number__c":
  "1234567890", "MNP_Reservation_Expiry__c": "2026-12-18"}`` records what staff type into the case
  (an MNP reservation number and its expiry), published like a status change.
- ``GET sobjects/ContentVersion/<id>/VersionData`` answers a file's bytes, as Salesforce does.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.common import Request, Response, json_response

from . import schema
from .ids import to_18
from .store import SalesforceError, not_found
from .support_seed import SUPPORT_USER_ID

logger = logging.getLogger("sandbox.salesforce")


@dataclass(frozen=True)
class CaseUpdate:
    """What staff changed on a case: published as ``Case_Status_Update__e``."""

    case_id: str
    account_id: str | None
    status: str
    comment_id: str | None
    changed_at: datetime


def reply(app: Any, case_id: str, *, body: str | None = None, public: bool = True, status: str | None = None,
          fields: dict[str, Any] | None = None, by: str = SUPPORT_USER_ID) -> CaseUpdate:
    """Staff answer ``case_id`` (``body``: a public reply, or an internal note when not ``public``),
    set its ``status`` and/or edit its ``fields``; ``SalesforceError`` when the case or a value is
    refused (nothing is changed then)."""
    if not body and not status and not fields:
        raise SalesforceError("INVALID_INPUT", "send a body, a status, fields or several")
    with app._lock:
        store = app.store
        snapshot = store.snapshot()
        try:
            case = store.get("Case", to_18(case_id) or "")
            if case is None:
                raise not_found()
            comment_id = None
            if body:
                comment = store.insert("CaseComment", {"ParentId": case["Id"], "CommentBody": body,
                                                       "IsPublished": bool(public), "CreatedById": by}, system=True)
                comment_id = comment["Id"]
            if status or fields:
                store.update("Case", case["Id"], {**(fields or {}), **({"Status": status} if status else {})})
        except SalesforceError:
            store.restore(snapshot)
            raise
        update = CaseUpdate(case["Id"], case.get("AccountId"), case["Status"], comment_id, app.now())
    if status or fields or public:
        _announce(app, update)
    return update


def _announce(app: Any, update: CaseUpdate) -> None:
    callback = getattr(app, "on_case_updated", None)
    if callback is not None:
        try:
            callback(update)
        except Exception:
            logger.exception("on_case_updated failed for %s", update.case_id)
    if app.pubsub is not None and update.account_id:
        try:
            app.pubsub.case_updated(update)
        except Exception:
            logger.exception("publishing Case_Status_Update__e failed for %s", update.case_id)


def http_control(app: Any, request: Request, route: str) -> Response | None:
    """``/__sandbox__/cases/...``; None when the route is not one of these."""
    parts = route.split("/")
    if len(parts) == 3 and parts[0] == "cases" and parts[2] == "reply" and request.method == "POST":
        body = request.json
        if not isinstance(body, dict):
            return json_response({"error": 'send {"body": "...", "public": true, "status": "Closed"}'}, 400)
        text, status, public = body.get("body"), body.get("status"), body.get("public", True)
        fields = body.get("fields")
        if (text is not None and not isinstance(text, str)) or (status is not None and not isinstance(status, str)) \
                or not isinstance(public, bool) or (fields is not None and not isinstance(fields, dict)):
            return json_response({"error": "body and status are text, public is true or false, fields an object"},
                                 400)
        try:
            update = reply(app, parts[1], body=text, public=public, status=status, fields=fields)
        except SalesforceError as exc:
            return json_response({"error": exc.message, "errorCode": exc.code}, exc.status)
        with app._lock:
            case = app.store.get("Case", update.case_id)
            return json_response({"case": app.record_json(schema.sobject("Case"), case),
                                  "comment_id": update.comment_id})
    return None


def version_data(app: Any, version_id: str) -> Response:
    """The bytes of a file version (``application/octet-stream``), as Salesforce answers them."""
    with app._lock:
        content = app.store.content(version_id)
    if content is None:
        raise not_found()
    response = Response(content, 200)
    response.set_header("Content-Type", "application/octet-stream")
    return response
