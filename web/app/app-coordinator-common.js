// Coordinators' pages (part A): what several of them share. The referral's key facts (so that a
// decision can be made on the page that takes it), ward names, the area's rules, a form's
// Idempotency-Key, and the GOV.UK pagination's "next" link.

import { api, newKey } from './app-api.js';
import { el, fmtDate, fmtDateTime, h1, label, summaryList, tag } from './app-ui.js';

// ---- reference data, read once per sign-in -------------------------------------------------------

let wards = null;
let rules = null;

export function forget() {
  wards = null;
  rules = null;
}

// The area's wards as {code: name} (retired ones too, so that old referrals still name theirs).
export async function wardNames() {
  if (!wards) {
    const r = await api('GET', '/v1/wards', { query: { all: 'true' } });
    wards = Object.fromEntries((r.data.items ?? []).map((w) => [w.code, w.name]));
  }
  return wards;
}

export async function wardList() {
  const r = await api('GET', '/v1/wards');
  return r.data.items ?? [];
}

// The area's rules (hours bounds, start target); null when they cannot be read.
export async function areaRules(me) {
  if (!rules) {
    try {
      rules = (await api('GET', `/v1/areas/${encodeURIComponent(me.area)}/rules`)).data;
    } catch {
      return null;
    }
  }
  return rules;
}

export async function reasonCodes(kind) {
  const r = await api('GET', '/v1/reason-codes', { query: { kind } });
  return (r.data.items ?? []).filter((c) => c.active !== false);
}

// ---- writes --------------------------------------------------------------------------------------

// One Idempotency-Key per form while it is on screen: a second press, or a retry after the
// service could not be reached, sends the same key. Once the service has answered (a refusal
// included, which it keeps and would replay), the next attempt is a new request with a new key.
export function formKey() {
  let key = newKey();
  return {
    get value() {
      return key;
    },
    answered(err) {
      if (!err || !err.offline) key = newKey();
    },
  };
}

// Disables a form's submit button while `work` runs.
export async function sending(button, work) {
  button.disabled = true;
  button.setAttribute('aria-disabled', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-disabled');
  }
}

// ---- the referral --------------------------------------------------------------------------------

const OFFENCES = { asb: 'Anti-social behaviour', public_order: 'Public order offence', shop_theft: 'Shop theft' };

// An offence category's words ("asb" is "Anti-social behaviour").
export function offence(category) {
  return OFFENCES[category] ?? label(category);
}

export function wardName(names, code) {
  return names?.[code] ? `${names[code]}` : code;
}

function victimText(v) {
  if (!v) return 'No victim given';
  const parts = [v.consulted ? 'Consulted' : 'Not consulted'];
  if (v.preference) parts.push(`wishes: ${v.preference}`);
  parts.push(v.keep_updated ? 'wants to be kept updated' : 'does not want updates');
  return parts.join('; ');
}

// What a coordinator needs to decide: who, what happened, what was proposed, the victim's
// wishes, and the needs and risk notes.
export function keyFacts(ref, names, attrs = {}) {
  const p = ref.person ?? {};
  return summaryList([
    ['Person', p.name],
    ['Date of birth', fmtDate(p.date_of_birth)],
    p.police_id ? ['Police identifier', p.police_id] : null,
    ['State', tag(ref.state)],
    ['Offence', `${offence(ref.offence?.category)} on ${fmtDate(ref.offence?.date)}, ${wardName(names, ref.offence?.ward)}${ref.offence?.location ? ` (${ref.offence.location})` : ''}`],
    ref.offence?.description ? ['What happened', ref.offence.description] : null,
    ['Disposal', label(ref.disposal)],
    ['Hours proposed', String(ref.hours_proposed)],
    ref.hours_confirmed ? ['Hours confirmed', String(ref.hours_confirmed)] : null,
    ["Victim's wishes", victimText(ref.victim)],
    ['Needs', p.needs_notes],
    ['Risk', p.risk_notes],
    ref.guardian ? ['Parent or guardian', `${ref.guardian.name} (${ref.guardian.relationship})`] : null,
    ref.rereferral_of ? ['Re-referral', `Within ${ref.rereferral_months} months of an earlier exit`] : null,
    ['Referring officer', ref.officer?.name],
    ['Start target', `${fmtDateTime(ref.target_start_by)}${ref.overdue ? ' (overdue)' : ''}`],
  ], { id: 'key-facts', ...attrs });
}

// ---- pagination ----------------------------------------------------------------------------------

// The GOV.UK pagination block for a keyset-paginated list: "Next page" when there is more, and
// "First page" once past the first.
export function pagination(route, query, nextCursor) {
  const here = new URLSearchParams(query);
  const first = new URLSearchParams(query);
  first.delete('cursor');
  const items = [];
  if (here.get('cursor')) {
    items.push(el('div', { class: 'govuk-pagination__prev' },
      el('a', { class: 'govuk-link govuk-pagination__link', href: `#${route}${first.toString() ? `?${first}` : ''}` },
        el('span', { class: 'govuk-pagination__link-title' }, 'First page'))));
  }
  if (nextCursor) {
    const next = new URLSearchParams(query);
    next.set('cursor', nextCursor);
    items.push(el('div', { class: 'govuk-pagination__next' },
      el('a', { class: 'govuk-link govuk-pagination__link', href: `#${route}?${next}`, rel: 'next' },
        el('span', { class: 'govuk-pagination__link-title' }, 'Next', el('span', { class: 'govuk-visually-hidden' }, ' page')))));
  }
  if (!items.length) return null;
  return el('nav', { class: 'govuk-pagination govuk-pagination--block', 'aria-label': 'Pagination' }, items);
}

// A link whose visible text is short ("Accept") and whose accessible name says what it is for.
export function actionLink(href, text, hidden, attrs = {}) {
  return el('a', { class: 'govuk-link', href, ...attrs }, text, el('span', { class: 'govuk-visually-hidden' }, ` ${hidden}`));
}

// The page's heading (and its caption when there is one), ready to append.
export function heading(text, caption) {
  return h1(text, caption).filter(Boolean);
}

// A table with many columns: on a narrow screen it scrolls inside its own box, rather than
// squeezing its words letter by letter.
export function wide(node) {
  node.querySelector?.('table')?.classList.add('ij-table--wide');
  return node;
}
