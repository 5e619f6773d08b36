"""Freebit's failures: the kinds of ``integrations.http`` under Freebit's names, and the refusals its
result codes stand for. An error names the operation's path and carries Freebit's ``resultCode``
when the failure is an answer of the API.

The connection is the one place that turns Freebit's answers (HTTP status, ``resultCode``) into
these; callers catch these types and never look at a result code themselves.
"""
from __future__ import annotations

from integrations.http import ApiError, CircuitOpen, ErrorKinds, MalformedResponse, ProviderError, RateLimited
from integrations.http import TransportError as _Transport


class FreebitError(ProviderError):
    provider = "Freebit"

    def __init__(self, endpoint: str, reason: str, *, result_code: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(endpoint, reason, retry_after=retry_after)
        self.result_code = result_code
        """Freebit's ``resultCode`` when the failure is an answer of the API (for logs)."""

    @property
    def endpoint(self) -> str:
        return self.operation


class FreebitTransportError(FreebitError, _Transport):
    pass


class FreebitRateLimited(FreebitTransportError, RateLimited):
    """Too many requests (HTTP 429, or result code 500)."""


class FreebitCircuitOpen(FreebitTransportError, CircuitOpen):
    pass


class FreebitMalformedResponse(FreebitError, MalformedResponse):
    """Not Freebit's JSON envelope."""


class FreebitApiError(FreebitError, ApiError):
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


class FreebitLineLocked(FreebitApiError):
    """The SIM's line is locked while a 4G/5G switch (PA05-38) is in progress: nothing else is
    accepted for it until the switch ends (about 30 minutes)."""


class FreebitNoVoiceService(FreebitApiError):
    """A voice-option change for a SIM without voice service (a data-only SIM)."""


class FreebitActivationRefused(FreebitApiError):
    """A new line cannot be registered: the product number, EID or plan is refused."""


class FreebitAlreadyRegistered(FreebitActivationRefused):
    """A new line cannot be registered because Freebit has an account with that phone number already
    (after a lost answer: most likely the one our own earlier request registered)."""


KINDS = ErrorKinds(base=FreebitError, transport=FreebitTransportError, circuit_open=FreebitCircuitOpen,
                   rate_limited=FreebitRateLimited, malformed=FreebitMalformedResponse)
