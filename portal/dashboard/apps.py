from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The signed-in customer's overview: billing, services, orders and SIMs at a glance (page and API)."""

    name = "portal.dashboard"
    label = "dashboard"
