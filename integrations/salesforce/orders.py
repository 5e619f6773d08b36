"""Orders: the customer's orders, one order with its items, atomic order creation, and the reads
and status writes of provisioning."""
from datetime import date

from domain.catalog.types import ProductCategory
from domain.orders.providers import salesforce as mapper
from domain.orders.types import NewOrder, OrderDetails, OrderItem, OrderStatus, OrderSummary, ProvisioningStatus
from domain.shared.providers.salesforce import SalesforceSaveError, single_record
from domain.shared.salesforce_id import KeyPrefix
from integrations.salesforce.connection import SalesforceConnection
from integrations.salesforce.errors import SalesforceApiError
from integrations.salesforce.utils import order_query_builder as queries
from integrations.salesforce.utils.soql import require_salesforce_id
from integrations.skipped import log_skipped

__all__ = ["SalesforceOrderClient", "SalesforceSaveError"]

PROVISIONING_ERROR_MAX_LENGTH = 255
"""The length of ``Order.Provisioning_Error__c``."""


class SalesforceOrderClient:
    def __init__(self, connection: SalesforceConnection) -> None:
        self._sf = connection

    def list_orders(self, account_id: str, *, currency_code: str) -> tuple[OrderSummary, ...]:
        """The Account's orders; one the portal cannot read is left out and logged."""
        raw = self._sf.query(queries.build_orders_for_account_query(account_id))
        return mapper.transform_salesforce_order_list(raw, currency_code_default=currency_code, on_skip=log_skipped)

    def get_order(self, order_id: str, account_id: str, *, currency_code: str) -> OrderDetails | None:
        """The order with its items, or None when it does not exist or is another Account's. A line
        the portal cannot read is left out of the page and logged."""
        record = single_record(self._sf.query(queries.build_order_query(order_id, account_id)), entity="order")
        if record is None:
            return None
        items = self._sf.query(queries.build_order_items_query(order_id))
        return mapper.transform_salesforce_order_details(record, items, currency_code_default=currency_code,
                                                         on_skip=log_skipped)

    def find_order_by_request_id(self, request_id: str, account_id: str) -> str | None:
        return mapper.transform_salesforce_order_lookup(
            self._sf.query(queries.build_order_by_request_id_query(request_id, account_id))
        )

    def has_open_order_in_category(self, account_id: str, category: ProductCategory) -> bool:
        """Is one of the Account's orders with a product of ``category`` still under way?"""
        return mapper.transform_salesforce_open_order_check(
            self._sf.query(queries.build_open_order_in_category_query(account_id, category))
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

    # --- provisioning ---------------------------------------------------------------------------
    def get_order_by_id(self, order_id: str, *, currency_code: str) -> OrderDetails | None:
        """The order (without its items), whoever's it is, or None when it does not exist.

        For provisioning only, which starts from an order id: customer pages use ``get_order``.
        """
        record = single_record(self._sf.query(queries.build_order_by_id_query(order_id)), entity="order")
        if record is None:
            return None
        return mapper.transform_salesforce_order_details(record, [], currency_code_default=currency_code)

    def get_order_items(self, order_id: str, *, currency_code: str) -> tuple[OrderItem, ...]:
        """The lines of an order (check whose order it is first: this read does not)."""
        raw = self._sf.query(queries.build_order_items_query(order_id))
        return mapper.transform_salesforce_order_items(raw, currency_code_default=currency_code)

    def update_provisioning(
        self,
        order_id: str,
        *,
        status: OrderStatus | None,
        provisioning_status: ProvisioningStatus,
        whmcs_order_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """Write provisioning's progress onto the order (``PATCH sobjects/Order/<id>``).

        ``status`` None leaves ``Order.Status`` as it is; ``error`` None clears
        ``Provisioning_Error__c`` (it must be customer-safe: the order page shows it); a
        ``whmcs_order_id`` sets ``WHMCS_Order_Id__c``. Setting the same values twice is harmless.
        """
        fields: dict[str, object] = {
            "Provisioning_Status__c": ProvisioningStatus(provisioning_status).value,
            "Provisioning_Error__c": error[:PROVISIONING_ERROR_MAX_LENGTH] if error else None,
        }
        if status is not None:
            fields["Status"] = OrderStatus(status).value
        if whmcs_order_id is not None:
            if not isinstance(whmcs_order_id, int) or isinstance(whmcs_order_id, bool) or whmcs_order_id <= 0:
                raise ValueError("whmcs_order_id must be a positive whole number")
            fields["WHMCS_Order_Id__c"] = whmcs_order_id
        self._sf.update("Order", require_salesforce_id(order_id, prefix=KeyPrefix.ORDER), fields)
