"""The WHMCS quirks, one field type at a time."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.shared.providers.whmcs import (
    WHMCS_TIME_ZONE,
    WhmcsContainer,
    WhmcsCount,
    WhmcsCurrencyCode,
    WhmcsDate,
    WhmcsDateTime,
    WhmcsDecimal,
    WhmcsFlag,
    WhmcsId,
    WhmcsList,
    WhmcsOptionalDate,
    WhmcsOptionalDateTime,
    WhmcsOptionalId,
    WhmcsRawModel,
    WhmcsText,
)


def _parse(field_type, value):
    model = type("Raw", (WhmcsRawModel,), {"__annotations__": {"value": field_type}})
    return model.model_validate({"value": value}).value


ACCEPTED = [
    (WhmcsId, "1001", 1001),
    (WhmcsId, 1001, 1001),
    (WhmcsId, " 7 ", 7),
    (WhmcsOptionalId, "0", None),
    (WhmcsOptionalId, 0, None),
    (WhmcsOptionalId, "", None),
    (WhmcsOptionalId, None, None),
    (WhmcsOptionalId, "501", 501),
    (WhmcsCount, "0", 0),
    (WhmcsCount, 25, 25),
    (WhmcsDecimal, "12.50", Decimal("12.50")),
    (WhmcsDecimal, "-5.00", Decimal("-5.00")),
    (WhmcsDecimal, 3280, Decimal(3280)),
    (WhmcsDecimal, 12.5, Decimal("12.5")),
    (WhmcsDecimal, 0.1, Decimal("0.1")),  # the JSON text, not the binary float 0.1000000000000000055...
    (WhmcsDate, "2026-02-15", date(2026, 2, 15)),
    (WhmcsOptionalDate, "0000-00-00", None),
    (WhmcsOptionalDate, "", None),
    (WhmcsOptionalDate, None, None),
    (WhmcsOptionalDate, "2026-12-01", date(2026, 12, 1)),
    (WhmcsDateTime, "2026-01-10 09:30:12", datetime(2026, 1, 10, 9, 30, 12, tzinfo=WHMCS_TIME_ZONE)),
    (WhmcsOptionalDateTime, "0000-00-00 00:00:00", None),
    (WhmcsOptionalDateTime, "0000-00-00", None),
    (WhmcsOptionalDateTime, "2026-01-10 09:30:12", datetime(2026, 1, 10, 9, 30, 12, tzinfo=WHMCS_TIME_ZONE)),
    (WhmcsFlag, "1", True),
    (WhmcsFlag, "0", False),
    (WhmcsFlag, 1, True),
    (WhmcsFlag, 0, False),
    (WhmcsFlag, True, True),
    (WhmcsText, "Fiber 1G", "Fiber 1G"),
    (WhmcsText, None, ""),
    (WhmcsText, 1001, "1001"),
    (WhmcsCurrencyCode, "JPY", "JPY"),
    (WhmcsCurrencyCode, "", ""),
    (WhmcsList[int], "", []),
    (WhmcsList[int], None, []),
    (WhmcsList[int], {}, []),
    (WhmcsList[int], [1, 2], [1, 2]),
]


@pytest.mark.parametrize(("field_type", "raw", "expected"), ACCEPTED)
def test_accepted(field_type, raw, expected):
    parsed = _parse(field_type, raw)
    assert parsed == expected
    assert type(parsed) is type(expected)


REFUSED = [
    (WhmcsId, "0", "greater than 0"),
    (WhmcsId, "-1", "not a whole number"),
    (WhmcsId, "1.5", "not a whole number"),
    (WhmcsId, 1.0, "not a whole number"),
    (WhmcsId, True, "not a whole number"),
    (WhmcsId, "", "not a whole number"),
    (WhmcsDecimal, "abc", "not a decimal number"),
    (WhmcsDecimal, "", "not a decimal number"),
    (WhmcsDecimal, "NaN", "not a decimal number"),
    (WhmcsDecimal, "1e3", "not a decimal number"),
    (WhmcsDecimal, "1,200.00", "not a decimal number"),
    (WhmcsDecimal, float("inf"), "not a finite number"),
    (WhmcsDecimal, None, "not a decimal number"),
    (WhmcsDecimal, False, "not a decimal number"),
    (WhmcsDate, "2026-13-45", "not a valid calendar date"),
    (WhmcsDate, "2026-02-30", "not a valid calendar date"),
    (WhmcsDate, "0000-00-00", "is empty"),
    (WhmcsDate, "15/02/2026", "not a date"),
    (WhmcsDate, "2026-02-15 00:00:00", "not a date"),
    (WhmcsDate, "", "not a date"),
    (WhmcsDate, 20260215, "not a date"),
    (WhmcsOptionalDate, "2026-13-45", "not a valid calendar date"),
    (WhmcsDateTime, "2026-01-10", "not a datetime"),
    (WhmcsDateTime, "2026-01-10 25:00:00", "not a valid calendar datetime"),
    (WhmcsOptionalDateTime, "yesterday", "not a datetime"),
    (WhmcsFlag, "yes", "not a 0/1 flag"),
    (WhmcsFlag, "", "not a 0/1 flag"),
    (WhmcsFlag, 2, "not a 0/1 flag"),
    (WhmcsText, {"a": 1}, "not text"),
    (WhmcsCurrencyCode, "yen", "pattern"),
]


@pytest.mark.parametrize(("field_type", "raw", "reason"), REFUSED)
def test_refused(field_type, raw, reason):
    with pytest.raises(ValidationError, match=reason):
        _parse(field_type, raw)


class _Entry(WhmcsRawModel):
    id: WhmcsId


class _Entries(WhmcsRawModel):
    entry: WhmcsList[_Entry] = []


@pytest.mark.parametrize(
    ("raw", "expected_ids"),
    [
        ("", []),
        ([], []),
        (None, []),
        ({}, []),
        ({"entry": []}, []),
        ({"entry": [{"id": "3"}, {"id": 4}]}, [3, 4]),
        ({"entry": {"id": "3"}}, [3]),  # a lone object instead of a list of one
    ],
)
def test_container_and_list_empty_forms(raw, expected_ids):
    assert [entry.id for entry in _parse(WhmcsContainer[_Entries], raw).entry] == expected_ids
