#!/usr/bin/env node
// Slow and excess clients cannot take the instance away from everyone else (ctest: fault-slow-clients).
//
// One client, from 127.0.0.2, opens IJ_SLOW_CONNECTIONS (2,000) connections to `ij serve`,
// started with the settings scripts/run uses, and on each sends the start of a request that it
// never finishes (a request line and one header, then nothing). Meanwhile another client, from
// 127.0.0.1, makes ordinary requests, one every 100 ms for 12 s, each on a new connection: /readyz
// and a referral list. Every one must be answered within a second. The slow client gets at most
// IJ_MAX_CONNECTIONS_PER_ADDRESS of its connections (the rest are closed at once), and those are
// closed once IJ_REQUEST_TIMEOUT_SECONDS pass without the request's next bytes. The service's resident set must stay bounded (judged only for an
// optimised build, IJ_LOAD_BIN: AddressSanitizer's quarantine makes it meaningless), and once the
// slow connections' deadline for a request's headers has passed, the service has closed them.
// Then (b) an instance with IJ_MAX_CONNECTIONS 64 and no per-address limit, as behind a balancer:
// with 64 slow connections open, each new request is answered 503 with Retry-After within a
// second (not left in the kernel's queue until a slow one times out), and once the slow client
// leaves, it is served again.
// Everything is on 127.0.0.1 and bounded in time.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

import { IJ_BIN, Server, check, main, request, requireEnv, rssKiB, say, setUp, sleep, until } from './lib.mjs';

requireEnv('IJ_BIN', 'DATABASE_URL');
const SLOW = Number(process.env.IJ_SLOW_CONNECTIONS || 2000);
const ORDINARY_MS = 12_000;
const PER_ADDRESS = 100; // the default of IJ_MAX_CONNECTIONS_PER_ADDRESS
const LIMIT = 64; // IJ_MAX_CONNECTIONS in part b
const ANSWER_WITHIN_MS = 1000;
const RSS_LIMIT_MIB = 64;
const BIN = process.env.IJ_LOAD_BIN || IJ_BIN;
const OPTIMISED = Boolean(process.env.IJ_LOAD_BIN);
let server;

// Opens one connection and sends a request's start; resolves with the socket once connected, or
// with null when the service refused or closed it at once (which is allowed: refusing excess
// connections is one of the ways to stay available).
function slowConnection(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    sock.setNoDelay(true);
    sock.on('error', () => resolve(null));
    sock.once('connect', () => {
      sock.write('GET /v1/referrals HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      resolve(sock);
    });
    sock.on('close', () => { sock.closedAt = performance.now(); });
  });
}

async function ordinary(base, token) {
  const t0 = performance.now();
  const routes = ['/readyz', '/v1/referrals?limit=5'];
  const route = routes[Math.floor(Math.random() * routes.length)];
  try {
    const r = await request(base, 'GET', route, { token: route === '/readyz' ? undefined : token, timeoutMs: 5000 });
    return { route, status: r.status, ms: performance.now() - t0 };
  } catch (err) {
    return { route, status: 0, ms: performance.now() - t0, error: String(err.message || err) };
  }
}

await main('slow clients', async () => {
  const world = setUp('slow');
  server = await new Server(world, { bin: BIN }).start();
  const rssBefore = rssKiB(server.pid);
  say(`service: ${BIN}; resident set ${(rssBefore / 1024).toFixed(1)} MiB; opening ${SLOW} slow connections`);

  const opened = [];
  for (let i = 0; i < SLOW; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, SLOW - i) }, () => slowConnection(server.port)));
    opened.push(...batch);
  }
  await sleep(500); // the service closes the excess ones at once; give the closes time to arrive
  const held = opened.filter((s) => s && !s.destroyed && s.closedAt === undefined);
  say(`${held.length} of ${SLOW} slow connections open half a second after connecting (the rest closed at once)`);

  const answers = [];
  let rssMax = rssKiB(server.pid);
  const t0 = performance.now();
  while (performance.now() - t0 < ORDINARY_MS) {
    const tick = performance.now();
    answers.push(await ordinary(server.base, world.tokens.coordinator));
    rssMax = Math.max(rssMax, rssKiB(server.pid));
    await sleep(Math.max(0, 100 - (performance.now() - tick)));
  }
  const stillOpen = opened.filter((s) => s && !s.destroyed && s.closedAt === undefined).length;
  const late = answers.filter((a) => a.status !== 200 || a.ms > ANSWER_WITHIN_MS);
  const worst = Math.max(...answers.map((a) => a.ms));
  say(`ordinary requests: ${answers.length}, ${late.length} not answered 200 within ${ANSWER_WITHIN_MS} ms; slowest ${worst.toFixed(0)} ms`);
  say(`slow connections the service still held after ${ORDINARY_MS / 1000} s: ${stillOpen}`);
  say(`resident set: ${(rssBefore / 1024).toFixed(1)} MiB before, ${(rssMax / 1024).toFixed(1)} MiB at most${OPTIMISED ? '' : ' (not judged: sanitizer build)'}`);
  for (const s of opened) s?.destroy();

  check(held.length <= PER_ADDRESS, `one address held ${held.length} connections (limit ${PER_ADDRESS})`);
  check(late.length === 0, `ordinary requests not answered within ${ANSWER_WITHIN_MS} ms: ${JSON.stringify(late.slice(0, 5))}`);
  check(stillOpen === 0, `${stillOpen} connections that never finished their headers were still open after ${ORDINARY_MS / 1000} s`);
  if (OPTIMISED) check(rssMax / 1024 < RSS_LIMIT_MIB, `the resident set reached ${(rssMax / 1024).toFixed(1)} MiB (limit ${RSS_LIMIT_MIB})`);
  // and the instance is still itself afterwards
  await until('the service answers /readyz after the slow client left', async () => (await fetch(`${server.base}/readyz`)).status === 200,
    { timeoutMs: 5000 });
  await server.stop();

  // b. the instance's own limit reached (IJ_MAX_CONNECTIONS, no per-address limit, as behind a
  // balancer): a new connection is answered 503 with Retry-After at once, not left waiting in the
  // kernel's queue until a slow one times out; once the slow ones are gone it is served again.
  server = await new Server(world, { bin: BIN, env: { IJ_MAX_CONNECTIONS: String(LIMIT), IJ_MAX_CONNECTIONS_PER_ADDRESS: '0' } }).start();
  const full = (await Promise.all(Array.from({ length: LIMIT }, () => slowConnection(server.port)))).filter(Boolean);
  await sleep(300);
  check(full.filter((x) => x.closedAt === undefined).length === LIMIT, `the service closed some of the ${LIMIT} connections its limit allows`);
  const refusals = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    try {
      const r = await request(server.base, 'GET', '/readyz', { timeoutMs: 5000 });
      refusals.push({ status: r.status, retryAfter: r.headers['retry-after'], type: r.json?.type, ms: performance.now() - t });
    } catch (err) {
      refusals.push({ status: 0, error: String(err.message || err), ms: performance.now() - t });
    }
    await sleep(50);
  }
  const slowest = Math.max(...refusals.map((a) => a.ms));
  say(`at the limit of ${LIMIT} connections: ${refusals.filter((a) => a.status === 503).length} of ${refusals.length} new requests answered 503`
    + ` (Retry-After ${refusals[0].retryAfter}) within ${slowest.toFixed(0)} ms at worst`);
  check(refusals.every((a) => a.status === 503 && a.retryAfter === '1' && a.type === '/problems/unavailable' && a.ms < ANSWER_WITHIN_MS),
    `new connections at the limit were not refused at once with a 503: ${JSON.stringify(refusals.slice(0, 3))}`);
  for (const x of full) x.destroy();
  await until('the service answers /readyz once the slow connections are gone', async () => (await fetch(`${server.base}/readyz`)).status === 200,
    { timeoutMs: 5000, everyMs: 100 });
  await server.stop();
  world.cleanup();
}, { servers: () => [server] });
