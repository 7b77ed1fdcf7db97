// The admin's pages for the area's messages to people through GOV.UK Notify: the service (API key,
// the receipts' token, the reminder's time, Welsh) and the template of each kind of message by
// language and channel. The key and the token are never shown back, only whether each is set.
// The kinds, whom each is for and its personalisation fields come from the API (message-templates).

import { api } from './app-api.js';
import { banner, checkboxes, el, h2, input, p, radios, summaryList, table } from './app-ui.js';
import { areaPath, frame, localRefusal, put, questionForm } from './app-admin-kit.js';

const ADMIN = ['admin'];
const BACK = { back: '#/admin/notify', backText: 'Messages (GOV.UK Notify)', caption: 'Reference data' };
const DEFAULT_BASE_URL = 'https://api.notifications.service.gov.uk';

// What each kind of message is for (the page's words; the list of kinds is the API's).
const KINDS = {
  booking_confirmation: { title: 'Booking confirmation', text: 'Sent when a session is booked: when and where it is, and what to bring.' },
  reminder: { title: 'Reminder', text: 'Sent the day before a booked session, at the reminder time.' },
  session_cancelled: { title: 'Session cancelled', text: 'Sent when a booked session is cancelled, or the booking is cancelled before the day.' },
  session_moved: { title: 'Session moved', text: 'Sent when a booked session\'s date or times change: the new and the previous time.' },
  hours_completed: { title: 'Hours completed', text: 'Sent when the person has completed all their hours.' },
  victim_work_started: { title: 'Victim: work started', text: 'Sent to a victim who asked to be kept updated, when the work starts. It never names the person.' },
  victim_work_completed: { title: 'Victim: work completed', text: 'Sent to a victim who asked to be kept updated, when the work is complete. It never names the person.' },
};
const kindTitle = (k) => KINDS[k]?.title ?? k.replace(/_/g, ' ');
const LANGUAGES = [{ value: 'en', text: 'English' }, { value: 'cy', text: 'Welsh' }];
const CHANNELS = [{ value: 'sms', text: 'Text message' }, { value: 'email', text: 'Email' }];
const AUDIENCE = {
  person: 'To the person, or their parent or guardian when they are under 18.',
  victim: 'To the victim.',
};

const notifyPath = (ctx) => `/v1/areas/${areaPath(ctx)}/notify`;
const templatesPath = (ctx) => `/v1/areas/${areaPath(ctx)}/message-templates`;
const fieldName = (kind, language, channel) => `template.${kind}.${language}.${channel}`;
const languagesOf = (welsh) => LANGUAGES.filter((l) => welsh || l.value === 'en');

// The personalisation fields as Notify writes them in a template: ((name)).
const fieldsText = (fields) => fields.map((f) => `((${f}))`).join(', ');

function kindSection(k, byKey, welsh) {
  const rows = [];
  for (const l of languagesOf(welsh)) {
    for (const c of CHANNELS) {
      const id = byKey.get(`${k.kind}.${l.value}.${c.value}`);
      rows.push([`${c.text} (${l.text})`, id ? el('code', { 'data-template': `${k.kind}.${l.value}.${c.value}` }, id)
        : el('span', { class: 'ij-muted', 'data-template': `${k.kind}.${l.value}.${c.value}` }, 'None')]);
    }
  }
  return el('section', { 'data-kind': k.kind },
    h2(kindTitle(k.kind), { class: 'govuk-heading-s govuk-!-margin-bottom-1' }),
    p(KINDS[k.kind]?.text ?? '', ' ', AUDIENCE[k.audience] ?? ''),
    el('p', { class: 'govuk-body-s' }, 'Personalisation: ', el('span', { class: 'ij-break' }, fieldsText(k.fields))),
    table({ head: ['Template', 'Notify template id'], rows }));
}

export const notifyRoutes = [
  {
    path: '/admin/notify',
    roles: ADMIN,
    title: 'Messages (GOV.UK Notify)',
    async render(ctx) {
      const [s, t] = await Promise.all([api('GET', notifyPath(ctx)), api('GET', templatesPath(ctx))]);
      const n = s.data;
      const byKey = new Map(t.data.templates.map((x) => [`${x.kind}.${x.language}.${x.channel}`, x.template_id]));
      const box = frame(ctx, { back: '#/admin', backText: 'Reference data', title: 'Messages (GOV.UK Notify)', caption: 'Reference data' });
      const edit = { href: '#/admin/notify/edit', text: 'Change' };
      put(box,
        p('The service texts or emails people about their sessions (and victims who asked to be kept updated) through the area\'s GOV.UK Notify service. Without an API key, no messages are made.'),
        summaryList([
          ['Service', el('span', { 'data-notify': 'configured' }, n.configured ? `Set up: service ${n.service_id}` : 'Not set up: no messages are sent')],
          ['API key', el('span', { 'data-notify': 'api_key' }, n.api_key_set ? `Set (key name ${n.key_name})` : 'Not set'), { ...edit, hidden: 'API key' }],
          ['Receipts token', el('span', { 'data-notify': 'callback_token' }, n.callback_token_set ? 'Set' : 'Not set: delivery receipts are refused'), { ...edit, hidden: 'receipts token' }],
          ['Callback URL for Notify', el('code', { 'data-notify': 'callback_url', class: 'ij-break' }, `${location.origin}${n.callback_url}`)],
          ['Reminder time', el('span', { 'data-notify': 'reminder_time' }, `${n.reminder_time}, the day before the session`), { ...edit, hidden: 'reminder time' }],
          ['Welsh', el('span', { 'data-notify': 'welsh' }, n.welsh ? 'Yes: Welsh templates for those who ask for Welsh' : 'No: every message in English'), { ...edit, hidden: 'Welsh' }],
          ['Notify address', el('span', { 'data-notify': 'base_url', class: 'ij-break' }, n.base_url), { ...edit, hidden: 'Notify address' }],
        ], { id: 'notify' }),
        p('The API key and the receipts token are never shown, here or anywhere else. To change one, set a new one. In Notify, set the callback URL above with the same receipts token as its bearer token.'),
        el('h2', { class: 'govuk-heading-m' }, 'Templates'),
        p('The Notify template for each kind of message, language and channel. A message with no Welsh template goes in English; one with no template at all is not sent.'),
        el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '#/admin/notify/templates', id: 'change-templates' }, 'Change templates')),
        el('div', { id: 'templates' }, t.data.kinds.map((k) => kindSection(k, byKey, n.welsh))));
    },
  },
  {
    path: '/admin/notify/edit',
    roles: ADMIN,
    title: 'Change the GOV.UK Notify service',
    async render(ctx) {
      const n = (await api('GET', notifyPath(ctx))).data;
      const title = 'Change the GOV.UK Notify service';
      const box = frame(ctx, { ...BACK, title });
      put(box, questionForm(ctx, box, {
        title,
        fields: [
          input({ name: 'api_key', label: n.api_key_set ? 'New API key (optional)' : 'API key (optional)', type: 'password', autocomplete: 'new-password', spellcheck: false, width: 'full',
            hint: `From Notify's API integration page: the key's name, the service id and the secret, joined by dashes.${n.api_key_set ? ' Leave it empty to keep the current key.' : ''}` }),
          n.api_key_set ? checkboxes({ name: 'remove_api_key', field: 'remove_api_key', legend: 'API key', items: [{ value: 'yes', text: 'Remove the API key', hint: 'The area will send no messages.' }] }) : null,
          input({ name: 'callback_token', label: n.callback_token_set ? 'New receipts token (optional)' : 'Receipts token (optional)', type: 'password', autocomplete: 'new-password', spellcheck: false, width: 'full',
            hint: `32 to 256 characters without spaces, random (for example from openssl rand -hex 32). Give Notify the same as the callback's bearer token.${n.callback_token_set ? ' Leave it empty to keep the current token.' : ''}` }),
          n.callback_token_set ? checkboxes({ name: 'remove_callback_token', field: 'remove_callback_token', legend: 'Receipts token', items: [{ value: 'yes', text: 'Remove the receipts token', hint: 'Delivery receipts will be refused.' }] }) : null,
          input({ name: 'reminder_time', label: 'Reminder time', hint: 'UK time on the day before a session, as HH:MM, for example 18:00', value: n.reminder_time, width: 5, spellcheck: false }),
          radios({ name: 'welsh', legend: 'Send Welsh to those who ask for it?', value: n.welsh ? 'yes' : 'no', inline: true,
            items: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] }),
          input({ name: 'base_url', label: 'Notify address', hint: el('span', { class: 'ij-break' }, `GOV.UK Notify's is ${DEFAULT_BASE_URL}`), value: n.base_url, type: 'url', inputmode: 'url', spellcheck: false, width: 'full' }),
        ],
        submitText: 'Save',
        async onSubmit(v, form) {
          const body = { base_url: v.base_url, reminder_time: v.reminder_time, welsh: v.welsh === 'yes' };
          const secrets = [['api_key', 'remove_api_key'], ['callback_token', 'remove_callback_token']];
          for (const [name, remove] of secrets) {
            const removing = (v[remove] || []).includes('yes');
            if (removing && v[name]) throw localRefusal(name, 'must be left empty when you remove it');
            if (removing) body[name] = null;
            else if (v[name]) body[name] = form.elements[name].value; // as typed: spaces are refused, not trimmed
          }
          try {
            await api('PUT', notifyPath(ctx), { body, ifMatch: n.version });
          } finally {
            for (const [name] of secrets) form.elements[name].value = ''; // never kept on the page
          }
          ctx.go('/admin/notify', banner('success', 'The GOV.UK Notify service is saved',
            p(body.api_key === null ? 'The area sends no messages now.' : 'Messages use these settings from now on.')));
        },
      }));
    },
  },
  {
    path: '/admin/notify/templates',
    roles: ADMIN,
    title: 'Change the message templates',
    async render(ctx) {
      const [s, t] = await Promise.all([api('GET', notifyPath(ctx)), api('GET', templatesPath(ctx))]);
      const welsh = s.data.welsh;
      const byKey = new Map(t.data.templates.map((x) => [`${x.kind}.${x.language}.${x.channel}`, x.template_id]));
      const title = 'Change the message templates';
      const box = frame(ctx, { ...BACK, title });
      // the rows as sent, so that the API's "templates[i]..." names the box it came from
      let sent = [];
      const fields = t.data.kinds.map((k) => el('fieldset', { class: 'govuk-fieldset govuk-!-margin-bottom-6', 'data-kind': k.kind },
        el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, kindTitle(k.kind)),
        el('p', { class: 'govuk-hint' }, `${KINDS[k.kind]?.text ?? ''} Personalisation: ${fieldsText(k.fields)}`),
        languagesOf(welsh).flatMap((l) => CHANNELS.map((c) => input({
          name: fieldName(k.kind, l.value, c.value),
          // the kind, hidden on the page where the legend says it, names the box in the summary
          label: [el('span', { class: 'govuk-visually-hidden' }, `${kindTitle(k.kind)}: `), `${c.text} (${l.text})`],
          value: byKey.get(`${k.kind}.${l.value}.${c.value}`) ?? '',
          width: 'three-quarters',
          spellcheck: false,
        })))));
      put(box,
        p('Paste the template id from Notify (its Templates page) for each message you send. Leave a box empty for none.',
          welsh ? '' : ' Welsh templates can be set once Welsh is turned on.'),
        questionForm(ctx, box, {
          title,
          fields,
          submitText: 'Save templates',
          fieldFor: (f) => {
            const m = /^templates\[(\d+)\]/.exec(f);
            return m && sent[Number(m[1])] ? sent[Number(m[1])].name : null;
          },
          async onSubmit(v) {
            sent = [];
            for (const k of t.data.kinds) {
              for (const l of languagesOf(welsh)) {
                for (const c of CHANNELS) {
                  const name = fieldName(k.kind, l.value, c.value);
                  if (v[name]) sent.push({ name, row: { kind: k.kind, language: l.value, channel: c.value, template_id: v[name] } });
                }
              }
            }
            // the whole list is replaced: with Welsh off, Welsh rows (refused then) are dropped
            await api('PUT', templatesPath(ctx), { body: { templates: sent.map((x) => x.row) } });
            ctx.go('/admin/notify', banner('success', 'The message templates are saved', p(`${sent.length} template${sent.length === 1 ? '' : 's'} set.`)));
          },
        }));
    },
  },
];
