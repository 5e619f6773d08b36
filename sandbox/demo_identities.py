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

DEMO_UNLINKED = DemoCustomer("erin@example.com", "Erin", "Endo", "001Dn00000ErinEIAR", 1003)
"""A customer of billing and the CRM whose portal sign-in is not linked yet: she links it herself
(/account/link/) with her billing client-area sign-in below, or with her customer number (1003) and
a code sent to her email."""
DEMO_UNLINKED_BILLING_PASSWORD = "erin-billing"  # noqa: S105 (published demo sign-in to the WHMCS sandbox)
DEMO_CLIENT_AREA_PASSWORDS = {
    **{customer.whmcs_client_id: f"{customer.first_name.lower()}-billing" for customer in DEMO_CUSTOMERS},
    DEMO_UNLINKED.whmcs_client_id: DEMO_UNLINKED_BILLING_PASSWORD,
}
"""Each demo client's sign-in to the WHMCS sandbox's client area (what ValidateLogin checks)."""

DEMO_ADMIN_TOTP_KEY = "2cdeb80ac7ff39bb0228c14370793d10303b9eda"
"""The demo admin's authenticator key (hex, 20 bytes; base32 for an authenticator app:
FTPLQCWH7443WARIYFBXA6J5CAYDXHW2): staff need a second factor in /admin/, and the demo's is
published like its password. Never a real deployment's."""
