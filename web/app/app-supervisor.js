// The supervisor's pages, used on site on a phone, often without signal: today's and yesterday's
// sessions, and a session's register (sign in on arrival, did not attend, sign out with the times
// worked and the ratings, walk-ins). The register of today's sessions is kept on the phone and
// changes made without signal are queued (app-offline.js).

import { api, ApiError, newKey } from './app-api.js';
import {
  backLink, banner, button, buttonGroup, clear, el, fmtDay, fmtMinutes, fmtSpan, fmtTime, h1, h2, hint, input,
  inset, label, link, londonDay, p, problemText, radios, showProblem, summaryList, tag, textarea, warningText,
} from './app-ui.js';
import * as offline from './app-offline.js';

const ROLES = ['supervisor', 'coordinator'];
const LOAD_WAIT_MS = 10_000;

export const nav = [{
  href: '#/today', text: "Today's sessions", roles: ROLES, order: 10,
  description: "Today's and yesterday's sessions and their registers: sign people in and out, also without signal.",
}];

// ---- time in London ------------------------------------------------------------------------------

const partsFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function londonOffsetMs(t) {
  const p = Object.fromEntries(partsFmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return asUtc - Math.floor(t / 60_000) * 60_000;
}

// A London wall-clock time (day 'YYYY-MM-DD', hours and minutes) as an RFC 3339 instant.
function londonInstant(day, hours, minutes) {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, hours, minutes);
  let t = wall - londonOffsetMs(wall);
  const again = wall - londonOffsetMs(t);
  if (again !== t) t = again;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// A London time of day ([hours, minutes]) during session s, as an RFC 3339 instant: on the day
// the session starts, or, for a session that runs past midnight, on the next day when the time is
// before the session's start (a start or finish after midnight).
function sessionInstant(s, [hours, minutes]) {
  const day = londonDay(0, new Date(s.starts_at));
  const first = londonInstant(day, hours, minutes);
  if (Date.parse(first) >= Date.parse(s.starts_at) || londonDay(0, new Date(s.ends_at)) <= day) return first;
  return londonInstant(londonDay(1, new Date(`${day}T12:00:00Z`)), hours, minutes);
}

// "9:05", "09:05", "0905" or "9.05" as [hours, minutes]; null when it is not a time of day.
function readTime(text) {
  const m = /^(\d{1,2})[:.]?(\d{2})$/.exec(String(text).trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? [h, min] : null;
}

// ---- loading a register --------------------------------------------------------------------------

const noSignal = (err) => (err instanceof ApiError && err.status === 0) || err?.name === 'AbortError' || err?.name === 'TimeoutError';

// The session, its register and each booking's times, from the service.
async function fetchRegister(id) {
  const signal = AbortSignal.timeout(LOAD_WAIT_MS);
  const [s, reg] = await Promise.all([
    api('GET', `/v1/sessions/${encodeURIComponent(id)}`, { signal }),
    api('GET', `/v1/sessions/${encodeURIComponent(id)}/register`, { signal }),
  ]);
  const bookings = await Promise.all(reg.data.items.map((i) => api('GET', `/v1/bookings/${i.booking_id}`, { signal }).then((r) => r.data)));
  const { bookings: _all, ...session } = s.data;
  const items = reg.data.items.map((it, n) => {
    const b = bookings[n];
    return { ...it, version: b.version, status: b.status, minutes_credited: b.minutes_credited, signed_in_at: b.signed_in_at,
      started_at: b.started_at, finished_at: b.finished_at, behaviour: b.behaviour, work_quality: b.work_quality,
      notes: b.notes, absence_reason: b.absence_reason };
  });
  const register = { session: { ...session, cancelled: reg.data.cancelled }, items };
  offline.keepRegister(register);
  return register;
}

// The register from the service, or the copy kept on the phone when there is no signal. With
// `keptFirst`, the kept copy when there is one (the question pages: no need to load it again).
async function loadRegister(id, { keptFirst = false } = {}) {
  const kept = offline.keptRegister(id);
  if (keptFirst && kept) return { register: kept, fromKept: false };
  try {
    return { register: await fetchRegister(id), fromKept: false };
  } catch (err) {
    if (!noSignal(err)) throw err;
    if (kept) return { register: kept, fromKept: true };
    throw new ApiError(0, null, 'There is no signal, and this register is not kept on this phone. Open it once there is signal: it is then kept for use without signal.');
  }
}

async function listSessions(query) {
  const signal = AbortSignal.timeout(LOAD_WAIT_MS);
  const items = [];
  let cursor;
  do {
    const r = await api('GET', '/v1/sessions', { query: { ...query, cursor, limit: 100 }, signal });
    items.push(...r.data.items);
    cursor = r.data.next_cursor;
  } while (cursor && items.length < 500);
  return items;
}

// ---- words ---------------------------------------------------------------------------------------

const RATINGS = [
  { value: 'excellent', text: 'Excellent' },
  { value: 'good', text: 'Good' },
  { value: 'satisfactory', text: 'Satisfactory' },
  { value: 'unsatisfactory', text: 'Unsatisfactory' },
  { value: 'poor', text: 'Poor' },
];

const ATTENDED = [
  { value: 'attended_complied', text: 'Worked and followed instructions' },
  { value: 'attended_failed_to_comply', text: 'Worked but did not follow instructions' },
  { value: 'sent_home_behaviour', text: 'Sent home because of their behaviour' },
  { value: 'sent_home_service_issue', text: 'Sent home for a reason on our side', hint: 'For example bad weather, or no work to do' },
];

const ABSENT = [
  { value: 'absent_unacceptable', text: 'No acceptable reason' },
  { value: 'medical', text: 'Ill or injured' },
  { value: 'family_childcare', text: 'Family or childcare emergency' },
  { value: 'employment', text: 'Work they could not miss' },
  { value: 'court_legal', text: 'Court or legal appointment' },
  { value: 'stood_down', text: 'Told not to come by us' },
];

function stateOf(item) {
  if (item.status === 'booked') return item.signed_in_at ? 'signed_in' : 'expected';
  if (item.status.startsWith('absent_')) return 'absent';
  if (item.status === 'cancelled' || item.status === 'rescheduled') return 'gone';
  return 'signed_out';
}

function stateTag(item) {
  switch (stateOf(item)) {
    case 'expected': return tag('pending', 'Not arrived');
    case 'signed_in': return tag('signed_in', `Signed in at ${fmtTime(item.signed_in_at)}`);
    case 'absent': return tag('did_not_attend', 'Did not attend');
    case 'gone': return tag(item.status);
    default: return tag('attended', item.status === 'attended_complied' ? 'Signed out' : `Signed out: ${label(item.status).toLowerCase()}`);
  }
}

function describeChange(c) {
  if (c.kind === 'sign-in') return `Signed in at ${fmtTime(c.madeAt)}`;
  if (c.kind === 'sign-out') return `Signed out: worked ${fmtTime(c.body.started_at)} to ${fmtTime(c.body.finished_at)}`;
  return `Did not attend${c.body.absence_reason ? ` (${ABSENT.find((a) => a.value === c.body.absence_reason)?.text.toLowerCase()})` : ''}`;
}

// ---- sign-out: changes waiting stop it until sent or given up -------------------------------------

let signOutConfirmed = false;

let intercepting = false;

// Keeps for the signed-in person, and watches the frame's sign-out link: while changes wait to be
// sent, it shows what would be lost first.
function begin(me) {
  offline.start(me);
  if (intercepting) return;
  intercepting = true;
  window.addEventListener('click', (e) => {
    if (!e.target?.closest?.('#sign-out')) return;
    if (signOutConfirmed || !offline.queue().length) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    location.hash = '/sign-out';
  }, true);
}

export function onStart({ me }) {
  if (me?.roles?.some((r) => ROLES.includes(r))) begin(me);
}

export function onSignOut() {
  if (offline.queue().length) console.warn(`signed out with ${offline.queue().length} changes not sent: they are removed from this phone`);
  signOutConfirmed = false;
  offline.forget();
}

// ---- the pages -----------------------------------------------------------------------------------

let unsubscribe = null;
function follow(fn) {
  unsubscribe?.();
  unsubscribe = offline.onChange(fn);
}

export const routes = [
  { path: '/today', roles: ROLES, title: "Today's sessions", render: renderToday },
  { path: '/register/:session_id', roles: ROLES, title: 'Register', render: renderRegister },
  { path: '/register/:session_id/sign-out/:booking_id', roles: ROLES, title: 'Sign out', render: renderSignOut },
  { path: '/register/:session_id/absent/:booking_id', roles: ROLES, title: 'Did not attend', render: renderAbsent },
  { path: '/sign-out', roles: ROLES, title: 'Changes not sent', render: renderSignOutWarning },
];

// ---- today's sessions ----------------------------------------------------------------------------

async function renderToday(ctx) {
  begin(ctx.me);
  unsubscribe?.();
  const supervisor = ctx.me.roles.includes('supervisor');
  let items;
  let kept = null;
  try {
    items = await listSessions({ from: londonInstant(londonDay(-1), 0, 0), to: londonInstant(londonDay(1), 0, 0) });
    offline.keepToday(items);
  } catch (err) {
    if (!noSignal(err)) throw err;
    kept = offline.keptToday();
    if (!kept) throw new ApiError(0, null, 'There is no signal, and no list of sessions is kept on this phone yet.');
    items = kept.items;
  }
  ctx.main.append(...h1("Today's sessions", supervisor ? 'The sessions you run' : "All the area's sessions"));
  if (kept) ctx.main.append(inset(`No signal. These are the sessions as they were at ${fmtTime(kept.keptAt)}.`));
  const waiting = offline.waiting();
  if (waiting.length) ctx.main.append(p(`${waiting.length} ${waiting.length === 1 ? 'change is' : 'changes are'} waiting to send.`));
  const today = londonDay(0);
  // A session still running after midnight (started yesterday evening) is one of today's: the
  // supervisor is at it now.
  const now = Date.now();
  const dayOf = (s) => (Date.parse(s.ends_at) > now ? today : londonDay(0, new Date(s.starts_at)));
  for (const [day, heading] of [[today, 'Today'], [londonDay(-1), 'Yesterday']]) {
    const mine = items.filter((s) => dayOf(s) === day);
    ctx.main.append(h2(`${heading}, ${fmtDay(`${day}T12:00:00Z`)}`));
    if (!mine.length) {
      ctx.main.append(p(day === today ? 'No sessions today.' : 'No sessions yesterday.'));
      continue;
    }
    ctx.main.append(el('ul', { class: 'govuk-list ij-list-plain', 'data-day': heading.toLowerCase() }, mine.map((s) => {
      const q = waiting.filter((c) => c.sessionId === s.id).length;
      return el('li', { 'data-session': s.id },
        el('h3', { class: 'govuk-heading-s govuk-!-margin-bottom-1' },
          link(`#/register/${s.id}`, s.placement.name, { 'aria-describedby': `when-${s.id}` })),
        el('p', { class: 'govuk-body govuk-!-margin-bottom-1', id: `when-${s.id}` },
          `${fmtSpan(s.starts_at, s.ends_at)}, ${s.booked} of ${s.capacity} places booked`,
          supervisor ? '' : `, supervised by ${s.supervisor.name}`),
        el('div', { class: 'ij-actions' },
          s.cancelled ? tag('cancelled') : null,
          offline.keptRegister(s.id) ? tag('recorded', 'Kept for use without signal') : null,
          q ? tag('queued', `${q} waiting to send`) : null));
    })));
  }
  // A supervisor's registers for today are kept on the phone before the signal goes.
  if (supervisor && !kept) {
    const fresh = Date.now() - 10 * 60_000;
    for (const s of items) {
      if (s.cancelled || londonDay(0, new Date(s.starts_at)) !== today) continue;
      const k = offline.keptRegister(s.id);
      if (!k || Date.parse(k.keptAt) < fresh) fetchRegister(s.id).catch(() => {});
    }
  }
}

// ---- the register --------------------------------------------------------------------------------

async function renderRegister(ctx) {
  begin(ctx.me);
  const id = ctx.params.session_id;
  const loaded = await loadRegister(id);
  const root = el('div', {});
  ctx.main.append(root);
  let fetched = loaded.register;
  let fromKept = loaded.fromKept;
  const draw = (focusId) => {
    const y = window.scrollY;
    clear(root);
    drawRegister(ctx, root, offline.keptRegister(id) ?? fetched, fromKept, draw);
    if (focusId) {
      window.scrollTo(0, y);
      document.getElementById(focusId)?.focus({ preventScroll: true });
    }
  };
  draw();
  // changes sent or refused meanwhile (the signal came back): show them
  follow(() => {
    if (!document.body.contains(root)) {
      unsubscribe?.();
      return;
    }
    if (offline.sending()) return;
    fromKept = fromKept && !navigator.onLine;
    fetched = offline.keptRegister(id) ?? fetched;
    const active = document.activeElement?.id;
    draw(active && active !== 'main-content' ? active : null);
  });
}

function drawRegister(ctx, root, register, fromKept, draw) {
  const s = register.session;
  const items = offline.view(register);
  ctx.setTitle(`Register: ${s.placement.name}`);
  root.append(backLink('#/today', "Today's sessions"));
  root.append(...h1(s.placement.name, `Register, ${fmtSpan(s.starts_at, s.ends_at)}`));
  root.append(el('p', { class: 'govuk-visually-hidden', role: 'status', id: 'register-status' }));
  if (fromKept) {
    root.append(banner('important', 'No signal: this is the register kept on this phone',
      p(`As it was at ${fmtTime(register.keptAt)}. What you record is kept on the phone and sent when the signal returns.`)));
  }
  if (s.cancelled) root.append(warningText('This session was cancelled. Nothing more can be recorded on it.'));

  // changes refused by the service: never dropped without the supervisor's say
  const refused = offline.refused().filter((c) => c.sessionId === s.id);
  if (refused.length) {
    root.append(el('div', { class: 'govuk-!-margin-bottom-6', id: 'attention' },
      h2('Needs your attention'),
      p('The service refused these changes when they were sent. Try each again with the latest record, or discard it.'),
      refused.map((c) => attentionCard(root, c))));
  }
  const waiting = offline.waiting().filter((c) => c.sessionId === s.id);
  if (waiting.length) root.append(queuePanel(root, waiting));

  const count = (st) => items.filter((i) => stateOf(i) === st).length;
  root.append(el('p', { class: 'govuk-body', id: 'register-counts' },
    `${items.length} ${items.length === 1 ? 'person' : 'people'}: ${count('signed_in')} signed in, ${count('signed_out')} signed out, `
    + `${count('absent')} did not attend, ${count('expected')} not arrived.`));
  if (!items.length) root.append(p('Nobody is on this register.'));
  for (const item of items) root.append(personCard(ctx, root, register, item, draw));
  if (!s.cancelled) root.append(walkInForm(ctx, root, s));
}

function queuePanel(root, waiting) {
  const send = button('Send now', { type: 'button', kind: 'secondary', id: 'send-now' });
  const msg = el('p', { class: 'govuk-body', role: 'status' });
  send.addEventListener('click', async () => {
    if (!navigator.onLine) {
      msg.textContent = 'There is still no signal. The changes are kept on this phone.';
      return;
    }
    send.disabled = true;
    msg.textContent = 'Sending…';
    await offline.drain();
    if (document.body.contains(msg)) msg.textContent = offline.waiting().length ? 'Some changes could not be sent yet. They are kept on this phone.' : 'Sent.';
    send.disabled = false;
  });
  return el('div', { class: 'govuk-inset-text', id: 'waiting' },
    el('h2', { class: 'govuk-heading-s' }, `${waiting.length} ${waiting.length === 1 ? 'change' : 'changes'} waiting to send`),
    el('ul', { class: 'govuk-list govuk-list--bullet' }, waiting.map((c) => el('li', {}, `${c.person}: ${describeChange(c).toLowerCase()}`,
      offline.refused().some((r) => r.bookingId === c.bookingId) ? ' (waits until the refused change above is resolved)' : ''))),
    send, msg);
}

function attentionCard(root, c) {
  const err = offline.problemOf(c);
  const reasons = Object.entries(err.fields).map(([f, m]) => `${label(f)}: ${m}`);
  const retry = button('Try again with the latest record', { type: 'button', kind: 'secondary', 'data-action': 'retry' });
  const drop = button('Discard this change', { type: 'button', kind: 'warning', 'data-action': 'discard' });
  const msg = el('p', { class: 'govuk-error-message', role: 'status' });
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      await offline.retry(c.key);
    } catch (e) {
      msg.textContent = problemText(e);
      retry.disabled = false;
    }
  });
  drop.addEventListener('click', () => offline.discard(c.key));
  return el('div', { class: 'ij-card', 'data-refused': c.bookingId },
    el('h3', { class: 'govuk-heading-s' }, `${c.person}: ${describeChange(c).toLowerCase()}`),
    p(tag('refused', 'Refused'), reasons.length ? ' The service said:' : ` ${problemText(err)}`),
    reasons.length ? el('ul', { class: 'govuk-list govuk-list--bullet' }, reasons.map((r) => el('li', {}, r))) : null,
    msg,
    buttonGroup(retry, drop));
}

function personCard(ctx, root, register, item, draw) {
  const s = register.session;
  const st = stateOf(item);
  const cardId = `person-${item.booking_id}`;
  const name = item.person.name;
  const rows = [
    item.person.risk_notes ? ['Risks', el('strong', {}, item.person.risk_notes)] : null,
    ['Needs', item.person.needs_notes || 'None recorded'],
    ['Phone', item.person.phone ? el('a', { class: 'govuk-link', href: `tel:${item.person.phone.replace(/[^0-9+]/g, '')}` }, item.person.phone) : null],
    st === 'signed_out' ? ['Worked', item.started_at ? `${fmtTime(item.started_at)} to ${fmtTime(item.finished_at)}` : null] : null,
    st === 'signed_out' && !item.queued.length ? ['Credited', fmtMinutes(item.minutes_credited)] : null,
    st === 'signed_out' ? ['Behaviour', item.behaviour ? label(item.behaviour) : null] : null,
    st === 'signed_out' ? ['Work', item.work_quality ? label(item.work_quality) : null] : null,
    st === 'absent' && item.absence_reason ? ['Reason', ABSENT.find((a) => a.value === item.absence_reason)?.text] : null,
  ];
  const actions = [];
  const hidden = el('span', { class: 'govuk-visually-hidden' }, ` ${name}`);
  if (!s.cancelled && st === 'expected' && !item.refusedChanges.length) {
    const btn = button(['Sign in', hidden.cloneNode(true)], { type: 'button', 'data-action': 'sign-in' });
    btn.addEventListener('click', () => signIn(root, register, item, btn, draw));
    actions.push(btn, el('a', { class: 'govuk-button govuk-button--secondary', href: `#/register/${s.id}/absent/${item.booking_id}`,
      role: 'button', draggable: 'false', 'data-action': 'absent' }, 'Did not attend', hidden.cloneNode(true)));
  }
  if (!s.cancelled && st === 'signed_in' && !item.refusedChanges.length) {
    actions.push(el('a', { class: 'govuk-button', href: `#/register/${s.id}/sign-out/${item.booking_id}`, role: 'button',
      draggable: 'false', 'data-action': 'sign-out' }, 'Sign out', hidden.cloneNode(true)));
  }
  return el('section', { class: 'ij-card', id: cardId, 'data-booking': item.booking_id, 'data-state': st, 'aria-labelledby': `${cardId}-name` },
    el('h2', { class: 'govuk-heading-m govuk-!-margin-bottom-2', id: `${cardId}-name`, tabindex: '-1' }, name),
    el('div', { class: 'ij-actions govuk-!-margin-bottom-3' },
      stateTag(item),
      item.walk_in ? tag('booked', 'Walk-in') : null,
      item.queued.length ? tag('queued', 'Waiting to send') : null,
      item.refusedChanges.length ? tag('refused', 'Needs your attention') : null),
    summaryList(rows, { class: 'govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-3' }),
    actions.length ? buttonGroup(...actions) : null);
}

async function signIn(root, register, item, btn, draw) {
  btn.disabled = true;
  root.querySelector('#error-summary')?.remove();
  try {
    const r = await offline.submit(offline.makeChange('sign-in', register.session.id, item, {}));
    draw(`person-${item.booking_id}-name`);
    document.getElementById('register-status').textContent = r.queued
      ? `${item.person.name} signed in on this phone; waiting to send.`
      : `${item.person.name} signed in at ${fmtTime(r.booking.signed_in_at)}.`;
  } catch (err) {
    btn.disabled = false;
    showProblem(root, null, err);
  }
}

function walkInForm(ctx, root, s) {
  let key = newKey(); // kept while the same request may be sent again; a refusal is final for it
  const form = el('form', { novalidate: true, id: 'walk-in' },
    input({ name: 'referral_id', label: 'Referral number', width: 30, spellcheck: false,
      hint: "The referral's number, as the coordinator gives it when they send the person to you." }),
    button('Add walk-in', { kind: 'secondary' }));
  const box = el('div', { class: 'govuk-!-margin-top-8' },
    h2('Add a walk-in'),
    p('Someone accepted onto the scheme who turned up to this session while it is under way. Adding them needs signal.'),
    form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = form.querySelector('button');
    submit.disabled = true;
    try {
      const r = await api('POST', `/v1/sessions/${s.id}/walk-ins`, {
        body: { referral_id: form.elements.referral_id.value.trim() }, idempotencyKey: key,
      });
      ctx.go(`/register/${s.id}`, banner('success', `${r.data.person_name} was added as a walk-in`, p('Sign them in below.')));
    } catch (err) {
      submit.disabled = false;
      if (!err.offline) key = newKey();
      showProblem(box, form, err, (f) => (f === 'referral_id' ? 'referral_id' : null));
    }
  });
  return box;
}

// ---- signing out ---------------------------------------------------------------------------------

async function personPage(ctx) {
  begin(ctx.me);
  unsubscribe?.();
  const { register } = await loadRegister(ctx.params.session_id, { keptFirst: true });
  const item = offline.view(register).find((i) => i.booking_id === ctx.params.booking_id);
  if (!item) throw new ApiError(404, null, 'This person is not on the register.');
  return { register, item };
}

function personHeader(ctx, register, item, question) {
  ctx.setTitle(`${question}: ${item.person.name}`);
  ctx.main.append(backLink(`#/register/${register.session.id}`, 'Back to the register'),
    ...h1(question, `${item.person.name}, ${register.session.placement.name}`));
}

async function renderSignOut(ctx) {
  const { register, item } = await personPage(ctx);
  const s = register.session;
  personHeader(ctx, register, item, 'Sign out');
  if (stateOf(item) !== 'signed_in' || s.cancelled) {
    ctx.main.append(p(`${item.person.name} cannot be signed out: they are not signed in.`), p(link(`#/register/${s.id}`, 'Back to the register')));
    return;
  }
  const now = Date.now();
  const startDefault = Math.min(Math.max(Date.parse(s.starts_at), Date.parse(item.signed_in_at)), now);
  const finishDefault = Math.max(Math.min(Date.parse(s.ends_at), now), startDefault);
  const keys = { key: newKey() }; // one per form: a second press, or a retry, sends the same change
  const form = el('form', { novalidate: true, id: 'sign-out-form' },
    input({ name: 'started_at', label: 'Start time', width: 5, inputmode: 'decimal', value: fmtTime(startDefault),
      hint: `24-hour clock, for example 09:05. Signed in at ${fmtTime(item.signed_in_at)}.` }),
    input({ name: 'finished_at', label: 'Finish time', width: 5, inputmode: 'decimal', value: fmtTime(finishDefault),
      hint: 'Only time already worked is credited.' }),
    radios({ name: 'outcome', legend: 'How did it go?', items: ATTENDED, value: 'attended_complied' }),
    radios({ name: 'behaviour', legend: 'Behaviour', items: RATINGS }),
    radios({ name: 'work_quality', legend: 'Quality of work', items: RATINGS }),
    input({ name: 'penalty_minutes', label: 'Minutes taken off for long breaks (optional)', width: 3, inputmode: 'numeric' }),
    textarea({ name: 'notes', label: 'Notes (optional)', hint: 'What they did, and anything the coordinator should know.', rows: 3 }),
    button('Sign out'));
  ctx.main.append(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    const start = readTime(v.started_at ?? '');
    const finish = readTime(v.finished_at ?? '');
    const errors = [];
    if (!start) errors.push({ field: 'Start time', message: 'Start time must be a time of day, for example 09:05' });
    if (!finish) errors.push({ field: 'Finish time', message: 'Finish time must be a time of day, for example 12:30' });
    const body = { outcome: v.outcome || 'attended_complied' };
    if (start && finish) {
      body.started_at = sessionInstant(s, start);
      body.finished_at = sessionInstant(s, finish);
      if (body.finished_at < body.started_at) errors.push({ field: 'Finish time', message: 'Finish time must be after the start time' });
    }
    const penalty = (v.penalty_minutes ?? '').trim();
    if (penalty && !/^\d{1,4}$/.test(penalty)) errors.push({ field: 'Minutes taken off', message: 'Minutes taken off must be a whole number, for example 15' });
    if (errors.length) {
      showProblem(ctx.main, form, new ApiError(422, { errors }), (f) => ({ 'Start time': 'started_at', 'Finish time': 'finished_at', 'Minutes taken off': 'penalty_minutes' }[f]));
      return;
    }
    if (penalty) body.penalty_minutes = Number(penalty);
    if (v.behaviour) body.behaviour = v.behaviour;
    if (v.work_quality) body.work_quality = v.work_quality;
    if (v.notes?.trim()) body.notes = v.notes.trim();
    await sendChange(ctx, form, keys, { ...offline.makeChange('sign-out', s.id, item, body), key: keys.key },
      (b) => `${fmtMinutes(b.minutes_credited)} credited.`, `${item.person.name} signed out`);
  });
}

// Sends (or queues) a question page's change and goes back to the register, or shows the refusal.
// A refusal is the answer the service keeps for the key: the corrected request goes with a new one.
async function sendChange(ctx, form, keys, change, creditText, title) {
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const r = await offline.submit(change);
    ctx.go(`/register/${change.sessionId}`, r.queued
      ? banner('success', title, p('The service could not be reached: this is kept on the phone and will be sent when the signal returns.'))
      : banner('success', title, creditText ? p(creditText(r.booking)) : null));
  } catch (err) {
    submit.disabled = false;
    keys.key = newKey();
    showProblem(ctx.main, form, err, (f) => (['started_at', 'finished_at', 'outcome', 'behaviour', 'work_quality', 'penalty_minutes', 'notes'].includes(f) ? f : f === 'absence_reason' ? 'reason' : null));
  }
}

// ---- did not attend ------------------------------------------------------------------------------

async function renderAbsent(ctx) {
  const { register, item } = await personPage(ctx);
  const s = register.session;
  personHeader(ctx, register, item, 'Did not attend');
  if (stateOf(item) !== 'expected' || s.cancelled) {
    ctx.main.append(p(`${item.person.name} cannot be marked as not attending: they were signed in or have an outcome already.`),
      p(link(`#/register/${s.id}`, 'Back to the register')));
    return;
  }
  const keys = { key: newKey() };
  const form = el('form', { novalidate: true, id: 'absent-form' },
    radios({ name: 'reason', legend: `Did ${item.person.name} give a reason you accept?`, items: ABSENT, value: 'absent_unacceptable',
      hint: 'Choose the reason only if they told you before the start, or have evidence.' }),
    textarea({ name: 'notes', label: 'Notes (optional)', rows: 3 }),
    button('Record that they did not attend'));
  ctx.main.append(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    const body = v.reason && v.reason !== 'absent_unacceptable'
      ? { outcome: 'absent_acceptable', absence_reason: v.reason }
      : { outcome: 'absent_unacceptable' };
    if (v.notes?.trim()) body.notes = v.notes.trim();
    await sendChange(ctx, form, keys, { ...offline.makeChange('absent', s.id, item, body), key: keys.key }, null,
      `${item.person.name} did not attend`);
  });
}

// ---- signing out with changes not sent -----------------------------------------------------------

function renderSignOutWarning(ctx) {
  begin(ctx.me);
  unsubscribe?.();
  const q = offline.queue();
  if (!q.length) {
    ctx.main.append(...h1('Sign out'), p('Every change has been sent.'));
    const out = button('Sign out', { type: 'button' });
    out.addEventListener('click', () => document.getElementById('sign-out').click());
    ctx.main.append(out);
    return;
  }
  ctx.main.append(...h1('Some changes have not been sent'),
    warningText(`If you sign out now, ${q.length === 1 ? 'this change is' : 'these changes are'} removed from this phone and never reach the service.`),
    el('ul', { class: 'govuk-list govuk-list--bullet' }, q.map((c) => el('li', {}, `${c.person}: ${describeChange(c).toLowerCase()}${c.state === 'refused' ? ' (refused: needs your attention)' : ''}`))),
    hint('Send them first when there is signal, and resolve any the service refused on the register.'));
  const sendNow = button('Send them now', { type: 'button' });
  const anyway = button('Sign out and remove them', { type: 'button', kind: 'warning' });
  const msg = el('p', { class: 'govuk-body', role: 'status' });
  sendNow.addEventListener('click', async () => {
    if (!navigator.onLine) {
      msg.textContent = 'There is still no signal.';
      return;
    }
    sendNow.disabled = true;
    await offline.drain();
    ctx.reload();
  });
  anyway.addEventListener('click', () => {
    signOutConfirmed = true;
    document.getElementById('sign-out').click();
  });
  ctx.main.append(buttonGroup(sendNow, anyway), msg);
}

