#!/usr/bin/env node
// Browser test of the commissioners' dashboard. It starts the real service (`ij serve` on a spare
// 127.0.0.1 port, against the database in DATABASE_URL, with a key pair made by `ij keygen` in a
// temporary folder), seeds a fresh area through SQL (the area and its wards) and the API (referrals,
// acceptances, rejections), then drives Debian's chromium with playwright-core (never a downloaded
// browser) and checks what a commissioner sees against what the API answers.
//
// Environment:
//   IJ_BIN           the ij binary (required)
//   DATABASE_URL     the test database as the service role (required)
//   DATABASE_OWNER_URL  the same database as its owner (migrations and SQL set-up; default DATABASE_URL)
//   IJ_ARTIFACT_DIR  where the screenshot goes (default: the current folder)
//   IJ_CHROMIUM      the browser (default /usr/bin/chromium)
// Run by ctest as the test `browser`; `npm ci` in this folder first (scripts/test does).

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

const IJ = process.env.IJ_BIN;
const DATABASE_URL = process.env.DATABASE_URL;
const ARTIFACTS = process.env.IJ_ARTIFACT_DIR || process.cwd();
const CHROMIUM = process.env.IJ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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

// ---- helpers -----------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ij-browser-'));
const area = `tb${crypto.randomBytes(5).toString('hex')}`;
let server = null;
let serverLog = '';
let base = '';
let browser = null;
const tokens = {};

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

function psql(sql) {
  const candidates = ['/usr/lib/postgresql/15/bin/psql', 'psql'];
  const bin = candidates.find((c) => c === 'psql' || fs.existsSync(c));
  return run(bin, ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', process.env.DATABASE_OWNER_URL || DATABASE_URL, '-c', sql]);
}

async function call(method, route, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
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

function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

// The same formatting as the page (web/src/dashboard.js), written out again so that the test
// holds the page to it.
const counts = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const hours = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
function shown(cell, kind) {
  if (!cell || cell.suppressed) return '[c]';
  if (cell.value === null || cell.value === undefined) return '–';
  if (kind === 'rate') return `${(cell.value * 100).toFixed(1)}%`;
  if (kind === 'hours') return hours.format(cell.value);
  return counts.format(cell.value);
}
const KINDS = {
  referrals: 'count', acceptance_rate: 'rate', median_hours_to_first_session: 'hours',
  started_within_target_rate: 'rate', completion_rate: 'rate', attendance_rate: 'rate',
  non_compliance_rate: 'rate', hours_delivered: 'hours', rereferral_rate: 'rate',
};

// The figures a page shows: headline figures and the three data tables.
async function pageFigures(page) {
  return page.evaluate(() => {
    const text = (n) => (n ? n.querySelector('.ij-cell')?.firstChild?.textContent ?? n.textContent : null).trim();
    const figures = {};
    for (const li of document.querySelectorAll('[data-figure]')) {
      figures[li.dataset.figure] = text(li.querySelector('.ij-figure__value'));
    }
    const rows = (id) => [...document.querySelectorAll(`#${id} tbody tr`)].map((tr) => [...tr.children].map((c) => text(c)));
    return { figures, monthly: rows('monthly-table'), hours: rows('hours-table'), reoffending: rows('reoffending-table') };
  });
}

async function expectedFigures(query) {
  const q = query ? `?${query}` : '';
  const summary = (await ok('GET', `/v1/stats/summary${q}`, { token: tokens.commissioner })).json;
  const reoff = (await ok('GET', `/v1/stats/reoffending${q}`, { token: tokens.commissioner })).json;
  const figures = {};
  for (const [k, kind] of Object.entries(KINDS)) figures[k] = shown(summary.figures[k], kind);
  const hoursRows = summary.hours_by_placement_type.map((r) => shown(r.hours, 'hours'));
  const reoffRows = [];
  for (const w of reoff.windows) {
    for (const g of ['completers', 'non_completers']) {
      const c = w[g];
      const pending = !c.cohort.suppressed && (c.cohort.value ?? 0) === 0 && !c.pending.suppressed && (c.pending.value ?? 0) > 0;
      reoffRows.push([shown(c.cohort), shown(c.reoffended), pending ? 'pending' : shown(c.rate, 'rate'), shown(c.pending)]);
    }
  }
  return {
    summary,
    figures,
    monthly: summary.monthly.map((m) => [shown(m.referrals), shown(m.completed)]),
    hours: hoursRows,
    reoffending: reoffRows,
  };
}

function assertSame(onPage, expected) {
  assert.deepEqual(onPage.figures, expected.figures, 'headline figures');
  assert.deepEqual(onPage.monthly.map((r) => r.slice(1)), expected.monthly, 'monthly table');
  assert.deepEqual(onPage.hours.map((r) => r[1]), expected.hours, 'hours table');
  assert.deepEqual(onPage.reoffending.map((r) => r.slice(2)), expected.reoffending, 'reoffending table');
}

async function waitReady(page) {
  try {
    await page.waitForFunction(() => ['ready', 'error'].includes(document.querySelector('main')?.dataset.state), null, { timeout: 30_000 });
  } catch (err) {
    const state = await page.evaluate(() => `${document.querySelector('main')?.dataset.state}: ${document.getElementById('status')?.textContent}`);
    throw new Error(`the page did not finish loading (${state}): ${err.message}`);
  }
  const state = await page.getAttribute('main', 'data-state');
  if (state !== 'ready') throw new Error(`the page shows an error: ${await page.textContent('#error')}`);
}

// ---- set-up ------------------------------------------------------------------------------------

before(async () => {
  const priv = path.join(tmp, 'private.jwk');
  const jwks = path.join(tmp, 'jwks.json');
  run(IJ, ['keygen', '--private', priv, '--jwks', jwks]);
  run(IJ, ['migrate']);
  psql(`INSERT INTO areas (code, name) VALUES ('${area}', 'Browser test area');
        INSERT INTO wards (area, code, name) VALUES ('${area}', 'ward-a', 'Abbey'), ('${area}', 'ward-b', 'Bramble');`);
  for (const role of ['officer', 'coordinator', 'commissioner']) {
    tokens[role] = run(IJ, ['token', '--role', role, '--area', area, '--sub', `${role}-1`, '--name', `Test ${role}`,
      '--ttl', '3600'], { IJ_JWT_PRIVATE_KEY_FILE: priv });
  }
  const port = await sparePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(IJ, ['serve'], {
    env: { ...process.env, IJ_LISTEN: `127.0.0.1:${port}`, IJ_JWKS_FILE: jwks, IJ_THREADS: '4', IJ_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`ij serve exited ${server.exitCode}:\n${serverLog}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`ij serve did not become ready:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  // 18 referrals in ward-a (12 accepted, 5 rejected, 1 waiting) and 2 in ward-b: ward-b's count is
  // below the suppression threshold, ward-a's acceptance rate has 17 triaged.
  const make = async (ward, i) => {
    const body = {
      person: { name: `Person ${ward} ${i}`, date_of_birth: i % 2 ? '2003-02-01' : '1990-06-15', postcode: 'DE1 1AA', police_id: `22/${area.slice(2, 8)}${ward.slice(-1)}${i}` },
      offence: { date: daysAgo(3), category: i % 3 ? 'asb' : 'criminal_damage', ward, location: 'Market Place' },
      disposal: 'community_resolution',
      consent_recorded: true,
      hours_proposed: 7,
      victim: { consulted: true, keep_updated: false },
    };
    return (await ok('POST', '/v1/referrals', { token: tokens.officer, body })).json;
  };
  for (let i = 0; i < 18; i++) {
    const r = await make('ward-a', i);
    const event = i < 12 ? { event: 'accept', hours_confirmed: 7, suitability_notes: 'ok' } : i < 17 ? { event: 'reject', reason_code: 'duplicate' } : null;
    if (event) {
      await ok('POST', `/v1/referrals/${r.id}/transitions`, { token: tokens.coordinator, body: event, headers: { 'If-Match': `"${r.version}"` } });
    }
  }
  for (let i = 0; i < 2; i++) await make('ward-b', i);

  browser = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Collects what would tell a person something is wrong: console errors, page errors, failed loads.
function watch(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
}

// ---- tests -------------------------------------------------------------------------------------

test('the page and its assets are served with security headers, and only the listed assets', async () => {
  const page = await call('GET', '/dashboard');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
  assert.doesNotMatch(page.headers.get('content-security-policy'), /unsafe-inline/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const js = await call('GET', '/dashboard/assets/dashboard.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  const again = await call('GET', '/dashboard/assets/dashboard.js', { headers: { 'If-None-Match': js.headers.get('etag') } });
  assert.equal(again.status, 304);
  const css = await call('GET', '/dashboard/assets/govuk-frontend.min.css');
  assert.equal(css.status, 200);
  assert.match(css.text, /url\(\/dashboard\/assets\/light-94a07e06a1-v2\.woff2\)/);
  for (const bad of ['index.html', '..%2f..%2fetc%2fpasswd', '..%2fdashboard.js', 'missing.js', 'DASHBOARD.JS', 'dashboard.js%00']) {
    const r = await call('GET', `/dashboard/assets/${bad}`);
    assert.equal(r.status, 404, bad);
    assert.equal(r.json?.type, '/problems/not_found', bad);
  }
});

test('without a token the page says the reader must sign in', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/dashboard`);
  await page.waitForFunction(() => document.querySelector('main')?.dataset.state === 'error', null, { timeout: 30_000 });
  assert.match(await page.textContent('#error'), /sign in/i);
  await page.close();
});

test('a commissioner sees the API\'s figures, suppression, filters and the CSV', async () => {
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${base}/dashboard#token=${tokens.commissioner}`);
  await waitReady(page);
  assert.ok(!page.url().includes('token='), 'the token is taken out of the address bar');

  // All wards: the figures on screen are the API's.
  const all = await expectedFigures('');
  assertSame(await pageFigures(page), all);
  assert.equal(all.summary.figures.referrals.value, 20);
  assert.equal(all.summary.figures.acceptance_rate.suppressed, false);
  assert.equal(all.figures.acceptance_rate, '70.6%');
  const wards = await page.$$eval('#ward option', (os) => os.map((o) => o.value));
  assert.deepEqual(wards, ['', 'ward-a', 'ward-b']);

  // Ward B has 2 referrals: suppressed, on screen as [c].
  await page.selectOption('#ward', 'ward-b');
  await page.click('#apply');
  await waitReady(page);
  const query = new URL(page.url()).searchParams;
  assert.equal(query.get('ward'), 'ward-b');
  const wardB = await expectedFigures(query.toString());
  assert.equal(wardB.summary.figures.referrals.suppressed, true);
  const onPage = await pageFigures(page);
  assertSame(onPage, wardB);
  assert.equal(onPage.figures.referrals, '[c]');
  assert.notDeepEqual(onPage.figures, (await expectedFigures('')).figures, 'the filter changed the figures');
  assert.equal(await page.getAttribute('[data-figure="referrals"] .ij-cell', 'data-suppressed'), 'true');

  // Ward A: shown again.
  await page.selectOption('#ward', 'ward-a');
  await page.click('#apply');
  await waitReady(page);
  const wardA = await expectedFigures(new URL(page.url()).searchParams.toString());
  assert.equal(wardA.summary.figures.referrals.value, 18);
  assertSame(await pageFigures(page), wardA);

  // The CSV of what is on screen is what GET /v1/stats/summary.csv answers for the same filters.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  const file = await download.path();
  const downloaded = fs.readFileSync(file, 'utf8');
  const csv = await ok('GET', `/v1/stats/summary.csv?${new URL(page.url()).searchParams}`, { token: tokens.commissioner });
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.equal(downloaded, csv.text);
  assert.match(download.suggestedFilename(), /\.csv$/);

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const shot = path.join(ARTIFACTS, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  await page.close();
});
