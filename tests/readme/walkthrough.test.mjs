#!/usr/bin/env node
// The README's curl walkthrough, executed (ctest: readme-walkthrough). The first ```sh block after
// the heading "A walkthrough with curl" is run by bash, as a reader would paste it, against the real
// `ij serve` on a fresh area of its own, with a tokens file in `.local/tokens.env` of a scratch
// directory (what scripts/run writes) and `IJ_BASE` pointing at the test's port. `curl` fails on
// any 4xx or 5xx answer (a wrapper adds --fail-with-body), bash stops at the first failing command,
// and afterwards the database must hold what the walkthrough says it made.
//
// Environment: IJ_BIN, DATABASE_URL, DATABASE_OWNER_URL (scripts/test and tests/CMakeLists.txt).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { IJ_BIN, Server, TestFailure, check, main, psql, requireEnv, run, say } from '../faults/lib.mjs';

requireEnv('IJ_BIN', 'DATABASE_URL');
const README = path.join(path.dirname(new URL(import.meta.url).pathname), '../../README.md');
let server;

// The shell block the README shows under its walkthrough heading.
function walkthroughScript() {
  const text = fs.readFileSync(README, 'utf8');
  const at = text.indexOf('### A walkthrough with curl');
  check(at >= 0, 'README.md has no "### A walkthrough with curl" section');
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  check(block !== null, 'the walkthrough section has no ```sh block');
  return block[1];
}

const ROLES = [
  ['officer', 'pc-101', 'PC 101'],
  ['coordinator', 'coord-1', 'Coordinator 1'],
  ['supervisor', 'sup-1', 'Supervisor 1'],
  ['commissioner', 'comm-1', 'Commissioner 1'],
  ['admin', 'admin-1', 'Admin 1'],
];

await main('README walkthrough', async () => {
  const script = walkthroughScript();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ij-walkthrough-'));
  try {
    const priv = path.join(dir, 'private.jwk');
    const jwks = path.join(dir, 'jwks.json');
    run(IJ_BIN, ['keygen', '--private', priv, '--jwks', jwks]);
    run(IJ_BIN, ['migrate']);
    // The walkthrough names the demo area's ward `arboretum` and supervisor `sup-1`; a fresh area
    // with them, as the demo data makes them, keeps this run apart from every other.
    const area = `walk${crypto.randomBytes(5).toString('hex')}`;
    psql(`INSERT INTO areas (code, name) VALUES ('${area}', 'Walkthrough area');
          INSERT INTO wards (area, code, name) VALUES ('${area}', 'arboretum', 'Arboretum');
          INSERT INTO supervisors (area, sub, name, created_at, updated_at)
            VALUES ('${area}', 'sup-1', 'Supervisor 1', now(), now());`);
    fs.mkdirSync(path.join(dir, '.local'));
    let env = '';
    for (const [role, sub, name] of ROLES) {
      const token = run(IJ_BIN, ['token', '--role', role, '--area', area, '--sub', sub, '--name', name,
        '--ttl', '3600'], { IJ_JWT_PRIVATE_KEY_FILE: priv });
      env += `export IJ_TOKEN_${role.toUpperCase()}='${token}'\n`;
    }
    fs.writeFileSync(path.join(dir, '.local', 'tokens.env'), env, { mode: 0o600 });

    server = await new Server({ jwks }).start();
    const wrapper = 'curl() { command curl --fail-with-body "$@"; }\n';
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', wrapper + script], {
      cwd: dir,
      env: { ...process.env, IJ_BASE: server.base },
      encoding: 'utf8',
      timeout: 120_000,
    });
    say(r.stdout);
    if (r.status !== 0) {
      throw new TestFailure(`the walkthrough failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
    }

    // What the walkthrough says it made, read back from the database.
    const rows = psql(`SELECT state FROM referrals WHERE area = '${area}'`);
    check(rows.length === 1, `one referral expected in the walkthrough's area, found ${rows.length}`);
    const expected = (/# expect: the referral ends (\w+)/.exec(script) || [])[1];
    check(expected !== undefined, 'the walkthrough states its end state in a "# expect:" comment');
    check(rows[0][0] === expected, `the referral ended ${rows[0][0]}, the walkthrough says ${expected}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, { servers: () => [server] });
