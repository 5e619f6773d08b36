from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.core.jobs_admin import retry_action
from portal.sim.actions import SimActionFlow
from portal.sim.models import PlanChange, SimAction, SimUsageDay, TopUp
from portal.sim.plan_changes import PlanChangeFlow
from portal.sim.topups import TopUpFlow, topup_review

Review = TopUp.ReviewOutcome


def review_action(outcome: str, *, name: str, description: str, done: str):
    """An admin action settling the selected top-ups that need review as staff decided, after
    checking the SIM's quota with Freebit (``portal.sim.topups.topup_review``)."""

    def action(modeladmin: admin.ModelAdmin, request, queryset) -> None:
        decided = sum(topup_review(topup_id=pk, outcome=outcome, staff_user=request.user)
                      for pk in queryset.values_list("pk", flat=True))
        modeladmin.message_user(request, done % {"count": decided}, messages.SUCCESS)
        if decided < queryset.count():
            modeladmin.message_user(request, _("%(count)d top-up(s) that did not need review were left alone.") % {
                "count": queryset.count() - decided}, messages.WARNING)

    action.__name__ = action.__qualname__ = name
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(TopUp)
class TopUpAdmin(admin.ModelAdmin):
    """Top-ups, read only. One that **needs review** was paid, and whether Freebit added its data is
    not known (a quota addition's answer was lost and the quota history could not tell): check the
    SIM's quota history with Freebit for the request id (the quotaCode), then choose one action."""

    list_display = ("request_id", "customer", "iccid", "msisdn", "quota_mb", "amount", "currency", "status",
                    "whmcs_invoice_id", "quota_requests", "attempts", "created_at")
    list_filter = ("status", "review_outcome", "created_at")
    search_fields = ("request_id", "iccid", "msisdn", "customer__user__email", "=whmcs_invoice_id")
    list_select_related = ("customer__user",)
    readonly_fields = [field.name for field in TopUp._meta.fields]
    actions = (
        retry_action(
            TopUpFlow, name="retry", description=_("Add the data of selected paid top-ups again"),
            queued_message=_("Queued %(count)d paid top-up(s) to add their data again."),
            skipped_message=_("%(count)d top-up(s) that had not failed after payment were left alone."),
        ),
        review_action(Review.CONFIRMED_ADDED, name="review_confirmed_added",
                      description=_("Needs review: Freebit shows the data added (mark applied)"),
                      done=_("%(count)d top-up(s) marked applied.")),
        review_action(Review.ADD_ONCE, name="review_add_once",
                      description=_("Needs review: Freebit shows no addition (add the data once)"),
                      done=_("%(count)d top-up(s) queued to add their data once.")),
        review_action(Review.REFUND, name="review_refund",
                      description=_("Needs review: Freebit shows no addition (refund; mark failed)"),
                      done=_("%(count)d top-up(s) marked failed: refund their invoices in WHMCS.")),
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(PlanChange)
class PlanChangeAdmin(admin.ModelAdmin):
    list_display = ("request_id", "customer", "iccid", "from_plan_code", "to_plan_code", "effective_date", "status",
                    "failure", "whmcs_order_id", "whmcs_invoice_id", "attempts", "created_at")
    list_filter = ("status", "failure", "immediate", "effective_date")
    search_fields = ("request_id", "iccid", "customer__user__email", "=whmcs_order_id", "=whmcs_invoice_id")
    list_select_related = ("customer__user",)
    readonly_fields = [field.name for field in PlanChange._meta.fields]
    actions = (retry_action(
        PlanChangeFlow, name="retry", description=_("Ask the SIM platform again for selected billed plan changes"),
        queued_message=_("Queued %(count)d billed plan change(s) to change the SIM again."),
        skipped_message=_("%(count)d plan change(s) that had not failed after billing were left alone."),
    ),)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SimUsageDay)
class SimUsageDayAdmin(admin.ModelAdmin):
    """The daily figures the portal recorded from Freebit's traffic reads (the SIM pages' history)."""

    list_display = ("iccid", "day", "used_kb", "throttled", "reads", "read_at")
    list_filter = ("day", "throttled")
    search_fields = ("iccid",)
    readonly_fields = [field.name for field in SimUsageDay._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SimAction)
class SimActionAdmin(admin.ModelAdmin):
    """A SIM's lifecycle actions (voice options, 4G/5G, eSIM reissue, cancellation), read only
    (docs/sim-lifecycle.md). A failed one says why in last_error; retry sends it again."""

    list_display = ("request_id", "customer", "kind", "msisdn", "status", "failure", "end_date", "whmcs_invoice_id",
                    "provider_requests", "attempts", "created_at")
    list_filter = ("kind", "status", "failure", "created_at")
    search_fields = ("request_id", "iccid", "msisdn", "customer__user__email", "=whmcs_invoice_id")
    list_select_related = ("customer__user",)
    readonly_fields = [field.name for field in SimAction._meta.fields]
    actions = (retry_action(SimActionFlow, name="retry_sim_actions",
                            description=_("Retry the selected failed SIM actions"),
                            queued_message=_("%(count)d SIM action(s) queued again."),
                            skipped_message=_("%(count)d SIM action(s) could not be retried.")),)
