from django.contrib import admin

from portal.sim.models import TopUp


@admin.register(TopUp)
class TopUpAdmin(admin.ModelAdmin):
    list_display = ("request_id", "customer", "iccid", "quota_mb", "amount", "currency", "status",
                    "whmcs_invoice_id", "attempts", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("request_id", "iccid", "customer__user__email", "=whmcs_invoice_id")
    list_select_related = ("customer__user",)
    readonly_fields = [field.name for field in TopUp._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
