"""An existing customer links their portal user to their billing client and its CRM Account.

They prove the customer is theirs one of two ways:
- their WHMCS client-area sign-in, checked by WHMCS (``ValidateLogin``) and forgotten at once: the
  portal never stores, logs or shows it; the client linked is the one that sign-in owns;
- their customer number and a 6-digit code sent to the email billing has on file for it (the page
  answers the same whether the number exists).

One portal user per customer: a customer linked to another user is refused, and staff are told
(a ``LinkAttempt`` the admin lists, a warning in the log and a mail to ``MANAGERS``). Tries count per
user and per client address (``LINK_RATE_PER_USER``, ``LINK_RATE_PER_ADDRESS``), codes per customer
number (``LINK_CODE_RATE_PER_CLIENT``).
"""
from __future__ import annotations

import logging
from enum import StrEnum

from django.conf import settings
from django.core.mail import mail_managers
from django.db import IntegrityError, transaction

from domain.shared import clock
from domain.shared.errors import MappingError
from integrations.salesforce.customers import SalesforceCustomerClient
from integrations.salesforce.errors import SalesforceError
from integrations.whmcs.clients import WhmcsCustomerClient, WhmcsLoginRefused
from portal.accounts import codes
from portal.accounts.mail import send_templated
from portal.accounts.models import Customer, LinkAttempt, OneTimeCode
from portal.core import throttle
from portal.core.cache import invalidate_customer
from portal.core.connections import salesforce_connection, whmcs_connection
from portal.core.errors import ProviderUnavailable
from portal.core.reads import WHMCS_FAILURES, ProviderReads

logger = logging.getLogger(__name__)
AREA = "account"
WHMCS = ProviderReads(AREA, "WHMCS", WHMCS_FAILURES, logger)


class Refusal(StrEnum):
    THROTTLED = "throttled"
    WRONG_CREDENTIALS = "wrong_credentials"
    NO_SINGLE_CLIENT = "no_single_client"
    """The sign-in owns no client, or several: support links it."""
    ALREADY_LINKED = "already_linked"
    NO_ACCOUNT = "no_account"
    HAS_LINK = "has_link"


class LinkRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def _counted(user, address: str) -> None:
    by_user = throttle.hit("link-user", str(user.pk), settings.LINK_RATE_PER_USER)
    by_address = throttle.hit("link-address", address, settings.LINK_RATE_PER_ADDRESS)
    if by_user is not None or by_address is not None:
        logger.warning("link for user %s refused: too many tries", user.pk)
        raise LinkRefused(Refusal.THROTTLED)


def _not_linked(user) -> None:
    if Customer.objects.filter(user=user).exists():
        raise LinkRefused(Refusal.HAS_LINK)


# --- with the client-area sign-in -----------------------------------------------------------------


def link_with_credentials(*, user, email: str, password: str, address: str) -> Customer:
    """Link the client the WHMCS sign-in (``email``, ``password``) owns. ``LinkRefused`` otherwise."""
    _not_linked(user)
    _counted(user, address)
    clients = WhmcsCustomerClient(whmcs_connection())
    try:
        owned = WHMCS.guard(lambda: clients.owned_clients(email.strip(), password))
    except WhmcsLoginRefused:
        logger.info("link for user %s refused: WHMCS did not accept the sign-in", user.pk)
        raise LinkRefused(Refusal.WRONG_CREDENTIALS) from None
    if len(owned) != 1:
        logger.warning("link for user %s refused: the WHMCS sign-in owns %d clients", user.pk, len(owned))
        raise LinkRefused(Refusal.NO_SINGLE_CLIENT)
    return _link(user, owned[0].client_id, LinkAttempt.Method.CREDENTIALS, address)


# --- with the customer number and a code -----------------------------------------------------------


def request_code(*, user, client_id: int, address: str) -> OneTimeCode:
    """Send a code to the email billing has for customer ``client_id``; the code row. The same row
    (never usable) when there is no such customer or a rate is over: the answer is the same."""
    _not_linked(user)
    _counted(user, address)
    allowed = throttle.hit("link-client", str(client_id), settings.LINK_CODE_RATE_PER_CLIENT) is None
    profile = WHMCS.guard(lambda: WhmcsCustomerClient(whmcs_connection()).profile(client_id)) if allowed else None
    usable = profile is not None and bool(profile.email)
    row, code = codes.create(purpose=OneTimeCode.Purpose.LINK, email=profile.email if usable else "",
                             usable=usable, user=user, whmcs_client_id=client_id)
    if usable:
        send_templated(profile.email, "accounts/email/link_code_subject.txt", "accounts/email/link_code.txt", {
            "code": code, "client_id": client_id, "portal_email": user.email,
            "expires_at": codes.expires_at_local(row), "minutes": settings.SIGNUP_CODE_TTL_SECONDS // 60})
        logger.info("link code for user %s sent to WHMCS client %s's email", user.pk, client_id)
    else:
        logger.info("link code for user %s not sent (client %s unknown, or over a rate)", user.pk, client_id)
    return row


def link_with_code(*, user, row_id: int, code: str, address: str) -> codes.Check | Customer:
    """Try the code; when right, link the customer it was sent for (the Customer). Otherwise the
    check's outcome (wrong, expired, no tries left)."""
    row = OneTimeCode.objects.filter(pk=row_id, purpose=OneTimeCode.Purpose.LINK, user=user).first()
    if row is None:
        return codes.Check(codes.CheckOutcome.EXHAUSTED, 0)
    _not_linked(user)
    check = codes.check(row.pk, code)
    if check.outcome is not codes.CheckOutcome.OK:
        return check
    OneTimeCode.objects.filter(pk=row.pk).update(used_at=clock.now())
    return _link(user, row.whmcs_client_id, LinkAttempt.Method.CODE, address)


# --- the link ----------------------------------------------------------------------------------------


def _link(user, client_id: int, method: str, address: str) -> Customer:
    def attempt(outcome: str) -> None:
        LinkAttempt.objects.create(user=user, method=method, whmcs_client_id=client_id, outcome=outcome,
                                   client_address=address if address != "0.0.0.0" else None)  # noqa: S104

    if Customer.objects.filter(whmcs_client_id=client_id).exclude(user=user).exists():
        attempt(LinkAttempt.Outcome.ALREADY_LINKED)
        _tell_staff(user, client_id, method)
        raise LinkRefused(Refusal.ALREADY_LINKED)
    try:
        account_id = SalesforceCustomerClient(salesforce_connection()).account_of_client(client_id)
    except (SalesforceError, MappingError) as exc:
        logger.error("link for user %s: the CRM Account of WHMCS client %s could not be read: %s",
                     user.pk, client_id, exc)
        raise ProviderUnavailable(AREA) from exc
    if account_id is None:
        attempt(LinkAttempt.Outcome.NO_ACCOUNT)
        logger.error("link for user %s refused: WHMCS client %s has no Salesforce Account", user.pk, client_id)
        raise LinkRefused(Refusal.NO_ACCOUNT)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(user=user, whmcs_client_id=client_id,
                                               salesforce_account_id=account_id)
    except IntegrityError:
        attempt(LinkAttempt.Outcome.ALREADY_LINKED)
        _tell_staff(user, client_id, method)
        raise LinkRefused(Refusal.ALREADY_LINKED) from None
    attempt(LinkAttempt.Outcome.LINKED)
    invalidate_customer(user.pk)
    logger.info("user %s linked to WHMCS client %s (%s)", user.pk, client_id, method)
    return customer


def _tell_staff(user, client_id: int, method: str) -> None:
    logger.warning("link refused: user %s tried to link WHMCS client %s (%s), which is linked to another user",
                   user.pk, client_id, method)
    mail_managers(f"Refused link: WHMCS client {client_id} is linked to another portal user",
                  f"Portal user {user.pk} ({user.email}) proved WHMCS client {client_id} is theirs ({method}), but "
                  f"the client is linked to another portal user. One portal user per customer: see Link attempts "
                  f"in the admin.", fail_silently=True)
