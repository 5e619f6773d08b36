from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Inbound, signed WHMCS webhooks: stored, then processed by Celery."""

    name = "portal.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
