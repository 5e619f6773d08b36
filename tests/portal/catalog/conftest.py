"""The catalog tests share the order tests' Salesforce emulator fixture (the customers' browsers
come from tests/conftest.py)."""
