#!/usr/bin/env bash
# The dependency audit `make test` runs (through scripts/security-checks.sh; docs/security.md).
# Fails (exit 1) when a pinned requirement has a known vulnerability, from either source:
# - pip-audit, which reads each pin's vulnerability data from PyPI's JSON API
#   (https://pypi.org/pypi/<name>/<version>/json). Where that API cannot be reached (machines that
#   reach only the package index) every pin comes back "not audited";
# - an offline copy of an advisory database in the OSV format (scripts/audit_pins.py), when
#   PORTAL_ADVISORY_DB names one (a folder or zip; several joined with ':'). It is refused when its
#   newest advisory is older than PORTAL_ADVISORY_DB_MAX_AGE_DAYS (default 14).
# When neither source audited every pin the run says so loudly and, with PIP_AUDIT_STRICT=1, fails.
# AUDIT_REQUIREMENTS (default requirements.txt) and AUDIT_OUTPUT_DIR (default test-output) are for
# the tests (tests/security/test_dependency_audit.py).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${AUDIT_REQUIREMENTS:-requirements.txt}"
out="${AUDIT_OUTPUT_DIR:-test-output}"
mkdir -p "$out"
status=0

echo "==> pip-audit over $requirements"
report="$out/pip-audit.json"
rm -f "$report"
# Everything is pinned: no resolution and no pip needed.
if ! .venv/bin/pip-audit --no-deps --disable-pip --progress-spinner off -r "$requirements" -f json -o "$report" \
    2>"$out/pip-audit.log"; then
  cat "$out/pip-audit.log" >&2
  status=1
fi
online_complete=0
if [ -s "$report" ]; then
  rc=0
  .venv/bin/python - "$report" <<'PY' || rc=$?
import json, sys

dependencies = json.load(open(sys.argv[1]))["dependencies"]
vulnerable = [(d["name"], d["version"], v["id"], v.get("fix_versions")) for d in dependencies for v in d.get("vulns", [])]
skipped = [d["name"] for d in dependencies if d.get("skip_reason")]
for name, version, vuln, fixes in vulnerable:
    print(f"VULNERABLE {name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release yet'})", file=sys.stderr)
print(f"pip-audit: {len(dependencies) - len(skipped)} of {len(dependencies)} pins audited, "
      f"{len(vulnerable)} known vulnerabilities")
if skipped:
    print(f"pip-audit could not audit {len(skipped)} pins (PyPI's per-release vulnerability data cannot be read"
          f" from this machine): {', '.join(skipped[:8])}{' ...' if len(skipped) > 8 else ''}", file=sys.stderr)
sys.exit(1 if vulnerable else 2 if skipped else 0)
PY
  case "$rc" in
    0) online_complete=1 ;;
    1) status=1 ;;
  esac
fi

offline_ran=0
if [ -n "${PORTAL_ADVISORY_DB:-}" ]; then
  echo "==> offline advisory audit over $requirements"
  db_args=()
  IFS=':' read -r -a dbs <<< "$PORTAL_ADVISORY_DB"
  for db in "${dbs[@]}"; do db_args+=(--db "$db"); done
  rc=0
  .venv/bin/python scripts/audit_pins.py "${db_args[@]}" --max-age-days "${PORTAL_ADVISORY_DB_MAX_AGE_DAYS:-14}" \
    "$requirements" || rc=$?
  if [ "$rc" -eq 0 ]; then
    offline_ran=1
  else
    status=1
  fi
fi

if [ "$online_complete" -ne 1 ] && [ "$offline_ran" -ne 1 ]; then
  cat >&2 <<'MSG'
WARNING: THE DEPENDENCY AUDIT DID NOT AUDIT EVERY PIN. pip-audit could not read PyPI's vulnerability data,
and no offline advisory database is configured (PORTAL_ADVISORY_DB). Known vulnerabilities in the pins
that were not audited would go unnoticed. See docs/security.md, "Dependency audit".
MSG
  if [ "${PIP_AUDIT_STRICT:-0}" = "1" ]; then
    status=1
  fi
fi
exit "$status"
