from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Orders placed through the portal and their tracking, from Salesforce."""

    name = "portal.orders"
    label = "orders"
