"""Sign-up with a verified email: an address, a 6-digit code sent to it, then a password and a name.

The answer never tells whether an address has an account: a new address gets a code; an address
that already has an account gets, instead, a notice that someone tried to sign up with it (sign in
or reset the password); an address or client address over its rate
(``SIGNUP_RATE_PER_EMAIL``, ``SIGNUP_RATE_PER_ADDRESS``) gets nothing. Each case leaves a code row
that the same pages use, so the pages and their answers are the same; only a code really sent to
a new address can ever be right (docs/accounts.md).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import translation

from domain.shared import clock
from portal.accounts import codes
from portal.accounts.mail import send_templated
from portal.accounts.models import OneTimeCode
from portal.core import throttle

logger = logging.getLogger(__name__)
Purpose = OneTimeCode.Purpose
COMPLETE_WITHIN = timedelta(hours=1)
"""How long after the code was right the sign-up may be finished."""


class SignupRefused(Exception):
    """The account cannot be made (the code row is not a verified, unused sign-up, or the address
    was taken meanwhile); ``str(exc)`` is for the log."""


@dataclass(frozen=True)
class ResendOutcome:
    wait_seconds: int
    """0: a new code went out (or, where none may, nothing did and the page says the same)."""


def normalise(email: str) -> str:
    return email.strip().lower()


def _allowed(email: str, address: str) -> bool:
    by_address = throttle.hit("signup-address", address, settings.SIGNUP_RATE_PER_ADDRESS)
    by_email = throttle.hit("signup-email", email, settings.SIGNUP_RATE_PER_EMAIL)
    if by_address is None and by_email is None:
        return True
    logger.warning("sign-up code not sent: too many requests (%s)",
                   "for this address and email" if by_address and by_email
                   else "from this address" if by_address else "for this email")
    return False


def _known(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


def start(*, email: str, address: str) -> OneTimeCode:
    """Begin a sign-up for ``email`` from client address ``address``: the code row the next pages use."""
    email = normalise(email)
    allowed = _allowed(email, address)
    known = _known(email)
    row, code = codes.create(purpose=Purpose.SIGNUP, email=email, usable=allowed and not known)
    if allowed:
        _send(row, code, known=known)
    return row


def resend(row_id: int, *, address: str) -> ResendOutcome:
    """A new code for the sign-up (after ``SIGNUP_RESEND_SECONDS``), within the same rates."""
    with transaction.atomic():
        row = OneTimeCode.objects.select_for_update().get(pk=row_id, purpose=Purpose.SIGNUP)
        wait = codes.resend_wait(row)
        if wait or row.verified_at is not None:
            return ResendOutcome(wait_seconds=wait)
        allowed = _allowed(row.email, address)
        known = not row.usable and _known(row.email)
        code = codes.renew(row)
        if not allowed and row.usable:
            row.usable = False  # over a rate: this row's codes are never right (nothing was sent)
            row.save(update_fields=["usable"])
    if allowed and (row.usable or known):
        _send(row, code, known=known)
    return ResendOutcome(wait_seconds=0)


def verify(row_id: int, code: str) -> codes.Check:
    return codes.check(row_id, code)


def verified_email(row_id: int) -> str | None:
    """The address a sign-up proved, while it can still be finished; else None."""
    row = OneTimeCode.objects.filter(pk=row_id, purpose=Purpose.SIGNUP, usable=True, used_at__isnull=True,
                                     verified_at__gte=clock.now() - COMPLETE_WITHIN).first()
    return row.email if row is not None else None


def complete(row_id: int, *, password: str, first_name: str, last_name: str, language: str = ""):
    """Make the account of a verified sign-up: the user (the form ran Django's password validators).
    ``SignupRefused`` when it cannot be made."""
    with transaction.atomic():
        row = OneTimeCode.objects.select_for_update().filter(pk=row_id, purpose=Purpose.SIGNUP).first()
        if row is None or not row.usable or row.verified_at is None or row.used_at is not None \
                or row.verified_at < clock.now() - COMPLETE_WITHIN:
            raise SignupRefused("the sign-up's code was not verified, or it was used, or it is too old")
        User = get_user_model()  # noqa: N806
        if _known(row.email):
            raise SignupRefused("the address has an account now")
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=row.email, password=password, first_name=first_name.strip(),
                                                last_name=last_name.strip(), language=language)
        except IntegrityError:
            raise SignupRefused("the address has an account now") from None
        row.used_at = clock.now()
        row.save(update_fields=["used_at"])
    logger.info("user %s signed up (email verified by code)", user.pk)
    return user


def _send(row: OneTimeCode, code: str, *, known: bool) -> None:
    context = {"email": row.email, "code": code, "expires_at": codes.expires_at_local(row),
               "minutes": settings.SIGNUP_CODE_TTL_SECONDS // 60}
    if known:
        send_templated(row.email, "accounts/email/signup_known_subject.txt", "accounts/email/signup_known.txt",
                       context)
    else:
        send_templated(row.email, "accounts/email/signup_code_subject.txt", "accounts/email/signup_code.txt", context)
    logger.info("sign-up: %s sent (code row %s, %s)", "notice" if known else "code", row.pk,
                translation.get_language())
