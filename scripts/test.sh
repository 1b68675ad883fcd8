#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL (DATABASE_URL, or a throwaway server started with pg_ctl).
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest -q "$@")
status=0

echo "== tests on SQLite"
env -u DATABASE_URL "${PYTEST[@]}" || status=1

if [ -n "${DATABASE_URL:-}" ]; then
  echo "== tests on PostgreSQL at DATABASE_URL"
  "${PYTEST[@]}" || status=1
elif out=$(bash scripts/pg_throwaway.sh start); then
  eval "$out"
  trap 'bash scripts/pg_throwaway.sh stop "$PGTMP"' EXIT
  echo "== tests on a throwaway PostgreSQL ($DATABASE_URL)"
  "${PYTEST[@]}" || status=1
else
  echo "== PostgreSQL tests NOT run: $out. Set DATABASE_URL or install PostgreSQL to run them."
fi
# Say plainly whether the browser journey ran: pytest only lists the skip reason with -rs.
if [ -x /usr/bin/chromium ]; then
  echo "== browser tests (complaintdesk/web/tests/test_browser.py) ran in /usr/bin/chromium"
else
  echo "== browser tests SKIPPED: /usr/bin/chromium is missing (apt-get install chromium, as .ci/run does)"
fi
exit $status
