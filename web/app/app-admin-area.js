// The admin's pages for the area's settings: its rules, its webhook and signing secret, its
// directory of supervisors, and the change log of its reference data.

import { api, ApiError } from './app-api.js';
import {
  banner, buttonLink, checkboxes, el, fmtDateTime, input, label, link, p, select, summaryList, table,
} from './app-ui.js';
import { actionButton, areaPath, frame, hoursValue, localRefusal, orNull, put, questionForm, statusTag } from './app-admin-kit.js';

const ADMIN = ['admin'];

// ---- rules ---------------------------------------------------------------------------------------

const RULES = [
  { name: 'target_start_hours', text: 'Hours from referral to the first session', hint: 'The target for starting the work: 1 to 720 hours.' },
  { name: 'hours_min', text: 'Fewest hours of work', hint: 'The fewest a referral may propose or a coordinator confirm: 1 to 200.' },
  { name: 'hours_max', text: 'Most hours of work', hint: 'The most a referral may propose or a coordinator confirm: 1 to 200.' },
  { name: 'hours_default', text: 'Hours of work by default', hint: 'Proposed when a referral gives none: between the fewest and the most.' },
];

const hoursText = (n) => `${n} hour${n === 1 ? '' : 's'}`;

export const areaRoutes = [
  {
    path: '/admin/rules',
    roles: ADMIN,
    title: 'The area\'s rules',
    async render(ctx) {
      const r = (await api('GET', `/v1/areas/${areaPath(ctx)}/rules`)).data;
      const box = frame(ctx, { back: '#/admin', backText: 'Reference data', title: 'The area\'s rules', caption: 'Reference data' });
      put(box, 
        p('The rules new referrals and decisions follow. Where the area sets none, the service\'s default applies. A change applies to referrals made and decisions taken afterwards; existing referrals keep their start-by time and hours.'),
        summaryList(RULES.map((rule) => [rule.text,
          el('div', { 'data-rule': rule.name }, hoursText(r[rule.name]),
            el('div', { class: 'govuk-hint govuk-!-margin-bottom-0', 'data-source': r.configured[rule.name] === null ? 'default' : 'area' },
              r.configured[rule.name] === null ? 'The service\'s default' : 'Set for this area')),
          { href: '#/admin/rules/edit', text: 'Change', hidden: rule.text.toLowerCase() }]), { id: 'rules' }));
    },
  },
  {
    path: '/admin/rules/edit',
    roles: ADMIN,
    title: 'Change the area\'s rules',
    async render(ctx) {
      const r = (await api('GET', `/v1/areas/${areaPath(ctx)}/rules`)).data;
      const title = 'Change the area\'s rules';
      const box = frame(ctx, { back: '#/admin/rules', backText: 'The area\'s rules', title, caption: 'Reference data' });
      put(box, 
        p('Whole hours. Leave a box empty to use the service\'s default.'),
        questionForm(ctx, box, {
          title,
          fields: RULES.map((rule) => input({
            name: rule.name,
            label: rule.text,
            hint: r.configured[rule.name] === null ? `${rule.hint} Now the service's default, ${hoursText(r[rule.name])}.` : rule.hint,
            value: r.configured[rule.name] ?? '',
            width: 3,
            inputmode: 'numeric',
            spellcheck: false,
          })),
          submitText: 'Save rules',
          async onSubmit(v) {
            const body = Object.fromEntries(RULES.map((rule) => [rule.name, hoursValue(v[rule.name])]));
            await api('PUT', `/v1/areas/${areaPath(ctx)}/rules`, { body });
            ctx.go('/admin/rules', banner('success', 'The area\'s rules are saved', p('New referrals and decisions follow them from now on.')));
          },
        }));
    },
  },

  // ---- webhook ------------------------------------------------------------------------------------
  {
    path: '/admin/webhook',
    roles: ADMIN,
    title: 'Webhook',
    async render(ctx) {
      const w = (await api('GET', `/v1/areas/${areaPath(ctx)}/webhook`)).data;
      const box = frame(ctx, { back: '#/admin', backText: 'Reference data', title: 'Webhook', caption: 'Reference data' });
      put(box, 
        p('The service sends the area\'s notices (progress, outcomes and victim updates) to this address as well as keeping them on the feed. With a signing secret, each delivery is signed so that the receiver can check it came from this service.'),
        summaryList([
          ['Address', w.url ? el('span', { 'data-webhook': 'url' }, w.url) : el('span', { 'data-webhook': 'url' }, 'None: notices stay on the feed only'),
            { href: '#/admin/webhook/edit', text: 'Change', hidden: 'address' }],
          ['Signing secret', el('span', { 'data-webhook': 'secret' }, w.secret_set ? `Set ${fmtDateTime(w.secret_updated_at)}` : 'Not set: deliveries are not signed'),
            { href: '#/admin/webhook/edit', text: 'Change', hidden: 'signing secret' }],
          ['Last changed', w.updated_at ? `${fmtDateTime(w.updated_at)} by ${w.updated_by}` : 'Never'],
        ], { id: 'webhook' }),
        p('The secret is never shown, here or anywhere else. To change it, set a new one.'));
    },
  },
  {
    path: '/admin/webhook/edit',
    roles: ADMIN,
    title: 'Change the webhook',
    async render(ctx) {
      const w = (await api('GET', `/v1/areas/${areaPath(ctx)}/webhook`)).data;
      const title = 'Change the webhook';
      const box = frame(ctx, { back: '#/admin/webhook', backText: 'Webhook', title, caption: 'Reference data' });
      put(box, questionForm(ctx, box, {
        title,
        fields: [
          input({ name: 'url', label: 'Address', type: 'url', value: w.url ?? '', hint: 'An https:// address. Leave it empty to stop deliveries: notices stay on the feed.', width: 'full', spellcheck: false, inputmode: 'url' }),
          input({ name: 'secret', label: w.secret_set ? 'New signing secret (optional)' : 'Signing secret (optional)', type: 'password', autocomplete: 'new-password', spellcheck: false,
            hint: `32 to 256 characters without spaces, random (for example from openssl rand -hex 32).${w.secret_set ? ' Leave it empty to keep the current secret.' : ' Without one, deliveries are not signed.'}`, width: 'full' }),
          w.secret_set ? checkboxes({ name: 'remove_secret', field: 'remove_secret', legend: 'Signing', items: [{ value: 'yes', text: 'Remove the signing secret', hint: 'Deliveries will no longer be signed.' }] }) : null,
        ],
        submitText: 'Save webhook',
        async onSubmit(v, form) {
          const body = { url: orNull(v.url) };
          const remove = (v.remove_secret || []).includes('yes');
          if (remove && v.secret) throw localRefusal('secret', 'must be left empty when you remove the signing secret');
          if (remove) body.secret = null;
          else if (v.secret) body.secret = form.elements.secret.value; // as typed: spaces are refused, not trimmed
          try {
            await api('PUT', `/v1/areas/${areaPath(ctx)}/webhook`, { body });
          } finally {
            form.elements.secret.value = ''; // never kept on the page, even on a refusal
          }
          ctx.go('/admin/webhook', banner('success', 'The webhook is saved',
            p(body.secret ? 'Deliveries are signed with the new secret from now on.' : remove ? 'Deliveries are no longer signed.' : 'The signing secret is unchanged.')));
        },
      }));
    },
  },

  // ---- supervisors --------------------------------------------------------------------------------
  {
    path: '/admin/supervisors',
    roles: ADMIN,
    title: 'Supervisors',
    async render(ctx) {
      const list = (await api('GET', '/v1/supervisors', { query: { all: 'true' } })).data.items;
      const box = frame(ctx, { back: '#/admin', backText: 'Reference data', title: 'Supervisors', caption: 'Reference data', wide: true });
      put(box, 
        p('The partners\' supervisors that placements and sessions may name. An inactive supervisor cannot be named by new sessions; the sessions that name them keep them.'),
        buttonLink('#/admin/supervisors/new', 'Add a supervisor'),
        table({
          id: 'supervisors',
          caption: `${list.length} supervisor${list.length === 1 ? '' : 's'}`,
          head: ['Name', 'Organisation', 'Status'],
          rows: list.map((s) => [link(`#${supPath(s.sub)}`, s.name, { 'data-sub': s.sub }), s.organisation ?? '', statusTag(s.active, 'Inactive')]),
          empty: 'The directory is empty.',
        }));
    },
  },
  {
    path: '/admin/supervisors/new',
    roles: ADMIN,
    title: 'Add a supervisor',
    render(ctx) {
      const title = 'Add a supervisor';
      const box = frame(ctx, { back: '#/admin/supervisors', backText: 'Supervisors', title, caption: 'Supervisors' });
      put(box, questionForm(ctx, box, {
        title,
        fields: supervisorFields({}, true),
        submitText: 'Add supervisor',
        refusal: (err) => (err.status === 409 ? 'The directory already has a supervisor with this sign-in identity.' : null),
        async onSubmit(v) {
          const r = await api('POST', '/v1/supervisors', { body: { sub: v.sub, name: v.name, organisation: orNull(v.organisation), phone: orNull(v.phone) } });
          ctx.go('/admin/supervisors', banner('success', `${r.data.name} added to the directory`));
        },
      }));
    },
  },
  {
    path: '/admin/supervisors/:sub',
    roles: ADMIN,
    title: 'Supervisor',
    async render(ctx) {
      const s = await supervisorOf(ctx.params.sub);
      const box = frame(ctx, { back: '#/admin/supervisors', backText: 'Supervisors', title: s.name, caption: 'Supervisor' });
      const edit = { href: `#${supPath(s.sub)}/edit`, text: 'Change' };
      put(box, 
        summaryList([
          ['Name', s.name, { ...edit, hidden: 'name' }],
          ['Sign-in identity', s.sub],
          ['Organisation', s.organisation, { ...edit, hidden: 'organisation' }],
          ['Phone', s.phone, { ...edit, hidden: 'phone' }],
          ['Status', statusTag(s.active, 'Inactive')],
          ['In the directory since', fmtDateTime(s.created_at)],
        ], { id: 'supervisor' }),
        s.active
          ? p('Make the supervisor inactive when they no longer supervise: new sessions cannot name them, and the sessions that already do keep them.')
          : p('This supervisor is inactive: new sessions cannot name them.'),
        actionButton(ctx, box, s.active ? 'Make inactive' : 'Make active again', 'secondary', async () => {
          const r = await api('PATCH', `/v1/supervisors/${encodeURIComponent(s.sub)}`, { body: { active: !s.active } });
          ctx.go('/admin/supervisors', banner('success', `${r.data.name} is ${r.data.active ? 'active again' : 'now inactive'}`));
        }, s.name));
    },
  },
  {
    path: '/admin/supervisors/:sub/edit',
    roles: ADMIN,
    title: 'Change a supervisor',
    async render(ctx) {
      const s = await supervisorOf(ctx.params.sub);
      const title = `Change ${s.name}'s details`;
      const box = frame(ctx, { back: `#${supPath(s.sub)}`, backText: s.name, title, caption: 'Supervisor' });
      put(box, questionForm(ctx, box, {
        title,
        fields: supervisorFields(s, false),
        submitText: 'Save details',
        async onSubmit(v) {
          const r = await api('PATCH', `/v1/supervisors/${encodeURIComponent(s.sub)}`, { body: { name: v.name, organisation: orNull(v.organisation), phone: orNull(v.phone) } });
          ctx.go('/admin/supervisors', banner('success', `${r.data.name}'s details are saved`));
        },
      }));
    },
  },

  // ---- change log ---------------------------------------------------------------------------------
  {
    path: '/admin/changes',
    roles: ADMIN,
    title: 'Change log',
    async render(ctx) {
      const entity = ENTITIES.some((e) => e.value === ctx.query.get('entity')) ? ctx.query.get('entity') : '';
      const cursor = ctx.query.get('cursor') || undefined;
      const limit = /^\d{1,3}$/.test(ctx.query.get('limit') || '') ? Number(ctx.query.get('limit')) : 20;
      const page = (await api('GET', '/v1/reference-changes', { query: { entity, cursor, limit } })).data;
      const box = frame(ctx, { back: '#/admin', backText: 'Reference data', title: 'Change log', caption: 'Reference data', wide: true });
      const here = (over) => {
        const q = new URLSearchParams();
        if (entity) q.set('entity', entity);
        if (limit !== 20) q.set('limit', String(limit));
        for (const [k, v] of Object.entries(over)) q.set(k, v);
        const s = q.toString();
        return `#/admin/changes${s ? `?${s}` : ''}`;
      };
      const filter = el('form', { novalidate: true, id: 'changes-filter' },
        select({ name: 'entity', label: 'Show changes to', value: entity, items: [{ value: '', text: 'All reference data' }, ...ENTITIES] }),
        el('button', { class: 'govuk-button govuk-button--secondary', type: 'submit', 'data-module': 'govuk-button' }, 'Show'));
      filter.addEventListener('submit', (e) => {
        e.preventDefault();
        const chosen = filter.elements.entity.value;
        ctx.go(`/admin/changes${chosen ? `?entity=${chosen}` : ''}${limit !== 20 ? `${chosen ? '&' : '?'}limit=${limit}` : ''}`);
      });
      put(box, 
        p('Every change an admin made to the area\'s wards, reason codes, rules, GOV.UK Notify service and templates, and directory of supervisors: who, when, and the record before and after (never a secret: only whether one is set). Newest first. Changes to the webhook are kept in its own log.'),
        filter);
      if (!page.items.length) {
        put(box, p(cursor ? 'There are no older changes.' : 'No changes yet.'));
      } else {
        put(box, el('ol', { class: 'ij-list-plain', id: 'changes' }, page.items.map(changeItem)));
      }
      const prev = cursor ? el('div', { class: 'govuk-pagination__prev' },
        el('a', { class: 'govuk-link govuk-pagination__link', href: here({}), rel: 'prev', id: 'newest' },
          el('span', { class: 'govuk-pagination__link-title' }, 'Newest changes'))) : null;
      const next = page.next_cursor ? el('div', { class: 'govuk-pagination__next' },
        el('a', { class: 'govuk-link govuk-pagination__link', href: here({ cursor: page.next_cursor }), rel: 'next', id: 'older' },
          el('span', { class: 'govuk-pagination__link-title' }, 'Older changes'))) : null;
      if (prev || next) put(box, el('nav', { class: 'govuk-pagination govuk-pagination--block', 'aria-label': 'Pages of changes' }, prev, next));
    },
  },
];

// ---- supervisors' helpers ------------------------------------------------------------------------

const supPath = (sub) => `/admin/supervisors/${encodeURIComponent(sub)}`;

async function supervisorOf(sub) {
  const list = (await api('GET', '/v1/supervisors', { query: { all: 'true' } })).data.items;
  const s = list.find((x) => x.sub === sub);
  if (!s) throw new ApiError(404, { title: 'not found', status: 404 });
  return s;
}

function supervisorFields(s, isNew) {
  return [
    isNew ? input({ name: 'sub', label: 'Sign-in identity', hint: 'The identity their organisation\'s sign-in gives them (the subject of their token), for example sup-7', width: 20, spellcheck: false }) : null,
    input({ name: 'name', label: 'Full name', value: s.name, width: 20, autocomplete: 'off', spellcheck: false }),
    input({ name: 'organisation', label: 'Organisation (optional)', hint: 'The partner they work for', value: s.organisation, width: 'two-thirds', spellcheck: false }),
    input({ name: 'phone', label: 'Phone (optional)', hint: 'Digits, spaces and + - ( ), for example 01332 496123', value: s.phone, width: 20, type: 'tel', spellcheck: false }),
  ];
}

// ---- the change log's helpers --------------------------------------------------------------------

const ENTITIES = [
  { value: 'ward', text: 'Wards' },
  { value: 'reason_code', text: 'Reason codes' },
  { value: 'area_rules', text: 'The area\'s rules' },
  { value: 'supervisor', text: 'Supervisors' },
  { value: 'notify', text: 'Messages (GOV.UK Notify)' },
  { value: 'message_template', text: 'Message templates' },
];
const ENTITY_ONE = { ward: 'Ward', reason_code: 'Reason code', supervisor: 'Supervisor' };
// The area's own settings: one record per area, its key the area's code.
const AREA_WIDE = { area_rules: 'The area\'s rules', notify: 'The GOV.UK Notify service', message_template: 'The message templates' };
const DETAILS = {
  target_start_hours: 'Hours from referral to the first session', hours_min: 'Fewest hours of work',
  hours_max: 'Most hours of work', hours_default: 'Hours of work by default', sub: 'Sign-in identity', label: 'Reason',
  api_key_set: 'API key set', callback_token_set: 'Receipts token set', key_name: 'API key name',
  service_id: 'Notify service id', base_url: 'Notify address', reminder_time: 'Reminder time', welsh: 'Welsh',
};
const ACTIONS = { add: 'added', change: 'changed', retire: 'retired', reinstate: 'reinstated', delete: 'deleted' };

// The message templates' change: the whole list before and after, one row each.
const templatesText = (list) => (list?.length
  ? list.map((t) => `${label(t.kind)}, ${t.language}, ${t.channel}: ${t.template_id}`).join('; ')
  : 'None');

function valueText(v, entity) {
  if (v === null || v === undefined) return entity === 'area_rules' ? 'The service\'s default' : 'Not set';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// The members a change touched: every member of what was added or deleted, otherwise those that differ.
function changedMembers(c) {
  const before = c.before && typeof c.before === 'object' ? c.before : {};
  const after = c.after && typeof c.after === 'object' ? c.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (!c.before || !c.after) return keys;
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

function changeItem(c) {
  const members = changedMembers(c);
  return el('li', { 'data-change': c.id, 'data-entity': c.entity, 'data-action': c.action },
    el('h2', { class: 'govuk-heading-s govuk-!-margin-bottom-1' }, AREA_WIDE[c.entity]
      ? `${AREA_WIDE[c.entity]} ${ACTIONS[c.action] ?? c.action}`
      : `${ENTITY_ONE[c.entity] ?? label(c.entity)} ${c.key} ${ACTIONS[c.action] ?? c.action}`),
    el('p', { class: 'govuk-body-s govuk-!-margin-bottom-2' }, `${fmtDateTime(c.at)} by ${c.actor?.name ?? ''} (${c.actor?.sub ?? ''}, ${c.actor?.role ?? ''})`),
    members.length ? table({
      head: ['Detail', 'Before', 'After'],
      rows: c.entity === 'message_template'
        ? [['Templates', templatesText(c.before?.templates), templatesText(c.after?.templates)]]
        : members.map((k) => [DETAILS[k] ?? label(k),
          c.before ? valueText(c.before[k], c.entity) : el('span', { class: 'ij-muted' }, 'None'),
          c.after ? valueText(c.after[k], c.entity) : el('span', { class: 'ij-muted' }, 'None')]),
    }) : null);
}
