"""The customer's cart, kept in their session as ``{product_id: quantity}`` of the products they chose.

Prices are never kept: every view of the cart re-reads them from the current catalog, and a product
that left the catalog is dropped from the cart with a notice. Fees are never kept either: the
fees the chosen products require (``domain.orders.fees``) are added to the cart each time it is
built, so a SIM plan always brings its activation fee and a fee is never ordered on its own.
"""
from collections.abc import Iterable
from dataclasses import dataclass, replace

from domain.catalog.types import Catalog, Product
from domain.orders.fees import is_fee, required_fees
from domain.orders.types import MAX_LINE_QUANTITY, PHYSICAL_SIMS, CycleTotal, SimChoice, totals_by_cycle
from domain.shared.money import Money

SESSION_KEY = "cart"


class FeeNotChoosable(ValueError):
    """A fee was put in the cart: it comes with the products that require it, never on its own."""


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int
    required: bool = False
    """A fee the other lines require: added by the portal, not chosen (nor removable) by the customer."""
    sim: SimChoice | None = None
    """A SIM plan's line: SIM cards or eSIMs (chosen at checkout; cards until then)."""

    @property
    def is_sim_plan(self) -> bool:
        return self.product.is_sim and not self.required

    @property
    def total(self) -> Money:
        return Money(amount=self.product.price.amount * self.quantity, currency=self.product.price.currency)


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    dropped: tuple[str, ...] = ()  # product ids no longer in the catalog
    missing_fees: tuple[str, ...] = ()  # SKUs of required fees that are not on sale
    too_many_fees: tuple[str, ...] = ()  # SKUs of required fees over an order line's quantity limit

    @property
    def is_empty(self) -> bool:
        return not any(not line.required for line in self.lines)

    @property
    def totals(self) -> tuple[CycleTotal, ...]:
        """Monthly, yearly and one-time amounts, each on its own (never added into one total)."""
        return totals_by_cycle((line.product.billing_cycle, line.total) for line in self.lines)

    @property
    def sim_lines(self) -> tuple[CartLine, ...]:
        return tuple(line for line in self.lines if line.is_sim_plan)

    def with_sims(self, choices: dict[str, SimChoice]) -> "Cart":
        """The cart with the SIM chosen for each SIM plan line (by product id; SIM cards when none)."""
        return replace(self, lines=tuple(
            replace(line, sim=choices.get(line.product.id, PHYSICAL_SIMS)) if line.is_sim_plan else line
            for line in self.lines))

def quantities(session) -> dict[str, int]:
    raw = session.get(SESSION_KEY) or {}
    return {str(k): int(v) for k, v in raw.items() if isinstance(v, int) and 0 < v <= MAX_LINE_QUANTITY}


def set_quantity(session, product: Product, quantity: int) -> None:
    """Put ``quantity`` of a catalog product in the cart (0 removes it); a fee raises FeeNotChoosable."""
    if not 0 <= quantity <= MAX_LINE_QUANTITY:
        raise ValueError(f"quantity must be between 0 and {MAX_LINE_QUANTITY}")
    if is_fee(product):
        raise FeeNotChoosable(product.sku)
    cart = quantities(session)
    if quantity:
        cart[product.id] = quantity
    else:
        cart.pop(product.id, None)
    session[SESSION_KEY] = cart


def clear(session) -> None:
    session.pop(SESSION_KEY, None)


def with_required_fees(catalog: Catalog, chosen: Iterable[tuple[Product, int]], *,
                       dropped: tuple[str, ...] = ()) -> Cart:
    """The cart of the ``chosen`` (product, quantity) pairs (fees among them are left out) and the
    fees they require, after them."""
    chosen = [(product, quantity) for product, quantity in chosen if not is_fee(product)]
    fees = required_fees(catalog, chosen)
    lines = [CartLine(product=product, quantity=quantity) for product, quantity in chosen]
    lines += [CartLine(product=fee, quantity=quantity, required=True) for fee, quantity in fees.lines]
    return Cart(lines=tuple(lines), dropped=dropped, missing_fees=fees.missing, too_many_fees=fees.too_many)


def build(session, catalog: Catalog) -> Cart:
    """The cart priced from ``catalog``; products no longer in it leave the session's cart (reported
    once in ``dropped``), so they cannot block the checkout for good. A fee kept in the session by
    an older version of the cart leaves it silently: it is added again if it is required."""
    chosen, dropped = [], []
    kept = quantities(session)
    for product_id, quantity in list(kept.items()):
        product = catalog.find(product_id)
        if product is None or is_fee(product):
            if product is None:
                dropped.append(product_id)
            del kept[product_id]
        else:
            chosen.append((product, quantity))
    if len(kept) != len(quantities(session)):
        session[SESSION_KEY] = kept
    return with_required_fees(catalog, chosen, dropped=tuple(dropped))
