"""Prices the portal sets itself (top-ups, the eSIM reissue fee) are quoted and charged in the currency
WHMCS bills the customer in, converted from the default currency at WHMCS's own exchange rate."""
from decimal import Decimal

import pytest

from domain.shared.money import Currency
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.sim import topups
from sandbox.whmcs.seed import USD, USD_CLIENT_ID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_currencies():
    billing.forget_currencies()
    yield
    billing.forget_currencies()


@pytest.fixture
def dollar_customer(make_user) -> Customer:
    """Dana, billed by WHMCS in US dollars."""
    user = make_user(email="dana@example.com")
    return Customer.objects.create(user=user, salesforce_account_id="001Dn0000000010AAA", whmcs_client_id=USD_CLIENT_ID)


def test_a_top_up_is_quoted_in_yen_for_a_customer_billed_in_yen(whmcs, customer_user, settings):
    settings.SIM_TOPUP_PRICE_PER_GB = Decimal(500)

    quote = topups.topup_quote(1536, customer_user.customer)

    assert (quote.amount, quote.currency) == (Decimal(750), "JPY")


def test_a_top_up_is_quoted_in_dollars_for_a_customer_billed_in_dollars(whmcs, dollar_customer, settings):
    settings.SIM_TOPUP_PRICE_PER_GB = Decimal(500)

    quote = topups.topup_quote(1024, dollar_customer)

    assert quote.currency == "USD"
    assert quote.amount == (Decimal(500) * USD.rate).quantize(Decimal("0.01")) == Decimal("3.35")


@pytest.mark.parametrize(("code", "rate", "amount", "expected"), [
    ("JPY", Decimal(1), Decimal("488.30"), Decimal(489)),  # whole yen, never rounded down
    ("USD", Decimal("0.0067"), Decimal(500), Decimal("3.35")),
    ("USD", Decimal("0.00671"), Decimal(500), Decimal("3.36")),  # 3.355 up to the next cent
    ("KWD", Decimal("0.00205"), Decimal(1000), Decimal("2.050")),
])
def test_a_default_currency_price_converts_at_whmcs_rate_rounded_up(code, rate, amount, expected):
    assert Currency(code=code, rate=rate).convert(amount) == expected
