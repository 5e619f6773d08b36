from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The product catalog (Salesforce Product2 and the portal pricebook)."""

    name = "portal.catalog"
    label = "catalog"
