from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domain.shared import clock
from domain.shared.calendar import previous_month
from portal.accounts.decorators import customer_required
from portal.accounts.models import Customer
from portal.core import formats
from portal.core.errors import ProviderUnavailable, refusals_shown
from portal.sim import actions, selectors, services
from portal.sim.charts import Bar, usage_bar_chart
from portal.sim.forms import TOPUP_CHOICES_MB, PlanCancelForm, PlanChangeForm, SimActionForm, TopUpForm
from portal.sim.models import TopUp
from portal.sim.usage import latest_reading
from portal.support import selectors as support


@customer_required
def sim_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    sims = selectors.customer_sims(customer)
    selectors.remember_sims(customer, sims)
    return render(request, "sim/list.html", {"sims": sims})


@customer_required
def sim_detail(request: HttpRequest, customer: Customer, iccid: str) -> HttpResponse:
    return render(request, "sim/detail.html", _detail_context(customer, iccid))


def _detail_context(customer: Customer, iccid: str, *, topup_form: TopUpForm | None = None) -> dict:
    """The SIM page's context; ``topup_form`` is a refused top-up form, shown with its errors beside
    its field and the customer's entry kept."""
    sim = selectors.owned_sim(customer, iccid)
    actions.refresh_actions(customer, sim.iccid)
    details = selectors.sim_details(customer, sim)
    today = clock.today()
    usage_started = details.value.usage_started(today)
    months, stale = [], details.stale
    if usage_started:
        start, _end = previous_month(today)
        usage = selectors.sim_usage(sim, start, today)
        stale = stale or usage.stale
        months = [
            {"month": month, "chart": usage_bar_chart(
                [Bar(point.date, point.used.mb) for point in month.points],
                chart_id=f"usage-{month.year}-{month.month}",
                title=_("Daily data use, %(month)s") % {"month": formats.month(month.first_day)})}
            for month in reversed(usage.value.by_month())
        ]
    context = {
        "sim": details.value, "usage_started": usage_started, "months": months, "stale": stale,
        "topup_form": topup_form or TopUpForm(initial={"quota_mb": 1024}), "topup_choices": TOPUP_CHOICES_MB,
        "plan_form": PlanChangeForm(plans=_plans_offered(details.value), auto_id="plan_%s"),
        "plan_change": services.open_plan_change(customer, details.value.iccid),
        "topups": TopUp.objects.filter(customer=customer, iccid=details.value.iccid)[:5],
        "usage_reading": latest_reading(details.value.iccid),
        "rules": actions.action_rules(details.value, customer),
        "action_form": SimActionForm(),
        "sim_actions": [(action, actions.action_message(action)[1]) for action in
                        actions.sim_actions(customer, details.value.iccid, limit=5)],
        "busy": actions.in_flight_action(details.value.iccid),
        "cancellation": actions.open_cancellation(customer, details.value.iccid),
        "sim_cases": support.sim_cases(customer, details.value.iccid),
    }
    return context


def _plans_offered(sim):
    """The catalog's plans this SIM can move to; none while Salesforce is down (the rest of the page
    needs no catalog)."""
    try:
        return services.sim_plans(data_only=sim.data_only, current_plan_code=sim.plan_code)
    except ProviderUnavailable:
        return ()


@require_POST
@transaction.non_atomic_requests  # each step of a top-up is recorded the moment it happens
@customer_required
def sim_topup(request: HttpRequest, customer: Customer, iccid: str) -> HttpResponse:
    form = TopUpForm(request.POST)
    if not form.is_valid():
        if "request_id" in form.errors:  # a stale or tampered form: nothing of the customer's to keep
            messages.error(request, form.errors["request_id"][0])
            return redirect("sim:detail", iccid=iccid)
        # The error beside the amount field, the amount as typed still in it.
        return render(request, "sim/detail.html", _detail_context(customer, iccid, topup_form=form), status=400)
    if not form.cleaned_data["confirm"]:
        with refusals_shown(request):
            quote = services.topup_quote(form.cleaned_data["quota_mb"], customer)
            link = selectors.owned_sim(customer, iccid)
            return render(request, "sim/topup_confirm.html", {"link": link, "quote": quote, "form": form})
        return redirect("sim:detail", iccid=iccid)
    with refusals_shown(request):
        answer = services.topup_request(customer=customer, iccid=iccid, quota_mb=form.cleaned_data["quota_mb"],
                                        request_id=str(form.cleaned_data["request_id"]))
        level, text = services.topup_message(answer.topup)
        messages.add_message(request, MESSAGE_LEVELS[level], text)
    return redirect("sim:detail", iccid=iccid)


@require_POST
@transaction.non_atomic_requests  # each step of a plan change is recorded the moment it happens
@customer_required
def sim_plan_change(request: HttpRequest, customer: Customer, iccid: str) -> HttpResponse:
    """The plan form: first the price of the change (WHMCS's quote), then, confirmed, the change."""
    sim = selectors.owned_sim(customer, iccid)
    details = selectors.sim_details(customer, sim).value
    form = PlanChangeForm(request.POST, plans=_plans_offered(details))
    if not form.is_valid():
        if "request_id" in form.errors:
            messages.error(request, form.errors["request_id"][0])
        else:
            messages.error(request, _("Please choose one of the plans offered."))
        return redirect("sim:detail", iccid=iccid)
    plan_code = form.cleaned_data["plan_code"]
    with refusals_shown(request):
        if not form.cleaned_data["confirm"]:
            quote = services.plan_change_quote(customer=customer, sim=sim, plan_code=plan_code,
                                               immediate=form.immediate)
            return render(request, "sim/plan_confirm.html", {"quote": quote, "form": form})
        answer = services.plan_change_request(customer=customer, sim=sim, plan_code=plan_code,
                                              immediate=form.immediate, request_id=str(form.cleaned_data["request_id"]))
        level, text = services.plan_change_message(answer.change)
        messages.add_message(request, MESSAGE_LEVELS[level], text)
    return redirect("sim:detail", iccid=iccid)


@require_POST
@customer_required
def sim_plan_cancel(request: HttpRequest, customer: Customer, iccid: str) -> HttpResponse:
    """Cancel a plan change that has not taken effect yet."""
    sim = selectors.owned_sim(customer, iccid)  # another customer's SIM: 404 whatever the form holds
    form = PlanCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form is no longer valid; please reload the page."))
        return redirect("sim:detail", iccid=iccid)
    with refusals_shown(request):
        change = services.plan_change_cancel(customer=customer, sim=sim,
                                             request_id=str(form.cleaned_data["request_id"]))
        level, text = services.plan_change_message(change)
        messages.add_message(request, MESSAGE_LEVELS[level], text)
    return redirect("sim:detail", iccid=iccid)


VOICE_FIELD = "voice_"


@require_POST
@transaction.non_atomic_requests  # each step of an action is recorded the moment it happens
@customer_required
def sim_action(request: HttpRequest, customer: Customer, iccid: str, kind: str) -> HttpResponse:
    """Voice options, network type, eSIM reissue (its fee confirmed first) or cancellation (its end
    date and billing confirmed first) of the customer's SIM."""
    sim = selectors.owned_sim(customer, iccid)  # another customer's SIM: 404 whatever the form holds
    form = SimActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form is no longer valid; please reload the page."))
        return redirect("sim:detail", iccid=iccid)
    data = form.cleaned_data
    with refusals_shown(request):
        details = selectors.sim_details(customer, sim).value
        if kind == "esim_reissue":
            actions.refuse_reissue_of_a_card(details)  # a SIM card: the replacement request instead
        if kind in ("esim_reissue", "cancellation") and not data["confirm"]:
            rules = actions.action_rules(details, customer)
            if kind == "cancellation" and data["end_date"] not in rules.end_dates:
                messages.error(request, _("Please choose one of the end dates offered."))
                return redirect("sim:detail", iccid=iccid)
            return render(request, "sim/action_confirm.html", {
                "sim": details, "kind": kind, "form": form, "rules": rules, "end_date": data["end_date"],
                "eid": data["eid"], "send_days": settings.SIM_CANCELLATION_SEND_DAYS_BEFORE})
        voice = {key[len(VOICE_FIELD):]: value == "on" for key, value in request.POST.items()
                 if key.startswith(VOICE_FIELD)}
        answer = actions.action_request(customer=customer, sim=sim, details=details, kind=kind,
                                        request_id=str(data["request_id"]), voice=voice, network=data["network"],
                                        eid=data["eid"], end_date=data["end_date"])
        level, text = actions.action_message(answer.action)
        messages.add_message(request, MESSAGE_LEVELS[level], text)
    return redirect("sim:detail", iccid=iccid)


@require_POST
@customer_required
def sim_cancel_withdraw(request: HttpRequest, customer: Customer, iccid: str) -> HttpResponse:
    sim = selectors.owned_sim(customer, iccid)
    with refusals_shown(request):
        action = actions.action_withdraw(customer=customer, sim=sim, request_id=request.POST.get("request_id") or None)
        level, text = actions.action_message(action)
        messages.add_message(request, MESSAGE_LEVELS[level], text)
    return redirect("sim:detail", iccid=iccid)


MESSAGE_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR,
                  "info": messages.INFO}
