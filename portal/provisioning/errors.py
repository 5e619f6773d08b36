"""What can go wrong with a provisioning job, and what the customer is told about it."""
from __future__ import annotations

from django.utils.translation import gettext_noop

from portal.core.jobs import JobFailed, JobRetry

NOT_APPROVED = "not_approved"
UNKNOWN_ORDER = "unknown_order"
EMPTY_ORDER = "empty_order"
UNKNOWN_PRODUCT = "unknown_product"
UNKNOWN_CUSTOMER = "unknown_customer"
NO_PAYMENT_METHOD = "no_payment_method"
WHMCS_REFUSED = "whmcs_refused"
SIM_ACTIVATION_REFUSED = "sim_activation_refused"
SIM_INVENTORY_EMPTY = "sim_inventory_empty"
BILLING_SETUP = "billing_setup"
PROVIDER_UNAVAILABLE = "provider_unavailable"

CUSTOMER_MESSAGES = {
    NOT_APPROVED: gettext_noop("This order is not approved for activation."),
    UNKNOWN_ORDER: gettext_noop("This order could not be found."),
    EMPTY_ORDER: gettext_noop("This order has nothing to activate. Our team has been told and will contact you."),
    UNKNOWN_PRODUCT: gettext_noop("A product in this order cannot be activated automatically yet. Our team has been "
                                  "told and will contact you."),
    UNKNOWN_CUSTOMER: gettext_noop("We could not find the billing account for this order. Our team has been told and "
                                   "will contact you."),
    NO_PAYMENT_METHOD: gettext_noop("Please add a payment method (Billing, then Payment methods), then contact us "
                                    "to complete this order."),
    WHMCS_REFUSED: gettext_noop("Billing could not set up this order. Our team has been told and will contact you."),
    SIM_ACTIVATION_REFUSED: gettext_noop("Your SIM could not be activated. Our team has been told and will contact "
                                         "you."),
    SIM_INVENTORY_EMPTY: gettext_noop("We are preparing a SIM for this order; activation will follow. Our team has "
                                      "been told and will contact you."),
    BILLING_SETUP: gettext_noop("We could not finish setting up this order. Our team has been told and will contact "
                                "you."),
    PROVIDER_UNAVAILABLE: gettext_noop("We could not finish setting up this order because one of our systems was "
                                       "unavailable. Our team has been told and will complete it."),
}
"""What the order page shows (``Provisioning_Error__c``, at most 255 characters): never a
provider's own words. Salesforce keeps them in English, for staff; the order page and the API show
them in the customer's language (the catalogues hold them: ``gettext_noop``)."""

NOT_WRITTEN_BACK = frozenset({NOT_APPROVED, UNKNOWN_ORDER})
"""Failures that leave the Salesforce order alone: it is not (or no longer) ours to fail."""


class InvalidProvisioningRequest(ValueError):
    """The event cannot name a job: a malformed order id or idempotency key (nothing is stored)."""


class ProvisioningFailed(JobFailed):
    """A business failure: trying again will not help until someone changes something (a product
    mapping, a payment method, the order's approval). The job is failed at once, not retried."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in CUSTOMER_MESSAGES:
            raise ValueError(f"unknown provisioning error code {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def customer_message(self) -> str:
        return CUSTOMER_MESSAGES[self.code]

    @property
    def written_back(self) -> bool:
        """Whether the Salesforce order is marked Failed with the customer message."""
        return self.code not in NOT_WRITTEN_BACK


class ProvisioningRetry(JobRetry):
    """A transient failure (a provider timed out, answered 5xx, ...): the Celery task retries the
    job with backoff. The job is back in the queue with the error in ``last_error``."""
