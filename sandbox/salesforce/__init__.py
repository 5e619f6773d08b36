"""An emulator of the Salesforce REST API parts the portal uses, with the OAuth 2.0 JWT bearer flow.

In process (the demo, tests)::

    private_pem, public_pem = generate_demo_keypair()
    handle = start_salesforce_sandbox(public_key_pem=public_pem)   # port 0: a free port
    handle.url                       # http://127.0.0.1:<port>: login URL, token audience and instance URL
    handle.app.store                 # the live records, for assertions
    handle.app.approve_order(order_id)
    handle.stop()

    handle = start_salesforce_sandbox(pubsub=True)   # and the Pub/Sub API (gRPC) attached to it:
    handle.app.pubsub.target         # 127.0.0.1:<port>; approvals publish OrderProvisionRequested__e there

Standalone: ``python -m sandbox.salesforce --port 8102 --public-key-file cert.pem``.
The data model is ``docs/salesforce-model.md``; the details are in ``sandbox/README.md``.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sandbox.common import ServerHandle, serve

from .app import API_VERSION, TOKEN_PATH, OrderApproval, SalesforceConfig, SalesforceSandbox
from .ids import checksum, make_id, to_18
from .keys import generate_demo_keypair, load_public_key, self_signed_certificate
from .seed import CATALOG, INTEGRATION_USER_ID, ORG_ID, PORTAL_PRICEBOOK_ID, STANDARD_PRICEBOOK_ID


def start_salesforce_sandbox(
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    env: Mapping[str, str] | None = None,
    pubsub: bool | Mapping[str, Any] = False,
    **config: Any,
) -> ServerHandle:
    """Serve a fresh Salesforce emulator from a daemon thread; ``handle.app`` is the :class:`SalesforceSandbox`.

    ``pubsub=True`` (or a dict of ``start_pubsub_sandbox`` keywords: ``port``, ``keepalive_seconds``,
    ``retention``, ...) also starts the Pub/Sub API emulator, attached as ``handle.app.pubsub``;
    ``handle.stop()`` stops both.

    Settings come from the environment (``os.environ``, or ``env``: pass ``env={}`` to ignore it)
    and are overridden by ``config``, whose names are :class:`SalesforceConfig`'s fields:
    ``consumer_key``, ``username``, ``public_key_pem``, ``audiences``, ``login_url``,
    ``session_ttl``, ``max_assertion_lifetime``, ``faults``, ``seed``, ``today``; and
    ``on_order_approved`` (a callable given each :class:`OrderApproval`).
    """
    on_order_approved = config.pop("on_order_approved", None)
    settings = replace(SalesforceConfig.from_env(os.environ if env is None else env), **config)
    handle = serve(SalesforceSandbox(settings, on_order_approved=on_order_approved), host, port)
    if pubsub:
        from .pubsub import start_pubsub_sandbox  # gRPC is loaded only when asked for

        options = dict(pubsub) if isinstance(pubsub, Mapping) else {}
        try:
            start_pubsub_sandbox(salesforce_app=handle.app, env=env, host=options.pop("host", host), **options)
        except BaseException:
            handle.stop()
            raise
    return handle


__all__ = [
    "API_VERSION",
    "CATALOG",
    "INTEGRATION_USER_ID",
    "ORG_ID",
    "PORTAL_PRICEBOOK_ID",
    "STANDARD_PRICEBOOK_ID",
    "TOKEN_PATH",
    "OrderApproval",
    "SalesforceConfig",
    "SalesforceSandbox",
    "checksum",
    "generate_demo_keypair",
    "load_public_key",
    "make_id",
    "self_signed_certificate",
    "start_salesforce_sandbox",
    "to_18",
]
