#!/usr/bin/env node
// The admin's pages at a desk (1280 px; every page also passes at 320 px): the area's wards,
// reason codes, rules, webhook, GOV.UK Notify service and templates, and directory of supervisors,
// each change checked through the API and then found in the change log.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, checkPage, go, launch, newPage, signIn, startService, waitReady } from './harness.mjs';

let world;
let browser;
let page;

before(async () => {
  world = await startService({ name: 'admin' });
  browser = await launch();
  page = await newPage(browser, DESKTOP);
  await signIn(page, world, 'admin', '/admin');
});

after(async () => {
  await browser?.close().catch(() => {});
  await world?.close();
});

const admin = () => world.tokens.admin;
const get = async (route) => (await world.ok('GET', route, { token: admin() })).json;

// Clicks something that shows another page (a link, or a form's button that succeeds) and waits
// until that page is shown.
async function follow(selector) {
  await page.evaluate(() => { document.querySelector('main').dataset.state = 'moving'; });
  await page.click(selector);
  await waitReady(page);
  assert.doesNotMatch(await page.textContent('main'), /\bnull\b|\bundefined\b|\[object /, 'no value is shown as code would print it');
}

// Clicks a form's button that the API refuses, and answers the error summary's items, each with
// the id its link points at and whether that control exists on the page.
async function refused(selector) {
  await page.evaluate(() => document.getElementById('error-summary')?.remove());
  await page.click(selector);
  await page.waitForSelector('#error-summary');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'the summary is focused');
  assert.match(await page.title(), /^Error: /);
  return page.$$eval('#error-summary li', (items) => items.map((li) => {
    const a = li.querySelector('a');
    const target = a ? a.getAttribute('href').slice(1) : null;
    return { text: li.textContent.trim(), target, exists: !!(target && document.getElementById(target)) };
  }));
}

// The id of the control named `name`.
const idOf = (name) => page.$eval(`main [name="${name}"]`, (c) => c.id);

async function successBanner() {
  await page.waitForSelector('[data-banner="success"]');
  return (await page.textContent('[data-banner="success"]')).trim();
}

test('the overview links to each part of the reference data, for admins only', async () => {
  assert.equal(await page.textContent('h1'), 'Reference data');
  assert.match(await page.title(), /^Reference data – /);
  const links = await page.$$eval('#sections a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#/admin/wards', '#/admin/reason-codes', '#/admin/rules', '#/admin/webhook', '#/admin/notify', '#/admin/supervisors', '#/admin/changes']);
  assert.equal(await page.getAttribute('#nav-list a[href="#/admin"]', 'aria-current'), 'page');
  await checkPage(page, 'admin-overview');

  const other = await newPage(browser, DESKTOP);
  await signIn(other, world, 'coordinator', '/admin/wards');
  assert.equal(await other.textContent('h1'), 'You cannot use this page');
  assert.equal(await other.$('#nav-list a[href="#/admin"]'), null);
  await other.context().close();
});

test('wards: add (an invalid code first), rename, retire, a ward in use is not deleted, an unused one is', async () => {
  await go(page, '/admin');
  await follow('#sections a[href="#/admin/wards"]');
  assert.deepEqual(await page.$$eval('#wards [data-ward]', (as) => as.map((a) => a.dataset.ward)), ['ward-a', 'ward-b']);
  await checkPage(page, 'admin-wards');

  await follow('a:has-text("Add a ward")');
  await checkPage(page, 'admin-ward-add');
  await page.fill('input[name=name]', 'Castle');
  await page.fill('input[name=code]', 'Castle Hill!');
  const errors = await refused('button:has-text("Add ward")');
  const codeId = await idOf('code');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].target, codeId);
  assert.ok(errors[0].exists);
  assert.match(await page.textContent('[data-field="code"] .govuk-error-message'), /code/i);
  await checkPage(page, 'admin-ward-add-error');
  assert.equal((await get('/v1/wards?all=true')).items.some((w) => w.name === 'Castle'), false, 'nothing added on refusal');

  await page.fill('input[name=code]', 'castle');
  await follow('button:has-text("Add ward")');
  assert.match(await successBanner(), /Ward Castle added/);
  assert.deepEqual((await get('/v1/wards?all=true')).items.find((w) => w.code === 'castle'), { code: 'castle', name: 'Castle', active: true });

  await follow('#wards a[data-ward="castle"]');
  assert.equal(await page.textContent('h1'), 'Castle');
  await checkPage(page, 'admin-ward');
  await follow('#ward a[href="#/admin/wards/castle/rename"]');
  await checkPage(page, 'admin-ward-rename');
  await page.fill('input[name=name]', 'Castle and Riverside');
  await follow('button:has-text("Save name")');
  assert.match(await successBanner(), /Ward renamed Castle and Riverside/);
  assert.equal((await get('/v1/wards')).items.find((w) => w.code === 'castle').name, 'Castle and Riverside');

  await follow('#wards a[data-ward="castle"]');
  await follow('button:has-text("Retire ward")');
  assert.match(await successBanner(), /Ward Castle and Riverside retired/);
  assert.equal(await page.getAttribute('#wards tr:has(a[data-ward="castle"]) [data-status]', 'data-status'), 'inactive');
  assert.equal((await get('/v1/wards')).items.some((w) => w.code === 'castle'), false, 'a retired ward is not offered');
  assert.equal((await get('/v1/wards?all=true')).items.find((w) => w.code === 'castle').active, false);

  // ward-a is named by a referral: the API refuses to delete it, and the page says why
  await world.referral();
  await follow('#wards a[data-ward="ward-a"]');
  await follow('a:has-text("Delete ward")');
  assert.equal(await page.textContent('h1'), 'Delete Abbey?');
  await checkPage(page, 'admin-ward-delete');
  const inUse = await refused('button:has-text("Delete ward")');
  assert.equal(inUse.length, 1);
  assert.match(inUse[0].text, /Abbey cannot be deleted because referrals or placements name it\. Retire it instead/);
  assert.ok(await page.isVisible('button:has-text("Retire Abbey instead")'), 'retiring is offered instead');
  await checkPage(page, 'admin-ward-delete-in-use');
  assert.deepEqual((await get('/v1/wards')).items.find((w) => w.code === 'ward-a'), { code: 'ward-a', name: 'Abbey', active: true });

  // the retired ward nothing uses is deleted
  await go(page, '/admin/wards/castle/delete');
  await follow('button:has-text("Delete ward")');
  assert.match(await successBanner(), /Ward Castle and Riverside deleted/);
  assert.equal((await get('/v1/wards?all=true')).items.some((w) => w.code === 'castle'), false);
});

test('reason codes: add one of the area\'s own (bad input first), retire it', async () => {
  await go(page, '/admin/reason-codes');
  for (const kind of ['reject', 'withdraw', 'warning', 'non_compliance']) {
    assert.ok(await page.isVisible(`#kind-${kind}`), kind);
  }
  assert.ok(await page.isVisible('#codes-reject a[data-code]'), 'the national codes are listed');
  await checkPage(page, 'admin-reason-codes');

  await follow('a:has-text("Add a withdrawal reason")');
  assert.equal(await page.isChecked('input[name=kind][value=withdraw]'), true, 'the kind is chosen from the link');
  await checkPage(page, 'admin-reason-code-add');
  await page.fill('input[name=label]', '');
  await page.fill('input[name=code]', 'Left the country');
  const errors = await refused('button:has-text("Add reason code")');
  const targets = errors.map((e) => e.target).sort();
  assert.deepEqual(targets, [await idOf('code'), await idOf('label')].sort(), JSON.stringify(errors));
  assert.ok(errors.every((e) => e.exists));
  await checkPage(page, 'admin-reason-code-add-error');

  await page.fill('input[name=label]', 'Left the country');
  await page.fill('input[name=code]', 'left_country');
  await follow('button:has-text("Add reason code")');
  assert.match(await successBanner(), /Withdrawal reason added: Left the country/);
  const added = (await get('/v1/reason-codes?kind=withdraw')).items.find((c) => c.code === 'left_country');
  assert.deepEqual(added, { kind: 'withdraw', code: 'left_country', label: 'Left the country', active: true, national: false });

  await follow('a[data-code="withdraw.left_country"]');
  assert.equal(await page.textContent('h1'), 'Left the country');
  await checkPage(page, 'admin-reason-code');
  await follow('button:has-text("Retire reason code")');
  assert.match(await successBanner(), /Withdrawal reason retired: Left the country/);
  assert.equal((await get('/v1/reason-codes?kind=withdraw')).items.some((c) => c.code === 'left_country'), false);
  assert.equal((await get('/v1/reason-codes?kind=withdraw&all=true')).items.find((c) => c.code === 'left_country').active, false);
});

test('the area\'s rules: an out-of-range value is refused, then good values are saved', async () => {
  await go(page, '/admin/rules');
  assert.deepEqual(await page.$$eval('#rules [data-source]', (s) => s.map((x) => x.dataset.source)), ['default', 'default', 'default', 'default']);
  await checkPage(page, 'admin-rules');
  await follow('#rules a[href="#/admin/rules/edit"]');
  await checkPage(page, 'admin-rules-edit');
  await page.fill('input[name=target_start_hours]', '24');
  await page.fill('input[name=hours_min]', '4');
  await page.fill('input[name=hours_max]', '999');
  await page.fill('input[name=hours_default]', '6');
  const errors = await refused('button:has-text("Save rules")');
  assert.ok(errors.every((e) => e.exists), JSON.stringify(errors));
  assert.ok(errors.map((e) => e.target).includes(await idOf('hours_max')), JSON.stringify(errors));
  assert.match(errors.find((e) => e.target === errors[0].target).text, /^[A-Z]/);
  assert.ok(errors.some((e) => /^Most hours of work /.test(e.text)), 'the message names the field as the page labels it');
  assert.match(await page.textContent('[data-field="hours_max"] .govuk-error-message'), /Most hours of work /);
  await checkPage(page, 'admin-rules-error');
  assert.deepEqual((await get(`/v1/areas/${world.area}/rules`)).configured,
    { target_start_hours: null, hours_min: null, hours_max: null, hours_default: null }, 'nothing changed on refusal');

  await page.fill('input[name=hours_max]', '10');
  await follow('button:has-text("Save rules")');
  assert.match(await successBanner(), /rules are saved/);
  assert.deepEqual(await page.$$eval('#rules [data-rule]', (s) => s.map((x) => x.firstChild.textContent)), ['24 hours', '4 hours', '10 hours', '6 hours']);
  assert.deepEqual(await page.$$eval('#rules [data-source]', (s) => s.map((x) => x.dataset.source)), ['area', 'area', 'area', 'area']);
  const rules = await get(`/v1/areas/${world.area}/rules`);
  assert.deepEqual(rules.configured, { target_start_hours: 24, hours_min: 4, hours_max: 10, hours_default: 6 });
});

test('the webhook: bad input refused, then set with a secret that is never shown back', async () => {
  const secret = 'a3f9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f2a4c6e8b0d2';
  await go(page, '/admin/webhook');
  assert.equal(await page.textContent('[data-webhook="secret"]'), 'Not set: deliveries are not signed');
  await checkPage(page, 'admin-webhook');
  await follow('#webhook a[href="#/admin/webhook/edit"]');
  await checkPage(page, 'admin-webhook-edit');
  await page.fill('input[name=url]', 'ftp://force.example.org/notices');
  await page.fill('input[name=secret]', 'too-short');
  const errors = await refused('button:has-text("Save webhook")');
  assert.deepEqual(errors.map((e) => e.target).sort(), [await idOf('secret'), await idOf('url')].sort(), JSON.stringify(errors));
  assert.equal(await page.inputValue('input[name=secret]'), '', 'the typed secret is not kept on the page');
  await checkPage(page, 'admin-webhook-error');
  assert.equal((await get(`/v1/areas/${world.area}/webhook`)).url, null, 'nothing changed on refusal');

  await page.fill('input[name=url]', 'https://force.example.org/ij/notices');
  await page.fill('input[name=secret]', secret);
  await follow('button:has-text("Save webhook")');
  assert.match(await successBanner(), /webhook is saved/);
  assert.equal(await page.textContent('[data-webhook="url"]'), 'https://force.example.org/ij/notices');
  assert.match(await page.textContent('[data-webhook="secret"]'), /^Set /);
  assert.ok(!(await page.content()).includes(secret), 'the secret is not on the page');
  await checkPage(page, 'admin-webhook-set');
  await follow('#webhook a[href="#/admin/webhook/edit"]');
  assert.equal(await page.inputValue('input[name=secret]'), '', 'the secret is not shown back');
  assert.ok(!(await page.content()).includes(secret));
  const hook = await get(`/v1/areas/${world.area}/webhook`);
  assert.equal(hook.url, 'https://force.example.org/ij/notices');
  assert.equal(hook.secret_set, true);
  assert.ok(!JSON.stringify(hook).includes(secret));
});

test('GOV.UK Notify: the service (bad input refused, secrets never shown back) and the templates by kind', async () => {
  const service = '26785a09-ab16-4eb0-8407-a37497a57506';
  const secret = '3d844edf-8d35-48ac-975b-e847b4f122b0';
  const key = `ij_browser-${service}-${secret}`;
  const token = 'receipts-0123456789abcdef0123456789abcdef';
  const notNow = (text) => {
    assert.ok(!text.includes(secret) && !text.includes(token), 'neither the key nor the token is on the page');
  };
  await go(page, '/admin');
  await follow('#sections a[href="#/admin/notify"]');
  assert.equal(await page.textContent('h1'), 'Messages (GOV.UK Notify)');
  assert.equal(await page.textContent('[data-notify="api_key"]'), 'Not set');
  assert.equal(await page.textContent('[data-notify="callback_url"]'), `${new URL(page.url()).origin}/v1/areas/${world.area}/notify/receipts`);
  // a section per kind, from the API's list, with its personalisation fields
  const kinds = (await get(`/v1/areas/${world.area}/message-templates`)).kinds;
  assert.deepEqual(await page.$$eval('#templates [data-kind]', (s) => s.map((x) => x.dataset.kind)), kinds.map((k) => k.kind));
  assert.match(await page.textContent('#templates [data-kind="session_moved"]'), /\(\(previous_start_time\)\)/);
  assert.match(await page.textContent('#templates [data-kind="victim_work_started"]'), /never names the person/);
  await checkPage(page, 'admin-notify');

  await follow('#notify a[href="#/admin/notify/edit"]');
  await checkPage(page, 'admin-notify-edit');
  await page.fill('input[name=api_key]', `not-a-key-${secret}`);
  await page.fill('input[name=callback_token]', 'too short');
  await page.fill('input[name=reminder_time]', '25:00');
  const errors = await refused('button:has-text("Save")');
  assert.deepEqual(errors.map((e) => e.target).sort(),
    [await idOf('api_key'), await idOf('callback_token'), await idOf('reminder_time')].sort(), JSON.stringify(errors));
  assert.ok(errors.every((e) => e.exists));
  assert.equal(await page.inputValue('input[name=api_key]'), '', 'the typed key is not kept on the page');
  assert.equal(await page.inputValue('input[name=callback_token]'), '');
  notNow(await page.content());
  await checkPage(page, 'admin-notify-edit-error');
  assert.equal((await get(`/v1/areas/${world.area}/notify`)).api_key_set, false, 'nothing changed on refusal');

  await page.fill('input[name=api_key]', key);
  await page.fill('input[name=callback_token]', token);
  await page.fill('input[name=reminder_time]', '17:30');
  await page.check('input[name=welsh][value=yes]');
  await follow('button:has-text("Save")');
  assert.match(await successBanner(), /Notify service is saved/);
  assert.equal(await page.textContent('[data-notify="api_key"]'), 'Set (key name ij_browser)');
  assert.equal(await page.textContent('[data-notify="callback_token"]'), 'Set');
  assert.match(await page.textContent('[data-notify="reminder_time"]'), /^17:30/);
  notNow(await page.content());
  await checkPage(page, 'admin-notify-set');
  const n = await get(`/v1/areas/${world.area}/notify`);
  assert.deepEqual({ ...n, version: undefined }, {
    configured: true, service_id: service, key_name: 'ij_browser', api_key_set: true, callback_token_set: true,
    base_url: 'https://api.notifications.service.gov.uk', reminder_time: '17:30', welsh: true,
    callback_url: `/v1/areas/${world.area}/notify/receipts`, version: undefined,
  });
  await follow('#notify a[href="#/admin/notify/edit"]');
  assert.equal(await page.inputValue('input[name=api_key]'), '', 'the key is not shown back');
  notNow(await page.content());

  // the templates: a bad id named on its box, then saved; Welsh boxes since Welsh is on
  await go(page, '/admin/notify/templates');
  await checkPage(page, 'admin-notify-templates');
  const box = (kind, language, channel) => `input[name="template.${kind}.${language}.${channel}"]`;
  assert.ok(await page.isVisible(box('reminder', 'cy', 'sms')), 'Welsh boxes are offered');
  await page.fill(box('reminder', 'en', 'sms'), 'f33517ff-2a88-4f6e-b855-c550268ce08a');
  await page.fill(box('reminder', 'cy', 'sms'), 'not-a-template');
  await page.fill(box('booking_confirmation', 'en', 'email'), '0b4c2d6e-8f10-4a2b-9c3d-5e6f7a8b9c0d');
  const bad = await refused('button:has-text("Save templates")');
  assert.equal(bad.length, 1, JSON.stringify(bad));
  assert.equal(bad[0].target, await idOf('template.reminder.cy.sms'));
  await checkPage(page, 'admin-notify-templates-error');
  assert.deepEqual((await get(`/v1/areas/${world.area}/message-templates`)).templates, [], 'nothing saved on refusal');
  await page.fill(box('reminder', 'cy', 'sms'), '2e4a6c8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a');
  await follow('button:has-text("Save templates")');
  assert.match(await successBanner(), /3 templates set/);
  assert.deepEqual((await get(`/v1/areas/${world.area}/message-templates`)).templates, [
    { kind: 'booking_confirmation', language: 'en', channel: 'email', template_id: '0b4c2d6e-8f10-4a2b-9c3d-5e6f7a8b9c0d' },
    { kind: 'reminder', language: 'cy', channel: 'sms', template_id: '2e4a6c8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a' },
    { kind: 'reminder', language: 'en', channel: 'sms', template_id: 'f33517ff-2a88-4f6e-b855-c550268ce08a' },
  ]);
  assert.equal(await page.textContent('[data-template="reminder.cy.sms"]'), '2e4a6c8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a');
  assert.equal(await page.textContent('[data-template="reminder.en.email"]'), 'None');
  await checkPage(page, 'admin-notify-templates-set');

  // both changes are in the change log, saying only that the secrets are set
  await go(page, '/admin/changes?entity=notify');
  const logged = await page.textContent('#changes');
  assert.match(logged, /The GOV.UK Notify service changed/);
  assert.match(logged, /API key setNoYes/);
  assert.match(logged, /Receipts token setNoYes/);
  notNow(logged);
  await go(page, '/admin/changes?entity=message_template');
  assert.match(await page.textContent('#changes'), /The message templates changed.*Reminder, cy, sms: 2e4a6c8b/);
  await checkPage(page, 'admin-notify-changes');
});

test('supervisors: add one (a bad phone first), make them inactive', async () => {
  await go(page, '/admin/supervisors');
  await checkPage(page, 'admin-supervisors');
  await follow('a:has-text("Add a supervisor")');
  await checkPage(page, 'admin-supervisor-add');
  await page.fill('input[name=sub]', 'sup-77');
  await page.fill('input[name=name]', 'Robin Supervisor');
  await page.fill('input[name=organisation]', 'Normanton Community Pantry');
  await page.fill('input[name=phone]', 'call the office');
  const errors = await refused('button:has-text("Add supervisor")');
  assert.deepEqual(errors.map((e) => e.target), [await idOf('phone')], JSON.stringify(errors));
  await checkPage(page, 'admin-supervisor-add-error');

  await page.fill('input[name=phone]', '01332 496123');
  await follow('button:has-text("Add supervisor")');
  assert.match(await successBanner(), /Robin Supervisor added to the directory/);
  const added = (await get('/v1/supervisors')).items.find((s) => s.sub === 'sup-77');
  assert.equal(added.name, 'Robin Supervisor');
  assert.equal(added.organisation, 'Normanton Community Pantry');
  assert.equal(added.phone, '01332 496123');
  assert.equal(added.active, true);

  await follow('#supervisors a[data-sub="sup-77"]');
  await checkPage(page, 'admin-supervisor');
  await follow('#supervisor a[href="#/admin/supervisors/sup-77/edit"]');
  await checkPage(page, 'admin-supervisor-edit');
  await page.fill('input[name=phone]', '');
  await follow('button:has-text("Save details")');
  assert.match(await successBanner(), /Robin Supervisor's details are saved/);
  assert.equal((await get('/v1/supervisors')).items.find((s) => s.sub === 'sup-77').phone, null);

  await follow('#supervisors a[data-sub="sup-77"]');
  await follow('button:has-text("Make inactive")');
  assert.match(await successBanner(), /Robin Supervisor is now inactive/);
  assert.equal((await get('/v1/supervisors')).items.some((s) => s.sub === 'sup-77'), false);
  assert.equal((await get('/v1/supervisors?all=true')).items.find((s) => s.sub === 'sup-77').active, false);
});

test('the change log shows each change, by whom, before and after, filtered and paginated', async () => {
  const api = (await get('/v1/reference-changes?limit=100')).items;
  await go(page, '/admin/changes?limit=100');
  const shown = await page.$$eval('#changes > li', (li) => li.map((x) => ({ id: x.dataset.change, text: x.textContent })));
  assert.deepEqual(shown.map((s) => s.id), api.map((c) => c.id), 'the same changes as the API, newest first');
  const find = (entity, key, action) => {
    const c = api.find((x) => x.entity === entity && x.key === key && x.action === action);
    assert.ok(c, `${entity} ${key} ${action} is in the API's log`);
    const s = shown.find((x) => x.id === c.id);
    assert.match(s.text, /Ada Admin \(admin-1, admin\)/);
    return s.text;
  };
  assert.match(find('ward', 'castle', 'add'), /Ward castle added/);
  assert.match(find('ward', 'castle', 'change'), /NameCastleCastle and Riverside/);
  assert.match(find('ward', 'castle', 'retire'), /ActiveYesNo/);
  assert.match(find('ward', 'castle', 'delete'), /Ward castle deleted/);
  assert.match(find('reason_code', api.find((c) => c.entity === 'reason_code' && c.action === 'add').key, 'add'), /Left the country/);
  assert.ok(api.some((c) => c.entity === 'reason_code' && c.action === 'retire'));
  assert.match(find('area_rules', world.area, 'change'), /The area's rules changed.*Most hours of workThe service's default10/);
  assert.match(find('supervisor', 'sup-77', 'add'), /Robin Supervisor/);
  assert.match(find('supervisor', 'sup-77', 'retire'), /ActiveYesNo/);
  await checkPage(page, 'admin-changes');

  // only the wards' changes
  await page.selectOption('select[name=entity]', 'ward');
  await follow('#changes-filter button');
  assert.ok(page.url().includes('entity=ward'));
  const wards = await page.$$eval('#changes > li', (li) => li.map((x) => x.dataset.entity));
  assert.deepEqual(wards, (await get('/v1/reference-changes?entity=ward&limit=100')).items.map(() => 'ward'));
  assert.ok(wards.length >= 4);

  // three at a time: the next page continues where the first stopped
  await go(page, '/admin/changes?limit=3');
  const first = await page.$$eval('#changes > li', (li) => li.map((x) => x.dataset.change));
  assert.deepEqual(first, api.slice(0, 3).map((c) => c.id));
  await follow('#older');
  const second = await page.$$eval('#changes > li', (li) => li.map((x) => x.dataset.change));
  assert.deepEqual(second, api.slice(3, 6).map((c) => c.id));
  await checkPage(page, 'admin-changes-page-2');
  await follow('#newest');
  assert.deepEqual(await page.$$eval('#changes > li', (li) => li.map((x) => x.dataset.change)), first);
});
