#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster on 127.0.0.1 and VNETLAB_TEST_PG_URL pointing at it.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]   (installs PostgreSQL with apt when it is missing)
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=$(mktemp -d)
PGPORT=${VNETLAB_TEST_PG_PORT:-54329}
chown postgres:postgres "$PGDIR"
# From /, which the postgres user may enter (the caller's directory may be private to root).
as_postgres() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
as_postgres "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
trap 'as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null; rm -rf "$PGDIR"' EXIT
as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres vnetlab_test
export VNETLAB_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/vnetlab_test"
"$@"
