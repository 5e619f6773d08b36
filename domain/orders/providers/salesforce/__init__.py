"""Salesforce orders: `from domain.orders.providers import salesforce`."""
from domain.orders.providers.salesforce.events import (
    ORDER_PROVISION_REQUESTED,
    ProvisionRequest,
    transform_order_provision_requested,
    transform_salesforce_organization_id,
)
from domain.orders.providers.salesforce.mapper import (
    ORDER_REFERENCE_ID,
    build_salesforce_order_tree,
    transform_salesforce_open_order_check,
    transform_salesforce_order_details,
    transform_salesforce_order_items,
    transform_salesforce_order_list,
    transform_salesforce_order_lookup,
    transform_salesforce_order_summary,
    transform_salesforce_tree_result,
)

__all__ = [
    "ORDER_PROVISION_REQUESTED",
    "ORDER_REFERENCE_ID",
    "ProvisionRequest",
    "build_salesforce_order_tree",
    "transform_order_provision_requested",
    "transform_salesforce_open_order_check",
    "transform_salesforce_order_details",
    "transform_salesforce_order_items",
    "transform_salesforce_order_list",
    "transform_salesforce_order_lookup",
    "transform_salesforce_order_summary",
    "transform_salesforce_organization_id",
    "transform_salesforce_tree_result",
]
