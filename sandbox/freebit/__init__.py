"""An emulator of the Freebit MVNO API: SIM details, daily usage, top-ups and plan changes.

In process (the demo, tests)::

    handle = start_freebit_sandbox()        # port 0: a free port
    handle.url                              # http://127.0.0.1:<port>; the API is handle.url + "/api/sim/..."
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

from .api import API_PREFIX, MAX_USAGE_DAYS, OPERATIONS, TOPUP_MAX_MB, TOPUP_MIN_MB
from .app import DEFAULT_API_KEY, FreebitConfig, FreebitSandbox
from .seed import SIM_SEEDS, seed_store
from .store import PLANS, Plan


def start_freebit_sandbox(
    port: int = 0, host: str = "127.0.0.1", *, env: Mapping[str, str] | None = None, **config: Any
) -> ServerHandle:
    """Serve a fresh Freebit emulator from a daemon thread; ``handle.app`` is the :class:`FreebitSandbox`.

    Settings come from the environment (``os.environ``, or ``env``: pass ``env={}`` to ignore it)
    and are overridden by ``config``, whose names are :class:`FreebitConfig`'s fields: ``api_key``,
    ``faults`` (a dict or :class:`~sandbox.common.FaultConfig`), ``seed``, ``today``, ``usage_seed``.
    """
    settings = replace(FreebitConfig.from_env(os.environ if env is None else env), **config)
    return serve(FreebitSandbox(settings), host, port)


__all__ = [
    "API_PREFIX",
    "DEFAULT_API_KEY",
    "JST",
    "MAX_USAGE_DAYS",
    "OPERATIONS",
    "PLANS",
    "SIM_SEEDS",
    "TOPUP_MAX_MB",
    "TOPUP_MIN_MB",
    "FreebitConfig",
    "FreebitSandbox",
    "Plan",
    "seed_store",
    "start_freebit_sandbox",
]
