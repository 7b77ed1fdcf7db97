#!/usr/bin/env node
// The coordinators' pages, part B, at a desk (1280 px; every page also checked at 320 and 390 px):
// placements and sessions made from the pages and seen in the week with the places left, a bulk
// outcome with one failing booking named by its person, changing and cancelling a session after
// seeing what happens to its bookings, recording a reoffending check, and a police file whose
// problems are shown by a dry run before anything is saved. Each journey ends by checking the
// result through the API.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, checkPage, go, launch, newPage, signIn, startService, waitReady } from './harness.mjs';

let world;
let browser;

before(async () => {
  world = await startService({ name: 'coordb' });
  browser = await launch();
  await world.directory();
});

after(async () => {
  await browser?.close().catch(() => {});
  await world?.close();
});

// ---- helpers -------------------------------------------------------------------------------------

const londonFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const londonDay = (offset = 0) => londonFmt.format(new Date(Date.now() + offset * 86_400_000));
function mondayOf(day) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
function plusDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// checkPage, and no value left out of the text (a null or an object written as words).
async function check(page, name) {
  assert.doesNotMatch(await page.textContent('main'), /\bnull\b|\bundefined\b|\[object Object\]|\bNaN\b/, `${name}: every value shown`);
  await checkPage(page, name);
}

const get = async (route) => (await world.ok('GET', route, { token: world.tokens.coordinator })).json;

// Clicks and waits for the next page (or the same page again) to show `selector`.
async function clickThen(page, click, selector) {
  await page.click(click);
  await page.waitForSelector(selector, { timeout: 30_000 });
  await waitReady(page);
}

const hashId = (page, re) => {
  const m = re.exec(new URL(page.url()).hash);
  assert.ok(m, `the address ${page.url()} matches ${re}`);
  return m[1];
};

// A referral that ended (non-compliant), with its 3-month check due five days ago: the exit moved
// back by SQL, as the HTTP suite does.
async function exitedReferral(policeId, name) {
  const r = await world.referral({ person: { name, date_of_birth: '1998-02-03', postcode: 'DE1 2AB',
    phone: '07700 900123', police_id: policeId } });
  world.psql(`UPDATE referrals SET state = 'scheduled', breaches = 1 WHERE id = '${r.id}'`);
  await world.transition(r.id, { event: 'declare_non_compliance', reason_code: 'unacceptable_absence', reason: 'Did not attend' });
  world.psql(`UPDATE followup_checks SET exited_on = current_date - interval '3 months' - interval '5 days',
    due_on = current_date - interval '3 months' - interval '5 days' + window_months * interval '1 month'
    WHERE referral_id = '${r.id}'`);
  const checks = (await get(`/v1/followups?status=all&referral_id=${r.id}`)).items;
  return { referral: r, three: checks.find((c) => c.window_months === 3) };
}

// ---- journeys ------------------------------------------------------------------------------------

test('a placement and a session made from the pages, seen in the week with the places left, which fall as people are booked', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', '/placements');
  assert.equal(await page.textContent('h1'), 'Placements');
  await check(page, 'coordb-placements-empty');

  // the form's refusal names every missing field, from the API's field errors
  await go(page, '/placements/new');
  await check(page, 'coordb-placement-new');
  await clickThen(page, '#save', '#error-summary');
  const summary = await page.textContent('#error-summary');
  for (const f of [/name/i, /type/i, /provider/i, /ward/i, /supervisor/i]) assert.match(summary, f);
  await check(page, 'coordb-placement-new-errors');
  assert.equal((await get('/v1/placements')).items.length, 0, 'nothing was stored');

  await page.fill('input[name="name"]', 'Canal towpath clear-up');
  await page.check('input[name="type"][value="litter_picking"]');
  await page.fill('input[name="provider"]', 'Canal and River Friends');
  await page.selectOption('select[name="ward"]', 'ward-b');
  await page.fill('textarea[name="location"]', 'Meet at the lock keeper\'s cottage');
  await page.fill('input[name="min_age"]', '16');
  await page.selectOption('select[name="supervisor"]', world.subs.supervisor.sub);
  await clickThen(page, '#save', '#placement-summary');
  const placementId = hashId(page, /^#\/placements\/([0-9a-f-]{36})$/);
  await check(page, 'coordb-placement');
  const placement = await get(`/v1/placements/${placementId}`);
  assert.equal(placement.name, 'Canal towpath clear-up');
  assert.equal(placement.type, 'litter_picking');
  assert.equal(placement.ward, 'ward-b');
  assert.equal(placement.min_age, 16);
  assert.equal(placement.supervisor.sub, world.subs.supervisor.sub);

  // change it: the page sends only what changed, with If-Match
  await go(page, `/placements/${placementId}/edit`);
  await check(page, 'coordb-placement-edit');
  await page.fill('input[name="min_age"]', '18');
  await clickThen(page, '#save', '[data-banner="success"]');
  const changed = await get(`/v1/placements/${placementId}`);
  assert.equal(changed.min_age, 18);
  assert.equal(changed.version, 2);

  // a session tomorrow, 10:00 to 13:00 London time, four places
  const day = londonDay(1);
  await go(page, `/placements/${placementId}/sessions/new`);
  await check(page, 'coordb-session-new');
  const [y, m, d] = day.split('-');
  await page.fill('input[name="date-day"]', String(Number(d)));
  await page.fill('input[name="date-month"]', String(Number(m)));
  await page.fill('input[name="date-year"]', y);
  await page.fill('input[name="start"]', '10:00');
  await page.fill('input[name="end"]', '09:00');
  await page.fill('input[name="capacity"]', '4');
  await clickThen(page, '#save', '#error-summary');
  assert.match(await page.textContent('#error-summary'), /ends_at|end/i, 'an end before the start is refused by the API');
  await page.fill('input[name="end"]', '13:00');
  await clickThen(page, '#save', '#session-summary');
  const sessionId = hashId(page, /^#\/sessions\/([0-9a-f-]{36})$/);
  await check(page, 'coordb-session');
  const made = await get(`/v1/sessions/${sessionId}`);
  assert.equal(made.capacity, 4);
  assert.equal(made.placement.id, placementId);
  assert.equal(made.supervisor.sub, world.subs.supervisor.sub);
  const startLondon = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  assert.equal(startLondon.format(new Date(made.starts_at)), '10:00');
  assert.equal(startLondon.format(new Date(made.ends_at)), '13:00');
  assert.equal(londonFmt.format(new Date(made.starts_at)), day);

  // the week shows it on its day with four places left
  const week = mondayOf(day);
  await go(page, `/sessions?week=${week}`);
  const row = `section[data-day="${day}"] tr[data-session="${sessionId}"]`;
  assert.equal(await page.getAttribute(`${row} [data-places]`, 'data-places'), '4');
  assert.match(await page.textContent(row), /10:00 to 13:00.*Canal towpath clear-up.*Bramble.*Sam Supervisor.*4 of 4 left/s);
  assert.equal(await page.locator('section.ij-day').count(), 7, 'Monday to Sunday');
  await check(page, 'coordb-sessions-week');

  // people booked through the API: the places left fall
  for (let i = 0; i < 2; i++) await world.book((await world.accepted()).id, sessionId);
  await go(page, '/');
  await go(page, `/sessions?week=${week}`);
  assert.equal(await page.getAttribute(`${row} [data-places]`, 'data-places'), '2');
  assert.match(await page.textContent(row), /2 of 4 left/);
  assert.equal((await get(`/v1/sessions/${sessionId}`)).available, 2);

  // the filters: another ward hides it, its own shows it; the week links keep the filter
  await page.selectOption('select[name="ward"]', 'ward-a');
  await page.click('#filter');
  await page.waitForFunction(() => location.hash.includes('ward=ward-a'));
  await waitReady(page);
  assert.equal(await page.locator(row).count(), 0);
  await page.selectOption('select[name="ward"]', 'ward-b');
  await page.selectOption('select[name="type"]', 'litter_picking');
  await page.click('#filter');
  await page.waitForFunction(() => location.hash.includes('ward=ward-b'));
  await waitReady(page);
  assert.equal(await page.locator(row).count(), 1);
  assert.match(await page.getAttribute('a[rel="next"]', 'href'), new RegExp(`week=${plusDays(week, 7)}&ward=ward-b&type=litter_picking`));
  await check(page, 'coordb-sessions-week-filtered');
  await page.click('a[rel="next"]');
  await page.waitForFunction((w) => location.hash.includes(`week=${w}`), plusDays(week, 7));
  await waitReady(page);
  assert.equal(await page.locator(row).count(), 0);
  assert.match(await page.textContent('h1'), /Week beginning/);
  await page.context().close();

  // on a phone the week stacks by day, each session a block of its own
  const phone = await newPage(browser, PHONE);
  await signIn(phone, world, 'coordinator', `/sessions?week=${week}`);
  assert.equal(await phone.evaluate((sel) => getComputedStyle(document.querySelector(`${sel} td`)).display, row), 'block');
  await check(phone, 'coordb-sessions-week-phone');
  await phone.context().close();
});

test('a session that is over is entered from its paper register only with a reason', async () => {
  const placement = await world.placement();
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', `/placements/${placement.id}/sessions/new`);
  const [y, m, d] = londonDay(-1).split('-');
  await page.fill('input[name="date-day"]', String(Number(d)));
  await page.fill('input[name="date-month"]', String(Number(m)));
  await page.fill('input[name="date-year"]', y);
  await page.fill('input[name="start"]', '09:00');
  await page.fill('input[name="end"]', '12:00');
  await page.fill('input[name="capacity"]', '3');
  await clickThen(page, '#save', '#error-summary');
  assert.equal(await page.locator('[data-field="date"].govuk-form-group--error').count(), 1, 'the past start is shown on the date');
  await check(page, 'coordb-session-new-late-errors');
  assert.equal((await get(`/v1/sessions?placement=${placement.id}`)).items.length, 0, 'nothing was stored');
  await page.fill('textarea[name="late_entry_reason"]', 'No signal on site; register kept on paper.');
  await clickThen(page, '#save', '#session-summary');
  assert.match(await page.textContent('#session-summary'), /Entered late from paper.*No signal on site/s);
  const id = hashId(page, /^#\/sessions\/([0-9a-f-]{36})$/);
  assert.equal((await get(`/v1/sessions/${id}`)).late_entry_reason, 'No signal on site; register kept on paper.');
  await page.context().close();
});

test('a bulk outcome on a session that has happened: a failing booking is named by its person and nothing is recorded, then the others are recorded', async () => {
  const session = await world.session({ ahead: 30, hours: 3, capacity: 6 });
  const refs = [];
  for (let i = 0; i < 3; i++) {
    const r = await world.accepted();
    refs.push(r);
    await world.book(r.id, session.id);
  }
  world.startsIn(session.id, '-4 hours');
  let s = await get(`/v1/sessions/${session.id}`);
  const [a, b, c] = refs.map((r) => s.bookings.find((x) => x.referral_id === r.id));
  // the third person has an outcome already: without a reason for the change, theirs fails
  const cb = await world.ok('GET', `/v1/bookings/${c.id}`, { token: world.tokens.coordinator });
  await world.ok('POST', `/v1/bookings/${c.id}/outcome`, { token: world.tokens.coordinator,
    headers: { 'If-Match': cb.headers.get('etag') }, body: { outcome: 'absent_acceptable', absence_reason: 'medical' } });

  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', `/sessions/${session.id}`);
  assert.match(await page.textContent('#bookings'), new RegExp(c.person_name));
  assert.equal(await page.getAttribute('a[href^="#/register/"]', 'href'), `#/register/${session.id}`);
  await check(page, 'coordb-session-past');
  for (const x of [a, b, c]) await page.check(`input[name="booking_ids"][value="${x.id}"]`);
  await page.check('input[name="outcome"][value="attended_complied"]');
  await page.selectOption('select[name="behaviour"]', 'good');
  await page.fill('textarea[name="notes"]', 'Cleared the path.');
  await clickThen(page, '#bulk-submit', '#error-summary');
  const errors = await page.textContent('#error-summary');
  assert.match(errors, new RegExp(`${c.person_name}: reason for the change is required`), 'the failing booking is named by its person');
  assert.doesNotMatch(errors, new RegExp(`${a.person_name}\\b`));
  assert.doesNotMatch(errors, new RegExp(`${b.person_name}\\b`));
  await check(page, 'coordb-session-bulk-errors');
  s = await get(`/v1/sessions/${session.id}`);
  assert.deepEqual([a, b, c].map((x) => s.bookings.find((y) => y.id === x.id).status), ['booked', 'booked', 'absent_acceptable'],
    'nothing was recorded');

  // the summary's link goes to the person's box; untick them and send again
  await page.uncheck(`input[name="booking_ids"][value="${c.id}"]`);
  await clickThen(page, '#bulk-submit', '[data-banner="success"]');
  assert.match(await page.textContent('[data-banner="success"]'), /Outcome recorded for 2 people/);
  await check(page, 'coordb-session-bulk-done');
  s = await get(`/v1/sessions/${session.id}`);
  for (const x of [a, b]) {
    const now = s.bookings.find((y) => y.id === x.id);
    assert.equal(now.status, 'attended_complied');
    assert.equal(now.minutes_credited, 180);
  }
  assert.equal(s.bookings.find((y) => y.id === c.id).status, 'absent_acceptable');
  const booking = (await get(`/v1/bookings/${a.id}`));
  assert.equal(booking.outcomes.length, 1, 'recorded once');
  assert.equal(booking.behaviour, 'good');
  await page.context().close();
});

test('a session changed, then cancelled after seeing what happens to each booking', async () => {
  const session = await world.session({ ahead: 40, hours: 2, capacity: 3 });
  const other = await world.session({ ahead: 80, hours: 2, capacity: 3 });
  const only = await world.accepted();
  const twice = await world.accepted();
  await world.book(only.id, session.id);
  await world.book(twice.id, session.id);
  await world.book(twice.id, other.id);
  const s0 = await get(`/v1/sessions/${session.id}`);
  const nameOf = (r) => s0.bookings.find((x) => x.referral_id === r.id).person_name;

  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', `/sessions/${session.id}/edit`);
  await check(page, 'coordb-session-edit');
  await page.fill('input[name="capacity"]', '1');
  await clickThen(page, '#save', '#error-summary');
  assert.match(await page.textContent('#error-summary'), /capacity|places/i);
  assert.equal((await get(`/v1/sessions/${session.id}`)).capacity, 3, 'nothing changed');
  await check(page, 'coordb-session-edit-errors');
  await page.fill('input[name="capacity"]', '8');
  await clickThen(page, '#save', '[data-banner="success"]');
  assert.equal((await get(`/v1/sessions/${session.id}`)).capacity, 8);
  assert.match(await page.textContent('#places-left'), /6 of 8 left/);

  await page.click(`a[href="#/sessions/${session.id}/cancel"]`);
  await page.waitForSelector('#cancel-effects');
  await waitReady(page);
  const effects = await page.textContent('#cancel-effects');
  assert.match(effects, new RegExp(`${nameOf(only)}The booking is cancelled\\. The referral goes back to accepted`));
  assert.match(effects, new RegExp(`${nameOf(twice)}The booking is cancelled\\. They keep their 1 other booking`));
  await check(page, 'coordb-session-cancel');
  assert.equal((await get(`/v1/sessions/${session.id}`)).cancelled, false, 'seeing it changes nothing');

  await clickThen(page, '#confirm-cancel', '[data-banner="success"]');
  const done = await page.textContent('[data-banner="success"]');
  assert.match(done, /The session was cancelled/);
  assert.match(done, new RegExp(nameOf(only)));
  assert.match(done, new RegExp(nameOf(twice)));
  assert.equal(await page.locator(`a[href="#/sessions/${session.id}/cancel"]`).count(), 0, 'no second cancel');
  await check(page, 'coordb-session-cancelled');
  const s1 = await get(`/v1/sessions/${session.id}`);
  assert.equal(s1.cancelled, true);
  assert.deepEqual(s1.bookings.map((x) => x.status), ['cancelled', 'cancelled']);
  assert.equal((await get(`/v1/referrals/${only.id}`)).state, 'accepted', 'back to needing a session');
  const kept = await get(`/v1/referrals/${twice.id}`);
  assert.equal(kept.state, 'scheduled');
  assert.equal(kept.active_bookings, 1);
  await page.context().close();
});

test('a reoffending check recorded from its page', async () => {
  const { three } = await exitedReferral('BT/FOLLOW1', 'Fran Follow');
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', '/followups');
  assert.match(await page.textContent(`tr[data-check="${three.id}"]`), /Fran Follow.*3 months.*Due/s);
  await check(page, 'coordb-followups');
  await page.click(`tr[data-check="${three.id}"] a`);
  await page.waitForSelector('#check-form');
  await waitReady(page);
  await check(page, 'coordb-followup');

  // yes without a date or a type: the API names both, nothing is recorded
  await page.check('input[name="reoffended"][value="true"]');
  await clickThen(page, '#save', '#error-summary');
  const errors = await page.textContent('#error-summary');
  assert.match(errors, /reoffence on/i);
  assert.match(errors, /category/i);
  await check(page, 'coordb-followup-errors');
  assert.equal((await get(`/v1/followups/${three.id}`)).recorded_at, null);

  const when = plusDays(three.exited_on, 10);
  const [y, m, d] = when.split('-');
  await page.fill('input[name="first_reoffence_on-day"]', String(Number(d)));
  await page.fill('input[name="first_reoffence_on-month"]', String(Number(m)));
  await page.fill('input[name="first_reoffence_on-year"]', y);
  await page.selectOption('select[name="reoffence_category"]', 'shop_theft');
  await clickThen(page, '#save', '[data-banner="success"]');
  assert.match(await page.textContent('#check-summary'), /Reoffended on.*Shop theft/s);
  await check(page, 'coordb-followup-recorded');
  const now = await get(`/v1/followups/${three.id}`);
  assert.equal(now.reoffended, true);
  assert.equal(now.first_reoffence_on, when);
  assert.equal(now.reoffence_category, 'shop_theft');
  assert.equal(now.source, 'pnc_check');
  assert.equal(now.checked_by.sub, world.subs.coordinator.sub);
  await page.context().close();
});

test('a police file: its bad rows are shown by a dry run and nothing is saved; a good file is then recorded', async () => {
  const one = await exitedReferral('BT/IMPORT1', 'Ira Import');
  const two = await exitedReferral('BT/IMPORT2', 'Ivo Import');
  const csv = (rows) => Buffer.from(`police_id,window_months,reoffended,first_reoffence_on,reoffence_category\n${rows.join('\n')}\n`);
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', '/followups/import');
  await check(page, 'coordb-import');

  await page.setInputFiles('#import-file', { name: 'bad.csv', mimeType: 'text/csv',
    buffer: csv(['BT/IMPORT1,3,no,,', 'BT/IMPORT2,3,yes,,', 'BT/NOBODY,3,no,,']) });
  await clickThen(page, '#check-file', '#import-problems');
  const problems = await page.locator('#import-problems tbody tr').evaluateAll((rows) =>
    rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.ok(problems.some(([row, col]) => row === '3' && col === 'first_reoffence_on'), JSON.stringify(problems));
  assert.ok(problems.some(([row, col]) => row === '4' && col === 'police_id'), JSON.stringify(problems));
  assert.ok(!problems.some(([row]) => row === '2'), 'the good row has no problem');
  assert.match(await page.textContent('#error-summary'), /nothing was recorded/i);
  assert.equal(await page.locator('#record-checks').count(), 0, 'no button to record a refused file');
  await check(page, 'coordb-import-errors');
  for (const x of [one, two]) assert.equal((await get(`/v1/followups/${x.three.id}`)).recorded_at, null, 'nothing saved');

  const when = plusDays(two.three.exited_on, 5);
  await page.setInputFiles('#import-file', { name: 'good.csv', mimeType: 'text/csv',
    buffer: csv(['BT/IMPORT1,3,no,,', `BT/IMPORT2,3,yes,${when},shop_theft`]) });
  await clickThen(page, '#check-file', '#import-ready');
  assert.match(await page.textContent('#import-report'), /Rows\s*2.*Checks it would record\s*2/s);
  assert.equal(await page.locator('#import-rows tbody tr').count(), 2);
  assert.equal((await page.textContent('#record-checks')).trim(), 'Record 2 checks');
  await check(page, 'coordb-import-ready');
  for (const x of [one, two]) assert.equal((await get(`/v1/followups/${x.three.id}`)).recorded_at, null, 'a dry run saves nothing');

  await clickThen(page, '#record-checks', '[data-banner="success"]');
  assert.match(await page.textContent('[data-banner="success"]'), /2 checks recorded from good\.csv/);
  assert.match(new URL(page.url()).hash, /status=recorded/);
  assert.equal(await page.locator(`tr[data-check="${one.three.id}"]`).count(), 1);
  await check(page, 'coordb-followups-recorded');
  const first = await get(`/v1/followups/${one.three.id}`);
  assert.equal(first.reoffended, false);
  assert.equal(first.source, 'police_import');
  const second = await get(`/v1/followups/${two.three.id}`);
  assert.equal(second.reoffended, true);
  assert.equal(second.first_reoffence_on, when);
  await page.context().close();
});

test('only coordinators have these pages', async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, world, 'officer', '/sessions');
  assert.equal(await page.textContent('h1'), 'You cannot use this page');
  for (const route of ['/placements', '/followups']) {
    await go(page, route);
    assert.equal(await page.textContent('h1'), 'You cannot use this page');
  }
  assert.equal(await page.locator('#nav-list a[href="#/sessions"]').count(), 0);
  await page.context().close();
});
