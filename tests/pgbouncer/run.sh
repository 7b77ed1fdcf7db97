#!/usr/bin/env bash
# tests/pgbouncer/run.sh TEST_BINARY [ARGS...]: runs a test binary (the HTTP suite) with the
# service's connections going through PgBouncer in transaction pooling mode, and without
# server-side prepared statements (IJ_DB_PREPARE=false), as a deployment behind PgBouncer runs.
# PgBouncer is started in front of the server that DATABASE_OWNER_URL reaches; DATABASE_URL (the
# service's role) is rewritten to point at it, while the owner's connection, used for migrations
# and fixtures, stays direct. PgBouncer is stopped and its directory removed however this ends.
set -euo pipefail
(($# >= 1)) || {
  echo "usage: $0 TEST_BINARY [ARGS...]" >&2
  exit 2
}
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

[[ -n ${DATABASE_URL:-} ]] || ij_die "DATABASE_URL must name the test database (scripts/test does)"
owner_url="${DATABASE_OWNER_URL:-$DATABASE_URL}"

# psql URL SQL: one line of the answer, fields separated by '|'
ask() { "$IJ_PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# Where the server is, asked of the server itself (so any form of URL works): its first socket
# directory and port, the database, and the service's role.
IFS='|' read -r sockdirs pgport db < <(ask "$owner_url" "SELECT concat_ws('|',
  current_setting('unix_socket_directories'), current_setting('port'), current_database())") \
  || ij_die "cannot reach the database through DATABASE_OWNER_URL"
user="$(ask "$DATABASE_URL" "SELECT current_user")" \
  || ij_die "cannot reach the database through DATABASE_URL"
sockdir="${sockdirs%%,*}"
sockdir="${sockdir#"${sockdir%%[![:space:]]*}"}"
[[ $sockdir == /* ]] || ij_die "the server has no Unix socket directory for PgBouncer to use"

dir="$(mktemp -d "${TMPDIR:-/tmp}/ij-pgbouncer.XXXXXX")"
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  ij_pgbouncer_stop "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ij_pgbouncer_start "$dir" "$sockdir" "$pgport" "$user" "${IJ_PGBOUNCER_POOL_SIZE:-4}"
port="$IJ_PGBOUNCER_PORT"
version="$("$(ij_sbin_program pgbouncer)" --version | head -n 1 | cut -d' ' -f2)"
ij_say "PgBouncer $version (transaction pooling) on 127.0.0.1:$port in front of $sockdir:$pgport"

DATABASE_OWNER_URL="$owner_url"
DATABASE_URL="postgresql://$(ij_urlencode "$user")@127.0.0.1:$port/$(ij_urlencode "$db")"
DATABASE_URL+="?application_name=ij-test-pgbouncer"
IJ_DB_PREPARE="${IJ_DB_PREPARE:-false}"
export DATABASE_OWNER_URL DATABASE_URL IJ_DB_PREPARE
unset IJ_TEST_RESPONSE_LOG # the contract check reads the plain http suite's responses only

rc=0
"$@" || rc=$?
# what the log shows of the pooling: how many client connections shared how few server connections
clients="$(grep -c 'login attempt' "$dir/pgbouncer.log" || true)"
servers="$(grep -c 'new connection to server' "$dir/pgbouncer.log" || true)"
ij_say "PgBouncer served $clients client connections with $servers server connections"
# the suite's connections went through PgBouncer, and shared fewer server connections
if ((rc == 0 && (clients == 0 || servers == 0 || clients <= servers))); then
  ij_warn "the suite's connections did not go through PgBouncer's pooling as expected"
  rc=1
fi
if ((rc != 0)); then
  ij_warn "the last lines of PgBouncer's log ($dir/pgbouncer.log):"
  tail -n 20 "$dir/pgbouncer.log" >&2 || true
fi
exit "$rc"
