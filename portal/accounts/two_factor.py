"""Two factors: a TOTP authenticator app and ten single-use recovery codes (django-otp).

Optional for customers, required for staff: a staff user's password alone never makes a signed-in
session. After the password, the sign-in waits (``TWO_FACTOR_PENDING_SECONDS``) for a code from the
authenticator or a recovery code; a staff user without an authenticator sets one up right there
(their password was just checked) before they are signed in. Codes tried count per user
(``TWO_FACTOR_RATE_PER_USER``) on top of django-otp's own growing delay after each wrong code, and
a TOTP code works once (django-otp remembers the last time step used).
"""
from __future__ import annotations

import logging
from base64 import b32encode
from dataclasses import dataclass
from io import BytesIO

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.core import throttle

logger = logging.getLogger(__name__)
RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret: str
    """The key in base32, for typing into an app that cannot scan."""
    qr_svg: str
    """The ``otpauth://`` URL as an inline SVG QR code."""


def is_staff(user) -> bool:
    return bool(user.is_staff or user.is_superuser)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator."""
    return TOTPDevice.objects.get(user=user, confirmed=True)


def required(user) -> bool:
    """Whether signing in needs the second factor: staff always, a customer who turned it on."""
    return is_staff(user) or has_authenticator(user)


def enrolment(user) -> Enrolment:
    """The authenticator being set up (made the first time): its key as text and as a QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or \
        TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    out = BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True,
                                                  title=settings.OTP_TOTP_ISSUER)
    secret = b32encode(device.bin_key).decode("ascii")
    return Enrolment(device=device, secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                     qr_svg=out.getvalue().decode("utf-8"))


def throttled(user) -> bool:
    """Count one code tried by ``user``; True when over ``TWO_FACTOR_RATE_PER_USER``."""
    if throttle.hit("two-factor", str(user.pk), settings.TWO_FACTOR_RATE_PER_USER) is None:
        return False
    logger.warning("second factor for user %s refused: too many codes tried", user.pk)
    return True


def confirm_enrolment(user, token: str) -> list[str] | None:
    """Confirm the authenticator being set up with a code from it: the new recovery codes (shown
    once), or None when the code is not right."""
    token = "".join(token.split())
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_is_allowed()[0] or not device.verify_token(token):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
    logger.info("user %s set up an authenticator (second factor)", user.pk)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Ten new single-use recovery codes (the old ones stop working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(user, token: str):
    """The device (authenticator, or the recovery codes: that code is then used up) that accepts
    ``token``, or None."""
    token = "".join(token.split()).lower()
    if not token:
        return None
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.select_for_update().filter(user=user, confirmed=True):
                if device.verify_is_allowed()[0] and device.verify_token(token):
                    if model is StaticDevice:
                        logger.warning("user %s signed in with a recovery code (%d left)", user.pk,
                                       device.token_set.count())
                    return device
    return None


def turn_off(user) -> None:
    """Remove the authenticator and the recovery codes (customers only: staff must keep them)."""
    if is_staff(user):
        raise PermissionError("staff must keep their second factor")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    logger.info("user %s turned the second factor off", user.pk)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
