#!/usr/bin/env bash
# The time-sensitive tests with every process of the tree (pytest, Celery workers, the demo, the
# sandboxes, PHP, Chromium) started at each instant where Japan's calendar and UTC's disagree, or
# the calendar has an edge (tests/timepoints.py names the same ones for the in-process tests).
# Not part of `make test` (it runs the set once per instant); run it after changing anything that
# reads the clock. Extra arguments go to pytest. Each run's result is printed on one line.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=portal.settings.test

INSTANTS=(
  "2026-12-02T15:30:00Z"  # 00:30 JST on the 3rd: the hour the suite once failed
  "2026-12-03T03:00:00Z"  # noon in Japan, the same day in UTC
  "2026-12-31T14:59:00Z"  # 23:59 JST on 31 December
  "2026-12-31T15:01:00Z"  # 00:01 JST on 1 January, still 31 December in UTC
  "2027-03-31T14:59:00Z"  # 23:59 JST on the 31st, before a 30-day month
  "2027-03-31T15:01:00Z"  # 00:01 JST on 1 April
  "2028-02-29T03:00:00Z"  # 29 February of a leap year
  "2028-02-29T14:59:00Z"  # 23:59 JST on 29 February
)
TIME_SENSITIVE=(
  tests/domain/shared tests/portal/sim tests/sandbox/test_whmcs_billing_calendar.py tests/sandbox/test_freebit_sandbox.py
  tests/reliability/test_topup_money.py tests/reliability/test_plan_change_money.py tests/test_one_clock.py
  tests/browser/test_customer_journey.py
)
# (tests/browser/test_sims_at_calendar_edges.py moves the demo's clock to each edge itself: `make test` runs it.)

bash scripts/bootstrap.sh dev >/dev/null
bash scripts/ensure-system-packages.sh >/dev/null
status=0
for instant in "${INSTANTS[@]}"; do
  if CLOCK_AT="$instant" bash scripts/with-clock.sh .venv/bin/python -m pytest -q -p no:cacheprovider \
      "${TIME_SENSITIVE[@]}" "$@" > "test-output/at-${instant}.log" 2>&1; then
    echo "$instant: $(tail -n 1 "test-output/at-${instant}.log")"
  else
    status=1
    echo "$instant: FAILED: $(tail -n 1 "test-output/at-${instant}.log") (test-output/at-${instant}.log)"
  fi
done
exit "$status"
