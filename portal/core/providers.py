"""Provider connections built from settings: the one place ``integrations`` meet Django settings.

Connections are shared per process (one pooled HTTP session each). Without a provider URL and with
``PROVIDERS_USE_SANDBOX`` on (the demo), the provider's sandbox is started in-process on a free port.
"""
import logging
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from integrations.whmcs.connection import WhmcsConfig, WhmcsConnection

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_whmcs_connections: dict[WhmcsConfig, WhmcsConnection] = {}
_sandboxes: dict[str, object] = {}


def whmcs_connection() -> WhmcsConnection:
    config = whmcs_config()
    with _lock:
        connection = _whmcs_connections.get(config)
        if connection is None:
            connection = _whmcs_connections[config] = WhmcsConnection(config)
        return connection


def whmcs_config() -> WhmcsConfig:
    timeouts = {
        "connect_timeout": settings.PROVIDER_CONNECT_TIMEOUT,
        "read_timeout": settings.PROVIDER_READ_TIMEOUT,
        "max_attempts": settings.PROVIDER_MAX_ATTEMPTS,
    }
    if settings.WHMCS_API_URL:
        return WhmcsConfig(
            api_url=settings.WHMCS_API_URL,
            identifier=settings.WHMCS_API_IDENTIFIER,
            secret=settings.WHMCS_API_SECRET,
            access_key=settings.WHMCS_API_ACCESS_KEY,
            **timeouts,
        )
    sandbox = _sandbox("whmcs")
    app = sandbox.app
    return WhmcsConfig(api_url=sandbox.url + "/includes/api.php", identifier=app.config.identifier,
                       secret=app.config.secret, **timeouts)


def whmcs_public_origin() -> str:
    """scheme://host[:port] of the WHMCS client area (where Pay sends the customer)."""
    from urllib.parse import urlsplit

    parts = urlsplit(whmcs_config().api_url)
    return f"{parts.scheme}://{parts.netloc}"


def _sandbox(name: str):
    if not settings.PROVIDERS_USE_SANDBOX:
        raise ImproperlyConfigured(f"{name.upper()} is not configured and PROVIDERS_USE_SANDBOX is off.")
    with _lock:
        if name not in _sandboxes:
            from sandbox.whmcs import start_whmcs_sandbox

            starters = {"whmcs": start_whmcs_sandbox}
            _sandboxes[name] = starters[name]()
            logger.info("started the %s sandbox at %s", name, _sandboxes[name].url)
        return _sandboxes[name]
