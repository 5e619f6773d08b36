from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Support cases in Salesforce: opened where the customer is stuck, followed to the end."""

    name = "portal.support"
    label = "support"
