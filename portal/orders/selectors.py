"""The signed-in customer's orders from Salesforce, scoped to their Account in the query itself."""
import logging

from django.conf import settings
from django.http import Http404

from domain.orders.types import OrderDetails, OrderSummary
from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, checked_id
from integrations.salesforce.orders import SalesforceOrderClient
from portal.accounts.models import Customer
from portal.core.cache import Cached
from portal.core.connections import salesforce_connection
from portal.core.reads import SALESFORCE_FAILURES, ProviderReads

logger = logging.getLogger(__name__)
SALESFORCE = ProviderReads("orders", "Salesforce", SALESFORCE_FAILURES, logger)
ORDER_LIST_KEY = "orders"


def order_list(customer: Customer) -> Cached[tuple[OrderSummary, ...]]:
    def fetch() -> tuple[OrderSummary, ...]:
        return SalesforceOrderClient(salesforce_connection()).list_orders(
            customer.salesforce_account_id, currency_code=settings.SALESFORCE_CURRENCY
        )

    return SALESFORCE.for_customer(customer, ORDER_LIST_KEY, settings.CACHE_TTL_ORDERS, fetch)


def order_detail(customer: Customer, order_id: str) -> Cached[OrderDetails]:
    """The order with its items; 404 for a malformed id or another Account's order."""
    try:
        order_id = checked_id(order_id, prefix=KeyPrefix.ORDER)
    except InvalidSalesforceId:
        raise Http404("No such order") from None

    def fetch() -> OrderDetails:
        found = SalesforceOrderClient(salesforce_connection()).get_order(
            order_id, customer.salesforce_account_id, currency_code=settings.SALESFORCE_CURRENCY
        )
        if found is None:
            raise Http404("No such order")
        return found

    return SALESFORCE.for_customer(customer, f"order:{order_id}", settings.CACHE_TTL_ORDERS, fetch)
