"""``python -m sandbox.salesforce [--host 127.0.0.1] [--port 8102] [--public-key-file cert.pem]``:
run the Salesforce emulator standalone."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from sandbox.common import serve

from .app import TOKEN_PATH, SalesforceConfig, SalesforceSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.salesforce",
        description="Salesforce REST API emulator (JWT bearer flow, query, sobjects, composite/tree). Settings "
        "also come from SANDBOX_SALESFORCE_* and SANDBOX_FAULT_* environment variables (see sandbox/README.md).",
    )
    parser.add_argument("--host", default=os.environ.get("SANDBOX_SALESFORCE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_SALESFORCE_PORT", "8102")))
    parser.add_argument("--public-key-file", type=Path,
                        help="the connected app's certificate or public key (PEM); without one, a key pair is made "
                        "and the private key written to --private-key-out")
    parser.add_argument("--private-key-out", type=Path,
                        help="where to write the generated private key when no --public-key-file is given")
    parser.add_argument("--consumer-key", help="the expected JWT iss (default: $SANDBOX_SALESFORCE_CONSUMER_KEY or "
                        "sandbox-consumer-key)")
    parser.add_argument("--username", help="the expected JWT sub (default: $SANDBOX_SALESFORCE_USERNAME or "
                        "integration@portal.example)")
    parser.add_argument("--audience", action="append", dest="audiences",
                        help="an accepted JWT aud (repeatable; default: the login URL)")
    parser.add_argument("--login-url", help="the public base URL (default: the URL requests come in on)")
    parser.add_argument("--session-ttl", type=float, help="seconds an access token lives (default 7200)")
    parser.add_argument("--faults", help='initial faults as JSON, e.g. \'{"latency_ms": 200, "error_rate": 0.1}\'')
    parser.add_argument("--customers", type=int,
                        help="also seed this many generated customers (sandbox.population; default: "
                        "$SANDBOX_SALESFORCE_CUSTOMERS or 0, the demo data only)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    overrides: dict = {}
    for name in ("consumer_key", "username", "login_url", "session_ttl", "customers"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.audiences:
        overrides["audiences"] = tuple(args.audiences)
    if args.public_key_file:
        overrides["public_key_pem"] = args.public_key_file.read_text()
    if args.faults:
        overrides["faults"] = json.loads(args.faults)
    app = SalesforceSandbox(SalesforceConfig.from_env(), **overrides)
    if app.private_key_pem is not None:
        if args.private_key_out:
            args.private_key_out.touch(mode=0o600)
            args.private_key_out.write_text(app.private_key_pem)
            print(f"No public key given: generated a key pair; private key in {args.private_key_out}", file=sys.stderr)
        else:
            print("No public key given: generated a key pair nobody holds. Install yours with "
                  "PUT /__sandbox__/public-key, or restart with --public-key-file or --private-key-out.",
                  file=sys.stderr)
    handle = serve(app, args.host, args.port, background=False)
    print(f"Salesforce sandbox on {handle.url} (token: {handle.url}{TOKEN_PATH}, iss {app.config.consumer_key!r}, "
          f"sub {app.config.username!r})", file=sys.stderr)
    print(f"Faults: {json.dumps(app.faults.config.to_dict())}", file=sys.stderr)
    try:
        handle.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
