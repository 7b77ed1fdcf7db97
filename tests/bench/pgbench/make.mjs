// Writes pgbench scripts that run the service's own SQL for a scenario, as the service sends it
// (statements taken from the store's C source by extract.mjs, parameters bound to the same kind of
// values, the same pipelines), so that each scenario has the database's own limit beside it.
//   node make.mjs ROOT OUTDIR PREFIX AREAS KMIN WORK_PREFIX
// writes OUTDIR/get.sql, OUTDIR/transition.sql and OUTDIR/create.sql.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [root, out, prefix, areas, kmin, workPrefix] = process.argv.slice(2);
const here = path.dirname(new URL(import.meta.url).pathname);
const sql = JSON.parse(execFileSync('node', [path.join(here, 'extract.mjs'), root, 'scope',
  'referral_get', 'referral_transition', 'person_last_exit', 'idem_insert',
  'person_upsert_police_id', 'referral_insert'], { encoding: 'utf8' }));

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
// Scenario 1: what GET /v1/referrals/{id} runs: the area and the read, one pipeline. (Its access
// log rows are written in batches by another connection, which this baseline leaves out.)
fs.writeFileSync(path.join(out, 'get.sql'), `\\set a random(1, ${areas})
\\set k random(1, ${kmin})
\\startpipeline
${scope};
${bind(sql.referral_get, { 1: `${id('00000000', ':k')}::uuid`, 2: area })};
\\endpipeline
`);
// Scenario 2: what accepting a waiting referral runs: read it (with the area, one pipeline), then
// the transition, one statement with the area in front, its own transaction (the area's rules
// come from the service's cache). Each client takes its own referrals (:c counts its runs) within
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
${workScope};
${bind(sql.referral_transition, {
  1: `${id('00000001', ':j')}::uuid`, 2: workArea, 3: "'1'", 4: "'accepted'", 5: 'now()', 6: "'7'",
  7: "'Suitable for outdoor work'", 8: 'NULL', 9: 'NULL', 10: 'NULL', 11: "'accept'",
  12: "'submitted'", 13: "'bench-coordinator'", 14: "'Bench Coordinator'", 15: "'coordinator'",
  16: "'pgbench'" })};
\\endpipeline
`);
// Scenario 3: what a referral's creation runs (the area's rules come from the service's cache):
// the person's last exit (re-referral), then BEGIN with the area and the idempotency record, the
// person, the referral with its first event, COMMIT. A new person and key each time, in the
// waiting work's areas (so that the history's areas keep their size); the kept response is a
// text of the size of the service's (about 1.5 kB).
const police = `'PGB/' || :run || '/' || :client_id || '/' || :c`;
const newId = (what) => `md5('${what}/' || :run || '/' || :client_id || '/' || :c)::uuid`;
fs.writeFileSync(path.join(out, 'create.sql'), `\\set c :c + 1
\\set a random(1, ${areas})
\\startpipeline
${workScope};
${bind(sql.person_last_exit, { 1: workArea, 2: police, 3: "'bench person'", 4: "'2003-04-05'",
  5: 'now()' })};
\\endpipeline
\\startpipeline
BEGIN;
${workScope};
${bind(sql.idem_insert, { 1: workArea, 2: "'bench-officer'", 3: `'pgb-' || :run || '-' || :client_id || '-' || :c`,
  4: "md5(:c::text)", 5: "'201'", 6: 'repeat(\'x\', 1500)', 7: newId('referral'), 8: 'now()' })};
\\endpipeline
${bind(sql.person_upsert_police_id, { 1: newId('person'), 2: workArea, 3: "'Bench Person'",
  4: "'2003-04-05'", 5: 'NULL', 6: 'NULL', 7: 'NULL', 8: 'NULL', 9: police, 10: 'NULL',
  11: 'NULL', 12: 'now()', 13: "'bench person'" })};
${bind(sql.referral_insert, { 1: newId('referral'), 2: workArea, 3: newId('person'),
  4: "'bench-officer'", 5: "'Bench Officer'", 6: "current_date - 1", 7: "'asb'", 8: 'NULL',
  9: "'Market Place'", 10: "'ward-01'", 11: "'community_resolution'", 12: 'true', 13: "'7'",
  14: 'false', 15: 'NULL', 16: 'NULL', 17: 'NULL', 18: 'NULL', 19: "now() + interval '48 hours'",
  20: 'now()', 21: "'bench-officer'", 22: "'Bench Officer'", 23: "'officer'", 24: "'pgbench'",
  25: 'NULL', 26: 'NULL' })};
COMMIT;
`);
