"""Support pages: the customer's cases, one case with its conversation, a new case (opened in
context from an invoice, a subscription, an order or a SIM), a reply and a file."""
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from domain.support.requests import SPECS
from domain.support.types import CaseCategory, RelatedKind, RequestType
from portal.accounts.decorators import customer_required
from portal.accounts.models import Customer
from portal.core.errors import ProviderUnavailable, Refused, refusals_shown
from portal.core.middleware import accepts_uploads
from portal.support import labels, selectors, services
from portal.support.forms import AttachmentForm, CommentForm, NewCaseForm

CATEGORY_OF_RELATED = {RelatedKind.INVOICE: CaseCategory.BILLING, RelatedKind.SUBSCRIPTION: CaseCategory.SUBSCRIPTION,
                       RelatedKind.ORDER: CaseCategory.ORDER, RelatedKind.SIM: CaseCategory.SIM}


@require_GET
@customer_required
def case_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    cases = selectors.case_list(customer)
    changed = selectors.changed_since_seen(customer, cases.value)
    return render(request, "support/case_list.html", {"cases": cases.value, "stale": cases.stale, "changed": changed})


@require_http_methods(["GET", "POST"])
@transaction.non_atomic_requests  # the case is recorded before it is sent to Salesforce
@customer_required
def case_new(request: HttpRequest, customer: Customer) -> HttpResponse:
    """The new-case form; ``?invoice=``, ``?subscription=``, ``?order=`` or ``?sim=`` fill in what
    it is about (404 unless the record is the customer's), ``?type=`` a structured request."""
    source = request.POST if request.method == "POST" else request.GET
    related = _related_from(customer, source)
    request_type = _request_type(source.get("type") or source.get("request_type"))
    sims = _sims(customer) if any(d.value == "iccid" for d in SPECS[request_type].details) else []
    if request.method == "POST":
        form = NewCaseForm(request.POST, sims=sims)
        if form.is_valid():
            try:
                written = services.case_open(
                    customer=customer, request_id=form.cleaned_data["request_id"],
                    request_type=RequestType(form.cleaned_data["request_type"]), category=form.category_value(),
                    subject=form.cleaned_data["subject"], description=form.cleaned_data["description"],
                    related=form.cleaned_data["related"], details=form.request_details(),
                )
            except Refused as refused:  # shown on the form, beside its field when it names one
                form.add_error(refused.field, refused.message)
                status = 429 if isinstance(refused, services.TooManyCases) else 200
                return _new_page(request, customer, form, related, request_type, status=status)
            if written.created:
                messages.success(request, _("Thank you: your case is open. We will reply here."))
            return redirect("support:detail", case_id=written.case_id)
    else:
        initial = {"request_type": request_type.value}
        if related is not None:
            initial.update(related_kind=related.record.kind.value, related_id=related.record.id,
                           category=CATEGORY_OF_RELATED[related.record.kind].value)
            if related.record.kind is RelatedKind.SIM:
                initial["iccid"] = related.record.id
        if request_type in labels.DEFAULT_SUBJECTS:
            initial["subject"] = str(labels.DEFAULT_SUBJECTS[request_type])
        form = NewCaseForm(initial=initial, sims=sims)
    return _new_page(request, customer, form, related, request_type)


def _new_page(request, customer, form, related, request_type, *, status: int = 200) -> HttpResponse:
    types = [{"value": t.value, "label": labels.REQUEST_TYPES[t], "help": labels.REQUEST_TYPE_HELP[t],
              "current": t is request_type} for t in RequestType]
    return render(request, "support/case_new.html", {
        "form": form, "related": related, "request_type": request_type, "types": types,
        "type_help": labels.REQUEST_TYPE_HELP[request_type], "structured": SPECS[request_type].is_structured,
        "urgent": request_type is RequestType.LOST_SIM,
        "replacement": selectors.replacement_terms(customer) if request_type is RequestType.SIM_REPLACEMENT else None,
    }, status=status)


def _related_from(customer: Customer, source) -> selectors.RelatedChoice | None:
    kind, record_id = source.get("related_kind"), source.get("related_id")
    if not kind:
        kind, record_id = next(((k.value, source[k.value]) for k in RelatedKind if source.get(k.value)), (None, None))
    return selectors.related_record(customer, kind, record_id) if kind else None


def _request_type(value: str | None) -> RequestType:
    try:
        return RequestType(value or RequestType.GENERAL)
    except ValueError:
        return RequestType.GENERAL


def _sims(customer: Customer) -> list[tuple[str, str]]:
    try:
        return selectors.customer_sims(customer)
    except ProviderUnavailable:
        return []


@require_GET
@customer_required
def case_detail(request: HttpRequest, customer: Customer, case_id: str) -> HttpResponse:
    case = selectors.case_detail(customer, case_id)
    if not case.stale:
        services.case_mark_seen(customer, case.value)
    return render(request, "support/case_detail.html", _detail_context(case.value, stale=case.stale))


def _detail_context(case, *, stale: bool, comment_form=None, attachment_form=None) -> dict:
    return {"case": case, "stale": stale, "comment_form": comment_form or CommentForm(),
            "attachment_form": attachment_form or AttachmentForm(), "status_help": labels.STATUS_HELP[case.status]}


@require_POST
@transaction.non_atomic_requests  # the comment is recorded before it is sent to Salesforce
@customer_required
def case_comment(request: HttpRequest, customer: Customer, case_id: str) -> HttpResponse:
    case = selectors.case_detail(customer, case_id)  # 404 unless it is theirs, before anything else
    form = CommentForm(request.POST)
    if form.is_valid():
        with refusals_shown(request):
            services.case_comment_add(customer=customer, case_id=case.value.id, body=form.cleaned_data["body"],
                                      request_id=form.cleaned_data["request_id"])
            messages.success(request, _("Your reply has been sent."))
        return redirect("support:detail", case_id=case.value.id)
    return render(request, "support/case_detail.html",
                  _detail_context(case.value, stale=case.stale, comment_form=form))


@accepts_uploads("SUPPORT_UPLOAD_MAX_BODY_BYTES")
@require_POST
@transaction.non_atomic_requests  # the file is recorded before it is sent to Salesforce
@customer_required
def case_attach(request: HttpRequest, customer: Customer, case_id: str) -> HttpResponse:
    case = selectors.case_detail(customer, case_id)  # 404 unless it is theirs, before anything is sent
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        with refusals_shown(request):
            services.case_attachment_add(customer=customer, case_id=case.value.id, attachment=form.cleaned_data["file"],
                                         request_id=form.cleaned_data["request_id"])
            messages.success(request, _("Your file has been added to the case."))
        return redirect("support:detail", case_id=case.value.id)
    return render(request, "support/case_detail.html",
                  _detail_context(case.value, stale=case.stale, attachment_form=form))
