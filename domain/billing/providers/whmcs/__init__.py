"""WHMCS billing: `from domain.billing.providers import whmcs; whmcs.transform_whmcs_invoice(...)`."""
from domain.billing.providers.whmcs.mapper import (
    WHMCS_DEFAULT_PAGE_SIZE,
    default_currency,
    transform_whmcs_client_currency,
    transform_whmcs_created_invoice,
    transform_whmcs_currencies,
    transform_whmcs_invoice,
    transform_whmcs_invoice_list,
    transform_whmcs_pay_methods,
    transform_whmcs_sso_token,
)

__all__ = [
    "WHMCS_DEFAULT_PAGE_SIZE",
    "default_currency",
    "transform_whmcs_client_currency",
    "transform_whmcs_created_invoice",
    "transform_whmcs_currencies",
    "transform_whmcs_invoice",
    "transform_whmcs_invoice_list",
    "transform_whmcs_pay_methods",
    "transform_whmcs_sso_token",
]
