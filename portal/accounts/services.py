"""Sign-in identity: password-reset throttling and the customer's own sign-in email change.

The portal owns its users' sign-in identity (docs/security.md, "Sign-in identity"). No webhook and
no provider answer changes a sign-in email or password: WHMCS's email for a client is stored as the
customer's billing contact (``Customer.billing_email``). The sign-in email changes only here, when
the customer asks for it with their password and then confirms it from the new address with a
signed link that expires (``EMAIL_CHANGE_TIMEOUT``) and works once. The old address is told, and
every other session of the user ends (the session hash covers the email: ``User``). Staff users
never change their sign-in email here: an administrator does, in the admin.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare

from portal.core import throttle

logger = logging.getLogger(__name__)

EMAIL_CHANGE_SALT = "portal.accounts.email-change"


# -- password reset ---------------------------------------------------------------------------------


def password_reset_allowed(*, email: str, address: str) -> bool:
    """Count one reset request for ``email`` from ``address``; False once either is over its rate
    (``PASSWORD_RESET_RATE_PER_EMAIL``, ``PASSWORD_RESET_RATE_PER_ADDRESS``). The caller shows the
    same "sent" page either way, so the limits tell nobody whether the address has an account."""
    by_address = throttle.hit("reset-address", address, settings.PASSWORD_RESET_RATE_PER_ADDRESS)
    by_email = throttle.hit("reset-email", email.strip().lower(), settings.PASSWORD_RESET_RATE_PER_EMAIL)
    if by_address is None and by_email is None:
        return True
    logger.warning("password reset not sent: too many requests (%s)",
                   "for this address and email" if by_address and by_email
                   else "from this address" if by_address else "for this email")
    return False


# -- sign-in email change ---------------------------------------------------------------------------


class EmailChangeRefused(Exception):
    """The change cannot be made; ``str(exc)`` is the reason, for the log (never the page)."""


@dataclass(frozen=True)
class EmailChange:
    user: object
    new_email: str


def email_change_hours() -> int:
    """How long a confirmation link works, in whole hours (for the pages and the email)."""
    return max(1, settings.EMAIL_CHANGE_TIMEOUT // 3600)


def email_change_allowed(user) -> bool:
    """Staff sign-in addresses are changed by an administrator, never by the user."""
    return not (user.is_staff or user.is_superuser)


class RequestOutcome(StrEnum):
    SENT = "sent"  # (or, for an address another account has, nothing sent: the same answer)
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an outcome, not a password
    THROTTLED = "throttled"


def email_change_request(*, user, new_email: str, password: str, link_for: Callable[[str], str]) -> RequestOutcome:
    """Check the user's password, then send the confirmation link for ``new_email`` to that address.

    Every attempt counts towards ``EMAIL_CHANGE_RATE_PER_USER`` first, so the password cannot be
    guessed here faster than that. An address another account already uses gets no link, but the
    same answer as a free one: the page never tells whether an address has an account.
    ``link_for(token)`` builds the absolute confirmation URL.
    """
    if not email_change_allowed(user):
        raise EmailChangeRefused("staff users cannot change their sign-in email themselves")
    if throttle.hit("email-change", str(user.pk), settings.EMAIL_CHANGE_RATE_PER_USER) is not None:
        logger.warning("email change for user %s refused: too many requests", user.pk)
        return RequestOutcome.THROTTLED
    if not user.check_password(password):
        logger.warning("email change for user %s refused: wrong password", user.pk)
        return RequestOutcome.WRONG_PASSWORD
    new_email = new_email.strip().lower()
    if get_user_model().objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        logger.info("email change for user %s: the new address belongs to another account; no link sent", user.pk)
        return RequestOutcome.SENT
    token = signing.dumps(
        {"user": user.pk, "from": user.email, "to": new_email, "session": user.get_session_auth_hash()},
        salt=EMAIL_CHANGE_SALT, compress=True,
    )
    context = {"user": user, "new_email": new_email, "link": link_for(token), "hours": email_change_hours()}
    _send(new_email, "registration/email_change_subject.txt", "registration/email_change_email.txt", context)
    logger.info("email change for user %s: confirmation link sent to the new address", user.pk)
    return RequestOutcome.SENT


def email_change_read(token: str) -> EmailChange:
    """The change a link stands for, if it can still be made: signed by us, not expired, the user
    still has the email and password it was asked with (so it works once), not staff, and the new
    address is still free. Otherwise ``EmailChangeRefused``."""
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
    except signing.SignatureExpired:
        raise EmailChangeRefused("the link has expired") from None
    except signing.BadSignature:
        raise EmailChangeRefused("the link is not one of ours") from None
    if not isinstance(payload, dict) or not {"user", "from", "to", "session"} <= payload.keys():
        raise EmailChangeRefused("the link is not one of ours")
    user = get_user_model().objects.filter(pk=payload["user"], is_active=True).first()
    if user is None:
        raise EmailChangeRefused("the user is gone or inactive")
    if user.email != payload["from"] or not constant_time_compare(user.get_session_auth_hash(), payload["session"]):
        raise EmailChangeRefused("the email or password changed since the link was sent (or it was used)")
    if not email_change_allowed(user):
        raise EmailChangeRefused("staff users cannot change their sign-in email themselves")
    if get_user_model().objects.filter(email__iexact=payload["to"]).exclude(pk=user.pk).exists():
        raise EmailChangeRefused("the new address belongs to another account now")
    return EmailChange(user=user, new_email=payload["to"])


def email_change_confirm(*, token: str, request: HttpRequest) -> EmailChange:
    """Make the change a link stands for: the user's sign-in email becomes the new address, every
    other session of the user ends (this one goes on if it is the same user's), and the old address
    is told. ``EmailChangeRefused`` when the link cannot be used."""
    with transaction.atomic():
        change = email_change_read(token)
        user = get_user_model().objects.select_for_update().get(pk=change.user.pk)
        if user.email != change.user.email:
            raise EmailChangeRefused("the email changed while confirming")
        old_email = user.email
        user.email = change.new_email
        user.save(update_fields=["email"])
        signed_in = getattr(request, "user", None)
        if signed_in is not None and signed_in.is_authenticated and signed_in.pk == user.pk:
            update_session_auth_hash(request, user)  # the session hash covers the email: others end
        # Told before the change commits: a notice that cannot be sent undoes the change.
        _send(old_email, "registration/email_changed_subject.txt", "registration/email_changed_email.txt",
              {"user": user, "old_email": old_email, "new_email": user.email})
    logger.info("user %s changed their sign-in email (confirmed from the new address)", user.pk)
    return EmailChange(user=user, new_email=user.email)


def _send(to: str, subject_template: str, body_template: str, context: dict) -> None:
    subject = "".join(render_to_string(subject_template, context).splitlines())
    send_mail(subject, render_to_string(body_template, context), None, [to])
