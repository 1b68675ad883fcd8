#!/usr/bin/env bash
# `make bench`: every benchmark present under bench/, in this order, stopping at the first failure.
# Each one starts its own throwaway data directory, server and (without DATABASE_URL) PostgreSQL.
# Arguments are passed to bench/intake.py, e.g. `bash scripts/bench.sh --seconds 5`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

# stats (10 M complaints, ~25 min), import (1 M rows), search and exports (1 M complaints each) are the slow
# ones; each takes --help.
for bench in bench/deadlines.py bench/sweep.py bench/stats.py bench/import.py bench/search.py bench/exports.py; do
  if [ -f "$bench" ]; then
    echo "== $bench"
    "$PY" "$bench"
  fi
done

# Every GET of the API and the web pages as every role, at 1 M complaints on SQLite as issue 15 measured them
# (~6 min to build, 5.5 GB in a throwaway folder, then ~20 min of requests); 10 M and PostgreSQL: its --help.
echo "== bench/scale.py"
"$PY" bench/scale.py --complaints 1000000

echo "== bench/intake.py"
"$PY" bench/intake.py "$@"
