"""Provider connections built from settings: the one place ``integrations`` meet Django settings.

Connections are shared per process (one pooled HTTP session each). Without a provider URL and with
``PROVIDERS_USE_SANDBOX`` on (the demo), the provider's sandbox is started in-process on a free port.
"""
import logging
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from integrations.freebit.connection import FreebitConfig, FreebitConnection
from integrations.salesforce.connection import SalesforceConfig, SalesforceConnection
from integrations.whmcs.connection import WhmcsConfig, WhmcsConnection
from portal.core import provider_calls
from portal.core.circuit import CacheCircuitBreaker

logger = logging.getLogger(__name__)
FREEBIT_API_PATH = "/emptool/api"
"""Where Freebit's API lives on its host (and on the sandbox's)."""
_lock = threading.Lock()
_connections: dict[object, object] = {}  # one per provider configuration
_sandboxes: dict[str, object] = {}
_sandbox_private_keys: dict[str, str] = {}
_SANDBOX_SALESFORCE_CONSUMER_KEY = "sandbox-connected-app"
_SANDBOX_SALESFORCE_USERNAME = "portal-integration@sandbox.example"


def _shared(config, connection_class, provider: str):
    """The process's connection for this configuration (a new one when the settings change)."""
    with _lock:
        connection = _connections.get(config)
        if connection is None:
            connection = _connections[config] = connection_class(
                config, on_call=provider_calls.record(provider), breaker=CacheCircuitBreaker(provider))
        return connection


def _timeouts() -> dict:
    return {
        "connect_timeout": settings.PROVIDER_CONNECT_TIMEOUT,
        "read_timeout": settings.PROVIDER_READ_TIMEOUT,
        "max_attempts": settings.PROVIDER_MAX_ATTEMPTS,
    }


def whmcs_connection() -> WhmcsConnection:
    return _shared(whmcs_config(), WhmcsConnection, "whmcs")


def whmcs_config() -> WhmcsConfig:
    timeouts = _timeouts()
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

            starters = {
                "whmcs": lambda: start_whmcs_sandbox(**_whmcs_sandbox_webhooks()),
                "salesforce": _start_salesforce_sandbox,
                "freebit": _start_freebit_sandbox,
            }
            _sandboxes[name] = starters[name]()
            logger.info("started the %s sandbox at %s", name, _sandboxes[name].url)
        return _sandboxes[name]


def stop_sandboxes() -> None:
    """Stop the in-process sandboxes (the demo's worker is exiting): their gRPC and HTTP threads
    would otherwise keep the process alive until gunicorn's graceful timeout kills it."""
    with _lock:
        sandboxes = list(_sandboxes.values())
        _sandboxes.clear()
    for handle in sandboxes:
        handle.stop()


def _whmcs_sandbox_webhooks() -> dict[str, str]:
    """The in-process WHMCS sandbox sends its signed webhooks to this portal (the demo's "paid" flow)."""
    from portal.webhooks.signing import whmcs_signing_secrets

    secret = whmcs_signing_secrets().get("current")
    if not secret:
        return {}
    return {"webhook_url": settings.PORTAL_PUBLIC_URL.rstrip("/") + "/webhooks/whmcs/", "webhook_secret": secret}


def salesforce_connection() -> SalesforceConnection:
    return _shared(salesforce_config(), SalesforceConnection, "salesforce")


def salesforce_config() -> SalesforceConfig:
    timeouts = _timeouts()
    if settings.SALESFORCE_LOGIN_URL:
        return SalesforceConfig(
            login_url=settings.SALESFORCE_LOGIN_URL,
            client_id=settings.SALESFORCE_CLIENT_ID,
            username=settings.SALESFORCE_USERNAME,
            private_key=_salesforce_private_key(),
            audience=settings.SALESFORCE_AUDIENCE,
            api_version=settings.SALESFORCE_API_VERSION,
            **timeouts,
        )
    sandbox = _sandbox("salesforce")
    return SalesforceConfig(login_url=sandbox.url, client_id=_SANDBOX_SALESFORCE_CONSUMER_KEY,
                            username=_SANDBOX_SALESFORCE_USERNAME, private_key=_sandbox_private_keys["salesforce"],
                            api_version=settings.SALESFORCE_API_VERSION, **timeouts)


def _salesforce_private_key() -> str:
    if settings.SALESFORCE_PRIVATE_KEY:
        return settings.SALESFORCE_PRIVATE_KEY.replace("\\n", "\n")
    if settings.SALESFORCE_PRIVATE_KEY_FILE:
        with open(settings.SALESFORCE_PRIVATE_KEY_FILE, encoding="ascii") as key_file:
            return key_file.read()
    raise ImproperlyConfigured("Set SALESFORCE_PRIVATE_KEY or SALESFORCE_PRIVATE_KEY_FILE for the JWT bearer flow.")


def _start_salesforce_sandbox():
    """The Salesforce emulator, trusting a key pair made for this process (no credentials needed)."""
    from sandbox.salesforce import start_salesforce_sandbox
    from sandbox.salesforce.keys import generate_demo_keypair

    private_pem, public_pem = generate_demo_keypair()
    handle = start_salesforce_sandbox(env={}, consumer_key=_SANDBOX_SALESFORCE_CONSUMER_KEY,
                                      username=_SANDBOX_SALESFORCE_USERNAME, public_key_pem=public_pem, pubsub=True)
    _sandbox_private_keys["salesforce"] = private_pem
    return handle


def freebit_connection() -> FreebitConnection:
    return _shared(freebit_config(), FreebitConnection, "freebit")


def freebit_config() -> FreebitConfig:
    timeouts = _timeouts()
    if settings.FREEBIT_API_URL:
        return FreebitConfig(api_url=settings.FREEBIT_API_URL, oem_id=settings.FREEBIT_OEM_ID,
                             oem_key=settings.FREEBIT_OEM_KEY, **timeouts)
    sandbox = _sandbox("freebit")
    return FreebitConfig(api_url=sandbox.url + FREEBIT_API_PATH, oem_id=sandbox.app.config.oem_id,
                         oem_key=sandbox.app.config.oem_key, **timeouts)


def _start_freebit_sandbox():
    from sandbox.freebit import start_freebit_sandbox

    return start_freebit_sandbox(env={})


def salesforce_pubsub_target() -> tuple[str, bool]:
    """``(host:port, tls)`` of the Pub/Sub API: Salesforce's over TLS, or the sandbox's plaintext one."""
    if settings.SALESFORCE_LOGIN_URL:
        return settings.SALESFORCE_PUBSUB_TARGET, settings.SALESFORCE_PUBSUB_TLS
    return _sandbox("salesforce").app.pubsub.target, False


def salesforce_sandbox():
    """The in-process Salesforce sandbox (demo tools only); None when a real Salesforce is configured."""
    if settings.SALESFORCE_LOGIN_URL or not settings.PROVIDERS_USE_SANDBOX:
        return None
    salesforce_config()  # starts it with its key pair if needed
    return _sandbox("salesforce")
