"""Fixtures of the SIM tests: the Freebit emulator (and WHMCS, which says which SIMs a customer has
and bills the top-ups, and Salesforce, whose catalog lists the plans), driven over their real HTTP
control endpoints.

Freebit calls are counted with ``GET /__sandbox__/stats`` (by PA code: ``PA04-04``...) and failures
injected with ``POST /__sandbox__/faults``; a SIM is suspended with ``POST /__sandbox__/sims/<number>``. Expected
figures (quota, daily usage, top-ups) are read from ``freebit.store`` and ``whmcs.app.store``,
never hard-coded, so the tests follow the seed whatever day they run.
"""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
import requests
from django.test import Client

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import DEMO_SIMS
from tests.emulator import EmulatorControl, controlled

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

REQUEST_ID_INPUT = re.compile(r'<input type="hidden" name="request_id" value="([^"]+)"')
MESSAGE = re.compile(r'<p class="message message-(\w+)"[^>]*>(.*?)</p>', re.S)


def luhn_complete(digits: str) -> str:
    """``digits`` plus its Luhn check digit: a well-formed ICCID."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


UNKNOWN_ICCID = luhn_complete("898110000000100199")  # valid, but nobody's SIM
assert UNKNOWN_ICCID not in {sim.iccid for sim in DEMO_SIMS}


class FreebitEmulator(EmulatorControl):
    """The test's handle on the Freebit emulator: control endpoints and live data. The tests name a
    SIM by its ICCID, as the portal's pages do; the emulator, like Freebit, by its phone number."""

    def number_of(self, iccid: str) -> str:
        return self.sim(iccid).msisdn

    # -- control endpoints ------------------------------------------------------------------------
    def set_status(self, iccid: str, status: str) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/sims/{self.number_of(iccid)}", json={"status": status},
                                 timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def sim_state(self, iccid: str) -> dict:
        """The line as PA03-02 answers it (plus ``clientId``, ``quotaAdditions``, ...)."""
        response = requests.get(f"{self.url}/__sandbox__/sims/{self.number_of(iccid)}", timeout=5)
        response.raise_for_status()
        return response.json()

    # -- live data --------------------------------------------------------------------------------
    def sim(self, iccid: str):
        return next(account for account in self.store.accounts.values() if account.iccid == iccid)

    def daily_kb(self, iccid: str, start: date, end: date) -> list[tuple[date, int]]:
        """Whole days' usage the emulator generated for ``start``..``end``: (day, kB used)."""
        return self.store.daily_kb(self.sim(iccid), start, end)

    def topups_for(self, request_id: str) -> list:
        """The quota additions (PA04-04) made with the request id as their quotaCode."""
        return [record for record in self.store.quota if record.quota_code == str(request_id)]


class WhmcsEmulator(EmulatorControl):
    """The bits of the WHMCS emulator the SIM tests look at: call counts and the invoices made."""

    def __init__(self, handle):
        super().__init__(handle)
        self.first_new_invoice = max(self.store.invoices, default=0) + 1

    def new_invoices(self, client_id: int = ALICE.whmcs_client_id) -> list:
        """Invoices created since the test began (the seed's are left out)."""
        return sorted((i for i in self.store.invoices.values()
                       if i.id >= self.first_new_invoice and i.userid == client_id), key=lambda i: i.id)

    def payments_of(self, invoice_id: int) -> list:
        return [t for t in self.store.invoice_transactions(invoice_id) if t.amountin > 0]

    def invoices_of_request(self, request_id: str, client_id: int = ALICE.whmcs_client_id) -> list:
        """The invoices whose notes carry the top-up's marker (``portal-request:<request id>``)."""
        marker = f"portal-request:{request_id}"
        return sorted((i for i in self.store.invoices.values()
                       if i.userid == client_id and marker in (i.notes or "").splitlines()), key=lambda i: i.id)

    def charges(self) -> int:
        """Payments taken on the invoices created since the test began."""
        return sum(len(self.payments_of(invoice.id)) for invoice in self.new_invoices())

    def remove_cards(self, client_id: int = ALICE.whmcs_client_id) -> None:
        """The client keeps a bank account but no card: CapturePayment then fails."""
        cards = [key for key, m in self.store.paymethods.items()
                 if m.clientid == client_id and m.type in ("CreditCard", "RemoteCreditCard")]
        assert cards, "the seed gives the client a card"
        others = [m for m in self.store.paymethods.values() if m.clientid == client_id and m.type not in
                  ("CreditCard", "RemoteCreditCard")]
        assert others, "the seed gives the client another payment method"
        for key in cards:
            del self.store.paymethods[key]

    def remove_payment_methods(self, client_id: int = ALICE.whmcs_client_id) -> None:
        mine = [key for key, m in self.store.paymethods.items() if m.clientid == client_id]
        assert mine
        for key in mine:
            del self.store.paymethods[key]

    def fail_action(self, action: str, status: int = 503):
        """The emulator answers ``status`` to ``action`` only (its fault controls), until the
        returned ``heal()`` is called."""
        self.fail(action, times=None, status=status)
        return self.clear_faults


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The users here sign in with ``force_login``: no need for Argon2's deliberate slowness."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def freebit_server():
    """One Freebit emulator for the session, on a free port, ignoring SANDBOX_* variables. Its
    calendar follows the clock (Japan time, as the portal's): a test moves both with time-machine."""
    from sandbox.freebit import start_freebit_sandbox

    handle = start_freebit_sandbox(env={})
    yield handle
    handle.stop()


@pytest.fixture
def freebit(freebit_server, settings) -> FreebitEmulator:
    """The Freebit emulator, reset to its seed data with no faults and zeroed counts, wired into the
    portal's settings with short timeouts."""
    requests.delete(freebit_server.url + "/__sandbox__/faults", timeout=5).raise_for_status()
    requests.post(freebit_server.url + "/__sandbox__/reset", timeout=5).raise_for_status()
    settings.FREEBIT_API_URL = freebit_server.url + "/emptool/api"
    settings.FREEBIT_OEM_ID = freebit_server.app.config.oem_id
    settings.FREEBIT_OEM_KEY = freebit_server.app.config.oem_key
    settings.PROVIDER_READ_TIMEOUT = 2.0
    settings.PROVIDER_MAX_ATTEMPTS = 2
    emulator = FreebitEmulator(freebit_server)
    yield emulator
    emulator.clear_faults()  # a hanging-call fault must not outlive the test


@pytest.fixture
def billing(whmcs) -> WhmcsEmulator:
    """The ``whmcs`` fixture (reset, no faults, wired into settings) with zeroed call counts."""
    yield from controlled(WhmcsEmulator, whmcs)


@pytest.fixture
def providers(freebit, billing, salesforce):
    """All three emulators wired in: a SIM page needs WHMCS (the SIMs), Freebit (their data) and
    Salesforce (the plans offered)."""
    return freebit


# -- browsing helpers ------------------------------------------------------------------------------


def text_of(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    """The page's main content (no navigation)."""
    return text_of(response).split("<main", 1)[-1]


def messages_of(response) -> list[tuple[str, str]]:
    """The flash messages shown: (level, text with whitespace collapsed and entities decoded)."""
    return [(level, " ".join(html.unescape(text).split())) for level, text in MESSAGE.findall(text_of(response))]


def request_id_of(response) -> str:
    found = REQUEST_ID_INPUT.search(text_of(response))
    assert found, "the page has no top-up form"
    return found[1]


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
