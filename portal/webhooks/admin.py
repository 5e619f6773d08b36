import json

from django.contrib import admin, messages
from django.utils.html import format_html

from portal.webhooks import services
from portal.webhooks.models import WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Stored webhooks, read only: look at what arrived and re-process what went wrong."""

    list_display = ("event_id", "event_type", "status", "client_id", "received_at", "attempts", "processed_at")
    list_filter = ("status", "event_type", "provider")
    search_fields = ("event_id", "=client_id")
    date_hierarchy = "received_at"
    ordering = ("-received_at", "-id")
    actions = ("reprocess",)
    fieldsets = (
        (None, {"fields": ("provider", "event_id", "event_type", "status", "client_id", "occurred_at")}),
        ("Processing", {"fields": ("attempts", "last_attempt_at", "processed_at", "outcome", "last_error")}),
        ("As received", {"fields": ("received_at", "remote_addr", "pretty_headers", "pretty_body")}),
    )
    readonly_fields = (
        "provider", "event_id", "event_type", "status", "client_id", "occurred_at", "attempts", "last_attempt_at",
        "processed_at", "outcome", "last_error", "received_at", "remote_addr", "pretty_headers", "pretty_body",
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

    @admin.action(description="Re-process selected events", permissions=["change"])
    def reprocess(self, request, queryset) -> None:
        selected = queryset.count()
        queued = services.webhook_reprocess(events=queryset)
        self.message_user(request, f"Queued {queued} event(s) for processing.", messages.SUCCESS)
        if queued < selected:
            self.message_user(
                request, f"{selected - queued} event(s) still waiting or in progress were left alone.",
                messages.WARNING,
            )
