import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.jobs_admin import retry_action
from portal.provisioning.models import ProvisioningJob
from portal.provisioning.orchestrator import ProvisioningFlow


@admin.register(ProvisioningJob)
class ProvisioningJobAdmin(admin.ModelAdmin):
    """Provisioning jobs, read only: follow them, and retry the ones that failed."""

    list_display = ("id", "salesforce_order_id", "customer", "state", "step", "attempts", "whmcs_order_id",
                    "error_code", "created_at", "finished_at")
    list_filter = ("state", "step", "error_code")
    search_fields = ("idempotency_key", "salesforce_order_id", "salesforce_event_id", "=whmcs_order_id",
                     "customer__user__email")
    list_select_related = ("customer__user",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = (retry_action(
        ProvisioningFlow, name="retry", description=_("Retry selected failed jobs"),
        queued_message=_("Queued %(count)d job(s) to run again."),
        skipped_message=_("%(count)d job(s) that had not failed were left alone."),
    ),)
    fieldsets = (
        (None, {"fields": ("salesforce_order_id", "customer", "state", "step", "attempts", "last_attempt_at",
                           "lease_until")}),
        ("Request", {"fields": ("idempotency_key", "salesforce_event_id", "created_at", "retry_requested_at")}),
        ("Results", {"fields": ("pretty_lines", "whmcs_order_requested_at", "whmcs_order_id", "whmcs_service_ids",
                                "pretty_activated_sims", "legacy_activated_sims", "finished_at")}),
        ("Errors", {"fields": ("error_code", "customer_message", "last_error", "updated_at")}),
    )
    readonly_fields = (
        "salesforce_order_id", "customer", "state", "step", "attempts", "last_attempt_at", "lease_until",
        "idempotency_key",
        "salesforce_event_id", "created_at", "retry_requested_at", "pretty_lines", "whmcs_order_requested_at",
        "whmcs_order_id", "whmcs_service_ids", "pretty_activated_sims", "legacy_activated_sims", "finished_at",
        "error_code",
        "customer_message", "last_error", "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of what was set up, and the guard against doing it twice

    @admin.display(description="billing lines (one per unit)")
    def pretty_lines(self, job: ProvisioningJob) -> str:
        return format_html("<pre>{}</pre>", json.dumps(job.lines, indent=2, ensure_ascii=False))

    @admin.display(description="SIMs from the inventory (unit, WHMCS service, ICCID, number, written)")
    def pretty_activated_sims(self, job: ProvisioningJob) -> str:
        return format_html("<pre>{}</pre>", json.dumps(job.activated_sims, indent=2, ensure_ascii=False))
