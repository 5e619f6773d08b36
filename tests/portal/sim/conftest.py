"""Fixtures of the SIM tests: the Freebit emulator (and WHMCS, which says which SIMs a customer has
and bills the top-ups, and Salesforce, whose catalog lists the plans), driven over their real HTTP
control endpoints.

Freebit calls are counted with ``GET /__sandbox__/stats`` (by PA code: ``PA04-04``...) and failures
injected with ``POST /__sandbox__/faults``; a SIM is suspended with ``POST /__sandbox__/sims/<number>``. Expected
figures (quota, daily usage, top-ups) are read from ``freebit.store`` and ``whmcs.app.store``,
never hard-coded, so the tests follow the seed whatever day they run.
"""
from __future__ import annotations

import pytest
from django.test import Client

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import DEMO_SIMS
from tests.pages import messages_of, request_id_of

ALICE, BOB = DEMO_CUSTOMERS[:2]
SIM_BY_SERVICE = {sim.service_id: sim for sim in DEMO_SIMS}
ALICE_VOICE = SIM_BY_SERVICE[12].iccid  # Mobile Voice 20 GB, active
ALICE_VOICE_5G = SIM_BY_SERVICE[13].iccid  # Mobile Voice 5 GB, active
ALICE_DATA = SIM_BY_SERVICE[14].iccid  # Data SIM 10 GB, active, data only
ALICE_SUSPENDED = SIM_BY_SERVICE[15].iccid  # Mobile Voice 3 GB (retired), suspended
BOB_VOICE = SIM_BY_SERVICE[21].iccid  # Mobile Voice 20 GB, active
ALICE_SIMS = [sim.iccid for sim in DEMO_SIMS if sim.client_id == ALICE.whmcs_client_id]
NUMBER_OF = {sim.iccid: sim.msisdn for sim in DEMO_SIMS}
"""A demo SIM's phone number by its ICCID: how Freebit names the SIM (its ``account``)."""



def luhn_complete(digits: str) -> str:
    """``digits`` plus its Luhn check digit: a well-formed ICCID."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


UNKNOWN_ICCID = luhn_complete("898110000000100199")  # valid, but nobody's SIM
assert UNKNOWN_ICCID not in {sim.iccid for sim in DEMO_SIMS}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The users here sign in with ``force_login``: no need for Argon2's deliberate slowness."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def providers(freebit, billing, salesforce):
    """All three emulators wired in: a SIM page needs WHMCS (the SIMs), Freebit (their data) and
    Salesforce (the plans offered)."""
    return freebit


# -- browsing helpers ------------------------------------------------------------------------------


def sim_page(browser: Client, iccid: str):
    return browser.get(f"/sims/{iccid}/")


def ask_quote(browser: Client, iccid: str, quota_mb, request_id: str, *, follow: bool = False, **extra):
    return browser.post(f"/sims/{iccid}/top-up/", {"quota_mb": quota_mb, "request_id": request_id, **extra},
                        follow=follow)


def confirm_topup(browser: Client, iccid: str, quota_mb, request_id: str, **kwargs):
    return browser.post(f"/sims/{iccid}/top-up/",
                        {"quota_mb": quota_mb, "request_id": request_id, "confirm": "True"}, **kwargs)


def top_up_through_the_pages(browser: Client, iccid: str, quota_mb: int):
    """Load the SIM page, ask for the price, confirm: (the request id, the page after the redirect)."""
    page = sim_page(browser, iccid)
    assert page.status_code == 200, page.status_code
    quote = ask_quote(browser, iccid, quota_mb, request_id_of(page))
    assert quote.status_code == 200, (quote.status_code, messages_of(browser.get(f"/sims/{iccid}/")))
    request_id = request_id_of(quote)
    return request_id, confirm_topup(browser, iccid, quota_mb, request_id, follow=True)
