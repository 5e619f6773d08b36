"""Celery tasks of the webhooks: one event's processing and the beat's sweep (``portal.core.jobs``)."""
from portal.core.jobs import job_task, sweep_task
from portal.webhooks.services import WebhookFlow

process_webhook_event = job_task(WebhookFlow, name="portal.webhooks.process_webhook_event")
sweep_webhook_events = sweep_task(WebhookFlow, name="portal.webhooks.sweep_webhook_events")
