// Non-associations: two people who must never be booked on one session (co-offenders, a victim
// who also takes part, safeguarding). Shown on the person's page (coordinators), recorded by
// finding the other person by name, and ended with an optional reason (the record stays).

import { api, ApiError } from './app-api.js';
import {
  backLink, banner, button, buttonGroup, el, fmtDate, formValues, h1, h2, input, label, link, p, radios,
  showProblem, summaryList, table, tag, textarea,
} from './app-ui.js';
import { actionLink, formKey, sending, heading, wide } from './app-coordinator-common.js';

const COORDINATOR = ['coordinator'];
const REASONS = [
  { value: 'co_offenders', text: 'Co-offenders', hint: 'They offended together.' },
  { value: 'victim', text: 'Victim', hint: 'One is the other’s victim and also takes part in the scheme.' },
  { value: 'safeguarding', text: 'Safeguarding' },
  { value: 'other', text: 'Another reason', hint: 'Say why in the notes.' },
];
const reasonText = (r) => REASONS.find((x) => x.value === r)?.text ?? label(r);

// The person's non-associations, for their page: a table and the way to record one.
export async function section(personId) {
  const items = (await api('GET', '/v1/non-associations', { query: { person_id: personId } })).data.items ?? [];
  return el('section', { 'aria-labelledby': 'apart-heading', id: 'non-associations' },
    h2('People they must not be placed with', { id: 'apart-heading' }),
    wide(table({
      id: 'non-associations-table',
      head: ['Person', 'Why', 'Recorded', 'Status', 'Action'],
      empty: 'None recorded.',
      rows: items.map((n) => {
        const other = n.people.find((x) => x.person_id !== personId) ?? n.people[1];
        return [
          link(`#/people/${other.person_id}`, other.name ?? 'Unknown'),
          el('span', {}, reasonText(n.reason), n.notes ? [el('br'), n.notes] : null),
          `${fmtDate(n.created_at)} by ${n.created_by?.name ?? n.created_by?.sub}`,
          n.active ? tag('in_force', 'In force') : el('span', {}, tag('ended', 'Ended'), ` ${fmtDate(n.ended_at)}${n.end_reason ? `: ${n.end_reason}` : ''}`),
          n.active ? actionLink(`#/non-associations/${n.id}/end?person=${personId}`, 'End', `the non-association with ${other.name}`, { 'data-end': n.id }) : '',
        ];
      }),
    })),
    p(link(`#/people/${personId}/non-associations/new`, 'Record a person they must not be placed with', { id: 'record-apart' })));
}

async function record(ctx) {
  const { id } = ctx.params;
  const who = (await api('GET', `/v1/people/${encodeURIComponent(id)}`)).data;
  const name = ctx.query.get('name') || '';
  ctx.main.append(backLink(`#/people/${id}`, `Back to ${who.name}`));
  const container = el('div', {});
  ctx.main.append(container);
  container.append(...heading('Record a person they must not be placed with', who.name),
    p('They will never be booked on the same session, whoever is booked first. The refusal never names the other person.'));
  const find = el('form', { novalidate: true, id: 'apart-find', role: 'search', 'aria-label': 'Find the other person' },
    input({ name: 'name', id: 'other-name', label: 'The other person’s name', hint: 'All or part of it; spelling mistakes are allowed.', value: name, width: 'two-thirds', spellcheck: false }),
    button('Find', { kind: 'secondary', id: 'apart-find-submit' }));
  find.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = find.elements.name.value.trim();
    ctx.go(`/people/${id}/non-associations/new${v ? `?name=${encodeURIComponent(v)}` : ''}`);
  });
  container.append(find);
  if (!name) return;
  let found;
  try {
    found = ((await api('GET', '/v1/people', { query: { name, limit: 10 } })).data.items ?? []).filter((x) => x.id !== id);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 422) throw err;
    showProblem(container, find, err, (f) => (f === 'name' ? 'name' : null));
    return;
  }
  if (!found.length) {
    container.append(p('Nobody else of the area has a name like that.'));
    return;
  }
  const key = formKey();
  const form = el('form', { novalidate: true, id: 'apart-form' },
    radios({ name: 'other', legend: 'Who must they not be placed with?', items: found.map((x) => ({
      value: x.id, text: x.name, hint: [x.date_of_birth ? `Born ${fmtDate(x.date_of_birth)}` : null, x.postcode, x.police_id].filter(Boolean).join(', ') })) }),
    radios({ name: 'reason', legend: 'Why?', items: REASONS }),
    textarea({ name: 'notes', id: 'apart-notes', label: 'Notes', hint: 'Required for another reason.', rows: 3 }),
    buttonGroup(button('Record', { id: 'apart-submit' }), link(`#/people/${id}`, 'Cancel')));
  container.append(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = formValues(form);
    const errors = [];
    if (!v.other) errors.push({ field: 'other', message: 'Select the other person' });
    if (!v.reason) errors.push({ field: 'reason', message: 'Select why' });
    if (errors.length) {
      showProblem(container, form, new ApiError(422, { errors }), (f) => f);
      return;
    }
    const body = { person_ids: [id, v.other], reason: v.reason };
    if (v.notes) body.notes = v.notes;
    await sending(form.querySelector('button'), async () => {
      try {
        await api('POST', '/v1/non-associations', { body, idempotencyKey: key.value });
        key.answered(null);
        const other = found.find((x) => x.id === v.other);
        ctx.go(`/people/${id}`, banner('success', `${who.name} will not be placed with ${other?.name}`));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        key.answered(err);
        showProblem(container, form, err, (f) => (f === 'notes' || f === 'reason' ? f : f.startsWith('person_ids') ? 'other' : null));
      }
    });
  });
}

async function end(ctx) {
  const { id } = ctx.params;
  const n = (await api('GET', `/v1/non-associations/${encodeURIComponent(id)}`)).data;
  const back = ctx.query.get('person') || n.people[0].person_id;
  ctx.main.append(backLink(`#/people/${back}`, 'Back to the person'));
  const container = el('div', {});
  ctx.main.append(container);
  container.append(...heading('End the non-association'), summaryList([
    ['People', n.people.map((x) => x.name).join(' and ')],
    ['Why', reasonText(n.reason)],
    ['Notes', n.notes],
    ['Recorded', `${fmtDate(n.created_at)} by ${n.created_by?.name ?? n.created_by?.sub}`],
  ], { id: 'apart-facts' }));
  if (!n.active) {
    container.append(p(`It ended on ${fmtDate(n.ended_at)}.`));
    return;
  }
  const form = el('form', { novalidate: true, id: 'apart-end-form' },
    textarea({ name: 'reason', id: 'end-reason', label: 'Why does it end? (optional)', hint: 'Up to 500 characters. The record is kept.', rows: 3 }),
    buttonGroup(button('End the non-association', { kind: 'warning', id: 'apart-end-submit' }), link(`#/people/${back}`, 'Cancel')));
  container.append(p('The two people may then be booked on the same session.'), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const { reason } = formValues(form);
    await sending(form.querySelector('button'), async () => {
      try {
        await api('DELETE', `/v1/non-associations/${encodeURIComponent(id)}`, { query: { reason: reason || undefined } });
        ctx.go(`/people/${back}`, banner('success', `${n.people.map((x) => x.name).join(' and ')} may be placed together again`));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        showProblem(container, form, err, (f) => (f === 'reason' ? 'reason' : null));
      }
    });
  });
}

export const routes = [
  { path: '/people/:id/non-associations/new', roles: COORDINATOR, title: 'Record a non-association', render: record },
  { path: '/non-associations/:id/end', roles: COORDINATOR, title: 'End a non-association', render: end },
];
