#!/usr/bin/env node
// Coordinators' pages, part A, at a desk (1280 px; checkPage also checks 320 px and keeps 390 px
// shots): the work lists, triage (accept after a refusal, reject), booking from the service's
// suggestions (a refusal when the last place was just taken, then a booking), warnings and a
// non-compliance decision, the referrals list with filters, and finding a person by a misspelt
// name. Every journey ends by checking the result through the API.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { DESKTOP, checkPage, daysAgo, go, launch, newPage, signIn, startService, waitReady } from './harness.mjs';

let world;
let browser;

before(async () => {
  world = await startService({ name: 'coordinator' });
  browser = await launch();
});

after(async () => {
  await browser?.close().catch(() => {});
  await world?.close();
});

const get = async (path) => (await world.ok('GET', path, { token: world.tokens.coordinator })).json;

// Does `action` (a click that ends by moving to another view) and waits until the view at `hash`
// (exact, or a RegExp) is shown: the old view's content is marked first, so that its readiness
// is never taken for the new one's.
async function navigate(page, hash, action) {
  await page.evaluate(() => {
    const mark = document.createElement('span');
    mark.id = 'test-previous-view';
    mark.hidden = true;
    document.querySelector('main').append(mark);
  });
  await action();
  const re = hash instanceof RegExp ? hash.source : `^${hash.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  await page.waitForFunction((src) => new RegExp(src).test(location.hash) && !document.getElementById('test-previous-view'), re, { timeout: 30_000 });
  await waitReady(page);
}

async function desk() {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator');
  return page;
}

let people = 0;
function person(name, over = {}) {
  people += 1;
  return { name, date_of_birth: '2001-06-15', postcode: 'DE22 3BB', phone: '07700 900321',
    police_id: `BT/C${process.pid}-${people}`, ...over };
}

// A referral with one unacceptable absence per session in `ago` (hours before now), so that
// warnings and non-compliance may be decided.
async function withBreaches(ago) {
  const ref = await world.accepted();
  for (const [i, hours] of ago.entries()) {
    const s = await world.session({ ahead: 60 + i * 10, hours: 2 });
    const b = await world.book(ref.id, s.id);
    world.startsIn(s.id, `-${hours} hours`);
    await world.ok('POST', `/v1/bookings/${b.id}/outcome`, { token: world.tokens.coordinator,
      headers: { 'If-Match': '"1"' }, body: { outcome: 'absent_unacceptable' } });
  }
  return ref;
}

test('the work lists show each list with its count, and link each referral to its triage', async () => {
  const waiting = await world.referral({ person: person('Wren Aldous') });
  // one past its start target, one booked on a session under way today (UTC), one whose session
  // has ended without an outcome
  const late = await world.accepted({ person: person('Lark Pemberton') });
  world.psql(`UPDATE referrals SET target_start_by = now() - interval '2 hours' WHERE id = '${late.id}'`);
  const today = await world.session({ ahead: 30, hours: 3 });
  const busy = await world.accepted({ person: person('Milo Hathersage') });
  await world.book(busy.id, today.id);
  world.startsIn(today.id, new Date().getUTCHours() >= 1 ? '-30 minutes' : '10 minutes');
  const ended = await world.session({ ahead: 40, hours: 2 });
  const missing = await world.accepted({ person: person('Nell Ashdown') });
  await world.book(missing.id, ended.id);
  world.startsIn(ended.id, '-4 hours');
  const page = await desk();
  await go(page, '/worklists');
  assert.equal(await page.textContent('h1'), 'Work lists');
  assert.match(await page.title(), /^Work lists/);
  for (const [list, path] of [['triage', '/v1/worklists/triage?limit=100'], ['overdue', '/v1/worklists/overdue?limit=100'],
    ['sessions', '/v1/worklists/sessions?day=today&limit=100'], ['outcomes', '/v1/worklists/outcomes-due?limit=100']]) {
    const api = await get(path);
    assert.equal(await page.textContent(`[data-count="${list}"]`), String(api.items.length), list);
  }
  assert.ok(await page.isVisible(`#worklist-triage a[href="#/referrals/${waiting.id}/accept"]`));
  assert.ok(await page.isVisible(`#worklist-triage a[href="#/referrals/${waiting.id}/reject"]`));
  assert.ok(await page.isVisible(`#worklist-overdue a[href="#/referrals/${late.id}/book"]`));
  assert.ok(await page.isVisible(`#worklist-sessions a[href="#/register/${today.id}"]`));
  assert.ok(await page.isVisible(`#worklist-sessions a[href="#/referrals/${busy.id}"]`));
  assert.ok(await page.isVisible(`#worklist-outcomes a[href="#/referrals/${missing.id}"]`));
  assert.ok(await page.isVisible(`#worklist-outcomes a[href="#/register/${ended.id}"]`));
  // the menu leads here, and to the referrals and people
  const menu = await page.$$eval('#nav-list a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(menu.filter((m) => ['Home', 'Work lists', 'Referrals', 'People'].includes(m)), ['Home', 'Work lists', 'Referrals', 'People']);
  await checkPage(page, 'coordinator-worklists');
  await page.context().close();
});

// A stand-in for GOV.UK Notify that refuses every text as Notify refuses a number a trial key may
// not send to (a 400 with Notify's error body), and counts what it was sent.
async function refusingNotify() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ path: req.url, auth: req.headers.authorization, body: JSON.parse(body || '{}') });
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ error: 'BadRequestError', message: 'Can’t send to this recipient using a team-only API key' }], status_code: 400 }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { got, port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('messages: a booking confirmation Notify refused shows on the referral\'s page and in the work list, with the number to phone', async () => {
  const notify = await refusingNotify();
  const admin = world.tokens.admin;
  await world.ok('PUT', `/v1/areas/${world.area}/notify`, { token: admin, body: {
    api_key: `ij-browser-${crypto.randomUUID()}-${crypto.randomUUID()}`, base_url: `http://127.0.0.1:${notify.port}`,
    reminder_time: '18:00', welsh: false } });
  await world.ok('PUT', `/v1/areas/${world.area}/message-templates`, { token: admin, body: {
    templates: [{ kind: 'booking_confirmation', language: 'en', channel: 'sms', template_id: crypto.randomUUID() }] } });
  try {
    const ref = await world.accepted({ person: person('Ivy Thornbury', { phone: '07700 900555' }), contact_consent: true });
    const s = await world.session({ ahead: 50, hours: 3 });
    await world.book(ref.id, s.id);
    // the outbox sends it within a round or two; Notify's refusal is final
    let messages;
    for (let i = 0; i < 100; i += 1) {
      messages = (await get(`/v1/referrals/${ref.id}/messages`)).items;
      if (messages.some((m) => m.status === 'failed')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const failed = messages.find((m) => m.kind === 'booking_confirmation');
    assert.equal(failed?.status, 'failed', JSON.stringify(messages));
    assert.match(failed.error, /team-only API key/);
    assert.equal(notify.got.length, 1, 'sent once, not retried after a refusal');
    assert.equal(notify.got[0].path, '/v2/notifications/sms');
    assert.equal(notify.got[0].body.reference, failed.id);
    assert.match(notify.got[0].auth, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);

    const page = await desk();
    await go(page, '/worklists');
    const list = (await get('/v1/worklists/messages-failed')).items;
    assert.equal(await page.textContent('[data-count="reminders"]'), String(list.length));
    assert.ok(await page.isVisible(`#worklist-reminders a[href="#/referrals/${ref.id}"]`));
    assert.ok(await page.isVisible('#worklist-reminders a[href="tel:07700900555"]'));
    assert.match(await page.textContent('#worklist-reminders'), /Booking confirmation\s*Notify refused it: .*team-only API key/);
    await checkPage(page, 'coordinator-worklists-messages');

    await navigate(page, `#/referrals/${ref.id}`, () => page.click(`#worklist-reminders a[href="#/referrals/${ref.id}"]`));
    const table = await page.textContent('#messages');
    assert.match(table, /Session booked/);
    assert.match(table, /To the person by text \(07700 ?900555\)/);
    assert.match(table, /Failed/);
    assert.match(table, /team-only API key/);
    assert.match(await page.textContent('#person'), /Texts and emails\s*Agreed/);
    await checkPage(page, 'coordinator-referral-messages');
    await page.context().close();
  } finally {
    // the area sends nothing more: the other journeys' bookings make no messages
    await world.ok('PUT', `/v1/areas/${world.area}/notify`, { token: admin, body: {
      api_key: null, base_url: 'https://api.notifications.service.gov.uk', reminder_time: '18:00', welsh: false } });
    await notify.close();
  }
});

test('triage: accepting without suitability notes is refused the GOV.UK way, then accepted with confirmed hours', async () => {
  const ref = await world.referral({ person: person('Ashby Trent'), hours_proposed: 6 });
  const page = await desk();
  await go(page, '/worklists');
  await navigate(page, `#/referrals/${ref.id}/accept`, () => page.click(`#worklist-triage a[href="#/referrals/${ref.id}/accept"]`));
  assert.equal(await page.textContent('h1'), 'Accept the referral');
  assert.match(await page.textContent('#key-facts'), /Ashby Trent/);
  assert.match(await page.textContent('#key-facts'), /Hours proposed\s*6/);
  assert.equal(await page.inputValue('#hours_confirmed'), '6', 'the hours default to those proposed');
  await checkPage(page, 'coordinator-accept');

  await page.fill('#hours_confirmed', '8');
  await page.click('#accept-submit');
  await page.waitForSelector('#error-summary');
  assert.equal(await page.getAttribute('#error-summary a', 'href'), '#suitability_notes');
  assert.ok(await page.isVisible('#suitability_notes-error'));
  assert.match(await page.title(), /^Error: /);
  assert.equal((await get(`/v1/referrals/${ref.id}`)).state, 'submitted', 'nothing changed on refusal');
  await checkPage(page, 'coordinator-accept-error');

  await page.fill('#suitability_notes', 'Suitable for group gardening; no risk concerns.');
  await navigate(page, `#/referrals/${ref.id}`, () => page.click('#accept-submit'));
  const after = await get(`/v1/referrals/${ref.id}`);
  assert.equal(after.state, 'accepted');
  assert.equal(after.hours_confirmed, 8);
  assert.equal(after.suitability_notes, 'Suitable for group gardening; no risk concerns.');
  const events = await get(`/v1/referrals/${ref.id}/events`);
  assert.equal(events.items.filter((e) => e.event === 'accept').length, 1, 'accepted once');
  await page.context().close();
});

test('triage: rejecting needs a coded reason, then the referral is rejected with it', async () => {
  const ref = await world.referral({ person: person('Bexley Orme') });
  const codes = (await get('/v1/reason-codes?kind=reject')).items;
  const page = await desk();
  await go(page, '/worklists');
  await navigate(page, `#/referrals/${ref.id}/reject`, () => page.click(`#worklist-triage a[href="#/referrals/${ref.id}/reject"]`));
  assert.equal(await page.textContent('h1'), 'Reject the referral');
  assert.equal(await page.locator('input[name="reason_code"]').count(), codes.length);
  await checkPage(page, 'coordinator-reject');
  await page.click('#reject-submit');
  await page.waitForSelector('#error-summary');
  assert.equal((await get(`/v1/referrals/${ref.id}`)).state, 'submitted');
  await checkPage(page, 'coordinator-reject-error');
  await page.check(`input[name="reason_code"][value="${codes[0].code}"]`);
  await page.fill('#reason', 'The person was charged instead.');
  await navigate(page, `#/referrals/${ref.id}`, () => page.click('#reject-submit'));
  const after = await get(`/v1/referrals/${ref.id}`);
  assert.equal(after.state, 'rejected');
  assert.equal(after.reason_code, codes[0].code);
  assert.equal(after.reason, 'The person was charged instead.');
  // a decided referral is no longer offered for triage
  await go(page, `/referrals/${ref.id}/accept`);
  assert.equal(await page.textContent('h1'), 'This referral cannot be accepted');
  await page.context().close();
});

test('booking: the suggestions show places left and the start target; a place just taken is refused and the list refreshed; one press books', async () => {
  const ref = await world.accepted({ person: person('Caspian Moor') });
  const placement = (await world.placement({ name: 'Canal towpath clear-up' })).id;
  const last = await world.session({ placement, ahead: 20, hours: 2, capacity: 1 });
  const roomy = await world.session({ placement, ahead: 26, hours: 2, capacity: 4 });
  const page = await desk();
  await go(page, `/referrals/${ref.id}/book`);
  assert.equal(await page.textContent('h1'), 'Book a session');
  const suggested = (await get(`/v1/referrals/${ref.id}/session-suggestions?limit=5`)).items;
  assert.deepEqual(await page.$$eval('[data-suggestion]', (ls) => ls.map((l) => l.dataset.suggestion)),
    suggested.map((s) => s.session.id), 'the service\'s suggestions, in its order');
  assert.ok(suggested.some((s) => s.session.id === last.id) && suggested.some((s) => s.session.id === roomy.id));
  assert.equal(await page.textContent(`[data-places="${last.id}"]`), '1 of 1');
  assert.match(await page.textContent(`[data-suggestion="${last.id}"]`), /Within the 48-hour target/);
  await checkPage(page, 'coordinator-book');

  // someone else takes the last place meanwhile
  const other = await world.accepted();
  await world.book(other.id, last.id);
  await page.click(`button[data-book="${last.id}"]`);
  await page.waitForSelector('#error-summary');
  assert.match(await page.textContent('#error-summary'), /could not be booked/);
  await page.waitForFunction((id) => !document.querySelector(`[data-suggestion="${id}"]`), last.id);
  assert.ok(await page.isVisible(`[data-suggestion="${roomy.id}"]`));
  assert.equal((await get(`/v1/referrals/${ref.id}/bookings`)).items.length, 0, 'nothing booked on refusal');
  await checkPage(page, 'coordinator-book-refused');

  await navigate(page, `#/referrals/${ref.id}`, () => page.click(`button[data-book="${roomy.id}"]`));
  const bookings = (await get(`/v1/referrals/${ref.id}/bookings`)).items;
  assert.deepEqual(bookings.map((b) => [b.session.id, b.status]), [[roomy.id, 'booked']]);
  assert.equal((await get(`/v1/referrals/${ref.id}`)).state, 'scheduled');
  assert.equal((await get(`/v1/sessions/${roomy.id}`)).booked, 1);
  await page.context().close();
});

test('enforcement: a first and a second warning, then non-compliance confirmed before it ends the referral', async () => {
  const ref = await withBreaches([5, 10]);
  const warnings = (await get('/v1/reason-codes?kind=warning')).items;
  const page = await desk();

  for (const [n, event] of [[1, 'first_warning'], [2, 'second_warning']]) {
    await go(page, `/referrals/${ref.id}/decision?event=${event}`);
    assert.match(await page.textContent('h1'), n === 1 ? /first warning/ : /second warning/);
    await checkPage(page, `coordinator-${event.replace('_', '-')}`);
    await page.check(`input[name="reason_code"][value="${warnings[0].code}"]`);
    if (n === 2) await page.fill('#reason', 'Missed a second session without a reason.');
    await navigate(page, `#/referrals/${ref.id}`, () => page.click('#decision-submit'));
    const now = await get(`/v1/referrals/${ref.id}`);
    assert.equal(now.warnings, n);
    assert.equal(now.state, 'scheduled');
    assert.equal(now.reason_code, warnings[0].code);
  }
  // no third warning
  await go(page, `/referrals/${ref.id}/decision?event=second_warning`);
  assert.match(await page.textContent('h1'), /cannot/);

  const codes = (await get('/v1/reason-codes?kind=non_compliance')).items;
  await go(page, `/referrals/${ref.id}/decision?event=declare_non_compliance`);
  assert.equal(await page.textContent('h1'), 'Declare non-compliance');
  await page.check(`input[name="reason_code"][value="${codes[0].code}"]`);
  await page.click('#decision-submit');
  await page.waitForSelector('#error-summary');
  assert.equal(await page.getAttribute('#error-summary a', 'href'), '#reason');
  await checkPage(page, 'coordinator-non-compliance-error');
  await page.fill('#reason', 'Two absences without reason after two warnings.');
  await page.click('#decision-submit');
  await page.waitForSelector('#confirm-answers');
  assert.match(await page.textContent('h1'), /Check before you declare non-compliance/);
  assert.equal((await get(`/v1/referrals/${ref.id}`)).state, 'scheduled', 'nothing is sent before the confirmation');
  await checkPage(page, 'coordinator-non-compliance-confirm');
  await navigate(page, `#/referrals/${ref.id}`, () => page.click('#confirm-submit'));
  const ended = await get(`/v1/referrals/${ref.id}`);
  assert.equal(ended.state, 'non_compliant');
  assert.equal(ended.reason_code, codes[0].code);
  assert.equal(ended.reason, 'Two absences without reason after two warnings.');
  await page.context().close();
});

test('referrals: the list filters by state, ward and start target through the address, and pages', async () => {
  const a = await world.referral({ person: person('Dorian Vale'), offence: { date: daysAgo(1), category: 'criminal_damage', ward: 'ward-b', location: 'Bus station' } });
  const page = await desk();
  await go(page, '/referrals');
  assert.equal(await page.textContent('h1'), 'Referrals');
  await page.selectOption('select[name="state"]', 'submitted');
  await page.selectOption('select[name="ward"]', 'ward-b');
  await navigate(page, '#/referrals?state=submitted&ward=ward-b', () => page.click('#apply-filters'));
  const api = (await get('/v1/referrals?state=submitted&ward=ward-b')).items;
  assert.deepEqual(await page.$$eval('#referrals tbody a', (as) => as.map((x) => x.getAttribute('href'))), api.map((r) => `#/referrals/${r.id}`));
  assert.ok(api.some((r) => r.id === a.id));
  await checkPage(page, 'coordinator-referrals');
  // more than a page (25): the next page link carries the filters and the cursor
  for (let n = (await get('/v1/referrals?state=submitted&limit=100')).items.length; n <= 25; n++) await world.referral();
  await go(page, '/referrals?state=submitted');
  const first = await page.$$eval('#referrals tbody a', (as) => as.map((x) => x.getAttribute('href')));
  assert.equal(first.length, 25);
  await navigate(page, /^#\/referrals\?state=submitted&cursor=/, () => page.click('.govuk-pagination__next a'));
  const second = await page.$$eval('#referrals tbody a', (as) => as.map((x) => x.getAttribute('href')));
  assert.ok(second.length >= 1 && second.every((h) => !first.includes(h)), 'the next page holds the others');
  assert.ok(await page.isVisible('.govuk-pagination__prev a'));
  await go(page, '/referrals?overdue=true&state=closed');
  assert.match(await page.textContent('main'), /No referral matches these filters/);
  await page.context().close();
});

test('people: a misspelt name finds the person, whose page shows each referral with its bookings', async () => {
  const ref = await world.accepted({ person: person('Marguerite Oyelaran', { police_id: 'BT/OYE1' }) });
  const s = await world.session({ ahead: 40, hours: 3 });
  await world.book(ref.id, s.id);
  const page = await desk();
  await go(page, '/people');
  assert.equal(await page.textContent('h1'), 'Find a person');
  await checkPage(page, 'coordinator-people');
  await page.fill('#name', 'oyelaren margeurite');
  await navigate(page, '#/people?name=oyelaren+margeurite', () => page.click('#people-submit'));
  const found = (await get('/v1/people?name=oyelaren%20margeurite')).items;
  const who = found.find((x) => x.name === 'Marguerite Oyelaran');
  assert.ok(who, 'the service finds the misspelt name');
  assert.ok(await page.isVisible(`#people-results a[href="#/people/${who.id}"]`));
  await checkPage(page, 'coordinator-people-results');
  await navigate(page, `#/people/${who.id}`, () => page.click(`#people-results a[href="#/people/${who.id}"]`));
  assert.equal(await page.textContent('h1'), 'Marguerite Oyelaran');
  const history = await get(`/v1/people/${who.id}`);
  assert.deepEqual(await page.$$eval('[data-referral]', (ss) => ss.map((x) => x.dataset.referral)), history.referrals.map((r) => r.id));
  assert.match(await page.textContent(`[data-referral="${ref.id}"]`), /Booked/);
  assert.match(await page.textContent(`[data-referral="${ref.id}"]`), /Riverside allotment/);
  await checkPage(page, 'coordinator-person');

  // a date that is not one is named beside its field; a too-short name by the service
  await go(page, '/people');
  await page.fill('input[name="dob-day"]', '31');
  await page.fill('input[name="dob-month"]', '2');
  await page.fill('input[name="dob-year"]', '2001');
  await page.click('#people-submit');
  await page.waitForSelector('#error-summary');
  await go(page, '/people?name=x');
  await page.waitForSelector('#error-summary');
  assert.ok(await page.isVisible('#name-error'));
  await page.context().close();
});

test('non-associations: recorded from the person\'s page by finding the other person, then ended with a reason', async () => {
  const one = await world.referral({ person: person('Isolde Fairbrass') });
  const two = await world.referral({ person: person('Tobias Quennell') });
  const who = (await get(`/v1/people?police_id=${encodeURIComponent(one.person.police_id)}`)).items[0];
  const other = (await get(`/v1/people?police_id=${encodeURIComponent(two.person.police_id)}`)).items[0];
  const page = await desk();
  await go(page, `/people/${who.id}`);
  assert.match(await page.textContent('#non-associations'), /None recorded/);
  await navigate(page, `#/people/${who.id}/non-associations/new`, () => page.click('#record-apart'));
  await page.fill('#other-name', 'tobias quenel');
  await navigate(page, `#/people/${who.id}/non-associations/new?name=tobias%20quenel`, () => page.click('#apart-find-submit'));
  await page.check(`input[name="other"][value="${other.id}"]`);
  await page.check('input[name="reason"][value="other"]');
  await page.click('#apart-submit');
  await page.waitForSelector('#error-summary');
  assert.equal(await page.getAttribute('#error-summary a', 'href'), '#apart-notes', 'another reason needs notes');
  await checkPage(page, 'coordinator-non-association-new');
  await page.check('input[name="reason"][value="co_offenders"]');
  await page.fill('#apart-notes', 'Arrested together at the bus station.');
  await navigate(page, `#/people/${who.id}`, () => page.click('#apart-submit'));
  const recorded = (await get(`/v1/non-associations?person_id=${who.id}`)).items;
  assert.equal(recorded.length, 1);
  assert.deepEqual(recorded[0].people.map((x) => x.person_id).sort(), [who.id, other.id].sort());
  assert.equal(recorded[0].reason, 'co_offenders');
  assert.ok(await page.isVisible(`[data-end="${recorded[0].id}"]`));
  await checkPage(page, 'coordinator-person-non-association');
  await navigate(page, `#/non-associations/${recorded[0].id}/end?person=${who.id}`, () => page.click(`[data-end="${recorded[0].id}"]`));
  await checkPage(page, 'coordinator-non-association-end');
  await page.fill('#end-reason', 'Charges against one were dropped.');
  await navigate(page, `#/people/${who.id}`, () => page.click('#apart-end-submit'));
  const ended = (await get(`/v1/non-associations/${recorded[0].id}`));
  assert.equal(ended.active, false);
  assert.equal(ended.end_reason, 'Charges against one were dropped.');
  assert.match(await page.textContent('[data-banner="success"]'), /may be placed together again/);
  await page.context().close();
});

test('other roles cannot use the coordinators\' pages', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'supervisor');
  await go(page, '/worklists');
  assert.equal(await page.textContent('h1'), 'You cannot use this page');
  await page.context().close();
});
