"""The helpers that write values for people (portal/core/formats.py), in English and Japanese."""
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from domain.billing.types import InvoiceStatus
from domain.orders.types import ProvisioningStatus
from domain.shared.money import Money
from domain.sim.types import DataQuota, SimStatus
from domain.subscriptions.types import BillingCycle, SubscriptionStatus
from portal.core import formats


def yen(amount) -> Money:
    return Money(amount=Decimal(amount), currency="JPY")


@pytest.mark.parametrize(("language", "value", "expected"), [
    ("en", yen(12420), "¥12,420"),
    ("ja", yen(12420), "12,420円"),
    ("en", yen("6980.00"), "¥6,980"),
    ("en", yen("4545.5"), "¥4,546"),  # half up, no decimals for yen
    ("ja", yen(-500), "-500円"),
    ("en", yen(0), "¥0"),
    ("en", Money(amount=Decimal("12.5"), currency="USD"), "$12.50"),
    ("ja", Money(amount=Decimal("12.5"), currency="USD"), "$12.50"),
    ("en", Money(amount=Decimal("3.4565"), currency="KWD"), "KWD3.457"),
    ("en", Money(amount=Decimal("1234.5"), currency="EUR"), "€1,234.50"),
])
def test_money_is_written_by_the_language_and_the_currency(language, value, expected):
    with translation.override(language):
        assert formats.money(value) == expected


def test_no_money_is_a_dash():
    assert formats.money(None) == "—"


def test_a_price_before_tax_is_shown_with_tax_and_says_so(settings):
    settings.CONSUMPTION_TAX_RATE = Decimal(10)
    assert formats.with_tax(yen(500)) == yen(550)
    assert formats.with_tax(yen(123)) == yen(135)  # 135.3, rounded half up to the yen
    with translation.override("en"):
        assert formats.consumer_price(yen(500), before_tax=True) == "¥550 (tax incl.)"
        assert formats.consumer_price(yen(5000)) == "¥5,000 (tax incl.)"


@pytest.mark.parametrize(("language", "expected_day", "expected_moment", "expected_month", "expected_dm"), [
    ("en", "3 Dec 2026", "3 Dec 2026, 00:30", "December 2026", "3 Dec"),
    ("ja", "2026年12月3日", "2026年12月3日 00:30", "2026年12月", "12月3日"),
])
def test_dates_and_times_are_in_japan_time(language, expected_day, expected_moment, expected_month, expected_dm):
    instant = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # already the 3rd in Tokyo
    with translation.override(language):
        assert formats.day(instant) == expected_day
        assert formats.day(date(2026, 12, 3)) == expected_day
        assert formats.moment(instant) == expected_moment
        assert formats.month(date(2026, 12, 3)) == expected_month
        assert formats.day_of_month(date(2026, 12, 3)) == expected_dm
    assert formats.day(None) == "—"


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        formats.moment(datetime(2026, 12, 3, 12, 0))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(("number", "expected"), [
    ("09012345678", "090-1234-5678"),
    ("08012340012", "080-1234-0012"),
    ("02012345678", "020-1234-5678"),
    ("05012345678", "050-1234-5678"),
    ("+819012345678", "090-1234-5678"),
    ("819012345678", "090-1234-5678"),
    ("0312345678", "03-1234-5678"),
    ("0112345678", "011-234-5678"),
    ("12345", "12345"),
    ("", "—"),
])
def test_phone_numbers_are_written_as_in_japan(number, expected):
    assert formats.phone(number) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (DataQuota(kb=0), "0 MB"),
    (DataQuota(kb=300), "<1 MB"),
    (DataQuota.from_mb(850), "850 MB"),
    (DataQuota.from_mb(1023), "1,023 MB"),
    (DataQuota.from_gb(1), "1 GB"),
    (DataQuota(kb=int(3.2 * 1024 * 1024)), "3.2 GB"),
    (DataQuota.from_gb(50), "50 GB"),
    (100, "100 MB"),
    (2048, "2 GB"),
])
def test_data_amounts_are_mb_below_a_gigabyte_and_gb_from_one(value, expected):
    with translation.override("en"):
        assert formats.data_amount(value) == expected


def test_durations_are_words_not_clock_readings():
    with translation.override("en"):
        assert formats.duration(timedelta(minutes=15)) == "15 minutes"
        assert formats.duration(timedelta(hours=1)) == "1 hour"
        assert formats.duration(timedelta(minutes=90)) == "1 hour 30 minutes"


def test_every_provider_status_has_customer_words():
    for enum in (InvoiceStatus, SubscriptionStatus, ProvisioningStatus, SimStatus):
        for value in enum:
            status = formats.customer_status(value)
            assert str(status.label) and status.tone in formats.Tone, value


def test_the_same_provider_word_can_mean_different_things_by_provider():
    assert formats.customer_status(InvoiceStatus.UNPAID).label == "To pay"
    assert formats.customer_status(InvoiceStatus.PAYMENT_PENDING).label == "Payment processing"
    assert formats.customer_status(ProvisioningStatus.PENDING_REVIEW).label == "Under review"
    assert formats.customer_status(SubscriptionStatus.PENDING).label == "Being set up"
    assert formats.customer_status(SimStatus.PENDING).label == "Being activated"
    assert formats.customer_status(SimStatus.SUSPENDED).tone is formats.Tone.BAD
    assert formats.customer_status(InvoiceStatus.UNPAID, overdue=True).label == "Overdue"


def test_payments_name_the_way_paid_never_the_gateway():
    with translation.override("en"):
        assert formats.payment_method("stripe") == "Card"
        assert formats.payment_method("banktransfer") == "Bank transfer"
        assert formats.payment_method("some_gateway_module") == "Online payment"


def test_billing_cycles_read_as_words():
    with translation.override("en"):
        assert formats.billing_cycle(BillingCycle.MONTHLY) == "Per month"
        assert formats.billing_cycle("One-time") == "One-time"


def test_templates_and_code_write_dates_for_people_only_through_the_helpers():
    """A page's day goes through ``formats.day`` (the ``|day`` filter), never Django's ``|date`` with a
    format of its own or ``strftime`` (both gave English month names on Japanese pages); machine
    values (``Y-m-d`` in a form field) are fine."""
    root = Path(__file__).resolve().parents[3]
    found = []
    for template in (root / "templates").rglob("*.html"):
        for match in re.finditer(r"\|date:(['\"])(.*?)\1", template.read_text(encoding="utf-8")):
            if match.group(2) != "Y-m-d":
                found.append(f"{template.relative_to(root)}: {match.group(0)}")
    for module in [*(root / "portal").rglob("*.py"), *(root / "domain").rglob("*.py")]:
        for match in re.finditer(r"%-?[dbBY] %-?[bBY]", module.read_text(encoding="utf-8")):
            found.append(f"{module.relative_to(root)}: {match.group(0)}")
    assert found == []
