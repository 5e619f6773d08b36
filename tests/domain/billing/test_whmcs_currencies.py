"""GetCurrencies -> Currency (with WHMCS's exchange rate), and the default currency."""
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.billing.providers import whmcs
from domain.shared.errors import MappingError
from domain.shared.money import Currency
from tests.domain.helpers import altered, load


def test_currencies_are_mapped_and_id_1_is_the_default():
    currencies = whmcs.transform_whmcs_currencies(load("get_currencies.json"))
    assert currencies == (
        Currency(id=1, code="JPY", prefix="¥", suffix=" JPY", is_default=True, rate=Decimal(1)),
        Currency(id=2, code="USD", prefix="$", suffix=" USD", is_default=False, rate=Decimal("0.0067")),
    )
    assert whmcs.default_currency(currencies).code == "JPY"


def test_default_currency_is_id_1_wherever_it_is_listed():
    body = altered(load("get_currencies.json"), lambda b: b["currencies"]["currency"].reverse())
    currencies = whmcs.transform_whmcs_currencies(body)
    assert [c.code for c in currencies] == ["USD", "JPY"]
    assert whmcs.default_currency(currencies).code == "JPY"


def test_a_currency_without_a_rate_converts_at_one_and_a_rate_of_zero_is_refused():
    body = altered(load("get_currencies.json"), lambda b: b["currencies"]["currency"][1].pop("rate"))
    assert [c.rate for c in whmcs.transform_whmcs_currencies(body)] == [Decimal(1), Decimal(1)]
    body = altered(load("get_currencies.json"), lambda b: b["currencies"]["currency"][1].update(rate="0.00000"))
    with pytest.raises(MappingError):
        whmcs.transform_whmcs_currencies(body)


def test_without_id_1_the_first_listed_is_the_default():
    assert whmcs.default_currency([Currency(id=3, code="EUR"), Currency(id=2, code="USD")]).code == "EUR"


def test_no_currency_at_all_is_a_mapping_error():
    with pytest.raises(MappingError) as caught:
        whmcs.default_currency(())
    assert caught.value.field == "currencies.currency"


@pytest.mark.parametrize("currencies", ["", [], None, {"currency": []}])
def test_empty_currency_list(currencies):
    assert whmcs.transform_whmcs_currencies({"result": "success", "totalresults": 0, "currencies": currencies}) == ()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("code", "yen", "currencies.currency.0.code"),
        ("code", None, "currencies.currency.0.code"),
        ("id", "x", "currencies.currency.0.id"),
        ("prefix", ["¥"], "currencies.currency.0.prefix"),
    ],
)
def test_malformed_currency(path, value, field):
    body = altered(load("get_currencies.json"), lambda b: b["currencies"]["currency"][0].__setitem__(path, value))
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_currencies(body)
    assert caught.value.field == field


def test_currency_is_immutable():
    currency = whmcs.transform_whmcs_currencies(load("get_currencies.json"))[0]
    with pytest.raises(ValidationError):
        currency.code = "USD"
