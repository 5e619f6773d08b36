"""WHMCS product changes <-> billing upgrade types: UpgradeProduct (with and without ``calconly``),
the upgrade orders of GetOrders, and a product's price from GetProducts. Pure: no I/O.

UpgradeProduct answers its price formatted for people, in the client's currency (``"¥1,000 JPY"``,
``"$-8.67 USD"``): the currency is recognised by its prefix and suffix among the billing system's
currencies, which the caller passes in.
"""
import re
from collections.abc import Sequence
from decimal import Decimal

from domain.billing.upgrades import PlacedUpgrade, ProductPrice, UpgradeOrder, UpgradeQuote
from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.money import Currency, Money
from domain.shared.providers.whmcs import (
    PROVIDER,
    WhmcsContainer,
    WhmcsCount,
    WhmcsFlag,
    WhmcsId,
    WhmcsList,
    WhmcsOptionalId,
    WhmcsRawModel,
    WhmcsText,
)

_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")


# --- raw answers ------------------------------------------------------------------------------------


class WhmcsUpgradeRaw(WhmcsRawModel):
    """UpgradeProduct: the calculation, and for a real call the upgrade order and its invoice."""

    oldproductid: WhmcsId
    newproductid: WhmcsId
    newproductname: WhmcsText = ""
    daysuntilrenewal: WhmcsCount
    totaldays: WhmcsId
    newproductbillingcycle: WhmcsText
    price: WhmcsText
    upgradeinprogress: WhmcsFlag = False


class WhmcsPlacedUpgradeRaw(WhmcsUpgradeRaw):
    id: WhmcsId
    orderid: WhmcsId
    invoiceid: WhmcsOptionalId = None


class WhmcsOrderLineRaw(WhmcsRawModel):
    type: WhmcsText = ""
    relid: WhmcsOptionalId = None


class WhmcsOrderLinesRaw(WhmcsRawModel):
    lineitem: WhmcsList[WhmcsOrderLineRaw] = []


class WhmcsUpgradeOrderRaw(WhmcsRawModel):
    id: WhmcsId
    userid: WhmcsId
    status: WhmcsText
    invoiceid: WhmcsOptionalId = None
    lineitems: WhmcsContainer[WhmcsOrderLinesRaw] = WhmcsOrderLinesRaw()


class WhmcsUpgradeOrderListRaw(WhmcsRawModel):
    order: WhmcsList[WhmcsUpgradeOrderRaw] = []


class WhmcsUpgradeOrdersRaw(WhmcsRawModel):
    totalresults: WhmcsCount
    orders: WhmcsContainer[WhmcsUpgradeOrderListRaw] = WhmcsUpgradeOrderListRaw()


class WhmcsProductRaw(WhmcsRawModel):
    pid: WhmcsId
    pricing: dict[str, dict[str, WhmcsText]] = {}


class WhmcsProductListRaw(WhmcsRawModel):
    product: WhmcsList[WhmcsProductRaw] = []


class WhmcsProductsRaw(WhmcsRawModel):
    products: WhmcsContainer[WhmcsProductListRaw] = WhmcsProductListRaw()


# --- requests ----------------------------------------------------------------------------------------


def build_whmcs_upgrade_product(*, service_id: int, new_product_id: int, billing_cycle: str, payment_method: str,
                                calc_only: bool) -> dict[str, str | int]:
    """The form parameters of UpgradeProduct for a change of product (``type=product``)."""
    for name, value in (("service_id", service_id), ("new_product_id", new_product_id)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{name} must be a positive whole number")
    if not re.fullmatch(r"[a-z]{1,20}", billing_cycle or ""):
        raise ValueError("billing_cycle must be the billing system's cycle name, e.g. 'monthly'")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", payment_method or ""):
        raise ValueError("payment_method must be a payment gateway's system name")
    params: dict[str, str | int] = {
        "serviceid": service_id, "type": "product", "newproductid": new_product_id,
        "newproductbillingcycle": billing_cycle, "paymentmethod": payment_method,
    }
    if calc_only:
        params["calconly"] = "true"
    return params


# --- answers -----------------------------------------------------------------------------------------


def transform_whmcs_upgrade_quote(raw_response: object, *, service_id: int,
                                  currencies: Sequence[Currency]) -> UpgradeQuote:
    """The calculation of an UpgradeProduct answer (``calconly``, or the calculation part of a real one)."""
    parsed = validate_raw(WhmcsUpgradeRaw, raw_response, provider=PROVIDER, entity="upgrade quote")
    return build_domain(
        UpgradeQuote,
        provider=PROVIDER,
        entity="upgrade quote",
        service_id=service_id,
        old_product_id=parsed.oldproductid,
        new_product_id=parsed.newproductid,
        new_product_name=parsed.newproductname,
        billing_cycle=parsed.newproductbillingcycle.strip().lower(),
        days_until_renewal=parsed.daysuntilrenewal,
        total_days=parsed.totaldays,
        price=formatted_amount(parsed.price, currencies, entity="upgrade quote", field="price"),
        upgrade_in_progress=parsed.upgradeinprogress,
    )


def transform_whmcs_placed_upgrade(raw_response: object, *, currencies: Sequence[Currency]) -> PlacedUpgrade:
    parsed = validate_raw(WhmcsPlacedUpgradeRaw, raw_response, provider=PROVIDER, entity="upgrade")
    return build_domain(
        PlacedUpgrade,
        provider=PROVIDER,
        entity="upgrade",
        upgrade_id=parsed.id,
        order_id=parsed.orderid,
        invoice_id=parsed.invoiceid,
        price=formatted_amount(parsed.price, currencies, entity="upgrade", field="price"),
    )


def transform_whmcs_upgrade_orders(raw_response: object) -> tuple[UpgradeOrder, ...]:
    """The orders of a GetOrders answer (newest first) with the services their upgrade lines change;
    orders without an upgrade line are left out."""
    parsed = validate_raw(WhmcsUpgradeOrdersRaw, raw_response, provider=PROVIDER, entity="order list")
    orders = []
    for raw in parsed.orders.order:
        upgraded = tuple(line.relid for line in raw.lineitems.lineitem
                         if line.type.strip().lower() == "upgrade" and line.relid)
        if upgraded:
            orders.append(build_domain(UpgradeOrder, provider=PROVIDER, entity="upgrade order", id=raw.id,
                                       client_id=raw.userid, status=raw.status, invoice_id=raw.invoiceid,
                                       service_ids=upgraded))
    return tuple(orders)


def transform_whmcs_newest_order_id(raw_response: object) -> int:
    """The highest order id of a GetOrders answer (0 when there is no order)."""
    parsed = validate_raw(WhmcsUpgradeOrdersRaw, raw_response, provider=PROVIDER, entity="order list")
    return max((order.id for order in parsed.orders.order), default=0)


def transform_whmcs_product_price(raw_response: object, *, product_id: int, currency_code: str,
                                  billing_cycle: str) -> ProductPrice | None:
    """The product's price on ``billing_cycle`` in ``currency_code`` from GetProducts; None when the
    product is not in the answer or not sold on that cycle in that currency."""
    parsed = validate_raw(WhmcsProductsRaw, raw_response, provider=PROVIDER, entity="products")
    product = next((p for p in parsed.products.product if p.pid == product_id), None)
    if product is None:
        return None
    raw_price = product.pricing.get(currency_code, {}).get(billing_cycle)
    if raw_price is None:
        return None
    if not _DECIMAL.fullmatch(raw_price.strip()):
        raise MappingError(provider=PROVIDER, entity="products", field=f"pricing.{currency_code}.{billing_cycle}",
                           reason="not a decimal number")
    amount = Decimal(raw_price.strip())
    if amount < 0:  # WHMCS: -1.00 = not offered on this cycle
        return None
    return build_domain(ProductPrice, provider=PROVIDER, entity="product price", product_id=product_id,
                        billing_cycle=billing_cycle, price=Money(amount=amount, currency=currency_code))


def formatted_amount(text: str, currencies: Sequence[Currency], *, entity: str, field: str) -> Money:
    """An amount as WHMCS formats it for people (``"¥1,000 JPY"``, ``"$-8.67 USD"``, ``"-$8.67 USD"``)
    in the currency whose prefix and suffix it carries (the suffix decides when both match)."""
    text = text.strip()
    candidates = []
    for currency in currencies:
        suffix, prefix = currency.suffix.strip(), currency.prefix.strip()
        body = text
        if suffix:
            if not body.endswith(suffix):
                continue
            body = body[: -len(suffix)].strip()
        negative = body.startswith("-")
        body = body.removeprefix("-")
        if prefix:
            if not body.startswith(prefix):
                continue
            body = body[len(prefix):].strip()
        if body.startswith("-"):
            negative, body = True, body[1:]
        if _NUMBER.fullmatch(body):
            candidates.append((bool(suffix), currency, ("-" if negative else "") + body.replace(",", "")))
    if not candidates:
        raise MappingError(provider=PROVIDER, entity=entity, field=field,
                           reason="not an amount in one of the billing system's currencies")
    candidates.sort(key=lambda c: not c[0])  # a currency recognised by its suffix first
    _, currency, number = candidates[0]
    return Money(amount=Decimal(number), currency=currency.code)
