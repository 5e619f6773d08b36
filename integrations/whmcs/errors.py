"""Typed WHMCS failures. ``retryable`` says whether trying the same read again may succeed."""
from __future__ import annotations


class WhmcsError(Exception):
    retryable = False

    def __init__(self, action: str, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"WHMCS {action}: {reason}")
        self.action = action
        self.reason = reason
        self.retry_after = retry_after


class WhmcsTransportError(WhmcsError):
    """Network error, timeout or 5xx: WHMCS did not answer usefully."""

    retryable = True


class WhmcsRateLimited(WhmcsTransportError):
    """HTTP 429; ``retry_after`` holds the seconds WHMCS asked us to wait."""


class WhmcsCircuitOpen(WhmcsTransportError):
    """Not sent: WHMCS failed repeatedly and the circuit breaker is open."""

    retryable = False


class WhmcsMalformedResponse(WhmcsError):
    """WHMCS answered something that is not its JSON envelope."""


class WhmcsApiError(WhmcsError):
    """WHMCS answered ``{"result": "error", "message": ...}``."""


class WhmcsAuthError(WhmcsApiError):
    """The API credentials (or the calling address) were refused."""


class WhmcsNotFound(WhmcsApiError):
    """The object asked for does not exist."""
