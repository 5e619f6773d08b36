import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.jobs_admin import retry_action
from portal.webhooks.models import WebhookEvent
from portal.webhooks.services import WebhookFlow


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Stored webhooks, read only: look at what arrived and re-process what went wrong."""

    list_display = ("event_id", "event_type", "status", "client_id", "received_at", "attempts", "processed_at")
    list_filter = ("status", "event_type", "provider")
    search_fields = ("event_id", "=client_id")
    date_hierarchy = "received_at"
    ordering = ("-received_at", "-id")
    actions = (retry_action(
        WebhookFlow, name="reprocess", description=_("Re-process selected events"),
        queued_message=_("Queued %(count)d event(s) for processing."),
        skipped_message=_("%(count)d event(s) still waiting or in progress were left alone."),
    ),)
    fieldsets = (
        (None, {"fields": ("provider", "event_id", "event_type", "status", "client_id", "occurred_at")}),
        ("Processing", {"fields": ("attempts", "last_attempt_at", "lease_until", "processed_at", "outcome",
                                   "last_error")}),
        ("As received", {"fields": ("received_at", "remote_addr", "pretty_headers", "pretty_body")}),
    )
    readonly_fields = (
        "provider", "event_id", "event_type", "status", "client_id", "occurred_at", "attempts", "last_attempt_at",
        "lease_until", "processed_at", "outcome", "last_error", "received_at", "remote_addr", "pretty_headers",
        "pretty_body",
    )

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="raw headers")
    def pretty_headers(self, event: WebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.headers, indent=2, sort_keys=True))

    @admin.display(description="raw body")
    def pretty_body(self, event: WebhookEvent) -> str:
        raw = bytes(event.body)
        try:
            shown = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        except ValueError:  # not JSON (a rejected body): show it as it came
            shown = raw.decode("utf-8", errors="replace")
        return format_html("<pre>{}</pre><p>{} bytes as received</p>", shown, len(raw))
