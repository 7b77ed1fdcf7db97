#!/usr/bin/env node
// Browser test of the commissioners' dashboard. It starts the real service and a fresh area
// (harness.mjs), seeds referrals, acceptances and rejections through the API, then drives Debian's
// chromium with playwright-core (never a downloaded browser) and checks what a commissioner sees
// against what the API answers, and the page's accessibility with axe-core.
//
// Environment:
//   IJ_BIN           the ij binary (required)
//   DATABASE_URL     the test database as the service role (required)
//   DATABASE_OWNER_URL  the same database as its owner (migrations and SQL set-up; default DATABASE_URL)
//   IJ_ARTIFACT_DIR  where the screenshot goes (default: the current folder)
//   IJ_CHROMIUM      the browser (default /usr/bin/chromium)
// Run by ctest as the test `browser`; `npm ci` in this folder first (scripts/test does).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, axe, daysAgo, launch, startService } from './harness.mjs';

const ARTIFACTS = process.env.IJ_ARTIFACT_DIR || process.cwd();

let world = null;
let browser = null;
let base = '';
let tokens = {};
let call;
let ok;
let psql;

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
// A rate with its interval when the API gives one, as the areas table shows it.
function shownRate(cell) {
  const rate = shown(cell, 'rate');
  if (!cell || cell.suppressed || typeof cell.ci_low !== 'number' || typeof cell.ci_high !== 'number') return rate;
  return `${rate} (${(cell.ci_low * 100).toFixed(1)}% to ${(cell.ci_high * 100).toFixed(1)}%)`;
}
const AREA_RATES = ['acceptance_rate', 'started_within_target_rate', 'completion_rate', 'non_compliance_rate', 'attendance_rate'];
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

async function expectedFigures(query, token = tokens.commissioner) {
  const q = query ? `?${query}` : '';
  const summary = (await ok('GET', `/v1/stats/summary${q}`, { token })).json;
  const reoff = (await ok('GET', `/v1/stats/reoffending${q}`, { token })).json;
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
  world = await startService({ name: 'dashboard' });
  ({ base, tokens, call, ok, psql } = world);

  // 18 referrals in ward-a (12 accepted, 5 rejected, 1 waiting) and 2 in ward-b: ward-b's count is
  // below the suppression threshold, ward-a's acceptance rate has 17 triaged.
  const make = async (ward, i) => {
    const body = {
      person: { name: `Person ${ward} ${i}`, date_of_birth: i % 2 ? '2003-02-01' : '1990-06-15', postcode: 'DE1 1AA', police_id: `22/${world.area.slice(2, 8)}${ward.slice(-1)}${i}` },
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

  const b = await launch();
  browser = await b.newContext({ viewport: DESKTOP, acceptDownloads: true });
  browser.close = async () => b.close();
});

after(async () => {
  await browser?.close().catch(() => {});
  await world?.close();
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
  assert.deepEqual(await axe(page), [], 'no accessibility violation (axe-core)');
  await page.close();
});

// ---- the national view --------------------------------------------------------------------------

// The areas table as shown: { area code: [name, referrals, rates...] } and the codes in order.
async function pageAreas(page) {
  return page.evaluate(() => {
    const text = (n) => (n.querySelector('.ij-cell')?.firstChild?.textContent ?? n.textContent).trim();
    const rows = [...document.querySelectorAll('#areas-table tbody tr, #areas-table tfoot tr')];
    return {
      order: rows.filter((tr) => tr.parentElement.tagName === 'TBODY').map((tr) => tr.dataset.area),
      cells: Object.fromEntries(rows.map((tr) => [tr.dataset.area, [...tr.children].map(text)])),
    };
  });
}

async function expectedAreas(query) {
  const q = new URLSearchParams(query);
  q.delete('scope');
  const body = (await ok('GET', `/v1/stats/areas?${q}`, { token: tokens.national_commissioner })).json;
  const row = (r, name) => [name, shown(r.referrals), ...AREA_RATES.map((k) => shownRate(r[k]))];
  const cells = Object.fromEntries(body.areas.map((r) => [r.area, row(r, r.area_name)]));
  cells.national = row(body.national, 'All areas');
  return { body, cells };
}

// Downloads with the button and compares the file with the API's CSV for the figures on screen.
async function expectCsvButton(page, button, apiPath, token) {
  const params = new URLSearchParams(new URL(page.url()).search);
  if (apiPath.includes('/areas')) params.delete('scope');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const downloaded = fs.readFileSync(await download.path(), 'utf8');
  const csv = await ok('GET', `${apiPath}?${params}`, { token });
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.ok(csv.text.split('\r\n').length > 2, `${apiPath}: some rows`);
  assert.equal(downloaded, csv.text, `${button}: the file is the API's CSV`);
  assert.match(download.suggestedFilename(), /\.csv$/);
}

// Full-page screenshots at 390 and 1280 px, and of one section when a selector is given.
async function screenshots(page, name, section = null) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize();
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    await page.waitForTimeout(100); // the charts are drawn again at the new width
    const shot = path.join(ARTIFACTS, `${name}-${vp.width}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    if (section) {
      const part = path.join(ARTIFACTS, `${name}-section-${vp.width}.png`);
      await page.locator(section).screenshot({ path: part });
      console.log(`screenshot: ${part}`);
    }
  }
  await page.setViewportSize(before);
}

test('a commissioner sees their area by name and can download the reoffending figures', async () => {
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${base}/dashboard#token=${tokens.commissioner}`);
  await waitReady(page);
  assert.equal((await page.textContent('#area-caption')).trim(), 'Immediate Justice – Browser test area');
  assert.equal(await page.isVisible('#scope'), false, 'no national view for an area commissioner');
  assert.equal(await page.isVisible('#areas-section'), false);
  await expectCsvButton(page, '#download-reoffending-csv', '/v1/stats/reoffending.csv', tokens.commissioner);
  await expectCsvButton(page, '#download-csv', '/v1/stats/summary.csv', tokens.commissioner);
  await screenshots(page, 'dashboard-area');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a national commissioner sees the national figures and the areas compared, sortable, as the API', async () => {
  psql(`INSERT INTO areas (code, name) VALUES ('${world.area}z', 'Zeta Shire') ON CONFLICT DO NOTHING`);
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${base}/dashboard#token=${tokens.national_commissioner}`);
  await waitReady(page);
  assert.ok(!page.url().includes('token='));
  assert.equal(await page.inputValue('#scope'), 'national', 'the national view first');
  assert.equal(await page.isVisible('#ward'), false, 'no ward filter nationally');
  assert.equal((await page.textContent('#area-caption')).trim(), 'Immediate Justice – All areas');
  let query = new URL(page.url()).searchParams;
  assert.equal(query.get('scope'), 'national');

  // the national figures are the API's
  assertSame(await pageFigures(page), await expectedFigures(query.toString(), tokens.national_commissioner));
  // every area, by name, with its figures and the totals
  let expected = await expectedAreas(query);
  let onPage = await pageAreas(page);
  assert.deepEqual(onPage.cells, expected.cells);
  assert.ok(expected.body.areas.length >= 2);
  assert.equal(onPage.cells[world.area][0], 'Browser test area');
  assert.equal(onPage.cells[`${world.area}z`][0], 'Zeta Shire');
  assert.equal(onPage.cells[world.area][1], '20', 'the seeded area\'s referrals');
  const names = onPage.order.map((a) => onPage.cells[a][0]);
  assert.deepEqual(names, [...names].sort((x, y) => x.localeCompare(y, 'en-GB')), 'sorted by name at first');

  // sorting by referrals, up then down; suppressed figures last either way
  const referralsOrder = async () => (await pageAreas(page)).order.map((a) => expected.body.areas.find((r) => r.area === a).referrals);
  const isSorted = (cells, dir) => {
    const shownValues = cells.filter((c) => !c.suppressed).map((c) => c.value);
    const firstSuppressed = cells.findIndex((c) => c.suppressed);
    if (firstSuppressed >= 0) assert.ok(cells.slice(firstSuppressed).every((c) => c.suppressed), 'suppressed last');
    for (let i = 1; i < shownValues.length; i++) {
      assert.ok(dir === 'ascending' ? shownValues[i - 1] <= shownValues[i] : shownValues[i - 1] >= shownValues[i], `${dir} at ${i}`);
    }
  };
  await page.click('#areas-table [data-sort="referrals"]');
  assert.equal(await page.getAttribute('#areas-table th:nth-child(2)', 'aria-sort'), 'ascending');
  isSorted(await referralsOrder(), 'ascending');
  await page.click('#areas-table [data-sort="referrals"]');
  assert.equal(await page.getAttribute('#areas-table th:nth-child(2)', 'aria-sort'), 'descending');
  isSorted(await referralsOrder(), 'descending');
  assert.equal(await page.getAttribute('#areas-table th:nth-child(1)', 'aria-sort'), 'none');
  // sorting changes the order, never the figures
  assert.deepEqual((await pageAreas(page)).cells, expected.cells);

  // the same filters: an offence category
  await page.selectOption('#offence_category', 'asb');
  await page.click('#apply');
  await waitReady(page);
  query = new URL(page.url()).searchParams;
  assert.equal(query.get('offence_category'), 'asb');
  assert.equal(query.get('scope'), 'national');
  assertSame(await pageFigures(page), await expectedFigures(query.toString(), tokens.national_commissioner));
  expected = await expectedAreas(query);
  onPage = await pageAreas(page);
  assert.deepEqual(onPage.cells, expected.cells);
  assert.notEqual(onPage.cells[world.area][1], '20', 'the filter changed the figures');

  // every figure set on the page as CSV, equal to the API's for the same filters
  await expectCsvButton(page, '#download-csv', '/v1/stats/summary.csv', tokens.national_commissioner);
  await expectCsvButton(page, '#download-reoffending-csv', '/v1/stats/reoffending.csv', tokens.national_commissioner);
  await expectCsvButton(page, '#download-areas-csv', '/v1/stats/areas.csv', tokens.national_commissioner);

  // their own area, by choice: no comparison, the ward filter back
  await page.selectOption('#scope', 'area');
  assert.equal(await page.isVisible('#ward'), true);
  await page.click('#apply');
  await waitReady(page);
  assert.equal(await page.isVisible('#areas-section'), false);
  assert.equal((await page.textContent('#area-caption')).trim(), 'Immediate Justice – Browser test area');
  query = new URL(page.url()).searchParams;
  assert.equal(query.get('scope'), 'area');
  assertSame(await pageFigures(page), await expectedFigures(query.toString(), tokens.national_commissioner));

  await page.selectOption('#scope', 'national');
  await page.click('#apply');
  await waitReady(page);
  await screenshots(page, 'dashboard-national');
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  assert.deepEqual(await axe(page), [], 'no accessibility violation (axe-core)');
  await page.close();
});

test('on a phone (320 px): no sideways scrolling, chart text of 12 px or more, tables scroll inside themselves', async () => {
  for (const role of ['national_commissioner', 'commissioner']) {
    const context = await browser.browser().newContext({ viewport: { width: 320, height: 640 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${base}/dashboard#token=${tokens[role]}`);
    await waitReady(page);
    const layout = await page.evaluate(() => {
      const sideways = document.documentElement.scrollWidth - document.documentElement.clientWidth;
      // what sticks out, to say so when the page scrolls sideways
      const out = [...document.querySelectorAll('body *')]
        .filter((n) => n.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && !n.closest('.ij-table-scroll'))
        .slice(0, 5).map((n) => `${n.tagName.toLowerCase()}#${n.id}.${n.className?.baseVal ?? n.className} ${Math.round(n.getBoundingClientRect().right)}`);
      const texts = [];
      for (const s of document.querySelectorAll('svg.ij-svg')) {
        const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
        for (const t of s.querySelectorAll('text')) {
          texts.push({ text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale });
        }
      }
      const tables = [...document.querySelectorAll('table')].filter((t) => t.offsetParent !== null).map((t) => {
        const region = t.closest('.ij-table-scroll');
        const label = region && document.getElementById(region.getAttribute('aria-labelledby'));
        return {
          id: t.id,
          region: region?.getAttribute('role'),
          focusable: region?.tabIndex === 0,
          label: label?.textContent.trim() ?? '',
          fits: region ? region.getBoundingClientRect().right <= document.documentElement.clientWidth : false,
          scrollsInside: region ? region.scrollWidth > region.clientWidth : false,
        };
      });
      return { sideways, out, texts, tables };
    });
    assert.ok(layout.sideways <= 0, `${role}: the page scrolls sideways by ${layout.sideways}px at 320 px: ${layout.out.join('; ')}`);
    assert.ok(layout.texts.length > 10, `${role}: the charts have text`);
    const small = layout.texts.filter((t) => t.px < 12 - 1e-6);
    assert.deepEqual(small, [], `${role}: chart text under 12 px`);
    for (const t of layout.tables) {
      assert.equal(t.region, 'region', `${t.id}: in a region`);
      assert.ok(t.focusable, `${t.id}: the region can be focused (to scroll it with the keyboard)`);
      assert.ok(t.label.length > 0, `${t.id}: the region is labelled`);
      assert.ok(t.fits, `${t.id}: the region fits the screen`);
    }
    if (role === 'national_commissioner') {
      const areas = layout.tables.find((t) => t.id === 'areas-table');
      assert.ok(areas, 'the areas table is shown');
      assert.ok(areas.scrollsInside, 'the areas table scrolls inside its region');
    }
    const quarterly = layout.tables.find((t) => t.id === 'quarterly-table');
    assert.ok(quarterly, `${role}: the quarterly return is shown`);
    assert.ok(quarterly.scrollsInside, `${role}: the quarterly return scrolls inside its region`);
    assert.ok(await smallestText(page, '#quarterly-section') >= 12, `${role}: no text under 12 px in the quarterly return`);
    assert.deepEqual(problems, []);
    assert.deepEqual(await axe(page), [], `${role}: no accessibility violation at 320 px`);
    await context.close();
  }
});

// ---- the quarterly return ------------------------------------------------------------------------

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The quarterly table as shown: per quarter, its label and, per cell, the texts of its figures
// ([rate with interval, reoffended, checked] for an elapsed window, ['not yet'] for another),
// without the texts only a screen reader reads.
async function pageQuarterly(page) {
  return page.evaluate(() => [...document.querySelectorAll('#quarterly-table tbody tr')].map((tr) => ({
    quarter: tr.dataset.quarter,
    cells: [...tr.children].map((c, i) => (i === 0 ? c.textContent.trim()
      : [...c.querySelectorAll('.ij-cell')].map((n) => {
        const copy = n.cloneNode(true);
        for (const hidden of copy.querySelectorAll('.govuk-visually-hidden')) hidden.remove();
        return copy.textContent.trim();
      }))),
    suppressed: tr.querySelectorAll('.ij-cell[data-suppressed="true"]').length,
  })));
}

// The quarterly return the page should show for its address's query: the API's, asked
// separately here, for the period the summary states and the same filters but the age band.
async function expectedQuarterly(query, token) {
  const q = new URLSearchParams(query);
  const summary = (await ok('GET', `/v1/stats/summary?${q}`, { token })).json;
  q.delete('age_band');
  q.set('from', summary.from);
  q.set('to', summary.to);
  const body = (await ok('GET', `/v1/stats/quarterly?${q}`, { token })).json;
  const rows = body.quarters.map((r) => {
    const window = (m) => {
      const w = r.reoffending.find((x) => x.months === m);
      return w.elapsed ? [shownRate(w.rate), shown(w.reoffended), shown(w.cohort)] : ['not yet'];
    };
    const [y, n] = r.quarter.split('-Q');
    return {
      quarter: r.quarter,
      cells: [`${y} Q${n}`, [shown(r.referrals)], [shown(r.under_18)], [shown(r.adults)],
        [shownRate(r.started_within_target_rate)], [shown(r.hours_delivered, 'hours')],
        [shownRate(r.completion_rate)], [shownRate(r.non_compliance_rate)], window(3), window(6), window(12)],
    };
  });
  return { query: q, body, rows };
}

function assertQuarterly(onPage, expected, what) {
  assert.ok(expected.rows.length >= 4, `${what}: the period has at least four quarters`);
  assert.deepEqual(onPage.map(({ quarter, cells }) => ({ quarter, cells })), expected.rows, `${what}: the quarterly table is the API's`);
}

// The entries of a zip file (an xlsx): name -> bytes. Stored and deflated entries, as
// libxlsxwriter writes them.
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'a zip file: its end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = {};
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    assert.equal(buf.readUInt32LE(local), 0x04034b50, `${name}: a local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const stored = buf.subarray(start, start + compressedSize);
    assert.ok(method === 0 || method === 8, `${name}: stored or deflated`);
    entries[name] = method === 0 ? stored : zlib.inflateRawSync(stored);
    assert.equal(entries[name].length, size, `${name}: its size`);
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

// The API's answer as bytes (the workbook).
async function apiBytes(route, token, accept) {
  const res = await fetch(`${base}${route}`, { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
  assert.equal(res.status, 200, route);
  assert.equal(res.headers.get('content-type'), accept, `${route}: its type`);
  return Buffer.from(await res.arrayBuffer());
}

// The downloaded workbook is the API's: the same bytes, or (written in another second) the same
// parts but the creation time in its document properties.
function assertSameWorkbook(file, fromApi, expected) {
  assert.equal(file.subarray(0, 2).toString('latin1'), 'PK', 'the workbook is a zip file');
  const parts = unzip(file);
  const apiParts = unzip(fromApi);
  assert.deepEqual(Object.keys(parts).sort(), Object.keys(apiParts).sort(), 'the workbook\'s parts');
  assert.match(parts['[Content_Types].xml'].toString('utf8'), /spreadsheetml\.sheet\.main\+xml/, 'a spreadsheet');
  assert.match(parts['xl/workbook.xml'].toString('utf8'), /<sheet name="Quarterly return"/);
  const sheet = parts['xl/worksheets/sheet1.xml'].toString('utf8');
  for (const q of expected.body.quarters) assert.ok(sheet.includes(`>${q.quarter}<`), `the sheet has ${q.quarter}`);
  if (file.equals(fromApi)) {
    console.log('workbook: the same bytes as the API\'s');
    return;
  }
  console.log('workbook: the same parts as the API\'s, but the creation time');
  const timeless = (b) => b.toString('utf8').replace(/<dcterms:(created|modified)[^>]*>[^<]*<\/dcterms:\1>/g, '');
  for (const [name, bytes] of Object.entries(parts)) {
    if (name === 'docProps/core.xml') assert.equal(timeless(bytes), timeless(apiParts[name]), name);
    else assert.ok(bytes.equals(apiParts[name]), `${name}: the API's`);
  }
}

// Both downloads of the quarterly return on screen: the CSV is the API's text, the workbook the
// API's workbook.
async function expectQuarterlyDownloads(page, expected, token) {
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-quarterly-csv')]);
  const csvFile = fs.readFileSync(await csvDownload.path(), 'utf8');
  const csv = await ok('GET', `/v1/stats/quarterly.csv?${expected.query}`, { token });
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.equal(csv.text.split('\r\n')[0], 'area,from,to,quarter,window_months,measure,value,ci_low,ci_high,numerator,denominator,suppressed');
  assert.ok(csv.text.split('\r\n').length > expected.body.quarters.length * 7, 'a record per figure');
  assert.equal(csvFile, csv.text, 'the CSV file is the API\'s');
  assert.match(csvDownload.suggestedFilename(), /^immediate-justice-quarterly(-national)?-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);

  const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-quarterly-xlsx')]);
  const xlsxFile = fs.readFileSync(await xlsxDownload.path());
  const xlsx = await apiBytes(`/v1/stats/quarterly.xlsx?${expected.query}`, token, XLSX_TYPE);
  assertSameWorkbook(xlsxFile, xlsx, expected);
  assert.match(xlsxDownload.suggestedFilename(), /^immediate-justice-quarterly(-national)?-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.xlsx$/);
  return { csv: csvDownload.suggestedFilename(), xlsx: xlsxDownload.suggestedFilename() };
}

// No text in the section under 12 px.
async function smallestText(page, selector) {
  return page.evaluate((sel) => {
    let min = Infinity;
    for (const n of document.querySelectorAll(`${sel} *`)) {
      if (!n.offsetParent || n.classList.contains('govuk-visually-hidden')) continue;
      if (![...n.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim())) continue;
      min = Math.min(min, parseFloat(getComputedStyle(n).fontSize));
    }
    return min;
  }, selector);
}

test('a commissioner sees the quarterly return as the API gives it, suppressed cells included, and downloads it', async () => {
  // ten of ward A's accepted referrals returned for non-compliance (a breach put on record by
  // SQL, as the sessions' test does): the quarter's completion and non-compliance are shown, with
  // their intervals
  const accepted = psql(`SELECT id FROM referrals WHERE area = '${world.area}' AND state = 'accepted' ORDER BY id LIMIT 10`);
  assert.equal(accepted.length, 10);
  for (const [id] of accepted) {
    psql(`UPDATE referrals SET state = 'scheduled', breaches = 1 WHERE id = '${id}'`);
    await world.transition(id, { event: 'declare_non_compliance', reason_code: 'unacceptable_absence', reason: 'Did not attend' });
  }
  const token = tokens.commissioner;
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${base}/dashboard#token=${token}`);
  await waitReady(page);
  assert.equal(await page.isVisible('#quarterly-section'), true);

  // all wards: the seeded referrals in the current quarter
  let expected = await expectedQuarterly(new URL(page.url()).searchParams, token);
  let onPage = await pageQuarterly(page);
  assertQuarterly(onPage, expected, 'all wards');
  const current = expected.body.quarters.at(-1);
  assert.equal(current.referrals.value, 20, 'the seeded referrals are in the last quarter shown');
  assert.equal(onPage.at(-1).cells[1][0], '20');
  assert.equal(current.non_compliance_rate.value, 1);
  assert.equal(typeof current.non_compliance_rate.ci_low, 'number', 'the API gives the interval');
  assert.match(onPage.at(-1).cells[7][0], /^100\.0% \(\d+\.\d% to 100\.0%\)$/, 'non-compliance with its interval');
  assert.match(onPage.at(-1).cells[6][0], /^0\.0% \(0\.0% to \d+\.\d%\)$/, 'completion with its interval');
  assert.equal(expected.body.scope, 'area');
  assert.ok(onPage.some((r) => r.cells.slice(8).some((c) => c[0] === 'not yet')), 'a window that has not elapsed reads "not yet"');
  await expectQuarterlyDownloads(page, expected, token);

  // ward B's 2 referrals: suppressed, on screen as [c]
  await page.selectOption('#ward', 'ward-b');
  await page.click('#apply');
  await waitReady(page);
  expected = await expectedQuarterly(new URL(page.url()).searchParams, token);
  assert.equal(expected.query.get('ward'), 'ward-b');
  assert.equal(expected.body.quarters.at(-1).referrals.suppressed, true, 'the API suppresses ward B\'s referrals');
  onPage = await pageQuarterly(page);
  assertQuarterly(onPage, expected, 'ward B');
  assert.equal(onPage.at(-1).cells[1][0], '[c]');
  assert.ok(onPage.at(-1).suppressed > 0, 'the suppressed cell is marked');
  assert.equal(await page.getAttribute('#quarterly-table tbody tr:last-child td:nth-child(2) .ij-cell', 'data-suppressed'), 'true');
  assert.match(await page.textContent('#quarterly-note'), /\[c\] means a figure is suppressed/);
  const names = await expectQuarterlyDownloads(page, expected, token);
  assert.doesNotMatch(names.csv, /national/);

  // an age band: the return splits by age itself, and says so
  await page.selectOption('#ward', '');
  await page.selectOption('#age_band', '18-24');
  await page.click('#apply');
  await waitReady(page);
  assert.equal(new URL(page.url()).searchParams.get('age_band'), '18-24');
  assert.equal(await page.isVisible('#quarterly-age-note'), true);
  expected = await expectedQuarterly(new URL(page.url()).searchParams, token);
  assert.equal(expected.query.get('age_band'), null);
  assertQuarterly(await pageQuarterly(page), expected, 'an age band');
  assert.equal(expected.body.quarters.at(-1).referrals.value, 20, 'the whole area, every age');

  await page.selectOption('#age_band', '');
  await page.click('#apply');
  await waitReady(page);
  assert.equal(await page.isVisible('#quarterly-age-note'), false);
  assert.ok(await smallestText(page, '#quarterly-section') >= 12, 'no text under 12 px');
  await screenshots(page, 'dashboard-quarterly', '#quarterly-section');
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  assert.deepEqual(await axe(page), [], 'no accessibility violation (axe-core) with the quarterly return shown');
  assert.ok(!page.url().includes('token='), 'no token in the address');
  await page.close();
});

test('a national commissioner sees the national quarterly return, and their own area\'s by choice', async () => {
  const token = tokens.national_commissioner;
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${base}/dashboard#token=${token}`);
  await waitReady(page);
  let expected = await expectedQuarterly(new URL(page.url()).searchParams, token);
  assert.equal(expected.query.get('scope'), 'national');
  assert.equal(expected.body.scope, 'national');
  assertQuarterly(await pageQuarterly(page), expected, 'national');
  assert.ok(expected.body.quarters.at(-1).referrals.value >= 20, 'every area\'s referrals');
  const names = await expectQuarterlyDownloads(page, expected, token);
  assert.match(names.csv, /^immediate-justice-quarterly-national-/);

  await page.selectOption('#scope', 'area');
  await page.click('#apply');
  await waitReady(page);
  expected = await expectedQuarterly(new URL(page.url()).searchParams, token);
  assert.equal(expected.body.scope, 'area');
  assertQuarterly(await pageQuarterly(page), expected, 'their own area');
  assert.equal(expected.body.quarters.at(-1).referrals.value, 20);
  assert.deepEqual(problems, []);
  await page.close();
});
