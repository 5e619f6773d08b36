"""Helpers for the domain tests: fixtures, currencies, and a deep "no float" check."""
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from domain.shared.money import Currency

FIXTURES = Path(__file__).parent / "fixtures" / "whmcs"

JPY = Currency(id=1, code="JPY", prefix="¥", suffix=" JPY", is_default=True)
USD = Currency(id=2, code="USD", prefix="$", suffix=" USD")


def load(name: str) -> dict[str, Any]:
    """A WHMCS fixture, decoded like the connection decodes a response (plain json.loads)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def altered(payload: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """A deep copy of `payload` with `change` applied to it (the original stays untouched)."""
    copied = copy.deepcopy(payload)
    change(copied)
    return copied


def floats_in(value: object, path: str = "") -> list[str]:
    """The paths of every float inside a domain object (there must be none)."""
    if isinstance(value, float):
        return [path or "(root)"]
    if isinstance(value, BaseModel):
        return [hit for name in type(value).model_fields for hit in floats_in(getattr(value, name), f"{path}.{name}")]
    if isinstance(value, tuple | list):
        return [hit for index, item in enumerate(value) for hit in floats_in(item, f"{path}.{index}")]
    return []
