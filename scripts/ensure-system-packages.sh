#!/usr/bin/env bash
# System tools some tests drive: Debian's headless Chromium with its matching chromedriver (browser
# tests), the PHP CLI (the WHMCS hook module's signing test), npm, redis-server (the fault
# drills start their own) and gettext (the check that every message is translated). Installed
# from Debian's packages when missing (needs root, as on CI).
# Then axe-core (the browser tests' accessibility check), from the npm registry at the version
# pinned in package-lock.json, when node_modules/ lacks it.
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_axe_core() {
  [ -f node_modules/axe-core/axe.min.js ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: the browser tests need axe-core from the npm registry (package.json)." >&2
    echo "Install Node.js 18 or newer with npm (Debian: sudo apt-get install nodejs npm), then run make test again." >&2
    exit 1
  fi
  echo "==> Installing axe-core from the npm registry (npm ci, package-lock.json)"
  npm ci --no-audit --no-fund
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
# grep without -q reads all of `php -m`: with -q it may stop early, php then dies of SIGPIPE and
# pipefail would report php-curl missing (and reinstall it on every run)
php -m 2>/dev/null | grep -i "^curl$" >/dev/null || missing+=(php-curl)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)  # the fault drills start their own
command -v faketime >/dev/null 2>&1 || missing+=(faketime)  # CLOCK_AT=... make test (scripts/with-clock.sh)
command -v cc >/dev/null 2>&1 || missing+=(gcc)  # with-clock.sh builds its small shim for libfaketime
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)  # tests/test_translations.py extracts the messages
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)  # the load balancer of make cluster-drill (bench/cluster.py)
# Japanese text in the browser tests' screenshots (tests/browser/test_every_page_fits.py)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto | grep -q CJK || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -eq 0 ]; then
  ensure_axe_core
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "==> Installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
ensure_axe_core
