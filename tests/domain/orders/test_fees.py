"""Required fees (domain.orders.fees) and amounts per billing cycle (domain.orders.types)."""
from decimal import Decimal

import pytest

from domain.catalog.types import BillingCycle, Catalog, ItemClass, Product, ProductCategory
from domain.orders.fees import FIBER_INSTALLATION_FEE, SIM_ACTIVATION_FEE, is_fee, required_fees
from domain.orders.types import CycleTotal, totals_by_cycle
from domain.shared.money import Money

_ids = iter(range(1, 100))


def product(sku: str, category: ProductCategory, *, item_class=ItemClass.SERVICE, cycle=BillingCycle.MONTHLY,
            price=1000, is_sim=False) -> Product:
    n = next(_ids)
    return Product(id=f"01t{n:012d}", sku=sku, name=sku.title(), category=category, item_class=item_class,
                   billing_cycle=cycle, price=Money(amount=Decimal(price), currency="JPY"),
                   pricebook_entry_id=f"01u{n:012d}", is_sim=is_sim)


SIM_3G = product("MOB-DATA-3G", ProductCategory.MOBILE, is_sim=True)
VOICE = product("MOB-VOICE-5G", ProductCategory.MOBILE, is_sim=True)
FIBER = product("NET-FIBER-1G", ProductCategory.INTERNET)
HOME_5G = product("NET-HOME-5G", ProductCategory.INTERNET)
VPN = product("VPN-SECURE", ProductCategory.VPN)
SIM_FEE = product(SIM_ACTIVATION_FEE, ProductCategory.FEES, item_class=ItemClass.ACTIVATION,
                  cycle=BillingCycle.ONE_TIME, price=3300)
FIBER_FEE = product(FIBER_INSTALLATION_FEE, ProductCategory.FEES, item_class=ItemClass.ACTIVATION,
                    cycle=BillingCycle.ONE_TIME, price=22000)
CATALOG = Catalog(products=(SIM_3G, VOICE, FIBER, HOME_5G, VPN, SIM_FEE, FIBER_FEE))


def test_each_new_sim_requires_one_activation_fee():
    fees = required_fees(CATALOG, [(SIM_3G, 2), (VOICE, 1), (VPN, 4)])

    assert fees.lines == ((SIM_FEE, 3),) and fees.missing == () and fees.too_many == ()


def test_each_fiber_line_requires_its_installation_and_nothing_else_requires_a_fee():
    assert required_fees(CATALOG, [(FIBER, 1), (HOME_5G, 1), (VPN, 1)]).lines == ((FIBER_FEE, 1),)
    assert required_fees(CATALOG, [(HOME_5G, 1), (VPN, 2)]).lines == ()


def test_fees_listed_among_the_products_require_nothing():
    assert required_fees(CATALOG, [(SIM_FEE, 5)]).lines == ()
    assert is_fee(SIM_FEE) and is_fee(FIBER_FEE) and not is_fee(SIM_3G)


def test_a_required_fee_off_sale_is_reported_missing():
    catalog = Catalog(products=(SIM_3G, VPN))

    fees = required_fees(catalog, [(SIM_3G, 1), (VPN, 1)])

    assert fees.lines == () and fees.missing == (SIM_ACTIVATION_FEE,)


def test_more_fees_than_an_order_line_holds_are_reported():
    fees = required_fees(CATALOG, [(SIM_3G, 10), (VOICE, 1)])

    assert fees.lines == () and fees.too_many == (SIM_ACTIVATION_FEE,)


def yen(amount) -> Money:
    return Money(amount=Decimal(amount), currency="JPY")


def test_amounts_are_summed_per_cycle_monthly_first_and_never_together():
    totals = totals_by_cycle([(BillingCycle.ONE_TIME, yen(3300)), (BillingCycle.MONTHLY, yen(990)),
                              (BillingCycle.MONTHLY, yen(600)), (BillingCycle.ANNUALLY, yen(12000)),
                              (BillingCycle.ONE_TIME, yen(3300))])

    assert totals == (CycleTotal(billing_cycle=BillingCycle.MONTHLY, amount=yen(1590)),
                      CycleTotal(billing_cycle=BillingCycle.ANNUALLY, amount=yen(12000)),
                      CycleTotal(billing_cycle=BillingCycle.ONE_TIME, amount=yen(6600)))
    assert totals_by_cycle([]) == ()


def test_one_cycle_in_two_currencies_is_refused():
    with pytest.raises(ValueError):
        totals_by_cycle([(BillingCycle.MONTHLY, yen(1)), (BillingCycle.MONTHLY, Money(amount=1, currency="USD"))])
