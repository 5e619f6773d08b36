"""The customer's cart, kept in their session as ``{product_id: quantity}``.

Prices are never kept: every view of the cart re-reads them from the current catalog, and a product
that left the catalog is dropped from the cart with a notice.
"""
from dataclasses import dataclass
from decimal import Decimal

from domain.catalog.types import Catalog, Product
from domain.orders.types import MAX_LINE_QUANTITY
from domain.shared.money import Money

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def total(self) -> Money:
        return Money(amount=self.product.price.amount * self.quantity, currency=self.product.price.currency)


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    dropped: tuple[str, ...] = ()  # product ids no longer in the catalog

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def total(self) -> Money | None:
        if not self.lines:
            return None
        currency = self.lines[0].product.price.currency
        return Money(amount=sum((line.total.amount for line in self.lines), Decimal(0)), currency=currency)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def quantities(session) -> dict[str, int]:
    raw = session.get(SESSION_KEY) or {}
    return {str(k): int(v) for k, v in raw.items() if isinstance(v, int) and 0 < v <= MAX_LINE_QUANTITY}


def set_quantity(session, product: Product, quantity: int) -> None:
    """Put ``quantity`` of a catalog product in the cart (0 removes it)."""
    if not 0 <= quantity <= MAX_LINE_QUANTITY:
        raise ValueError(f"quantity must be between 0 and {MAX_LINE_QUANTITY}")
    cart = quantities(session)
    if quantity:
        cart[product.id] = quantity
    else:
        cart.pop(product.id, None)
    session[SESSION_KEY] = cart


def clear(session) -> None:
    session.pop(SESSION_KEY, None)


def build(session, catalog: Catalog) -> Cart:
    """The cart priced from ``catalog``; products no longer in it leave the session's cart (reported
    once in ``dropped``), so they cannot block the checkout for good."""
    lines, dropped = [], []
    kept = quantities(session)
    for product_id, quantity in list(kept.items()):
        product = catalog.find(product_id)
        if product is None:
            dropped.append(product_id)
            del kept[product_id]
        else:
            lines.append(CartLine(product=product, quantity=quantity))
    if dropped:
        session[SESSION_KEY] = kept
    return Cart(lines=tuple(lines), dropped=tuple(dropped))
