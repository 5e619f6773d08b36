"""The arguments of Freebit's operations, checked before anything is sent (Freebit's documented limits)."""
from datetime import date, datetime

import pytest

from domain.sim.commands import (
    InvalidSimCommand,
    require_day,
    require_eid,
    require_msisdn,
    require_plan_code,
    require_product_number,
    require_quota_code,
    require_top_up_mb,
)


@pytest.mark.parametrize("value", [1, 100, 1024, 51200, 512000])
def test_quota_amounts(value):
    assert require_top_up_mb(value) == value


@pytest.mark.parametrize("value", [0, -1, 512001, 1.5, 1024.0, "1024", True, None, 2**60])
def test_bad_quota_amounts(value):
    with pytest.raises(InvalidSimCommand, match="top-up amount"):
        require_top_up_mb(value)


@pytest.mark.parametrize("value", ["09012340012", "02012340014", "07012345678901"])
def test_phone_numbers(value):
    assert require_msisdn(value) == value


@pytest.mark.parametrize("value", ["", "0901234001", "090123456789012", "090-1234-0012", "０９０１２３４００１２", None,
                                   9012340012, "8981100000001001124"])
def test_bad_phone_numbers(value):
    with pytest.raises(InvalidSimCommand, match="phone number"):
        require_msisdn(value)


@pytest.mark.parametrize("value", ["2f0c8e5a-3b1d-4c57-9e8a-6d4f1b2a9c30", "a", "campaign-100", "x" * 512])
def test_quota_codes(value):
    assert require_quota_code(value) == value


@pytest.mark.parametrize("value", ["", "x" * 513, "a b", "ü", None, 12])
def test_bad_quota_codes(value):
    with pytest.raises(InvalidSimCommand, match="quota code"):
        require_quota_code(value)


@pytest.mark.parametrize("value", ["MOB-VOICE-20G", "LTE3G_P01", "PA05_D.3", "x" * 32])
def test_plan_codes(value):
    assert require_plan_code(value) == value


@pytest.mark.parametrize("value", ["", "-X", "MOB VOICE", "x" * 33, None, "a'b"])
def test_bad_plan_codes(value):
    with pytest.raises(InvalidSimCommand, match="plan code"):
        require_plan_code(value)


def test_product_numbers_and_eids():
    assert require_product_number("AX1234567890123") == "AX1234567890123"
    assert require_eid("8" * 32) == "8" * 32
    for bad in ("ax1234567890123", "AX123456789012", "AX12345678901234", None):
        with pytest.raises(InvalidSimCommand, match="product number"):
            require_product_number(bad)
    for bad in ("8" * 31, "8" * 33, "a" * 32, None):
        with pytest.raises(InvalidSimCommand, match="EID"):
            require_eid(bad)


def test_a_day_is_a_date_not_a_datetime():
    assert require_day(date(2026, 4, 1)) == date(2026, 4, 1)
    with pytest.raises(InvalidSimCommand, match="date"):
        require_day(datetime(2026, 4, 1))
