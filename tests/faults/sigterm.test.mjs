#!/usr/bin/env node
// SIGTERM while requests are in flight (ctest: fault-sigterm).
//
// 1. Under load (16 virtual users, each on its own kept-alive connection) and with one upload
//    held half-sent, SIGTERM: while that upload is still open the service is alive and refuses
//    new connections; the upload, finished afterwards, gets its normal 201; every request the
//    users sent before the signal got its normal answer; the process exits 0 within 10 s.
// 2. With IJ_SHUTDOWN_GRACE_SECONDS=2 and an upload that never finishes, SIGTERM still ends the
//    process (exit 0) within the grace plus a margin: the drain is bounded.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

import {
  Ledger, Server, check, checkAcknowledged, main, psql, referralBody, requireEnv, runUsers, say, setUp, sleep,
  tryConnect, until, writeRound,
} from './lib.mjs';

requireEnv('IJ_BIN', 'DATABASE_URL');
const EXIT_BOUND_MS = 10_000;
let servers = [];

// Opens a connection and sends a POST /v1/referrals whose body stops half-way, once the service
// has answered "100 Continue" (so the request is known to be in the service's hands).
// finish() sends the rest and resolves with the raw answer.
async function halfSentCreate(world, port, key) {
  const body = Buffer.from(JSON.stringify(referralBody(999, Number.parseInt(key.slice(-4), 16) || 1)));
  const sock = net.connect({ host: '127.0.0.1', port });
  let received = '';
  const closed = new Promise((resolve) => sock.once('close', resolve));
  sock.on('data', (d) => { received += d; });
  sock.on('error', () => {});
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.write(`POST /v1/referrals HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${world.tokens.officer}\r\n`
    + `Content-Type: application/json\r\nIdempotency-Key: ${key}\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
  await until('the service answers 100 Continue to the held upload', () => /^HTTP\/1\.1 100/.test(received), { timeoutMs: 10_000, everyMs: 10 });
  received = '';
  const half = Math.floor(body.length / 2);
  sock.write(body.subarray(0, half));
  return {
    closed,
    isOpen: () => !sock.destroyed && sock.readyState === 'open',
    received: () => received,
    async finish() {
      sock.write(body.subarray(half));
      await until('the held upload gets its whole answer', () => {
        if (sock.destroyed || sock.readyState !== 'open') check(/\r\n\r\n/.test(received), 'the held request was cut off');
        const m = /\r\n\r\n/.exec(received);
        if (!m) return false;
        const len = /content-length:\s*(\d+)/i.exec(received);
        return len ? received.length >= m.index + 4 + Number(len[1]) : false;
      }, { timeoutMs: 10_000, everyMs: 10 });
      const [head, text] = received.split('\r\n\r\n', 2);
      return { status: Number(head.split(' ')[1]), head, json: JSON.parse(text) };
    },
    destroy: () => sock.destroy(),
  };
}

async function gracefulUnderLoad(world) {
  const server = await new Server(world, { env: { IJ_SHUTDOWN_GRACE_SECONDS: '10' } }).start();
  servers.push(server);
  const ledger = new Ledger();
  let signalled = false;
  let signalAt = Infinity;
  const stop = () => signalled;
  const users = runUsers(16, (vu, n, a) => writeRound(world, server.base, ledger, vu, n, a, { stop }), stop);
  await until('the users have made 100 referrals', () => ledger.created.size >= 100, { timeoutMs: 60_000 });

  const held = await halfSentCreate(world, server.port, `${world.area}-held-a001`);
  say(`${ledger.outcomes.length} requests so far; SIGTERM with one upload held half-sent`);
  signalled = true;
  signalAt = performance.now();
  server.kill('SIGTERM');

  // New connections are refused while the held request keeps the service alive.
  const refusedAt = await until('a new connection is refused after SIGTERM', async () => (await tryConnect(server.port)) === 'refused'
    ? performance.now() : false, { timeoutMs: 5_000, everyMs: 20 });
  check(server.running, 'the service exited before the held request finished');
  check(held.isOpen(), `the held request's connection was closed: ${held.received()}`);
  for (let i = 0; i < 3; i++) {
    const r = await tryConnect(server.port);
    check(r === 'refused', `a new connection after SIGTERM: ${r}, not refused`);
  }
  say(`new connections refused ${(refusedAt - signalAt).toFixed(0)} ms after SIGTERM, the service still running`);

  const answer = await held.finish();
  check(answer.status === 201, `the held request got ${answer.status}, not 201: ${answer.head}`);
  check(/\r\nConnection: close/i.test(answer.head), `the answer during the drain does not close its connection: ${answer.head}`);
  say(`the held request finished with 201 (referral ${answer.json.id})`);

  await users;
  const exit = await server.waitExit(EXIT_BOUND_MS);
  const exitMs = exit.at - signalAt;
  check(!exit.timedOut, `the service did not exit within ${EXIT_BOUND_MS} ms of SIGTERM`);
  check(exit.code === 0, `the service exited with ${exit.code ?? exit.signal}, not 0:\n${server.log().slice(-4000)}`);
  check(!/still in flight/.test(server.log()), `the drain did not see every request finish:\n${server.log().slice(-4000)}`);
  say(`exited 0 ${exitMs.toFixed(0)} ms after SIGTERM`);

  // Every request sent before the signal got its normal answer; none was sent after it.
  const bad = ledger.outcomes.filter((o) => o.start < signalAt && (o.code || !(o.status >= 200 && o.status < 300)));
  check(bad.length === 0, `${bad.length} requests sent before SIGTERM did not get their normal answer, e.g. ${JSON.stringify(bad.slice(0, 3))}`);
  check(ledger.outcomes.every((o) => o.start < signalAt), 'a user sent a request after SIGTERM');
  const inFlight = ledger.outcomes.filter((o) => o.end > signalAt).length;
  say(`${ledger.outcomes.length} requests from the users, all answered normally (${inFlight} still in flight at the signal)`);

  ledger.created.set(answer.json.id, { version: 1, state: 'submitted' });
  const n = checkAcknowledged(ledger);
  say(`in the database: ${n.referrals} acknowledged referrals and ${n.transitions} transitions`);
}

async function boundedDrain(world) {
  const server = await new Server(world, { env: { IJ_SHUTDOWN_GRACE_SECONDS: '2' } }).start();
  servers.push(server);
  const held = await halfSentCreate(world, server.port, `${world.area}-held-b002`);
  const signalAt = performance.now();
  server.kill('SIGTERM');
  const exit = await server.waitExit(EXIT_BOUND_MS);
  check(!exit.timedOut, `with a request that never finishes, the service did not exit within ${EXIT_BOUND_MS} ms`);
  check(exit.code === 0, `the service exited with ${exit.code ?? exit.signal}, not 0:\n${server.log().slice(-4000)}`);
  const exitMs = exit.at - signalAt;
  check(exitMs >= 1500, `the service exited ${exitMs.toFixed(0)} ms after SIGTERM: it did not wait for the held request`);
  await Promise.race([held.closed, sleep(5_000)]);
  check(!held.isOpen(), 'the held connection is still open after the exit');
  held.destroy();
  check(/still in flight/.test(server.log()), `the log does not say a request was cut off:\n${server.log()}`);
  say(`with IJ_SHUTDOWN_GRACE_SECONDS=2 and a request that never finishes: exited 0 after ${exitMs.toFixed(0)} ms`);
}

await main('fault-sigterm', async () => {
  const world = setUp('sigterm');
  try {
    await gracefulUnderLoad(world);
    await boundedDrain(world);
    const n = psql(`SELECT count(*) FROM referrals WHERE area = '${world.area}';`)[0][0];
    say(`${n} referrals in the test's area`);
  } finally {
    for (const s of servers) await s.stop();
    world.cleanup();
  }
}, { servers: () => servers });
