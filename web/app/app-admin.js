// The admin's pages: the area's reference data (wards, reason codes, rules, webhook, messages
// through GOV.UK Notify, directory of supervisors) and the log of its changes. The overview is
// here; the pages are in app-admin-codes.js (wards, reason codes), app-admin-area.js (rules,
// webhook, supervisors, change log) and app-admin-notify.js (Notify), with what they share in
// app-admin-kit.js.

import { el, h1, p } from './app-ui.js';
import { reasonRoutes, wardRoutes } from './app-admin-codes.js';
import { areaRoutes } from './app-admin-area.js';
import { notifyRoutes } from './app-admin-notify.js';

const SECTIONS = [
  { href: '#/admin/wards', text: 'Wards', description: 'The wards referrals, placements and statistics name: add, rename, retire or reinstate, delete one added by mistake.' },
  { href: '#/admin/reason-codes', text: 'Reason codes', description: 'The reasons for rejecting, withdrawing, warnings and non-compliance: the national list and the area\'s own.' },
  { href: '#/admin/rules', text: 'The area\'s rules', description: 'How soon the first session should start after referral, and the fewest, most and default hours of work.' },
  { href: '#/admin/webhook', text: 'Webhook', description: 'Where the area\'s notices are delivered, and the secret that signs them.' },
  { href: '#/admin/notify', text: 'Messages (GOV.UK Notify)', description: 'The area\'s GOV.UK Notify service for texts and emails to people, the reminder\'s time, Welsh, and the template of each message.' },
  { href: '#/admin/supervisors', text: 'Supervisors', description: 'The partners\' supervisors that placements and sessions may name.' },
  { href: '#/admin/changes', text: 'Change log', description: 'Who changed the reference data, when, and what it was before and after.' },
];

export const routes = [
  {
    path: '/admin',
    roles: ['admin'],
    title: 'Reference data',
    render(ctx) {
      ctx.main.append(...h1('Reference data', `Area ${ctx.me.area}`),
        p('What the area\'s referrals, placements and decisions choose from, and how the service treats them.'),
        el('ul', { class: 'govuk-list ij-list-plain', id: 'sections' }, SECTIONS.map((s) =>
          el('li', {},
            el('h2', { class: 'govuk-heading-s govuk-!-margin-bottom-1' }, el('a', { class: 'govuk-link', href: s.href }, s.text)),
            el('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, s.description)))));
    },
  },
  ...wardRoutes,
  ...reasonRoutes,
  ...areaRoutes,
  ...notifyRoutes,
];

export const nav = [{
  href: '#/admin',
  text: 'Reference data',
  roles: ['admin'],
  order: 10,
  description: 'The area\'s wards, reason codes, rules, webhook and supervisors, and who changed them.',
}];
