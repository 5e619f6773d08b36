"""GetPayMethods -> PaymentMethod: only what a customer may see, never a token or a full number."""
from datetime import date

import pytest
from pydantic import ValidationError

from domain.billing.providers import whmcs
from domain.billing.types import PaymentMethod, PaymentMethodType
from domain.shared.errors import MappingError
from tests.domain.helpers import altered, floats_in, load


def test_pay_methods_are_mapped():
    methods = whmcs.transform_whmcs_pay_methods(load("get_pay_methods.json"))
    assert methods == (
        PaymentMethod(
            id=11,
            type=PaymentMethodType.REMOTE_CREDIT_CARD,
            description="Main card",
            gateway="stripe",
            is_default=True,
            last_four="4242",
            card_brand="Visa",
            expiry_month=12,
            expiry_year=2027,
        ),
        PaymentMethod(
            id=12,
            type=PaymentMethodType.CREDIT_CARD,
            description="",
            gateway="",
            is_default=False,
            last_four="0005",
            card_brand="American Express",
            expiry_month=3,
            expiry_year=2024,
        ),
        PaymentMethod(
            id=13,
            type=PaymentMethodType.BANK_ACCOUNT,
            description="Salary account",
            gateway="",
            is_default=False,
            bank_name="Mizuho Bank",
            account_type="Checking",
        ),
    )
    assert [m.is_card for m in methods] == [True, True, False]
    assert floats_in(methods) == []


def test_tokens_and_unused_personal_data_never_reach_the_domain():
    methods = whmcs.transform_whmcs_pay_methods(load("get_pay_methods.json"))
    dumped = repr(methods) + "".join(m.model_dump_json() for m in methods)
    assert "SECRETTOKEN" not in dumped
    assert "remote_token" not in dumped
    assert "Hanako" not in dumped  # account holder name is not carried


def test_only_the_last_four_digits_of_an_account_number_are_kept():
    body = altered(load("get_pay_methods.json"), lambda b: b["paymethods"][2].update(account_number="1234567890123"))
    method = whmcs.transform_whmcs_pay_methods(body)[2]
    assert method.last_four == "0123"
    assert "1234567890123" not in method.model_dump_json()


@pytest.mark.parametrize(
    ("expiry", "month", "year"),
    [("12/27", 12, 2027), ("1227", 12, 2027), ("01/2030", 1, 2030), ("", None, None)],
)
def test_card_expiry_forms(expiry, month, year):
    body = altered(load("get_pay_methods.json"), lambda b: b["paymethods"][0].update(expiry_date=expiry))
    method = whmcs.transform_whmcs_pay_methods(body)[0]
    assert (method.expiry_month, method.expiry_year) == (month, year)


def test_a_card_without_last_four_has_none():
    body = altered(load("get_pay_methods.json"), lambda b: b["paymethods"][0].update(card_last_four=""))
    assert whmcs.transform_whmcs_pay_methods(body)[0].last_four is None


@pytest.mark.parametrize(
    ("today", "expired"),
    [(date(2024, 3, 31), False), (date(2024, 4, 1), True), (date(2023, 12, 1), False)],
)
def test_card_expiry(today, expired):
    card = whmcs.transform_whmcs_pay_methods(load("get_pay_methods.json"))[1]  # 03/24
    assert card.is_expired(today) is expired


@pytest.mark.parametrize("paymethods", [[], "", None])
def test_no_pay_methods(paymethods):
    assert whmcs.transform_whmcs_pay_methods({"result": "success", "clientid": "42", "paymethods": paymethods}) == ()


@pytest.mark.parametrize(
    ("index", "change", "field"),
    [
        (0, {"type": "PayPal"}, "paymethods.0.type"),
        (0, {"card_last_four": "4242424242424242"}, "paymethods.0.card_last_four"),
        (0, {"card_last_four": "42"}, "paymethods.0.card_last_four"),
        (1, {"expiry_date": "13/27"}, "paymethods.1.expiry_date"),
        (1, {"expiry_date": "soon"}, "paymethods.1.expiry_date"),
        (2, {"id": "abc"}, "paymethods.2.id"),
    ],
)
def test_malformed_pay_method(index, change, field):
    body = altered(load("get_pay_methods.json"), lambda b: b["paymethods"][index].update(change))
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_pay_methods(body)
    assert caught.value.field == field
    assert "4242424242424242" not in str(caught.value)  # a full number is never echoed


def test_payment_method_refuses_anything_but_four_digits_and_is_immutable():
    method = whmcs.transform_whmcs_pay_methods(load("get_pay_methods.json"))[0]
    with pytest.raises(ValidationError):
        PaymentMethod(**(method.model_dump() | {"last_four": "4242424242424242"}))
    with pytest.raises(ValidationError):
        PaymentMethod(**method.model_dump(), remote_token="tok")
    with pytest.raises(ValidationError):
        method.last_four = "1111"
