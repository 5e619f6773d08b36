"""Checkout: eligibility, and creating the Salesforce order exactly once per checkout."""
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from domain.catalog.types import ProductCategory
from domain.orders.types import MAX_LINE_QUANTITY, PHYSICAL_SIMS, NewOrder, NewOrderLine
from domain.shared import clock
from domain.shared.providers.salesforce import SalesforceSaveError
from domain.subscriptions.types import SubscriptionStatus
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.orders import SalesforceOrderClient
from portal.accounts import identity
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.catalog.selectors import portal_pricebook_id
from portal.core.cache import invalidate_customer
from portal.core.connections import salesforce_connection
from portal.core.errors import ProviderUnavailable, Refused
from portal.core.reads import ProviderReads
from portal.orders.cart import Cart

logger = logging.getLogger(__name__)
SALESFORCE = ProviderReads("orders", "Salesforce", (SalesforceError,), logger)
INTERNET_GROUP = "Internet"
_LIVE_SERVICE = {SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING, SubscriptionStatus.SUSPENDED}


@dataclass(frozen=True)
class PlacedOrder:
    order_id: str
    created: bool  # False: this checkout had already created it (a repeated submit)


def checkout_problems(*, customer: Customer, cart: Cart) -> list[str]:
    """What stops this customer from ordering this cart; empty when the order can go ahead."""
    problems = []
    if cart.is_empty:
        return [_("Your cart is empty.")]
    if cart.dropped:
        problems.append(_("Some products are no longer available and were removed from your cart."))
    if cart.missing_fees:
        problems.append(_("A fee this order requires cannot be charged right now, so the order cannot be placed. "
                          "Please try again later or contact support."))
    if cart.too_many_fees:
        problems.append(_("An order can hold at most %(count)d SIMs or fiber lines: please split it into smaller "
                          "orders.") % {"count": MAX_LINE_QUANTITY})
    internet_in_cart = sum(line.quantity for line in cart.lines if line.product.category == ProductCategory.INTERNET)
    if internet_in_cart > 1:
        problems.append(_("You can order one Internet service at a time."))
    elif internet_in_cart:
        services = billing.subscription_list(customer).value.subscriptions
        if any(s.group_name == INTERNET_GROUP and s.status in _LIVE_SERVICE for s in services):
            problems.append(_("You already have an Internet service. To change it, please contact support."))
        elif _has_open_internet_order(customer):
            problems.append(_("You already have an Internet order on its way. "
                              "You can follow it under Orders; to change it, please contact support."))
    if not billing.payment_methods(customer).value:
        problems.append(_("Please add a payment method before ordering: Billing, then Payment methods."))
    if any(identity.needs_identity(line.product) for line in cart.lines):
        problems.extend(identity.voice_sim_problems(customer))  # Japanese law: identity checked first
    return problems


def _has_open_internet_order(customer: Customer) -> bool:
    """An Internet order placed earlier and not yet provisioned (WHMCS has no service for it yet)."""
    orders = SalesforceOrderClient(salesforce_connection())
    return SALESFORCE.guard(lambda: orders.has_open_order_in_category(customer.salesforce_account_id,
                                                                      ProductCategory.INTERNET))


def order_place(*, customer: Customer, cart: Cart, request_id: str) -> PlacedOrder:
    """Create the Salesforce order for this cart once: a repeated ``request_id`` returns the first order.

    Eligibility is checked and the order created under a lock on the customer's row
    (``select_for_update``), so two checkouts of one customer run one after the other: two carts
    with different request ids cannot both pass "one Internet service at a time" before either
    order exists, and a repeated submit of one checkout waits for the first and finds its order.
    The order and its items are one atomic sObject Tree request; Salesforce also holds
    ``Portal_Request_Id__c`` unique, the last guard should two submits ever race past the lock.
    """
    orders = SalesforceOrderClient(salesforce_connection())
    already = SALESFORCE.guard(lambda: orders.find_order_by_request_id(request_id, customer.salesforce_account_id))
    if already:  # this checkout was submitted before (a double click, a reload): same order
        return PlacedOrder(order_id=already, created=False)
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True).get()
        # A submit of the same checkout may have created the order while this one waited for the lock.
        already = SALESFORCE.guard(lambda: orders.find_order_by_request_id(request_id, customer.salesforce_account_id))
        if already:
            return PlacedOrder(order_id=already, created=False)
        problems = checkout_problems(customer=customer, cart=cart)
        if problems:
            raise Refused(*problems)
        placed = _create_once(NewOrder(
            account_id=customer.salesforce_account_id,
            pricebook_id=portal_pricebook_id(),
            request_id=request_id,
            lines=tuple(
                NewOrderLine(product_id=line.product.id, pricebook_entry_id=line.product.pricebook_entry_id,
                             quantity=line.quantity, unit_price=line.product.price,
                             sim=(line.sim or PHYSICAL_SIMS) if line.is_sim_plan else None)
                for line in cart.lines
            ),
        ))
    invalidate_customer(customer.user_id)
    return placed


def _create_once(new_order: NewOrder) -> PlacedOrder:
    orders = SalesforceOrderClient(salesforce_connection())
    try:
        order_id = orders.create_order(new_order, effective_date=clock.today())
        logger.info("created Salesforce order %s for checkout %s", order_id, new_order.request_id)
        return PlacedOrder(order_id=order_id, created=True)
    except SalesforceSaveError as exc:
        if exc.has_status("DUPLICATE_VALUE"):
            existing = orders.find_order_by_request_id(new_order.request_id, new_order.account_id)
            if existing:
                return PlacedOrder(order_id=existing, created=False)
        logger.error("Salesforce refused order for checkout %s: %s", new_order.request_id, exc)
        raise Refused(_("We could not place this order. Please try again or contact support.")) from exc
    except SalesforceError as exc:
        # A timeout may hide a success: look once more before giving up.
        logger.error("creating the order for checkout %s failed: %s", new_order.request_id, exc)
        try:
            existing = orders.find_order_by_request_id(new_order.request_id, new_order.account_id)
        except SalesforceError:
            existing = None
        if existing:
            return PlacedOrder(order_id=existing, created=False)
        raise ProviderUnavailable("orders") from exc

