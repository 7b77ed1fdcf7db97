// Shared helpers of the fault and load tests (tests/faults/*.test.mjs): the real `ij serve` on a
// spare 127.0.0.1 port with a key pair of its own, a fresh area made through SQL as the owner,
// tokens from `ij token`, a pool of virtual users with one kept-alive connection each, the
// client's log of acknowledged writes and the SQL that holds the database to it.
//
// Environment (scripts/test and tests/CMakeLists.txt set it):
//   IJ_BIN              the ij binary (required)
//   DATABASE_URL        the test database as the service's role (required; what `ij serve` uses)
//   DATABASE_OWNER_URL  the same database as its owner (set-up and checks; `ij migrate` uses it)
// Only node's own modules: no npm packages.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const IJ_BIN = process.env.IJ_BIN;
export const DATABASE_URL = process.env.DATABASE_URL;
export const OWNER_URL = process.env.DATABASE_OWNER_URL || DATABASE_URL;
const PSQL = ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql'].find((p) => fs.existsSync(p)) || 'psql';

export function requireEnv(...names) {
  for (const name of names) {
    if (!process.env[name]) {
      console.error(`${name} is not set`);
      process.exit(1);
    }
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function say(...args) {
  console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...args);
}

export class TestFailure extends Error {}

export function check(ok, message) {
  if (!ok) throw new TestFailure(message);
}

// Polls fn until it returns a truthy value; fails with `what` at the deadline.
export async function until(what, fn, { timeoutMs = 30_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      if (err instanceof TestFailure) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      throw new TestFailure(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(everyMs);
  }
}

export function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

// Runs SQL as the owner (row-level security does not hide other areas from it); the text goes on
// stdin, so that long lists of ids need no command-line room. Rows come back as arrays of fields.
export function psql(sql) {
  const r = spawnSync(PSQL, ['-X', '-q', '-t', '-A', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', OWNER_URL, '-f', '-'],
    { input: sql, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql exited ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

export function sparePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A fresh world for one test: key pair, migrated schema, a new area with two wards, a token per
// role. cleanup() removes the temporary folder (the area stays: areas are cheap and unique).
export function setUp(label) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ij-${label}-`));
  const priv = path.join(tmp, 'private.jwk');
  const jwks = path.join(tmp, 'jwks.json');
  run(IJ_BIN, ['keygen', '--private', priv, '--jwks', jwks]);
  run(IJ_BIN, ['migrate']);
  const area = `${label.replace(/[^a-z0-9]/g, '').slice(0, 8)}${crypto.randomBytes(5).toString('hex')}`;
  psql(`INSERT INTO areas (code, name) VALUES ('${area}', 'Fault test area ${label}');
        INSERT INTO wards (area, code, name) VALUES ('${area}', 'ward-a', 'Abbey'), ('${area}', 'ward-b', 'Bramble');`);
  const tokens = {};
  for (const role of ['officer', 'coordinator', 'commissioner', 'admin']) {
    tokens[role] = run(IJ_BIN, ['token', '--role', role, '--area', area, '--sub', `${role}-1`, '--name', `Test ${role}`,
      '--ttl', '7200'], { IJ_JWT_PRIVATE_KEY_FILE: priv });
  }
  return { tmp, jwks, area, tokens, cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }) };
}

// `ij serve` as a child process. The log is kept (its last 256 KiB) for failure reports.
export class Server {
  constructor(world, { bin = IJ_BIN, port, env = {} } = {}) {
    this.world = world;
    this.bin = bin;
    this.port = port;
    this.env = env;
    this.proc = null;
    this.logText = '';
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.proc?.pid;
  }

  get running() {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  log() {
    return this.logText;
  }

  async start({ readyTimeoutMs = 60_000 } = {}) {
    if (!this.port) this.port = await sparePort();
    const proc = spawn(this.bin, ['serve'], {
      env: {
        ...process.env,
        DATABASE_URL,
        IJ_LISTEN: `127.0.0.1:${this.port}`,
        IJ_JWKS_FILE: this.world.jwks,
        IJ_LOG_LEVEL: 'warn',
        IJ_LOG_FORMAT: 'text',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const keep = (d) => {
      this.logText += d;
      if (this.logText.length > 256 * 1024) this.logText = this.logText.slice(-192 * 1024);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
      keep(`[ij serve exited: ${signal || `code ${code}`}]\n`);
      resolve({ code, signal, at: performance.now() });
    }));
    await until('ij serve answers 200 on /readyz', async () => {
      if (proc.exitCode !== null) throw new TestFailure(`ij serve exited ${proc.exitCode}:\n${this.logText}`);
      return (await fetch(`${this.base}/readyz`)).status === 200;
    }, { timeoutMs: readyTimeoutMs, everyMs: 100 });
    return this;
  }

  kill(signal) {
    this.proc.kill(signal);
  }

  // Waits for the process to end; SIGKILL after timeoutMs (and then the result says so).
  async waitExit(timeoutMs) {
    const timer = sleep(timeoutMs).then(() => null);
    const r = await Promise.race([this.exited, timer]);
    if (r) return r;
    this.proc.kill('SIGKILL');
    return { ...(await this.exited), timedOut: true };
  }

  // Best effort, for finally blocks.
  async stop() {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    await this.waitExit(15_000);
  }
}

// ---- HTTP client ---------------------------------------------------------------------------------

// One kept-alive connection per virtual user, so that a test knows which connection carries what.
export function agent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
}

// One request. Resolves with {status, headers, text, json, ms}; rejects with the socket error
// (err.code: ECONNREFUSED, ECONNRESET, ...) or a timeout.
export function request(base, method, route, { token, body, headers = {}, agent: a, timeoutMs = 30_000 } = {}) {
  const url = new URL(route, base);
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    payload = Buffer.from(JSON.stringify(body));
    h['Content-Type'] = 'application/json';
    h['Content-Length'] = payload.length;
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: h,
      agent: a || false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json, ms: performance.now() - started });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

// True when a response is an RFC 9457 problem document with this status.
export function isProblem(r, status) {
  return r.status === status && /^application\/problem\+json/.test(r.headers['content-type'] || '')
    && r.json !== null && r.json.status === status && typeof r.json.type === 'string';
}

// Tries a new TCP connection: 'refused', 'connected' or another error code.
export function tryConnect(port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (v) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done('timeout'));
    s.once('connect', () => done('connected'));
    s.once('error', (err) => done(err.code === 'ECONNREFUSED' ? 'refused' : err.code || err.message));
  });
}

// ---- workload ------------------------------------------------------------------------------------

function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

// A valid referral body; every person is new (letters only in the name: vu and n spelt out).
export function referralBody(vu, n, ward = 'ward-a') {
  const letters = (k) => k.toString(26).split('').map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
  return {
    person: { name: `Person ${letters(vu)} ${letters(n)}`, date_of_birth: n % 2 ? '2003-02-01' : '1990-06-15', postcode: 'DE1 1AA' },
    offence: { date: daysAgo(2), category: n % 3 ? 'asb' : 'criminal_damage', ward, location: 'Market Place' },
    disposal: 'community_resolution',
    consent_recorded: true,
    hours_proposed: 7,
  };
}

// The client's log: what the service acknowledged (2xx) and every outcome, for the assertions.
export class Ledger {
  constructor() {
    this.created = new Map(); // id -> {version, state}
    this.transitions = []; // {id, seq, event, to}
    this.outcomes = []; // {op, status, code, start, end, problem}
  }

  note(op, start, end, r, err) {
    const o = { op, start, end, status: r ? r.status : null, code: err ? err.code || err.message : null };
    if (r && r.status >= 400) o.problem = isProblem(r, r.status);
    if (r && r.status >= 400) o.detail = r.text.slice(0, 300);
    if (r && r.headers['retry-after'] !== undefined) o.retryAfter = r.headers['retry-after'];
    this.outcomes.push(o);
    return o;
  }
}

// One round of the fault tests' writes for virtual user vu: create (with an Idempotency-Key),
// read it back, accept it (with If-Match). Each user works on its own referrals, so every request
// must succeed unless the fault is on. Acknowledged writes go into the ledger; creates that got no
// answer or a 5xx go into `pending` (to retry), and no request starts once stop() is true.
export async function writeRound(world, base, ledger, vu, n, a, { pending, stop = () => false, run = '' } = {}) {
  const key = `${world.area}-${run}${vu}-${n}`; // a test that runs users again names each run
  const body = referralBody(vu, n);
  let t0 = performance.now();
  let r;
  try {
    r = await request(base, 'POST', '/v1/referrals', { token: world.tokens.officer, body, headers: { 'Idempotency-Key': key }, agent: a });
  } catch (err) {
    ledger.note('create', t0, performance.now(), null, err);
    pending?.push({ key, body });
    await sleep(20); // the service is away: no busy loop of refused connections
    return;
  }
  ledger.note('create', t0, performance.now(), r, null);
  if (r.status !== 201) {
    if (r.status >= 500) {
      pending?.push({ key, body });
      await sleep(20); // as for a refused connection
    }
    return;
  }
  const id = r.json.id;
  ledger.created.set(id, { version: r.json.version, state: r.json.state });
  if (stop()) return;
  t0 = performance.now();
  try {
    r = await request(base, 'GET', `/v1/referrals/${id}`, { token: world.tokens.officer, agent: a });
    ledger.note('get', t0, performance.now(), r, null);
  } catch (err) {
    ledger.note('get', t0, performance.now(), null, err);
  }
  if (stop()) return;
  t0 = performance.now();
  try {
    r = await request(base, 'POST', `/v1/referrals/${id}/transitions`, {
      token: world.tokens.coordinator, body: { event: 'accept', hours_confirmed: 7, suitability_notes: 'Suitable.' }, headers: { 'If-Match': '"1"' }, agent: a,
    });
  } catch (err) {
    ledger.note('accept', t0, performance.now(), null, err);
    return;
  }
  ledger.note('accept', t0, performance.now(), r, null);
  if (r.status === 200) {
    ledger.transitions.push({ id, seq: r.json.version, event: 'accept', to: r.json.state });
    ledger.created.get(id).version = r.json.version;
  }
}

// Runs `users` virtual users, each calling round(vu, n, agent) until stop() is true.
export async function runUsers(users, round, stop) {
  const agents = [];
  await Promise.all(Array.from({ length: users }, async (_, vu) => {
    const a = agent();
    agents.push(a);
    for (let n = 0; !stop(); n++) await round(vu, n, a);
  }));
  for (const a of agents) a.destroy();
}

// ---- checks against the database -------------------------------------------------------------------

const uuidRe = /^[0-9a-f-]{36}$/;

// Every acknowledged create and transition is in the database. Returns the number checked.
export function checkAcknowledged(ledger) {
  const ids = [...ledger.created.keys()];
  for (const id of ids) check(uuidRe.test(id), `not an id: ${id}`);
  if (ids.length > 0) {
    const missing = psql(`SELECT v.id FROM (VALUES ${ids.map((id) => `('${id}'::uuid)`).join(',')}) v(id)
                          WHERE NOT EXISTS (SELECT 1 FROM referrals r WHERE r.id = v.id);`);
    check(missing.length === 0, `${missing.length} acknowledged referrals are missing, e.g. ${missing.slice(0, 5).join(', ')}`);
  }
  const ts = ledger.transitions;
  if (ts.length > 0) {
    const rows = ts.map((t) => `('${t.id}'::uuid, ${Number(t.seq)}, '${t.event}', '${t.to}')`).join(',');
    const missing = psql(`SELECT v.id, v.seq FROM (VALUES ${rows}) v(id, seq, event, to_state)
                          WHERE NOT EXISTS (SELECT 1 FROM referral_events e WHERE e.referral_id = v.id
                                            AND e.seq = v.seq AND e.event = v.event AND e.to_state = v.to_state);`);
    check(missing.length === 0, `${missing.length} acknowledged transitions are missing, e.g. ${missing.slice(0, 5).map((m) => m.join('@')).join(', ')}`);
  }
  return { referrals: ids.length, transitions: ts.length };
}

// Every referral of the area agrees with its event log: version = number of events = last seq,
// events numbered 1..n, and the last event's resulting state is the referral's state.
export function checkConsistent(area) {
  const bad = psql(`SELECT r.id, r.state, r.version, c.n, c.last_seq, last.to_state
      FROM referrals r
      LEFT JOIN LATERAL (SELECT count(*) AS n, max(seq) AS last_seq FROM referral_events e WHERE e.referral_id = r.id) c ON true
      LEFT JOIN referral_events last ON last.referral_id = r.id AND last.seq = c.last_seq
      WHERE r.area = '${area}'
        AND (r.version <> c.n OR c.last_seq IS DISTINCT FROM c.n OR last.to_state IS DISTINCT FROM r.state);`);
  check(bad.length === 0, `${bad.length} referrals disagree with their event log, e.g. ${bad.slice(0, 3).map((b) => b.join(' ')).join('; ')}`);
  return Number(psql(`SELECT count(*) FROM referrals WHERE area = '${area}';`)[0][0]);
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// Runs main, prints PASS or FAIL (with the service's log on failure) and sets the exit code.
export async function main(name, fn, { servers = () => [] } = {}) {
  const t0 = performance.now();
  try {
    await fn();
    say(`PASS ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    process.exitCode = 0;
  } catch (err) {
    console.error(`FAIL ${name}: ${err instanceof TestFailure ? err.message : err.stack}`);
    for (const s of servers()) {
      if (s?.log()) console.error(`---- the service's log (port ${s.port}) ----\n${s.log().slice(-8000)}`);
    }
    process.exitCode = 1;
  }
  for (const s of servers()) {
    if (s?.running) s.kill('SIGKILL');
  }
  // a handle left open by a failure must not keep the test running until ctest's timeout
  setTimeout(() => process.exit(process.exitCode), 2000).unref();
}
