// Writes pgbench scripts that run the service's own SQL for a scenario, as the service sends it
// (statements taken from the store's C source by extract.mjs, parameters bound to the same kind of
// values, the same pipelines), so that each scenario has the database's own limit beside it.
//   node make.mjs ROOT OUTDIR PREFIX AREAS KMIN WORK_PREFIX
// writes OUTDIR/get.sql, OUTDIR/transition.sql, OUTDIR/create.sql, OUTDIR/outcome.sql and
// OUTDIR/list.sql. Each ends with the access-log rows its request causes (see the end), which
// need -D logrows=B -D logper=R.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [root, out, prefix, areas, kmin, workPrefix] = process.argv.slice(2);
const here = path.dirname(new URL(import.meta.url).pathname);
const sql = JSON.parse(execFileSync('node', [path.join(here, 'extract.mjs'), root, 'scope',
  'referral_get', 'referral_transition', 'referral_transition_pair', 'ward_state',
  'person_last_exit', 'referral_create_keyed', 'booking_get', 'referral_lock', 'booking_lock',
  'booking_record', 'referral_counters', 'notice_add', 'followups_create', 'booking_outcomes',
  'custom_plan', 'referral_list', 'access_log_rows'],
  { encoding: 'utf8' }));

/* $n -> the expression bound to it (longest numbers first, so $1 does not eat $10) */
function bind(text, params) {
  return text.replace(/\$(\d+)/g, (_, n) => {
    if (!(n in params)) throw new Error(`no value for $${n} in ${text.slice(0, 60)}`);
    return params[n];
  });
}

const area = `('${prefix}' || lpad(:a::text, 2, '0'))`;
const id = (kind, k) =>
  `('${kind}-' || lpad(to_hex(:a::int), 4, '0') || '-4000-8000-' || lpad(to_hex(${k}::bigint), 12, '0'))`;
const scope = bind(sql.scope, { 1: area });
const workArea = `('${workPrefix}' || lpad(:a::text, 2, '0'))`;
const workScope = bind(sql.scope, { 1: workArea });

fs.mkdirSync(out, { recursive: true });
// Scenario 1: what GET /v1/referrals/{id} runs: the area and the read, one pipeline (then its
// access-log row, as at the end).
fs.writeFileSync(path.join(out, 'get.sql'), `\\set a random(1, ${areas})
\\set k random(1, ${kmin})
\\startpipeline
${scope};
${bind(sql.referral_get, { 1: `${id('00000000', ':k')}::uuid`, 2: area })};
\\endpipeline
`);
// Scenario 2: what accepting a waiting referral runs: read it (with the area, one pipeline), then
// BEGIN with the area and the transition, then the officer's `accepted` progress notice (deferred
// to the commit) with COMMIT (the area's rules come from the service's cache). Each client takes its own referrals (:c counts its runs) within
// the slice of the waiting work given to it (:offset, :slice per area); should it get to the end
// of the slice it starts again, and the repeated transitions change nothing.
fs.writeFileSync(path.join(out, 'transition.sql'), `\\set g :client_id + :clients * :c
\\set c :c + 1
\\set a (:g % ${areas}) + 1
\\set j (:g / ${areas}) % :slice + 1 + :offset
\\startpipeline
${workScope};
${bind(sql.referral_get, { 1: `${id('00000001', ':j')}::uuid`, 2: workArea })};
\\endpipeline
\\startpipeline
BEGIN;
${workScope};
${bind(sql.referral_transition, {
  1: `${id('00000001', ':j')}::uuid`, 2: workArea, 3: "'1'", 4: "'accepted'", 5: 'now()', 6: "'7'",
  7: "'Suitable for outdoor work'", 8: 'NULL', 9: 'NULL', 10: 'NULL', 11: "'accept'",
  12: "'submitted'", 13: "'bench-coordinator'", 14: "'Bench Coordinator'", 15: "'coordinator'",
  16: "'pgbench'", 17: "'0'", 18: 'NULL', 19: 'NULL', 20: "'false'", 21: 'NULL' })};
\\endpipeline
\\startpipeline
${bind(sql.notice_add, { 1: 'gen_random_uuid()', 2: workArea, 3: `${id('00000001', ':j')}::uuid`,
  4: "'progress'", 5: "'accepted'", 6: 'now()', 7: "(to_json(now() AT TIME ZONE 'UTC') #>> '{}') || 'Z'",
  8: "'h'", 9: 'NULL', 10: "'bench-officer'", 11: "'B' || :a::text || '/' || :j::text",
  12: "'community_resolution'", 13: "'7'", 14: "'0'", 15: 'NULL', 16: 'NULL' })};
COMMIT;
\\endpipeline
`);
// Scenario 3: what a referral's creation runs (the area's rules come from the service's cache):
// the ward's state and the person's last exit (re-referral), one pipeline with the area, then the
// creation with the area: one statement that records the idempotency key, the person, the referral
// and its first event. A new person and key each time, in the waiting work's areas (so that the
// history's areas keep their size); the kept response is a text of the size of the service's
// (about 1.5 kB).
const police = `'PGB/' || :run || '/' || :client_id || '/' || :c`;
const newId = (what) => `md5('${what}/' || :run || '/' || :client_id || '/' || :c)::uuid`;
fs.writeFileSync(path.join(out, 'create.sql'), `\\set c :c + 1
\\set a random(1, ${areas})
\\startpipeline
${workScope};
${bind(sql.ward_state, { 1: workArea, 2: "'ward-01'" })};
${bind(sql.person_last_exit, { 1: workArea, 2: 'now()', 3: police })};
\\endpipeline
\\startpipeline
${workScope};
${bind(sql.referral_create_keyed, { 1: newId('referral'), 2: workArea, 3: newId('person'),
  4: "'bench-officer'", 5: "'Bench Officer'", 6: "current_date - 1", 7: "'asb'", 8: 'NULL',
  9: "'Market Place'", 10: "'ward-01'", 11: "'community_resolution'", 12: 'true', 13: "'7'",
  14: 'false', 15: 'NULL', 16: 'NULL', 17: 'NULL', 18: 'NULL', 19: "now() + interval '48 hours'",
  20: 'now()', 21: "'bench-officer'", 22: "'Bench Officer'", 23: "'officer'", 24: "'pgbench'",
  25: 'NULL', 26: 'NULL', 27: 'NULL', 28: 'NULL', 29: 'NULL', 30: 'NULL', 31: 'NULL',
  32: 'true', 33: "'en'", 34: "'Bench Person'", 35: "'2003-04-05'", 36: 'NULL', 37: 'NULL',
  38: 'NULL', 39: 'NULL', 40: police, 41: 'NULL', 42: 'NULL', 43: "'bench person'", 44: 'false',
  45: `'pgb-' || :run || '-' || :client_id || '-' || :c`, 46: 'md5(:c::text)', 47: "'201'",
  48: "repeat('x', 1500)" })};
\\endpipeline
`);
// Scenario 4: what recording attended_complied on a booking whose session ended runs, when the 7
// hours it credits complete the referral (work.sql's waiting bookings 00000004-..., referrals
// 00000003-..., people 00000005-...), as the service's statement log shows it:
//   1. the booking, to check who may record and to learn its referral (the area in front);
//   2. BEGIN with the area and the referral's lock;
//   3. the booking's lock;
//   4. its outcome with its history row;
//   5. one pipeline: the referral's counters (deferred to here), then the follow-on events the
//      domain fires, decided together and written together in one update: the attend transition
//      (scheduled -> in_progress, the coordinator) and the complete transition (in_progress ->
//      completed, the system), with an event row each;
//   6. one pipeline: the outcome notice (outbox) and the three follow-up checks (deferred), and
//      COMMIT;
//   7. the answer read back: the booking and its outcome history, one pipeline with the area in
//      front.
// The personal-data access log row is written in batches by another connection, left out as in
// get.sql. What the service reads and then sends back (the versions 1 and 3, the person, the
// police id, the session's start) is bound to what work.sql made; what the domain decides in C
// between the statements is bound to its decision for this case: 420 minutes credited (the
// 7-hour session), no place freed, the first attendance at the session's start, the two
// transitions, the notice's figures (7 hours, 420 minutes) and the checks due 3, 6 and 12 months
// after today. The notice's time is text as the service writes it (ISO 8601 in UTC, through
// to_json: a colon in the script would be read as a pgbench variable); the service's own ids
// (notice, checks) are random, as here. Each client takes its own bookings (:c counts its runs)
// within the slice given to it (:offset, :slice per area); a booking cannot take an outcome
// twice, so a client that gets to the end of its slice fails (scripts/bench sizes the slices so
// that none does).
const oj = ':j';
const booking = `${id('00000004', oj)}::uuid`;
const referral = `${id('00000003', oj)}::uuid`;
const sessionStart = "(date_trunc('day', now()) - interval '1 day' + interval '9 hours')";
fs.writeFileSync(path.join(out, 'outcome.sql'), `\\set g :client_id + :clients * :c
\\set c :c + 1
\\set a (:g % ${areas}) + 1
\\set j (:g / ${areas}) + 1 + :offset
\\if :j > :offset + :slice
SELECT 'outcome.sql: this client has used up its slice of waiting bookings'::int;
\\endif
\\startpipeline
${workScope};
${bind(sql.booking_get, { 1: booking, 2: workArea })};
\\endpipeline
\\startpipeline
BEGIN;
${workScope};
${bind(sql.referral_lock, { 1: referral, 2: workArea })};
\\endpipeline
${bind(sql.booking_lock, { 1: booking, 2: workArea })};
${bind(sql.booking_record, { 1: booking, 2: workArea, 3: "'1'", 4: "'attended_complied'", 5: 'NULL',
  6: "'0'", 7: "'420'", 8: "'good'", 9: "'good'", 10: 'NULL', 11: 'NULL', 12: 'now()', 13: 'NULL',
  14: "'bench-coordinator'", 15: "'bench-coordinator'", 16: "'coordinator'", 17: "'pgbench'",
  18: 'NULL', 19: 'NULL' })};
\\startpipeline
${bind(sql.referral_counters, { 1: referral, 2: workArea, 3: "'420'", 4: "'0'", 5: "'0'",
  6: sessionStart, 7: 'now()' })};
${bind(sql.referral_transition_pair, {
    1: referral, 2: workArea, 3: "'3'", 4: "'completed'", 5: 'now()', 6: 'NULL', 7: 'NULL',
    8: 'NULL', 9: 'NULL', 10: 'NULL', 11: "'complete'", 12: "'in_progress'", 13: "'system'",
    14: "'Immediate Justice service'", 15: "'system'", 16: "'pgbench'", 17: "'0'", 18: 'now()',
    19: 'now()', 20: "'false'", 21: 'NULL', 22: 'now()', 23: "'attend'", 24: "'scheduled'",
    25: "'in_progress'", 26: "'bench-coordinator'", 27: "'bench-coordinator'", 28: "'coordinator'",
    29: 'NULL', 30: 'NULL', 31: 'NULL', 32: "'pgbench'", 33: 'NULL', 34: 'NULL', 35: 'NULL' })};
\\endpipeline
\\startpipeline
${bind(sql.notice_add, { 1: 'gen_random_uuid()', 2: workArea, 3: referral, 4: "'outcome'",
  5: "'completed'", 6: 'now()', 7: "(to_json(now() AT TIME ZONE 'UTC') #>> '{}') || 'Z'",
  8: "'hc'", 9: 'NULL', 10: "'bench-officer'", 11: "'B' || :a || '/' || :j",
  12: "'community_resolution'", 13: "'7'", 14: "'420'", 15: 'NULL', 16: 'NULL' })};
${bind(sql.followups_create, { 1: workArea, 2: referral, 3: `${id('00000005', oj)}::uuid`,
  4: "'completed'", 5: 'current_date', 6: 'now()',
  7: 'ARRAY[gen_random_uuid(), gen_random_uuid(), gen_random_uuid()]', 8: "'{3,6,12}'",
  9: `ARRAY[${[3, 6, 12].map((m) => `current_date + interval '${m} months'`).join(', ')}]` })};
COMMIT;
\\endpipeline
\\startpipeline
${workScope};
${bind(sql.booking_get, { 1: booking, 2: workArea })};
${bind(sql.booking_outcomes, { 1: booking, 2: workArea })};
\\endpipeline
`);
// Scenario 5: what a list page at depth runs (tests/bench/wrk/list.lua's requests): the area, a
// custom plan for this statement (the service asks for one: the filters decide the best plan) and
// the page, one pipeline; a state of the four, one of twenty wards, not overdue, the cursor a
// random point one to nine years back (a constant, as the service binds it: :now is set by
// scripts/bench), 50 rows and one more (to tell whether there are more).
fs.writeFileSync(path.join(out, 'list.sql'), `\\set a random(1, ${areas})
\\set s random(1, 4)
\\set w random(1, 20)
\\set d random(365, ${9 * 365})
\\startpipeline
${scope};
${sql.custom_plan};
${bind(sql.referral_list, { 1: area, 2: "(ARRAY['closed', 'completed', 'rejected', 'withdrawn'])[:s]",
  3: "'ward-' || lpad(:w::text, 2, '0')", 4: 'NULL', 5: "'false'",
  6: "'{submitted,accepted,scheduled}'", 7: 'now()', 8: 'to_timestamp(:now - 86400 * :d)',
  9: "'ffffffff-ffff-4fff-bfff-ffffffffffff'", 10: "'51'" })};
\\endpipeline
`);

// Every scenario's request writes access-log rows (one per referral it read or changed: R per
// request, 1 but for the list's page of 50), which the service queues and writes every 200 ms, one
// statement (ij_log_access_rows, with the area first in the pipeline) per area, so B rows a
// statement: R times the rate times 0.2 s over the areas, at least R. So that each baseline runs
// what the service's requests cause, each transaction runs that statement with B rows with
// probability R/B (R rows on average); scripts/bench measures the service first and passes B as
// logrows and R as logper. The rows are of the national areas' referrals (the statement joins
// them): what they cost does not depend on which referrals they name.
const logArea = `('${prefix}' || lpad(:loga::text, 2, '0'))`;
const logIds = `(SELECT array_agg(('00000000-' || lpad(to_hex(:loga::int), 4, '0') || '-4000-8000-' ||
  lpad(to_hex(1 + floor(random() * ${kmin})::bigint), 12, '0'))::uuid) FROM generate_series(1, :logrows))`;
const fill = (value) => `array_fill(${value}, ARRAY[:logrows::int])`;
const accessLog = `\\set loga random(1, ${areas})
\\set logw random(1, :logrows)
\\if :logw <= :logper
\\startpipeline
${bind(sql.scope, { 1: logArea })};
${bind(sql.access_log_rows, {
  1: logArea, 2: fill('now()'), 3: fill("'bench-coordinator'::text"),
  4: fill("'coordinator'::text"), 5: fill("'consult'::text"), 6: logIds,
  7: fill("'/v1/referrals/{id}'::text"), 8: fill("'GET'::text"),
  9: '(SELECT array_agg(gen_random_uuid()::text) FROM generate_series(1, :logrows))' })};
\\endpipeline
\\endif
`;
for (const name of ['get', 'transition', 'create', 'outcome', 'list'])
  fs.appendFileSync(path.join(out, `${name}.sql`), accessLog);
