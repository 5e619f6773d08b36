"""django-axes hooks: the normalised sign-in email, and the handler with a second limit per address.

django-axes counts failures per (email, address) and locks that pair after ``AXES_FAILURE_LIMIT``
(``AXES_LOCKOUT_PARAMETERS``). Its lockout parameters all share that one limit, so a limit per
address across every account (password spraying: one guess at each of many accounts) cannot be
a second parameter set without locking a whole office or mobile carrier's address after five
mistakes. ``PortalAxesHandler`` adds it on the same records: the failures from one address over
all accounts within the cool-off, against the separate, higher ``SIGN_IN_ADDRESS_FAILURE_LIMIT``.
The address is the client's as the trusted proxies saw it (``AXES_CLIENT_IP_CALLABLE``).
"""
import logging

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The sign-in email, normalised like the form does, so ``Alice@…`` and ``alice@…`` share
    one failure count (otherwise changing letter case would dodge the lockout)."""
    raw = (credentials or {}).get("username") or request.POST.get("username")
    return raw.strip().lower() if raw else None


class PortalAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler plus the per-address limit across accounts."""

    def address_failures(self, request: HttpRequest) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request: HttpRequest) -> bool:
        return self.address_failures(request) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or self.is_whitelisted(request, credentials):
            return
        if self.address_locked(request):
            logger.warning("sign-in paused for address %s: %s failures over several accounts",
                           request.axes_ip_address, self.address_failures(request))
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=lockout_username(request, credentials),
                                 ip_address=request.axes_ip_address)
