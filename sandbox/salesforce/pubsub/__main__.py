"""``python -m sandbox.salesforce.pubsub [--port 7443] [--rest-port 8102] [--public-key-file cert.pem]``:
the Salesforce REST emulator with the Pub/Sub API emulator attached, standalone.

The REST emulator's other settings come from ``SANDBOX_SALESFORCE_*`` (see sandbox/README.md). The
Pub/Sub API is plaintext gRPC: subscribers connect without TLS.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path

from sandbox.salesforce import TOKEN_PATH, start_salesforce_sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.salesforce.pubsub",
                                     description="Salesforce REST + Pub/Sub API (gRPC) emulators.")
    parser.add_argument("--host", default=os.environ.get("SANDBOX_SALESFORCE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PUBSUB_PORT", "7443")),
                        help="the Pub/Sub API's port (default 7443, as Salesforce's)")
    parser.add_argument("--rest-port", type=int, default=int(os.environ.get("SANDBOX_SALESFORCE_PORT", "8102")))
    parser.add_argument("--public-key-file", type=Path, help="the connected app's certificate or public key (PEM)")
    parser.add_argument("--keepalive-seconds", type=float, help="seconds between keep-alives (default 30)")
    parser.add_argument("--retention", type=int, help="events kept per topic (default 10000)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    config = {}
    if args.public_key_file:
        config["public_key_pem"] = args.public_key_file.read_text()
    pubsub = {"port": args.port}
    if args.keepalive_seconds is not None:
        pubsub["keepalive_seconds"] = args.keepalive_seconds
    if args.retention is not None:
        pubsub["retention"] = args.retention
    handle = start_salesforce_sandbox(args.rest_port, args.host, pubsub=pubsub, **config)
    print(f"Salesforce sandbox on {handle.url} (token: {handle.url}{TOKEN_PATH}); "
          f"Pub/Sub API on {handle.app.pubsub.target} (plaintext gRPC, tenant {handle.app.org_id})", file=sys.stderr)
    if handle.app.private_key_pem is not None:
        print("No public key given: install yours with PUT /__sandbox__/public-key.", file=sys.stderr)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
