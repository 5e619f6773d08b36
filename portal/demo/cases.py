"""Demo only: staff pages that play the support agent in the Salesforce sandbox.

An agent reads every case with its whole conversation (internal notes included), replies
(publicly, or as an internal note), changes the status and, on an MNP request, records the
reservation number and its expiry (``MNP_Reservation_Number__c``, ``MNP_Reservation_Expiry__c``). The sandbox publishes
``Case_Status_Update__e`` on its Pub/Sub API exactly as the org's flow would; the portal's
subscriber then forgets the customer's cached cases, so the customer sees the change at once.
"""
from datetime import date

import requests
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from domain.shared.salesforce_id import InvalidSalesforceId, to_18
from portal.demo.sandboxes import salesforce_sandbox

STATUSES = ("New", "Working", "Escalated", "On Hold", "Waiting on Customer", "Closed")
MAX_REPLY_LENGTH = 4000
MNP_FIELDS = ("MNP_Reservation_Number__c", "MNP_Reservation_Expiry__c")



@staff_member_required
def sandbox_cases(request: HttpRequest) -> HttpResponse:
    store = salesforce_sandbox().app.store
    accounts = {a["Id"]: a["Name"] for a in store.rows("Account")}
    cases = sorted(store.rows("Case"), key=lambda c: (c["IsClosed"], -c["LastModifiedDate"].timestamp()))
    rows = [{"id": c["Id"], "number": c["CaseNumber"], "subject": c["Subject"], "status": c["Status"],
             "priority": c["Priority"], "account": accounts.get(c["AccountId"], "?"),
             "updated": c["LastModifiedDate"]} for c in cases]
    return render(request, "demo/cases.html", {"cases": rows})


@staff_member_required
@require_http_methods(["GET", "POST"])
def sandbox_case(request: HttpRequest, case_id: str) -> HttpResponse:
    sandbox = salesforce_sandbox()
    try:
        case_id = to_18(case_id)
    except InvalidSalesforceId:
        raise Http404("No such case") from None
    store = sandbox.app.store
    case = store.get("Case", case_id)
    if case is None:
        raise Http404("No such case")
    if request.method == "POST":
        body = request.POST.get("body", "").strip()
        status = request.POST.get("status", "")
        public = request.POST.get("visibility", "public") == "public"
        fields, bad_mnp = _mnp_fields(request, case)
        if bad_mnp:
            messages.error(request, _("Enter the reservation number and the day it expires (YYYY-MM-DD), or neither."))
        elif len(body) > MAX_REPLY_LENGTH:
            messages.error(request, _("A reply can be at most %(count)d characters.") % {"count": MAX_REPLY_LENGTH})
        elif status and status not in STATUSES:
            messages.error(request, _("Choose one of the statuses offered."))
        elif not body and (not status or status == case["Status"]) and not fields:
            messages.error(request, _("Write a reply or choose another status."))
        else:
            answer = requests.post(f"{sandbox.url}/__sandbox__/cases/{case_id}/reply", timeout=5, json={
                "body": body or None, "public": public, "status": status if status != case["Status"] else None,
                "fields": fields or None})
            if answer.ok:
                messages.success(request, _("Case %(number)s updated.") % {"number": case["CaseNumber"]})
            else:
                messages.error(request, _("The sandbox refused: %(reason)s") % {"reason": answer.text[:200]})
        return redirect("sandbox-case", case_id=case_id)
    account = store.get("Account", case["AccountId"]) if case.get("AccountId") else None
    users = {u["Id"]: u["Name"] for u in store.rows("User")}
    comments = sorted((c for c in store.rows("CaseComment") if c["ParentId"] == case_id),
                      key=lambda c: (c["CreatedDate"], c["Id"]))
    conversation = [{"body": c["CommentBody"], "public": c["IsPublished"], "at": c["CreatedDate"],
                     "by": users.get(c["CreatedById"], "?")} for c in comments]
    links = [link["ContentDocumentId"] for link in store.rows("ContentDocumentLink")
             if link["LinkedEntityId"] == case_id]
    files = [store.get("ContentDocument", document_id) for document_id in links]
    fields = [(name, case.get(name)) for name in (
        "Origin", "Priority", "Portal_Category__c", "WHMCS_Invoice_Id__c", "WHMCS_Service_Id__c", "Order__c",
        "SIM_ICCID__c", "Loss_Type__c", "Incident_Date__c", "MNP_Holder_Name__c", "Replacement_Reason__c",
        "SIM_Size__c", "Delivery_Postal_Code__c", "Delivery_Prefecture__c", "Delivery_City__c", "Delivery_Street__c",
        "Delivery_Building__c", "SuppliedName", "SuppliedEmail") if case.get(name) not in (None, "")]
    record_type = store.get("RecordType", case.get("RecordTypeId") or "")
    return render(request, "demo/case.html", {
        "case": case, "account": account["Name"] if account else "?", "conversation": conversation,
        "files": [f for f in files if f is not None], "fields": fields, "statuses": STATUSES,
        "record_type": record_type["Name"] if record_type else "",
        "is_mnp": bool(record_type) and record_type["DeveloperName"] == "Portal_MNP_Reservation",
        "mnp_number": case.get("MNP_Reservation_Number__c") or "",
        "mnp_expiry": case.get("MNP_Reservation_Expiry__c") or "",
    })


def _mnp_fields(request: HttpRequest, case: dict) -> tuple[dict, bool]:
    """The MNP reservation number and expiry the agent typed, when they changed: (fields, malformed)."""
    if "mnp_number" not in request.POST:
        return {}, False
    number = request.POST.get("mnp_number", "").strip()[:20]
    expiry = request.POST.get("mnp_expiry", "").strip()
    if bool(number) != bool(expiry):
        return {}, True
    if expiry:
        try:
            expiry = date.fromisoformat(expiry).isoformat()
        except ValueError:
            return {}, True
    wanted = {"MNP_Reservation_Number__c": number or None, "MNP_Reservation_Expiry__c": expiry or None}
    current = {name: str(case.get(name)) if case.get(name) else None for name in MNP_FIELDS}
    return ({} if wanted == current else wanted), False
