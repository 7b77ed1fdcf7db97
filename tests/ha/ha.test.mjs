#!/usr/bin/env node
// The high-availability environment (ctest: ha). `scripts/ha up` in a temporary directory: etcd,
// two PostgreSQL nodes under Patroni (a primary and a synchronous standby), two `ij serve` (IJ_BIN)
// writing to whichever node leads and reading the statistics from a standby, both through HAProxy,
// which asks Patroni's REST API who is who; HAProxy in front of the instances too; all on 127.0.0.1.
// Everything below goes through the balancer.
//
//  a. a referral's lifecycle: made, accepted, a placement and a session, booked, the session
//     attended, completed; its event log says so;
//  b. 16 virtual users create, read and accept referrals; one instance is killed with SIGKILL
//     mid-run and the users carry on. Only requests in flight at the kill may fail (a 502 from the
//     balancer, or a cut connection); every request that started after it succeeds (the balancer
//     retries a refused connection on the other instance and its health checks take the dead one
//     out); every acknowledged write is in the primary; every referral agrees with its event log;
//     creates that got no answer, sent again with their Idempotency-Key, are answered 201;
//  c. the statistics: once the standby has replayed the writes, they come from it
//     (freshness.source "replica") and count every referral; with its replay paused for longer
//     than IJ_READ_MAX_LAG_SECONDS (2 here) they come from the primary (fallback
//     "replica_behind") and still count everything; replay resumed, the standby serves again;
//     with the standby's node stopped the primary serves (fallback "replica_unavailable"); the
//     node started again is a synchronous standby once more;
//  d. a planned switchover (`scripts/ha switchover`, patronictl) under the same load: no request
//     fails but with a 503 that carries Retry-After; the old primary follows the new one;
//  e. the primary's PostgreSQL is killed with SIGKILL under the same load, its Patroni alive:
//     Patroni hands the lead to the synchronous standby at once (primary_start_timeout 0) and the
//     instances write to it without a restart; requests fail only with a 503 and Retry-After, and
//     only until a write succeeds again plus a second; every acknowledged write is on the new
//     primary and agrees with its event log; the old primary rewinds itself (pg_rewind) and
//     follows as a synchronous standby with every referral;
//  f. the primary's machine dies under the same load: its Patroni and its PostgreSQL get SIGKILL.
//     The same, once its lock in etcd expires (ttl); the dead node, started again, rewinds itself
//     and follows; pgBackRest backs up the new primary.
//     Printed: how long writes were refused, how many requests failed, the writes found.
// Then the surviving instance is stopped with SIGTERM and its log must hold no sanitizer report.
// `scripts/ha down` runs whatever happens (also on SIGINT, SIGTERM, SIGHUP).
// Only node's own modules.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HA = path.join(ROOT, 'scripts/ha');
const IJ_BIN = process.env.IJ_BIN;
if (!IJ_BIN) {
  console.error('IJ_BIN is not set');
  process.exit(1);
}
const USERS = 16;
const MAX_LAG_SECONDS = 2;
const KILL_MARGIN_MS = 100; // after the process is gone, for the balancer to see its connections close
const t0 = performance.now();
const haDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ij-ha-'));
const haEnv = { ...process.env, IJ_HA_DIR: haDir, IJ_HA_OWNER_PID: String(process.pid), IJ_BIN, IJ_HA_SEED: '0', IJ_READ_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS), IJ_LOG_LEVEL: 'warn', IJ_LOG_FORMAT: 'text' };

let downDone = false;
function down() {
  if (downDone) return;
  downDone = true;
  const r = spawnSync('bash', [HA, 'down'], { env: haEnv, encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) console.error(`scripts/ha down: ${r.stderr}`);
  fs.rmSync(haDir, { recursive: true, force: true });
}
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    down();
    process.exit(code);
  });
}

function readEnv(file) {
  const vars = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^export (\w+)='(.*)'$/.exec(line);
    if (m) vars[m[1]] = m[2].replaceAll("'\\''", "'");
  }
  return vars;
}

// `scripts/ha ARGS` without blocking the users' requests; resolves with its output, rejects when it
// fails.
function ha(...args) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [HA, ...args], { env: haEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`scripts/ha ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

// ---- up --------------------------------------------------------------------------------------------
// Its output goes to a file, not a pipe: should this process be killed, `up` is not cut off by
// SIGPIPE half-way; it sees its owner gone and takes down what it started.
const upStarted = performance.now();
const upLog = `${haDir}.up.log`;
const upFd = fs.openSync(upLog, 'w');
const upRun = spawnSync('bash', [HA, 'up'], { env: haEnv, stdio: ['ignore', upFd, upFd], timeout: 150_000 });
fs.closeSync(upFd);
const upText = fs.readFileSync(upLog, 'utf8');
fs.rmSync(upLog, { force: true });
if (upRun.status !== 0) {
  console.error(`FAIL ha: scripts/ha up exited ${upRun.status ?? upRun.signal}:\n${upText}`);
  down();
  process.exit(1);
}
const env = readEnv(path.join(haDir, 'ha.env'));
// tests/faults/lib.mjs reads the database from the environment when it is loaded
process.env.DATABASE_URL = env.IJ_HA_PRIMARY_URL;
process.env.DATABASE_OWNER_URL = env.IJ_HA_PRIMARY_OWNER_URL;
const {
  Ledger, TestFailure, check, checkAcknowledged, checkConsistent, psql, referralBody, request, run, runUsers, say,
  until, writeRound,
} = await import('../faults/lib.mjs');
say(`scripts/ha up in ${((performance.now() - upStarted) / 1000).toFixed(1)} s: balancer ${env.IJ_HA_URL}`);

const base = env.IJ_HA_URL;
const PSQL = ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql'].find((p) => fs.existsSync(p)) || 'psql';
function psqlOn(url, sql) {
  const r = spawnSync(PSQL, ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

function token(area, role, sub) {
  return run(IJ_BIN, ['token', '--role', role, '--area', area, '--sub', sub, '--name', `HA ${role}`, '--ttl', '7200'],
    { IJ_JWT_PRIVATE_KEY_FILE: env.IJ_HA_JWT_PRIVATE_KEY_FILE });
}

// A live process (not a zombie) with this pid.
function alive(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

// The balancer's view of its servers: {name: status}.
async function balancerServers() {
  const text = await (await fetch(`${env.IJ_HA_STATS_URL};csv`)).text();
  const out = {};
  for (const line of text.split('\n')) {
    const f = line.split(',');
    if (f[0] === 'ij' && f[1].startsWith('ij-')) out[f[1]] = f[17];
  }
  return out;
}

function expectStatus(r, status, what) {
  check(r.status === status, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

// ---- a. lifecycle ------------------------------------------------------------------------------------
async function lifecycle(world) {
  const { officer, coordinator, supervisor } = world.tokens;
  let r = await request(base, 'POST', '/v1/referrals', {
    token: officer,
    body: { person: { name: 'Alex Example', date_of_birth: '2001-04-05', postcode: 'DE1 1AA' }, offence: { date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), category: 'asb', ward: 'ward-a', location: 'Market Place' }, disposal: 'community_resolution', consent_recorded: true, hours_proposed: 7 },
  });
  const id = expectStatus(r, 201, 'create').id;
  r = await request(base, 'GET', `/v1/referrals/${id}`, { token: coordinator });
  check(expectStatus(r, 200, 'read').state === 'submitted' && r.headers.etag === '"1"', `read: ${r.text}`);
  r = await request(base, 'POST', `/v1/referrals/${id}/transitions`, { token: coordinator, headers: { 'If-Match': '"1"' }, body: { event: 'accept', hours_confirmed: 7, suitability_notes: 'Suitable.' } });
  check(expectStatus(r, 200, 'accept').state === 'accepted', `accept: ${r.text}`);
  r = await request(base, 'POST', '/v1/placements', { token: coordinator, body: { name: 'Park tidy-up', type: 'gardening', provider: 'Parks', ward: 'ward-a', supervisor: { sub: 'sup-1', name: 'Sam Supervisor' } } });
  const placement = expectStatus(r, 201, 'placement').id;
  const startsAt = new Date(Date.now() + 3000);
  r = await request(base, 'POST', `/v1/placements/${placement}/sessions`, {
    token: coordinator, body: { starts_at: startsAt.toISOString(), ends_at: new Date(startsAt.getTime() + 7 * 3_600_000).toISOString(), capacity: 2 },
  });
  const session = expectStatus(r, 201, 'session').id;
  r = await request(base, 'POST', `/v1/referrals/${id}/bookings`, { token: coordinator, body: { session_id: session } });
  const booking = expectStatus(r, 201, 'booking').id;
  r = await request(base, 'GET', `/v1/referrals/${id}`, { token: coordinator });
  check(expectStatus(r, 200, 'read').state === 'scheduled', `after booking: ${r.text}`);
  // the supervisor signs the person in on arrival (from half an hour before the start): in progress
  r = await request(base, 'POST', `/v1/bookings/${booking}/sign-in`, { token: supervisor, body: {} });
  expectStatus(r, 200, 'sign-in');
  // only time already worked is credited, so the seven hours come from yesterday's session, run on
  // paper and entered afterwards by the coordinator (a late entry, with its reason)
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const reason = 'Register kept on paper; entered the next day.';
  r = await request(base, 'POST', `/v1/placements/${placement}/sessions`, {
    token: coordinator, body: { starts_at: `${yesterday}T09:00:00Z`, ends_at: `${yesterday}T16:00:00Z`, capacity: 2, late_entry_reason: reason },
  });
  const paper = expectStatus(r, 201, 'paper session').id;
  r = await request(base, 'POST', `/v1/referrals/${id}/bookings`, { token: coordinator, body: { session_id: paper, late_entry_reason: reason } });
  const paperBooking = expectStatus(r, 201, 'paper booking').id;
  r = await request(base, 'POST', `/v1/bookings/${paperBooking}/outcome`, { token: coordinator, headers: { 'If-Match': '"1"' }, body: { outcome: 'attended_complied', late_entry_reason: reason } });
  expectStatus(r, 200, 'outcome');
  r = await request(base, 'GET', `/v1/referrals/${id}`, { token: coordinator });
  check(expectStatus(r, 200, 'read').state === 'completed', `after the session: ${r.text}`);
  r = await request(base, 'GET', `/v1/referrals/${id}/events`, { token: coordinator });
  const states = expectStatus(r, 200, 'events').items.map((e) => e.to);
  check(JSON.stringify(states) === JSON.stringify(['submitted', 'accepted', 'scheduled', 'in_progress', 'completed']), `events: ${states}`);
  say(`a. lifecycle through the balancer: ${states.join(' -> ')}`);
}

// ---- b. an instance killed under load -----------------------------------------------------------------
async function killUnderLoad(world) {
  const ledger = new Ledger();
  const pending = [];
  let stopped = false;
  const stop = () => stopped;
  const users = runUsers(USERS, (vu, n, a) => writeRound(world, base, ledger, vu, n, a, { pending, stop }), stop);
  try {
    await until('the users have made 150 referrals', () => ledger.created.size >= 150, { timeoutMs: 60_000 });
    const pid = Number(env.IJ_HA_INSTANCE_1_PID);
    check(alive(pid), `instance 1 (pid ${pid}) is not running`);
    const atKill = ledger.created.size;
    const killAt = performance.now();
    process.kill(pid, 'SIGKILL');
    await until('the killed instance is gone', () => !alive(pid), { timeoutMs: 10_000, everyMs: 5 });
    const goneAt = performance.now();
    await until('the balancer marks the killed instance down', async () => (await balancerServers())['ij-1'] === 'DOWN', { timeoutMs: 10_000, everyMs: 50 });
    const downAt = performance.now();
    await until('the users have made 300 referrals more', () => ledger.created.size >= atKill + 300, { timeoutMs: 60_000 });
    stopped = true;
    await users;

    let retried = 0;
    for (const { key, body } of pending) {
      const r = await request(base, 'POST', '/v1/referrals', { token: world.tokens.officer, body, headers: { 'Idempotency-Key': key } });
      check(r.status === 201, `a create sent again with Idempotency-Key ${key} got ${r.status}: ${r.text}`);
      ledger.created.set(r.json.id, { version: r.json.version, state: r.json.state });
      retried++;
    }

    const inFlight = (o) => o.start <= goneAt + KILL_MARGIN_MS && o.end >= killAt;
    const failed = ledger.outcomes.filter((o) => o.code || o.status < 200 || o.status > 299);
    const unexpected = failed.filter((o) => !(inFlight(o) && (o.code || [502, 503, 504].includes(o.status))));
    check(unexpected.length === 0, `${unexpected.length} of ${failed.length} failed requests were not in flight at the kill, e.g. ${JSON.stringify(unexpected.slice(0, 3))}`);
    const after = ledger.outcomes.filter((o) => o.start > goneAt + KILL_MARGIN_MS);
    check(after.length > 0 && after.every((o) => o.status >= 200 && o.status < 300), 'a request after the kill failed');
    const kinds = {};
    for (const o of failed) kinds[o.code || o.status] = (kinds[o.code || o.status] || 0) + 1;
    say(`b. SIGKILL of instance 1 after ${atKill} referrals: gone in ${(goneAt - killAt).toFixed(0)} ms, marked down by the`
      + ` balancer after ${(downAt - killAt).toFixed(0)} ms; ${ledger.outcomes.length} requests, ${failed.length} failed in flight`
      + ` ${JSON.stringify(kinds)}, all ${after.length} started after the kill answered 2xx; ${retried} creates sent again got 201`);
    const n = checkAcknowledged(ledger);
    const total = checkConsistent(world.area);
    say(`   in the primary: all ${n.referrals} acknowledged referrals and ${n.transitions} transitions; all ${total} referrals`
      + ' of the area agree with their event logs');
  } finally {
    stopped = true;
    await users;
  }
}

// ---- c. the statistics from the standby -----------------------------------------------------------------
async function statistics(world) {
  const comm = world.tokens.commissioner;
  const count = () => Number(psql(`SELECT count(*) FROM referrals WHERE area = '${world.area}';`)[0][0]);
  const standby = env.IJ_HA_NODE_2_OWNER_URL; // node 1 leads after `up`
  check(await patroni(1, 'primary') && await patroni(2, 'sync'), 'node 1 does not lead, or node 2 is not its synchronous standby');
  const replayed = async () => {
    const lsn = psqlOn(env.IJ_HA_PRIMARY_OWNER_URL, 'SELECT pg_current_wal_lsn()');
    await until('the standby has replayed the primary\'s writes',
      () => psqlOn(standby, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`) === 't', { timeoutMs: 30_000, everyMs: 50 });
  };
  const summary = async () => {
    const r = await request(base, 'GET', '/v1/stats/summary', { token: comm });
    return expectStatus(r, 200, 'summary');
  };
  const referrals = (s) => {
    check(!s.figures.referrals.suppressed, `referrals suppressed: ${JSON.stringify(s.figures.referrals)}`);
    return s.figures.referrals.value;
  };

  let expected = count();
  await replayed();
  // a replica that lagged a moment ago is given a second's rest: poll
  let s = await until('the standby serves the statistics', async () => {
    const x = await summary();
    return x.freshness.source === 'replica' ? x : null;
  }, { timeoutMs: 10_000, everyMs: 200 });
  check(referrals(s) === expected, `the standby's figures count ${referrals(s)} referrals, the primary has ${expected}`);
  check(s.freshness.max_lag_seconds === MAX_LAG_SECONDS && s.freshness.fallback === null, JSON.stringify(s.freshness));
  say(`c. statistics from the standby: ${referrals(s)} referrals, as the primary has; freshness ${JSON.stringify(s.freshness)}`);

  // replay paused for longer than the bound: the primary answers, with the newest write. Patroni
  // resumes a paused replay at its next loop (PostgreSQL 14 and later pause it themselves after
  // some changes of the primary's settings): maintenance mode first, as an operator would.
  run(env.IJ_HA_PATRONICTL, ['pause', '--wait', 'ij-ha']);
  psqlOn(standby, 'SELECT pg_wal_replay_pause()');
  try {
    const r = await request(base, 'POST', '/v1/referrals', { token: world.tokens.officer, body: referralBody(999, 1) });
    expectStatus(r, 201, 'create while replay is paused');
    expected = count();
    s = await until('the primary serves while the standby is behind', async () => {
      const x = await summary();
      return x.freshness.source === 'primary' ? x : null;
    }, { timeoutMs: 15_000, everyMs: 250 });
    check(s.freshness.fallback === 'replica_behind', JSON.stringify(s.freshness));
    check(referrals(s) === expected, `the primary's figures count ${referrals(s)}, want ${expected}`);
    say(`   replay paused: the primary serves (${JSON.stringify(s.freshness)}) and counts the new referral`);
  } finally {
    psqlOn(standby, 'SELECT pg_wal_replay_resume()');
    run(env.IJ_HA_PATRONICTL, ['resume', '--wait', 'ij-ha']);
  }
  await replayed();
  s = await until('the standby serves again', async () => {
    const x = await summary();
    return x.freshness.source === 'replica' ? x : null;
  }, { timeoutMs: 10_000, everyMs: 200 });
  check(referrals(s) === expected, `after the replay the standby counts ${referrals(s)}, want ${expected}`);
  say(`   replay resumed: the standby serves again and counts ${referrals(s)}`);

  // the standby's node stopped (Patroni stops its PostgreSQL): the primary answers
  await ha('stop', '2');
  s = await summary();
  check(s.freshness.source === 'primary' && s.freshness.fallback === 'replica_unavailable', JSON.stringify(s.freshness));
  check(referrals(s) === expected, `with the standby stopped the figures count ${referrals(s)}, want ${expected}`);
  say(`   standby stopped: the primary serves (${JSON.stringify(s.freshness)})`);
  await ha('start', '2');
  await until('node 2 is a synchronous standby again', () => patroni(2, 'sync'), { timeoutMs: 60_000, everyMs: 200 });
}

// ---- d and e: the primary handed over, and lost -----------------------------------------------------------
// Runs the 16 users until they have made `before` referrals, then fault() (which returns a
// promise), then until `after` more have been made once the fault's promise is settled.
async function underLoad(world, label, before, after, fault) {
  const ledger = new Ledger();
  const pending = [];
  let stopped = false;
  const stop = () => stopped;
  const users = runUsers(USERS, (vu, n, a) => writeRound(world, base, ledger, vu, n, a, { pending, stop, run: `${label}-` }), stop);
  const marks = {};
  try {
    await until(`the users have made ${before} referrals`, () => ledger.created.size >= before, { timeoutMs: 60_000 });
    marks.faultAt = performance.now();
    await fault(marks);
    marks.settledAt = performance.now();
    const made = ledger.created.size;
    await until(`the users have made ${after} referrals more`, () => ledger.created.size >= made + after, { timeoutMs: 60_000 });
  } finally {
    stopped = true;
    await users;
  }
  // creates that got a 503 (or no answer) are sent again with their key: each is made exactly once
  let retried = 0;
  for (const { key, body } of pending) {
    const r = await request(base, 'POST', '/v1/referrals', { token: world.tokens.officer, body, headers: { 'Idempotency-Key': key } });
    check(r.status === 201, `a create sent again with Idempotency-Key ${key} got ${r.status}: ${r.text}`);
    ledger.created.set(r.json.id, { version: r.json.version, state: r.json.state });
    retried++;
  }
  const failed = ledger.outcomes.filter((o) => o.code || o.status < 200 || o.status > 299);
  // a client may try again after a 503 that says when; nothing else may fail
  const unretriable = failed.filter((o) => !(o.status === 503 && o.problem && o.retryAfter !== undefined));
  check(unretriable.length === 0, `${unretriable.length} of ${failed.length} failed requests were not a 503 problem with Retry-After, e.g. ${JSON.stringify(unretriable.slice(0, 3))}`);
  const window = failed.length ? Math.max(...failed.map((o) => o.end)) - Math.min(...failed.map((o) => o.start)) : 0;
  return { ledger, marks, failed, retried, window };
}

async function patroni(n, role) {
  try {
    return (await fetch(`${env[`IJ_HA_NODE_${n}_API`]}/${role}`, { signal: AbortSignal.timeout(2000) })).status === 200;
  } catch {
    return false;
  }
}

async function leaderNode() {
  for (const n of [1, 2]) if (await patroni(n, 'primary')) return n;
  return null;
}

function checkWrites(world, ledger, label) {
  const n = checkAcknowledged(ledger);
  const total = checkConsistent(world.area);
  say(`   on ${label}: all ${n.referrals} acknowledged referrals and ${n.transitions} transitions; all ${total} referrals`
    + ' of the area agree with their event logs');
}

async function switchover(world) {
  const from = await leaderNode();
  check(from !== null, 'no node leads before the switchover');
  const to = 3 - from;
  const run = await underLoad(world, 'switchover', 100, 200, async () => {
    await ha('switchover');
    await until(`node ${to} leads`, () => patroni(to, 'primary'), { timeoutMs: 30_000, everyMs: 100 });
  });
  say(`d. switchover from node ${from} to node ${to} under ${USERS} users: ${(run.marks.settledAt - run.marks.faultAt).toFixed(0)} ms;`
    + ` ${run.ledger.outcomes.length} requests, ${run.failed.length} answered 503 with Retry-After over ${run.window.toFixed(0)} ms, none failed otherwise;`
    + ` ${run.retried} creates sent again got 201`);
  checkWrites(world, run.ledger, `the new primary (node ${to})`);
  await until(`node ${from} follows node ${to} as its synchronous standby`, () => patroni(from, 'sync'), { timeoutMs: 60_000, everyMs: 200 });
}

// how: 'crash' (the primary's PostgreSQL gets SIGKILL; its Patroni lives, hands the lead over at
// once and rewinds the node to follow) or 'kill' (the machine dies: Patroni too; the lead moves
// when its lock expires, and the node is started again by hand).
async function failover(world, label, how) {
  const dead = await leaderNode();
  check(dead !== null, 'no node leads before the failover');
  const heir = 3 - dead;
  const logFile = env[`IJ_HA_NODE_${dead}_LOG`];
  const logBefore = fs.readFileSync(logFile, 'utf8').length;
  const run = await underLoad(world, `${how}-`, 100, 200, async (marks) => {
    await ha(how, String(dead));
    marks.killedAt = performance.now();
    await until(`node ${heir} is promoted`, () => patroni(heir, 'primary'), { timeoutMs: 60_000, everyMs: 50 });
    marks.promotedAt = performance.now();
  });
  const { marks, ledger, failed } = run;
  const firstWrite = ledger.outcomes.filter((o) => o.op === 'create' && o.status === 201 && o.start > marks.killedAt)
    .reduce((m, o) => Math.min(m, o.end), Infinity);
  check(Number.isFinite(firstWrite), 'no write succeeded after the kill');
  const late = failed.filter((o) => o.start > firstWrite + 1000);
  check(late.length === 0, `${late.length} requests failed more than a second after writes resumed, e.g. ${JSON.stringify(late.slice(0, 3))}`);
  const what = how === 'crash' ? `the primary's PostgreSQL (node ${dead}) killed with SIGKILL, its Patroni alive`
    : `the primary's machine (node ${dead}) dead: its Patroni and PostgreSQL killed with SIGKILL`;
  say(`${label}. ${what}, under ${USERS} users: node ${heir} promoted after`
    + ` ${(marks.promotedAt - marks.faultAt).toFixed(0)} ms; writes refused for ${(firstWrite - marks.faultAt).toFixed(0)} ms`
    + ` (kill to the first acknowledged create); ${ledger.outcomes.length} requests, ${failed.length} answered 503 with Retry-After,`
    + ` none failed otherwise; ${run.retried} creates sent again got 201`);
  checkWrites(world, ledger, `the new primary (node ${heir})`);

  // the old primary comes back as a standby: crash recovery, pg_rewind, and it follows
  const restartAt = performance.now();
  if (how === 'kill') await ha('start', String(dead));
  await until(`node ${dead} follows node ${heir} as its synchronous standby`, () => patroni(dead, 'sync'), { timeoutMs: 90_000, everyMs: 200 });
  const log = fs.readFileSync(logFile, 'utf8').slice(logBefore);
  // Patroni compares the old primary's end of WAL with the new timeline's switch point: when the
  // synchronous standby had received everything the crashed primary wrote, the two agree and the old
  // primary follows without a rewind; otherwise pg_rewind must run and succeed
  const rewound = /pg_rewind exit code=0/.test(log);
  check(!/pg_rewind exit code=[1-9]|Failed to rewind/.test(log), `node ${dead}'s pg_rewind failed:\n${log.slice(-3000)}`);
  check(rewound || /Local timeline=\d+ lsn=/.test(log),
    `node ${dead} rejoined without Patroni comparing its timeline with the new primary's:\n${log.slice(-3000)}`);
  const lsn = psqlOn(env.IJ_HA_PRIMARY_OWNER_URL, 'SELECT pg_current_wal_lsn()');
  const rejoined = env[`IJ_HA_NODE_${dead}_OWNER_URL`];
  await until(`node ${dead} has replayed the new primary's writes`,
    () => psqlOn(rejoined, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`) === 't', { timeoutMs: 30_000, everyMs: 100 });
  const digest = `SELECT count(*) || '/' || coalesce(sum(version), 0) FROM referrals WHERE area = '${world.area}'`;
  const onPrimary = psqlOn(env.IJ_HA_PRIMARY_OWNER_URL, digest);
  const onRejoined = psqlOn(rejoined, digest);
  check(onPrimary === onRejoined, `the rejoined node has ${onRejoined} (referrals/versions), the primary ${onPrimary}`);
  say(`   node ${dead}${how === 'kill' ? ' started again' : ''}: crash recovery, ${rewound ? 'pg_rewind' : 'no rewind needed (its WAL ends at the switch point)'}, a synchronous standby after`
    + ` ${((performance.now() - restartAt) / 1000).toFixed(1)} s, with the same referrals (${onPrimary} referrals/versions)`);
}

async function backupAfterFailover() {
  const backup = await ha('backup');
  check(/incr backup: /.test(backup), `pgBackRest made no incremental backup of the new primary:\n${backup}`);
  say('   pgBackRest: an incremental backup of the new primary, on its new timeline');
}

// ---- the run --------------------------------------------------------------------------------------------
let failed = false;
try {
  const area = `ha${crypto.randomBytes(5).toString('hex')}`;
  psql(`INSERT INTO areas (code, name) VALUES ('${area}', 'HA test area');
        INSERT INTO wards (area, code, name) VALUES ('${area}', 'ward-a', 'Abbey'), ('${area}', 'ward-b', 'Bramble');
        INSERT INTO supervisors (area, sub, name, created_at, updated_at)
          VALUES ('${area}', 'sup-1', 'Sam Supervisor', now(), now());`);
  const world = {
    area,
    tokens: {
      officer: token(area, 'officer', 'officer-1'),
      coordinator: token(area, 'coordinator', 'coordinator-1'),
      supervisor: token(area, 'supervisor', 'sup-1'),
      commissioner: token(area, 'commissioner', 'commissioner-1'),
    },
  };
  await lifecycle(world);
  await killUnderLoad(world);
  await statistics(world);
  await switchover(world);
  await failover(world, 'e', 'crash');
  await failover(world, 'f', 'kill');
  await backupAfterFailover();

  // the survivor stops cleanly, and the sanitizers found nothing in either instance
  const pid = Number(env.IJ_HA_INSTANCE_2_PID);
  process.kill(pid, 'SIGTERM');
  await until('instance 2 stops on SIGTERM', () => !alive(pid), { timeoutMs: 30_000, everyMs: 50 });
  for (const i of [1, 2]) {
    const log = fs.readFileSync(env[`IJ_HA_INSTANCE_${i}_LOG`], 'utf8');
    check(!/ERROR: (Address|Leak)Sanitizer|runtime error:/.test(log), `instance ${i}'s log has a sanitizer report:\n${log.slice(-4000)}`);
  }
  say(`PASS ha in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} catch (err) {
  failed = true;
  console.error(`FAIL ha: ${err instanceof TestFailure ? err.message : err.stack}`);
  for (const i of [1, 2]) {
    try {
      console.error(`---- instance ${i}'s log ----\n${fs.readFileSync(env[`IJ_HA_INSTANCE_${i}_LOG`], 'utf8').slice(-4000)}`);
    } catch {
      // gone
    }
  }
} finally {
  down();
}
process.exitCode = failed ? 1 : 0;
setTimeout(() => process.exit(process.exitCode), 2000).unref();
