// The practitioners' web application: one page (/app) whose views are chosen by the part of the
// address after '#' (e.g. /app#/referrals/new), so that the page, its scripts and its styles load
// once, are kept by the service worker for use without signal, and never carry a token in a URL
// the server sees.
//
// Each area of work is a module listing its routes and its menu entries:
//   routes: [{ path: '/referrals/:id', roles: ['officer', ...], title, render(ctx) }]
//   nav:    [{ href: '#/referrals', text, roles, order, description }]
// render(ctx) fills ctx.main; ctx holds params, query, me, go(), flash(), api and ApiError.

import { api, ApiError, forgetToken, keepMe, keptMe, takeTokenFromAddress, token } from './app-api.js';
import { clear, el, errorPage, h1, link, p } from './app-ui.js';
import * as home from './app-home.js';
import * as officer from './app-officer.js';
import * as coordinator from './app-coordinator.js';
import * as sessions from './app-sessions.js';
import * as placements from './app-placements.js';
import * as followups from './app-followups.js';
import * as supervisor from './app-supervisor.js';
import * as admin from './app-admin.js';

// One line per area of work (keep this list one module per line).
const MODULES = [
  home,
  officer,
  coordinator,
  sessions,
  placements,
  followups,
  supervisor,
  admin,
];

const SERVICE = 'Immediate Justice';
const main = document.getElementById('main-content');
let me = null;
let flashed = null;
let renderCount = 0;

// ---- routes --------------------------------------------------------------------------------------

home.setEntries(MODULES.flatMap((m) => m.nav ?? []).sort((a, b) => (a.order ?? 50) - (b.order ?? 50)));

const routes = MODULES.flatMap((m) => m.routes ?? []).map((r) => ({
  ...r,
  pattern: new RegExp(`^${r.path.replace(/:[a-z_]+/g, '([^/]+)')}$`),
  names: [...r.path.matchAll(/:([a-z_]+)/g)].map((m) => m[1]),
}));

function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (m) {
      const params = {};
      r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      return { route: r, params, query, path };
    }
  }
  return { route: null, params: {}, query, path };
}

export function hasRole(who, roles) {
  return !roles || roles.some((r) => who?.roles?.includes(r));
}

// ---- navigation ----------------------------------------------------------------------------------

function navItems() {
  if (!me) return [];
  return MODULES.flatMap((m) => m.nav ?? [])
    .filter((n) => hasRole(me, n.roles))
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
}

function drawNav(path) {
  const list = document.getElementById('nav-list');
  clear(list);
  const items = navItems();
  for (const n of items) {
    const target = n.href.replace(/^#/, '');
    const active = target === '/' ? path === '/' : path === target || path.startsWith(`${target}/`);
    list.append(el('li', { class: `govuk-service-navigation__item${active ? ' govuk-service-navigation__item--active' : ''}` },
      el('a', { class: 'govuk-service-navigation__link', href: n.href, 'aria-current': active ? 'page' : null },
        active ? el('strong', { class: 'govuk-service-navigation__active-fallback' }, n.text) : n.text)));
  }
  document.getElementById('nav').hidden = items.length === 0;
  const who = document.getElementById('signed-in');
  who.hidden = !me;
  if (me) document.getElementById('signed-in-as').textContent = `Signed in as ${me.name} (${me.roles.join(', ')}, ${me.area})`;
}

// ---- rendering -----------------------------------------------------------------------------------

function ctxFor(match) {
  return {
    main,
    params: match.params,
    query: match.query,
    path: match.path,
    me,
    api,
    ApiError,
    go(path, banner) {
      if (banner) flashed = banner;
      if (location.hash === `#${path}`) render();
      else location.hash = path;
    },
    flash(banner) {
      flashed = banner;
    },
    reload() {
      render();
    },
    setTitle(text) {
      document.title = `${text} – ${SERVICE}`;
    },
  };
}

async function loadMe() {
  if (!token()) {
    // behind a sign-in proxy the Authorization header is added for us: ask anyway
    try {
      me = (await api('GET', '/v1/me')).data;
    } catch {
      me = null;
    }
    return;
  }
  try {
    me = (await api('GET', '/v1/me')).data;
    keepMe(me);
  } catch (err) {
    me = err instanceof ApiError && err.offline ? keptMe() : null;
  }
}

function signedOutPage() {
  document.title = `Sign in – ${SERVICE}`;
  main.append(...h1('Sign in to use this service'),
    p('Use the sign-in link your organisation gave you. In development, scripts/run prints a link for each role.'),
    p('If you were signed in, your sign-in may have expired.'));
}

async function render() {
  const n = ++renderCount;
  const match = currentRoute();
  main.dataset.state = 'loading';
  clear(main);
  drawNav(match.path);
  if (!me) {
    signedOutPage();
    main.dataset.state = 'ready';
    return;
  }
  if (!match.route) {
    document.title = `Page not found – ${SERVICE}`;
    main.append(...h1('Page not found'), p('Check the address, or go to ', link('#/', 'your home page'), '.'));
    main.dataset.state = 'ready';
    return;
  }
  if (!hasRole(me, match.route.roles)) {
    document.title = `You cannot use this page – ${SERVICE}`;
    main.append(...h1('You cannot use this page'), p('Your role does not give access to it. Go to ', link('#/', 'your home page'), '.'));
    main.dataset.state = 'ready';
    return;
  }
  document.title = `${match.route.title} – ${SERVICE}`;
  const banner = flashed;
  flashed = null;
  try {
    const ctx = ctxFor(match);
    await match.route.render(ctx);
    if (n !== renderCount) return; // another page was asked for meanwhile
    if (banner) main.prepend(banner);
    main.dataset.state = 'ready';
  } catch (err) {
    if (n !== renderCount) return;
    clear(main);
    if (!(err instanceof ApiError)) console.warn(err);
    document.title = `Sorry, there is a problem – ${SERVICE}`;
    main.append(...errorPage(err instanceof ApiError ? err : new ApiError(500, null, 'The page could not be shown.')));
    if (err instanceof ApiError && err.status === 401) {
      me = null;
      drawNav(match.path);
    }
    main.dataset.state = 'error';
  }
  if (document.activeElement === document.body || !main.contains(document.activeElement)) {
    const focus = main.querySelector('#error-summary') || main;
    focus.focus({ preventScroll: true });
  }
}

function signOut() {
  for (const m of MODULES) m.onSignOut?.();
  forgetToken();
  me = null;
  history.replaceState(null, '', `${location.pathname}#/`);
  render();
}

// ---- connection ----------------------------------------------------------------------------------

function showConnection() {
  const node = document.getElementById('connection');
  const offline = !navigator.onLine;
  node.textContent = offline ? 'No signal: working offline' : '';
  node.classList.toggle('ij-connection--offline', offline);
}

// ---- service worker: keeps the page and its files for use without signal -------------------------

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.register('/app/sw.js', { scope: '/app' });
    await navigator.serviceWorker.ready;
    // what this page loaded, for the worker to keep (the scripts are imported statically, so they
    // are all here once the page runs), and its icon, which the browser fetches outside the
    // page's resource timing and would otherwise ask for, and fail to get, without signal
    const icons = [...document.querySelectorAll('link[rel~="icon"]')].map((l) => l.href);
    const files = [...performance.getEntriesByType('resource').map((e) => e.name), ...icons]
      .filter((u) => u.startsWith(`${location.origin}/app/assets/`) || u.startsWith(`${location.origin}/dashboard/assets/`));
    (reg.active || navigator.serviceWorker.controller)?.postMessage({ keep: [`${location.origin}/app`, ...files] });
  } catch (err) {
    console.warn('the page cannot be kept for use offline:', err?.message);
  }
}

// ---- start ---------------------------------------------------------------------------------------

async function start() {
  takeTokenFromAddress();
  window.addEventListener('online', showConnection);
  window.addEventListener('offline', showConnection);
  showConnection();
  document.getElementById('sign-out').addEventListener('click', (e) => {
    e.preventDefault();
    signOut();
  });
  await loadMe();
  for (const m of MODULES) m.onStart?.({ me, api });
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#token=')) {
      takeTokenFromAddress();
      loadMe().then(render);
      return;
    }
    render();
  });
  await render();
  registerWorker();
}

start();
