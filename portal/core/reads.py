"""A provider read for a page or an API answer, in one call: cached, and guarded.

Each app declares its reads once, e.g. ``WHMCS = ProviderReads("billing", "WHMCS", WHMCS_FAILURES, logger)``,
and reads with ``WHMCS.for_customer(customer, "subscriptions", ttl, fetch)`` (cached in the
customer's namespace, ``portal.core.cache``), ``WHMCS.shared(key, ttl, fetch)`` (cached for every
customer) or ``WHMCS.guard(call)`` (not cached). A provider failure with no stale copy to show is
logged once per request and becomes ``ProviderUnavailable(area)``, which pages and the API answer
with a friendly 503; a stale copy served instead is logged the same way (``portal.core.errors``).
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from domain.shared.errors import MappingError
from domain.shared.providers.salesforce import SalesforceSaveError
from integrations.freebit.errors import FreebitError
from integrations.salesforce.errors import SalesforceError
from integrations.whmcs.errors import WhmcsError
from portal.core.cache import Cached, fetch_cached, fetch_for_customer
from portal.core.errors import guarded

T = TypeVar("T")

WHMCS_FAILURES = (WhmcsError, MappingError)
SALESFORCE_FAILURES = (SalesforceError, MappingError, SalesforceSaveError)
FREEBIT_FAILURES = (FreebitError, MappingError)
"""What a read of each provider may fail with: the provider did not answer usefully, or answered
something its mapper refused."""


@dataclass(frozen=True)
class ProviderReads:
    area: str
    """What the customer reads about ("billing", "orders", "SIM"): the 503 names it."""
    provider: str
    """Who failed, for the logs ("WHMCS")."""
    failures: tuple[type[BaseException], ...]
    log: logging.Logger

    def for_customer(self, customer, key: str, ttl: int, fetch: Callable[[], T]) -> Cached[T]:
        """``fetch``'s value cached in the customer's namespace (``user:{id}:v{n}:{key}``)."""
        return self.guard(lambda: fetch_for_customer(customer.user_id, key, ttl, fetch, failures=self.failures))

    def shared(self, key: str, ttl: int, fetch: Callable[[], T]) -> Cached[T]:
        """``fetch``'s value cached once for every customer (the catalog, WHMCS's currencies)."""
        return self.guard(lambda: fetch_cached(key, ttl, fetch, failures=self.failures))

    def guard(self, read: Callable[[], T]) -> T:
        """``read()``, a failure turned into ``ProviderUnavailable(area)`` and logged once."""
        return guarded(self.area, self.provider, self.failures, read, log=self.log)

