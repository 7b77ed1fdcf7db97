#!/usr/bin/env node
// Holds the service to its OpenAPI contract. Four checks, each reported on its own:
//   lint       the spec passes the linter (the local @redocly/cli with redocly.yaml beside this file)
//   examples   every request body and response has an example, and every example fits its schema
//   routes     the routes the binary serves (`<ij> routes`) and the spec's operations are the same set
//   responses  every response recorded by the HTTP test suite fits the spec (status, content type,
//              headers, body); documented responses that were never seen are listed as warnings
// The responses file has one JSON object a line, as the HTTP suite records them:
//   {"method":"POST","route":"/v1/referrals/{id}/transitions","status":200,
//    "content_type":"application/json","headers":{"etag":"\"2\"",...},"body":<parsed JSON or null>}
// "route" is the route template (a concrete path is matched against the spec's templates too);
// "headers" should hold every response header (names in any case); when it is absent, the
// header checks are skipped for that line.
// The last line is "N passed, M failed" (", K skipped" when an option was left out); the exit
// status is 1 when any check failed.
//
// usage: node check.mjs --spec openapi.yaml [--routes-from ij] [--responses responses.jsonl]
//                       [--config redocly.yaml]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMA_BASE = 'urn:ij-contract:components';
// JSON Schema keywords by the shape of their value, for walking a schema.
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_SINGLE = new Set([
  'items', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'not', 'if', 'then',
  'else', 'contains', 'propertyNames', 'contentSchema',
]);
const SCHEMA_ANNOTATIONS = new Set(['example', 'examples', 'discriminator', 'xml', 'externalDocs']);

// ---- options -------------------------------------------------------------------------------

function usage(message) {
  if (message) console.error(`check.mjs: ${message}`);
  console.error(
    'usage: node check.mjs --spec <openapi.yaml> [--routes-from <ij binary>] ' +
      '[--responses <responses.jsonl>] [--config <redocly.yaml>]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { config: path.join(HERE, 'redocly.yaml') };
  const names = { '--spec': 'spec', '--routes-from': 'routesFrom', '--responses': 'responses', '--config': 'config' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') usage();
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = names[flag];
    if (!key) usage(`unknown argument ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') usage(`${flag} needs a value`);
    opts[key] = value;
  }
  if (!opts.spec) usage('--spec is required');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// ---- dependencies (installed by `npm ci` in this folder) -----------------------------------

let YAML, Ajv2020, addFormats;
try {
  YAML = (await import('yaml')).default;
  const ajvModule = await import('ajv/dist/2020.js');
  Ajv2020 = ajvModule.default?.default ?? ajvModule.default;
  const formatsModule = await import('ajv-formats');
  addFormats = formatsModule.default?.default ?? formatsModule.default;
} catch (err) {
  console.error(`check.mjs: a dependency is missing (${err.message}).`);
  console.error(`Run \`npm ci\` in ${HERE} first.`);
  console.log('0 passed, 4 failed');
  process.exit(1);
}

// ---- small helpers -------------------------------------------------------------------------

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function pointerGet(doc, ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) {
    throw new Error(`only references inside the document are supported, not ${JSON.stringify(ref)}`);
  }
  let node = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) {
      throw new Error(`unresolved reference ${ref}`);
    }
    node = node[key];
  }
  return node;
}

// Follows $ref chains of non-schema objects (responses, request bodies, headers, examples...).
function deref(doc, node) {
  const seen = new Set();
  while (isObject(node) && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new Error(`reference loop at ${node.$ref}`);
    seen.add(node.$ref);
    node = pointerGet(doc, node.$ref);
  }
  return node;
}

// Operations of the spec: [{method, path, op, pathItem}]
function operations(doc) {
  const out = [];
  for (const [p, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem);
    for (const method of METHODS) {
      if (isObject(item[method])) out.push({ method: method.toUpperCase(), path: p, op: item[method], item });
    }
  }
  return out;
}

function mediaBase(contentType) {
  return String(contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJsonMedia(media) {
  return media === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(media);
}

// Finds the declared media type for a content type: exact, then "type/*", then "*/*".
function findMedia(content, contentType) {
  const base = mediaBase(contentType);
  const keys = Object.keys(content ?? {});
  const exact = keys.find((k) => mediaBase(k) === base);
  if (exact) return exact;
  const wild = keys.find((k) => k === `${base.split('/')[0]}/*`);
  if (wild) return wild;
  return keys.find((k) => k === '*/*');
}

// ---- schemas and ajv -----------------------------------------------------------------------

class Schemas {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.cache = new WeakMap();
    const defs = {};
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) defs[name] = this.rewrite(schema);
    this.ajv.addSchema({ $id: SCHEMA_BASE, $defs: defs });
  }

  // Copies a schema, pointing references to component schemas at the registered copy and
  // inlining any other in-document reference. OpenAPI-only annotations are dropped; everything
  // else is walked keyword by keyword, so property names and const/enum values stay untouched.
  rewrite(schema, depth = 0) {
    if (depth > 200) throw new Error('schema nests too deeply (a reference loop outside components/schemas?)');
    if (!isObject(schema)) return schema; // true, false
    const sub = (s) => this.rewrite(s, depth + 1);
    const out = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') {
        const m = /^#\/components\/schemas\/([^/]+)$/.exec(value);
        if (m) out.$ref = `${SCHEMA_BASE}#/$defs/${m[1]}`;
        else if (value.startsWith('#')) Object.assign(out, sub(pointerGet(this.doc, value)));
        else throw new Error(`external reference ${value} is not supported`);
      } else if (SCHEMA_ANNOTATIONS.has(key)) {
        // not validation
      } else if (SCHEMA_MAPS.has(key) && isObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v)]));
      } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
        out[key] = value.map(sub);
      } else if (SCHEMA_SINGLE.has(key)) {
        out[key] = Array.isArray(value) ? value.map(sub) : sub(value); // items as a list: older drafts
      } else {
        out[key] = value;
      }
    }
    return out;
  }

  validator(schema) {
    if (isObject(schema) && this.cache.has(schema)) return this.cache.get(schema);
    const fn = this.ajv.compile(this.rewrite(schema));
    if (isObject(schema)) this.cache.set(schema, fn);
    return fn;
  }

  // [] when the value fits, else readable messages.
  validate(schema, value) {
    const fn = this.validator(schema);
    if (fn(value)) return [];
    return formatErrors(fn.errors);
  }
}

function formatErrors(errors) {
  const lines = [];
  for (const e of errors ?? []) {
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    let extra = '';
    if (e.keyword === 'additionalProperties') extra = `: ${e.params.additionalProperty}`;
    else if (e.keyword === 'enum') extra = `: ${JSON.stringify(e.params.allowedValues)}`;
    else if (e.keyword === 'const') extra = `: ${JSON.stringify(e.params.allowedValue)}`;
    lines.push(`${where} ${e.message}${extra}`);
  }
  return [...new Set(lines)];
}

// ---- reporting -----------------------------------------------------------------------------

const results = [];

function runCheck(name, fn) {
  const problems = [];
  const notes = [];
  let skipped = false;
  try {
    const outcome = fn(problems, notes);
    if (outcome === 'skip') skipped = true;
  } catch (err) {
    problems.push(`the check itself failed: ${err.stack ?? err}`);
  }
  const status = skipped ? 'SKIP' : problems.length ? 'FAIL' : 'PASS';
  results.push({ name, status });
  console.log(`\n== ${name}: ${status}`);
  for (const n of notes) console.log(`   ${n.replace(/\n/g, '\n   ')}`);
  for (const p of problems) console.log(` - ${p.replace(/\n/g, '\n   ')}`);
}

// ---- load the spec -------------------------------------------------------------------------

let doc = null;
let loadError = null;
try {
  const text = fs.readFileSync(opts.spec, 'utf8');
  const parsed = YAML.parseDocument(text, { uniqueKeys: true });
  if (parsed.errors.length) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  doc = parsed.toJS({ maxAliasCount: -1 });
  if (!isObject(doc) || typeof doc.openapi !== 'string') throw new Error('not an OpenAPI document');
} catch (err) {
  loadError = `cannot read the spec ${opts.spec}: ${err.message}`;
}

function needSpec() {
  if (loadError) throw new Error(loadError);
  return doc;
}

let schemas = null;
function needSchemas() {
  if (!schemas) schemas = new Schemas(needSpec());
  return schemas;
}

// ---- check a: lint -------------------------------------------------------------------------

runCheck('lint', (problems, notes) => {
  const bin = path.join(HERE, 'node_modules', '.bin', 'redocly');
  if (!fs.existsSync(bin)) {
    problems.push(`${bin} is missing: run \`npm ci\` in ${HERE}`);
    return;
  }
  const cli = fs.realpathSync(bin);
  const run = spawnSync(process.execPath, [cli, 'lint', '--config', opts.config, opts.spec], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  // Drop blank lines and the runtime's framed notices; keep what the linter says about the spec.
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s*[\u2550-\u256c]/.test(l))
    .join('\n');
  if (run.error) problems.push(`could not run the linter: ${run.error.message}`);
  else if (run.status !== 0) problems.push(`the linter reported errors (exit ${run.status}):\n${output}`);
  else notes.push(output.split('\n').slice(-2).join('\n'));
});

// ---- check b: examples ---------------------------------------------------------------------

runCheck('examples', (problems, notes) => {
  const spec = needSpec();
  const s = needSchemas();
  let mediaCount = 0;
  let exampleCount = 0;

  const checkValue = (label, schema, value) => {
    exampleCount++;
    if (isObject(value) && Object.keys(value).length === 1 && '$ref' in value) {
      problems.push(`${label}: an \`example\` is taken literally, so this $ref is not followed; use \`examples: {name: {$ref: ...}}\``);
      return;
    }
    for (const e of s.validate(schema, value)) problems.push(`${label}: ${e}`);
  };

  // A media type object must show at least one example; each must fit the schema.
  const checkMedia = (label, media) => {
    mediaCount++;
    if (!isObject(media.schema)) {
      problems.push(`${label}: no schema`);
      return;
    }
    let found = 0;
    if ('example' in media) {
      found++;
      checkValue(`${label} example`, media.schema, media.example);
    }
    for (const [name, rawEx] of Object.entries(media.examples ?? {})) {
      const ex = deref(spec, rawEx);
      if (isObject(ex) && 'value' in ex) {
        found++;
        checkValue(`${label} examples.${name}`, media.schema, ex.value);
      } else {
        problems.push(`${label} examples.${name}: no inline \`value\` (external examples are not checked)`);
      }
    }
    if (!found) problems.push(`${label}: no example`);
  };

  // Parameter and header examples are optional, but when given they must fit too.
  const checkOptional = (label, obj) => {
    if (!isObject(obj) || !isObject(obj.schema)) return;
    if ('example' in obj) checkValue(`${label} example`, obj.schema, obj.example);
    for (const [name, rawEx] of Object.entries(obj.examples ?? {})) {
      const ex = deref(spec, rawEx);
      if (isObject(ex) && 'value' in ex) checkValue(`${label} examples.${name}`, obj.schema, ex.value);
    }
  };

  for (const { method, path: p, op, item } of operations(spec)) {
    const where = `${method} ${p}`;
    for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
      const param = deref(spec, raw);
      checkOptional(`${where} parameter ${param.in}:${param.name}`, param);
    }
    if (op.requestBody) {
      const body = deref(spec, op.requestBody);
      const content = Object.entries(body.content ?? {});
      if (!content.length) problems.push(`${where} request body: no content`);
      for (const [mt, media] of content) checkMedia(`${where} request body ${mt}`, media);
    }
    if (!isObject(op.responses) || !Object.keys(op.responses).length) problems.push(`${where}: no responses`);
    for (const [status, raw] of Object.entries(op.responses ?? {})) {
      const resp = deref(spec, raw);
      for (const [name, rawHeader] of Object.entries(resp.headers ?? {})) {
        checkOptional(`${where} ${status} header ${name}`, deref(spec, rawHeader));
      }
      // A response without content (such as 204) has no body to show.
      for (const [mt, media] of Object.entries(resp.content ?? {})) checkMedia(`${where} ${status} ${mt}`, media);
    }
  }
  notes.push(`${mediaCount} request bodies and responses checked, ${plural(exampleCount, 'example')} validated`);
});

// ---- check c: routes -----------------------------------------------------------------------

runCheck('routes', (problems, notes) => {
  if (!opts.routesFrom) {
    notes.push('skipped: no --routes-from given');
    return 'skip';
  }
  const spec = needSpec();
  const run = spawnSync(opts.routesFrom, ['routes'], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) {
    problems.push(`could not run \`${opts.routesFrom} routes\`: ${run.error.message}`);
    return;
  }
  if (run.status !== 0) {
    problems.push(`\`${opts.routesFrom} routes\` exited with ${run.status ?? run.signal}:\n${(run.stderr ?? '').trim()}`);
    return;
  }
  const served = new Set();
  for (const [i, rawLine] of run.stdout.split('\n').entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z]+)\s+(\/\S*)$/.exec(line);
    if (!m) {
      problems.push(`routes output line ${i + 1} is not "METHOD /path": ${JSON.stringify(rawLine)}`);
      continue;
    }
    const key = `${m[1]} ${m[2]}`;
    if (served.has(key)) problems.push(`route listed twice: ${key}`);
    served.add(key);
  }
  if (!served.size) problems.push(`\`${opts.routesFrom} routes\` printed no routes`);
  const documented = new Set(operations(spec).map((o) => `${o.method} ${o.path}`));
  const shape = (key) => key.replace(/\{[^}]*\}/g, '{}');
  const missing = [...served].filter((r) => !documented.has(r)).sort();
  const unserved = [...documented].filter((r) => !served.has(r)).sort();
  const hint = (key, others) => {
    const twin = [...others].find((o) => o !== key && shape(o) === shape(key));
    return twin ? ` (the other side has ${twin}: path parameter names differ)` : '';
  };
  for (const r of missing) problems.push(`served but not in the spec: ${r}${hint(r, documented)}`);
  for (const r of unserved) problems.push(`in the spec but not served: ${r}${hint(r, served)}`);
  notes.push(`${plural(served.size, 'served route')}, ${plural(documented.size, 'documented operation')}`);
});

// ---- check d: recorded responses -----------------------------------------------------------

runCheck('responses', (problems, notes) => {
  if (!opts.responses) {
    notes.push('skipped: no --responses given');
    return 'skip';
  }
  if (!fs.existsSync(opts.responses)) {
    problems.push(
      `the responses file ${opts.responses} does not exist: run the HTTP test suite first ` +
        '(it records every response it receives when IJ_TEST_RESPONSE_LOG names a file)',
    );
    return;
  }
  const lines = fs.readFileSync(opts.responses, 'utf8').split('\n');
  if (!lines.some((l) => l.trim() !== '')) {
    problems.push(`the responses file ${opts.responses} is empty: the HTTP test suite recorded no response`);
    return;
  }
  const spec = needSpec();
  const s = needSchemas();
  const ops = operations(spec);

  // Path templates, most literal first, for records that carry a concrete path.
  const templates = Object.keys(spec.paths ?? {})
    .map((p) => ({
      path: p,
      params: (p.match(/\{[^}]*\}/g) ?? []).length,
      re: new RegExp(`^${p.split(/\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`),
    }))
    .sort((a, b) => a.params - b.params);
  const findPath = (route) => {
    if (spec.paths?.[route]) return route;
    const bare = String(route).split('?')[0];
    return templates.find((t) => t.re.test(bare))?.path ?? null;
  };

  // What a 404 for an unknown path and a 405 for an unknown method must look like.
  const problemOf = (status, slug) => ({
    allOf: [
      { $ref: '#/components/schemas/Problem' },
      { properties: { status: { const: status }, type: { const: `/problems/${slug}` } } },
    ],
  });
  const fallback404 = problemOf(404, 'not_found');
  const fallback405 = problemOf(405, 'method_not_allowed');

  const exercised = new Set();
  let checked = 0;
  let mismatched = 0;

  for (const [index, rawLine] of lines.entries()) {
    if (rawLine.trim() === '') continue;
    const lineNo = index + 1;
    checked++;
    let rec;
    try {
      rec = JSON.parse(rawLine);
    } catch (err) {
      problems.push(`line ${lineNo}: not JSON (${err.message})`);
      mismatched++;
      continue;
    }
    const errs = [];
    const method = typeof rec?.method === 'string' ? rec.method.toUpperCase() : null;
    const status = Number.isInteger(rec?.status) ? rec.status : null;
    if (!isObject(rec) || !method || typeof rec.route !== 'string' || status === null) {
      problems.push(`line ${lineNo}: a record needs "method", "route" (strings) and "status" (an integer)`);
      mismatched++;
      continue;
    }
    const label = `line ${lineNo}: ${method} ${rec.route} -> ${status}`;
    const headers = {};
    const haveHeaders = isObject(rec.headers);
    if (haveHeaders) for (const [k, v] of Object.entries(rec.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);

    const specPath = findPath(rec.route);
    const op = specPath ? ops.find((o) => o.path === specPath && o.method === method) : null;
    let response = null;
    let responseLabel = '';
    let fallbackSchema = null;

    if (op) {
      const key = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((k) => op.op.responses?.[k] !== undefined);
      if (!key) {
        errs.push(`status ${status} is not documented for ${method} ${specPath} (documented: ${Object.keys(op.op.responses ?? {}).join(', ')})`);
      } else {
        exercised.add(`${method} ${specPath} ${key}`);
        response = deref(spec, op.op.responses[key]);
        responseLabel = `${method} ${specPath} ${key}`;
      }
    } else if (specPath && status === 405) {
      fallbackSchema = fallback405;
      const documented = ops.filter((o) => o.path === specPath).map((o) => o.method);
      if (haveHeaders) {
        if (!headers.allow) errs.push('a 405 must carry an Allow header');
        else {
          const allowed = headers.allow.split(',').map((m) => m.trim().toUpperCase()).filter((m) => m && m !== 'HEAD' && m !== 'OPTIONS');
          const want = [...documented].sort().join(', ');
          const got = [...new Set(allowed)].sort().join(', ');
          if (want !== got) errs.push(`Allow is "${headers.allow}" but the spec documents ${want} for ${specPath}`);
        }
      }
    } else if (!specPath && status === 404) {
      fallbackSchema = fallback404;
    } else if (specPath) {
      errs.push(`${method} is not documented for ${specPath}, and the answer is not 405`);
    } else {
      errs.push(`${rec.route} is not a documented path, and the answer is not 404`);
    }

    if (fallbackSchema) {
      if (mediaBase(rec.content_type) !== 'application/problem+json') {
        errs.push(`content type ${JSON.stringify(rec.content_type ?? null)} is not application/problem+json`);
      }
      for (const e of s.validate(fallbackSchema, rec.body)) errs.push(`body ${e}`);
      if (haveHeaders && !headers['x-request-id']) errs.push('header X-Request-Id is missing');
    }

    if (response) {
      const content = response.content ?? {};
      if (!Object.keys(content).length) {
        if (rec.body !== null && rec.body !== undefined) errs.push(`${responseLabel} has no body in the spec, but one was sent`);
      } else {
        const mt = findMedia(content, rec.content_type);
        if (!mt) {
          errs.push(`content type ${JSON.stringify(rec.content_type ?? null)} is not declared (declared: ${Object.keys(content).join(', ')})`);
        } else if (isJsonMedia(mediaBase(mt)) && isObject(content[mt]) && content[mt].schema) {
          if (rec.body === null || rec.body === undefined) errs.push('no JSON body was recorded, but the spec gives one');
          else for (const e of s.validate(content[mt].schema, rec.body)) errs.push(`body ${e}`);
        }
      }
      if (haveHeaders) {
        for (const [name, rawHeader] of Object.entries(response.headers ?? {})) {
          if (name.toLowerCase() === 'content-type') continue;
          const h = deref(spec, rawHeader);
          const value = headers[name.toLowerCase()];
          if (value === undefined) {
            if (h.required) errs.push(`header ${name} is missing`);
            continue;
          }
          if (isObject(h.schema)) {
            const t = h.schema.type;
            const v = t === 'integer' || t === 'number' ? Number(value) : t === 'boolean' ? value === 'true' : value;
            for (const e of s.validate(h.schema, v)) errs.push(`header ${name}: ${JSON.stringify(value)} ${e.replace(/^\(root\) /, '')}`);
          }
        }
      }
    }

    // Facts that must agree across headers and body.
    if (isObject(rec.body) && haveHeaders) {
      if (headers.etag !== undefined && Number.isInteger(rec.body.version) && headers.etag !== `"${rec.body.version}"`) {
        errs.push(`ETag ${headers.etag} does not match the body's version ${rec.body.version}`);
      }
      if (headers.location !== undefined && typeof rec.body.id === 'string' && !headers.location.endsWith(`/${rec.body.id}`)) {
        errs.push(`Location ${headers.location} does not name the body's id ${rec.body.id}`);
      }
      // a replayed answer (Idempotency-Key) is the first request's, its request_id among it
      if (typeof rec.body.request_id === 'string' && headers['x-request-id'] !== undefined && headers['idempotent-replayed'] !== 'true' && headers['x-request-id'] !== rec.body.request_id) {
        errs.push(`request_id ${rec.body.request_id} differs from X-Request-Id ${headers['x-request-id']}`);
      }
    }
    if (isObject(rec.body) && Number.isInteger(rec.body.status) && mediaBase(rec.content_type) === 'application/problem+json' && rec.body.status !== status) {
      errs.push(`the problem's status ${rec.body.status} differs from the HTTP status ${status}`);
    }

    if (errs.length) {
      mismatched++;
      const shown = errs.slice(0, 12);
      if (errs.length > shown.length) shown.push(`... and ${errs.length - shown.length} more`);
      problems.push(`${label}\n${shown.map((e) => `    ${e}`).join('\n')}`);
    }
  }

  notes.push(`${plural(checked, 'recorded response')} checked, ${mismatched} not matching the spec`);
  let neverCount = 0;
  const never = [];
  for (const { method, path: p, op } of ops) {
    const keys = Object.keys(op.responses ?? {}).filter((key) => !exercised.has(`${method} ${p} ${key}`));
    neverCount += keys.length;
    if (keys.length) never.push(`${method} ${p}: ${keys.join(', ')}`);
  }
  if (neverCount) {
    notes.push(`warning: ${plural(neverCount, 'documented response')} never exercised by the HTTP tests (route: statuses):`);
    for (const n of never) notes.push(`  ${n}`);
  }
});

// ---- summary -------------------------------------------------------------------------------

const passed = results.filter((r) => r.status === 'PASS').length;
const failed = results.filter((r) => r.status === 'FAIL').length;
const skipped = results.filter((r) => r.status === 'SKIP').length;
console.log('\n== summary');
for (const r of results) console.log(`   ${r.status.padEnd(4)} ${r.name}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
