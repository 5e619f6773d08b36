"""Fixtures of the security tests: the three provider emulators (reset, wired in), a record of every
HTTP request the portal sends them (``wire``: ``responses`` passing each call through to the real
emulator and keeping it), and Alice's, Bob's and an unlinked user's browsers.

Bob's ids are read from the emulators' seed data, never hard-coded.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.test import Client

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import DEMO_SIMS
from tests.conftest import signed_in
from tests.emulator import EmulatorControl

ALICE, BOB = DEMO_CUSTOMERS[:2]
WHMCS_WRITES = ("CreateSsoToken", "CreateInvoice", "CapturePayment", "UpdateInvoice", "AddOrder", "AcceptOrder",
                "UpdateClientProduct", "UpdateClient")
FREEBIT_WRITES = ("PA04-04", "PA05-21", "PA02-01", "PA05-41")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Providers:
    whmcs: EmulatorControl
    salesforce: EmulatorControl
    freebit: EmulatorControl

    @property
    def all(self) -> tuple[EmulatorControl, ...]:
        return self.whmcs, self.salesforce, self.freebit

    def reset_stats(self) -> None:
        for emulator in self.all:
            emulator.reset_stats()

    def clear_faults(self) -> None:
        for emulator in self.all:
            emulator.clear_faults()

    def faults(self, **config) -> None:
        for emulator in self.all:
            emulator.faults(**config)

    def write_calls(self) -> dict[str, int]:
        """Calls that would change something at a provider, by name (none: an empty dict)."""
        whmcs = self.whmcs.stats()["calls"]
        freebit = self.freebit.stats()["calls"]
        salesforce = self.salesforce.stats()["calls"]
        found = {name: n for name, n in whmcs.items() if name in WHMCS_WRITES}
        found.update({name: n for name, n in freebit.items() if name in FREEBIT_WRITES})
        found.update({name: n for name, n in salesforce.items() if name.split(" ")[0] in ("POST", "PATCH", "DELETE")})
        return found


@pytest.fixture
def providers(whmcs, salesforce, freebit) -> Providers:
    """All three emulators: reset to their seed, no faults, counts zeroed, wired into the settings."""
    found = Providers(EmulatorControl(whmcs), EmulatorControl(salesforce), EmulatorControl(freebit))
    found.reset_stats()
    yield found
    found.clear_faults()


class Wire:
    """Every request the portal sent to an emulator while the fixture was active."""

    def __init__(self, mock: responses.RequestsMock, providers: Providers) -> None:
        self._mock = mock
        self._providers = providers

    def _requests(self, emulator: EmulatorControl):
        return [call.request for call in self._mock.calls
                if call.request.url.startswith(emulator.url) and "/__sandbox__/" not in call.request.url]

    def whmcs_calls(self) -> list[dict[str, list[str]]]:
        """Each WHMCS API call's form fields, decoded strictly (every field, every repeat)."""
        calls = []
        for request in self._requests(self._providers.whmcs):
            body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
            calls.append(parse_qs(body, keep_blank_values=True, strict_parsing=bool(body)))
        return calls

    def soql(self) -> list[str]:
        """Each SOQL query Salesforce received."""
        found = []
        for request in self._requests(self._providers.salesforce):
            parts = urlsplit(request.url)
            if re.search(r"/query/?$", parts.path):
                found.extend(parse_qs(parts.query)["q"])
        return found

    def freebit_calls(self) -> list[tuple[str, dict]]:
        """Each Freebit call: (path, the request object of its form field ``json``)."""
        found = []
        for request in self._requests(self._providers.freebit):
            body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
            form = parse_qs(body, keep_blank_values=True, strict_parsing=bool(body))
            assert list(form) == ["json"] and len(form["json"]) == 1, form
            found.append((urlsplit(request.url).path, json.loads(form["json"][0])))
        return found

    def clear(self) -> None:
        self._mock.calls.reset()


@pytest.fixture
def wire(providers) -> Wire:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for emulator in providers.all:
            for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
                mock.add(responses.PassthroughResponse(method, re.compile(re.escape(emulator.url) + r"(/.*)?$")))
        yield Wire(mock, providers)




@pytest.fixture(autouse=True)
def _walks_are_not_throttled(settings):
    """The walks send every route many requests in a minute, far beyond a person's pace: the API's
    per-user rate is tested on its own (test_throttles.py)."""
    settings.API_RATE_PER_USER = "100000/m"


@pytest.fixture
def alice(customer_user) -> Client:
    return signed_in(customer_user)


@pytest.fixture
def bob(other_customer_user) -> Client:
    return signed_in(other_customer_user)


@pytest.fixture
def unlinked(make_user) -> Client:
    """Signed in, but the user has no Customer link yet."""
    return signed_in(make_user(email="newcomer@example.com"))


# -- the demo customers' objects, from the emulators' seed ----------------------------------------


def invoice_ids(whmcs, customer) -> list[int]:
    return sorted(i.id for i in whmcs.app.store.invoices.values() if i.userid == customer.whmcs_client_id)


def service_ids(whmcs, customer) -> list[int]:
    return sorted(s.id for s in whmcs.app.store.services.values() if s.clientid == customer.whmcs_client_id)


def order_ids(salesforce, customer) -> list[str]:
    orders = salesforce.app.store.rows("Order")
    return sorted(o["Id"] for o in orders if o["AccountId"] == customer.salesforce_account_id)


def case_ids(salesforce, customer) -> list[str]:
    cases = salesforce.app.store.rows("Case")
    return sorted(c["Id"] for c in cases if c["AccountId"] == customer.salesforce_account_id)


def iccids(customer) -> list[str]:
    return [sim.iccid for sim in DEMO_SIMS if sim.client_id == customer.whmcs_client_id]


def numbers(customer) -> list[str]:
    """The phone numbers of the customer's SIMs: how Freebit names them."""
    return [sim.msisdn for sim in DEMO_SIMS if sim.client_id == customer.whmcs_client_id]
