#!/usr/bin/env bash
# The security checks `make test` runs after pytest (docs/security.md):
# - bandit: no high-severity finding in our code (a false positive gets `# nosec BXXX` and a reason);
# - the dependency audit (scripts/audit-dependencies.sh): no known vulnerability in a pinned runtime
#   dependency (requirements.txt), from pip-audit (PyPI's vulnerability data) and, when
#   PORTAL_ADVISORY_DB names one, an offline copy of an OSV advisory database. A vulnerability found
#   always fails the run; pins no source could audit fail it only with PIP_AUDIT_STRICT=1.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-output
status=0

echo "==> bandit (high severity) over domain, integrations, portal, sandbox"
if ! .venv/bin/bandit -q -r domain integrations portal sandbox -lll; then
  echo "bandit found a high-severity issue: fix it, or mark a false positive '# nosec BXXX' with the reason" >&2
  status=1
fi

bash scripts/audit-dependencies.sh || status=1
exit "$status"
