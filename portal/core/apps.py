from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The page frame, the dashboard, health checks and cross-cutting plumbing (logging)."""

    name = "portal.core"
    label = "core"
