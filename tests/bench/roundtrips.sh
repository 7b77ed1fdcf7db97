#!/usr/bin/env bash
# Counts the database round trips that the service makes for three writes, so that a change to the
# store can be judged by them (the benchmark's figures are noisy; these counts are exact):
#   (a) POST /v1/bookings/{id}/outcome, attended_complied, that completes its referral (the credited
#       hours reach those required: scheduled -> in_progress -> completed, with the outcome notice,
#       the victim update and the three reoffending checks written), as the benchmark's outcome
#       scenario does;
#   (b) POST /v1/referrals/{id}/transitions, declare_non_compliance, on a referral with an
#       unacceptable absence on record and a booking still open (which is cancelled);
#   (c) POST /v1/referrals with an Idempotency-Key, as an officer's phone sends it: a new referral
#       of a person referred before.
# How: a throwaway PostgreSQL cluster (as scripts/test makes) logs every statement of the service's
# role; `ij serve` (the optimised build, as scripts/run builds it, or IJ_BIN) runs under
# `strace -f -yy -xx -ttt -e trace=sendto,sendmsg,write,recvfrom`. Everything is set up through the
# API (the sessions are then moved into the past with SQL, as the tests do: the service books only
# sessions that have not started and records outcomes only of sessions that have), the same request
# is sent once on another referral to warm the connection (its prepared statements), and then, for
# the measured request alone, the counting window opens, the request is sent, the window stays open
# one second more (the access-log writer writes the rows the request queued every 200 ms) and
# closes. A round trip is what the service writes to a PostgreSQL connection (its Unix stream
# sockets; its clients come over TCP) until it reads an answer: statements pipelined together go in
# one write and count once. The script prints, per request, the round trips with the thread that
# sent each and the protocol messages it carried (the prepared statements it binds by name, BEGIN
# and COMMIT), then the statements PostgreSQL logged meanwhile, with the backend's pid.
# Settings (environment): IJ_BIN (an ij binary to use instead of building build/ij),
# IJ_ROUNDTRIPS_OUT (a file to copy the report to).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ij_install_packages "${IJ_BUILD_PACKAGES[@]}" strace curl jq
if [[ -n ${IJ_BIN:-} ]]; then
  IJ="$IJ_BIN"
else
  ij_web_packages
  ij_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIJ_TESTS=OFF >/dev/null
  IJ="$IJ_ROOT/build/ij"
fi
[[ -x $IJ ]] || ij_die "no ij binary at $IJ"
PSQL="$IJ_PG_BIN/psql"
AREA="roundtrips"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ij-roundtrips.XXXXXX")"
strace_pid=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  stop_service
  ij_test_pg_destroy
  rm -rf "$WORK"
}
# shellcheck disable=SC2317 # called by cleanup and at the end
stop_service() {
  local ij_pid pid
  [[ -n $strace_pid ]] || return 0
  # strace ends when the service it runs ends (a graceful stop writes what the service queued)
  ij_pid="$(cat "/proc/$strace_pid/task/$strace_pid/children" 2>/dev/null || true)"
  for pid in $ij_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  wait "$strace_pid" 2>/dev/null || true
  strace_pid=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- the database ---------------------------------------------------------------------------------
ij_test_pg_create ij_roundtrips
PG_LOG="$IJ_TEST_PG_DIR/log/postgresql.log"
psql_owner() { "$PSQL" -X -q -t -A -v ON_ERROR_STOP=1 -d "$DATABASE_OWNER_URL" "$@"; }
DATABASE_URL="$DATABASE_OWNER_URL" IJ_LOG_LEVEL=warn "$IJ" migrate >/dev/null \
  || ij_die "cannot migrate the database"
# every statement of the service's role (its sessions start after this), with the backend's pid
psql_owner -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %u '" -c "SELECT pg_reload_conf()" \
  -c "ALTER ROLE $IJ_PG_SERVICE_USER SET log_statement = 'all'" >/dev/null
psql_owner -c "INSERT INTO areas (code, name) VALUES ('$AREA', 'Round trips')" \
  -c "INSERT INTO wards (area, code, name) VALUES ('$AREA', 'ward-a', 'Ward A')"

# ---- the service ----------------------------------------------------------------------------------
"$IJ" keygen --private "$WORK/key.jwk" --jwks "$WORK/jwks.json" >/dev/null
token() { # token ROLE SUB
  IJ_JWT_PRIVATE_KEY_FILE="$WORK/key.jwk" "$IJ" token --role "$1" --area "$AREA" --sub "$2" \
    --name "$2" --ttl 3600
}
officer="$(token officer pc-101)"
coordinator="$(token coordinator coord-1)"
admin="$(token admin admin-1)"
port="$(ij_free_port)"
base="http://127.0.0.1:$port"
# No outbox round or retention run may fall in a counting window: the one is an hour apart, the
# other off. The access-log writer stays as it is (its rows are part of what a request costs).
DATABASE_URL="$DATABASE_URL" IJ_JWKS_FILE="$WORK/jwks.json" IJ_LISTEN="127.0.0.1:$port" \
  IJ_LOG_LEVEL=warn IJ_RETENTION_INTERVAL_HOURS=0 IJ_OUTBOX_INTERVAL_MS=3600000 \
  strace -f -yy -xx -s 65536 -ttt -e trace=sendto,sendmsg,write,recvfrom -o "$WORK/strace.log" \
  "$IJ" serve 2>"$WORK/serve.log" &
strace_pid=$!
for _ in $(seq 1 100); do
  ij_http_ok "$port" /readyz && break
  sleep 0.1
done
ij_http_ok "$port" /readyz || {
  cat "$WORK/serve.log" >&2
  ij_die "the service did not become ready (log above)"
}

# api METHOD PATH TOKEN [BODY [IF-MATCH [IDEMPOTENCY-KEY]]]: prints the answer's body; fails unless
# it is 2xx.
api() {
  local method="$1" path="$2" tok="$3" body="${4:-}" match="${5:-}" key="${6:-}" status
  local args=(-sS -o "$WORK/answer" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $tok")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
  [[ -n $match ]] && args+=(-H "If-Match: \"$match\"")
  [[ -n $key ]] && args+=(-H "Idempotency-Key: $key")
  status="$(curl "${args[@]}" "$base$path")"
  [[ $status == 2* ]] || ij_die "$method $path answered $status: $(cat "$WORK/answer")"
  cat "$WORK/answer"
}

# at HOURS: an RFC 3339 instant HOURS from now, to the minute.
at() { date -u -d "$1 hours" +%Y-%m-%dT%H:%M:00Z; }

n=0
# accepted_referral: prints the id of a new referral (a new person) accepted with 2 hours to do.
accepted_referral() {
  local id yesterday
  n=$((n + 1))
  yesterday="$(date -u -d '-1 day' +%Y-%m-%d)"
  id="$(api POST /v1/referrals "$officer" "{\"person\": {\"name\": \"Person $n\",
    \"date_of_birth\": \"2004-05-01\", \"police_id\": \"26/$RANDOM$n\"}, \"offence\": {\"date\":
    \"$yesterday\", \"category\": \"asb\", \"ward\": \"ward-a\"}, \"disposal\":
    \"community_resolution\", \"consent_recorded\": true, \"hours_proposed\": 2, \"victim\":
    {\"consulted\": true, \"keep_updated\": true, \"contact\": \"victim@example.org\"}}" | jq -r .id)"
  api POST "/v1/referrals/$id/transitions" "$coordinator" \
    '{"event": "accept", "hours_confirmed": 2, "suitability_notes": "ok"}' 1 >/dev/null
  echo "$id"
}

# a placement's supervisor must be in the area's directory
api POST /v1/supervisors "$admin" '{"sub": "sup-1", "name": "Sup One"}' >/dev/null
placement="$(api POST /v1/placements "$coordinator" '{"name": "Allotment tidy-up",
  "type": "gardening", "provider": "Allotments Society", "ward": "ward-a",
  "supervisor": {"sub": "sup-1", "name": "Sup One"}}' | jq -r .id)"

# booking REFERRAL HOURS_AHEAD: books the referral onto a new two-hour session that starts
# HOURS_AHEAD hours from now, and prints the booking's id.
booking() {
  local session
  session="$(api POST "/v1/placements/$placement/sessions" "$coordinator" \
    "{\"starts_at\": \"$(at "$2")\", \"ends_at\": \"$(at "$(($2 + 2))")\", \"capacity\": 4}" \
    | jq -r .id)"
  api POST "/v1/referrals/$1/bookings" "$coordinator" "{\"session_id\": \"$session\"}" | jq -r .id
}

# to_past BOOKING: moves the booking's session, and its bookings, a day into the past (it has
# happened), as the tests do.
to_past() {
  psql_owner -v booking="$1" >/dev/null <<'SQL'
WITH s AS (
  UPDATE sessions SET starts_at = date_trunc('minute', now()) - interval '24 hours',
    ends_at = date_trunc('minute', now()) - interval '24 hours' + (ends_at - starts_at)
  WHERE id = (SELECT session_id FROM bookings WHERE id = :'booking')
  RETURNING id, starts_at, ends_at)
UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at FROM s WHERE b.session_id = s.id;
SQL
}

OUTCOME_BODY='{"outcome": "attended_complied", "behaviour": "good", "work_quality": "good"}'
NON_COMPLIANCE_BODY='{"event": "declare_non_compliance", "reason_code": "unacceptable_absence",
  "reason": "Did not come"}'

# (a)'s request, ready to send: prints the booking whose outcome completes its referral.
completing_booking() {
  local id b
  id="$(accepted_referral)"
  b="$(booking "$id" 48)"
  to_past "$b"
  echo "$b"
}

# (b)'s request, ready to send: prints "REFERRAL VERSION" of a scheduled referral with an
# unacceptable absence recorded and a booking still open.
non_compliant_referral() {
  local id b version
  id="$(accepted_referral)"
  b="$(booking "$id" 48)"
  to_past "$b"
  api POST "/v1/bookings/$b/outcome" "$coordinator" '{"outcome": "absent_unacceptable"}' 1 \
    >/dev/null
  booking "$id" 72 >/dev/null
  version="$(api GET "/v1/referrals/$id" "$coordinator" | jq -r .version)"
  echo "$id $version"
}

# (c)'s request: a referral of the person whose referral the warming outcome completed (police
# identifier $known_person), so a re-referral, as a phone sends it.
creation_body() {
  local yesterday
  yesterday="$(date -u -d '-1 day' +%Y-%m-%d)"
  echo "{\"person\": {\"name\": \"Person 1\", \"date_of_birth\": \"2004-05-01\",
    \"police_id\": \"$known_person\"}, \"offence\": {\"date\": \"$yesterday\", \"category\": \"asb\",
    \"ward\": \"ward-a\"}, \"disposal\": \"community_resolution\", \"consent_recorded\": true,
    \"hours_proposed\": 3}"
}

windows="$WORK/windows"
: >"$windows"
# measure NAME METHOD PATH BODY IF-MATCH [TOKEN [IDEMPOTENCY-KEY]]: sends the request (the
# coordinator's unless TOKEN is given) inside a counting window.
measure() {
  local name="$1" start end log_from log_to
  log_from="$(stat -c %s "$PG_LOG")"
  start="$(date +%s.%N)"
  api "$2" "$3" "${6:-$coordinator}" "$4" "$5" "${7:-}" >"$WORK/$name.json"
  sleep 1 # the access-log writer's interval is 200 ms
  end="$(date +%s.%N)"
  log_to="$(stat -c %s "$PG_LOG")"
  printf '%s %s %s %s %s\n' "$name" "$start" "$end" "$log_from" "$log_to" >>"$windows"
}

ij_say "setting up and warming the connection"
b="$(completing_booking)"
api POST "/v1/bookings/$b/outcome" "$coordinator" "$OUTCOME_BODY" 1 >/dev/null
known_person="$(psql_owner -c "SELECT p.police_id FROM bookings b JOIN referrals r
  ON r.id = b.referral_id JOIN people p ON p.id = r.person_id WHERE b.id = '$b'")"
referral="$(non_compliant_referral)"
read -r id version <<<"$referral"
api POST "/v1/referrals/$id/transitions" "$coordinator" "$NON_COMPLIANCE_BODY" "$version" >/dev/null
api POST /v1/referrals "$officer" "$(creation_body)" "" "warm-$RANDOM" >/dev/null

b="$(completing_booking)"
referral="$(non_compliant_referral)"
read -r id version <<<"$referral"
sleep 1 # the access-log rows of the setup are written before the windows
ij_say "measuring"
measure outcome POST "/v1/bookings/$b/outcome" "$OUTCOME_BODY" 1
measure non_compliance POST "/v1/referrals/$id/transitions" "$NON_COMPLIANCE_BODY" "$version"
measure creation POST /v1/referrals "$(creation_body)" "" "$officer" "phone-$RANDOM"
stop_service

# the measured requests did what they are meant to
outcome_state="$(psql_owner -c "SELECT r.state FROM referrals r JOIN bookings b
  ON b.referral_id = r.id WHERE b.id = '$b'")"
[[ $outcome_state == completed ]] || ij_die "(a) left its referral $outcome_state, not completed"
[[ $(jq -r .state "$WORK/non_compliance.json") == non_compliant ]] \
  || ij_die "(b) did not declare the referral non-compliant: $(cat "$WORK/non_compliance.json")"
open="$(psql_owner -c "SELECT count(*) FROM bookings WHERE referral_id = '$id'
  AND status = 'booked'")"
((open == 0)) || ij_die "(b) left $open bookings open"
created="$(jq -r .id "$WORK/creation.json")"
known="$(psql_owner -c "SELECT count(*) FROM referrals r JOIN people p ON p.id = r.person_id
  WHERE r.id = '$created' AND p.police_id = '$known_person' AND r.rereferral_of IS NOT NULL")"
[[ $(jq -r .state "$WORK/creation.json") == submitted && $known == 1 ]] \
  || ij_die "(c) did not make a re-referral of the person known: $(cat "$WORK/creation.json")"

# ---- the report -----------------------------------------------------------------------------------
node - "$WORK/strace.log" "$PG_LOG" "$windows" "$IJ_PG_SERVICE_USER" >"$WORK/report.txt" <<'JS'
const fs = require("fs");
const [straceFile, pgLogFile, windowsFile, serviceUser] = process.argv.slice(2);
const titles = {
  outcome: "(a) POST /v1/bookings/{id}/outcome, attended_complied, completing its referral",
  non_compliance: "(b) POST /v1/referrals/{id}/transitions, declare_non_compliance, one open booking",
  creation: "(c) POST /v1/referrals with an Idempotency-Key, a person referred before",
};
const pgLog = fs.readFileSync(pgLogFile);

// The service's traced calls on PostgreSQL sockets: the service's only Unix stream sockets (its
// clients come over TCP). A call another thread interrupted ("<unfinished ...>") gets its result
// from its "resumed" line.
const calls = [];
const pending = new Map();
for (const l of fs.readFileSync(straceFile, "latin1").split("\n")) {
  let m = l.match(/^(\d+) +(\d+\.\d+) <\.\.\. (\w+) resumed>.*= (-?\d+)/);
  if (m) {
    const c = pending.get(m[1]);
    if (c) c.result = +m[4];
    pending.delete(m[1]);
    continue;
  }
  m = l.match(/^(\d+) +(\d+\.\d+) (sendto|sendmsg|write|recvfrom)\((\d+)<(UNIX-STREAM:\[[^\]]*\]|[^>]*)>, (.*)$/);
  if (!m || !m[5].startsWith("UNIX-STREAM:")) continue;
  const data = m[6].match(/^"((?:\\x[0-9a-f]{2})*)"/);
  const result = m[6].match(/\) = (-?\d+)/);
  const c = { tid: m[1], at: +m[2], fd: m[4], read: m[3] === "recvfrom",
              data: Buffer.from(data ? data[1].replace(/\\x/g, "") : "", "hex"),
              result: result ? +result[1] : null };
  if (m[6].includes("<unfinished ...>")) pending.set(c.tid, c);
  calls.push(c);
}

// The protocol messages a write carried: the statements it names.
function messages(buf) {
  const out = [];
  const cstr = (at) => {
    const end = buf.indexOf(0, at);
    return [buf.toString("utf8", at, end < 0 ? buf.length : end), end + 1];
  };
  for (let at = 0; at + 5 <= buf.length; ) {
    const type = String.fromCharCode(buf[at]);
    const body = at + 5;
    if (type === "Q") out.push(cstr(body)[0].trim());
    else if (type === "P") {
      const [name, next] = cstr(body);
      out.push(`(prepare ${name || "unnamed"}: ${cstr(next)[0].replace(/\s+/g, " ").slice(0, 50)}...)`);
    } else if (type === "B") out.push(cstr(cstr(body)[1])[0] || "(unnamed)");
    at += 1 + buf.readUInt32BE(at + 1);
  }
  return out;
}

for (const line of fs.readFileSync(windowsFile, "utf8").trim().split("\n")) {
  const [name, start, end, logFrom, logTo] = line.split(" ");
  // A round trip: what the service writes to a connection until it reads an answer from it (a
  // write that libpq splits without waiting for an answer is still one).
  const trips = [];
  const open = new Map(); // fd -> the round trip being written
  let writes = 0;
  for (const c of calls) {
    if (c.at < +start || c.at > +end) continue;
    if (c.read) {
      if (c.result > 0) open.delete(c.fd);
      continue;
    }
    writes++;
    let t = open.get(c.fd);
    if (!t) {
      t = { tid: c.tid, bytes: 0, msgs: [] };
      trips.push(t);
      open.set(c.fd, t);
    }
    t.bytes += c.data.length;
    t.msgs.push(...messages(c.data));
  }
  const first = trips.length ? trips[0].tid : null;
  const own = trips.filter((t) => t.tid === first).length;
  console.log(titles[name] || name);
  console.log(`  round trips: ${trips.length} (${own} by the request's thread, ` +
    `${trips.length - own} by other threads; ${writes} writes)`);
  trips.forEach((t, i) =>
    console.log(`  ${String(i + 1).padStart(2)}. [thread ${t.tid}${t.tid === first ? "" : ", another"}` +
      `, ${t.bytes} B] ${t.msgs.join(" + ")}`));
  const logged = pgLog.toString("utf8", +logFrom, +logTo).split("\n")
    .filter((l) => l.includes(` ${serviceUser} LOG:  `))
    .map((l) => l.replace(/^\S+ \S+ \S+ (\[\d+\]) \S+ LOG: +/, "$1 ").replace(/\s+/g, " ")
      .slice(0, 140));
  console.log(`  statements PostgreSQL logged (backend pid, first 140 characters): ${logged.length}`);
  logged.forEach((l) => console.log(`    ${l}`));
  console.log("");
}
JS
cat "$WORK/report.txt"
[[ -z ${IJ_ROUNDTRIPS_OUT:-} ]] || cp "$WORK/report.txt" "$IJ_ROUNDTRIPS_OUT"
