#!/usr/bin/env node
// PostgreSQL stopped and started again under load (ctest: fault-pg-restart).
//
// 8 virtual users create, read and accept referrals while PostgreSQL is stopped (pg_ctl stop -m
// fast) and, a few seconds later, started again. While it is down every answer is 503 with a
// problem document and GET /readyz says 503; after it is back the service recovers by itself
// (no restart): /readyz says 200 and requests succeed again, every one that starts after /readyz
// first said 200 (a pooled connection the restart ended is found so before it is used, not by a
// request's 503). Afterwards every write that got a 2xx is in the database and every referral
// agrees with its event log.
//
// IJ_TEST_PGCTL (from scripts/test) runs pg_ctl for the test cluster. PostgreSQL is started again
// whatever happens, since the other suites share the cluster.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

import {
  Ledger, Server, check, checkAcknowledged, checkConsistent, isProblem, main, request, requireEnv, runUsers, say,
  setUp, sleep, until, writeRound,
} from './lib.mjs';

requireEnv('IJ_BIN', 'DATABASE_URL', 'IJ_TEST_PGCTL');
const PGCTL = process.env.IJ_TEST_PGCTL;
const USERS = 8;
const DOWN_MS = 3_000;
let servers = [];

function pgctl(...args) {
  const r = spawnSync(PGCTL, args, { encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, out: `${r.stdout || ''}${r.stderr || ''}`.trim() };
}

function pgRunning() {
  return pgctl('status').status === 0;
}

function pgStart() {
  if (pgRunning()) return;
  const r = pgctl('start', '-w', '-t', '60');
  if (r.status !== 0 && !pgRunning()) throw new Error(`PostgreSQL did not start again: ${r.out}`);
}

await main('fault-pg-restart', async () => {
  check(pgRunning(), `PostgreSQL is not running before the test (${PGCTL} status)`);
  const world = setUp('pgrestart');
  try {
    // A short wait for a pooled connection, so that a request waiting for one gets its 503 soon.
    const server = await new Server(world, { env: { IJ_DB_ACQUIRE_TIMEOUT_MS: '2000' } }).start();
    servers.push(server);
    const ledger = new Ledger();
    let stopped = false;
    const stop = () => stopped;
    const users = runUsers(USERS, (vu, n, a) => writeRound(world, server.base, ledger, vu, n, a, { stop }), stop);
    await until('the users have made 100 referrals', () => ledger.created.size >= 100, { timeoutMs: 60_000 });

    let downAt;
    let upAt;
    let readyAt;
    try {
      say(`stopping PostgreSQL after ${ledger.outcomes.length} requests`);
      downAt = performance.now();
      const r = pgctl('stop', '-m', 'fast', '-w', '-t', '60');
      check(r.status === 0, `pg_ctl stop failed: ${r.out}`);
      const stoppedAt = performance.now();

      const ready = await until('GET /readyz says 503 while PostgreSQL is down', async () => {
        const p = await request(server.base, 'GET', '/readyz');
        return p.status === 503 ? p : false;
      }, { timeoutMs: 15_000 });
      check(isProblem(ready, 503), `/readyz's 503 is not a problem document: ${ready.headers['content-type']} ${ready.text}`);
      await until('the users get 503 problem documents while PostgreSQL is down',
        () => ledger.outcomes.filter((o) => o.start > stoppedAt && o.status === 503).length >= 10, { timeoutMs: 15_000 });
      const direct = await request(server.base, 'GET', '/v1/referrals?limit=5', { token: world.tokens.officer });
      check(isProblem(direct, 503), `GET /v1/referrals while PostgreSQL is down: ${direct.status} ${direct.text}`);
      const remaining = DOWN_MS - (performance.now() - downAt);
      if (remaining > 0) await sleep(remaining); // the outage lasts a while, with the users still at it
      say(`down for ${(performance.now() - downAt).toFixed(0)} ms: /readyz and the API answer 503 problem documents`);
    } finally {
      upAt = performance.now();
      pgStart();
    }
    say(`PostgreSQL is back after ${(performance.now() - upAt).toFixed(0)} ms`);

    await until('GET /readyz says 200 again', async () => (await request(server.base, 'GET', '/readyz')).status === 200, { timeoutMs: 30_000 });
    readyAt = performance.now();
    say(`the service is ready again ${(readyAt - upAt).toFixed(0)} ms after PostgreSQL's start`);
    // Recovered: from the moment /readyz says 200, every request succeeds (no stale pooled
    // connection answers 503).
    const settledAt = readyAt;
    const atSettle = ledger.created.size;
    await until('the users have made 100 referrals more', () => ledger.created.size >= atSettle + 100, { timeoutMs: 60_000 });
    stopped = true;
    await users;

    check(server.running, 'the service exited');
    const ok = (o) => !o.code && o.status >= 200 && o.status < 300;
    const bad = ledger.outcomes.filter((o) => {
      if (ok(o)) return false;
      // 503 with a problem document is the answer while the database is away, until the service
      // says it is ready again
      const outage = o.end >= downAt && o.start <= settledAt;
      return !(outage && o.status === 503 && o.problem);
    });
    check(bad.length === 0, `${bad.length} requests got an unexpected outcome, e.g. ${JSON.stringify(bad.slice(0, 3))}`);
    const afterSettle = ledger.outcomes.filter((o) => o.start > settledAt);
    check(afterSettle.length > 0 && afterSettle.every(ok), 'not every request succeeded after the recovery');
    const unavailable = ledger.outcomes.filter((o) => o.status === 503).length;
    const lateErrors = ledger.outcomes.filter((o) => o.start > readyAt && !ok(o)).length;
    say(`${ledger.outcomes.length} requests: ${unavailable} answered 503 (problem+json) during the outage,`
      + ` ${lateErrors} after /readyz said 200 again, ${afterSettle.length} after that all succeeded`);

    const n = checkAcknowledged(ledger);
    const total = checkConsistent(world.area);
    say(`in the database: all ${n.referrals} acknowledged referrals and ${n.transitions} transitions;`
      + ` all ${total} referrals of the area agree with their event logs`);

    // A restart while the service is idle, every pooled connection open: none of them may cost a
    // request its 503 once /readyz says 200 (under load above, the users found them broken first).
    const burst = () => Promise.all(Array.from({ length: 64 },
      () => request(server.base, 'GET', '/v1/referrals?limit=5', { token: world.tokens.officer })));
    const warm = await burst();
    check(warm.every((r) => r.status === 200), `before the idle restart: ${warm.map((r) => r.status)}`);
    const r = pgctl('stop', '-m', 'fast', '-w', '-t', '60');
    check(r.status === 0, `pg_ctl stop failed: ${r.out}`);
    pgStart();
    await until('GET /readyz says 200 after the idle restart',
      async () => (await request(server.base, 'GET', '/readyz')).status === 200, { timeoutMs: 30_000 });
    const after = await burst();
    const failed = after.filter((x) => x.status !== 200);
    say(`after a restart while idle: ${after.length - failed.length} of ${after.length} requests answered 200 once /readyz did`);
    check(failed.length === 0, `after the idle restart, once /readyz said 200: ${failed.map((x) => `${x.status} ${x.text}`).slice(0, 3)}`);
  } finally {
    pgStart();
    for (const s of servers) await s.stop();
    world.cleanup();
  }
}, { servers: () => servers });
