"""An emulator of Freebit's MVNO "PA" API: authOem, account details, traffic, quota additions and
their history, plan changes, new lines on the MVNO's own SIMs (``sandbox.sim_stock``), voice-option
changes, 4G/5G switches (with the line locked meanwhile), cancellations and eSIM reissues, the
asynchronous ones landing on the emulator's clock.

In process (the demo, tests)::

    handle = start_freebit_sandbox()        # port 0: a free port
    handle.url + API_PREFIX                 # http://127.0.0.1:<port>/emptool/api: the portal's FREEBIT_API_URL
    handle.app.store                        # the live data, for assertions
    handle.app.set_today(date(2026, 2, 1))  # move the calendar forward (scheduled plan changes apply)
    handle.stop()

Standalone: ``python -m sandbox.freebit --port 8103``. The wire format is documented in
``sandbox/freebit/api.py``; the demo SIMs in ``sandbox/freebit/seed.py``; usage in ``sandbox/README.md``.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sandbox.common import ServerHandle, serve
from sandbox.common.clock import JST

from .api import API_PREFIX, OPERATIONS, QUOTA_MAX_MB, QUOTA_MIN_MB
from .app import DEFAULT_OEM_ID, DEFAULT_OEM_KEY, FreebitConfig, FreebitSandbox
from .seed import SIM_SEEDS, seed_store
from .store import PLANS, Plan


def start_freebit_sandbox(
    port: int = 0, host: str = "127.0.0.1", *, env: Mapping[str, str] | None = None, **config: Any
) -> ServerHandle:
    """Serve a fresh Freebit emulator from a daemon thread; ``handle.app`` is the :class:`FreebitSandbox`.

    Settings come from the environment (``os.environ``, or ``env``: pass ``env={}`` to ignore it)
    and are overridden by ``config``, whose names are :class:`FreebitConfig`'s fields: ``oem_id``,
    ``oem_key``, ``auth_key_ttl_seconds``, ``activation_delay_seconds``, ``voice_option_delay_seconds``,
    ``contract_line_seconds``, ``cancel_delay_seconds``, ``faults`` (a dict or
    :class:`~sandbox.common.FaultConfig`), ``seed``, ``today``, ``usage_seed``.
    """
    settings = replace(FreebitConfig.from_env(os.environ if env is None else env), **config)
    return serve(FreebitSandbox(settings), host, port)


__all__ = [
    "API_PREFIX",
    "DEFAULT_OEM_ID",
    "DEFAULT_OEM_KEY",
    "JST",
    "OPERATIONS",
    "PLANS",
    "QUOTA_MAX_MB",
    "QUOTA_MIN_MB",
    "SIM_SEEDS",
    "FreebitConfig",
    "FreebitSandbox",
    "Plan",
    "seed_store",
    "start_freebit_sandbox",
]
