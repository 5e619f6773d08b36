#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium through its matching chromedriver.
# Installs both from Debian's packages when missing (needs root, as on CI).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium and chromedriver are missing; install them with: sudo apt-get install chromium chromium-driver" >&2
  exit 1
fi
echo "==> Installing chromium and chromium-driver from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver >/dev/null
