"""Six-digit codes sent by email (sign-up, linking a customer): made, sent, tried, used once.

A code is ``secrets``-random, kept only as an HMAC (``salted_hmac`` with the site's key), valid for
``SIGNUP_CODE_TTL_SECONDS`` and ``SIGNUP_CODE_MAX_ATTEMPTS`` tries; a new one may be asked for every
``SIGNUP_RESEND_SECONDS`` (it replaces the old one, with fresh tries). Every check compares in
constant time. The row is locked while a try is counted, so parallel guesses cannot share a try.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from domain.shared import clock
from portal.accounts.models import OneTimeCode

CODE_DIGITS = 6


class CheckOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    """No tries left: a new code is needed."""
    USED = "used"


@dataclass(frozen=True)
class Check:
    outcome: CheckOutcome
    remaining: int
    """Tries left for this code."""

    @property
    def warn(self) -> bool:
        """Few tries left: the page says how many."""
        return self.outcome is CheckOutcome.WRONG and 0 < self.remaining <= settings.SIGNUP_CODE_WARN_REMAINING


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _hash(code: str) -> str:
    return salted_hmac("portal.accounts.OneTimeCode", code, algorithm="sha256").hexdigest()


def create(*, purpose: str, email: str, usable: bool = True, **fields) -> tuple[OneTimeCode, str]:
    """A new code row and the code to send (for an unusable row, a code nobody is sent)."""
    now = clock.now()
    code = new_code()
    row = OneTimeCode.objects.create(
        purpose=purpose, email=email, usable=usable, code_hash=_hash(code if usable else secrets.token_hex(16)),
        sent_at=now, expires_at=now + timedelta(seconds=settings.SIGNUP_CODE_TTL_SECONDS), **fields)
    return row, code


def resend_wait(row: OneTimeCode) -> int:
    """Seconds before another code may be sent for this row (0: now)."""
    ready = row.sent_at + timedelta(seconds=settings.SIGNUP_RESEND_SECONDS)
    return max(0, math.ceil((ready - clock.now()).total_seconds()))


def renew(row: OneTimeCode) -> str:
    """A fresh code for the row (fresh tries and expiry); the code to send."""
    now = clock.now()
    code = new_code()
    if row.usable:
        row.code_hash = _hash(code)
    row.attempts, row.sent_at, row.sends = 0, now, row.sends + 1
    row.expires_at = now + timedelta(seconds=settings.SIGNUP_CODE_TTL_SECONDS)
    row.save(update_fields=["code_hash", "attempts", "sent_at", "sends", "expires_at"])
    return code


def check(row_id: int, code: str) -> Check:
    """Count one try of ``code`` against the row. The row is marked verified when right."""
    limit = settings.SIGNUP_CODE_MAX_ATTEMPTS
    code = "".join(code.split())
    with transaction.atomic():
        row = OneTimeCode.objects.select_for_update().get(pk=row_id)
        if row.used_at is not None or row.verified_at is not None:
            return Check(CheckOutcome.USED, 0)
        if row.attempts >= limit:
            return Check(CheckOutcome.EXHAUSTED, 0)
        if clock.now() >= row.expires_at:
            return Check(CheckOutcome.EXPIRED, limit - row.attempts)
        row.attempts += 1
        right = row.usable and len(code) == CODE_DIGITS and code.isdigit() \
            and constant_time_compare(row.code_hash, _hash(code))
        if right:
            row.verified_at = clock.now()
            row.save(update_fields=["attempts", "verified_at"])
            return Check(CheckOutcome.OK, limit - row.attempts)
        row.save(update_fields=["attempts"])
        remaining = limit - row.attempts
        return Check(CheckOutcome.WRONG if remaining else CheckOutcome.EXHAUSTED, remaining)


def expires_at_local(row: OneTimeCode) -> datetime:
    """When the code stops working, in business time (what the page and the email show)."""
    return clock.local(row.expires_at)
