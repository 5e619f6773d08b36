"""Salesforce catalog: `from domain.catalog.providers import salesforce`."""
from domain.catalog.providers.salesforce.mapper import (
    transform_salesforce_catalog,
    transform_salesforce_pricebook_lookup,
    transform_salesforce_product,
)

__all__ = ["transform_salesforce_catalog", "transform_salesforce_pricebook_lookup", "transform_salesforce_product"]
