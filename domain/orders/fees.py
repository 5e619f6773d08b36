"""Required fees: the one-off charges a product brings with it. A fee is never ordered on its own.

The catalog's fees (category ``Fees``) are not something a customer chooses: an order carries
exactly the fees its products require, and nothing else of that category.

=======================  ==============================================  ==========================
fee (SKU)                required by                                     how many
=======================  ==============================================  ==========================
``FEE-SIM-ACTIVATION``   every SIM plan (a service that needs a SIM)     one per new SIM: the
                                                                         plan's quantity
``FEE-FIBER-INSTALL``    every fiber line (a service ``NET-FIBER-*``)    one per line
=======================  ==============================================  ==========================

The catalog says so in its own words ("One-time fee per new SIM (issue and activation)", "on-site
installation of the fiber line"); the rules name the fees by SKU because the catalog has no field
that links a fee to its products. A fee that is required but not on sale (no portal price) makes
the product that requires it impossible to order, rather than ordered without its fee.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from domain.catalog.types import Catalog, ItemClass, Product, ProductCategory
from domain.orders.types import MAX_LINE_QUANTITY


@dataclass(frozen=True)
class FeeRule:
    fee_sku: str
    applies_to: Callable[[Product], bool]
    """Whether one unit of this product requires one unit of the fee."""


def _sim_plan(product: Product) -> bool:
    return product.is_sim and product.item_class is ItemClass.SERVICE


def _fiber_line(product: Product) -> bool:
    return product.sku.startswith("NET-FIBER-") and product.item_class is ItemClass.SERVICE


SIM_ACTIVATION_FEE = "FEE-SIM-ACTIVATION"
FIBER_INSTALLATION_FEE = "FEE-FIBER-INSTALL"
FEE_RULES = (
    FeeRule(SIM_ACTIVATION_FEE, _sim_plan),
    FeeRule(FIBER_INSTALLATION_FEE, _fiber_line),
)


def is_fee(product: Product) -> bool:
    """A fee: only ever ordered because a product requires it."""
    return product.category is ProductCategory.FEES


@dataclass(frozen=True)
class RequiredFees:
    lines: tuple[tuple[Product, int], ...]
    """(fee, quantity) in rule order, one per fee the chosen products require."""
    missing: tuple[str, ...] = ()
    """SKUs of fees required but not in the catalog: the products requiring them cannot be ordered."""
    too_many: tuple[str, ...] = ()
    """SKUs of fees required more than ``MAX_LINE_QUANTITY`` times (an order line's limit)."""


def required_fees(catalog: Catalog, chosen: Iterable[tuple[Product, int]]) -> RequiredFees:
    """The fees ``chosen`` (product, quantity) pairs require; fees among ``chosen`` require nothing."""
    chosen = [(product, quantity) for product, quantity in chosen if not is_fee(product)]
    lines, missing, too_many = [], [], []
    for rule in FEE_RULES:
        quantity = sum(quantity for product, quantity in chosen if rule.applies_to(product))
        if not quantity:
            continue
        fee = catalog.find_by_sku(rule.fee_sku)
        if fee is None:
            missing.append(rule.fee_sku)
        elif quantity > MAX_LINE_QUANTITY:
            too_many.append(rule.fee_sku)
        else:
            lines.append((fee, quantity))
    return RequiredFees(lines=tuple(lines), missing=tuple(missing), too_many=tuple(too_many))
