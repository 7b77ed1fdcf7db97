// GOV.UK Design System components, built as DOM nodes. Data is only ever written as text
// (textContent or attribute values): no HTML is built from what the API answers.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
}

// ---- text ----------------------------------------------------------------------------------------

export const h1 = (text, caption) => [
  caption ? el('span', { class: 'govuk-caption-l' }, caption) : null,
  el('h1', { class: 'govuk-heading-l' }, text),
];
export const h2 = (text, attrs = {}) => el('h2', { class: 'govuk-heading-m', ...attrs }, text);
export const h3 = (text) => el('h3', { class: 'govuk-heading-s' }, text);
export const p = (...children) => el('p', { class: 'govuk-body' }, ...children);
export const lead = (...children) => el('p', { class: 'govuk-body-l' }, ...children);
export const hint = (...children) => el('p', { class: 'govuk-hint' }, ...children);
export const link = (href, text, attrs = {}) => el('a', { class: 'govuk-link', href, ...attrs }, text);
export const bullets = (items) => el('ul', { class: 'govuk-list govuk-list--bullet' }, items.map((i) => el('li', {}, i)));

export function backLink(href, text = 'Back') {
  return el('a', { class: 'govuk-back-link', href }, text);
}

export function inset(...children) {
  return el('div', { class: 'govuk-inset-text' }, ...children);
}

export function warningText(text) {
  return el('div', { class: 'govuk-warning-text' },
    el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
    el('strong', { class: 'govuk-warning-text__text' }, el('span', { class: 'govuk-visually-hidden' }, 'Warning'), text));
}

// A notification banner: kind 'success' (after a change) or 'important' (information).
export function banner(kind, title, ...body) {
  const success = kind === 'success';
  return el('div', {
    class: `govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`,
    role: success ? 'alert' : 'region',
    'aria-labelledby': 'banner-title',
    'data-banner': kind,
  },
  el('div', { class: 'govuk-notification-banner__header' },
    el('h2', { class: 'govuk-notification-banner__title', id: 'banner-title' }, success ? 'Success' : 'Important')),
  el('div', { class: 'govuk-notification-banner__content' },
    el('p', { class: 'govuk-notification-banner__heading' }, title),
    body.length ? el('div', {}, ...body) : null));
}

// A referral's state (or any status) as a coloured tag.
const TAG_COLOURS = {
  submitted: 'blue', accepted: 'turquoise', scheduled: 'purple', in_progress: 'light-blue',
  completed: 'green', non_compliant: 'red', rejected: 'grey', withdrawn: 'grey', closed: 'grey',
  booked: 'purple', attended: 'green', signed_in: 'light-blue', did_not_attend: 'red', cancelled: 'grey',
  due: 'yellow', overdue: 'red', pending: 'grey', recorded: 'green', offline: 'orange', queued: 'yellow',
  refused: 'red', sent: 'green', sending: 'blue', delivered: 'green', failed: 'red', not_sent: 'grey',
  'permanent-failure': 'red', 'temporary-failure': 'orange', 'technical-failure': 'red',
};

export function tag(value, text) {
  const colour = TAG_COLOURS[value];
  return el('strong', { class: `govuk-tag${colour ? ` govuk-tag--${colour}` : ''}`, 'data-tag': value }, text ?? label(value));
}

// snake_case to words: "in_progress" -> "In progress".
export function label(value) {
  if (value === null || value === undefined) return '';
  const s = String(value).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---- dates ---------------------------------------------------------------------------------------

const dateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
const dayFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'Europe/London' });
const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

export function fmtDate(v) {
  if (!v) return '';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T12:00:00Z`) : new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : dateFmt.format(d);
}
export const fmtDay = (v) => (v ? dayFmt.format(new Date(v)) : '');
export const fmtTime = (v) => (v ? timeFmt.format(new Date(v)) : '');
export const fmtDateTime = (v) => (v ? `${fmtDate(v)}, ${fmtTime(v)}` : '');
export function fmtSpan(start, end) {
  return `${fmtDay(start)}, ${fmtTime(start)} to ${fmtTime(end)}`;
}
export function fmtMinutes(min) {
  if (min === null || min === undefined) return '';
  const h = Math.floor(min / 60);
  const m = min % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

// The calendar day in London as YYYY-MM-DD, `offset` days from today.
export function londonDay(offset = 0, from = new Date()) {
  const d = new Date(from.getTime() + offset * 86_400_000);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return parts;
}

// ---- lists and tables ----------------------------------------------------------------------------

// rows: [[key, value, optional {href, text, hidden}]]; a null value shows "Not given".
export function summaryList(rows, attrs = {}) {
  return el('dl', { class: 'govuk-summary-list', ...attrs }, rows.filter(Boolean).map(([key, value, action]) =>
    el('div', { class: 'govuk-summary-list__row' },
      el('dt', { class: 'govuk-summary-list__key' }, key),
      el('dd', { class: 'govuk-summary-list__value' }, value === null || value === undefined || value === '' ? el('span', { class: 'ij-muted' }, 'Not given') : value),
      action ? el('dd', { class: 'govuk-summary-list__actions' },
        el('a', { class: 'govuk-link', href: action.href }, action.text || 'Change',
          el('span', { class: 'govuk-visually-hidden' }, ` ${action.hidden || key}`))) : null)));
}

// head: column headings; rows: arrays of cells (text or nodes); numeric: indexes of numeric columns.
export function table({ caption, head, rows, numeric = [], id, empty = 'Nothing to show.' }) {
  if (!rows.length) return p(empty);
  const num = new Set(numeric);
  return el('div', { class: 'ij-table-wrap' },
    el('table', { class: 'govuk-table', id },
      caption ? el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, caption) : null,
      el('thead', { class: 'govuk-table__head' },
        el('tr', { class: 'govuk-table__row' }, head.map((h, i) =>
          el('th', { scope: 'col', class: `govuk-table__header${num.has(i) ? ' govuk-table__header--numeric' : ''}` }, h)))),
      el('tbody', { class: 'govuk-table__body' }, rows.map((r) =>
        el('tr', { class: 'govuk-table__row' }, r.map((c, i) =>
          i === 0 && head.length > 1
            ? el('th', { scope: 'row', class: 'govuk-table__header' }, c)
            : el('td', { class: `govuk-table__cell${num.has(i) ? ' govuk-table__cell--numeric' : ''}` }, c)))))));
}

// ---- forms ---------------------------------------------------------------------------------------

let uid = 0;
const nextId = (base) => `${base}-${++uid}`;

function errorMessage(id, text) {
  return el('p', { class: 'govuk-error-message', id: `${id}-error` },
    el('span', { class: 'govuk-visually-hidden' }, 'Error: '), text);
}

function describedBy(...ids) {
  const s = ids.filter(Boolean).join(' ');
  return s || null;
}

// A text input. opts: id, name, label, hint, value, type, width (e.g. 10, 20, 'one-half'),
// autocomplete, inputmode, error, labelSize ('l' for a one-question page), required, pattern.
export function input(opts) {
  const id = opts.id || nextId(opts.name);
  const hintId = opts.hint ? `${id}-hint` : null;
  const width = opts.width ? (typeof opts.width === 'number' ? ` govuk-input--width-${opts.width}` : ` govuk-!-width-${opts.width}`) : '';
  const control = el('input', {
    class: `govuk-input${width}${opts.error ? ' govuk-input--error' : ''}`,
    id, name: opts.name, type: opts.type || 'text', value: opts.value ?? null,
    autocomplete: opts.autocomplete || 'off', inputmode: opts.inputmode, spellcheck: opts.spellcheck === undefined ? null : String(opts.spellcheck),
    'aria-describedby': describedBy(hintId, opts.error ? `${id}-error` : null),
    min: opts.min, max: opts.max, step: opts.step,
  });
  return formGroup(opts, id, hintId, control);
}

export function textarea(opts) {
  const id = opts.id || nextId(opts.name);
  const hintId = opts.hint ? `${id}-hint` : null;
  const control = el('textarea', {
    class: `govuk-textarea${opts.error ? ' govuk-textarea--error' : ''}`,
    id, name: opts.name, rows: opts.rows || 4,
    'aria-describedby': describedBy(hintId, opts.error ? `${id}-error` : null),
  });
  control.value = opts.value ?? '';
  return formGroup(opts, id, hintId, control);
}

export function select(opts) {
  const id = opts.id || nextId(opts.name);
  const hintId = opts.hint ? `${id}-hint` : null;
  const control = el('select', {
    class: `govuk-select${opts.error ? ' govuk-select--error' : ''}`,
    id, name: opts.name, 'aria-describedby': describedBy(hintId, opts.error ? `${id}-error` : null),
  }, (opts.items || []).map((it) => el('option', { value: it.value, selected: String(it.value) === String(opts.value ?? '') }, it.text)));
  return formGroup(opts, id, hintId, control);
}

function formGroup(opts, id, hintId, control) {
  const size = opts.labelSize ? ` govuk-label--${opts.labelSize}` : '';
  const lab = el('label', { class: `govuk-label${size}`, for: id }, opts.label);
  return el('div', { class: `govuk-form-group${opts.error ? ' govuk-form-group--error' : ''}`, 'data-field': opts.field || opts.name },
    opts.labelSize ? el('h1', { class: 'govuk-label-wrapper' }, lab) : lab,
    opts.hint ? el('div', { class: 'govuk-hint', id: hintId }, opts.hint) : null,
    opts.error ? errorMessage(id, opts.error) : null,
    control);
}

// Radios or checkboxes in a fieldset. opts: name, legend, hint, items [{value, text, hint}],
// value (one value, or an array for checkboxes), inline, small, error, legendSize, type.
export function choices(opts) {
  const type = opts.type || 'radio';
  const base = type === 'radio' ? 'govuk-radios' : 'govuk-checkboxes';
  const id = opts.id || nextId(opts.name);
  const hintId = opts.hint ? `${id}-hint` : null;
  const chosen = new Set([].concat(opts.value ?? []).map(String));
  const legendSize = opts.legendSize ? ` govuk-fieldset__legend--${opts.legendSize}` : ' govuk-fieldset__legend--s';
  const legend = el('legend', { class: `govuk-fieldset__legend${legendSize}` },
    opts.legendSize === 'l' ? el('h1', { class: 'govuk-fieldset__heading' }, opts.legend) : opts.legend);
  return el('div', { class: `govuk-form-group${opts.error ? ' govuk-form-group--error' : ''}`, 'data-field': opts.field || opts.name },
    el('fieldset', { class: 'govuk-fieldset', 'aria-describedby': describedBy(hintId, opts.error ? `${id}-error` : null) },
      legend,
      opts.hint ? el('div', { class: 'govuk-hint', id: hintId }, opts.hint) : null,
      opts.error ? errorMessage(id, opts.error) : null,
      el('div', { class: `${base}${opts.inline ? ` ${base}--inline` : ''}${opts.small ? ` ${base}--small` : ''}` },
        opts.items.map((it, i) => {
          const iid = i === 0 ? id : `${id}-${i + 1}`;
          const ihint = it.hint ? `${iid}-item-hint` : null;
          return el('div', { class: `${base}__item` },
            el('input', { class: `${base}__input`, id: iid, name: opts.name, type, value: it.value,
              checked: chosen.has(String(it.value)), 'aria-describedby': ihint }),
            el('label', { class: `govuk-label ${base}__label`, for: iid }, it.text),
            it.hint ? el('div', { class: `govuk-hint ${base}__hint`, id: ihint }, it.hint) : null);
        }))));
}

export const radios = (opts) => choices({ ...opts, type: 'radio' });
export const checkboxes = (opts) => choices({ ...opts, type: 'checkbox' });

// The GOV.UK date input (day, month, year). value: 'YYYY-MM-DD'. Read it back with readDate().
export function dateInput(opts) {
  const id = opts.id || nextId(opts.name);
  const hintId = opts.hint ? `${id}-hint` : null;
  const [y, m, d] = (opts.value || '').split('-');
  const part = (suffix, lab, val, width) => el('div', { class: 'govuk-date-input__item' },
    el('div', { class: 'govuk-form-group' },
      el('label', { class: 'govuk-label govuk-date-input__label', for: `${id}-${suffix}` }, lab),
      el('input', { class: `govuk-input govuk-date-input__input govuk-input--width-${width}${opts.error ? ' govuk-input--error' : ''}`,
        id: `${id}-${suffix}`, name: `${opts.name}-${suffix}`, type: 'text', inputmode: 'numeric', value: val ? String(Number(val)) : null,
        autocomplete: opts.autocomplete ? `${opts.autocomplete}-${suffix === 'day' ? 'day' : suffix === 'month' ? 'month' : 'year'}` : 'off' })));
  return el('div', { class: `govuk-form-group${opts.error ? ' govuk-form-group--error' : ''}`, 'data-field': opts.field || opts.name },
    el('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': describedBy(hintId, opts.error ? `${id}-error` : null) },
      el('legend', { class: `govuk-fieldset__legend govuk-fieldset__legend--${opts.legendSize || 's'}` },
        opts.legendSize === 'l' ? el('h1', { class: 'govuk-fieldset__heading' }, opts.legend) : opts.legend),
      opts.hint ? el('div', { class: 'govuk-hint', id: hintId }, opts.hint) : null,
      opts.error ? errorMessage(id, opts.error) : null,
      el('div', { class: 'govuk-date-input', id },
        part('day', 'Day', d, 2), part('month', 'Month', m, 2), part('year', 'Year', y, 4))));
}

// A date input's value as YYYY-MM-DD, '' when empty, or null when it is not a date.
export function readDate(form, name) {
  const get = (s) => (form.elements[`${name}-${s}`]?.value || '').trim();
  const d = get('day');
  const m = get('month');
  const y = get('year');
  if (!d && !m && !y) return '';
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const dt = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(dt.getTime()) && dt.toISOString().slice(0, 10) === iso ? iso : null;
}

export function button(text, attrs = {}) {
  const kind = attrs.kind ? ` govuk-button--${attrs.kind}` : '';
  const { kind: _k, ...rest } = attrs;
  return el('button', { class: `govuk-button${kind}`, type: 'submit', 'data-module': 'govuk-button', ...rest }, text);
}

export function buttonLink(href, text, kind) {
  return el('a', { class: `govuk-button${kind ? ` govuk-button--${kind}` : ''}`, href, role: 'button', draggable: 'false' }, text);
}

export const buttonGroup = (...children) => el('div', { class: 'govuk-button-group' }, ...children);

// ---- errors --------------------------------------------------------------------------------------

// The error summary: items [{text, href}] (href '#<field's input id>'). It is focused, as the
// pattern asks, so that a screen reader announces it.
export function errorSummary(items, title = 'There is a problem') {
  const box = el('div', { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary', tabindex: '-1', id: 'error-summary' },
    el('div', { role: 'alert' },
      el('h2', { class: 'govuk-error-summary__title' }, title),
      el('div', { class: 'govuk-error-summary__body' },
        el('ul', { class: 'govuk-list govuk-error-summary__list' },
          items.map((it) => el('li', {}, it.href ? el('a', { href: it.href, 'data-target': it.href.slice(1) }, it.text) : it.text))))));
  // the links move focus to the field without changing the route in the address bar
  box.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-target]');
    if (!a) return;
    e.preventDefault();
    const target = document.getElementById(a.dataset.target);
    if (target) {
      target.focus();
      target.scrollIntoView({ block: 'center' });
    }
  });
  return box;
}

// The first focusable control inside the form group of a field (data-field), for the summary's links.
export function controlIdOf(form, field) {
  const group = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
  const control = group?.querySelector('input, select, textarea');
  return control?.id || null;
}

// Shows a refusal on a form the GOV.UK way: an error summary at the top of `container`, and each
// field's message beside it. `fieldFor` maps an API field name (e.g. "person.name") to the form's
// field name (its data-field), or returns null for a field the form does not show. `rerender` is
// called with the errors by field, for forms that rebuild themselves; otherwise the messages are
// added to the existing groups.
export function showProblem(container, form, err, fieldFor = (f) => f) {
  container.querySelector('#error-summary')?.remove();
  for (const g of form?.querySelectorAll('.govuk-form-group--error') ?? []) g.classList.remove('govuk-form-group--error');
  for (const m of form?.querySelectorAll('.govuk-error-message') ?? []) m.remove();
  const items = [];
  const byField = {};
  for (const [apiField, message] of Object.entries(err.fields || {})) {
    const field = fieldFor(apiField);
    const id = field && form ? controlIdOf(form, field) : null;
    const text = `${apiField.replace(/[._]/g, ' ').replace(/\[(\d+)\]/g, ' $1')}: ${message}`;
    const friendly = sentence(message, apiField);
    items.push({ text: id ? friendly : text, href: id ? `#${id}` : null });
    if (id && !byField[field]) {
      byField[field] = friendly;
      const group = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
      group.classList.add('govuk-form-group--error');
      const anchor = group.querySelector('.govuk-hint') ? group.querySelector('.govuk-hint') : group.querySelector('legend, label');
      const msg = errorMessage(id, friendly);
      anchor.after(msg);
    }
  }
  if (!items.length) items.push({ text: problemText(err) });
  const summary = errorSummary(items);
  container.prepend(summary);
  summary.focus();
  return byField;
}

// A field's message as a sentence that names the field: "Name must not be empty".
function sentence(message, field) {
  const last = field.split('.').pop().replace(/\[\d+\]/g, '').replace(/_/g, ' ');
  const m = String(message);
  const s = m.toLowerCase().startsWith(last.toLowerCase()) ? m : `${last} ${m}`;
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// What a refusal without field errors says to the person using the page.
export function problemText(err) {
  if (err.offline) return 'The service could not be reached. Check the signal and try again.';
  if (err.status === 401) return 'You are not signed in, or your sign-in has expired. Sign in again.';
  if (err.status === 403) return 'You do not have permission to do this.';
  if (err.status === 404) return 'This record could not be found. It may have been removed, or it belongs to another area.';
  if (err.status === 412 || err.status === 428) return 'Someone else changed this record while you were working on it. Reload the page to see the latest version and try again.';
  return err.problem?.detail || err.problem?.title || err.message || 'Something went wrong. Try again.';
}

// A whole-page error (the page could not load).
export function errorPage(err) {
  return [el('h1', { class: 'govuk-heading-l' }, err.status === 404 ? 'Page not found' : err.status === 403 ? 'You cannot use this page' : 'Sorry, there is a problem'),
    p(problemText(err))];
}

// Reads a form's named controls into an object of trimmed strings (checkbox groups as arrays).
export function formValues(form) {
  const out = {};
  for (const c of form.elements) {
    if (!c.name) continue;
    if (c.type === 'radio') {
      if (c.checked) out[c.name] = c.value;
      else if (!(c.name in out)) out[c.name] = '';
    } else if (c.type === 'checkbox') {
      out[c.name] = out[c.name] || [];
      if (c.checked) out[c.name].push(c.value);
    } else {
      out[c.name] = c.value.trim();
    }
  }
  return out;
}
