"""The identity check in the Salesforce emulator: staff look at the residence card a customer sent
(Salesforce Files on the Account) and set ``Identity_Verification_Status__c``, with a reason when
they reject it, as they would on the Account's page in Salesforce.

- ``review(app, account_id, status=..., reason=...)`` sets it (``Verified``, or ``Rejected`` with a
  reason; ``Under Review`` and ``Not Submitted`` are accepted too, to replay a case).
- ``POST /__sandbox__/accounts/<id>/identity`` with ``{"status": "Rejected", "reason": "..."}`` plays
  it over HTTP.
"""
from __future__ import annotations

from typing import Any

from sandbox.common import Request, Response, json_response

from . import schema
from .ids import to_18
from .store import SalesforceError, not_found


def review(app: Any, account_id: str, *, status: str, reason: str | None = None) -> dict[str, Any]:
    """Set the Account's identity status; the Account as Salesforce answers it. ``SalesforceError``
    for an unknown Account, an unknown status, or a rejection without a reason."""
    if status not in schema.IDENTITY_STATUSES:
        raise SalesforceError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                              f"Identity Verification Status: bad value for restricted picklist field: {status}")
    reason = (reason or "").strip() or None
    if status == "Rejected" and reason is None:
        raise SalesforceError("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Give the customer a reason for the rejection",
                              ["Identity_Rejection_Reason__c"])
    with app._lock:
        account = app.store.get("Account", to_18(account_id) or "")
        if account is None:
            raise not_found()
        app.store.update("Account", account["Id"], {
            "Identity_Verification_Status__c": status,
            "Identity_Rejection_Reason__c": reason if status == "Rejected" else None,
        })
        return app.record_json(schema.sobject("Account"), app.store.get("Account", account["Id"]))


def documents(app: Any, account_id: str) -> list[dict[str, Any]]:
    """The files on the Account (newest first): each ContentDocument with its latest version's id."""
    with app._lock:
        store = app.store
        links = [link["ContentDocumentId"] for link in store.rows("ContentDocumentLink")
                 if link["LinkedEntityId"] == account_id]
        found = [store.get("ContentDocument", document_id) for document_id in links]
        return sorted((dict(d) for d in found if d is not None), key=lambda d: d["CreatedDate"], reverse=True)


def http_control(app: Any, request: Request, route: str) -> Response | None:
    """``/__sandbox__/accounts/<id>/identity``; None when the route is not this one."""
    parts = route.split("/")
    if len(parts) != 3 or parts[0] != "accounts" or parts[2] != "identity" or request.method != "POST":
        return None
    body = request.json
    if not isinstance(body, dict) or not isinstance(body.get("status"), str) \
            or not isinstance(body.get("reason", ""), str | None):
        return json_response({"error": 'send {"status": "Verified"} or {"status": "Rejected", "reason": "..."}'}, 400)
    try:
        account = review(app, parts[1], status=body["status"], reason=body.get("reason"))
    except SalesforceError as exc:
        return json_response({"error": exc.message, "errorCode": exc.code}, exc.status)
    return json_response({"account": account})
