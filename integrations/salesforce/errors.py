"""Typed Salesforce failures. ``retryable`` says whether trying the same read again may succeed."""
from __future__ import annotations


class SalesforceError(Exception):
    retryable = False

    def __init__(self, operation: str, reason: str, *, errors: tuple[dict, ...] = ()) -> None:
        super().__init__(f"Salesforce {operation}: {reason}")
        self.operation = operation
        self.reason = reason
        self.errors = errors

    @property
    def error_codes(self) -> tuple[str, ...]:
        return tuple(str(e.get("errorCode") or e.get("statusCode") or "") for e in self.errors)


class SalesforceTransportError(SalesforceError):
    """Network error, timeout or 5xx: Salesforce did not answer usefully."""

    retryable = True


class SalesforceRequestLimitExceeded(SalesforceTransportError):
    """403 ``REQUEST_LIMIT_EXCEEDED``: the org's API request allocation (rolling 24 hours) or its
    concurrent long-request limit is used up. Salesforce is unavailable to us for a while: it counts
    for the circuit breaker like an outage, but trying again at once only spends more of the limit."""

    retryable = False


class SalesforceQueryTooLarge(SalesforceError):
    """A query answered more records (or pages) than the connection's bound: refused rather than
    read without end."""


class SalesforceCircuitOpen(SalesforceTransportError):
    """Not sent: Salesforce failed repeatedly and the circuit breaker is open."""

    retryable = False


class SalesforceAuthError(SalesforceError):
    """The JWT bearer assertion was refused (consumer key, user, certificate or audience)."""


class SalesforceSessionExpired(SalesforceError):
    """``INVALID_SESSION_ID``: the access token expired or was revoked."""


class SalesforceApiError(SalesforceError):
    """Salesforce answered ``[{"errorCode": ..., "message": ...}]`` (400/403)."""


class SalesforceNotFound(SalesforceApiError):
    """404: the record does not exist."""
