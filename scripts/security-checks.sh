#!/usr/bin/env bash
# The security checks `make test` runs after pytest (docs/security.md):
# - bandit: no high-severity finding in our code (a false positive gets `# nosec BXXX` and a reason);
# - pip-audit: no known vulnerability in a pinned runtime dependency (requirements.txt). The report
#   is kept in test-output/pip-audit.json. pip-audit reads each pin's vulnerability data from PyPI
#   (https://pypi.org/pypi/<name>/<version>/json); where that cannot be read (our CI machines reach
#   only PyPI's package index) the pin is reported as not audited, loudly, and the run fails only
#   when PIP_AUDIT_STRICT=1. A vulnerability found always fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-output
status=0

echo "==> bandit (high severity) over domain, integrations, portal, sandbox"
if ! .venv/bin/bandit -q -r domain integrations portal sandbox -lll; then
  echo "bandit found a high-severity issue: fix it, or mark a false positive '# nosec BXXX' with the reason" >&2
  status=1
fi

echo "==> pip-audit over requirements.txt"
report=test-output/pip-audit.json
# Everything is pinned: no resolution and no pip needed.
if ! .venv/bin/pip-audit --no-deps --disable-pip --progress-spinner off -r requirements.txt -f json -o "$report" \
    2>test-output/pip-audit.log; then
  cat test-output/pip-audit.log >&2
  status=1
fi
if [ -s "$report" ]; then
  .venv/bin/python - "$report" <<'PY' || status=1
import json, os, sys

dependencies = json.load(open(sys.argv[1]))["dependencies"]
vulnerable = [(d["name"], d["version"], v["id"], v.get("fix_versions")) for d in dependencies for v in d.get("vulns", [])]
skipped = [d["name"] for d in dependencies if d.get("skip_reason")]
for name, version, vuln, fixes in vulnerable:
    print(f"VULNERABLE {name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release yet'})", file=sys.stderr)
audited = len(dependencies) - len(skipped)
print(f"pip-audit: {audited} of {len(dependencies)} pins audited, {len(vulnerable)} known vulnerabilities")
if skipped:
    print(f"WARNING: {len(skipped)} pins could not be audited (PyPI's per-release vulnerability data could not"
          f" be read from this machine): {', '.join(skipped[:8])}{' ...' if len(skipped) > 8 else ''}", file=sys.stderr)
strict = os.environ.get("PIP_AUDIT_STRICT") == "1"
sys.exit(1 if vulnerable or (skipped and strict) else 0)
PY
fi
exit "$status"
