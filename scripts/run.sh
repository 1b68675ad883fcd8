#!/usr/bin/env bash
# Migrate, load demo data on first start, then serve the web app and run the worker until Ctrl-C.
# The terminal keeps the banner, warnings and errors: e-mails go to var/mail/ (settings.EMAIL_BACKEND in
# local use) and the access log to var/log/access.log; ACCESS_LOG=- prints it here, LOG_LEVEL=INFO the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
ACCESS_LOG=${ACCESS_LOG:-var/log/access.log}
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
mkdir -p var/log

# The system checks run once, with the worker's first pass; the other commands skip them rather than print
# their warnings again.
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
if [ ! -f var/.demo-loaded ]; then
  $PY manage.py seed_demo --skip-checks
  touch var/.demo-loaded
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Workers and threads: gunicorn.conf.py (read by gunicorn from this directory).
.venv/bin/gunicorn complaintdesk.wsgi:application --bind "$HOST:$PORT" --access-logfile "$ACCESS_LOG" --log-level warning &
pids+=($!)

# Where e-mails go, as settings.py decides it: to files in local use unless EMAIL_BACKEND says otherwise.
mail_backend=${EMAIL_BACKEND:-}
if [ -z "$mail_backend" ] && [[ ! ${DEBUG-1} =~ ^([Ff][Aa][Ll][Ss][Ee]|0|[Nn][Oo]|[Oo][Ff][Ff])?$ ]]; then
  mail_backend=complaintdesk.notify.mailfiles.EmailBackend
fi
if [ "$mail_backend" = complaintdesk.notify.mailfiles.EmailBackend ]; then
  mail="written to ${EMAIL_FILE_PATH:-${DATA_DIR:-var}/mail}/ (one .eml each); the regulator reads them at http://$HOST:$PORT/console/mail/"
else
  mail="sent by ${mail_backend:-django.core.mail.backends.console.EmailBackend}"
fi
[ "$ACCESS_LOG" = - ] && access="this terminal" || access=$ACCESS_LOG

banner() {
  cat <<MSG

  ComplaintDesk is running at http://$HOST:$PORT/
  API documentation: http://$HOST:$PORT/api/v1/docs   Back office: http://$HOST:$PORT/admin/
  Demo logins (password: demo): regulator, consumer1…consumer20,
    shop1-agent…shop5-agent, shop1-coordinator…shop5-coordinator
  E-mails: $mail
  Access log: $access   Stop with Ctrl-C.

MSG
}

banner
if $PY manage.py help worker >/dev/null 2>&1; then
  # The first pass delivers what the demo data queued (a few hundred notices) before the loop starts, so
  # the banner can be shown again once it is done; its warnings and errors still reach the terminal.
  echo "  Delivering the demo's notifications (the worker's first pass)…"
  if summary=$($PY manage.py worker --once); then
    echo "  First pass done: $summary"
  else
    echo "  The worker's first pass failed (see above); the worker retries what is left." >&2
  fi
  banner
  $PY manage.py worker --skip-checks >/dev/null &
  pids+=($!)
fi
wait -n "${pids[@]}"
