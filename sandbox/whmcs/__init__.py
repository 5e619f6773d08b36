"""An emulator of WHMCS's External API (``POST /includes/api.php``, WHMCS 8.x) and client area.

In process (the demo, tests)::

    handle = start_whmcs_sandbox()          # port 0: a free port
    handle.url                              # http://127.0.0.1:<port>
    handle.app.store                        # the live data, for assertions
    handle.stop()

Standalone: ``python -m sandbox.whmcs --port 8101``. See ``sandbox/README.md``.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sandbox.common import ServerHandle, serve

from .app import API_PATH, DEFAULT_IDENTIFIER, DEFAULT_SECRET, WhmcsConfig, WhmcsSandbox
from .seed import DEMO_SIMS, seed_store


def start_whmcs_sandbox(
    port: int = 0, host: str = "127.0.0.1", *, env: Mapping[str, str] | None = None, **config: Any
) -> ServerHandle:
    """Serve a fresh WHMCS emulator from a daemon thread; ``handle.app`` is the :class:`WhmcsSandbox`.

    Settings come from the environment (``os.environ``, or ``env``: pass ``env={}`` to ignore it)
    and are overridden by ``config``, whose names are :class:`WhmcsConfig`'s fields: ``identifier``,
    ``secret``, ``access_key``, ``faults`` (a dict or :class:`~sandbox.common.FaultConfig`),
    ``seed``, ``today``, ``sso_token_ttl``, ``public_url``,
    ``webhook_url``, ``webhook_secret``, ``webhook_timeout`` (signed webhooks, see ``webhooks.py``).
    """
    settings = replace(WhmcsConfig.from_env(os.environ if env is None else env), **config)
    return serve(WhmcsSandbox(settings), host, port)


__all__ = [
    "API_PATH",
    "DEFAULT_IDENTIFIER",
    "DEFAULT_SECRET",
    "DEMO_SIMS",
    "WhmcsConfig",
    "WhmcsSandbox",
    "seed_store",
    "start_whmcs_sandbox",
]
