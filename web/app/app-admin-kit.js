// What the admin's pages share: a question page's frame (back link, heading, a form that sends
// once at a time and shows the API's refusal the GOV.UK way), status tags and small readers.

import { ApiError } from './app-api.js';
import { backLink, button, buttonGroup, el, errorSummary, formValues, h1, showProblem } from './app-ui.js';

// The area's code in an API path.
export const areaPath = (ctx) => encodeURIComponent(ctx.me.area);

// Active or retired (inactive) as a tag.
export function statusTag(active, off = 'Retired') {
  return el('strong', { class: `govuk-tag ${active ? 'govuk-tag--green' : 'govuk-tag--grey'}`, 'data-status': active ? 'active' : 'inactive' },
    active ? 'Active' : off);
}

// Appends nodes (or arrays of them) to a node, leaving out null, undefined and false.
export function put(node, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) node.append(c);
  }
}

// The page's frame: a back link, then a box that holds the heading, the content and, on a
// refusal, the error summary at its top. Answers the box.
// `wide`: the whole width (a page with a table), otherwise two thirds (a question page).
export function frame(ctx, { back, backText, title, caption, wide }) {
  ctx.setTitle(title);
  const box = el('div', { class: 'govuk-grid-row' });
  const col = el('div', { class: wide ? 'govuk-grid-column-full' : 'govuk-grid-column-two-thirds-from-desktop' }, ...h1(title, caption));
  box.append(col);
  put(ctx.main, back ? backLink(back, backText) : null, box);
  return col;
}

// A form of a question page. `fields`: form groups; `onSubmit(values, form)` sends (and moves on
// with ctx.go); a refusal (ApiError) is shown in `box` with each field's message beside it.
// `refusal(err)`, when given, may answer the summary's text for a refusal without field errors
// (e.g. a 409 explained), or null for the API's own words. `extra`: nodes after the button.
export function questionForm(ctx, box, { fields, submitText, kind, onSubmit, fieldFor, refusal, extra, title }) {
  const submit = button(submitText, kind ? { kind } : {});
  const form = el('form', { novalidate: true, class: 'ij-admin-form' }, fields, buttonGroup(submit, extra));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    submit.setAttribute('aria-disabled', 'true');
    try {
      await onSubmit(formValues(form), form);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showRefusal(ctx, box, form, err, { fieldFor, refusal, title });
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-disabled');
    }
  });
  return form;
}

// Shows a refusal: the error summary (the API's field errors linked to the fields), and the
// document title starting "Error:" as the pattern asks.
export function showRefusal(ctx, box, form, err, { fieldFor, refusal, title } = {}) {
  const own = !Object.keys(err.fields || {}).length && refusal ? refusal(err) : null;
  if (own) {
    box.querySelector('#error-summary')?.remove();
    const summary = errorSummary([{ text: own }]);
    box.prepend(summary);
    summary.focus();
  } else {
    showProblem(box, form, err, fieldFor);
    nameByLabel(box, err, fieldFor);
  }
  if (title) ctx.setTitle(`Error: ${title}`);
}

// The API's messages name its fields ("Hours max must be..."): each linked message is made to
// name the field as the page labels it ("Most hours of work must be...").
function nameByLabel(box, err, fieldFor = (f) => f) {
  for (const [apiField, message] of Object.entries(err.fields || {})) {
    const field = fieldFor(apiField);
    const group = field ? box.querySelector(`[data-field="${CSS.escape(field)}"]`) : null;
    const control = group?.querySelector('input, select, textarea');
    const caption = group?.querySelector('label');
    if (!control || !caption || group.querySelector('fieldset')) continue;
    const name = caption.textContent.replace(/\s*\(optional\)\s*$/, '').trim();
    const words = apiField.split('.').pop().replace(/\[\d+\]/g, '').replace(/_/g, ' ');
    const m = String(message);
    const rest = m.toLowerCase().startsWith(words.toLowerCase()) ? m.slice(words.length).trimStart() : m;
    const text = `${name} ${rest.replace(/, or null for /, ', or empty for ')}`;
    const summaryLink = box.querySelector(`#error-summary a[data-target="${CSS.escape(control.id)}"]`);
    if (summaryLink) summaryLink.textContent = text;
    const inline = group.querySelector(`#${CSS.escape(control.id)}-error`);
    if (inline?.lastChild) inline.lastChild.textContent = text;
  }
}

// A refusal made here before anything is sent (the same shape as the API's).
export function localRefusal(field, message) {
  return new ApiError(422, { title: 'the request is invalid', status: 422, errors: [{ field, message }] });
}

// A text box's value for an optional member: '' is null.
export const orNull = (v) => (v === undefined || v === '' ? null : v);

// A whole number of hours as typed: '' is null (the service's default), digits a number, and
// anything else is sent as it is, for the API to name the field.
export function hoursValue(v) {
  if (v === undefined || v === '') return null;
  return /^\d{1,9}$/.test(v) ? Number(v) : v;
}

// A single button that makes one change at once (retire, reinstate...), in its own form.
export function actionButton(ctx, box, text, kind, onPress, title) {
  return questionForm(ctx, box, { fields: [], submitText: text, kind, onSubmit: onPress, title });
}
