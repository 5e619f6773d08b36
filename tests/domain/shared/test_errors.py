import pickle

import pytest
from pydantic import BaseModel, ValidationError

from domain.shared.errors import MappingError, mapping_error_from_validation


class _Item(BaseModel):
    amount: int


class _Items(BaseModel):
    item: list[_Item]


class _Invoice(BaseModel):
    items: _Items


def test_mapping_error_names_the_field_and_is_a_value_error():
    error = MappingError(provider="whmcs", entity="invoice", field="total", reason="not a decimal number")
    assert isinstance(error, ValueError)
    assert (error.provider, error.entity, error.field, error.reason) == (
        "whmcs",
        "invoice",
        "total",
        "not a decimal number",
    )
    assert "'total'" in str(error)
    assert str(error) == "whmcs invoice: field 'total': not a decimal number"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"items": {"item": [{"amount": 1}, {"amount": "x"}]}}, "items.item.1.amount"),
        ({"items": {"item": [{}]}}, "items.item.0.amount"),
        ({}, "items"),
        (None, "(root)"),
    ],
)
def test_validation_error_becomes_mapping_error_naming_the_first_failing_path(raw, field):
    with pytest.raises(ValidationError) as caught:
        _Invoice.model_validate(raw)
    error = mapping_error_from_validation(caught.value, provider="whmcs", entity="invoice")
    assert error.field == field


def test_mapping_error_survives_pickling():
    error = MappingError(provider="whmcs", entity="invoice", field="total", reason="bad")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, as Celery would pickle it
    assert (copy.field, str(copy)) == (error.field, str(error))
