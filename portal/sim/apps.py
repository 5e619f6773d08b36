from django.apps import AppConfig


class SimConfig(AppConfig):
    """The customer's SIMs: details, usage, top-up and plan change, from Freebit."""

    name = "portal.sim"
    label = "sim"
