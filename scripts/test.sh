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
exit $status
