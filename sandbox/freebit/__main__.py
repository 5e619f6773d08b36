"""``python -m sandbox.freebit [--host 127.0.0.1] [--port 8103]``: run the Freebit emulator standalone."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from sandbox.common import serve

from .api import API_PREFIX
from .app import FreebitConfig, FreebitSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.freebit",
        description="Freebit MVNO API emulator. The OEM id and key, calendar and faults also come from "
        "SANDBOX_FREEBIT_* and SANDBOX_FAULT_* environment variables (see sandbox/README.md).",
    )
    parser.add_argument("--host", default=os.environ.get("SANDBOX_FREEBIT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_FREEBIT_PORT", "8103")))
    parser.add_argument("--oem-id", help="the OEM id (default: $SANDBOX_FREEBIT_OEM_ID or sandbox-oem)")
    parser.add_argument("--oem-key", help="the OEM key (default: $SANDBOX_FREEBIT_OEM_KEY or sandbox-freebit-oem-key)")
    parser.add_argument("--faults", help='initial faults as JSON, e.g. \'{"latency_ms": 200, "error_rate": 0.1}\'')
    parser.add_argument("--customers", type=int,
                        help="also seed the SIM lines of this many generated customers (sandbox.population; "
                        "default: $SANDBOX_FREEBIT_CUSTOMERS or 0, the demo lines only)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    overrides: dict = {}
    if args.oem_id:
        overrides["oem_id"] = args.oem_id
    if args.oem_key:
        overrides["oem_key"] = args.oem_key
    if args.faults:
        overrides["faults"] = json.loads(args.faults)
    if args.customers is not None:
        overrides["customers"] = args.customers
    app = FreebitSandbox(FreebitConfig.from_env(), **overrides)
    handle = serve(app, args.host, args.port, background=False)
    print(f"Freebit sandbox on {handle.url}{API_PREFIX}/<group>/<operation>/ (today {app.today().isoformat()})",
          file=sys.stderr)
    print(f"Faults: {json.dumps(app.faults.config.to_dict())}", file=sys.stderr)
    try:
        handle.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
