"""The catalog tests share the order tests' fixtures (the Salesforce emulator and the customers)."""
from tests.portal.orders.conftest import (  # noqa: F401 - pytest fixtures
    bob_client,
    sf,
    unlinked_client,
)
