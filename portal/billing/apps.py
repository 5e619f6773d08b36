from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Invoices, payment methods and subscriptions, from WHMCS."""

    name = "portal.billing"
    label = "billing"
