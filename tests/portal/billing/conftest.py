"""Fixtures of the billing tests: the WHMCS emulator driven over its real HTTP control endpoints.

Failures are injected with ``POST /__sandbox__/faults`` and provider calls are counted with
``GET /__sandbox__/stats``; seed data is read from ``whmcs.app.store`` (never hard-coded), so the
tests follow the seed whatever day they run.
"""
from __future__ import annotations

import pytest
from django.test import Client

from tests.emulator import WhmcsEmulator

ALICE_CLIENT_ID = 1001
BOB_CLIENT_ID = 1002


@pytest.fixture
def emulator(whmcs) -> WhmcsEmulator:
    """``whmcs`` with its call counts zeroed when the test asks for it."""
    whmcs.reset_stats()
    return whmcs


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
