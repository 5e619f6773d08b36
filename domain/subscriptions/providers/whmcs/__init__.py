"""WHMCS subscriptions: `from domain.subscriptions.providers import whmcs`."""
from domain.subscriptions.providers.whmcs.mapper import (
    WHMCS_DEFAULT_PAGE_SIZE,
    transform_whmcs_subscription,
    transform_whmcs_subscription_list,
)

__all__ = ["WHMCS_DEFAULT_PAGE_SIZE", "transform_whmcs_subscription", "transform_whmcs_subscription_list"]
