// The coordinators' sessions: a week of sessions with the places left on each, a session with
// its bookings and a bulk outcome, changing a session, and cancelling one after seeing what
// happens to its bookings.

import { all, api, ApiError, newKey } from './app-api.js';
import {
  backLink, banner, bullets, button, buttonGroup, controlIdOf, el, errorSummary, fmtMinutes,
  fmtSpan, fmtTime, h1, h2, input, label, link, p, problemText, radios, select, showProblem, summaryList, tag,
  textarea, warningText,
} from './app-ui.js';
import { addDays, isDay, londonDayOf, londonInstant, longDate, longDay, mondayOf } from './app-coordb-time.js';

const COORDINATOR = ['coordinator'];

export const PLACEMENT_TYPES = [
  ['gardening', 'Gardening'], ['litter_picking', 'Litter picking'], ['charity_work', 'Charity work'],
  ['graffiti_removal', 'Graffiti removal'], ['community_clean_up', 'Community clean-up'], ['other', 'Other'],
];
export const typeName = (t) => (PLACEMENT_TYPES.find(([v]) => v === t) || [t, label(t)])[1];

export const OUTCOMES = [
  ['attended_complied', 'Attended and complied'],
  ['attended_failed_to_comply', 'Attended, failed to comply'],
  ['sent_home_behaviour', 'Sent home for behaviour'],
  ['sent_home_service_issue', 'Sent home, a problem on our side'],
  ['absent_acceptable', 'Absent, with an acceptable reason'],
  ['absent_unacceptable', 'Absent, without an acceptable reason'],
  ['cancelled', 'Booking cancelled'],
];
const ATTENDED = new Set(['attended_complied', 'attended_failed_to_comply', 'sent_home_behaviour', 'sent_home_service_issue']);
const ABSENCE_REASONS = [['medical', 'Medical'], ['family_childcare', 'Family or childcare'], ['employment', 'Employment'],
  ['court_legal', 'Court or legal'], ['stood_down', 'Session stood down']];
const RATINGS = [['excellent', 'Excellent'], ['good', 'Good'], ['satisfactory', 'Satisfactory'], ['unsatisfactory', 'Unsatisfactory'], ['poor', 'Poor']];
// The form's words for the members a booking's problem names ("amendment_reason: is required").
const MEMBERS = {
  amendment_reason: 'reason for the change', absence_reason: 'reason for the absence', penalty_minutes: 'minutes to take off',
  behaviour: 'behaviour', work_quality: 'quality of work', outcome: 'outcome', late_entry_reason: 'late entry reason', notes: 'notes',
};
const plainMessage = (m) => String(m).replace(/^([a-z_]+): /, (all, member) => (MEMBERS[member] ? `${MEMBERS[member]} ` : all));
const statusText = (s) => (s === 'booked' ? 'Booked' : (OUTCOMES.find(([v]) => v === s)?.[1] ?? label(s)));

// The area's wards by code (retired ones too: old records name them).
export async function wardsByCode() {
  const r = await api('GET', '/v1/wards', { query: { all: 'true' } });
  return new Map((r.data.items || []).map((w) => [w.code, w]));
}

export const wardName = (wards, code) => wards.get(code)?.name ?? code;

// The places left on a session, as its row or page shows them.
export function placesLeft(s) {
  if (s.cancelled) return tag('cancelled', 'Cancelled');
  if (s.available === 0) return tag('overdue', 'Full');
  return `${s.available} of ${s.capacity} left`;
}

// ---- the week ------------------------------------------------------------------------------------

function weekQuery(week, filters) {
  const q = new URLSearchParams({ week });
  if (filters.ward) q.set('ward', filters.ward);
  if (filters.type) q.set('type', filters.type);
  return `#/sessions?${q}`;
}

// GOV.UK pagination's arrows (drawn as SVG nodes, not from markup).
const ARROWS = {
  prev: 'm6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z',
  next: 'm8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z',
};
function arrow(kind) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  for (const [k, v] of Object.entries({ class: `govuk-pagination__icon govuk-pagination__icon--${kind}`, height: '13', width: '15',
    'aria-hidden': 'true', focusable: 'false', viewBox: '0 0 15 13' })) svg.setAttribute(k, v);
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', ARROWS[kind]);
  svg.append(path);
  return svg;
}

function weekPagination(prev, next, filters, where) {
  const item = (kind, day, text) => el('div', { class: `govuk-pagination__${kind}` },
    el('a', { class: 'govuk-link govuk-pagination__link', href: weekQuery(day, filters), rel: kind },
      kind === 'prev' ? arrow(kind) : null,
      el('span', { class: 'govuk-pagination__link-title' }, text,
        el('span', { class: 'govuk-visually-hidden' }, `, beginning ${longDate(day)}`)),
      kind === 'next' ? arrow(kind) : null));
  return el('nav', { class: 'govuk-pagination ij-week-pagination', 'aria-label': `Other weeks (${where})` },
    item('prev', prev, 'Previous week'), item('next', next, 'Next week'));
}

function sessionRows(list, wards) {
  const cell = (head, ...content) => el('td', { class: 'govuk-table__cell', 'data-label': head }, ...content);
  return list.map((s) => el('tr', { class: `govuk-table__row${s.cancelled ? ' ij-cancelled' : ''}`, 'data-session': s.id },
    el('th', { scope: 'row', class: 'govuk-table__header', 'data-label': 'Time' }, `${fmtTime(s.starts_at)} to ${fmtTime(s.ends_at)}`),
    cell('Placement', link(`#/sessions/${s.id}`, s.placement.name)),
    cell('Ward', wardName(wards, s.placement.ward)),
    cell('Supervisor', s.supervisor.name),
    cell('Places left', el('span', { 'data-places': s.cancelled ? 'cancelled' : String(s.available) }, placesLeft(s)))));
}

function dayTable(day, list, wards) {
  const heads = ['Time', 'Placement', 'Ward', 'Supervisor', 'Places left'];
  return el('table', { class: 'govuk-table ij-stack-table' },
    el('caption', { class: 'govuk-visually-hidden' }, `Sessions on ${longDay(day)}`),
    el('thead', { class: 'govuk-table__head' },
      el('tr', { class: 'govuk-table__row' }, heads.map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
    el('tbody', { class: 'govuk-table__body' }, sessionRows(list, wards)));
}

async function renderWeek(ctx) {
  const asked = ctx.query.get('week');
  const today = londonDayOf(new Date());
  const week = mondayOf(isDay(asked) ? asked : today);
  const filters = { ward: ctx.query.get('ward') || '', type: ctx.query.get('type') || '' };
  const from = londonInstant(week).toISOString();
  const to = londonInstant(addDays(week, 7)).toISOString();
  const [wards, sessions] = await Promise.all([
    wardsByCode(),
    all('/v1/sessions', { from, to, ward: filters.ward, type: filters.type }, 1000),
  ]);
  ctx.setTitle(`Sessions, week beginning ${longDate(week)}`);
  ctx.main.append(...h1(`Week beginning ${longDate(week)}`, 'Sessions'));
  ctx.main.append(el('div', { class: 'ij-actions' },
    p(link(weekQuery(mondayOf(today), filters), 'This week')),
    p(link('#/placements', 'Placements'), ' (to add a session)')));

  // filters: the page's address keeps them, so that the week links and a reload keep them too
  const form = el('form', { novalidate: true, class: 'ij-filters', 'aria-label': 'Filter sessions' },
    select({ name: 'ward', label: 'Ward', value: filters.ward,
      items: [{ value: '', text: 'All wards' }, ...[...wards.values()].map((w) => ({ value: w.code, text: w.name }))] }),
    select({ name: 'type', label: 'Type of work', value: filters.type,
      items: [{ value: '', text: 'All types' }, ...PLACEMENT_TYPES.map(([v, t]) => ({ value: v, text: t }))] }),
    button('Filter', { kind: 'secondary', id: 'filter' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go(weekQuery(week, { ward: form.elements.ward.value, type: form.elements.type.value }).slice(1));
  });
  ctx.main.append(form, weekPagination(addDays(week, -7), addDays(week, 7), filters, 'top'));

  const byDay = new Map();
  for (const s of sessions) {
    const d = londonDayOf(s.starts_at);
    if (!byDay.has(d)) byDay.set(d, []);
    byDay.get(d).push(s);
  }
  const days = el('div', { class: 'ij-week', id: 'week' });
  for (let i = 0; i < 7; i++) {
    const day = addDays(week, i);
    const list = byDay.get(day) || [];
    days.append(el('section', { class: 'ij-day', 'data-day': day, 'aria-labelledby': `day-${day}` },
      el('h2', { class: 'govuk-heading-m', id: `day-${day}` }, longDay(day), day === today ? ' (today)' : ''),
      list.length ? dayTable(day, list, wards) : el('p', { class: 'govuk-body ij-muted' }, 'No sessions.')));
  }
  ctx.main.append(days, weekPagination(addDays(week, -7), addDays(week, 7), filters, 'bottom'));
}

// ---- one session ---------------------------------------------------------------------------------

function sessionState(s) {
  if (s.cancelled) return tag('cancelled', 'Cancelled');
  const now = Date.now();
  if (now < new Date(s.starts_at).getTime()) return tag('booked', 'Not started');
  if (now < new Date(s.ends_at).getTime()) return tag('in_progress', 'Under way');
  return tag('closed', 'Over');
}

function sessionSummary(s, wards) {
  return summaryList([
    ['When', fmtSpan(s.starts_at, s.ends_at)],
    ['Placement', link(`#/placements/${s.placement.id}`, s.placement.name)],
    ['Type of work', typeName(s.placement.type)],
    ['Ward', wardName(wards, s.placement.ward)],
    ['Supervisor', s.supervisor.name],
    ['Places', String(s.capacity)],
    ['Booked', String(s.booked)],
    ['Places left', el('span', { id: 'places-left' }, placesLeft(s))],
    ['State', sessionState(s)],
    s.late_entry_reason ? ['Entered late from paper', s.late_entry_reason] : null,
  ], { id: 'session-summary' });
}

function bookingsTable(s) {
  if (!s.bookings.length) return p('Nobody is booked on this session.');
  return el('div', { class: 'ij-table-wrap' }, el('table', { class: 'govuk-table', id: 'bookings' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'Bookings'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      ['Person', 'Status', 'Hours credited'].map((h, i) => el('th', { scope: 'col', class: `govuk-table__header${i === 2 ? ' govuk-table__header--numeric' : ''}` }, h)))),
    el('tbody', { class: 'govuk-table__body' }, s.bookings.map((b) => el('tr', { class: 'govuk-table__row', 'data-booking': b.id },
      el('th', { scope: 'row', class: 'govuk-table__header' }, link(`#/referrals/${b.referral_id}`, b.person_name)),
      el('td', { class: 'govuk-table__cell' }, tag(b.status === 'booked' ? 'booked' : b.status, statusText(b.status))),
      el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, b.minutes_credited ? fmtMinutes(b.minutes_credited) : '0 h'))))));
}

// Shows a bulk outcome's refusal: each failing booking (booking_ids[i]) by the person's name,
// linked to their box, and any other field beside its control.
function showBulkProblem(container, form, err, chosen, boxId) {
  container.querySelector('#error-summary')?.remove();
  for (const g of form.querySelectorAll('.govuk-form-group--error')) g.classList.remove('govuk-form-group--error');
  for (const m of form.querySelectorAll('.govuk-error-message')) m.remove();
  const items = [];
  const people = [];
  const mark = (field, text) => {
    const group = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (!group) return;
    group.classList.add('govuk-form-group--error');
    const anchor = group.querySelector('.govuk-hint') || group.querySelector('legend, label');
    anchor.after(el('p', { class: 'govuk-error-message' }, el('span', { class: 'govuk-visually-hidden' }, 'Error: '), text));
  };
  for (const [field, message] of Object.entries(err.fields || {})) {
    const m = /^booking_ids\[(\d+)\]$/.exec(field);
    if (m && chosen[Number(m[1])]) {
      const b = chosen[Number(m[1])];
      const text = `${b.person_name}: ${plainMessage(message)}`;
      items.push({ text, href: `#${boxId(b)}` });
      people.push(text);
    } else {
      const name = field === 'booking_ids' ? 'booking_ids' : field;
      const id = controlIdOf(form, name);
      const text = `${label(field)}: ${message}`;
      items.push({ text, href: id ? `#${id}` : null });
      if (id) mark(name, text);
    }
  }
  if (people.length) mark('booking_ids', `Nothing was recorded. ${people.join('. ')}`);
  if (!items.length) items.push({ text: problemText(err) });
  const summary = errorSummary(items);
  container.prepend(summary);
  summary.focus();
}

function bulkOutcomeForm(ctx, s) {
  const open = s.bookings.filter((b) => b.status !== 'cancelled' && b.status !== 'rescheduled');
  const section = el('section', { 'aria-labelledby': 'bulk-title', id: 'bulk' }, h2('Record one outcome for several people', { id: 'bulk-title' }));
  if (s.cancelled) return null;
  if (Date.now() < new Date(s.starts_at).getTime()) {
    section.append(p('Outcomes can be recorded once the session has started.'));
    return section;
  }
  if (!open.length) {
    section.append(p('Nobody on this session can take an outcome.'));
    return section;
  }
  const boxId = (b) => `bulk-booking-${open.indexOf(b) + 1}`;
  const form = el('form', { novalidate: true, id: 'bulk-form' },
    el('div', { class: 'govuk-form-group', 'data-field': 'booking_ids' },
      el('fieldset', { class: 'govuk-fieldset', 'aria-describedby': 'bulk-people-hint' },
        el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'People'),
        el('div', { class: 'govuk-hint', id: 'bulk-people-hint' }, 'Choose everyone the outcome is for.'),
        el('div', { class: 'govuk-checkboxes govuk-checkboxes--small' }, open.map((b) => el('div', { class: 'govuk-checkboxes__item' },
          el('input', { class: 'govuk-checkboxes__input', id: boxId(b), name: 'booking_ids', type: 'checkbox', value: b.id,
            'aria-describedby': `${boxId(b)}-hint` }),
          el('label', { class: 'govuk-label govuk-checkboxes__label', for: boxId(b) }, b.person_name),
          el('div', { class: 'govuk-hint govuk-checkboxes__hint', id: `${boxId(b)}-hint` }, statusText(b.status))))))),
    radios({ name: 'outcome', legend: 'Outcome', items: OUTCOMES.map(([value, text]) => ({ value, text })) }),
    el('div', { 'data-for': 'absent_acceptable', hidden: true },
      select({ name: 'absence_reason', label: 'Reason for the absence', items: [{ value: '', text: 'Choose a reason' }, ...ABSENCE_REASONS.map(([value, text]) => ({ value, text }))] })),
    el('div', { 'data-for': 'attended', hidden: true },
      input({ name: 'penalty_minutes', label: 'Minutes to take off (optional)', hint: 'For a late arrival or long breaks.', width: 3, inputmode: 'numeric' }),
      select({ name: 'behaviour', label: 'Behaviour (optional)', items: [{ value: '', text: 'Not rated' }, ...RATINGS.map(([value, text]) => ({ value, text }))] }),
      select({ name: 'work_quality', label: 'Quality of work (optional)', items: [{ value: '', text: 'Not rated' }, ...RATINGS.map(([value, text]) => ({ value, text }))] })),
    textarea({ name: 'notes', label: 'Notes (optional)', rows: 3 }),
    textarea({ name: 'amendment_reason', label: 'Reason for the change (only to correct an outcome already recorded)', rows: 2 }),
    button('Record outcome', { id: 'bulk-submit' }));
  const showFor = () => {
    const outcome = form.querySelector('input[name="outcome"]:checked')?.value || '';
    form.querySelector('[data-for="absent_acceptable"]').hidden = outcome !== 'absent_acceptable';
    form.querySelector('[data-for="attended"]').hidden = !ATTENDED.has(outcome);
  };
  form.addEventListener('change', showFor);
  // one key per request: a second press or a retry of the same choice reuses it
  let key = null;
  let sentBody = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    const chosen = open.filter((b) => form.querySelector(`#${boxId(b)}`).checked);
    const body = { booking_ids: chosen.map((b) => b.id), outcome: v.outcome || '' };
    if (!body.outcome) delete body.outcome;
    if (v.outcome === 'absent_acceptable' && v.absence_reason) body.absence_reason = v.absence_reason;
    if (ATTENDED.has(v.outcome)) {
      const pen = String(v.penalty_minutes || '').trim();
      if (pen) body.penalty_minutes = /^\d+$/.test(pen) ? Number(pen) : pen;
      if (v.behaviour) body.behaviour = v.behaviour;
      if (v.work_quality) body.work_quality = v.work_quality;
    }
    if (String(v.notes || '').trim()) body.notes = String(v.notes).trim();
    if (String(v.amendment_reason || '').trim()) body.amendment_reason = String(v.amendment_reason).trim();
    const json = JSON.stringify(body);
    if (json !== sentBody) {
      key = newKey();
      sentBody = json;
    }
    const submit = form.querySelector('#bulk-submit');
    submit.disabled = true;
    try {
      const r = await api('POST', `/v1/sessions/${s.id}/outcomes`, { body, idempotencyKey: key });
      const n = r.data.items.length;
      ctx.go(`/sessions/${s.id}`, banner('success', `Outcome recorded for ${n} ${n === 1 ? 'person' : 'people'}`,
        bullets(r.data.items.map((b) => `${b.person_name}: ${statusText(b.status)}`))));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showBulkProblem(ctx.main, form, err, chosen, boxId);
    } finally {
      submit.disabled = false;
    }
  });
  section.append(form);
  return section;
}

async function renderSession(ctx) {
  const [r, wards] = await Promise.all([api('GET', `/v1/sessions/${ctx.params.id}`), wardsByCode()]);
  const s = r.data;
  ctx.setTitle(`Session: ${s.placement.name}, ${fmtSpan(s.starts_at, s.ends_at)}`);
  ctx.main.append(backLink(`#/sessions?week=${mondayOf(londonDayOf(s.starts_at))}`, 'Back to the week'),
    ...h1(s.placement.name, `Session, ${fmtSpan(s.starts_at, s.ends_at)}`),
    sessionSummary(s, wards),
    el('ul', { class: 'govuk-list ij-actions', id: 'session-actions' },
      s.cancelled ? null : el('li', {}, link(`#/sessions/${s.id}/edit`, 'Change places or supervisor')),
      s.cancelled ? null : el('li', {}, link(`#/sessions/${s.id}/cancel`, 'Cancel this session')),
      el('li', {}, link(`#/register/${s.id}`, 'Open the register'))),
    bookingsTable(s));
  const bulk = bulkOutcomeForm(ctx, s);
  if (bulk) ctx.main.append(bulk);
}

// ---- change a session ----------------------------------------------------------------------------

// The directory's active supervisors as select items, keeping `current` even when it left.
export async function supervisorItems(current) {
  const r = await api('GET', '/v1/supervisors');
  const items = (r.data.items || []).filter((x) => x.active)
    .map((x) => ({ value: x.sub, text: x.organisation ? `${x.name} (${x.organisation})` : x.name, name: x.name }));
  if (current && !items.some((i) => i.value === current.sub)) items.unshift({ value: current.sub, text: `${current.name} (no longer in the directory)`, name: current.name });
  return items;
}

async function renderEdit(ctx) {
  const r = await api('GET', `/v1/sessions/${ctx.params.id}`);
  const s = r.data;
  const version = r.version ?? s.version;
  ctx.setTitle(`Change a session: ${s.placement.name}`);
  ctx.main.append(backLink(`#/sessions/${s.id}`, 'Back to the session'),
    ...h1('Change the session', `${s.placement.name}, ${fmtSpan(s.starts_at, s.ends_at)}`));
  if (s.cancelled) {
    ctx.main.append(p('This session is cancelled: it cannot change.'));
    return;
  }
  const sups = await supervisorItems(s.supervisor);
  const form = el('form', { novalidate: true, id: 'session-edit' },
    p('The times of a session are fixed: to move it, cancel it and add another.'),
    input({ name: 'capacity', label: 'Places', hint: `${s.booked} ${s.booked === 1 ? 'place is' : 'places are'} taken: not fewer than that.`,
      value: String(s.capacity), width: 3, inputmode: 'numeric' }),
    select({ name: 'supervisor', label: 'Supervisor', value: s.supervisor.sub, items: sups }),
    buttonGroup(button('Save changes', { id: 'save' }), link(`#/sessions/${s.id}`, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const cap = form.elements.capacity.value.trim();
    const sub = form.elements.supervisor.value;
    const body = {};
    if (cap !== String(s.capacity)) body.capacity = /^\d+$/.test(cap) ? Number(cap) : cap;
    if (sub !== s.supervisor.sub) body.supervisor = { sub, name: sups.find((i) => i.value === sub)?.name };
    if (!Object.keys(body).length) {
      showProblem(ctx.main, form, new ApiError(422, { errors: [{ field: 'capacity', message: 'is the same as before: change the places or the supervisor' }] }));
      return;
    }
    const submit = form.querySelector('#save');
    submit.disabled = true;
    try {
      await api('PATCH', `/v1/sessions/${s.id}`, { body, ifMatch: version });
      ctx.go(`/sessions/${s.id}`, banner('success', 'The session was changed'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showProblem(ctx.main, form, err, (f) => (f.startsWith('supervisor') ? 'supervisor' : f));
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(form);
}

// ---- cancel a session ----------------------------------------------------------------------------

// What cancelling does to one booking still holding a place, from its referral as it is now.
function consequence(ref) {
  if (!ref) return 'The booking is cancelled.';
  const others = (ref.active_bookings ?? 1) - 1;
  if (ref.state === 'scheduled' && others <= 0 && !ref.first_attended_at) {
    return 'The booking is cancelled. The referral goes back to accepted: it needs a session booked.';
  }
  if (others > 0) return `The booking is cancelled. They keep their ${others} other ${others === 1 ? 'booking' : 'bookings'}.`;
  return 'The booking is cancelled. They have started their hours: book them another session.';
}

async function renderCancel(ctx) {
  const r = await api('GET', `/v1/sessions/${ctx.params.id}`);
  const s = r.data;
  const version = r.version ?? s.version;
  ctx.setTitle(`Cancel a session: ${s.placement.name}`);
  ctx.main.append(backLink(`#/sessions/${s.id}`, 'Back to the session'),
    ...h1('Cancel this session?', `${s.placement.name}, ${fmtSpan(s.starts_at, s.ends_at)}`));
  if (s.cancelled) {
    ctx.main.append(p('This session is cancelled already.'), p(link(`#/sessions/${s.id}`, 'Go to the session')));
    return;
  }
  const booked = s.bookings.filter((b) => b.status === 'booked');
  const kept = s.bookings.filter((b) => b.status !== 'booked' && b.status !== 'cancelled' && b.status !== 'rescheduled');
  const refs = await Promise.all(booked.map((b) => api('GET', `/v1/referrals/${b.referral_id}`).then((x) => x.data).catch(() => null)));
  if (booked.length) {
    ctx.main.append(p(`${booked.length} ${booked.length === 1 ? 'person is' : 'people are'} booked on it. Cancelling the session:`),
      el('div', { class: 'ij-table-wrap' }, el('table', { class: 'govuk-table', id: 'cancel-effects' },
        el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'What happens to the bookings'),
        el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
          ['Person', 'What happens'].map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
        el('tbody', { class: 'govuk-table__body' }, booked.map((b, i) => el('tr', { class: 'govuk-table__row', 'data-booking': b.id },
          el('th', { scope: 'row', class: 'govuk-table__header' }, link(`#/referrals/${b.referral_id}`, b.person_name)),
          el('td', { class: 'govuk-table__cell' }, consequence(refs[i]))))))));
  } else {
    ctx.main.append(p('Nobody is booked on it: no booking changes.'));
  }
  if (kept.length) ctx.main.append(p(`Outcomes already recorded stay as they are (${kept.map((b) => b.person_name).join(', ')}).`));
  const form = el('form', { novalidate: true, id: 'cancel-form' },
    warningText('A cancelled session cannot be reopened.'),
    buttonGroup(button('Yes, cancel this session', { kind: 'warning', id: 'confirm-cancel' }), link(`#/sessions/${s.id}`, 'No, keep it')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = form.querySelector('#confirm-cancel');
    submit.disabled = true;
    try {
      await api('PATCH', `/v1/sessions/${s.id}`, { body: { cancelled: true }, ifMatch: version });
      // check what the service did before saying so
      const after = (await api('GET', `/v1/sessions/${s.id}`)).data;
      const still = after.bookings.filter((b) => b.status === 'booked');
      if (!after.cancelled || still.length) {
        ctx.go(`/sessions/${s.id}`, banner('important', 'The session may not be fully cancelled: check its bookings'));
        return;
      }
      const ended = after.bookings.filter((b) => booked.some((x) => x.id === b.id));
      ctx.go(`/sessions/${s.id}`, banner('success', 'The session was cancelled',
        ended.length ? p(`Bookings cancelled: ${ended.map((b) => b.person_name).join(', ')}.`) : p('No booking had to change.')));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showProblem(ctx.main, form, err);
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(form);
}

export const routes = [
  { path: '/sessions', roles: COORDINATOR, title: 'Sessions', render: renderWeek },
  { path: '/sessions/:id', roles: COORDINATOR, title: 'Session', render: renderSession },
  { path: '/sessions/:id/edit', roles: COORDINATOR, title: 'Change a session', render: renderEdit },
  { path: '/sessions/:id/cancel', roles: COORDINATOR, title: 'Cancel a session', render: renderCancel },
];

export const nav = [
  { href: '#/sessions', text: 'Sessions', roles: COORDINATOR, order: 40, description: 'The week\'s sessions with the places left; bookings, outcomes, changes and cancelling.' },
];

