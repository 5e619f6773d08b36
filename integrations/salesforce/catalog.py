"""The portal catalog: ``Product2`` with their portal ``PricebookEntry`` prices, in one query."""
from domain.catalog.providers import salesforce as mapper
from domain.catalog.types import Catalog, ProductCategory
from integrations.salesforce.connection import SalesforceConnection
from integrations.salesforce.utils import catalog_query_builder, pricebook_query_builder
from integrations.skipped import log_skipped


class SalesforceCatalogClient:
    def __init__(self, connection: SalesforceConnection) -> None:
        self._sf = connection

    def portal_pricebook_id(self, name: str) -> str | None:
        raw = self._sf.query(pricebook_query_builder.build_pricebook_by_name_query(name))
        return mapper.transform_salesforce_pricebook_lookup(raw)

    def get_catalog(self, pricebook_id: str, *, category: ProductCategory | None = None,
                    currency_code: str = "JPY") -> Catalog:
        """The products of the catalog; a product the portal cannot read or offer (no SKU, family or
        billing cycle, ...) is left out and logged, never taking the others with it."""
        raw = self._sf.query(catalog_query_builder.build_catalog_query(pricebook_id, category))
        return mapper.transform_salesforce_catalog(raw, currency_code_default=currency_code, on_skip=log_skipped)
