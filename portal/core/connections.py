"""Provider connections built from settings: the one place ``integrations`` meet Django settings.

Connections are shared per process (one pooled HTTP session each, and one per configuration, so a
changed setting gets a new one). A provider whose URL is set is the real one. Without its URL, and
with ``PROVIDERS_USE_SANDBOX`` on (the demo, never production), the provider's sandbox stands in:
``portal.demo`` registers how to reach the sandboxes (:func:`use_sandboxes`) and is the only part of
the portal that knows them; this module never imports it.
"""
import threading
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from integrations.freebit.connection import FreebitConfig, FreebitConnection
from integrations.salesforce.connection import SalesforceConfig, SalesforceConnection
from integrations.whmcs.connection import WhmcsConfig, WhmcsConnection
from portal.core import provider_calls
from portal.core.circuit import CacheCircuitBreaker

_lock = threading.Lock()
_connections: dict[object, object] = {}  # one per provider configuration


class Sandboxes(Protocol):
    """How the demo's provider sandboxes are reached (``portal.demo.sandboxes``)."""

    def whmcs_config(self, **timeouts) -> WhmcsConfig: ...

    def salesforce_config(self, **timeouts) -> SalesforceConfig: ...

    def freebit_config(self, **timeouts) -> FreebitConfig: ...

    def salesforce_pubsub_target(self) -> str: ...


_sandboxes: Sandboxes | None = None


def use_sandboxes(sandboxes: Sandboxes) -> None:
    """Let a provider without a URL be its sandbox (while ``PROVIDERS_USE_SANDBOX`` is on)."""
    global _sandboxes
    _sandboxes = sandboxes


def _sandbox(name: str) -> Sandboxes:
    if not settings.PROVIDERS_USE_SANDBOX or _sandboxes is None:
        raise ImproperlyConfigured(f"{name.upper()} is not configured and PROVIDERS_USE_SANDBOX is off.")
    return _sandboxes


def _shared(config, connection_class, provider: str):
    """The process's connection for this configuration (a new one when the settings change)."""
    with _lock:
        connection = _connections.get(config)
        if connection is None:
            connection = _connections[config] = connection_class(
                config, on_call=provider_calls.record(provider), breaker=CacheCircuitBreaker(provider))
        return connection


def read_timeout(provider: str) -> float:
    """``PROVIDER_READ_TIMEOUTS[provider]`` where set, else ``PROVIDER_READ_TIMEOUT``."""
    return settings.PROVIDER_READ_TIMEOUTS.get(provider, settings.PROVIDER_READ_TIMEOUT)


def _timeouts(provider: str) -> dict:
    return {
        "connect_timeout": settings.PROVIDER_CONNECT_TIMEOUT,
        "read_timeout": read_timeout(provider),
        "max_attempts": settings.PROVIDER_MAX_ATTEMPTS,
    }


def whmcs_connection() -> WhmcsConnection:
    return _shared(whmcs_config(), WhmcsConnection, "whmcs")


def whmcs_config() -> WhmcsConfig:
    if settings.WHMCS_API_URL:
        return WhmcsConfig(
            api_url=settings.WHMCS_API_URL,
            identifier=settings.WHMCS_API_IDENTIFIER,
            secret=settings.WHMCS_API_SECRET,
            access_key=settings.WHMCS_API_ACCESS_KEY,
            **_timeouts("whmcs"),
        )
    return _sandbox("whmcs").whmcs_config(**_timeouts("whmcs"))


def whmcs_public_origin() -> str:
    """scheme://host[:port] of the WHMCS client area (where Pay sends the customer)."""
    parts = urlsplit(whmcs_config().api_url)
    return f"{parts.scheme}://{parts.netloc}"


def salesforce_connection() -> SalesforceConnection:
    return _shared(salesforce_config(), SalesforceConnection, "salesforce")


def salesforce_config() -> SalesforceConfig:
    if settings.SALESFORCE_LOGIN_URL:
        return SalesforceConfig(
            login_url=settings.SALESFORCE_LOGIN_URL,
            client_id=settings.SALESFORCE_CLIENT_ID,
            username=settings.SALESFORCE_USERNAME,
            private_key=_salesforce_private_key(),
            audience=settings.SALESFORCE_AUDIENCE,
            api_version=settings.SALESFORCE_API_VERSION,
            **_timeouts("salesforce"),
        )
    return _sandbox("salesforce").salesforce_config(api_version=settings.SALESFORCE_API_VERSION,
                                                    **_timeouts("salesforce"))


def _salesforce_private_key() -> str:
    if settings.SALESFORCE_PRIVATE_KEY:
        return settings.SALESFORCE_PRIVATE_KEY.replace("\\n", "\n")
    if settings.SALESFORCE_PRIVATE_KEY_FILE:
        with open(settings.SALESFORCE_PRIVATE_KEY_FILE, encoding="ascii") as key_file:
            return key_file.read()
    raise ImproperlyConfigured("Set SALESFORCE_PRIVATE_KEY or SALESFORCE_PRIVATE_KEY_FILE for the JWT bearer flow.")


def salesforce_pubsub_target() -> tuple[str, bool]:
    """``(host:port, tls)`` of the Pub/Sub API: Salesforce's over TLS, or the sandbox's plaintext one."""
    if settings.SALESFORCE_LOGIN_URL:
        return settings.SALESFORCE_PUBSUB_TARGET, settings.SALESFORCE_PUBSUB_TLS
    return _sandbox("salesforce").salesforce_pubsub_target(), False


def freebit_connection() -> FreebitConnection:
    return _shared(freebit_config(), FreebitConnection, "freebit")


def freebit_config() -> FreebitConfig:
    if settings.FREEBIT_API_URL:
        return FreebitConfig(api_url=settings.FREEBIT_API_URL, oem_id=settings.FREEBIT_OEM_ID,
                             oem_key=settings.FREEBIT_OEM_KEY, **_timeouts("freebit"))
    return _sandbox("freebit").freebit_config(**_timeouts("freebit"))
