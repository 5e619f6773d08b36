#!/usr/bin/env bash
# Run a command, and every process it starts, with the clock starting at $CLOCK_AT (an ISO instant,
# e.g. 2026-12-31T23:59:00+09:00 or 2026-12-02T15:30:00Z) and running on from there; without
# CLOCK_AT, run it as it is. Used by `make test` and `make run` (docs/operations.md, "Time zone").
#
# The clock is moved with Debian's libfaketime, by one offset from the real time computed here, so
# that every process of the tree (pytest, Celery workers, the demo, gRPC's C core, PHP) reads the
# same instant. time-machine cannot do that: it moves only Python's clock, in one process.
set -euo pipefail

if [ -z "${CLOCK_AT:-}" ]; then
  exec "$@"
fi
library=$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true)
if [ -z "$library" ]; then
  echo "CLOCK_AT needs libfaketime: install Debian's faketime package (sudo apt-get install faketime)" >&2
  exit 1
fi
offset=$(python3 - "$CLOCK_AT" <<'PY'
import sys
from datetime import UTC, datetime

instant = datetime.fromisoformat(sys.argv[1].strip().replace("Z", "+00:00"))
if instant.tzinfo is None:
    sys.exit(f"CLOCK_AT={sys.argv[1]!r} has no offset: write it as 2026-12-02T15:30:00Z or ...+09:00")
print(f"{round((instant - datetime.now(UTC)).total_seconds()):+d}")
PY
)
# libfaketime 0.9.10 refuses sleeps on the monotonic clock (EINVAL) when it leaves that clock alone,
# and Python's time.sleep is one: a shim loaded before it sends those sleeps to the kernel.
root=$(cd "$(dirname "$0")/.." && pwd)
shim=$root/var/faketime/monotonic_sleep.so
if [ ! -e "$shim" ] || [ "$root/scripts/faketime/monotonic_sleep.c" -nt "$shim" ]; then
  mkdir -p "$root/var/faketime"
  cc -shared -fPIC -O2 -o "$shim" "$root/scripts/faketime/monotonic_sleep.c" -ldl
fi
echo "==> Clock at ${CLOCK_AT} (libfaketime, ${offset} s from the real time)" >&2
# (The browser tests start Chromium without it: tests/browser/conftest.py.)
export LD_PRELOAD="$shim:$library${LD_PRELOAD:+:$LD_PRELOAD}" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1
unset CLOCK_AT
exec "$@"
