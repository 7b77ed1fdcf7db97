// The supervisor's registers kept on the phone, and the changes made to them waiting to be sent.
//
// Where: localStorage, one entry per signed-in person (`ij.super.v1.<sub>`), read and written whole.
// What is kept is small (a few registers of a few people each, and the changes made to them), it is
// read at once when a page is drawn, and only the page touches it (the service worker never does),
// so the synchronous localStorage is enough and needs no library; IndexedDB would only pay for
// itself with large data or with the worker sending changes in the background.
//
// Kept: the registers of today's and yesterday's sessions opened on this phone (older ones are
// removed when the app starts), the last list of those sessions, and the queue. Signing out removes
// all of it.
//
// The queue: each change (sign in, sign out, did not attend) is made once, with its
// Idempotency-Key, and sent in the order it was made: at once when there is signal, otherwise when
// the signal returns (the window's 'online' event, the next page load, or "Send now"). A change whose
// answer was lost is sent again with the same key, so the service records it once. A change the
// service refuses (412 stale version, 409, 422, ...) stays in the queue as "refused", with the
// service's reason, until the supervisor retries it (with the booking's latest version and a new
// key: the refusal is the answer kept for the old one) or discards it. Later changes to the same
// booking wait behind a refused one.

import { api, ApiError, newKey } from './app-api.js';
import { londonDay } from './app-ui.js';

const PREFIX = 'ij.super.v1.';
const SEND_WAIT_MS = 15_000;
const RETRY_EVERY_MS = 30_000;

let sub = null;
let draining = null;
const listeners = new Set();

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function empty() {
  return { registers: {}, today: null, queue: [] };
}

function load() {
  if (!sub) return empty();
  try {
    const s = JSON.parse(storage()?.getItem(PREFIX + sub) ?? 'null');
    return s && typeof s === 'object' ? { ...empty(), ...s } : empty();
  } catch {
    return empty();
  }
}

function save(state) {
  if (!sub) return;
  try {
    storage()?.setItem(PREFIX + sub, JSON.stringify(state));
  } catch (err) {
    console.warn('the register could not be kept on this phone:', err?.message);
  }
}

// Reads, changes and writes the signed-in person's store in one go; answers what fn answers.
function update(fn) {
  const state = load();
  const out = fn(state);
  save(state);
  return out;
}

function changed() {
  showConnection();
  for (const fn of listeners) {
    try {
      fn();
    } catch (err) {
      console.warn(err);
    }
  }
}

// Called when something kept changes (a change queued, sent or refused). Answers an unsubscriber.
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// ---- who ------------------------------------------------------------------------------------------

// Starts keeping for the signed-in person (null: nobody); again for whoever signs in later in the
// same tab. Removes what is kept of sessions older than yesterday, for everyone who used this phone.
let listening = false;
export function start(who) {
  const next = who?.sub ?? null;
  if (listening && next === sub) return;
  sub = next;
  prune();
  if (!listening) {
    listening = true;
    window.addEventListener('online', () => {
      showConnection();
      drain();
    });
    window.addEventListener('offline', showConnection);
    setInterval(() => {
      if (sub && navigator.onLine && waiting().length) drain();
    }, RETRY_EVERY_MS);
  }
  showConnection();
  if (sub && navigator.onLine && waiting().length) drain();
}

// Forgets everything kept for the signed-in person (at sign-out).
export function forget() {
  if (sub) storage()?.removeItem(PREFIX + sub);
  sub = null;
  changed();
}

function prune() {
  const s = storage();
  if (!s) return;
  const oldest = londonDay(-1);
  for (let i = s.length - 1; i >= 0; i--) {
    const key = s.key(i);
    if (!key?.startsWith(PREFIX)) continue;
    try {
      const state = JSON.parse(s.getItem(key));
      for (const [id, r] of Object.entries(state.registers ?? {})) {
        if (londonDay(0, new Date(r.session.starts_at)) < oldest) delete state.registers[id];
      }
      if (state.today && state.today.day < londonDay(0)) state.today = null;
      if (!Object.keys(state.registers ?? {}).length && !state.today && !(state.queue ?? []).length) s.removeItem(key);
      else s.setItem(key, JSON.stringify(state));
    } catch {
      s.removeItem(key);
    }
  }
}

// ---- kept registers and sessions -----------------------------------------------------------------

// Whether a session is one whose register is kept (today's or yesterday's, in London).
export function keepable(session) {
  const day = londonDay(0, new Date(session.starts_at));
  return day >= londonDay(-1) && day <= londonDay(0);
}

// Keeps a register as the service answered it: { session, items } (items with their bookings' times).
export function keepRegister(register) {
  if (!sub || !keepable(register.session)) return;
  update((s) => {
    s.registers[register.session.id] = { ...register, keptAt: new Date().toISOString() };
  });
}

export function keptRegister(sessionId) {
  return load().registers[sessionId] ?? null;
}

export function keepToday(items) {
  if (!sub) return;
  update((s) => {
    s.today = { day: londonDay(0), keptAt: new Date().toISOString(), items };
  });
}

export function keptToday() {
  const t = load().today;
  return t && t.day === londonDay(0) ? t : null;
}

// A booking as the service answered it (a Booking): its register entry takes the new state.
function takeBooking(s, sessionId, b) {
  const r = s.registers[sessionId];
  const item = r?.items.find((i) => i.booking_id === b.id);
  if (!item) return;
  Object.assign(item, {
    status: b.status, version: b.version, minutes_credited: b.minutes_credited,
    signed_in_at: b.signed_in_at, started_at: b.started_at, finished_at: b.finished_at,
    behaviour: b.behaviour, work_quality: b.work_quality, notes: b.notes, absence_reason: b.absence_reason,
  });
}

// ---- the queue -----------------------------------------------------------------------------------

export function queue() {
  return load().queue;
}

export const waiting = () => queue().filter((c) => c.state === 'waiting');
export const refused = () => queue().filter((c) => c.state === 'refused');

const PATHS = {
  'sign-in': (id) => `/v1/bookings/${id}/sign-in`,
  'sign-out': (id) => `/v1/bookings/${id}/sign-out`,
  absent: (id) => `/v1/bookings/${id}/outcome`,
};

// A new change to a booking on a kept register: kind 'sign-in' (body {}), 'sign-out' or 'absent'
// (with If-Match: the version known now, or, behind a change of the same booking still waiting,
// the version that change's answer will give).
export function makeChange(kind, sessionId, item, body) {
  const before = queue().filter((c) => c.bookingId === item.booking_id).pop();
  return {
    key: newKey(),
    kind,
    sessionId,
    bookingId: item.booking_id,
    person: item.person.name,
    body,
    version: kind === 'sign-in' ? null : before ? null : item.version,
    after: kind !== 'sign-in' && before ? before.key : null,
    madeAt: new Date().toISOString(),
    state: 'waiting',
    problem: null,
  };
}

// Sends a change now when there is signal and nothing for the same booking is waiting before it,
// otherwise queues it. Answers { booking } when the service recorded it, { queued: true } when it
// is kept to be sent later; throws the ApiError of a refusal (nothing is kept then).
export async function submit(change) {
  const behind = queue().some((c) => c.bookingId === change.bookingId);
  if (!navigator.onLine || behind) {
    enqueue(change);
    if (navigator.onLine) drain();
    return { queued: true };
  }
  try {
    const r = await send(change);
    update((s) => takeBooking(s, change.sessionId, r.data));
    changed();
    return { booking: r.data };
  } catch (err) {
    if (!later(err)) throw err;
    enqueue(change); // the answer may have been lost: the same key goes again
    return { queued: true };
  }
}

function enqueue(change) {
  update((s) => {
    s.queue.push(change);
  });
  changed();
}

function send(change) {
  return api('POST', PATHS[change.kind](change.bookingId), {
    body: change.body,
    ifMatch: change.version,
    idempotencyKey: change.key,
    signal: AbortSignal.timeout(SEND_WAIT_MS),
  });
}

// Failures that say nothing about the change itself: no signal, no answer in time, the service
// busy or failing, the sign-in expired, or the first request with the key still being answered.
function later(err) {
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError') return true;
  if (!(err instanceof ApiError)) return false;
  if (err.status === 0 || err.status === 401 || err.status === 408 || err.status === 425 || err.status === 429 || err.status >= 500) return true;
  return err.status === 409 && 'Idempotency-Key' in err.fields;
}

// Sends the waiting changes in order; one run at a time. Stops at the first failure that is not
// about the change (no signal); a refused change is kept, with the service's problem, and the
// changes to the same booking after it wait for the supervisor to resolve it.
export function drain() {
  if (!sub) return Promise.resolve();
  if (!draining) {
    draining = run().finally(() => {
      draining = null;
      showConnection();
      changed();
    });
    showConnection();
  }
  return draining;
}

export const sending = () => draining !== null;

async function run() {
  for (;;) {
    const q = queue();
    const held = new Set(q.filter((c) => c.state === 'refused').map((c) => c.bookingId));
    const next = q.find((c) => c.state === 'waiting' && !held.has(c.bookingId));
    if (!next) return;
    if (next.after) {
      // the change before it (same booking) was discarded: go with the version known now
      const r = keptRegister(next.sessionId)?.items.find((i) => i.booking_id === next.bookingId);
      update((s) => {
        const c = s.queue.find((x) => x.key === next.key);
        if (c) {
          c.after = null;
          c.version = r?.version ?? null;
        }
      });
      continue;
    }
    try {
      const r = await send(next);
      update((s) => {
        s.queue = s.queue.filter((c) => c.key !== next.key);
        for (const c of s.queue) {
          if (c.after === next.key) {
            c.after = null;
            c.version = r.data.version;
          }
        }
        takeBooking(s, next.sessionId, r.data);
      });
    } catch (err) {
      if (later(err)) return;
      if (!(err instanceof ApiError)) {
        console.warn(err);
        return;
      }
      update((s) => {
        const c = s.queue.find((x) => x.key === next.key);
        if (c) {
          c.state = 'refused';
          c.problem = { status: err.status, ...(err.problem ?? { title: err.message }) };
        }
      });
    }
    changed();
  }
}

// A refused change again, with the booking's version as the service has it now and a new key.
export async function retry(key) {
  const c = queue().find((x) => x.key === key);
  if (!c) return;
  const r = await api('GET', `/v1/bookings/${c.bookingId}`, { signal: AbortSignal.timeout(SEND_WAIT_MS) });
  update((s) => {
    takeBooking(s, c.sessionId, r.data);
    const x = s.queue.find((y) => y.key === key);
    if (!x) return;
    x.key = newKey();
    x.version = x.kind === 'sign-in' ? null : r.version;
    x.after = null;
    x.state = 'waiting';
    x.problem = null;
    for (const y of s.queue) if (y.after === key) y.after = x.key;
  });
  changed();
  await drain();
}

// Removes a refused change for good (the supervisor's choice). Later changes to the same booking
// then go with the version known now.
export function discard(key) {
  update((s) => {
    s.queue = s.queue.filter((c) => c.key !== key);
  });
  changed();
  if (navigator.onLine) drain();
}

// The problem a refused change keeps, as an ApiError for the page's messages.
export function problemOf(change) {
  return new ApiError(change.problem?.status ?? 0, change.problem);
}

// ---- a register as it is on this phone -----------------------------------------------------------

// The kept register's items with the queued changes applied: each item gains `queued` (its changes
// still waiting) and `refusedChanges`, and shows the state they make.
export function view(register) {
  const q = queue().filter((c) => c.sessionId === register.session.id);
  return register.items.map((it) => {
    const item = { ...it, queued: [], refusedChanges: [] };
    for (const c of q.filter((x) => x.bookingId === it.booking_id)) {
      if (c.state === 'refused') {
        item.refusedChanges.push(c);
        continue;
      }
      item.queued.push(c);
      if (c.kind === 'sign-in' && !item.signed_in_at) item.signed_in_at = c.madeAt;
      if (c.kind === 'sign-out') {
        Object.assign(item, { status: c.body.outcome || 'attended_complied', started_at: c.body.started_at,
          finished_at: c.body.finished_at, behaviour: c.body.behaviour ?? null, work_quality: c.body.work_quality ?? null,
          notes: c.body.notes ?? null });
      }
      if (c.kind === 'absent') Object.assign(item, { status: c.body.outcome, absence_reason: c.body.absence_reason ?? null });
    }
    return item;
  });
}

// ---- the connection line in the frame ------------------------------------------------------------

export function showConnection() {
  const node = document.getElementById('connection');
  if (!node) return;
  const offline = !navigator.onLine;
  const parts = [];
  if (offline) parts.push('No signal: working offline.');
  const n = sub ? waiting().length : 0;
  const bad = sub ? refused().length : 0;
  if (n) parts.push(`${n} ${n === 1 ? 'change' : 'changes'} waiting to send${draining && !offline ? ' (sending)' : ''}.`);
  if (bad) parts.push(`${bad} ${bad === 1 ? 'change needs' : 'changes need'} your attention.`);
  node.textContent = parts.join(' ');
  node.classList.toggle('ij-connection--offline', offline || bad > 0);
}
