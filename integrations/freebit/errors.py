"""Typed Freebit failures. ``retryable`` says whether sending the same request again may succeed.

The connection is the one place that turns Freebit's answers (HTTP status, ``resultCode``) into
these; callers catch these types and never look at a result code themselves.
"""
from __future__ import annotations


class FreebitError(Exception):
    retryable = False

    def __init__(self, endpoint: str, reason: str, *, result_code: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"Freebit {endpoint}: {reason}")
        self.endpoint = endpoint
        self.reason = reason
        self.result_code = result_code
        """Freebit's ``resultCode`` when the failure is an answer of the API (for logs)."""
        self.retry_after = retry_after


class FreebitTransportError(FreebitError):
    """Network error, timeout or 5xx: Freebit did not answer usefully."""

    retryable = True


class FreebitRateLimited(FreebitTransportError):
    """Too many requests; ``retry_after`` holds the seconds Freebit asked us to wait."""


class FreebitCircuitOpen(FreebitTransportError):
    """Not sent: Freebit failed repeatedly and the circuit breaker is open."""

    retryable = False


class FreebitMalformedResponse(FreebitError):
    """Freebit answered something that is not its JSON envelope."""


class FreebitApiError(FreebitError):
    """Freebit answered with an error ``resultCode`` (the message is Freebit's)."""


class FreebitAuthError(FreebitApiError):
    """The OEM id and key (``authOem``), or the ``authKey`` of a call, were refused."""


class FreebitUnknownSim(FreebitApiError):
    """Freebit has no account (SIM) with that phone number."""


class FreebitSimSuspended(FreebitApiError):
    """The SIM is suspended: it cannot be topped up or change plan."""


class FreebitInvalidRequest(FreebitApiError):
    """A parameter was refused: a quota out of range, an unsupported combination (400-356)..."""


class FreebitPlanChangeRefused(FreebitApiError):
    """The plan cannot be changed to: unknown or retired plan, other SIM type, or already on it."""


class FreebitActivationRefused(FreebitApiError):
    """A new line cannot be registered: the product number, EID or plan is refused."""


class FreebitAlreadyRegistered(FreebitActivationRefused):
    """A new line cannot be registered because Freebit has an account with that phone number already
    (after a lost answer: most likely the one our own earlier request registered)."""
