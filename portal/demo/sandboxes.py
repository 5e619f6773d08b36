"""The demo's provider sandboxes, started in this process on free ports when first needed.

``portal.core.connections`` asks this module (registered by ``DemoConfig.ready``) for a provider's
configuration when the provider has no URL and ``PROVIDERS_USE_SANDBOX`` is on. Everything the
emulators need that a real provider would not (a key pair made for this process, the consumer key
and integration user the Salesforce emulator trusts, the WHMCS emulator's webhooks back to this
portal) is here, apart from production code.
"""
import logging
import threading

from django.conf import settings
from django.http import Http404

from integrations.freebit.connection import FreebitConfig
from integrations.salesforce.connection import SalesforceConfig
from integrations.whmcs.connection import WhmcsConfig
from portal.webhooks.signing import whmcs_signing_secrets

logger = logging.getLogger(__name__)
FREEBIT_API_PATH = "/emptool/api"
"""Where Freebit's API lives on its host (and on the sandbox's)."""
SALESFORCE_CONSUMER_KEY = "sandbox-connected-app"
SALESFORCE_USERNAME = "portal-integration@sandbox.example"
_lock = threading.Lock()
_running: dict[str, object] = {}
_private_keys: dict[str, str] = {}


def whmcs_config(**timeouts) -> WhmcsConfig:
    sandbox = running("whmcs")
    return WhmcsConfig(api_url=sandbox.url + "/includes/api.php", identifier=sandbox.app.config.identifier,
                       secret=sandbox.app.config.secret, **timeouts)


def salesforce_config(*, api_version: str, **timeouts) -> SalesforceConfig:
    sandbox = running("salesforce")
    return SalesforceConfig(login_url=sandbox.url, client_id=SALESFORCE_CONSUMER_KEY, username=SALESFORCE_USERNAME,
                            private_key=_private_keys["salesforce"], api_version=api_version, **timeouts)


def freebit_config(**timeouts) -> FreebitConfig:
    sandbox = running("freebit")
    return FreebitConfig(api_url=sandbox.url + FREEBIT_API_PATH, oem_id=sandbox.app.config.oem_id,
                         oem_key=sandbox.app.config.oem_key, **timeouts)


def salesforce_pubsub_target() -> str:
    return running("salesforce").app.pubsub.target


def salesforce_sandbox():
    """The in-process Salesforce sandbox, for the demo's operator pages: a 404 when a real Salesforce
    is configured or the sandboxes are off."""
    if settings.SALESFORCE_LOGIN_URL or not settings.PROVIDERS_USE_SANDBOX:
        raise Http404("Only with the Salesforce sandbox")
    return running("salesforce")


def freebit_sandbox():
    """The in-process Freebit sandbox, for the demo's operator pages: a 404 when a real Freebit is
    configured or the sandboxes are off."""
    if settings.FREEBIT_API_URL or not settings.PROVIDERS_USE_SANDBOX:
        raise Http404("Only with the Freebit sandbox")
    return running("freebit")


def running(name: str):
    """The provider's sandbox, started on first use."""
    with _lock:
        if name not in _running:
            starters = {"whmcs": _start_whmcs, "salesforce": _start_salesforce, "freebit": _start_freebit}
            _running[name] = starters[name]()
            logger.info("started the %s sandbox at %s", name, _running[name].url)
        return _running[name]


def stop_sandboxes() -> None:
    """Stop the in-process sandboxes (the demo's worker is exiting): their gRPC and HTTP threads
    would otherwise keep the process alive until gunicorn's graceful timeout kills it."""
    with _lock:
        handles = list(_running.values())
        _running.clear()
    for handle in handles:
        handle.stop()


def _start_whmcs():
    from sandbox.whmcs import start_whmcs_sandbox

    return start_whmcs_sandbox(**_whmcs_sandbox_webhooks())


def _whmcs_sandbox_webhooks() -> dict[str, str]:
    """The in-process WHMCS sandbox sends its signed webhooks to this portal (the demo's "paid" flow)."""
    secret = whmcs_signing_secrets().get("current")
    if not secret:
        return {}
    return {"webhook_url": settings.PORTAL_PUBLIC_URL.rstrip("/") + "/webhooks/whmcs/", "webhook_secret": secret}


def _start_salesforce():
    """The Salesforce emulator, trusting a key pair made for this process (no credentials needed)."""
    from sandbox.salesforce import start_salesforce_sandbox
    from sandbox.salesforce.keys import generate_demo_keypair

    private_pem, public_pem = generate_demo_keypair()
    handle = start_salesforce_sandbox(env={}, consumer_key=SALESFORCE_CONSUMER_KEY, username=SALESFORCE_USERNAME,
                                      public_key_pem=public_pem, pubsub=True)
    _private_keys["salesforce"] = private_pem
    return handle


def _start_freebit():
    from sandbox.freebit import start_freebit_sandbox

    return start_freebit_sandbox(env={})
