"""Demo only: staff pages that play the identity check in the Salesforce sandbox.

Staff open the Accounts whose residence card waits for review, look at both sides (the files the
customer sent to Salesforce Files on the Account) and set Verified, or Rejected with a reason the
customer reads, as they would on the Account in Salesforce.
"""
import requests
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from domain.shared.salesforce_id import InvalidSalesforceId, to_18
from domain.support.attachments import sniff
from portal.demo.sandboxes import salesforce_sandbox

MAX_REASON_LENGTH = 255
_ORDER = {"Under Review": 0, "Rejected": 1, "Not Submitted": 2, "Verified": 3}



def _account(store, account_id: str) -> dict:
    try:
        account = store.get("Account", to_18(account_id))
    except InvalidSalesforceId:
        account = None
    if account is None:
        raise Http404("No such account")
    return account


def _whole_number(value) -> int | None:
    """A Salesforce Number field as the number it holds (its JSON is ``1011.0``)."""
    return int(value) if isinstance(value, int | float) else None


@staff_member_required
def sandbox_identity(request: HttpRequest) -> HttpResponse:
    store = salesforce_sandbox().app.store
    accounts = sorted(store.rows("Account"), key=lambda a: (_ORDER.get(a.get("Identity_Verification_Status__c"), 9),
                                                            a["Name"]))
    return render(request, "demo/identity.html", {"accounts": [
        {"id": a["Id"], "name": a["Name"], "client": _whole_number(a.get("WHMCS_Client_Id__c")),
         "status": a.get("Identity_Verification_Status__c") or "Not Submitted"} for a in accounts]})


@staff_member_required
@require_http_methods(["GET", "POST"])
def sandbox_identity_account(request: HttpRequest, account_id: str) -> HttpResponse:
    sandbox = salesforce_sandbox()
    store = sandbox.app.store
    account = _account(store, account_id)
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        if decision not in ("Verified", "Rejected"):
            messages.error(request, _("Choose Verify or Reject."))
        elif decision == "Rejected" and not reason:
            messages.error(request, _("Tell the customer why: a rejection needs a reason."))
        elif len(reason) > MAX_REASON_LENGTH:
            messages.error(request, _("A reason can be at most %(count)d characters.") % {"count": MAX_REASON_LENGTH})
        else:
            answer = requests.post(f"{sandbox.url}/__sandbox__/accounts/{account['Id']}/identity", timeout=5,
                                   json={"status": decision, "reason": reason or None})
            if answer.ok:
                messages.success(request, _("%(name)s: identity %(status)s.") % {
                    "name": account["Name"], "status": decision})
            else:
                messages.error(request, _("The sandbox refused: %(reason)s") % {"reason": answer.text[:200]})
        return redirect("sandbox-identity-account", account_id=account["Id"])
    version = request.GET.get("file")
    if version:
        return _file(store, account["Id"], version)
    from sandbox.salesforce.identity import documents

    files = documents(sandbox.app, account["Id"])
    return render(request, "demo/identity_account.html", {
        "account": account, "status": account.get("Identity_Verification_Status__c") or "Not Submitted",
        "files": files})


def _file(store, account_id: str, version_id: str) -> HttpResponse:
    """One of the Account's files, as the browser can show it (its type from its content)."""
    try:
        version = store.get("ContentVersion", to_18(version_id))
    except InvalidSalesforceId:
        version = None
    if version is None or version.get("FirstPublishLocationId") != account_id:
        raise Http404("No such file")
    content = store.content(version["Id"]) or b""
    kind = sniff(content[:16])
    response = HttpResponse(content, content_type=kind.content_type if kind else "application/octet-stream")
    response["Content-Disposition"] = "inline" if kind else "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
