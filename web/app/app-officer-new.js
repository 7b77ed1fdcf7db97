// Officer part: making a referral as GOV.UK question pages, then "Check your answers", then the
// confirmation. The answers are kept in sessionStorage while the officer moves between pages (a
// reload keeps them; they go once the referral is made, or on sign-out). The submit carries one
// Idempotency-Key, made when the check-answers page first sends and kept with the answers, so that
// a submit sent again after a dropped connection, or pressed twice, never makes two referrals.

import { api, ApiError, newKey } from './app-api.js';
import {
  backLink, bullets, button, buttonLink, checkboxes, dateInput, el, errorSummary, fmtDate, fmtDateTime, h1, h2,
  input, label, link, londonDay, p, problemText, radios, readDate, select, summaryList, textarea,
} from './app-ui.js';

const DRAFT_KEY = 'ij.app.referral-draft';
const CACHE_KEY = 'ij.app.officer-cache';
const CAPTION = 'Make a referral';

// ---- words for the API's codes (shared with the referral's page) ----------------------------------

export const CATEGORIES = {
  asb: 'Anti-social behaviour',
  harassment: 'Harassment',
  public_order: 'Public order',
  drunk_and_disorderly: 'Drunk and disorderly',
  shop_theft: 'Shop theft',
  cannabis_possession: 'Possession of cannabis',
  criminal_damage: 'Criminal damage',
  other: 'Other',
};

export const DISPOSALS = {
  community_resolution: 'Community resolution',
  outcome_22: 'Outcome 22 (deferred prosecution)',
  conditional_caution: 'Conditional caution',
  youth_conditional_caution: 'Youth conditional caution',
  diversionary_caution: 'Diversionary caution',
  community_caution: 'Community caution',
};

export const RELATIONSHIPS = {
  parent: 'Parent',
  step_parent: 'Step-parent',
  grandparent: 'Grandparent',
  other_relative: 'Other relative',
  foster_carer: 'Foster carer',
  special_guardian: 'Special guardian',
  local_authority: 'Local authority',
  other: 'Other',
};

const items = (map) => Object.entries(map).map(([value, text]) => ({ value, text }));
const YES_NO = [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }];

// ---- storage -------------------------------------------------------------------------------------

function store() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

let memoryDraft = null;

// The draft: { sub, answers: {field: text}, visited: [slug], key, errors: {apiField: message} }.
export function loadDraft(me) {
  let d = memoryDraft;
  try {
    d = JSON.parse(store()?.getItem(DRAFT_KEY) ?? 'null') ?? memoryDraft;
  } catch {
    d = memoryDraft;
  }
  if (!d || d.sub !== me.sub) return { sub: me.sub, answers: {}, visited: [], key: null, errors: {} };
  return { answers: {}, visited: [], key: null, errors: {}, ...d };
}

function saveDraft(d) {
  memoryDraft = d;
  try {
    store()?.setItem(DRAFT_KEY, JSON.stringify(d));
  } catch {
    // storage full or refused: the draft lives in memory for this page
  }
}

export function forgetDraft() {
  memoryDraft = null;
  store()?.removeItem(DRAFT_KEY);
}

export function forgetCache() {
  store()?.removeItem(CACHE_KEY);
}

// Reference data (wards, the area's rules) read once and kept for this tab, so that a page opened
// again without signal still works.
async function cached(name, load) {
  let all = {};
  try {
    all = JSON.parse(store()?.getItem(CACHE_KEY) ?? '{}') || {};
  } catch {
    all = {};
  }
  try {
    const value = await load();
    all[name] = value;
    store()?.setItem(CACHE_KEY, JSON.stringify(all));
    return value;
  } catch (err) {
    if (err instanceof ApiError && err.offline && all[name]) return all[name];
    throw err;
  }
}

export const wards = () => cached('wards', async () => (await api('GET', '/v1/wards')).data.items);
const rules = (me) => cached('rules', async () => (await api('GET', `/v1/areas/${encodeURIComponent(me.area)}/rules`)).data);

// ---- the questions -------------------------------------------------------------------------------

// Age in whole years on a day (both YYYY-MM-DD).
export function ageOn(dob, day) {
  if (!dob || !day) return null;
  const [y1, m1, d1] = dob.split('-').map(Number);
  const [y2, m2, d2] = day.split('-').map(Number);
  return y2 - y1 - (m2 < m1 || (m2 === m1 && d2 < d1) ? 1 : 0);
}

const under18 = (a) => {
  const age = ageOn(a['person.date_of_birth'], londonDay());
  return age !== null && age < 18;
};

// Each page: slug, title, when (the page applies), fields. Each field: name (the API's path),
// kind, label, and its simple rules (required, date not in the future, a whole number in range).
// The API checks the rest when the referral is sent.
const PAGES = [
  {
    slug: 'person',
    title: 'Who are you referring?',
    fields: [
      { name: 'person.name', kind: 'text', label: 'Full name', required: 'Enter the person’s full name', autocomplete: 'off', spellcheck: false },
      { name: 'person.date_of_birth', kind: 'date', label: 'Date of birth', hint: 'For example, 27 3 2007', required: 'Enter the person’s date of birth', past: true, what: 'Date of birth' },
      { name: 'person.police_id', kind: 'text', label: 'Police identifier (optional)', hint: 'For example, a PNC number or the force’s own reference', width: 20, spellcheck: false },
    ],
  },
  {
    slug: 'contact',
    title: 'How can the person be contacted?',
    hint: 'Give as much as you can. The coordinator uses these to arrange sessions.',
    fields: [
      { name: 'person.phone', kind: 'text', type: 'tel', label: 'Phone number (optional)', width: 20, autocomplete: 'off' },
      { name: 'person.email', kind: 'text', type: 'email', label: 'Email address (optional)', spellcheck: false },
      { name: 'person.address', kind: 'textarea', label: 'Address (optional)', rows: 3 },
      { name: 'person.postcode', kind: 'text', label: 'Postcode (optional)', width: 10 },
    ],
  },
  {
    slug: 'messages',
    title: 'Texts and emails about their sessions',
    hint: 'The service sends a booking confirmation, a reminder the day before each session, any change to a session, and a message when the hours are done: by text to a mobile number, else by email. For a person under 18 the messages go to their parent or guardian.',
    fields: [
      { name: 'contact_consent', kind: 'radios', label: 'Has the person agreed to be sent texts or emails about the work?',
        hint: 'If they are under 18, has their parent or guardian agreed?',
        items: () => [{ value: 'yes', text: 'Yes, they agreed' }, { value: 'no', text: 'No, do not send any' }], required: 'Select whether they agreed to be sent texts or emails' },
      { name: 'message_language', kind: 'radios', label: 'Which language should the messages be in?',
        hint: 'Welsh is used where the area sends messages in Welsh; elsewhere they are in English.',
        items: () => [{ value: 'en', text: 'English' }, { value: 'cy', text: 'Welsh (Cymraeg)' }], inline: true },
    ],
  },
  {
    slug: 'needs',
    title: 'Needs and risks',
    hint: 'Anything the coordinator and the supervisor on site should know. Leave blank if there is nothing.',
    fields: [
      { name: 'person.needs_notes', kind: 'textarea', label: 'Needs (optional)', hint: 'For example, health, language, caring duties or access needs' },
      { name: 'person.risk_notes', kind: 'textarea', label: 'Risks (optional)', hint: 'For example, to staff, to the public or to the person' },
    ],
  },
  {
    slug: 'offence',
    title: 'The offence',
    fields: [
      { name: 'offence.date', kind: 'date', label: 'Date of the offence', hint: 'For example, 2 12 2026', required: 'Enter the date of the offence', past: true, what: 'The date of the offence' },
      { name: 'offence.category', kind: 'radios', label: 'What kind of offence was it?', items: () => items(CATEGORIES), required: 'Select the kind of offence' },
      { name: 'offence.description', kind: 'textarea', label: 'What happened (optional)', rows: 4 },
      { name: 'offence.location', kind: 'text', label: 'Where it happened (optional)', hint: 'For example, the street or the shop' },
      { name: 'offence.ward', kind: 'ward', label: 'Ward', required: 'Select the ward where it happened' },
    ],
  },
  {
    slug: 'disposal',
    title: 'Which out-of-court disposal is the referral for?',
    single: true,
    fields: [
      { name: 'disposal', kind: 'radios', label: 'Which out-of-court disposal is the referral for?', items: () => items(DISPOSALS), required: 'Select the disposal' },
    ],
  },
  {
    slug: 'consent',
    title: 'Has the person agreed to take part?',
    single: true,
    fields: [
      { name: 'consent_recorded', kind: 'radios', label: 'Has the person agreed to take part?', hint: 'Their consent must be recorded before you refer them.',
        items: () => [{ value: 'yes', text: 'Yes, their consent is recorded' }, { value: 'no', text: 'No' }],
        required: 'Select whether the person’s consent is recorded', must: ['yes', 'You can only refer a person whose consent is recorded'] },
    ],
  },
  {
    slug: 'hours',
    title: 'How many hours of reparation do you propose?',
    single: true,
    fields: [
      { name: 'hours_proposed', kind: 'hours', label: 'How many hours of reparation do you propose?', required: 'Enter the hours you propose' },
    ],
  },
  {
    slug: 'victim',
    title: 'Is there a victim?',
    single: true,
    fields: [
      { name: 'victim', kind: 'radios', label: 'Is there a victim?', items: () => YES_NO, required: 'Select yes if there is a victim' },
    ],
  },
  {
    slug: 'victim-details',
    title: 'The victim’s wishes',
    when: (a) => a.victim === 'yes',
    fields: [
      { name: 'victim.consulted', kind: 'radios', label: 'Was the victim consulted about the reparation?', items: () => YES_NO, inline: true, required: 'Select yes if the victim was consulted' },
      { name: 'victim.preference', kind: 'textarea', label: 'What reparation would the victim like? (optional)', rows: 3 },
      { name: 'victim.keep_updated', kind: 'radios', label: 'Does the victim want to be told the outcome?', items: () => YES_NO, inline: true, required: 'Select yes if the victim wants to be told the outcome' },
      { name: 'victim.contact', kind: 'textarea', label: 'How to contact the victim (optional)', hint: 'Needed if they want to be told the outcome', rows: 2,
        rule: (a) => (a['victim.keep_updated'] === 'yes' && !a['victim.contact'] ? 'Enter how to contact the victim, who wants to be told the outcome' : null) },
    ],
  },
  {
    slug: 'guardian',
    title: 'The parent or guardian',
    hint: 'The person is under 18, so a parent or guardian must agree and be someone the coordinator can contact.',
    when: under18,
    fields: [
      { name: 'guardian.name', kind: 'text', label: 'Full name', required: 'Enter the parent or guardian’s full name', spellcheck: false },
      { name: 'guardian.relationship', kind: 'select', label: 'Relationship to the person', items: () => [{ value: '', text: 'Select a relationship' }, ...items(RELATIONSHIPS)], required: 'Select how they are related to the person' },
      { name: 'guardian.phone', kind: 'text', type: 'tel', label: 'Phone number', hint: 'A phone number or an email address, or both', width: 20,
        rule: (a) => (!a['guardian.phone'] && !a['guardian.email'] ? 'Enter a phone number or an email address for the parent or guardian' : null) },
      { name: 'guardian.email', kind: 'text', type: 'email', label: 'Email address', spellcheck: false },
      { name: 'guardian.consent', kind: 'checkbox', label: 'Does the parent or guardian agree?', text: 'The parent or guardian agrees to the person taking part', required: 'Confirm that the parent or guardian agrees' },
    ],
  },
];

const pageOf = (slug) => PAGES.find((pg) => pg.slug === slug);
const applies = (pg, a) => !pg.when || pg.when(a);
const applicable = (a) => PAGES.filter((pg) => applies(pg, a));

// The page that shows an API field ("person.phone", "guardian", "victim.contact", ...).
function pageForField(apiField) {
  const f = apiField.replace(/\[\d+\]/g, '');
  for (const pg of PAGES) {
    if (pg.fields.some((x) => x.name === f)) return { page: pg, field: f };
  }
  const top = f.split('.')[0];
  const firstOf = (slug) => ({ page: pageOf(slug), field: pageOf(slug).fields[0].name });
  if (top === 'person') return firstOf('person');
  if (top === 'offence') return firstOf('offence');
  if (top === 'victim') return firstOf('victim-details');
  if (top === 'guardian') return firstOf('guardian');
  if (top === 'consent_recorded') return firstOf('consent');
  if (top === 'contact_consent' || top === 'message_language') return { page: pageOf('messages'), field: top };
  return null;
}

// The page's simple rules: { field: message }.
function validatePage(pg, a, bounds) {
  const errors = {};
  for (const f of pg.fields) {
    const v = a[f.name] ?? '';
    if (f.kind === 'date' && v === 'invalid') {
      errors[f.name] = `${f.what} must be a real date`;
    } else if (!v && f.required) {
      errors[f.name] = f.required;
    } else if (f.kind === 'date' && v && v > londonDay()) {
      errors[f.name] = `${f.what} must be today or in the past`;
    } else if (f.must && v && v !== f.must[0]) {
      errors[f.name] = f.must[1];
    } else if (f.kind === 'hours' && v) {
      const n = Number(v);
      if (!/^\d+$/.test(v)) errors[f.name] = 'Hours must be a whole number, like 7';
      else if (bounds && (n < bounds.hours_min || n > bounds.hours_max)) errors[f.name] = `Hours must be between ${bounds.hours_min} and ${bounds.hours_max}`;
    } else if (f.rule) {
      const m = f.rule(a);
      if (m) errors[f.name] = m;
    }
  }
  return errors;
}

// What the officer's answers send.
export function bodyOf(a) {
  const text = (k) => (a[k] ? a[k] : undefined);
  const pick = (keys) => {
    const o = {};
    for (const k of keys) if (a[k]) o[k.split('.')[1]] = a[k];
    return o;
  };
  const body = {
    person: pick(['person.name', 'person.date_of_birth', 'person.phone', 'person.email', 'person.address', 'person.postcode', 'person.police_id', 'person.needs_notes', 'person.risk_notes']),
    offence: pick(['offence.date', 'offence.category', 'offence.description', 'offence.location', 'offence.ward']),
    disposal: text('disposal'),
    consent_recorded: a.consent_recorded === 'yes',
    contact_consent: a.contact_consent === 'yes',
    message_language: a.message_language === 'cy' ? 'cy' : 'en',
    hours_proposed: a.hours_proposed ? Number(a.hours_proposed) : undefined,
  };
  if (a.victim === 'yes') {
    body.victim = {
      consulted: a['victim.consulted'] === 'yes',
      keep_updated: a['victim.keep_updated'] === 'yes',
      preference: text('victim.preference'),
      contact: text('victim.contact'),
    };
  }
  if (under18(a)) {
    body.guardian = { ...pick(['guardian.name', 'guardian.relationship', 'guardian.phone', 'guardian.email']), consent: a['guardian.consent'] === 'yes' };
  }
  return body;
}

// ---- drawing a question page ---------------------------------------------------------------------

function control(f, value, error, ctxData) {
  const common = { name: f.name, field: f.name, label: f.label, hint: f.hint, value, error };
  const single = ctxData.single;
  switch (f.kind) {
    case 'date':
      return dateInput({ ...common, legend: f.label, legendSize: single ? 'l' : 's', value: value === 'invalid' ? ctxData.rawDates?.[f.name] : value });
    case 'textarea':
      return textarea({ ...common, rows: f.rows, labelSize: single ? 'l' : null });
    case 'radios':
      return radios({ ...common, legend: f.label, items: f.items(), inline: f.inline, legendSize: single ? 'l' : 'm' });
    case 'select':
      return select({ ...common, items: f.items() });
    case 'checkbox':
      return checkboxes({ ...common, legend: f.label, items: [{ value: 'yes', text: f.text }], legendSize: 'm' });
    case 'ward': {
      const list = ctxData.wards.map((w) => ({ value: w.code, text: w.name }));
      if (list.length <= 10) return radios({ ...common, legend: f.label, items: list, legendSize: 'm' });
      return select({ ...common, items: [{ value: '', text: 'Select a ward' }, ...list] });
    }
    case 'hours': {
      const b = ctxData.rules;
      return input({ ...common, labelSize: 'l', width: 2, inputmode: 'numeric', value: value || String(b.hours_default),
        hint: `Between ${b.hours_min} and ${b.hours_max} hours. A working day is ${b.hours_default} hours; the coordinator confirms the hours when they accept the referral.` });
    }
    default:
      return input({ ...common, type: f.type, width: f.width, autocomplete: f.autocomplete, spellcheck: f.spellcheck, labelSize: single ? 'l' : null });
  }
}

// Reads a page's fields into the answers (dates as YYYY-MM-DD, 'invalid' when not a real date).
function readPage(pg, form, a, raw) {
  for (const f of pg.fields) {
    if (f.kind === 'date') {
      const v = readDate(form, f.name);
      a[f.name] = v === null ? 'invalid' : v;
      raw[f.name] = ['year', 'month', 'day'].map((s) => (form.elements[`${f.name}-${s}`]?.value || '').trim()).join('-');
    } else if (f.kind === 'checkbox') {
      a[f.name] = [...form.querySelectorAll(`input[name="${CSS.escape(f.name)}"]`)].some((c) => c.checked) ? 'yes' : '';
    } else if (f.kind === 'radios' || (f.kind === 'ward' && form.querySelector(`input[type=radio][name="${CSS.escape(f.name)}"]`))) {
      a[f.name] = form.querySelector(`input[name="${CSS.escape(f.name)}"]:checked`)?.value || '';
    } else {
      a[f.name] = (form.elements[f.name]?.value || '').trim();
    }
  }
}

// The error summary for errors shown on this page: each links to its field.
function summaryFor(form, errors) {
  const list = Object.entries(errors).map(([field, text]) => {
    const group = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
    const id = group?.querySelector('input, select, textarea')?.id;
    return { text, href: id ? `#${id}` : null };
  });
  return errorSummary(list);
}

function nextSlug(slug, a, changing, visited) {
  const list = applicable(a);
  if (changing) {
    const missing = list.find((pg) => !visited.includes(pg.slug));
    return missing ? missing.slug : 'check';
  }
  const i = list.findIndex((pg) => pg.slug === slug);
  return list[i + 1]?.slug ?? 'check';
}

function prevHref(slug, a, changing) {
  if (changing) return '#/referrals/new/check';
  const list = applicable(a);
  const i = list.findIndex((pg) => pg.slug === slug);
  return i > 0 ? `#/referrals/new/${list[i - 1].slug}` : '#/referrals/new';
}

async function questionPage(ctx, pg) {
  const draft = loadDraft(ctx.me);
  const a = draft.answers;
  if (!applies(pg, a)) {
    ctx.go('/referrals/new/check');
    return;
  }
  const changing = ctx.query.get('change') === '1';
  const focusField = ctx.query.get('field');
  const data = { single: pg.single, rawDates: draft.rawDates || {}, wards: [], rules: null };
  if (pg.fields.some((f) => f.kind === 'ward')) data.wards = await wards();
  if (pg.fields.some((f) => f.kind === 'hours')) data.rules = await rules(ctx.me);
  ctx.setTitle(pg.title);

  // the API's messages from the last submit, for this page's fields
  const apiErrors = {};
  for (const [field, message] of Object.entries(draft.errors || {})) {
    const where = pageForField(field);
    if (where?.page === pg) apiErrors[where.field] = apiErrors[where.field] ?? sentenceOf(field, message);
  }

  const draw = (errors) => {
    const form = el('form', { novalidate: true, id: `page-${pg.slug}` },
      pg.fields.map((f) => control(f, a[f.name] ?? '', errors[f.name], data)),
      button(changing ? 'Save and go back to check your answers' : 'Continue', { id: 'continue' }));
    const nodes = [backLink(prevHref(pg.slug, a, changing))];
    const body = [];
    if (Object.keys(errors).length) body.push(summaryFor(form, errors));
    if (pg.single) body.push(el('span', { class: 'govuk-caption-l' }, CAPTION));
    else body.push(...h1(pg.title, CAPTION));
    if (pg.hint) body.push(p(pg.hint));
    body.push(form);
    ctx.main.replaceChildren(...nodes, el('div', { class: 'govuk-grid-row' }, el('div', { class: 'govuk-grid-column-two-thirds' }, body)));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const raw = draft.rawDates || {};
      readPage(pg, form, a, raw);
      draft.rawDates = raw;
      const found = validatePage(pg, a, data.rules);
      // the API's messages stay until the field they name is changed
      for (const f of pg.fields) {
        for (const k of Object.keys(draft.errors || {})) {
          if (pageForField(k)?.page === pg && pageForField(k).field === f.name) delete draft.errors[k];
        }
      }
      if (!draft.visited.includes(pg.slug) && !Object.keys(found).length) draft.visited.push(pg.slug);
      saveDraft(draft);
      if (Object.keys(found).length) {
        draw(found);
        const summary = ctx.main.querySelector('#error-summary');
        summary?.focus();
        ctx.setTitle(`Error: ${pg.title}`);
        return;
      }
      ctx.go(`/referrals/new/${nextSlug(pg.slug, a, changing, draft.visited)}`);
    });
    return form;
  };
  const form = draw(apiErrors);
  if (Object.keys(apiErrors).length) {
    ctx.setTitle(`Error: ${pg.title}`);
    const target = focusField ? form.querySelector(`[data-field="${CSS.escape(focusField)}"]`)?.querySelector('input, select, textarea') : null;
    queueMicrotask(() => (target || ctx.main.querySelector('#error-summary'))?.focus());
  }
}

// "person.phone" + "must be a phone number..." -> "Phone number must be a phone number ..."
const FIELD_WORDS = {
  'person.name': 'Full name', 'person.date_of_birth': 'Date of birth', 'person.police_id': 'Police identifier',
  'person.phone': 'Phone number', 'person.email': 'Email address', 'person.address': 'Address', 'person.postcode': 'Postcode',
  'person.needs_notes': 'Needs', 'person.risk_notes': 'Risks', 'offence.date': 'Date of the offence',
  'offence.category': 'Kind of offence', 'offence.description': 'What happened', 'offence.location': 'Where it happened',
  'offence.ward': 'Ward', disposal: 'Disposal', consent_recorded: 'Consent',
  contact_consent: 'Agreement to texts and emails', message_language: 'Language of messages', hours_proposed: 'Hours',
  'victim.consulted': 'Victim consulted', 'victim.preference': 'Victim’s preference', 'victim.keep_updated': 'Victim told the outcome',
  'victim.contact': 'Victim’s contact', 'guardian.name': 'Parent or guardian’s name', 'guardian.relationship': 'Relationship',
  'guardian.phone': 'Parent or guardian’s phone number', 'guardian.email': 'Parent or guardian’s email address',
  'guardian.consent': 'Parent or guardian’s agreement', guardian: 'Parent or guardian',
};

export function sentenceOf(field, message) {
  const words = FIELD_WORDS[field];
  const m = String(message);
  if (!words) return m.charAt(0).toUpperCase() + m.slice(1);
  return /^(a |an |the |you |only )/i.test(m) ? m.charAt(0).toUpperCase() + m.slice(1) : `${words} ${m}`;
}

// ---- the start page ------------------------------------------------------------------------------

function startPage(ctx) {
  const draft = loadDraft(ctx.me);
  const started = Object.keys(draft.answers).length > 0;
  ctx.main.append(h1('Make a referral')[1]);
  ctx.main.append(p('Refer a person who has accepted an out-of-court disposal to do reparative work in the community. It takes about 10 minutes.'),
    p('You will need:'),
    bullets(['the person’s name, date of birth and contact details',
      'the date, kind and place of the offence, and its ward',
      'the disposal, and the person’s recorded consent',
      'the victim’s wishes, if there is a victim',
      'a parent or guardian’s details and agreement, if the person is under 18']),
    p('Your answers are kept on this device until you send the referral or sign out, so you can carry on after losing signal.'));
  if (started) {
    const list = applicable(draft.answers);
    const next = list.find((pg) => !draft.visited.includes(pg.slug));
    ctx.main.append(el('div', { class: 'govuk-inset-text', id: 'draft' }, 'You have a referral you have not sent yet.'),
      el('div', { class: 'govuk-button-group' },
        buttonLink(`#/referrals/new/${next ? next.slug : 'check'}`, 'Continue the referral'),
        el('button', { class: 'govuk-button govuk-button--secondary', type: 'button', id: 'start-again', onclick: () => {
          forgetDraft();
          ctx.go('/referrals/new/person');
        } }, 'Start again')));
  } else {
    ctx.main.append(buttonLink('#/referrals/new/person', 'Start now'));
  }
}

// ---- check your answers --------------------------------------------------------------------------

function shown(f, v, data) {
  if (v === undefined || v === null || v === '') return null;
  if (f.kind === 'date') return v === 'invalid' ? 'Not a real date' : fmtDate(v);
  if (f.kind === 'ward') return data.wards.find((w) => w.code === v)?.name ?? v;
  if (f.kind === 'hours') return `${v} hours`;
  if (f.kind === 'checkbox') return v === 'yes' ? 'Yes' : null;
  if (f.kind === 'radios' || f.kind === 'select') return f.items().find((i) => i.value === v)?.text ?? label(v);
  return v;
}

const RETRYABLE = (err) => err.offline || err.status >= 500 || [408, 425, 429].includes(err.status)
  || (err.status === 409 && 'Idempotency-Key' in err.fields);

async function checkPage(ctx) {
  const draft = loadDraft(ctx.me);
  const a = draft.answers;
  const list = applicable(a);
  const data = { wards: await wards().catch(() => []) };
  // every question page is answered first
  const missing = list.find((pg) => !draft.visited.includes(pg.slug) || Object.keys(validatePage(pg, a, null)).length);
  if (missing) {
    ctx.go(`/referrals/new/${missing.slug}`);
    return;
  }
  ctx.setTitle(Object.keys(draft.errors || {}).length ? 'Error: Check your answers' : 'Check your answers');
  const sections = [
    ['The person', ['person', 'contact', 'messages', 'needs']],
    ['The offence and disposal', ['offence', 'disposal', 'consent', 'hours']],
    ['The victim', ['victim', 'victim-details']],
    ['The parent or guardian', ['guardian']],
  ];
  const errs = draft.errors || {};
  const errFor = {};
  for (const [field, message] of Object.entries(errs)) {
    const where = pageForField(field);
    if (where) (errFor[where.field] ||= []).push(sentenceOf(field, message));
  }
  const body = [backLink(`#/referrals/new/${list[list.length - 1].slug}`)];
  const col = [];
  col.push(...h1('Check your answers before sending the referral', CAPTION));
  for (const [title, slugs] of sections) {
    const pages = slugs.map(pageOf).filter((pg) => applies(pg, a));
    if (!pages.length) continue;
    col.push(h2(title));
    const rows = [];
    for (const pg of pages) {
      for (const f of pg.fields) {
        const value = shown(f, a[f.name], data);
        const key = f.kind === 'hours' ? 'Hours proposed' : f.label.replace(/ \(optional\)$/, '').replace(/\?$/, '');
        const msgs = errFor[f.name];
        const cell = msgs ? [el('p', { class: 'govuk-error-message govuk-!-margin-bottom-1' }, el('span', { class: 'govuk-visually-hidden' }, 'Error: '), msgs.join('. ')), value ?? 'Not given'] : value;
        rows.push([key, cell, { href: `#/referrals/new/${pg.slug}?change=1&field=${encodeURIComponent(f.name)}`, text: 'Change', hidden: key.toLowerCase() }]);
      }
    }
    col.push(summaryList(rows, { id: `answers-${slugs[0]}` }));
  }
  col.push(h2('Now send the referral'),
    p('By sending it you confirm that the details are correct to the best of your knowledge, and that the person’s consent is recorded.'));
  const send = button('Accept and send', { id: 'send', 'data-prevent-double-click': 'true' });
  const form = el('form', { novalidate: true, id: 'send-form' }, send);
  col.push(form);
  const status = el('div', { id: 'send-status' });
  col.unshift(status);
  body.push(el('div', { class: 'govuk-grid-row' }, el('div', { class: 'govuk-grid-column-two-thirds' }, col)));
  ctx.main.append(...body);
  if (Object.keys(errs).length) showApiErrors(status, errs, a);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (send.disabled) return;
    send.disabled = true;
    send.setAttribute('aria-disabled', 'true');
    const d = loadDraft(ctx.me);
    if (!d.key) {
      d.key = newKey();
      saveDraft(d);
    }
    try {
      const r = await api('POST', '/v1/referrals', { body: bodyOf(d.answers), idempotencyKey: d.key });
      forgetDraft();
      made = r.data;
      ctx.go(`/referrals/${r.data.id}/confirmation`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      send.disabled = false;
      send.removeAttribute('aria-disabled');
      status.replaceChildren();
      if (err.status === 422 && err.problem?.code === 'idempotency_mismatch') {
        status.append(mismatch(ctx, d));
      } else if (RETRYABLE(err)) {
        // the answer was lost or the service asks for a retry: the same key goes again
        status.append(errorSummary([{ text: `${problemText(err)} Your answers are kept. Sending again will not make a second referral.` }], 'The referral may not have been sent'));
        ctx.setTitle('Error: Check your answers');
      } else {
        // a refusal: nothing was made, and the corrected answers go with a new key
        d.key = null;
        d.errors = Object.keys(err.fields).length ? err.fields : { _: problemText(err) };
        saveDraft(d);
        ctx.reload();
        return;
      }
      status.querySelector('#error-summary')?.focus();
    }
  });
}

// The API's errors on the check-answers page: each links to the question page that asks for the
// field, which opens with the message at the field (the fix is made there, so one tap takes the
// officer to it); the rows here show the same message, for reading the whole referral at once.
function showApiErrors(status, errs, a) {
  const list = Object.entries(errs).map(([field, message]) => {
    const where = field === '_' ? null : pageForField(field);
    const usable = where && applies(where.page, a);
    return { text: field === '_' ? message : sentenceOf(field, message),
      href: usable ? `#/referrals/new/${where.page.slug}?change=1&field=${encodeURIComponent(where.field)}` : null };
  });
  const summary = errorSummary(list);
  // these links open another page: let them (the summary's own handler only moves focus)
  for (const link of summary.querySelectorAll('a[data-target]')) link.removeAttribute('data-target');
  status.append(summary);
  queueMicrotask(() => summary.focus());
}

function mismatch(ctx, d) {
  return el('div', { class: 'govuk-error-summary', tabindex: '-1', id: 'error-summary' },
    el('div', { role: 'alert' },
      el('h2', { class: 'govuk-error-summary__title' }, 'This referral may already have been sent'),
      el('div', { class: 'govuk-error-summary__body' },
        p('An earlier attempt to send it may have reached the service before the answers were changed. Check ',
          link('#/my-referrals', 'your referrals'), ' first: if it is there, correct it from its page instead.'),
        el('button', { class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', type: 'button', id: 'send-new', onclick: () => {
          d.key = null;
          saveDraft(d);
          ctx.reload();
        } }, 'It is not there: send as a new referral'))));
}

// ---- confirmation --------------------------------------------------------------------------------

let made = null; // the referral just made, so that its confirmation needs no second request

async function confirmationPage(ctx) {
  const r = made?.id === ctx.params.id ? made : (await api('GET', `/v1/referrals/${encodeURIComponent(ctx.params.id)}`)).data;
  ctx.setTitle('Referral sent');
  ctx.main.append(el('div', { class: 'govuk-grid-row' }, el('div', { class: 'govuk-grid-column-two-thirds' },
    el('div', { class: 'govuk-panel govuk-panel--confirmation' },
      el('h1', { class: 'govuk-panel__title' }, 'Referral sent'),
      el('div', { class: 'govuk-panel__body' }, 'Your reference is', el('br'), el('strong', { id: 'reference', class: 'ij-reference' }, r.id))),
    h2('What happens next'),
    p(`A coordinator will check the referral of ${r.person.name} and accept or reject it. Work should start by `,
      el('strong', { id: 'target-start' }, fmtDateTime(r.target_start_by)), '.'),
    p('You will see its progress, its sessions and the notices about it on ', link(`#/referrals/${r.id}`, 'the referral’s page'),
      ' and in ', link('#/my-referrals', 'your referrals'), '.'),
    p(link('#/referrals/new', 'Make another referral')))));
}

// ---- routes --------------------------------------------------------------------------------------

export async function newReferral(ctx, step) {
  if (!step) return startPage(ctx);
  if (step === 'check') return checkPage(ctx);
  const pg = pageOf(step);
  if (!pg) throw new ApiError(404, null, 'No such page.');
  return questionPage(ctx, pg);
}

export { confirmationPage };
