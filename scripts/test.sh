#!/usr/bin/env bash
# The whole test suite: pytest on PostgreSQL and Redis (127.0.0.1 by default; DATABASE_URL and
# REDIS_URL override), a real Celery worker and headless Chromium. Extra arguments go to pytest.
# CLOCK_AT=<ISO instant> runs pytest and everything it starts at that instant (scripts/with-clock.sh).
# Then the security checks (scripts/security-checks.sh: bandit, pip-audit); any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=portal.settings.test

bash scripts/bootstrap.sh dev
bash scripts/ensure-system-packages.sh
mkdir -p test-output
.venv/bin/ruff check --quiet .
status=0
bash scripts/with-clock.sh .venv/bin/python -m pytest --junitxml=test-output/junit.xml "$@" || status=$?

bash scripts/security-checks.sh || status=$?
exit "$status"
