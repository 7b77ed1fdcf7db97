// Prints the SQL of named statements of the store, as the service sends them, so that pgbench's
// baselines run exactly the service's SQL: the store's C source is preprocessed (macros such as
// REFERRAL_COLUMNS expanded) and the string literals of `static const ij_stmt STMT_X = {"name",
// "sql" ...}` are joined.
//   node extract.mjs ROOT NAME...   -> JSON {name: sql}
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [root, ...names] = process.argv.slice(2);
const dir = path.join(root, 'service/store');
const pq = execFileSync('pkg-config', ['--cflags', 'libpq'], { encoding: 'utf8' }).trim();
const found = {};
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.c'))) {
  let text;
  try {
    text = execFileSync(process.env.CC || 'cc',
      ['-E', '-P', ...pq.split(/\s+/).filter(Boolean), '-I', path.join(root, 'include'), '-I', dir,
        path.join(dir, file)],
      { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    console.error(`extract.mjs: cannot preprocess ${file}: ${String(e.stderr).slice(0, 500)}`);
    process.exit(1);
  }
  const re = /ij_stmt\s+\w+\s*=\s*\{\s*"([^"]+)"\s*,((?:\s*"(?:[^"\\]|\\.)*")+)\s*,\s*\d+\s*\}/g;
  for (const m of text.matchAll(re)) {
    const parts = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((p) => JSON.parse(`"${p[1]}"`));
    found[m[1]] = parts.join('');
  }
}
const out = {};
for (const n of names) {
  if (!(n in found)) {
    console.error(`extract.mjs: no statement named ${n}`);
    process.exit(1);
  }
  out[n] = found[n];
}
console.log(JSON.stringify(out, null, 1));
