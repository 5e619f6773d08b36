"""The catalog from Salesforce, cached for everyone under ``catalog:{type}`` (docs/decisions.md §6)."""
import logging

from django.conf import settings

from domain.catalog.types import Catalog, ProductCategory
from domain.shared.errors import MappingError
from integrations.salesforce.catalog import SalesforceCatalogClient
from portal.core.cache import Cached
from portal.core.connections import salesforce_connection
from portal.core.reads import SALESFORCE_FAILURES, ProviderReads

logger = logging.getLogger(__name__)
SALESFORCE = ProviderReads("catalog", "Salesforce", SALESFORCE_FAILURES, logger)


def portal_pricebook_id() -> str:
    def fetch() -> str:
        service = SalesforceCatalogClient(salesforce_connection())
        found = service.portal_pricebook_id(settings.SALESFORCE_PRICEBOOK_NAME)
        if found is None:
            raise MappingError(provider="salesforce", entity="pricebook", field="Name",
                               reason=f"no active pricebook named {settings.SALESFORCE_PRICEBOOK_NAME!r}")
        return found

    return SALESFORCE.shared("catalog:pricebook", settings.CACHE_TTL_CATALOG, fetch).value


def catalog(category: ProductCategory | None = None) -> Cached[Catalog]:
    pricebook_id = portal_pricebook_id()

    def fetch() -> Catalog:
        return SalesforceCatalogClient(salesforce_connection()).get_catalog(
            pricebook_id, category=category, currency_code=settings.SALESFORCE_CURRENCY
        )

    key = f"catalog:{category.value if category else 'all'}"
    return SALESFORCE.shared(key, settings.CACHE_TTL_CATALOG, fetch)
