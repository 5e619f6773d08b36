"""WHMCS clients (our customers' billing records): checking a client-area sign-in (ValidateLogin,
GetUsers), finding clients by email (GetClients), reading one and the currency it is billed in
(GetClientsDetails), creating one (AddClient) and changing its phone and address (UpdateClient).

``AddClient`` is not idempotent and the connection sends it once. The caller records that it is
about to send it; the sign-up's marker is in the client's notes, so after a lost answer
:meth:`WhmcsCustomerClient.find_client_with_marker` finds the client already made (its email is
unique in WHMCS: a search by it finds at most the one).

Passwords sent to ``ValidateLogin`` are checked and forgotten: never logged (the connection logs
the action and the status only), never kept.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence

from domain.billing.providers import whmcs as billing_mapper
from domain.customers.providers.whmcs import mapper
from domain.customers.types import (
    ContactDetails,
    CustomerProfile,
    LinkableClient,
    NewCustomer,
    carries_signup_marker,
)
from domain.shared.money import Currency
from integrations.whmcs.connection import WhmcsConnection
from integrations.whmcs.errors import WhmcsApiError

CLIENTS_SEARCHED = 25
"""How many clients a search by email reads (an email is unique: one is expected)."""
_DUPLICATE_EMAIL = ("already exists", "duplicate")


class WhmcsLoginRefused(Exception):
    """WHMCS said the email and password do not match a user."""


class WhmcsDuplicateEmail(Exception):
    """``AddClient`` was refused: a user or client with that email exists in WHMCS."""


class WhmcsCustomerClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def client_currency(self, client_id: int, *, currencies: Sequence[Currency]) -> Currency:
        """The currency WHMCS bills the client in (``GetClientsDetails`` → ``currency_code``): every
        amount of the client's invoices and services is in it."""
        raw = self._whmcs.call("GetClientsDetails", {"clientid": client_id})
        return billing_mapper.transform_whmcs_client_currency(raw, currencies=currencies)

    # --- client-area credentials ----------------------------------------------------------------
    def owned_clients(self, email: str, password: str) -> tuple[LinkableClient, ...]:
        """The clients owned by the WHMCS user signing in with ``email`` and ``password``.
        ``WhmcsLoginRefused`` when WHMCS does not accept them."""
        try:
            raw = self._whmcs.call("ValidateLogin", {"email": email, "password2": password})
        except WhmcsApiError as exc:
            raise WhmcsLoginRefused(exc.reason) from None
        user_id = mapper.transform_whmcs_validate_login(raw)
        users = self._whmcs.call("GetUsers", {"search": email, "limitstart": 0, "limitnum": CLIENTS_SEARCHED})
        return mapper.transform_whmcs_owned_clients(users, user_id=user_id, email=email)

    # --- reads ------------------------------------------------------------------------------------
    def clients_with_email(self, email: str) -> tuple[int, ...]:
        """The ids of the clients whose email is exactly ``email`` (normally none or one)."""
        raw = self._whmcs.call("GetClients", {"search": email, "limitstart": 0, "limitnum": CLIENTS_SEARCHED})
        return mapper.transform_whmcs_clients_with_email(raw, email=email)

    def profile(self, client_id: int) -> CustomerProfile | None:
        """The client's details, or None when there is no such client."""
        try:
            raw = self._whmcs.call("GetClientsDetails", {"clientid": _positive(client_id)})
        except WhmcsApiError as exc:
            if "not found" in exc.reason.lower():
                return None
            raise
        return mapper.transform_whmcs_client_profile(raw)

    def find_client_with_marker(self, email: str, request_id: str) -> int | None:
        """The client a sign-up (``request_id``) created, found by its email and the marker in its
        notes; None when there is none (the call never reached WHMCS, or WHMCS refused it)."""
        for client_id in self.clients_with_email(email):
            profile = self.profile(client_id)
            if profile is not None and carries_signup_marker(profile.notes, request_id):
                return client_id
        return None

    # --- writes (sent once) -----------------------------------------------------------------------
    def add_client(self, customer: NewCustomer) -> int:
        """Create the client (and its owner user, with a random password nobody keeps). Its id.
        ``WhmcsDuplicateEmail`` when WHMCS already has a user or client with that email."""
        params = mapper.build_whmcs_add_client(customer, password=secrets.token_urlsafe(32))
        try:
            raw = self._whmcs.call("AddClient", params)
        except WhmcsApiError as exc:
            if any(phrase in exc.reason.lower() for phrase in _DUPLICATE_EMAIL):
                raise WhmcsDuplicateEmail(exc.reason) from None
            raise
        return mapper.transform_whmcs_client_id(raw)

    def update_contact(self, client_id: int, contact: ContactDetails) -> None:
        """Set the client's phone and address (sending the same values again changes nothing)."""
        raw = self._whmcs.call("UpdateClient", mapper.build_whmcs_update_contact(_positive(client_id), contact))
        mapper.transform_whmcs_client_id(raw, entity="updated client")


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError("client_id must be a positive whole number")
    return value
