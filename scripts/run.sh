#!/usr/bin/env bash
# Migrate, load demo data on first start, then serve the web app and run the worker until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var

$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v 0
if [ ! -f var/.demo-loaded ]; then
  $PY manage.py seed_demo
  touch var/.demo-loaded
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Workers and threads: gunicorn.conf.py (read by gunicorn from this directory).
.venv/bin/gunicorn complaintdesk.wsgi:application --bind "$HOST:$PORT" --access-logfile - --log-level warning &
pids+=($!)
if $PY manage.py help worker >/dev/null 2>&1; then
  $PY manage.py worker &
  pids+=($!)
fi

cat <<MSG

  ComplaintDesk is running at http://$HOST:$PORT/
  API documentation: http://$HOST:$PORT/api/v1/docs   Back office: http://$HOST:$PORT/admin/
  Demo logins (password: demo): regulator, consumer1…consumer20,
    shop1-agent…shop5-agent, shop1-coordinator…shop5-coordinator
  Stop with Ctrl-C.

MSG
wait -n "${pids[@]}"
