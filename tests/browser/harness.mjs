// What every browser test of the practitioners' pages needs: the real service (`ij serve` on a
// spare 127.0.0.1 port, against DATABASE_URL, with a key pair made by `ij keygen`), a fresh area
// with wards, a supervisor in its directory and a token per role; Debian's chromium driven by
// playwright-core; and the checks every page must pass (no axe-core violation, no console error,
// no sideways scrolling at 320 px, no token in the address bar), with screenshots at 390 and
// 1280 px kept in IJ_ARTIFACT_DIR/app.
//
// Environment: IJ_BIN, DATABASE_URL (required); DATABASE_OWNER_URL, IJ_ARTIFACT_DIR, IJ_CHROMIUM.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const IJ = process.env.IJ_BIN;
const DATABASE_URL = process.env.DATABASE_URL;
const ARTIFACTS = path.join(process.env.IJ_ARTIFACT_DIR || process.cwd(), 'app');
const CHROMIUM = process.env.IJ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (err) {
  console.error(`playwright-core is missing (${err.message}): run \`npm ci\` in tests/browser`);
  process.exit(1);
}
for (const [name, value] of [['IJ_BIN', IJ], ['DATABASE_URL', DATABASE_URL]]) {
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(1);
  }
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: install Debian's chromium package (scripts/test does)`);
  process.exit(1);
}
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

function sparePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Runs SQL as the database's owner; answers the rows as arrays of text.
export function psql(sql) {
  const candidates = ['/usr/lib/postgresql/15/bin/psql', 'psql'];
  const bin = candidates.find((c) => c === 'psql' || fs.existsSync(c));
  const out = run(bin, ['-X', '-q', '-t', '-A', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d',
    process.env.DATABASE_OWNER_URL || DATABASE_URL, '-c', sql]);
  return out ? out.split('\n').map((l) => l.split('\t')) : [];
}

// A time `hours` from now, whole minutes, as RFC 3339.
export function hoursFromNow(hours) {
  const t = new Date(Date.now() + hours * 3_600_000);
  t.setUTCSeconds(0, 0);
  return t.toISOString();
}

export function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

// ---- the service ---------------------------------------------------------------------------------

// Starts `ij serve` with a fresh area. Answers the world the tests share:
//   base, area, tokens[role], subs[role], call(), ok(), and helpers that make records through the
//   API (referral, accepted, placement, session, book), and close().
export async function startService({ name = 'app' } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ij-${name}-`));
  const area = `ta${crypto.randomBytes(5).toString('hex')}`;
  const priv = path.join(tmp, 'private.jwk');
  const jwks = path.join(tmp, 'jwks.json');
  run(IJ, ['keygen', '--private', priv, '--jwks', jwks]);
  run(IJ, ['migrate']);
  psql(`INSERT INTO areas (code, name) VALUES ('${area}', 'Browser test area');
        INSERT INTO wards (area, code, name) VALUES ('${area}', 'ward-a', 'Abbey'), ('${area}', 'ward-b', 'Bramble');`);
  const people = {
    officer: ['officer-1', 'Olivia Officer'],
    officer2: ['officer-2', 'Omar Officer'],
    coordinator: ['coordinator-1', 'Cara Coordinator'],
    supervisor: ['supervisor-1', 'Sam Supervisor'],
    admin: ['admin-1', 'Ada Admin'],
    commissioner: ['commissioner-1', 'Colin Commissioner'],
    national_commissioner: ['national-1', 'Nadia National'],
  };
  const tokens = {};
  const subs = {};
  for (const [key, [sub, display]] of Object.entries(people)) {
    const role = key.replace(/\d+$/, '');
    tokens[key] = run(IJ, ['token', '--role', role, '--area', area, '--sub', sub, '--name', display, '--ttl', '7200'],
      { IJ_JWT_PRIVATE_KEY_FILE: priv });
    subs[key] = { sub, name: display };
  }
  const port = await sparePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const server = spawn(IJ, ['serve'], {
    env: { ...process.env, IJ_LISTEN: `127.0.0.1:${port}`, IJ_JWKS_FILE: jwks, IJ_THREADS: '4', IJ_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`ij serve exited ${server.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`ij serve did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  async function call(method, route, { token, body, headers = {}, raw, contentType } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (raw !== undefined) {
      payload = raw;
      h['Content-Type'] = contentType || 'text/plain';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
    }
    const res = await fetch(`${base}${route}`, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async function ok(method, route, opts) {
    const r = await call(method, route, opts);
    if (r.status >= 300) throw new Error(`${method} ${route} -> ${r.status}: ${r.text}`);
    return r;
  }

  const world = {
    base, area, tokens, subs, call, ok, psql,
    get log() { return log; },
    n: 0,
    // A submitted referral of a new person; `over` replaces parts of the body.
    async referral(over = {}) {
      world.n += 1;
      const body = {
        person: { name: `Test Person ${world.n}`, date_of_birth: '1999-04-12', postcode: 'DE1 1AA',
          phone: '07700 900123', police_id: `BT/${crypto.randomBytes(4).toString('hex')}` },
        offence: { date: daysAgo(2), category: 'asb', ward: 'ward-a', location: 'Market Place' },
        disposal: 'community_resolution', consent_recorded: true, hours_proposed: 7,
        victim: { consulted: true, keep_updated: false },
        ...over,
      };
      return (await ok('POST', '/v1/referrals', { token: tokens.officer, body })).json;
    },
    async transition(id, body, token = tokens.coordinator) {
      const r = await ok('GET', `/v1/referrals/${id}`, { token });
      return (await ok('POST', `/v1/referrals/${id}/transitions`, { token, body, headers: { 'If-Match': r.headers.get('etag') } })).json;
    },
    async accepted(over) {
      const r = await world.referral(over);
      return world.transition(r.id, { event: 'accept', suitability_notes: 'Suitable for outdoor work.' });
    },
    async placement(over = {}) {
      await world.directory();
      return (await ok('POST', '/v1/placements', { token: tokens.coordinator, body: {
        name: `Riverside allotment ${++world.n}`, type: 'gardening', provider: 'Riverside Trust', ward: 'ward-a',
        supervisor: { sub: subs.supervisor.sub, name: subs.supervisor.name }, ...over } })).json;
    },
    // A session `ahead` hours from now lasting `hours` hours, on a placement (made when not given).
    async session({ placement, ahead = 30, hours = 3, capacity = 6, ...over } = {}) {
      const p = placement || (await world.placement()).id;
      return (await ok('POST', `/v1/placements/${p}/sessions`, { token: tokens.coordinator, body: {
        starts_at: hoursFromNow(ahead), ends_at: hoursFromNow(ahead + hours), capacity, ...over } })).json;
    },
    async book(referralId, sessionId) {
      return (await ok('POST', `/v1/referrals/${referralId}/bookings`, { token: tokens.coordinator,
        body: { session_id: sessionId } })).json;
    },
    // Moves a session (and its bookings) to start `offset` from now (an SQL interval).
    startsIn(sessionId, offset) {
      psql(`WITH s AS (UPDATE sessions SET starts_at = date_trunc('second', now()) + interval '${offset}',
              ends_at = date_trunc('second', now()) + interval '${offset}' + (ends_at - starts_at)
            WHERE id = '${sessionId}' RETURNING id, starts_at, ends_at)
            UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at,
              signed_in_at = b.signed_in_at + (s.starts_at - b.starts_at) FROM s WHERE b.session_id = s.id;`);
    },
    // The area's supervisors' directory holds the test supervisor (sessions must name one of it).
    async directory() {
      if (world.hasDirectory) return;
      await ok('POST', '/v1/supervisors', { token: tokens.admin, body: { sub: subs.supervisor.sub,
        name: subs.supervisor.name, organisation: 'Riverside Trust', phone: '07700 900456' } });
      world.hasDirectory = true;
    },
    async close() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  return world;
}

// ---- the browser ---------------------------------------------------------------------------------

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// A new browser context (its own storage, like a new phone) and page, at a width, watching for
// console errors, page errors and failed requests (`page.problems`; expected refusals can be
// allowed with page.allow(regexp)).
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'allow' });
  const page = await context.newPage();
  const problems = [];
  const allowed = [];
  // Chromium logs every 4xx answer to a fetch as a console error; a refusal the page handles (a
  // form's field errors, a sign-in that expired) is not a fault, so those lines alone are let pass.
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!context.offline) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => { if (r.status() >= 500) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.problems = () => problems.filter((p) => !allowed.some((a) => a.test(p)));
  page.allow = (re) => allowed.push(re);
  const setOffline = context.setOffline.bind(context);
  context.setOffline = async (v) => { context.offline = v; await setOffline(v); };
  return page;
}

// Signs in with the role's link (as scripts/run prints it) and opens a route (e.g. '/referrals').
export async function signIn(page, world, role, route = '/') {
  await page.goto(`${world.base}/app#token=${world.tokens[role]}`);
  await waitReady(page);
  assert.ok(!page.url().includes('token='), 'the token is taken out of the address bar');
  if (route !== '/') await go(page, route);
}

// Goes to a route of the app and waits for it to be shown.
export async function go(page, route) {
  await page.evaluate((r) => { location.hash = r; }, route);
  await waitReady(page);
}

// Waits until the page has finished showing (main's data-state is ready or error).
export async function waitReady(page, { allowError = false } = {}) {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.querySelector('main')?.dataset.state), null, { timeout: 30_000 });
  const state = await page.getAttribute('main', 'data-state');
  if (state !== 'ready' && !allowError) throw new Error(`the page shows an error: ${await page.textContent('main')}`);
  return state;
}

// The checks every page passes, and its screenshots at 390 and 1280 px (name: a file name).
export async function checkPage(page, name) {
  const before = page.viewportSize();
  // no sideways scrolling at 320 px
  await page.setViewportSize({ width: 320, height: 640 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `${name}: the page scrolls sideways by ${wide}px at 320 px`);
  // no accessibility violation
  await page.setViewportSize(before);
  const violations = await axe(page);
  assert.deepEqual(violations, [], `${name}: axe-core violations`);
  assert.ok(!page.url().includes('token'), `${name}: no token in the address bar`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${vp.width}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
  assert.deepEqual(page.problems(), [], `${name}: no console errors, page errors or failed requests`);
}

// axe-core's violations on the page as it is now (WCAG 2.2 A and AA, and best practice).
export async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
  });
}
