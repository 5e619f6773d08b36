from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    """Order provisioning jobs started by Salesforce Platform Events."""

    name = "portal.provisioning"
    label = "provisioning"
