"""The catalog tests share the order tests' Salesforce emulator fixture (the customers' browsers
come from tests/conftest.py)."""
from tests.portal.orders.conftest import sf  # noqa: F401 - a pytest fixture
