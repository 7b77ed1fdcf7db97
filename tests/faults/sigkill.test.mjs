#!/usr/bin/env node
// The service killed with SIGKILL under load, then started again (ctest: fault-sigkill).
//
// 16 virtual users create referrals (with an Idempotency-Key), read them and accept them (with
// If-Match), each on its own referrals. The service is killed with SIGKILL mid-load and started
// again on the same port while the users carry on. Afterwards: every write that got a 2xx is in
// the database; every referral of the area agrees with its event log (version = number of events,
// the last event's resulting state = the referral's state); a create whose answer was lost, sent
// again with the same Idempotency-Key, is answered 201; outside the outage every request got its
// normal answer, and during it the only failures were refused or reset connections.
import { performance } from 'node:perf_hooks';

import {
  Ledger, Server, check, checkAcknowledged, checkConsistent, main, request, requireEnv, runUsers, say,
  setUp, until, writeRound,
} from './lib.mjs';

requireEnv('IJ_BIN', 'DATABASE_URL');
const USERS = 16;
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
let servers = [];

await main('fault-sigkill', async () => {
  const world = setUp('sigkill');
  try {
    const first = await new Server(world).start();
    servers.push(first);
    const ledger = new Ledger();
    const pending = [];
    let stopped = false;
    const stop = () => stopped;
    const base = first.base;
    const users = runUsers(USERS, (vu, n, a) => writeRound(world, base, ledger, vu, n, a, { pending, stop }), stop);

    await until('the users have made 150 referrals', () => ledger.created.size >= 150, { timeoutMs: 60_000 });
    const before = ledger.outcomes.length;
    const killAt = performance.now();
    first.kill('SIGKILL');
    const killed = await first.waitExit(10_000);
    check(killed.signal === 'SIGKILL', `the service ended with ${killed.code ?? killed.signal}, not by SIGKILL`);
    say(`SIGKILL after ${before} requests (${ledger.created.size} referrals acknowledged)`);

    // Started again on the same port, so the users' next requests reach it.
    const second = new Server(world, { port: first.port });
    servers.push(second);
    await second.start();
    const readyAt = performance.now();
    say(`started again in ${(readyAt - killAt).toFixed(0)} ms`);
    const atReady = ledger.created.size;
    await until('the users have made 150 referrals more', () => ledger.created.size >= atReady + 150, { timeoutMs: 60_000 });
    stopped = true;
    await users;

    // Answers lost with the first process: the same request again, with the same key.
    let retried = 0;
    for (const { key, body } of pending) {
      const r = await request(second.base, 'POST', '/v1/referrals', { token: world.tokens.officer, body, headers: { 'Idempotency-Key': key } });
      check(r.status === 201, `a create sent again with Idempotency-Key ${key} got ${r.status}: ${r.text}`);
      ledger.created.set(r.json.id, { version: r.json.version, state: r.json.state });
      retried++;
    }

    const during = (o) => o.end >= killAt && o.start <= readyAt;
    const unexpected = ledger.outcomes.filter((o) => {
      if (o.code) return !(during(o) && CONNECTION_ERRORS.has(o.code));
      if (o.status >= 200 && o.status < 300) return false;
      // a request the first process took in may have been cut off by the kill, never answered wrongly
      return !(during(o) && o.status === 503 && o.problem);
    });
    const lost = {};
    for (const o of ledger.outcomes) if (o.code) lost[o.code] = (lost[o.code] || 0) + 1;
    check(unexpected.length === 0, `${unexpected.length} requests got an unexpected outcome, e.g. ${JSON.stringify(unexpected.slice(0, 3))}`);
    say(`${ledger.outcomes.length} requests: no answer during the outage ${JSON.stringify(lost)}, the rest answered normally;`
      + ` ${retried} creates sent again with their Idempotency-Key got 201`);

    const n = checkAcknowledged(ledger);
    const total = checkConsistent(world.area);
    say(`in the database: all ${n.referrals} acknowledged referrals and ${n.transitions} transitions;`
      + ` all ${total} referrals of the area agree with their event logs`);

    const probe = await request(second.base, 'GET', '/readyz');
    check(probe.status === 200, `/readyz after the restart: ${probe.status}`);
  } finally {
    for (const s of servers) await s.stop();
    world.cleanup();
  }
}, { servers: () => servers });
