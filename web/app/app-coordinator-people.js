// People: find a person (GET /v1/people: a name, however misspelt or in whatever order, a police
// identifier, a date of birth or a postcode) and a person's page with their whole history in the
// area (GET /v1/people/{id}: each referral, its bookings and their outcomes).

import { api, ApiError } from './app-api.js';
import {
  backLink, button, dateInput, el, fmtDate, fmtMinutes, fmtSpan, h1, h2, input, label, link, p, readDate,
  showProblem, summaryList, table, tag,
} from './app-ui.js';
import { offence, pagination, wardName, wardNames, heading, wide } from './app-coordinator-common.js';
import * as apart from './app-coordinator-apart.js';

const ROLES = ['coordinator', 'officer'];
const FIELDS = ['name', 'police_id', 'dob', 'postcode'];

async function search(ctx) {
  const q = ctx.query;
  const given = Object.fromEntries(FIELDS.map((f) => [f, q.get(f) || '']));
  const any = FIELDS.some((f) => given[f]);
  const container = el('div', {});
  const form = el('form', { novalidate: true, id: 'people-search', role: 'search', 'aria-label': 'Find a person' },
    input({ name: 'name', id: 'name', label: 'Name', hint: 'All or part of the name, in any order. Spelling mistakes are allowed.', value: given.name, width: 'two-thirds', spellcheck: false }),
    el('div', { class: 'ij-filter-row' },
      input({ name: 'police_id', id: 'police_id', label: 'Police identifier', value: given.police_id, width: 10 }),
      input({ name: 'postcode', id: 'postcode', label: 'Postcode', value: given.postcode, width: 10, autocomplete: 'off' })),
    dateInput({ name: 'dob', field: 'dob', legend: 'Date of birth', hint: 'For example, 27 3 2007', value: /^\d{4}-\d{2}-\d{2}$/.test(given.dob) ? given.dob : '' }),
    button('Search', { id: 'people-submit' }));
  container.append(...heading('Find a person'), p('Give at least one of these. Every person found is recorded in the access log.'), form);
  ctx.main.append(container);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const f of ['name', 'police_id', 'postcode']) {
      const v = form.elements[f].value.trim();
      if (v) next.set(f, v);
    }
    const dob = readDate(form, 'dob');
    if (dob === null) {
      showProblem(container, form, new ApiError(422, { errors: [{ field: 'dob', message: 'Date of birth must be a real date' }] }), (f) => f);
      return;
    }
    if (dob) next.set('dob', dob);
    if (![...next.keys()].length) {
      showProblem(container, form, new ApiError(422, { errors: [{ field: 'name', message: 'Enter a name, or another detail to search by' }] }), (f) => f);
      return;
    }
    ctx.go(`/people?${next}`);
  });

  if (!any) return;
  let page;
  try {
    page = (await api('GET', '/v1/people', { query: { ...given, limit: 25, cursor: q.get('cursor') || undefined } })).data;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 422) throw err;
    showProblem(container, form, err, (f) => (FIELDS.includes(f) ? f : null));
    ctx.setTitle('Error: Find a person');
    return;
  }
  container.append(h2(page.items.length ? `People found${page.next_cursor ? ' (more on the next page)' : `: ${page.items.length}`}` : 'Nobody found', { id: 'results-heading' }));
  container.append(wide(table({
    id: 'people-results',
    head: ['Name', 'Date of birth', 'Postcode', 'Police identifier', 'Referrals'],
    empty: 'No person of the area matches. Check the details, or search by another one.',
    rows: page.items.map((x) => [
      link(`#/people/${x.id}`, x.name),
      fmtDate(x.date_of_birth),
      x.postcode ?? '',
      x.police_id ?? '',
      x.referrals.length
        ? el('ul', { class: 'govuk-list govuk-!-margin-bottom-0' }, x.referrals.map((r) => el('li', {}, tag(r.state))))
        : 'None',
    ]),
  })));
  const nav = pagination('/people', q, page.next_cursor);
  if (nav) container.append(nav);
}

function bookingsTable(bookings, coordinator) {
  return table({
    head: ['Session', 'Placement', 'Outcome', 'Hours credited'],
    numeric: [3],
    empty: 'No session booked.',
    rows: bookings.map((b) => [
      coordinator ? link(`#/sessions/${b.session_id}`, fmtSpan(b.starts_at, b.ends_at)) : fmtSpan(b.starts_at, b.ends_at),
      b.placement_name,
      el('span', {}, tag(b.status), b.absence_reason ? ` (${b.absence_reason})` : null),
      fmtMinutes(b.minutes_credited),
    ]),
  });
}

async function person(ctx) {
  const [r, names] = await Promise.all([api('GET', `/v1/people/${encodeURIComponent(ctx.params.id)}`), wardNames()]);
  const x = r.data;
  const coordinator = ctx.me.roles.includes('coordinator');
  ctx.main.append(backLink('#/people', 'Find another person'), ...heading(x.name, 'Person'));
  ctx.main.append(summaryList([
    ['Date of birth', fmtDate(x.date_of_birth)],
    ['Police identifier', x.police_id],
    ['Phone', x.phone],
    ['Email', x.email],
    ['Address', x.address],
    ['Postcode', x.postcode],
    ['Needs', x.needs_notes],
    ['Risk', x.risk_notes],
    ['First referred', fmtDate(x.created_at)],
  ], { id: 'person-details' }));
  if (coordinator) ctx.main.append(await apart.section(x.id));
  ctx.main.append(h2(`History: ${x.referrals.length} referral${x.referrals.length === 1 ? '' : 's'}`, { id: 'history-heading' }));
  if (!x.referrals.length) ctx.main.append(p('No referral of this person in the area.'));
  for (const ref of x.referrals) {
    const credited = fmtMinutes(ref.minutes_credited) || '0 h';
    ctx.main.append(el('section', { class: 'ij-card', 'data-referral': ref.id, 'aria-labelledby': `ref-${ref.id}` },
      el('h3', { class: 'govuk-heading-s', id: `ref-${ref.id}` },
        link(`#/referrals/${ref.id}`, `Referral of ${fmtDate(ref.created_at)}`), ' ', tag(ref.state)),
      summaryList([
        ['Offence', `${offence(ref.offence.category)} on ${fmtDate(ref.offence.date)}, ${wardName(names, ref.offence.ward)}`],
        ['Disposal', label(ref.disposal)],
        ['Hours', `${credited} worked of ${ref.hours_confirmed ?? ref.hours_proposed} h${ref.hours_confirmed ? '' : ' proposed'}`],
        ['Referring officer', ref.officer?.name],
        ref.reason_code ? ['Reason given', label(ref.reason_code)] : null,
      ], { class: 'govuk-summary-list govuk-summary-list--no-border' }),
      bookingsTable(ref.bookings, coordinator)));
  }
}

export const routes = [
  { path: '/people', roles: ROLES, title: 'Find a person', render: search },
  { path: '/people/:id', roles: ROLES, title: 'Person', render: person },
  ...apart.routes,
];
