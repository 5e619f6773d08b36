"""The admin side of durable jobs (``portal.core.jobs``): the staff retry action and the job fields
every durable row shows."""
from __future__ import annotations

from django.contrib import admin, messages

from portal.core.jobs import JobFlow

JOB_FIELDS = ("attempts", "lease_until", "last_attempt_at", "last_error", "updated_at")
"""The mechanism's fields, read only in every durable row's admin page."""


def retry_action(flow: type[JobFlow], *, name: str, description: str, queued_message: str, skipped_message: str):
    """An admin action putting the selected failed rows of ``flow`` back in the queue with a fresh
    set of attempts (``JobFlow.retry``). The messages are translated strings with ``%(count)d``."""

    def action(modeladmin: admin.ModelAdmin, request, queryset) -> None:
        selected = queryset.count()
        queued = flow.retry(queryset)
        modeladmin.message_user(request, queued_message % {"count": queued}, messages.SUCCESS)
        if queued < selected:
            modeladmin.message_user(request, skipped_message % {"count": selected - queued}, messages.WARNING)

    action.__name__ = action.__qualname__ = name
    return admin.action(description=description, permissions=["change"])(action)
