from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.core.jobs_admin import retry_action
from portal.sim.models import PlanChange, TopUp
from portal.sim.plan_changes import PlanChangeFlow
from portal.sim.topups import TopUpFlow


@admin.register(TopUp)
class TopUpAdmin(admin.ModelAdmin):
    list_display = ("request_id", "customer", "iccid", "quota_mb", "amount", "currency", "status",
                    "whmcs_invoice_id", "attempts", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("request_id", "iccid", "customer__user__email", "=whmcs_invoice_id")
    list_select_related = ("customer__user",)
    readonly_fields = [field.name for field in TopUp._meta.fields]
    actions = (retry_action(
        TopUpFlow, name="retry", description=_("Add the data of selected paid top-ups again"),
        queued_message=_("Queued %(count)d paid top-up(s) to add their data again."),
        skipped_message=_("%(count)d top-up(s) that had not failed after payment were left alone."),
    ),)

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
