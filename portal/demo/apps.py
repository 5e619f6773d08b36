from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's own wiring: the provider sandboxes standing in for unconfigured providers, the
    operator pages that play Salesforce's staff, the demo's clock and its sign-ins (``seed_demo``).
    The only part of the portal that imports ``sandbox``; inert unless ``PROVIDERS_USE_SANDBOX``
    (or ``DEMO_CLOCK_CONTROL``) is on."""

    name = "portal.demo"
    label = "demo"

    def ready(self) -> None:
        from portal.core import connections
        from portal.demo import sandboxes

        connections.use_sandboxes(sandboxes)
