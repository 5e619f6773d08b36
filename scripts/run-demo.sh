#!/usr/bin/env bash
# The demo: embedded defaults (SQLite, local-memory cache, eager Celery, provider sandbox),
# demo data loaded, served by gunicorn on 127.0.0.1:$PORT. CLOCK_AT=<ISO instant> starts its clock there
# (scripts/with-clock.sh; needs Debian's faketime).
set -euo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-portal.settings.local}"

bash scripts/bootstrap.sh runtime
echo "==> Preparing the database and demo data"
bash scripts/with-clock.sh .venv/bin/python manage.py migrate --noinput -v 0
bash scripts/with-clock.sh .venv/bin/python manage.py seed_demo
.venv/bin/python manage.py collectstatic --noinput -v 0

cat <<BANNER

  Customer Portal demo: http://127.0.0.1:${PORT}/
    customers  alice@example.com / portal-demo
               bob@example.com   / portal-demo
    admin      admin@example.com / portal-admin   (http://127.0.0.1:${PORT}/admin/)
  Press Ctrl+C to stop.

BANNER
exec bash scripts/with-clock.sh .venv/bin/gunicorn portal.wsgi:application --config portal/demo/gunicorn.py \
  --bind "127.0.0.1:${PORT}" --access-logfile - --log-level warning --no-control-socket
