from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.shared.money import Currency, Money, currency_decimals, format_money
from tests.domain.helpers import JPY, USD

EUR = Currency(code="EUR", prefix="€", suffix="")


@pytest.mark.parametrize(
    ("amount", "code", "currency", "expected"),
    [
        ("1200", "JPY", Currency(code="JPY", prefix="¥"), "¥1,200"),
        ("1200.00", "JPY", JPY, "¥1,200 JPY"),
        ("5000.49", "JPY", JPY, "¥5,000 JPY"),
        ("0.5", "JPY", JPY, "¥1 JPY"),  # half up
        ("12.5", "USD", USD, "$12.50 USD"),
        ("1234567.891", "USD", USD, "$1,234,567.89 USD"),
        ("-3", "USD", USD, "-$3.00 USD"),
        ("0", "USD", USD, "$0.00 USD"),
        ("-0.001", "USD", USD, "$0.00 USD"),
        ("99.995", "EUR", EUR, "€100.00"),
        ("1200", "JPY", None, "1,200 JPY"),
        ("1.5", "KWD", None, "1.500 KWD"),
        ("7", "USD", Currency(code="USD"), "7.00 USD"),  # no prefix nor suffix: show the code
    ],
)
def test_format_money(amount, code, currency, expected):
    assert format_money(Money(amount=Decimal(amount), currency=code), currency) == expected


def test_format_money_refuses_a_currency_of_another_code():
    with pytest.raises(ValueError, match="USD"):
        format_money(Money(amount=Decimal(1), currency="JPY"), USD)


@pytest.mark.parametrize(("code", "decimals"), [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("KWD", 3)])
def test_currency_decimals(code, decimals):
    assert currency_decimals(code) == decimals


@pytest.mark.parametrize(
    "amount",
    [12.5, float("nan"), "NaN", Decimal("Infinity"), "abc", True, None],
    ids=["float", "float-nan", "str-nan", "decimal-inf", "text", "bool", "none"],
)
def test_money_refuses_floats_and_non_numbers(amount):
    with pytest.raises(ValidationError):
        Money(amount=amount, currency="JPY")


@pytest.mark.parametrize("amount", [Decimal("12.50"), 12, "12.50"])
def test_money_accepts_decimal_int_and_decimal_strings(amount):
    assert Money(amount=amount, currency="USD").amount == Decimal(str(amount))


@pytest.mark.parametrize("code", ["jpy", "JP", "JPYY", "", "¥"])
def test_money_and_currency_need_a_three_letter_upper_case_code(code):
    with pytest.raises(ValidationError):
        Money(amount=Decimal(1), currency=code)
    with pytest.raises(ValidationError):
        Currency(code=code)


def test_money_is_immutable_hashable_and_round_trips_through_json():
    money = Money(amount=Decimal("12.50"), currency="USD")
    with pytest.raises(ValidationError):
        money.amount = Decimal(1)
    with pytest.raises(ValidationError):
        Money(amount=Decimal(1), currency="USD", note="extra")
    assert hash(money) == hash(Money(amount=Decimal("12.50"), currency="USD"))
    assert Money.model_validate_json(money.model_dump_json()) == money
    assert Money.model_validate(money.model_dump(mode="json")) == money
