"""Money and currencies. Amounts are always Decimal: a float is refused, never converted."""
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, Field

from domain.shared.model import DomainModel

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
"""An ISO 4217-style code: three upper-case letters."""


def _to_decimal(value: object) -> Decimal:
    # Floats are refused so a binary approximation can never sneak into an amount. Strings are
    # accepted for values coming back from a JSON cache (pydantic dumps Decimal as a string).
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("must be a Decimal, an int or a decimal string, not a float")
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            raise ValueError("not a decimal number") from None
    if not isinstance(value, Decimal):
        raise ValueError("must be a Decimal")
    if not value.is_finite():
        raise ValueError("must be a finite number")
    return value


Amount = Annotated[Decimal, BeforeValidator(_to_decimal)]


class Money(DomainModel):
    amount: Amount
    currency: CurrencyCode


class Currency(DomainModel):
    """A billing currency as the billing system presents it (e.g. prefix "¥", suffix " JPY")."""

    code: CurrencyCode
    prefix: str = ""
    suffix: str = ""
    id: int | None = None
    is_default: bool = False
    rate: Annotated[Decimal, Field(gt=0)] = Decimal(1)
    """The exchange rate from the installation's default currency (WHMCS's own, GetCurrencies)."""

    def convert(self, default_amount: Decimal) -> Decimal:
        """A price set in the default currency, in this one: multiplied by the rate as WHMCS converts
        product prices, rounded up to the currency's smallest unit (a price is never rounded down)."""
        step = Decimal(1).scaleb(-currency_decimals(self.code))
        return (default_amount * self.rate).quantize(step, rounding=ROUND_CEILING)


# ISO 4217 minor units for the currencies that do not use two decimals.
_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_DECIMALS = {**dict.fromkeys(_ZERO_DECIMALS.split(), 0), **dict.fromkeys(_THREE_DECIMALS.split(), 3)}


def currency_decimals(code: str) -> int:
    """How many decimals an amount in this currency is shown with (JPY 0, USD 2, KWD 3)."""
    return _DECIMALS.get(code, 2)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """An amount as a whole number of the currency's smallest unit, rounded half up: yen as yen
    (6980), US dollars as cents (12.50 -> 1250), Kuwaiti dinars as fils. What the API answers."""
    return int((amount * 10 ** currency_decimals(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(money: Money, currency: Currency | None = None) -> str:
    """`¥1,200`, `$12.50 USD`, `-$3.00 USD`; without a currency (or one with neither prefix nor
    suffix): `1,200 JPY`. Rounds half up to the currency's decimals.
    """
    if currency is not None and currency.code != money.currency:
        raise ValueError(f"cannot format {money.currency} money with the {currency.code} currency")
    decimals = currency_decimals(money.currency)
    rounded = money.amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    number = f"{abs(rounded):,.{decimals}f}"
    if currency is None or not (currency.prefix or currency.suffix):
        return f"{sign}{number} {money.currency}"
    return f"{sign}{currency.prefix}{number}{currency.suffix}"
