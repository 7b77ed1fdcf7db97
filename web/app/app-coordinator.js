// Coordinators' pages, part A: the four work lists and the list of referrals with filters. The
// triage and decision pages, booking from the service's suggestions, and people are in the
// app-coordinator-*.js files; this module gathers their routes and menu entries.

import { all, api } from './app-api.js';
import {
  button, el, fmtDate, fmtDateTime, fmtSpan, fmtTime, h1, h2, label, link, p, select, table, tag,
} from './app-ui.js';
import { actionLink, forget, offence, pagination, wardList, wardName, wardNames, heading, wide } from './app-coordinator-common.js';
import * as decide from './app-coordinator-decide.js';
import * as book from './app-coordinator-book.js';
import * as people from './app-coordinator-people.js';

const COORDINATOR = ['coordinator'];

// ---- work lists ----------------------------------------------------------------------------------

function triageTable(items, names) {
  return wide(table({
    id: 'worklist-triage',
    caption: null,
    head: ['Person', 'Offence', 'Hours proposed', 'Received', 'Start target', 'Decide'],
    numeric: [2],
    empty: 'No referral is waiting for triage.',
    rows: items.map((r) => [
      link(`#/referrals/${r.id}`, r.person.name),
      `${offence(r.offence.category)}, ${wardName(names, r.offence.ward)}`,
      String(r.hours_proposed),
      fmtDateTime(r.created_at),
      el('span', {}, fmtDateTime(r.target_start_by), r.overdue ? [' ', tag('overdue')] : null),
      el('span', { class: 'ij-actions' },
        actionLink(`#/referrals/${r.id}/accept`, 'Accept', `the referral of ${r.person.name}`, { 'data-action': 'accept' }),
        actionLink(`#/referrals/${r.id}/reject`, 'Reject', `the referral of ${r.person.name}`, { 'data-action': 'reject' })),
    ]),
  }));
}

function overdueTable(items, names) {
  return wide(table({
    id: 'worklist-overdue',
    head: ['Person', 'State', 'Ward', 'Start target', 'Next step'],
    empty: 'No referral is past its start target.',
    rows: items.map((r) => [
      link(`#/referrals/${r.id}`, r.person.name),
      tag(r.state),
      wardName(names, r.offence.ward),
      fmtDateTime(r.target_start_by),
      r.state === 'submitted'
        ? actionLink(`#/referrals/${r.id}/accept`, 'Triage', `the referral of ${r.person.name}`)
        : actionLink(`#/referrals/${r.id}/book`, 'Book a session', `for ${r.person.name}`),
    ]),
  }));
}

function sessionsTable(items, names) {
  return wide(table({
    id: 'worklist-sessions',
    head: ['Session', 'Placement', 'Supervisor', 'Places left', 'People booked', 'Register'],
    numeric: [3],
    empty: 'No session today.',
    rows: items.map((s) => [
      link(`#/sessions/${s.id}`, `${fmtTime(s.starts_at)} to ${fmtTime(s.ends_at)}`),
      `${s.placement.name} (${wardName(names, s.placement.ward)})`,
      s.supervisor?.name ?? '',
      `${s.available} of ${s.capacity}`,
      s.bookings.length
        ? el('ul', { class: 'govuk-list govuk-!-margin-bottom-0' }, s.bookings.map((b) =>
          el('li', {}, link(`#/referrals/${b.referral_id}`, b.person_name), ' ', tag(b.status))))
        : 'Nobody yet',
      actionLink(`#/register/${s.id}`, 'Register', `of the session at ${s.placement.name}, ${fmtTime(s.starts_at)}`),
    ]),
  }));
}

function outcomesTable(items) {
  return wide(table({
    id: 'worklist-outcomes',
    head: ['Person', 'Session', 'Supervisor', 'Record'],
    empty: 'Every session that has ended has its outcomes.',
    rows: items.map((b) => [
      link(`#/referrals/${b.referral_id}`, b.person_name),
      el('span', {}, link(`#/sessions/${b.session.id}`, b.session.placement_name), el('br'), fmtSpan(b.session.starts_at, b.session.ends_at)),
      b.supervisor?.name ?? '',
      actionLink(`#/register/${b.session.id}`, 'Register', `of ${b.person_name}'s session`),
    ]),
  }));
}

// A reminder that could not be sent: someone phones instead.
const MESSAGE_TROUBLE = {
  failed: 'Notify refused it',
  'permanent-failure': 'The number or address does not work',
  'temporary-failure': 'The phone or inbox was not reachable',
  'technical-failure': 'Notify could not send it',
  not_sent: 'Not sent',
};
const NOT_SENT_REASONS = {
  no_consent: 'they did not agree to texts or emails',
  do_not_message: 'they are marked not to be messaged',
  no_contact: 'no mobile number or email address',
  no_template: 'the area has no template for it',
};

export function messageTrouble(m) {
  const what = MESSAGE_TROUBLE[m.status] ?? label(m.status);
  const why = m.status === 'not_sent' ? NOT_SENT_REASONS[m.reason] ?? m.reason : m.error;
  return why ? `${what}: ${why}` : what;
}

const MESSAGE_KINDS = {
  booking_confirmation: 'Booking confirmation', reminder: 'Reminder', session_moved: 'Session moved', session_cancelled: 'Session cancelled',
};

function remindersTable(items) {
  return wide(table({
    id: 'worklist-reminders',
    head: ['Person', 'Session', 'Phone', 'What did not reach them'],
    empty: 'Every message about a coming session has been sent.',
    rows: items.map((m) => [
      link(`#/referrals/${m.referral_id}`, m.person_name ?? 'Person'),
      el('span', {}, m.placement_name, el('br'), fmtSpan(m.starts_at, m.ends_at)),
      m.phone ? el('a', { class: 'govuk-link', href: `tel:${m.phone.replace(/[^0-9+]/g, '')}` }, m.phone) : 'No number held',
      el('span', {}, el('strong', {}, MESSAGE_KINDS[m.kind] ?? label(m.kind)), el('br'), messageTrouble(m)),
    ]),
  }));
}

function section(id, title, count, note, body) {
  return el('section', { class: 'govuk-!-margin-bottom-8', 'aria-labelledby': `${id}-heading`, 'data-list': id },
    el('h2', { class: 'govuk-heading-m govuk-!-margin-bottom-2', id: `${id}-heading` }, title, ' ',
      el('strong', { class: `govuk-tag ${count ? 'govuk-tag--blue' : 'govuk-tag--grey'}`, 'data-count': id }, String(count))),
    el('p', { class: 'govuk-hint' }, note),
    body);
}

async function worklists(ctx) {
  const [names, triage, overdue, today, due, reminders] = await Promise.all([
    wardNames(),
    all('/v1/worklists/triage', { limit: 100 }),
    all('/v1/worklists/overdue', { limit: 100 }),
    all('/v1/worklists/sessions', { day: 'today', limit: 100 }),
    all('/v1/worklists/outcomes-due', { limit: 100 }),
    api('GET', '/v1/worklists/messages-failed').then((r) => r.data.items),
  ]);
  ctx.main.append(...heading('Work lists', `${ctx.me.area}, ${fmtDate(new Date().toISOString())}`));
  ctx.main.append(
    section('triage', 'Awaiting triage', triage.length, 'Oldest first: accept or reject each.', triageTable(triage, names)),
    section('overdue', 'Overdue against the start target', overdue.length, 'Most overdue first.', overdueTable(overdue, names)),
    section('sessions', "Today's sessions", today.length, 'By start time.', sessionsTable(today, names)),
    section('outcomes', 'Outcomes due', due.length, 'Sessions that have ended without an outcome, oldest first.', outcomesTable(due)),
    section('reminders', 'Messages that did not reach the person', reminders.length, 'Confirmations, reminders and changes to coming sessions that failed, and reminders not sent: phone them instead. Soonest session first.', remindersTable(reminders)),
  );
}

// ---- referrals, with filters ---------------------------------------------------------------------

const STATES = ['submitted', 'accepted', 'scheduled', 'in_progress', 'completed', 'non_compliant', 'rejected', 'withdrawn', 'closed'];

async function referrals(ctx) {
  const q = ctx.query;
  const filters = { state: q.get('state') || '', ward: q.get('ward') || '', overdue: q.get('overdue') || '' };
  const [names, wards] = await Promise.all([wardNames(), wardList()]);
  const page = (await api('GET', '/v1/referrals', { query: { ...filters, limit: 25, cursor: q.get('cursor') || undefined } })).data;
  ctx.main.append(...heading('Referrals'));
  const form = el('form', { novalidate: true, class: 'ij-filters', id: 'referral-filters', 'aria-label': 'Filter referrals' },
    el('div', { class: 'ij-filter-row' },
      select({ name: 'state', label: 'State', value: filters.state,
        items: [{ value: '', text: 'Any state' }, ...STATES.map((s) => ({ value: s, text: label(s) }))] }),
      select({ name: 'ward', label: 'Ward', value: filters.ward,
        items: [{ value: '', text: 'Any ward' }, ...wards.map((w) => ({ value: w.code, text: w.name }))] }),
      select({ name: 'overdue', label: 'Start target', value: filters.overdue,
        items: [{ value: '', text: 'Any' }, { value: 'true', text: 'Overdue' }, { value: 'false', text: 'Not overdue' }] })),
    button('Apply filters', { kind: 'secondary', id: 'apply-filters' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const k of ['state', 'ward', 'overdue']) {
      const v = form.elements[k].value;
      if (v) next.set(k, v);
    }
    ctx.go(`/referrals${next.toString() ? `?${next}` : ''}`);
  });
  ctx.main.append(form);
  const any = Object.values(filters).some(Boolean);
  if (any) ctx.main.append(p(link('#/referrals', 'Clear the filters')));
  ctx.main.append(wide(table({
    id: 'referrals',
    head: ['Person', 'State', 'Offence', 'Hours', 'Referred', 'Start target'],
    numeric: [3],
    empty: any ? 'No referral matches these filters.' : 'No referral yet.',
    rows: page.items.map((r) => [
      link(`#/referrals/${r.id}`, r.person.name),
      tag(r.state),
      `${offence(r.offence.category)}, ${wardName(names, r.offence.ward)}`,
      String(r.hours_confirmed ?? r.hours_proposed),
      fmtDate(r.created_at),
      el('span', {}, fmtDateTime(r.target_start_by), r.overdue ? [' ', tag('overdue')] : null),
    ]),
  })));
  const nav = pagination('/referrals', q, page.next_cursor);
  if (nav) ctx.main.append(nav);
}

// ---- the module ----------------------------------------------------------------------------------

export const routes = [
  { path: '/worklists', roles: COORDINATOR, title: 'Work lists', render: worklists },
  { path: '/referrals', roles: COORDINATOR, title: 'Referrals', render: referrals },
  ...decide.routes,
  ...book.routes,
  ...people.routes,
];

export const nav = [
  { href: '#/worklists', text: 'Work lists', roles: COORDINATOR, order: 10,
    description: 'Referrals awaiting triage, overdue against the start target, today’s sessions and outcomes due.' },
  { href: '#/referrals', text: 'Referrals', roles: COORDINATOR, order: 20,
    description: 'Every referral of the area, by state, ward and start target.' },
  { href: '#/people', text: 'People', roles: COORDINATOR, order: 30,
    description: 'Find a person by name, police identifier, date of birth or postcode, and see their history.' },
];

export function onSignOut() {
  forget();
}
