#!/usr/bin/env bash
# A backup that has been restored (ctest: fault-restore): pgBackRest, point in time.
#
# A cluster of its own (WAL archived by pgBackRest to a repository beside it) gets the schema and
# a full backup; the demo data is then made through the service's own operations (`ij seed`) and
# the time is noted, with a digest of every referral and every follow-up check as they are then.
# Two mistakes follow: a bulk follow-up import that records every due check as "did not
# reoffend" (POST /v1/followups/import, through `ij serve`), and a retention run with a one-month
# period that erases the personal data of every referral that ended before last month. The
# archive is restored to the noted time in a new cluster, which must show exactly the referrals
# and checks of the noted time (equal digests, and the counts), not those after the mistakes.
# Everything runs on 127.0.0.1 and Unix sockets, in a temporary directory removed at the end.
#
# Environment: IJ_BIN (the `ij` to use); pgbackrest installed (scripts/test installs it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../scripts/lib.sh"
: "${IJ_BIN:?IJ_BIN names the ij binary}"
command -v pgbackrest >/dev/null || ij_die "pgbackrest is not installed"
started=$SECONDS

ij_pg_ensure_os_user
dir="$(mktemp -d "${TMPDIR:-/tmp}/ij-restore.XXXXXX")"
serve_pid=""
cleanup() {
  [[ -n $serve_pid ]] && kill "$serve_pid" 2>/dev/null || true
  ij_pg_stop "$dir/restored"
  ij_pg_stop "$dir/primary"
  rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/repo" "$dir/pgbr-log" "$dir/lock" "$dir/spool" "$dir/restored/socket" "$dir/restored/log"
ij_pg_own "$dir" # the server's user runs PostgreSQL and pgBackRest here
conf="$dir/pgbackrest.conf"
archive="pgbackrest --config=$conf --stanza=ij archive-push %p"
ij_pg_init "$dir/primary" "fsync = off" "wal_level = replica" "archive_mode = on" \
  "archive_command = '$archive'" "archive_timeout = 5"
port="$(ij_free_port)"
sockdir="$(cd "$dir/primary/socket" && pwd -P)"
cat >"$conf" <<CONF
[global]
repo1-path=$dir/repo
repo1-retention-full=2
log-path=$dir/pgbr-log
lock-path=$dir/lock
spool-path=$dir/spool
log-level-console=warn
log-level-file=off
start-fast=y

[ij]
pg1-path=$dir/primary/data
pg1-port=$port
pg1-socket-path=$sockdir
pg1-user=$IJ_PG_SUPERUSER
CONF
ij_pg_own "$dir"
ij_pg_start "$dir/primary" "$port"
ij_pg_create_db "$dir/primary" ij
ij_pg_service_role "$dir/primary"
owner="$(ij_pg_url "$dir/primary" ij)"
service="$(ij_pg_url "$dir/primary" ij "$IJ_PG_SERVICE_USER")"
sql() { "$IJ_PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

ij_say "pgBackRest: the stanza and a full backup"
ij_pg_as pgbackrest --config="$conf" --stanza=ij stanza-create
IJ_LOG_LEVEL=warn DATABASE_OWNER_URL="$owner" DATABASE_URL="$owner" "$IJ_BIN" migrate >/dev/null
ij_pg_as pgbackrest --config="$conf" --stanza=ij check
ij_pg_as pgbackrest --config="$conf" --stanza=ij --type=full backup

ij_say "the demo data, through the service's operations"
IJ_LOG_LEVEL=warn DATABASE_OWNER_URL="$owner" DATABASE_URL="$service" "$IJ_BIN" seed >/dev/null
digest="SELECT (SELECT count(*) FROM referrals) || ' referrals, '
  || (SELECT count(*) FROM referrals WHERE erased_at IS NOT NULL) || ' erased, '
  || (SELECT count(*) FROM followup_checks) || ' checks, '
  || (SELECT count(*) FROM followup_checks WHERE recorded_at IS NOT NULL) || ' recorded; '
  || (SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r.id), '')) FROM referrals r) || ' '
  || (SELECT md5(coalesce(string_agg(f::text, '|' ORDER BY f.id), '')) FROM followup_checks f)"
before="$(sql "$owner" "$digest")"
sleep 1
target="$(sql "$owner" "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")"
sleep 1
ij_say "noted at $target: $before"

ij_say "mistake 1: every due check imported as 'did not reoffend'"
keys="$dir/keys"
mkdir -p "$keys"
"$IJ_BIN" keygen --private "$keys/private.jwk" --jwks "$keys/jwks.json" >/dev/null
token="$(IJ_JWT_PRIVATE_KEY_FILE="$keys/private.jwk" "$IJ_BIN" token --role coordinator \
  --area derbyshire --sub restore-1 --name 'Restore test' --ttl 600)"
api_port="$(ij_free_port)"
DATABASE_URL="$service" IJ_LISTEN="127.0.0.1:$api_port" IJ_JWKS_FILE="$keys/jwks.json" \
  IJ_LOG_LEVEL=warn IJ_RETENTION_INTERVAL_HOURS=0 "$IJ_BIN" serve >"$dir/serve.log" 2>&1 &
serve_pid=$!
for ((i = 0; i < 100; i++)); do
  curl -fsS "http://127.0.0.1:$api_port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
due="$(curl -fsS -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$api_port/v1/followups?status=due&limit=100")"
csv="$(jq -r '"referral_id,window_months,reoffended", (.items[] | "\(.referral_id),\(.window_months),false")' <<<"$due")"
rows=$(($(wc -l <<<"$csv") - 1))
((rows > 0)) || ij_die "the demo data has no due follow-up check to import (answer: ${due:0:300})"
status="$(curl -sS -o "$dir/import.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
  -H 'Content-Type: text/csv' --data-binary "$csv" "http://127.0.0.1:$api_port/v1/followups/import")"
[[ $status == 200 || $status == 201 ]] || ij_die "the import answered $status: $(cat "$dir/import.json")"
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
serve_pid=""

ij_say "mistake 2: retention with a one-month period"
IJ_LOG_LEVEL=warn DATABASE_URL="$service" IJ_RETENTION_MONTHS=1 "$IJ_BIN" retention >/dev/null
after="$(sql "$owner" "$digest")"
ij_say "after the mistakes ($rows checks imported): $after"
[[ $after != "$before" ]] || ij_die "the mistakes changed nothing, so the restore would prove nothing"
sql "$owner" "SELECT pg_switch_wal()" >/dev/null
ij_pg_as pgbackrest --config="$conf" --stanza=ij check >/dev/null # waits for the WAL to be archived

ij_say "restoring to $target in a new cluster"
ij_pg_stop "$dir/primary" # a restore does not need it; the test proves the repository alone suffices
restored_at=$SECONDS
ij_pg_as pgbackrest --config="$conf" --stanza=ij --pg1-path="$dir/restored/data" --type=time \
  "--target=$target" --target-action=promote restore
# the restored cluster must not archive into the stanza it came from
echo "archive_mode = 'off'" >>"$dir/restored/data/postgresql.auto.conf"
ij_pg_own "$dir/restored"
ij_pg_start "$dir/restored" "$(ij_free_port)"
restored="$(ij_pg_url "$dir/restored" ij)"
for ((i = 0; i < 600; i++)); do
  [[ $(sql "$restored" "SELECT pg_is_in_recovery()" 2>/dev/null || true) == f ]] && break
  sleep 0.1
done
[[ $(sql "$restored" "SELECT pg_is_in_recovery()") == f ]] || ij_die "the restored cluster did not finish its recovery"
got="$(sql "$restored" "$digest")"
ij_say "restored: $got"
if [[ $got != "$before" ]]; then
  ij_die "the restore to $target differs from what existed then: expected $before, got $got"
fi
ij_say "PASS fault-restore: restored to the noted time in $((SECONDS - restored_at)) s," \
  "exactly the referrals and checks of then ($before); the whole test took $((SECONDS - started)) s"
