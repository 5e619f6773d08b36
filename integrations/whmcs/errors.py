"""WHMCS's failures: the kinds of ``integrations.http`` under WHMCS's names, and what only WHMCS says
(its credentials refused, an object it does not have). An error names the API action."""
from __future__ import annotations

from integrations.http import ApiError, CircuitOpen, ErrorKinds, MalformedResponse, ProviderError, RateLimited
from integrations.http import TransportError as _Transport


class WhmcsError(ProviderError):
    provider = "WHMCS"

    @property
    def action(self) -> str:
        return self.operation


class WhmcsTransportError(WhmcsError, _Transport):
    pass


class WhmcsRateLimited(WhmcsTransportError, RateLimited):
    pass


class WhmcsCircuitOpen(WhmcsTransportError, CircuitOpen):
    pass


class WhmcsMalformedResponse(WhmcsError, MalformedResponse):
    """Not WHMCS's JSON envelope (or a redirect: ``api_url`` must name api.php itself)."""


class WhmcsApiError(WhmcsError, ApiError):
    """WHMCS answered ``{"result": "error", "message": ...}``."""


class WhmcsAuthError(WhmcsApiError):
    """The API credentials (or the calling address) were refused."""


class WhmcsNotFound(WhmcsApiError):
    """The object asked for does not exist."""


KINDS = ErrorKinds(base=WhmcsError, transport=WhmcsTransportError, circuit_open=WhmcsCircuitOpen,
                   rate_limited=WhmcsRateLimited, malformed=WhmcsMalformedResponse)
