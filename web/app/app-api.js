// The only way the pages reach the service: the public JSON API under /v1, with the caller's
// bearer token (or none, behind a sign-in proxy that adds the Authorization header itself).
//
// The token comes from the sign-in link (/app#token=...). It is taken out of the address bar at
// once and kept in sessionStorage for this tab only: it never reaches the server's logs through a
// URL, and closing the tab forgets it.

const TOKEN_KEY = 'ij.app.token';
const ME_KEY = 'ij.app.me';

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage refused: the token lives in memory for this page only
  }
}

let memoryToken = null;

// Takes a token from the address (#token=...), keeps it and removes it from the address bar.
// Answers the rest of the fragment (the page's route), without the token.
export function takeTokenFromAddress() {
  const hash = location.hash.replace(/^#/, '');
  if (!hash.startsWith('token=')) return null;
  const amp = hash.indexOf('&');
  const token = decodeURIComponent(hash.slice(6, amp < 0 ? undefined : amp));
  const rest = amp < 0 ? '' : hash.slice(amp + 1);
  if (token) {
    memoryToken = token;
    storage()?.setItem(TOKEN_KEY, token);
    storage()?.removeItem(ME_KEY);
  }
  const route = rest.startsWith('/') ? rest : '/';
  history.replaceState(null, '', `${location.pathname}${location.search}#${route}`);
  return route;
}

export function token() {
  return memoryToken ?? storage()?.getItem(TOKEN_KEY) ?? null;
}

export function forgetToken() {
  memoryToken = null;
  storage()?.removeItem(TOKEN_KEY);
  storage()?.removeItem(ME_KEY);
}

// The caller as the last GET /v1/me answered, kept for this tab so that a page reloaded without
// signal still knows who is signed in.
export function keptMe() {
  try {
    return JSON.parse(storage()?.getItem(ME_KEY) ?? 'null');
  } catch {
    return null;
  }
}

export function keepMe(me) {
  storage()?.setItem(ME_KEY, JSON.stringify(me));
}

// A fresh Idempotency-Key for a write that may be sent again (a retried submit, a queued change).
export function newKey() {
  return crypto.randomUUID();
}

// A refused or failed call. `status` is 0 when the service could not be reached (no signal);
// `fields` maps each failing field the problem names to its message.
export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message || problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || null;
    this.fields = {};
    for (const e of problem?.errors ?? []) {
      if (e && typeof e.field === 'string' && !(e.field in this.fields)) this.fields[e.field] = e.message;
    }
  }

  get offline() {
    return this.status === 0;
  }
}

function queryString(query) {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Calls the API. Options: body (sent as JSON, or as is with contentType), query (an object),
// ifMatch (a version number or an ETag), idempotencyKey, accept, signal.
// Answers { status, data, etag, version, headers } for 2xx and 304; throws ApiError otherwise.
export async function api(method, path, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let body;
  if (opts.body !== undefined) {
    if (opts.contentType) {
      headers['Content-Type'] = opts.contentType;
      body = opts.body;
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
  }
  if (opts.ifMatch !== undefined && opts.ifMatch !== null) {
    headers['If-Match'] = typeof opts.ifMatch === 'number' ? `"${opts.ifMatch}"` : String(opts.ifMatch);
  }
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let res;
  try {
    res = await fetch(`${path}${queryString(opts.query)}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, null, 'The service could not be reached. Check the signal and try again.');
  }
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (res.status !== 204 && res.status !== 304) {
    if (type.includes('json')) {
      try {
        data = await res.json();
      } catch {
        data = null;
      }
    } else {
      data = await res.text();
    }
  }
  if (!res.ok && res.status !== 304) {
    if (res.status === 401) forgetToken();
    throw new ApiError(res.status, data && typeof data === 'object' ? data : null);
  }
  const etag = res.headers.get('ETag');
  const m = etag ? /^(?:W\/)?"(\d+)"$/.exec(etag) : null;
  return { status: res.status, data, etag, version: m ? Number(m[1]) : null, headers: res.headers };
}

// Every item of a keyset-paginated list (at most `max` items).
export async function all(path, query = {}, max = 500) {
  const items = [];
  let cursor;
  for (;;) {
    const r = await api('GET', path, { query: { ...query, cursor } });
    const page = r.data;
    items.push(...(page.items ?? []));
    cursor = page.next_cursor;
    if (!cursor || items.length >= max) return items;
  }
}
