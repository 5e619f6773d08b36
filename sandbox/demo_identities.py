"""The demo customers, as every system knows them: one source for the portal's seed and the
emulators' data, so the links always line up."""
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCustomer:
    email: str
    first_name: str
    last_name: str
    salesforce_account_id: str
    whmcs_client_id: int


DEMO_PASSWORD = "portal-demo"  # noqa: S105 (published demo sign-in)
DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "portal-admin"  # noqa: S105 (published demo sign-in)

DEMO_CUSTOMERS = (
    DemoCustomer("alice@example.com", "Alice", "Andersen", "001Dn00000AliceIAB", 1001),
    DemoCustomer("bob@example.com", "Bob", "Brennan", "001Dn00000BobBrIAJ", 1002),
)
