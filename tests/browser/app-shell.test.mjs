#!/usr/bin/env node
// The practitioners' pages' frame: how they are served, signing in by link, each role's home
// page and menu, and refusing pages to roles that may not use them.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, checkPage, go, launch, newPage, signIn, startService, waitReady } from './harness.mjs';

let world;
let browser;

before(async () => {
  world = await startService({ name: 'shell' });
  browser = await launch();
});

after(async () => {
  await browser?.close().catch(() => {});
  await world?.close();
});

test('the page, its worker and its files are served with security headers, and only listed files', async () => {
  const page = await world.call('GET', '/app');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
  assert.doesNotMatch(page.headers.get('content-security-policy'), /unsafe/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.match(page.text, /\/app\/assets\/app\.js/);
  const worker = await world.call('GET', '/app/sw.js');
  assert.equal(worker.status, 200);
  assert.match(worker.headers.get('content-type'), /^text\/javascript/);
  assert.equal(worker.headers.get('service-worker-allowed'), '/app');
  const js = await world.call('GET', '/app/assets/app.js');
  assert.equal(js.status, 200);
  assert.equal((await world.call('GET', '/app/assets/app.js', { headers: { 'If-None-Match': js.headers.get('etag') } })).status, 304);
  for (const bad of ['app.html', 'app-sw.js', 'index.html', '..%2fapp.js', 'APP.JS', 'missing.js']) {
    assert.equal((await world.call('GET', `/app/assets/${bad}`)).status, 404, bad);
  }
});

test('without a token the page asks the reader to sign in, and shows no menu', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(`${world.base}/app`);
  await waitReady(page);
  assert.match(await page.textContent('h1'), /sign in/i);
  assert.equal(await page.isVisible('#nav'), false);
  await checkPage(page, 'signed-out');
  await page.context().close();
});

for (const role of ['officer', 'coordinator', 'supervisor', 'admin']) {
  test(`${role}: the sign-in link opens the home page with the role's menu, and signing out forgets the token`, async () => {
    const page = await newPage(browser, DESKTOP);
    await signIn(page, world, role);
    assert.match(await page.textContent('#signed-in-as'), new RegExp(world.subs[role].name));
    assert.equal(await page.textContent('h1'), 'Your work');
    const me = (await world.ok('GET', '/v1/me', { token: world.tokens[role] })).json;
    assert.deepEqual(me.roles, [role]);
    await checkPage(page, `home-${role}`);
    await go(page, '/no-such-page');
    assert.equal(await page.textContent('h1'), 'Page not found');
    await page.click('#sign-out');
    await waitReady(page);
    assert.match(await page.textContent('h1'), /sign in/i);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('ij.app.token')), null);
    await page.context().close();
  });
}
