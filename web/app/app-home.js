// The home page: what the signed-in person can do here, by role, from every module's menu entries.

import { el, h1, p } from './app-ui.js';

const ROLE_NAMES = {
  officer: 'Police officer',
  coordinator: 'Coordinator',
  supervisor: 'Supervisor',
  admin: 'Administrator',
  commissioner: 'Commissioner',
  national_commissioner: 'National commissioner',
};

// The other modules' menu entries, given by app.js when it starts.
let entries = [];
export function setEntries(list) {
  entries = list;
}

export const routes = [
  {
    path: '/',
    title: 'Home',
    render(ctx) {
      const roles = ctx.me.roles.map((r) => ROLE_NAMES[r] || r).join(', ');
      const mine = entries.filter((n) => n.href !== '#/' && (!n.roles || n.roles.some((r) => ctx.me.roles.includes(r))));
      ctx.main.append(...h1('Your work', roles));
      if (ctx.me.roles.some((r) => r === 'commissioner' || r === 'national_commissioner')) {
        ctx.main.append(p('The figures for your area are on the ', el('a', { class: 'govuk-link', href: '/dashboard' }, "commissioners' dashboard"), '.'));
      }
      if (!mine.length) {
        ctx.main.append(p('There is nothing for your role to do here.'));
        return;
      }
      ctx.main.append(el('ul', { class: 'govuk-list ij-list-plain', id: 'tasks' }, mine.map((n) =>
        el('li', {},
          el('h2', { class: 'govuk-heading-s govuk-!-margin-bottom-1' }, el('a', { class: 'govuk-link', href: n.href }, n.text)),
          n.description ? el('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, n.description) : null))));
    },
  },
];

export const nav = [{ href: '#/', text: 'Home', order: 0 }];
