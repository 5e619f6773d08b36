"""The customer's profile: read from billing (``GetClientsDetails``, cached ``CACHE_TTL_PROFILE``), and
their phone and address changed by them: written to billing (``UpdateClient``) and to their CRM
Contact, then the cached copy forgotten, so the next page shows the new values. Both writes set
values (sending them twice changes nothing): when the second fails, the customer is told to send
the form again. The sign-in email is not here: it changes only through its confirmation link
(``portal.accounts.services``)."""
from __future__ import annotations

import logging

from django.conf import settings

from domain.customers.types import ContactDetails, CustomerProfile
from domain.shared.errors import MappingError
from integrations.salesforce.customers import SalesforceCustomerClient
from integrations.salesforce.errors import SalesforceError
from integrations.whmcs.clients import WhmcsCustomerClient
from integrations.whmcs.errors import WhmcsError
from portal.accounts.models import Customer
from portal.core.cache import Cached, invalidate_customer
from portal.core.connections import salesforce_connection, whmcs_connection
from portal.core.errors import ProviderUnavailable
from portal.core.reads import WHMCS_FAILURES, ProviderReads

logger = logging.getLogger(__name__)
AREA = "profile"
WHMCS = ProviderReads(AREA, "WHMCS", WHMCS_FAILURES, logger)


def customer_profile(customer: Customer) -> Cached[CustomerProfile]:
    """The customer's details as billing holds them (a stale copy with a notice while it fails)."""
    def read() -> CustomerProfile:
        found = WhmcsCustomerClient(whmcs_connection()).profile(customer.whmcs_client_id)
        if found is None:
            raise MappingError(provider="whmcs", entity="client", field="clientid", reason="the client was not found")
        return found

    return WHMCS.for_customer(customer, "profile", settings.CACHE_TTL_PROFILE, read)


def update_contact(customer: Customer, contact: ContactDetails) -> None:
    """Write the new phone and address to billing, then to the CRM Contact. ``ProviderUnavailable``
    when either fails (nothing else is needed than sending the form again)."""
    try:
        WhmcsCustomerClient(whmcs_connection()).update_contact(customer.whmcs_client_id, contact)
    except (WhmcsError, MappingError) as exc:
        logger.error("profile of user %s not saved in WHMCS: %s", customer.user_id, exc)
        raise ProviderUnavailable(AREA) from exc
    invalidate_customer(customer.user_id)
    service = SalesforceCustomerClient(salesforce_connection())
    try:
        contact_id = service.contact_of_account(customer.salesforce_account_id)
        if contact_id is None:
            logger.warning("user %s: Account %s has no Contact; only billing has the new phone and address",
                           customer.user_id, customer.salesforce_account_id)
        else:
            service.update_contact(contact_id, contact)
    except (SalesforceError, MappingError) as exc:
        logger.error("profile of user %s saved in WHMCS but not on the Salesforce Contact: %s", customer.user_id, exc)
        raise ProviderUnavailable(AREA) from exc
    logger.info("user %s changed their phone and address", customer.user_id)
