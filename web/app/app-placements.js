// The coordinators' placements: the list, adding and changing one (its supervisor chosen from
// the area's directory, its ward from the area's wards), a placement with its coming sessions,
// and adding a session to it (a paper register's late entry included).

import { all, api, ApiError } from './app-api.js';
import {
  backLink, banner, button, buttonGroup, buttonLink, dateInput, el, fmtSpan, h1, h2, input, link, p, radios,
  readDate, select, showProblem, summaryList, tag, textarea,
} from './app-ui.js';
import { isTime, londonDayOf, londonInstant } from './app-coordb-time.js';
import { PLACEMENT_TYPES, placesLeft, supervisorItems, typeName, wardName, wardsByCode } from './app-sessions.js';

const COORDINATOR = ['coordinator'];

const activeTag = (pl) => (pl.active ? tag('accepted', 'Taking sessions') : tag('closed', 'Not taking sessions'));

// ---- the list ------------------------------------------------------------------------------------

async function renderList(ctx) {
  const [list, wards] = await Promise.all([all('/v1/placements', {}, 1000), wardsByCode()]);
  ctx.main.append(...h1('Placements', 'Reparative work').filter(Boolean), p(buttonLink('#/placements/new', 'Add a placement')));
  if (!list.length) {
    ctx.main.append(p('There are no placements yet.'));
    return;
  }
  const heads = ['Placement', 'Type of work', 'Ward', 'Supervisor', 'State'];
  const cell = (i, ...c) => el('td', { class: 'govuk-table__cell', 'data-label': heads[i] }, ...c);
  ctx.main.append(el('table', { class: 'govuk-table ij-stack-table', id: 'placements' },
    el('caption', { class: 'govuk-visually-hidden' }, 'Placements'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      heads.map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
    el('tbody', { class: 'govuk-table__body' }, list.map((pl) => el('tr', { class: 'govuk-table__row', 'data-placement': pl.id },
      el('th', { scope: 'row', class: 'govuk-table__header', 'data-label': heads[0] }, link(`#/placements/${pl.id}`, pl.name)),
      cell(1, typeName(pl.type)), cell(2, wardName(wards, pl.ward)), cell(3, pl.supervisor.name), cell(4, activeTag(pl)))))));
}

// ---- add or change -------------------------------------------------------------------------------

const fieldOf = (f) => (f.startsWith('supervisor') ? 'supervisor' : f);

async function placementForm(ctx, existing, version) {
  const [wards, sups] = await Promise.all([wardsByCode(), supervisorItems(existing?.supervisor)]);
  const wardItems = [...wards.values()].filter((w) => w.active || w.code === existing?.ward).map((w) => ({ value: w.code, text: w.name }));
  const e = existing || {};
  const form = el('form', { novalidate: true, id: 'placement-form' },
    input({ name: 'name', label: 'Name of the placement', value: e.name, width: 'two-thirds' }),
    radios({ name: 'type', legend: 'Type of work', value: e.type, items: PLACEMENT_TYPES.map(([value, text]) => ({ value, text })) }),
    input({ name: 'provider', label: 'Partner organisation', value: e.provider, width: 'two-thirds' }),
    select({ name: 'ward', label: 'Ward', value: e.ward ?? '', items: [{ value: '', text: 'Choose a ward' }, ...wardItems] }),
    textarea({ name: 'location', label: 'Where the work happens (optional)', hint: 'The meeting place: the booking confirmation and the reminder give it to the person.', value: e.location ?? '', rows: 3 }),
    textarea({ name: 'what_to_bring', label: 'What to wear and bring (optional)', hint: 'For example, old clothes, stout shoes and a packed lunch. Sent with the booking confirmation and the reminder.', value: e.what_to_bring ?? '', rows: 2 }),
    input({ name: 'min_age', label: 'Youngest age it suits (optional)', hint: 'From 10 to 99. Left empty, 10.',
      value: e.min_age === undefined ? '' : String(e.min_age), width: 2, inputmode: 'numeric' }),
    select({ name: 'supervisor', label: 'Supervisor', hint: 'From the area\'s directory of supervisors.', value: e.supervisor?.sub ?? '',
      items: [{ value: '', text: 'Choose a supervisor' }, ...sups] }),
    existing ? radios({ name: 'active', legend: 'Does it take new sessions?', value: e.active ? 'true' : 'false', inline: true,
      items: [{ value: 'true', text: 'Yes' }, { value: 'false', text: 'No' }] }) : null,
    buttonGroup(button(existing ? 'Save changes' : 'Add placement', { id: 'save' }),
      link(existing ? `#/placements/${existing.id}` : '#/placements', 'Cancel')));

  const read = () => {
    const f = form.elements;
    const v = {
      name: f.name.value.trim(), provider: f.provider.value.trim(), ward: f.ward.value,
      type: form.querySelector('input[name="type"]:checked')?.value, location: f.location.value.trim(),
      what_to_bring: f.what_to_bring.value.trim(),
      min_age: f.min_age.value.trim(), supervisor: f.supervisor.value,
      active: form.querySelector('input[name="active"]:checked')?.value,
    };
    const body = {};
    const minAge = v.min_age === '' ? undefined : (/^\d+$/.test(v.min_age) ? Number(v.min_age) : v.min_age);
    const sup = v.supervisor ? { sub: v.supervisor, name: sups.find((i) => i.value === v.supervisor)?.name } : undefined;
    if (!existing) {
      Object.assign(body, { name: v.name, type: v.type, provider: v.provider, ward: v.ward, supervisor: sup });
      if (v.location) body.location = v.location;
      if (v.what_to_bring) body.what_to_bring = v.what_to_bring;
      if (minAge !== undefined) body.min_age = minAge;
      if (!body.type) delete body.type;
      if (!body.supervisor) delete body.supervisor;
      return body;
    }
    if (v.name !== e.name) body.name = v.name;
    if (v.type && v.type !== e.type) body.type = v.type;
    if (v.provider !== e.provider) body.provider = v.provider;
    if (v.ward && v.ward !== e.ward) body.ward = v.ward;
    if (v.location !== (e.location ?? '')) body.location = v.location || null;
    if (v.what_to_bring !== (e.what_to_bring ?? '')) body.what_to_bring = v.what_to_bring || null;
    if (minAge !== undefined && minAge !== e.min_age) body.min_age = minAge;
    if (sup && sup.sub !== e.supervisor.sub) body.supervisor = sup;
    if (v.active && (v.active === 'true') !== e.active) body.active = v.active === 'true';
    return body;
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = read();
    if (existing && !Object.keys(body).length) {
      showProblem(ctx.main, form, new ApiError(422, { errors: [{ field: 'name', message: 'and the rest are as before: change something, or go back' }] }));
      return;
    }
    const submit = form.querySelector('#save');
    submit.disabled = true;
    try {
      if (existing) {
        await api('PATCH', `/v1/placements/${existing.id}`, { body, ifMatch: version });
        ctx.go(`/placements/${existing.id}`, banner('success', 'The placement was changed'));
      } else {
        const r = await api('POST', '/v1/placements', { body });
        ctx.go(`/placements/${r.data.id}`, banner('success', 'The placement was added', p('Add its sessions below.')));
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showProblem(ctx.main, form, err, fieldOf);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function renderNew(ctx) {
  ctx.main.append(backLink('#/placements', 'Back to placements'), ...h1('Add a placement', 'Placements'));
  ctx.main.append(await placementForm(ctx, null));
}

async function renderEdit(ctx) {
  const r = await api('GET', `/v1/placements/${ctx.params.id}`);
  ctx.setTitle(`Change a placement: ${r.data.name}`);
  ctx.main.append(backLink(`#/placements/${r.data.id}`, 'Back to the placement'), ...h1('Change the placement', r.data.name));
  ctx.main.append(await placementForm(ctx, r.data, r.version ?? r.data.version));
}

// ---- one placement -------------------------------------------------------------------------------

async function renderPlacement(ctx) {
  const from = londonInstant(londonDayOf(new Date())).toISOString();
  const [r, wards, sessions] = await Promise.all([
    api('GET', `/v1/placements/${ctx.params.id}`), wardsByCode(),
    all(`/v1/placements/${ctx.params.id}/sessions`, { from }, 200),
  ]);
  const pl = r.data;
  const change = { href: `#/placements/${pl.id}/edit`, text: 'Change' };
  ctx.setTitle(`Placement: ${pl.name}`);
  ctx.main.append(backLink('#/placements', 'Back to placements'), ...h1(pl.name, 'Placement'),
    summaryList([
      ['Type of work', typeName(pl.type), change],
      ['Partner organisation', pl.provider, change],
      ['Ward', wardName(wards, pl.ward), change],
      ['Where', pl.location, change],
      ['What to wear and bring', pl.what_to_bring, change],
      ['Youngest age', String(pl.min_age), change],
      ['Supervisor', pl.supervisor.name, change],
      ['State', activeTag(pl), change],
    ], { id: 'placement-summary' }),
    h2('Sessions from today'),
    pl.active ? p(buttonLink(`#/placements/${pl.id}/sessions/new`, 'Add a session', 'secondary'))
      : p('This placement takes no new sessions: change its state to add one.'));
  if (!sessions.length) {
    ctx.main.append(p('No sessions from today.'));
    return;
  }
  const heads = ['When', 'Supervisor', 'Places left'];
  ctx.main.append(el('table', { class: 'govuk-table ij-stack-table', id: 'placement-sessions' },
    el('caption', { class: 'govuk-visually-hidden' }, 'Sessions from today'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      heads.map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
    el('tbody', { class: 'govuk-table__body' }, sessions.map((s) => el('tr', { class: 'govuk-table__row', 'data-session': s.id },
      el('th', { scope: 'row', class: 'govuk-table__header', 'data-label': heads[0] }, link(`#/sessions/${s.id}`, fmtSpan(s.starts_at, s.ends_at))),
      el('td', { class: 'govuk-table__cell', 'data-label': heads[1] }, s.supervisor.name),
      el('td', { class: 'govuk-table__cell', 'data-label': heads[2] }, placesLeft(s)))))));
}

// ---- a new session -------------------------------------------------------------------------------

async function renderNewSession(ctx) {
  const r = await api('GET', `/v1/placements/${ctx.params.id}`);
  const pl = r.data;
  const sups = (await supervisorItems(null)).filter((s) => s.value !== pl.supervisor.sub);
  ctx.setTitle(`Add a session: ${pl.name}`);
  ctx.main.append(backLink(`#/placements/${pl.id}`, 'Back to the placement'), ...h1('Add a session', pl.name));
  const form = el('form', { novalidate: true, id: 'session-form' },
    dateInput({ name: 'date', legend: 'Date', hint: 'For example, 27 3 2027' }),
    input({ name: 'start', label: 'Start time', hint: 'In 24-hour time, for example 09:30', width: 5, inputmode: 'numeric' }),
    input({ name: 'end', label: 'End time', hint: 'The same day, for example 13:00', width: 5, inputmode: 'numeric' }),
    input({ name: 'capacity', label: 'Places', hint: 'How many people it takes: 1 to 200.', width: 3, inputmode: 'numeric' }),
    select({ name: 'supervisor', label: 'Supervisor', value: '',
      items: [{ value: '', text: `The placement's supervisor (${pl.supervisor.name})` }, ...sups] }),
    textarea({ name: 'late_entry_reason', label: 'Why it is entered late (only for a session that is over)', rows: 3,
      hint: 'A session that has already happened is entered from its paper register: say why, for example no signal on site.' }),
    buttonGroup(button('Add session', { id: 'save' }), link(`#/placements/${pl.id}`, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const day = readDate(form, 'date');
    const start = form.elements.start.value.trim();
    const end = form.elements.end.value.trim();
    // what the page itself must know to build the instants
    const local = [];
    if (!day) local.push({ field: 'date', message: day === '' ? 'Enter the date of the session' : 'Enter a real date, for example 27 3 2027' });
    if (!isTime(start)) local.push({ field: 'start', message: 'Enter the start time, for example 09:30' });
    if (!isTime(end)) local.push({ field: 'end', message: 'Enter the end time, for example 13:00' });
    if (local.length) {
      showProblem(ctx.main, form, new ApiError(422, { errors: local }));
      return;
    }
    const cap = form.elements.capacity.value.trim();
    const body = {
      starts_at: londonInstant(day, start).toISOString(),
      ends_at: londonInstant(day, end).toISOString(),
      capacity: /^\d+$/.test(cap) ? Number(cap) : cap,
    };
    const sub = form.elements.supervisor.value;
    if (sub) body.supervisor = { sub, name: sups.find((i) => i.value === sub)?.name };
    const late = form.elements.late_entry_reason.value.trim();
    if (late) body.late_entry_reason = late;
    const submit = form.querySelector('#save');
    submit.disabled = true;
    try {
      const made = await api('POST', `/v1/placements/${pl.id}/sessions`, { body });
      ctx.go(`/sessions/${made.data.id}`, banner('success', 'The session was added'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const k of Object.keys(err.fields)) err.fields[k] = String(err.fields[k]).replace(/\blate_entry_reason\b/g, 'a reason why it is entered late');
      showProblem(ctx.main, form, err, (f) => ({ starts_at: 'date', ends_at: 'end' }[f] ?? fieldOf(f)));
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(form);
}

export const routes = [
  { path: '/placements', roles: COORDINATOR, title: 'Placements', render: renderList },
  { path: '/placements/new', roles: COORDINATOR, title: 'Add a placement', render: renderNew },
  { path: '/placements/:id', roles: COORDINATOR, title: 'Placement', render: renderPlacement },
  { path: '/placements/:id/edit', roles: COORDINATOR, title: 'Change a placement', render: renderEdit },
  { path: '/placements/:id/sessions/new', roles: COORDINATOR, title: 'Add a session', render: renderNewSession },
];

export const nav = [
  { href: '#/placements', text: 'Placements', roles: COORDINATOR, order: 45, description: 'The work partners offer: add and change placements and add their sessions.' },
];
