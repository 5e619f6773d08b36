from decimal import Decimal

import pytest

from domain.shared.money import to_minor_units


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    (Decimal("6980.00"), "JPY", 6980),
    (Decimal("4545.5"), "JPY", 4546),
    (Decimal("12.50"), "USD", 1250),
    (Decimal("0.005"), "USD", 1),
    (Decimal("3.4565"), "KWD", 3457),
    (Decimal("-500"), "JPY", -500),
    (Decimal("0"), "JPY", 0),
])
def test_an_amount_is_an_integer_of_the_currencys_smallest_unit(amount, currency, expected):
    assert to_minor_units(amount, currency) == expected
    assert isinstance(to_minor_units(amount, currency), int)
