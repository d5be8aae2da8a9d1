#!/usr/bin/env bash
# Local PostgreSQL on loopback for development and CI, idempotent.
# Usage: deploy/local/postgres.sh start|stop|status|url|roles
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
# The server runs as user postgres, which cannot enter root's home: keep its files where it can.
if [ "$(id -u)" = 0 ]; then PGROOT=${AP_PG_DIR:-/var/lib/ap-platform}; else PGROOT=${AP_PG_DIR:-$AP_STATE_DIR}; fi
PGDATA="$PGROOT/pgdata"
PGLOG="$PGROOT/postgres.log"

pg_bin() {
  local b
  for b in "$1" /usr/lib/postgresql/*/bin/"$1"; do command -v "$b" >/dev/null 2>&1 && { command -v "$b"; return; }; done
  return 1
}

install() {
  pg_bin initdb >/dev/null && return 0
  log "installing PostgreSQL from Debian packages"
  [ "$(id -u)" = 0 ] || die "PostgreSQL is missing and installing it needs root (apt-get install -y postgresql)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

start() {
  install
  local initdb pg_ctl
  initdb=$(pg_bin initdb); pg_ctl=$(pg_bin pg_ctl)
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"; [ "$(id -u)" = 0 ] && chown -R postgres "$PGROOT"
    as_postgres "$initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
    cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGROOT'
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
idle_in_transaction_session_timeout = '60s'
CONF
  fi
  if ! as_postgres "$pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] && touch "$PGLOG" && chown postgres "$PGLOG"
    as_postgres "$pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 start >/dev/null || { tail -20 "$PGLOG" >&2; die "PostgreSQL did not start"; }
  fi
  wait_for_port 127.0.0.1 "$PG_PORT" 30 || die "PostgreSQL is not answering on 127.0.0.1:$PG_PORT"
  roles
  log "PostgreSQL ready: $(url)"
}

# The databases and each service's least-privilege role, from the one definition the tests and
# compose use too (runtime/ap_runtime/pg_roles.py; idempotent). Passwords: AP_PG_PASSWORD_<DB>.
roles() {
  local py=${AP_PYTHON:-$here/../../.venv/bin/python}
  [ -x "$py" ] || die "$py is missing: run 'make install' first (the roles come from ap_runtime.pg_roles)"
  "$py" -m ap_runtime.pg_roles apply --admin-dsn "$(url)" || die "could not create the databases and roles"
}

stop() {
  local pg_ctl; pg_ctl=$(pg_bin pg_ctl) || return 0
  [ -s "$PGDATA/PG_VERSION" ] || return 0
  as_postgres "$pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}

url() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/postgres"; }

case "${1:-}" in
  start) start ;; stop) stop ;; url) url ;; roles) roles ;;
  status) wait_for_port 127.0.0.1 "$PG_PORT" 1 && echo up || { echo down; exit 1; } ;;
  *) echo "usage: $0 start|stop|status|url|roles" >&2; exit 2 ;;
esac
