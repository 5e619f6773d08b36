"""Demo only: a staff page that plays the Salesforce operator approving orders in the sandbox.

Approving publishes ``OrderProvisionRequested__e`` on the sandbox's Pub/Sub API, exactly as a
real approval would; the subscriber then records and runs the provisioning job.
"""
import requests
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from domain.shared.salesforce_id import is_valid
from portal.demo.sandboxes import salesforce_sandbox


@staff_member_required
@require_http_methods(["GET", "POST"])
def sandbox_orders(request: HttpRequest) -> HttpResponse:
    sandbox = salesforce_sandbox()
    if request.method == "POST":
        order_id = request.POST.get("order_id", "")
        if not is_valid(order_id):
            messages.error(request, _("Not an order id."))
        else:
            answer = requests.post(f"{sandbox.url}/__sandbox__/orders/{order_id}/approve", timeout=5)
            if answer.ok:
                messages.success(request, _("Order %(order)s approved: the provisioning event is published.")
                                 % {"order": order_id})
            else:
                messages.error(request, _("The sandbox refused: %(answer)s") % {"answer": answer.text[:200]})
        return redirect("sandbox-orders")
    store = sandbox.app.store
    orders = sorted(store.rows("Order"), key=lambda o: str(o.get("CreatedDate")), reverse=True)
    accounts = {a["Id"]: a["Name"] for a in store.rows("Account")}
    rows = [{"id": o["Id"], "number": o.get("OrderNumber"), "account": accounts.get(o.get("AccountId"), "?"),
             "status": o.get("Provisioning_Status__c"), "error": o.get("Provisioning_Error__c")} for o in orders]
    # In the admin's own layout: it is a staff page, reached from the admin's index.
    context = {**admin.site.each_context(request), "orders": rows, "title": _("Sandbox: approve orders")}
    return render(request, "demo/orders.html", context)
