"""Fixtures of the billing tests: the WHMCS emulator driven over its real HTTP control endpoints.

Failures are injected with ``POST /__sandbox__/faults`` and provider calls are counted with
``GET /__sandbox__/stats``; seed data is read from ``whmcs.app.store`` (never hard-coded), so the
tests follow the seed whatever day they run.
"""
from __future__ import annotations

import pytest
from django.test import Client

from tests.emulator import EmulatorControl

ALICE_CLIENT_ID = 1001
BOB_CLIENT_ID = 1002


class Emulator(EmulatorControl):
    """The test's handle on the WHMCS emulator: faults, call counts and seed data."""

    # -- seed data --------------------------------------------------------------------------------
    def invoices_of(self, client_id: int, status: str | None = None) -> list:
        """The client's invoices in the portal's order: due date, newest first (ties: highest id)."""
        store = self.store
        invoices = [i for i in store.invoices.values() if i.userid == client_id]
        if status == "Overdue":
            invoices = [i for i in invoices if store.is_overdue(i, store.today)]
        elif status:
            invoices = [i for i in invoices if i.status == status]
        return sorted(invoices, key=lambda i: (i.duedate, i.id), reverse=True)

    def invoice_of(self, client_id: int, status: str = "Unpaid", *, overdue: bool | None = None,
                   currency: str | None = None, with_transactions: bool = False):
        store = self.store
        for invoice in self.invoices_of(client_id):
            if invoice.status != status:
                continue
            if overdue is not None and store.is_overdue(invoice, store.today) != overdue:
                continue
            if currency and store.currency_of(invoice).code != currency:
                continue
            if with_transactions and not store.invoice_transactions(invoice.id):
                continue
            return invoice
        raise LookupError(f"no {status} invoice of client {client_id} in the seed")

    def services_of(self, client_id: int) -> list:
        return sorted((s for s in self.store.services.values() if s.clientid == client_id), key=lambda s: s.id)

    def paymethods_of(self, client_id: int) -> list:
        return sorted((m for m in self.store.paymethods.values() if m.clientid == client_id), key=lambda m: m.id)


@pytest.fixture
def emulator(whmcs) -> Emulator:
    """The ``whmcs`` fixture (reset, no faults, wired into settings) with zeroed call counts."""
    handle = Emulator(whmcs)
    handle.reset_stats()
    yield handle
    handle.clear_faults()  # a hanging-call fault must not outlive the test


@pytest.fixture
def usd_customer_client(emulator, make_user) -> Client:
    """A customer linked to the WHMCS client billed in US dollars (``USD_CLIENT_ID`` of the seed)."""
    from portal.accounts.models import Customer
    from sandbox.whmcs.seed import USD_CLIENT_ID

    client = emulator.store.clients[USD_CLIENT_ID]
    user = make_user(email=client.email)
    Customer.objects.create(user=user, salesforce_account_id="001Dn00000DanaDIAR", whmcs_client_id=USD_CLIENT_ID)
    browser = Client()
    browser.force_login(user)
    return browser


EMPTY_CLIENT_ID = 1003


@pytest.fixture
def empty_customer_client(emulator, make_user) -> Client:
    """A linked customer whose WHMCS client exists but owns nothing (no invoices, services or cards)."""
    from portal.accounts.models import Customer
    from sandbox.whmcs.store import Client as WhmcsClient

    emulator.store.clients[EMPTY_CLIENT_ID] = WhmcsClient(EMPTY_CLIENT_ID, "Carol", "Castillo", "carol@example.com")
    user = make_user(email="carol@example.com")
    Customer.objects.create(user=user, salesforce_account_id="001Dn00000CarolIAB", whmcs_client_id=EMPTY_CLIENT_ID)
    browser = Client()
    browser.force_login(user)
    return browser
