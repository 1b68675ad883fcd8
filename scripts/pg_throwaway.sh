#!/usr/bin/env bash
# Start a throwaway PostgreSQL on a free loopback port and print its DATABASE_URL.
# Usage: eval "$(scripts/pg_throwaway.sh start)"; ...; scripts/pg_throwaway.sh stop "$PGTMP"
# PG_SERVER_OPTS adds server settings (a benchmark's: -c shared_buffers=4GB -c effective_cache_size=12GB …).
set -euo pipefail

find_bin() {
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  # PostgreSQL refuses to run as root; CI runs as root, so the server runs as the `postgres` user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    BIN=$(find_bin)
    if [ -z "$BIN" ] || [ ! -x "$BIN/pg_ctl" ]; then echo 'pg_ctl not found (install postgresql-15)'; exit 3; fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then echo 'no postgres user to run the server as (install postgresql-15)'; exit 3; fi
    PGTMP=$(mktemp -d /tmp/complaintdesk-pg.XXXXXX)
    chmod 755 "$PGTMP"
    [ "$(id -u)" = 0 ] && chown postgres "$PGTMP"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$BIN/initdb" -D "$PGTMP/data" -U complaintdesk --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1
    as_owner "$BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $PORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_SERVER_OPTS:-}" \
      start >/dev/null
    echo "export PGTMP=$PGTMP PGBIN=$BIN"
    echo "export DATABASE_URL=postgres://complaintdesk@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    PGTMP=${2:?}
    BIN=$(find_bin)
    as_owner "$BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
    ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
