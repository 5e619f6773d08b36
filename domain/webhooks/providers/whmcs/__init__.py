"""WHMCS webhooks: `from domain.webhooks.providers import whmcs; whmcs.transform_whmcs_webhook(body)`."""
from domain.webhooks.providers.whmcs.mapper import (
    UnknownWebhookEvent,
    transform_whmcs_webhook,
    whmcs_webhook_event_name,
)

__all__ = ["UnknownWebhookEvent", "transform_whmcs_webhook", "whmcs_webhook_event_name"]
