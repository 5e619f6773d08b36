"""Orders: the customer's orders, one order with its items, and atomic order creation."""
from datetime import date

from domain.orders.providers import salesforce as mapper
from domain.orders.types import NewOrder, OrderDetails, OrderSummary
from domain.shared.providers.salesforce import SalesforceSaveError, single_record
from integrations.salesforce.connection import SalesforceConnection
from integrations.salesforce.errors import SalesforceApiError
from integrations.salesforce.utils import order_query_builder as queries

__all__ = ["SalesforceOrderService", "SalesforceSaveError"]


class SalesforceOrderService:
    def __init__(self, connection: SalesforceConnection) -> None:
        self._sf = connection

    def list_orders(self, account_id: str, *, currency_code: str) -> tuple[OrderSummary, ...]:
        raw = self._sf.query(queries.build_orders_for_account_query(account_id))
        return mapper.transform_salesforce_order_list(raw, currency_code_default=currency_code)

    def get_order(self, order_id: str, account_id: str, *, currency_code: str) -> OrderDetails | None:
        """The order with its items, or None when it does not exist or is another Account's."""
        record = single_record(self._sf.query(queries.build_order_query(order_id, account_id)), entity="order")
        if record is None:
            return None
        items = self._sf.query(queries.build_order_items_query(order_id))
        return mapper.transform_salesforce_order_details(record, items, currency_code_default=currency_code)

    def find_order_by_request_id(self, request_id: str, account_id: str) -> str | None:
        return mapper.transform_salesforce_order_lookup(
            self._sf.query(queries.build_order_by_request_id_query(request_id, account_id))
        )

    def create_order(self, new_order: NewOrder, *, effective_date: date) -> str:
        """Create the order and its items in one sObject Tree request (all or nothing); its id.

        Raises ``SalesforceSaveError`` when Salesforce refuses it (``DUPLICATE_VALUE``: this
        request id was already saved).
        """
        body = mapper.build_salesforce_order_tree(new_order, effective_date=effective_date)
        try:
            raw = self._sf.create_tree("Order", body)
        except SalesforceApiError as exc:
            tree_answer = next((e for e in exc.errors if "hasErrors" in e), None)
            if tree_answer is None:
                raise
            raw = tree_answer
        return mapper.transform_salesforce_tree_result(raw)
