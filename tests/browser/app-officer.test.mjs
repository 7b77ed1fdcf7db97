#!/usr/bin/env node
// The officer's pages, on a phone: making a referral as question pages (an error first, then
// fixed; the API's field errors on the check-answers page linked to their question page; a changed
// answer; a submit whose answer is lost, sent again without making a second referral), "My
// referrals" page by page, the referral's page, correcting its details and withdrawing it (after a
// stale version), each checked through the API; and the referral's page as a coordinator sees it
// at a desk.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, checkPage, daysAgo, go, launch, newPage, signIn, startService, waitReady } from './harness.mjs';

let world;
let browser;
let booked; // a referral of the officer's, accepted and booked onto a session
const NAME = 'Jordan Example-Young';

before(async () => {
  world = await startService({ name: 'officer' });
  browser = await launch();
  // ten older referrals of the officer's, and one booked onto a session, so that "My referrals"
  // has a second page and a next session to show
  for (let i = 0; i < 10; i += 1) await world.referral();
  const accepted = await world.accepted();
  const session = await world.session({ ahead: 30, hours: 3 });
  await world.book(accepted.id, session.id);
  booked = { referral: accepted, session };
});

after(async () => {
  await browser?.close().catch(() => {});
  await world?.close();
});

// ---- helpers -------------------------------------------------------------------------------------

const fill = (page, name, value) => page.fill(`[name="${name}"]`, value);
const choose = (page, name, value) => page.check(`input[name="${name}"][value="${value}"]`, { force: true });
async function fillDate(page, name, iso) {
  const [y, m, d] = iso.split('-');
  await fill(page, `${name}-day`, d);
  await fill(page, `${name}-month`, m);
  await fill(page, `${name}-year`, y);
}

// Waits for a page of the app whose marker (a selector) is shown, and for it to be ready.
async function shown(page, marker) {
  await page.waitForSelector(marker, { timeout: 30_000 });
  await waitReady(page);
  assert.doesNotMatch(await page.textContent('main'), /\b(null|undefined|NaN)\b/, `${marker}: no missing value shown as text`);
}

async function next(page, marker) {
  await page.click('#continue');
  await shown(page, marker);
}

async function errors(page) {
  await page.waitForSelector('#error-summary');
  return page.$$eval('#error-summary li', (li) => li.map((x) => x.textContent.trim()));
}

const referralsOf = async (token) => (await world.ok('GET', '/v1/referrals?mine=true&limit=100', { token })).json.items;

// ---- the officer's journey -----------------------------------------------------------------------

test('officer on a phone: make a referral, my referrals, the referral, correct it, withdraw it', async () => {
  const page = await newPage(browser, PHONE);
  const keys = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/referrals') keys.push(r.headers()['idempotency-key']);
  });

  await signIn(page, world, 'officer');
  const menu = await page.$$eval('#nav-list a', (a) => a.map((x) => x.textContent.trim()));
  assert.deepEqual(menu.slice(0, 3), ['Home', 'Make a referral', 'My referrals']);
  await go(page, '/referrals/new');
  assert.equal(await page.textContent('h1'), 'Make a referral');
  await checkPage(page, 'officer-new-start');
  await page.click('text=Start now');
  await shown(page, '#page-person');

  // an error first: nothing given, then a date that is not real
  await page.click('#continue');
  assert.deepEqual(await errors(page), ['Enter the person’s full name', 'Enter the person’s date of birth']);
  assert.match(await page.title(), /^Error: /);
  await checkPage(page, 'officer-new-person-errors');
  await fill(page, 'person.name', NAME);
  await fillDate(page, 'person.date_of_birth', '2009-02-31');
  await page.click('#continue');
  assert.deepEqual(await errors(page), ['Date of birth must be a real date']);
  // the summary's link moves to the field
  await page.click('#error-summary a');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'person.date_of_birth-day');
  const dob = `${new Date().getUTCFullYear() - 16}-03-14`;
  await fillDate(page, 'person.date_of_birth', dob);
  await fill(page, 'person.police_id', 'BT/OFFICER/1');
  await next(page, '#page-contact');

  // a reload keeps the answers (they are in sessionStorage)
  await page.reload();
  await shown(page, '#page-contact');
  await page.click('.govuk-back-link');
  await shown(page, '#page-person');
  assert.equal(await page.inputValue('[name="person.name"]'), NAME);
  await next(page, '#page-contact');

  await fill(page, 'person.phone', '07700 900111');
  await fill(page, 'person.email', 'jordan@example.org');
  await fill(page, 'person.address', '1 Market Street\nDerby');
  await fill(page, 'person.postcode', 'NOT A CODE'); // the API refuses it when the referral is sent
  await checkPage(page, 'officer-new-contact');
  await next(page, '#page-messages');
  // the agreement to texts and emails must be answered; the language may be left as English
  await page.click('#continue');
  assert.deepEqual(await errors(page), ['Select whether they agreed to be sent texts or emails']);
  await choose(page, 'contact_consent', 'yes');
  await choose(page, 'message_language', 'cy');
  await checkPage(page, 'officer-new-messages');
  await next(page, '#page-needs');
  await fill(page, 'person.needs_notes', 'Has a hearing aid.');
  await next(page, '#page-offence');
  await fillDate(page, 'offence.date', daysAgo(2));
  await choose(page, 'offence.category', 'criminal_damage');
  await fill(page, 'offence.description', 'Sprayed paint on the bus shelter.');
  await fill(page, 'offence.location', 'Bus shelter, Abbey Street');
  await choose(page, 'offence.ward', 'ward-a');
  await checkPage(page, 'officer-new-offence');
  await next(page, '#page-disposal');
  await choose(page, 'disposal', 'youth_conditional_caution');
  await next(page, '#page-consent');
  await choose(page, 'consent_recorded', 'yes');
  await next(page, '#page-hours');
  assert.equal(await page.inputValue('[name="hours_proposed"]'), '7', 'the area default is proposed');
  await fill(page, 'hours_proposed', '30');
  await page.click('#continue');
  assert.deepEqual(await errors(page), ['Hours must be between 2 and 20']);
  await fill(page, 'hours_proposed', '6');
  await next(page, '#page-victim');
  await choose(page, 'victim', 'yes');
  await next(page, '#page-victim-details');
  await choose(page, 'victim.consulted', 'yes');
  await fill(page, 'victim.preference', 'Clean the shelter.');
  await choose(page, 'victim.keep_updated', 'yes');
  await page.click('#continue');
  assert.deepEqual(await errors(page), ['Enter how to contact the victim, who wants to be told the outcome']);
  await fill(page, 'victim.contact', 'Via the safer neighbourhood team');
  await next(page, '#page-guardian'); // the person is under 18 today
  await fill(page, 'guardian.name', 'Sam Example');
  await page.selectOption('[name="guardian.relationship"]', 'parent');
  await fill(page, 'guardian.phone', '07700 900222');
  await page.check('input[name="guardian.consent"]', { force: true });
  await checkPage(page, 'officer-new-guardian');
  await next(page, '#send-form');

  // check your answers; the first send is refused by the API (the postcode)
  assert.match(await page.textContent('h1'), /Check your answers/);
  assert.match(await page.textContent('#answers-person'), new RegExp(NAME));
  await checkPage(page, 'officer-new-check');
  await page.click('#send');
  await shown(page, '#error-summary a[href*="person.postcode"]');
  assert.match((await errors(page)).join(' '), /Postcode must be a UK postcode/);
  assert.match(await page.textContent('#answers-person'), /Postcode must be a UK postcode/);
  await checkPage(page, 'officer-new-check-api-errors');
  assert.equal((await referralsOf(world.tokens.officer)).filter((r) => r.person.name === NAME).length, 0);
  // its link opens the question page at the field, with the API's message
  await page.click('#error-summary a[href*="person.postcode"]');
  await shown(page, '#page-contact');
  assert.match(await page.textContent('[data-field="person.postcode"] .govuk-error-message'), /UK postcode/);
  await checkPage(page, 'officer-new-contact-api-error');
  await fill(page, 'person.postcode', 'DE1 1AA');
  await next(page, '#send-form');
  assert.equal(await page.$('#error-summary'), null);

  // change an answer from the check page
  await page.click('a[href^="#/referrals/new/hours?change=1"]');
  await shown(page, '#page-hours');
  await fill(page, 'hours_proposed', '8');
  await next(page, '#send-form');
  assert.match(await page.textContent('#answers-offence'), /8 hours/);

  // the first send reaches the service but its answer is lost; sending again makes no second one
  let lost = 0;
  await page.route('**/v1/referrals', async (route) => {
    if (route.request().method() !== 'POST' || lost > 0) return route.continue();
    lost += 1;
    await route.fetch(); // the service makes the referral...
    return route.abort('connectionreset'); // ...and the phone never hears back
  });
  page.allow(/request failed: .*\/v1\/referrals /);
  page.allow(/Failed to load resource: net::ERR_CONNECTION_RESET/);
  await page.click('#send');
  await shown(page, '#send-status #error-summary');
  assert.match(await page.textContent('#send-status'), /may not have been sent/);
  assert.equal((await referralsOf(world.tokens.officer)).filter((r) => r.person.name === NAME).length, 1,
    'the lost first send made the referral');
  await checkPage(page, 'officer-new-check-lost');
  await page.click('#send');
  await shown(page, '#reference');
  assert.equal(lost, 1);
  assert.equal(keys.length, 3);
  assert.notEqual(keys[0], keys[1], 'the refused send made nothing, so the corrected one has a new key');
  assert.equal(keys[1], keys[2], 'the send after the lost answer reuses its key');
  const mine = (await referralsOf(world.tokens.officer)).filter((r) => r.person.name === NAME);
  assert.equal(mine.length, 1, 'exactly one referral was made');
  const id = mine[0].id;
  assert.equal(await page.textContent('#reference'), id);
  assert.match(await page.textContent('main'), /What happens next/);
  const made = (await world.ok('GET', `/v1/referrals/${id}`, { token: world.tokens.officer })).json;
  assert.equal(made.hours_proposed, 8);
  assert.equal(made.person.postcode, 'DE1 1AA');
  assert.equal(made.guardian.name, 'Sam Example');
  assert.equal(made.victim.contact, 'Via the safer neighbourhood team');
  assert.equal(made.disposal, 'youth_conditional_caution');
  assert.equal(made.contact_consent, true);
  assert.equal(made.message_language, 'cy');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('ij.app.referral-draft')), null, 'the answers are removed');
  await checkPage(page, 'officer-new-confirmation');

  // my referrals: newest first, the next session, a second page
  await page.click('#main-content a[href="#/my-referrals"]');
  await shown(page, '#my-referrals');
  const names = await page.$$eval('#my-referrals > li h2', (h) => h.map((x) => x.textContent.trim()));
  assert.equal(names.length, 10);
  assert.equal(names[0], NAME);
  assert.equal(names[1], booked.referral.person.name);
  const bookedRow = await page.textContent(`[data-referral="${booked.referral.id}"]`);
  assert.match(bookedRow, /Scheduled/);
  assert.match(bookedRow, /Riverside allotment/);
  await checkPage(page, 'officer-my-referrals');
  await page.click('#next-page');
  await shown(page, '#my-referrals');
  assert.equal(await page.$$eval('#my-referrals > li', (l) => l.length), 2);
  await checkPage(page, 'officer-my-referrals-2');

  // the referral's page
  await go(page, '/my-referrals');
  await page.click(`#my-referrals a[href="#/referrals/${id}"]`);
  await shown(page, '#progress');
  assert.equal(await page.textContent('h1'), NAME);
  const actions = await page.$$eval('#actions a', (a) => a.map((x) => x.dataset.action));
  assert.deepEqual(actions, ['withdraw', 'amend']);
  assert.match(await page.textContent('#history'), /Referral made/);
  assert.match(await page.textContent('#guardian'), /Sam Example/);
  assert.match(await page.textContent('main'), /No sessions booked yet/);
  await checkPage(page, 'officer-referral');

  // correct the details: the API's field error first
  await page.click('#actions a[data-action="amend"]');
  await shown(page, '#amend-form');
  await fill(page, 'person.phone', 'not a phone');
  await fill(page, 'hours_proposed', '9');
  await fill(page, 'person.risk_notes', 'None known.');
  await page.click('#save');
  await page.waitForSelector('#error-summary');
  assert.match(await page.textContent('[data-field="person.phone"] .govuk-error-message'), /phone number/);
  await checkPage(page, 'officer-amend-error');
  await fill(page, 'person.phone', '07700 900333');
  await page.click('#save');
  await shown(page, '[data-banner="success"]');
  let r = (await world.ok('GET', `/v1/referrals/${id}`, { token: world.tokens.officer })).json;
  assert.equal(r.person.phone, '07700 900333');
  assert.equal(r.hours_proposed, 9);
  assert.equal(r.person.risk_notes, 'None known.');
  const events = (await world.ok('GET', `/v1/referrals/${id}/events`, { token: world.tokens.officer })).json.items;
  assert.deepEqual(events.filter((e) => e.event === 'amend').length, 1, 'one amendment: the refused one changed nothing');

  // withdraw it: someone changes the referral meanwhile, then the reload and the withdrawal
  await page.click('#actions a[data-action="withdraw"]');
  await shown(page, '#withdraw-form');
  await checkPage(page, 'officer-withdraw');
  await page.click('#withdraw');
  assert.deepEqual(await errors(page), ['Select why the referral is being withdrawn']);
  const etag = (await world.ok('GET', `/v1/referrals/${id}`, { token: world.tokens.coordinator })).headers.get('etag');
  await world.ok('PATCH', `/v1/referrals/${id}`, { token: world.tokens.coordinator, headers: { 'If-Match': etag },
    body: { offence: { location: 'Bus shelter, Abbey Street (north side)' } } });
  await page.check('input[name="reason_code"] >> nth=0', { force: true });
  const code = await page.getAttribute('input[name="reason_code"] >> nth=0', 'value');
  await fill(page, 'reason', 'Made in error: wrong person.');
  await page.click('#withdraw');
  await shown(page, '#reload');
  assert.match(await page.textContent('#error-summary'), /has changed/);
  assert.equal((await world.ok('GET', `/v1/referrals/${id}`, { token: world.tokens.officer })).json.state, 'submitted');
  await checkPage(page, 'officer-withdraw-stale');
  await page.click('#reload');
  await shown(page, '#withdraw-form');
  assert.equal(await page.$('#error-summary'), null);
  await page.check(`input[name="reason_code"][value="${code}"]`, { force: true });
  await fill(page, 'reason', 'Made in error: wrong person.');
  await page.click('#withdraw');
  await shown(page, '[data-banner="success"]');
  r = (await world.ok('GET', `/v1/referrals/${id}`, { token: world.tokens.officer })).json;
  assert.equal(r.state, 'withdrawn');
  assert.equal(r.reason_code, code);
  assert.equal(r.reason, 'Made in error: wrong person.');
  assert.match(await page.textContent('#state'), /Withdrawn/);
  assert.deepEqual(await page.$$eval('#actions a', (a) => a.length), 0);
  assert.match(await page.textContent('#notices'), /Withdrawn/);
  await checkPage(page, 'officer-referral-withdrawn');

  // signing out removes a referral's answers not yet sent
  await go(page, '/referrals/new/person');
  await fill(page, 'person.name', 'Not Sent');
  await next(page, '#page-person');
  assert.notEqual(await page.evaluate(() => sessionStorage.getItem('ij.app.referral-draft')), null);
  await page.click('#sign-out');
  await waitReady(page);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('ij.app.referral-draft')), null);
  await page.context().close();
});

// ---- the coordinator's view ----------------------------------------------------------------------

test('coordinator at a desk: the referral page with its session, notices, history and actions', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', `/referrals/${booked.referral.id}`);
  await shown(page, '#progress');
  assert.equal(await page.textContent('h1'), booked.referral.person.name);
  const actions = await page.$$eval('#actions a', (a) => a.map((x) => [x.dataset.action, x.getAttribute('href')]));
  assert.deepEqual(actions.map((a) => a[0]), ['withdraw', 'book', 'amend']);
  assert.equal(actions[1][1], `#/referrals/${booked.referral.id}/book`);
  assert.match(await page.textContent('#progress'), /Riverside allotment/);
  assert.equal(await page.$$eval('#bookings tbody tr', (t) => t.length), 1);
  const notices = await page.textContent('#notices');
  assert.match(notices, /Accepted/);
  assert.match(notices, /Scheduled/);
  const history = await page.textContent('#history');
  assert.match(history, /Referral made/);
  assert.match(history, /Accepted/);
  assert.match(history, /Booked onto a session/);
  await checkPage(page, 'officer-referral-coordinator');
  // the coordinator cannot use the officer's question pages
  await go(page, '/referrals/new');
  assert.equal(await page.textContent('h1'), 'You cannot use this page');
  await page.context().close();
});
