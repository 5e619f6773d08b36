"""``python -m sandbox.whmcs [--host 127.0.0.1] [--port 8101]``: run the WHMCS emulator standalone."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from sandbox.common import serve

from .app import API_PATH, WhmcsConfig, WhmcsSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.whmcs",
        description="WHMCS External API emulator. Credentials and faults also come from SANDBOX_WHMCS_* "
        "and SANDBOX_FAULT_* environment variables (see sandbox/README.md).",
    )
    parser.add_argument("--host", default=os.environ.get("SANDBOX_WHMCS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_WHMCS_PORT", "8101")))
    parser.add_argument("--identifier",
                        help="API identifier (default: $SANDBOX_WHMCS_IDENTIFIER or sandbox-identifier)")
    parser.add_argument("--secret", help="API secret (default: $SANDBOX_WHMCS_SECRET or sandbox-secret)")
    parser.add_argument("--faults", help='initial faults as JSON, e.g. \'{"latency_ms": 200, "error_rate": 0.1}\'')
    parser.add_argument("--customers", type=int,
                        help="also seed this many generated customers (sandbox.population; default: "
                        "$SANDBOX_WHMCS_CUSTOMERS or 0, the demo data only)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    config = WhmcsConfig.from_env()
    overrides: dict = {name: value for name, value in (("identifier", args.identifier), ("secret", args.secret))
                       if value}
    if args.customers is not None:
        overrides["customers"] = args.customers
    if args.faults:
        overrides["faults"] = json.loads(args.faults)
    app = WhmcsSandbox(config, **overrides)
    handle = serve(app, args.host, args.port, background=False)
    print(f"WHMCS sandbox on {handle.url}{API_PATH} (identifier {app.config.identifier!r})", file=sys.stderr)
    print(f"Faults: {json.dumps(app.faults.config.to_dict())}", file=sys.stderr)
    try:
        handle.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
