from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domain.shared import clock
from portal.accounts.decorators import customer_required
from portal.accounts.models import Customer
from portal.billing import selectors, services
from portal.billing.forms import InvoiceFilterForm
from portal.core.connections import whmcs_public_origin
from portal.core.errors import refusals_shown
from portal.core.formats import customer_status
from portal.sim import actions
from portal.sim.forms import SimActionForm


@customer_required
def invoice_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    page_number, status = form.selected()
    page = selectors.invoice_list(customer, page=page_number, status=status)
    context = {
        "form": form, "page": page.value, "stale": page.stale, "page_number": page_number,
        "status": status.value if status else "", "status_label": customer_status(status).label if status else "",
        "currencies": selectors.currencies(),
        "today": clock.today(),
    }
    return render(request, "billing/invoice_list.html", context)


@customer_required
def invoice_detail(request: HttpRequest, customer: Customer, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_detail(customer, invoice_id)
    context = {"invoice": invoice.value, "stale": invoice.stale, "currencies": selectors.currencies(),
               "today": clock.today()}
    response = render(request, "billing/invoice_detail.html", context)
    # The Pay form's POST answers with a redirect to WHMCS: browsers check form-action on it.
    return csp_update({"form-action": [whmcs_public_origin()]})(lambda r: response)(request)


@require_POST
@customer_required
def invoice_pay(request: HttpRequest, customer: Customer, invoice_id: int) -> HttpResponse:
    link = services.invoice_payment_link(customer=customer, invoice_id=invoice_id)
    return redirect(link.url)


@customer_required
def payment_method_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    methods = selectors.payment_methods(customer)
    context = {"methods": methods.value, "stale": methods.stale, "today": clock.today()}
    response = render(request, "billing/payment_methods.html", context)
    # The "Add a payment method" form's POST answers with a redirect to WHMCS (form-action, as for Pay).
    return csp_update({"form-action": [whmcs_public_origin()]})(lambda r: response)(request)


@require_POST
@customer_required
def payment_method_add(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Off to WHMCS's own page for adding a card, signed in there by a fresh single-use link."""
    link = services.add_payment_method_link(customer=customer)
    return redirect(link.url)


@customer_required
def payment_method_added(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Where WHMCS's payment-method pages lead back to: the list is read afresh (and so is checkout's)."""
    services.payment_methods_changed(customer=customer)
    messages.info(request, _("Welcome back. Your payment methods are up to date."))
    return redirect("billing:payment_methods")


@customer_required
def subscription_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    page = selectors.subscription_list(customer)
    context = {"page": page.value, "stale": page.stale, "currencies": selectors.currencies()}
    return render(request, "billing/subscription_list.html", context)


@customer_required
def subscription_detail(request: HttpRequest, customer: Customer, service_id: int) -> HttpResponse:
    subscription = selectors.subscription_detail(customer, service_id)
    context = {"subscription": subscription.value, "stale": subscription.stale, "currencies": selectors.currencies(),
               "cancellable": actions.service_cancellable(subscription.value),
               "cancellation": actions.open_service_cancellation(customer, service_id),
               "end_dates": actions.cancellation_end_dates(clock.today()),
               "cutoff_day": settings.SIM_CANCELLATION_CUTOFF_DAY, "cancel_form": SimActionForm()}
    return render(request, "billing/subscription_detail.html", context)


@require_POST
@transaction.non_atomic_requests  # the cancellation is recorded the moment it is asked
@customer_required
def subscription_cancel(request: HttpRequest, customer: Customer, service_id: int) -> HttpResponse:
    """An Internet service's cancellation: the end date and what happens to billing confirmed first."""
    service = selectors.subscription_detail(customer, service_id).value  # another customer's: 404
    form = SimActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form is no longer valid; please reload the page."))
        return redirect("billing:subscription", service_id=service_id)
    data = form.cleaned_data
    with refusals_shown(request):
        if not data["confirm"]:
            if data["end_date"] not in actions.cancellation_end_dates(clock.today()):
                messages.error(request, _("Please choose one of the end dates offered."))
                return redirect("billing:subscription", service_id=service_id)
            return render(request, "billing/cancel_confirm.html", {
                "subscription": service, "form": form, "end_date": data["end_date"],
                "send_days": settings.SIM_CANCELLATION_SEND_DAYS_BEFORE})
        answer = actions.service_cancellation_request(customer=customer, service=service, end_date=data["end_date"],
                                                      request_id=str(data["request_id"]))
        level, text = actions.action_message(answer.action)
        messages.add_message(request, MESSAGE_LEVELS[level], text)
    return redirect("billing:subscription", service_id=service_id)


@require_POST
@customer_required
def subscription_cancel_withdraw(request: HttpRequest, customer: Customer, service_id: int) -> HttpResponse:
    selectors.subscription_detail(customer, service_id)  # another customer's: 404
    with refusals_shown(request):
        action = actions.service_cancellation_withdraw(customer=customer, service_id=service_id,
                                                       request_id=request.POST.get("request_id") or None)
        level, text = actions.action_message(action)
        messages.add_message(request, MESSAGE_LEVELS[level], text)
    return redirect("billing:subscription", service_id=service_id)


MESSAGE_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR,
                  "info": messages.INFO}
