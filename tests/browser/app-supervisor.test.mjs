#!/usr/bin/env node
// The supervisor's pages on a phone: today's sessions, the register (sign in, sign out with the
// times worked and ratings, did not attend, walk-ins), and the register working without signal:
// changes queued on the phone survive a reload served by the service worker, are sent once the
// signal returns with their Idempotency-Key (recorded exactly once, even when an answer was lost),
// and a change the service refuses on arrival is kept for the supervisor to resolve.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { DESKTOP, PHONE, checkPage, go, launch, newPage, signIn, startService, waitReady } from './harness.mjs';

let world;
let browser;

before(async () => {
  world = await startService({ name: 'super' });
  await startSignal(Number(new URL(world.base).port));
  browser = await launch();
});

after(async () => {
  if (process.env.IJ_SHOW_LOG) console.log(world?.log);
  await browser?.close().catch(() => {});
  for (const sock of signal.sockets) sock.destroy();
  signal.server?.close();
  await world?.close();
});

// A session of the test supervisor that started an hour ago, with `people` accepted referrals
// booked on it (booked while it was still ahead, as bookings must be).
async function runningSession(people) {
  const session = await world.session({ ahead: 30, hours: 3, capacity: 6 });
  const referrals = [];
  for (let i = 0; i < people; i++) {
    const r = await world.accepted();
    const b = await world.book(r.id, session.id);
    referrals.push({ referral: r, booking: b });
  }
  world.startsIn(session.id, '-1 hour');
  return { session, referrals };
}

const booking = async (id) => (await world.ok('GET', `/v1/bookings/${id}`, { token: world.tokens.coordinator })).json;
async function events(referralId) {
  return (await world.ok('GET', `/v1/referrals/${referralId}/events`, { token: world.tokens.coordinator })).json.items;
}
const card = (bookingId) => `[data-booking="${bookingId}"]`;

// HH:MM in London, `minutes` from now.
function londonTime(minutes) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(Date.now() + minutes * 60_000));
}

// The page is controlled by the service worker and the worker keeps the page and this part's files,
// the icon among them (a page without signal that asks for an icon not kept logs a failed request).
async function keptForOffline(page) {
  await page.waitForFunction(async () => {
    if (!navigator.serviceWorker.controller) return false;
    const c = await caches.open('ij-app-v1');
    for (const f of ['/app', '/app/assets/app.js', '/app/assets/app-supervisor.js', '/app/assets/app-offline.js', '/app/assets/govuk-frontend.min.css', '/app/assets/favicon.svg']) {
      if (!(await c.match(f))) return false;
    }
    return true;
  }, null, { timeout: 30_000 });
}

// No signal, everywhere. The browser's emulation (setOffline) tells the page and stops its
// requests, but it reaches the service worker's requests, and a reloaded page, a moment late: two
// CI runs saw a queued sign-in arrive while "offline", once with the API also refused by the
// context's routing (which does not see requests that pass through a service worker). So the
// phone reaches the service through a TCP relay of the test's own, the "signal": without signal
// the relay drops every connection and refuses new ones, whatever the browser thinks, and the
// emulation tells the page, as a phone's network state would.
const signal = { up: true, sockets: new Set(), server: null, base: '' };
function startSignal(port) {
  signal.server = net.createServer((phone) => {
    if (!signal.up) {
      phone.destroy();
      return;
    }
    const service = net.connect({ host: '127.0.0.1', port });
    for (const [a, b] of [[phone, service], [service, phone]]) {
      signal.sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => { signal.sockets.delete(a); b.destroy(); });
      a.pipe(b);
    }
  });
  return new Promise((resolve) => signal.server.listen(0, '127.0.0.1', () => {
    signal.base = `http://127.0.0.1:${signal.server.address().port}`;
    resolve();
  }));
}
// The world as the phone sees it: the service through the relay.
const onPhone = () => ({ ...world, base: signal.base });

async function goOffline(page) {
  signal.up = false;
  for (const sock of signal.sockets) sock.destroy();
  await page.context().setOffline(true);
  await page.waitForFunction(async () => {
    if (navigator.onLine) return false;
    try {
      await fetch('/readyz', { cache: 'no-store' });
      return false;
    } catch {
      return true;
    }
  }, null, { polling: 200 });
}

async function goOnline(page) {
  signal.up = true;
  await page.context().setOffline(false);
}

async function signOutPerson(page, sessionId, bookingId, { started, behaviour, quality, notes } = {}) {
  await page.click(`${card(bookingId)} [data-action="sign-out"]`);
  await waitReady(page);
  assert.equal(await page.textContent('h1'), 'Sign out');
  if (started) await page.fill('input[name="started_at"]', started);
  if (behaviour) await page.check(`input[name="behaviour"][value="${behaviour}"]`);
  if (quality) await page.check(`input[name="work_quality"][value="${quality}"]`);
  if (notes) await page.fill('textarea[name="notes"]', notes);
  await page.click('#sign-out-form button[type="submit"]');
  await page.waitForFunction((id) => location.hash === `#/register/${id}` && document.querySelector('main').dataset.state === 'ready', sessionId);
}

test('without signal: two people signed in and out, the page reloaded from the phone, then each outcome recorded exactly once', async () => {
  const { session, referrals: [a, b] } = await runningSession(2);
  const page = await newPage(browser, PHONE);
  page.allow(/ERR_INTERNET_DISCONNECTED/);
  await signIn(page, onPhone(), 'supervisor', '/today');
  assert.equal(await page.textContent('h1'), "Today's sessions");
  await page.waitForSelector(`[data-day="today"] [data-session="${session.id}"]`);
  await checkPage(page, 'super-today');
  await page.click(`[data-session="${session.id}"] a`);
  await waitReady(page);
  assert.match(await page.textContent('#register-counts'), /2 people: 0 signed in/);
  assert.match(await page.textContent(card(a.booking.id)), /07700 900123/);
  await checkPage(page, 'super-register');
  await keptForOffline(page);

  await goOffline(page);
  for (const { booking: bk } of [a, b]) {
    await page.click(`${card(bk.id)} [data-action="sign-in"]`);
    await page.waitForSelector(`${card(bk.id)}[data-state="signed_in"] [data-tag="queued"]`);
  }
  await signOutPerson(page, session.id, a.booking.id, { started: londonTime(-10), behaviour: 'good', quality: 'satisfactory', notes: 'Cleared the path.' });
  assert.match(await page.textContent('[data-banner="success"]'), /signed out[\s\S]*kept on the phone/);
  await signOutPerson(page, session.id, b.booking.id, { started: londonTime(-5) });
  for (const { booking: bk } of [a, b]) {
    await page.waitForSelector(`${card(bk.id)}[data-state="signed_out"] [data-tag="queued"]`);
  }
  assert.match(await page.textContent('#connection'), /No signal[\s\S]*4 changes waiting to send/);

  // the page opens again without signal, from the service worker, with the changes still queued
  await page.reload();
  await waitReady(page);
  assert.equal(await page.textContent('h1'), session.placement.name);
  assert.match(await page.textContent('[data-banner="important"]'), /No signal/);
  assert.match(await page.textContent('#waiting'), /4 changes waiting to send/);
  // kept beside checkPage's screenshots: the register as it shows without signal
  await page.screenshot({ path: path.join(process.env.IJ_ARTIFACT_DIR || process.cwd(), 'app', 'super-register-offline-390.png'), fullPage: true });
  for (const { booking: bk } of [a, b]) {
    await page.waitForSelector(`${card(bk.id)}[data-state="signed_out"] [data-tag="queued"]`);
    const before = await booking(bk.id);
    assert.equal(before.status, 'booked', 'nothing reached the service without signal');
    assert.equal(before.signed_in_at, null);
  }

  // the signal returns: the queue is sent
  await goOnline(page);
  await page.waitForFunction(() => !document.querySelector('[data-tag="queued"]') && !/waiting/.test(document.getElementById('connection').textContent));
  assert.equal(await page.$('#attention'), null, 'nothing was refused');
  await page.reload();
  await waitReady(page);
  assert.match(await page.textContent('#register-counts'), /2 people: 0 signed in, 2 signed out/);
  await checkPage(page, 'super-register-sent');

  const gotA = await booking(a.booking.id);
  assert.equal(gotA.status, 'attended_complied');
  assert.equal(gotA.outcomes.length, 1, 'one outcome recorded');
  assert.equal(gotA.behaviour, 'good');
  assert.equal(gotA.work_quality, 'satisfactory');
  assert.equal(gotA.notes, 'Cleared the path.');
  assert.ok(gotA.signed_in_at && gotA.started_at && gotA.finished_at);
  assert.ok(gotA.minutes_credited >= 8 && gotA.minutes_credited <= 11, `about ten minutes credited, not ${gotA.minutes_credited}`);
  const gotB = await booking(b.booking.id);
  assert.equal(gotB.status, 'attended_complied');
  assert.equal(gotB.outcomes.length, 1);
  for (const { referral } of [a, b]) {
    const attend = (await events(referral.id)).filter((e) => e.event === 'attend');
    assert.equal(attend.length, 1, 'one attendance in the history');
  }
  await page.context().close();
});

test('a sign-out whose answer was lost is sent again with the same key and recorded once', async () => {
  const { session, referrals: [a] } = await runningSession(1);
  const page = await newPage(browser, PHONE);
  page.allow(/ERR_(INTERNET_DISCONNECTED|CONNECTION_RESET|FAILED)/);
  await signIn(page, world, 'supervisor', `/register/${session.id}`);
  await page.click(`${card(a.booking.id)} [data-action="sign-in"]`);
  await page.waitForSelector(`${card(a.booking.id)}[data-state="signed_in"]`);
  assert.equal(await page.$(`${card(a.booking.id)} [data-tag="queued"]`), null, 'sent at once');
  // the first sign-out reaches the service, but its answer never comes back
  const keys = [];
  await page.context().route('**/v1/bookings/*/sign-out', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length === 1) {
      await route.fetch();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await signOutPerson(page, session.id, a.booking.id, { started: londonTime(-3) });
  await page.waitForSelector(`${card(a.booking.id)} [data-tag="queued"]`);
  assert.equal((await booking(a.booking.id)).outcomes.length, 1, 'the first attempt was recorded');
  await page.click('#send-now');
  await page.waitForFunction(() => !document.querySelector('[data-tag="queued"]'));
  assert.equal(await page.$('#attention'), null, 'the second attempt got the first answer, not a refusal');
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], 'the same Idempotency-Key both times');
  const got = await booking(a.booking.id);
  assert.equal(got.outcomes.length, 1, 'recorded once');
  assert.equal(got.version, 3, 'booked, signed in, signed out: nothing more');
  await page.context().close();
});

test('a queued change refused on arrival (the session was cancelled meanwhile) waits under "Needs your attention"', async () => {
  const { session, referrals: [a] } = await runningSession(1);
  const page = await newPage(browser, PHONE);
  page.allow(/ERR_INTERNET_DISCONNECTED/);
  await signIn(page, onPhone(), 'supervisor', `/register/${session.id}`);
  await keptForOffline(page);
  await goOffline(page);
  await page.click(`${card(a.booking.id)} [data-action="sign-in"]`);
  await page.waitForSelector(`${card(a.booking.id)}[data-state="signed_in"] [data-tag="queued"]`);
  await signOutPerson(page, session.id, a.booking.id, { started: londonTime(-5) });
  // meanwhile the coordinator cancels the session
  const s = await world.ok('GET', `/v1/sessions/${session.id}`, { token: world.tokens.coordinator });
  await world.ok('PATCH', `/v1/sessions/${session.id}`, { token: world.tokens.coordinator, body: { cancelled: true },
    headers: { 'If-Match': s.headers.get('etag') } });
  await goOnline(page);
  await page.waitForSelector('#attention [data-refused]');
  assert.match(await page.textContent('#attention'), new RegExp(`${a.booking.person_name}: signed in`));
  assert.match(await page.textContent('#connection'), /1 change needs your attention/);
  assert.match(await page.textContent('#waiting'), /1 change waiting to send/, 'the sign-out waits behind the refused sign-in');
  // it is kept on the phone: a reload (with signal) shows it again
  await page.reload();
  await waitReady(page);
  await page.waitForSelector('#attention [data-refused]');
  assert.match(await page.textContent('#attention'), /Refused/);
  await checkPage(page, 'super-attention');
  // discarding the sign-in lets the sign-out go, which is refused in turn, and kept
  await page.click('#attention [data-action="discard"]');
  await page.waitForFunction(() => /signed out/.test(document.getElementById('attention')?.textContent ?? '') && !document.getElementById('waiting'));
  // signing out with a change not sent warns first
  await page.click('#sign-out');
  await waitReady(page);
  assert.equal(await page.textContent('h1'), 'Some changes have not been sent');
  await checkPage(page, 'super-sign-out-warning');
  await page.click('text=Sign out and remove them');
  await waitReady(page);
  assert.match(await page.textContent('h1'), /sign in/i);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ij.super.')).length), 0, 'nothing kept after signing out');
  const got = await booking(a.booking.id);
  assert.equal(got.status, 'cancelled');
  assert.equal(got.outcomes.length, 0);
  assert.equal((await events(a.referral.id)).filter((e) => e.event === 'attend').length, 0);
  await page.context().close();
});

test('online: a walk-in added, signed in and out (a wrong time shown first), and someone marked as not attending', async () => {
  const { session, referrals: [a] } = await runningSession(1);
  const walkIn = await world.accepted();
  const page = await newPage(browser, PHONE);
  await signIn(page, world, 'supervisor', `/register/${session.id}`);
  await page.fill('input[name="referral_id"]', 'not-a-referral');
  await page.click('#walk-in button');
  await page.waitForSelector('#error-summary');
  await page.fill('input[name="referral_id"]', walkIn.id);
  await page.click('#walk-in button');
  await page.waitForSelector('[data-banner="success"]');
  await waitReady(page);
  const wb = (await world.ok('GET', `/v1/referrals/${walkIn.id}/bookings`, { token: world.tokens.coordinator })).json.items[0];
  assert.equal(wb.walk_in, true);
  assert.match(await page.textContent(card(wb.id)), /Walk-in/);
  await checkPage(page, 'super-walk-in');

  await page.click(`${card(wb.id)} [data-action="sign-in"]`);
  await page.waitForSelector(`${card(wb.id)}[data-state="signed_in"]`);
  await page.click(`${card(wb.id)} [data-action="sign-out"]`);
  await waitReady(page);
  await checkPage(page, 'super-sign-out');
  await page.fill('input[name="started_at"]', '25:99');
  await page.click('#sign-out-form button[type="submit"]');
  await page.waitForSelector('#error-summary a[href]');
  assert.match(await page.textContent('#error-summary'), /Start time must be a time of day/);
  await checkPage(page, 'super-sign-out-error');
  await page.fill('input[name="started_at"]', londonTime(-2));
  await page.check('input[name="outcome"][value="sent_home_service_issue"]');
  await page.click('#sign-out-form button[type="submit"]');
  await page.waitForSelector('[data-banner="success"]');
  await waitReady(page);
  assert.equal(await page.getAttribute(card(wb.id), 'data-state'), 'signed_out');
  assert.equal((await booking(wb.id)).status, 'sent_home_service_issue');

  await page.click(`${card(a.booking.id)} [data-action="absent"]`);
  await waitReady(page);
  await checkPage(page, 'super-absent');
  await page.check('input[name="reason"][value="medical"]');
  await page.click('#absent-form button[type="submit"]');
  await page.waitForSelector('[data-banner="success"]');
  await waitReady(page);
  assert.equal(await page.getAttribute(card(a.booking.id), 'data-state'), 'absent');
  const got = await booking(a.booking.id);
  assert.equal(got.status, 'absent_acceptable');
  assert.equal(got.absence_reason, 'medical');
  assert.equal(got.outcomes.length, 1);
  await page.context().close();
});

test("a coordinator at a desk sees every supervisor's sessions and opens a register", async () => {
  const { session, referrals: [a] } = await runningSession(1);
  const page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'coordinator', '/today');
  await page.waitForSelector(`[data-session="${session.id}"]`);
  assert.match(await page.textContent(`[data-session="${session.id}"]`), /supervised by Sam Supervisor/);
  await checkPage(page, 'super-today-coordinator');
  await go(page, `/register/${session.id}`);
  assert.match(await page.textContent(card(a.booking.id)), new RegExp(a.booking.person_name));
  await checkPage(page, 'super-register-coordinator');
  // an officer may not use the register
  const officer = await newPage(browser, DESKTOP);
  await signIn(officer, world, 'officer', `/register/${session.id}`);
  assert.equal(await officer.textContent('h1'), 'You cannot use this page');
  await officer.context().close();
  await page.context().close();
});

test("a session still running after midnight is one of today's; yesterday's finished one stays under yesterday", async () => {
  const running = await world.session();
  const finished = await world.session();
  // London's midnight today; the running session started a second before it and runs for 24
  // hours (the longest a session may be), so it started yesterday whenever this runs
  const midnight = "(date_trunc('day', now() AT TIME ZONE 'Europe/London') AT TIME ZONE 'Europe/London')";
  world.psql(`UPDATE sessions SET starts_at = ${midnight} - interval '1 second',
    ends_at = ${midnight} - interval '1 second' + interval '24 hours' WHERE id = '${running.id}';
    UPDATE sessions SET starts_at = ${midnight} - interval '12 hours',
    ends_at = ${midnight} - interval '9 hours' WHERE id = '${finished.id}';`);
  const page = await newPage(browser, PHONE);
  await signIn(page, world, 'supervisor', '/today');
  await page.waitForSelector(`[data-day="today"] [data-session="${running.id}"]`);
  await page.waitForSelector(`[data-day="yesterday"] [data-session="${finished.id}"]`);
  assert.equal(await page.$(`[data-day="yesterday"] [data-session="${running.id}"]`), null);
  assert.equal(await page.$(`[data-day="today"] [data-session="${finished.id}"]`), null);
  await page.context().close();
});
