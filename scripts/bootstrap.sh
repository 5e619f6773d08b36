#!/usr/bin/env bash
# Create .venv with python3 and install the pinned requirements: `runtime` (default) or `dev`.
# Re-running is cheap: installs happen only when the requirement files change.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-runtime}"
req_file="requirements.txt"
[ "$profile" = "dev" ] && req_file="requirements-dev.txt"

if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is required (3.11 or newer)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtual environment in .venv"
  python3 -m venv .venv
fi

stamp=".venv/.installed-$profile"
# This script is part of the digest: a change here (such as the upgrades below) reaches existing venvs.
digest="$(cat requirements.txt "$req_file" scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "==> Installing $req_file"
  # The venv's own pip and setuptools come from the Python that made it, often with known
  # vulnerabilities (setuptools 65.5.0: CVE-2022-40897): always the latest releases.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req_file"
  echo "$digest" > "$stamp"
fi

# The translation catalogues (locale/): compiled with Babel, no GNU gettext needed.
.venv/bin/python scripts/compile_messages.py
