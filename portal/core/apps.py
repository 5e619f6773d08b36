from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor every app stands on: the page frame, health checks and cross-cutting plumbing
    (provider connections, caching, errors, jobs, logging). It imports no app."""

    name = "portal.core"
    label = "core"
