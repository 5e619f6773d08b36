"""Salesforce's failures: the kinds of ``integrations.http`` under Salesforce's names, and what only
Salesforce says (its ``[{"errorCode", "message"}]`` answers, an expired session, a used-up request
allocation, a query too large to read). An error names the operation ("query", "sign-in")."""
from __future__ import annotations

from integrations.http import ApiError, CircuitOpen, ErrorKinds, ProviderError
from integrations.http import TransportError as _Transport


class SalesforceError(ProviderError):
    provider = "Salesforce"

    def __init__(self, operation: str, reason: str, *, errors: tuple[dict, ...] = (),
                 retry_after: float | None = None) -> None:
        super().__init__(operation, reason, retry_after=retry_after)
        self.errors = errors

    @property
    def error_codes(self) -> tuple[str, ...]:
        return tuple(str(e.get("errorCode") or e.get("statusCode") or "") for e in self.errors)


class SalesforceTransportError(SalesforceError, _Transport):
    """Also an answer that is not Salesforce's JSON: Salesforce has no separate "malformed" kind."""


class SalesforceRequestLimitExceeded(SalesforceTransportError):
    """403 ``REQUEST_LIMIT_EXCEEDED``: the org's API request allocation (rolling 24 hours) or its
    concurrent long-request limit is used up. Salesforce is unavailable to us for a while: it counts
    for the circuit breaker like an outage, but trying again at once only spends more of the limit."""

    retryable = False


class SalesforceQueryTooLarge(SalesforceError):
    """A query answered more records (or pages) than the connection's bound: refused rather than
    read without end."""


class SalesforceCircuitOpen(SalesforceTransportError, CircuitOpen):
    pass


class SalesforceAuthError(SalesforceError):
    """The JWT bearer assertion was refused (consumer key, user, certificate or audience)."""


class SalesforceSessionExpired(SalesforceError):
    """``INVALID_SESSION_ID``: the access token expired or was revoked."""


class SalesforceApiError(SalesforceError, ApiError):
    """Salesforce answered ``[{"errorCode": ..., "message": ...}]`` (400/403)."""


class SalesforceNotFound(SalesforceApiError):
    """404: the record does not exist."""


KINDS = ErrorKinds(base=SalesforceError, transport=SalesforceTransportError, circuit_open=SalesforceCircuitOpen,
                   rate_limited=SalesforceTransportError, malformed=SalesforceTransportError)
