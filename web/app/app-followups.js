// The coordinators' reoffending checks: the checks due, overdue, not yet due and recorded;
// recording one after a PNC check; and importing a police CSV file, checked first by a dry run
// that shows every row's problem before anything is saved.

import { all, api, ApiError, newKey } from './app-api.js';
import {
  backLink, banner, button, buttonGroup, clear, dateInput, el, errorSummary, fmtDate, fmtDateTime, h1, h2,
  inset, link, p, problemText, radios, readDate, select, showProblem, summaryList, tag,
} from './app-ui.js';
import { addDays } from './app-coordb-time.js';

const COORDINATOR = ['coordinator'];

const STATUSES = [
  ['due', 'Due'], ['overdue', 'Overdue'], ['pending', 'Not recorded'], ['recorded', 'Recorded'], ['all', 'All'],
];
const CATEGORIES = [
  ['asb', 'Anti-social behaviour'], ['harassment', 'Harassment'], ['public_order', 'Public order'],
  ['drunk_and_disorderly', 'Drunk and disorderly'], ['shop_theft', 'Shop theft'],
  ['cannabis_possession', 'Possession of cannabis'], ['criminal_damage', 'Criminal damage'], ['other', 'Other'],
];
const categoryName = (c) => CATEGORIES.find(([v]) => v === c)?.[1] ?? c;
const exitName = (s) => (s === 'completed' ? 'Completed' : 'Non-compliant');

// Where a check stands today (UTC days, as the service counts them).
function standing(c) {
  if (c.recorded_at) return tag('recorded', 'Recorded');
  const today = new Date().toISOString().slice(0, 10);
  if (c.due_on > today) return tag('pending', 'Not due yet');
  if (c.due_on < addDays(today, -28)) return tag('overdue', 'Overdue');
  return tag('due', 'Due');
}

const resultText = (c) => (c.reoffended === null ? '' : c.reoffended
  ? `Reoffended on ${fmtDate(c.first_reoffence_on)} (${categoryName(c.reoffence_category)})` : 'No reoffence found');

// ---- the list ------------------------------------------------------------------------------------

async function renderList(ctx) {
  const asked = ctx.query.get('status');
  const status = STATUSES.some(([v]) => v === asked) ? asked : 'due';
  const checks = await all('/v1/followups', { status }, 1000);
  const name = STATUSES.find(([v]) => v === status)[1];
  ctx.setTitle(`Reoffending checks: ${name.toLowerCase()}`);
  ctx.main.append(...h1('Reoffending checks', 'Follow-up'),
    p('Each referral that ends gets three checks of the Police National Computer: 3, 6 and 12 months after it ends. ',
      'Record each once it is due, or ', link('#/followups/import', 'import a police file'), '.'),
    el('nav', { 'aria-label': 'Which checks' }, el('ul', { class: 'govuk-list ij-actions', id: 'statuses' }, STATUSES.map(([v, t]) =>
      el('li', {}, v === status ? el('strong', { 'aria-current': 'page' }, t) : link(`#/followups?status=${v}`, t))))));
  if (!checks.length) {
    ctx.main.append(p(`No checks: ${name.toLowerCase()}.`));
    return;
  }
  const heads = ['Person', 'Check', 'Referral ended', 'Due', 'Status', 'Result'];
  const cell = (i, ...c) => el('td', { class: 'govuk-table__cell', 'data-label': heads[i] }, ...c);
  ctx.main.append(el('table', { class: 'govuk-table ij-stack-table', id: 'checks' },
    el('caption', { class: 'govuk-visually-hidden' }, `Reoffending checks: ${name.toLowerCase()}`),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      heads.map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
    el('tbody', { class: 'govuk-table__body' }, checks.map((c) => el('tr', { class: 'govuk-table__row', 'data-check': c.id },
      el('th', { scope: 'row', class: 'govuk-table__header', 'data-label': heads[0] },
        link(`#/followups/${c.id}`, c.person.name), c.person.police_id ? el('span', { class: 'govuk-hint govuk-!-margin-0 ij-block' }, c.person.police_id) : null),
      cell(1, `${c.window_months} months`), cell(2, `${exitName(c.exit_state)}, ${fmtDate(c.exited_on)}`),
      cell(3, fmtDate(c.due_on)), cell(4, standing(c)), cell(5, resultText(c) || '–'))))));
}

// ---- one check -----------------------------------------------------------------------------------

async function renderCheck(ctx) {
  const r = await api('GET', `/v1/followups/${ctx.params.id}`);
  const c = r.data;
  const version = r.version ?? c.version;
  ctx.setTitle(`Reoffending check: ${c.person.name}, ${c.window_months} months`);
  ctx.main.append(backLink('#/followups', 'Back to the checks'), ...h1(`${c.window_months}-month check`, c.person.name),
    summaryList([
      ['Person', c.person.name],
      ['Police identifier', c.person.police_id],
      ['Referral', link(`#/referrals/${c.referral_id}`, 'Open the referral')],
      ['Referral ended', `${exitName(c.exit_state)}, ${fmtDate(c.exited_on)}`],
      ['Due', fmtDate(c.due_on)],
      ['Status', standing(c)],
      c.recorded_at ? ['Result', resultText(c)] : null,
      c.recorded_at ? ['Recorded', `${fmtDateTime(c.recorded_at)} by ${c.checked_by?.name ?? 'the service'}${c.source === 'police_import' ? ', from a police file' : ''}`] : null,
    ], { id: 'check-summary' }));
  if (c.recorded_at) return;
  const today = new Date().toISOString().slice(0, 10);
  if (c.due_on > today) {
    ctx.main.append(inset(`This check can be recorded from ${fmtDate(c.due_on)}.`));
    return;
  }
  const form = el('form', { novalidate: true, id: 'check-form' },
    h2('Record the result'),
    radios({ name: 'reoffended', legend: `Did the Police National Computer show a reoffence between ${fmtDate(c.exited_on)} and ${fmtDate(c.due_on)}?`,
      items: [{ value: 'false', text: 'No' }, { value: 'true', text: 'Yes' }] }),
    el('div', { id: 'reoffence', hidden: true },
      dateInput({ name: 'first_reoffence_on', legend: 'Date of the first reoffence', hint: `After ${fmtDate(c.exited_on)}, and not after ${fmtDate(c.due_on)}.` }),
      select({ name: 'reoffence_category', label: 'Type of offence', items: [{ value: '', text: 'Choose a type' }, ...CATEGORIES.map(([value, text]) => ({ value, text }))] })),
    button('Record result', { id: 'save' }));
  form.addEventListener('change', () => {
    form.querySelector('#reoffence').hidden = form.querySelector('input[name="reoffended"]:checked')?.value !== 'true';
  });
  let key = null;
  let sent = null;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const answer = form.querySelector('input[name="reoffended"]:checked')?.value;
    const body = {};
    if (answer) body.reoffended = answer === 'true';
    if (answer === 'true') {
      const d = readDate(form, 'first_reoffence_on');
      if (d === null) {
        showProblem(ctx.main, form, new ApiError(422, { errors: [{ field: 'first_reoffence_on', message: 'must be a real date, for example 14 1 2027' }] }));
        return;
      }
      if (d) body.first_reoffence_on = d;
      if (form.elements.reoffence_category.value) body.reoffence_category = form.elements.reoffence_category.value;
    }
    const json = JSON.stringify(body);
    if (json !== sent) {
      key = newKey();
      sent = json;
    }
    const submit = form.querySelector('#save');
    submit.disabled = true;
    try {
      await api('PATCH', `/v1/followups/${c.id}`, { body, ifMatch: version, idempotencyKey: key });
      ctx.go(`/followups/${c.id}`, banner('success', 'The check was recorded'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showProblem(ctx.main, form, err);
    } finally {
      submit.disabled = false;
    }
  });
  ctx.main.append(form);
}

// ---- import --------------------------------------------------------------------------------------

// RFC 4180 records (quoted fields, doubled quotes, CRLF or LF), blank lines left out.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i += 1;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      endRow();
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
    } else field += ch;
    i += 1;
  }
  if (field !== '' || row.length) endRow();
  return rows;
}

function problemsTable(errors) {
  return el('div', { class: 'ij-table-wrap' }, el('table', { class: 'govuk-table', id: 'import-problems', tabindex: '-1' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'Problems in the file'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      ['Row', 'Column', 'Problem'].map((h, i) => el('th', { scope: 'col', class: `govuk-table__header${i === 0 ? ' govuk-table__header--numeric' : ''}` }, h)))),
    el('tbody', { class: 'govuk-table__body' }, errors.map((e) => el('tr', { class: 'govuk-table__row', 'data-row': e.row ?? '' },
      el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, e.row === undefined ? '' : String(e.row)),
      el('td', { class: 'govuk-table__cell' }, e.column || (e.row === undefined ? e.field : 'the whole row')),
      el('td', { class: 'govuk-table__cell' }, e.message))))));
}

// What a row of a file that passed its dry run records, in words.
function rowResult(head, r) {
  const at = (name) => (head.indexOf(name) >= 0 ? (r[head.indexOf(name)] ?? '').trim() : '');
  const yes = /^(true|yes|y|1)$/i.test(at('reoffended'));
  const window = at('window_months');
  const what = yes ? `Reoffended on ${fmtDate(at('first_reoffence_on'))} (${categoryName(at('reoffence_category'))})` : 'No reoffence';
  return window ? `${window}-month check: ${what}` : what;
}

function rowsTable(rows) {
  const [head, ...body] = rows;
  const shown = body.slice(0, 200);
  const heads = ['Row', ...head, 'Would record'];
  return el('table', { class: 'govuk-table ij-stack-table', id: 'import-rows' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' },
      body.length > shown.length ? `The file's first ${shown.length} rows of ${body.length}` : 'The file\'s rows'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      heads.map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
    el('tbody', { class: 'govuk-table__body' }, shown.map((r, i) => el('tr', { class: 'govuk-table__row' },
      el('th', { scope: 'row', class: 'govuk-table__header', 'data-label': 'Row' }, String(i + 2)),
      head.map((h, j) => el('td', { class: 'govuk-table__cell', 'data-label': h }, r[j] ?? '')),
      el('td', { class: 'govuk-table__cell', 'data-label': 'Would record' }, rowResult(head, r))))));
}

// A refused file: the error summary at the top of the page, and the problems row by row.
function showRefusal(main, result, err, fileName) {
  clear(result);
  main.querySelector('#error-summary')?.remove();
  const errors = err.problem?.errors ?? [];
  let summary;
  if (err.status !== 422 || !errors.length) {
    summary = errorSummary([{ text: err.status === 413 ? 'The file is too large to import.' : problemText(err) }]);
  } else {
    const n = errors.length;
    summary = errorSummary([{ text: `${fileName} has ${n} ${n === 1 ? 'problem' : 'problems'}: nothing was recorded.`, href: '#import-problems' }],
      'The file cannot be imported');
    result.append(p('Correct the file and choose it again.'), problemsTable(errors));
  }
  main.prepend(summary);
  summary.focus();
}

async function renderImport(ctx) {
  ctx.main.append(backLink('#/followups', 'Back to the checks'), ...h1('Import a police file', 'Reoffending checks'),
    p('The file is checked first and every problem is shown, row by row. Nothing is recorded until you confirm.'),
    el('details', { class: 'govuk-details' },
      el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'How the file is laid out')),
      el('div', { class: 'govuk-details__text' },
        p('A CSV file whose first row names the columns: window_months (3, 6 or 12), reoffended (yes or no), ',
          'and one of police_id, person_id or referral_id; when the person reoffended, also first_reoffence_on (YYYY-MM-DD) and reoffence_category.'))));
  const form = el('form', { novalidate: true, id: 'import-form' },
    el('div', { class: 'govuk-form-group', 'data-field': 'file' },
      el('label', { class: 'govuk-label govuk-label--s', for: 'import-file' }, 'Police file (CSV)'),
      el('input', { class: 'govuk-file-upload', id: 'import-file', name: 'file', type: 'file', accept: '.csv,text/csv' })),
    button('Check the file', { id: 'check-file' }));
  const result = el('div', { id: 'import-result', 'aria-live': 'polite' });
  ctx.main.append(form, result);
  const fileInput = form.querySelector('#import-file');
  fileInput.addEventListener('change', () => {
    clear(result);
    ctx.main.querySelector('#error-summary')?.remove();
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(result);
    ctx.main.querySelector('#error-summary')?.remove();
    const file = fileInput.files?.[0];
    if (!file) {
      showProblem(ctx.main, form, new ApiError(422, { errors: [{ field: 'file', message: 'Choose the police file to import' }] }));
      return;
    }
    for (const g of form.querySelectorAll('.govuk-form-group--error')) g.classList.remove('govuk-form-group--error');
    for (const m of form.querySelectorAll('.govuk-error-message')) m.remove();
    const text = await file.text();
    const submit = form.querySelector('#check-file');
    submit.disabled = true;
    let report;
    try {
      report = (await api('POST', '/v1/followups/import', { query: { dry_run: 'true' }, body: text, contentType: 'text/csv' })).data;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showRefusal(ctx.main, result, err, file.name);
      return;
    } finally {
      submit.disabled = false;
    }
    const rows = parseCsv(text);
    result.append(h2(`${file.name} has no problems`, { id: 'import-ready' }),
      summaryList([
        ['Rows', String(report.rows)],
        ['Checks it would record', String(report.recorded)],
        ['Rows recorded already with the same result', String(report.unchanged)],
      ], { id: 'import-report' }));
    if (report.replayed) {
      result.append(inset('This file was imported before: importing it again records nothing.'));
      return;
    }
    if (rows.length > 1) result.append(rowsTable(rows));
    if (!report.recorded) {
      result.append(inset('Every row is recorded already with the same result: there is nothing to record.'));
      return;
    }
    const n = report.recorded;
    const confirm = el('form', { novalidate: true, id: 'import-confirm' },
      p('Nothing has been recorded yet.'),
      buttonGroup(button(`Record ${n} ${n === 1 ? 'check' : 'checks'}`, { id: 'record-checks' })));
    confirm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const go = confirm.querySelector('#record-checks');
      go.disabled = true;
      try {
        const r = await api('POST', '/v1/followups/import', { body: text, contentType: 'text/csv' });
        const done = r.data.recorded;
        ctx.go('/followups?status=recorded', banner('success', `${done} ${done === 1 ? 'check' : 'checks'} recorded from ${file.name}`,
          r.data.unchanged ? p(`${r.data.unchanged} rows were recorded already with the same result.`) : null));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        showRefusal(ctx.main, result, err, file.name);
      } finally {
        go.disabled = false;
      }
    });
    result.append(confirm);
  });
}

export const routes = [
  { path: '/followups', roles: COORDINATOR, title: 'Reoffending checks', render: renderList },
  { path: '/followups/import', roles: COORDINATOR, title: 'Import a police file', render: renderImport },
  { path: '/followups/:id', roles: COORDINATOR, title: 'Reoffending check', render: renderCheck },
];

export const nav = [
  { href: '#/followups', text: 'Follow-ups', roles: COORDINATOR, order: 50, description: 'Reoffending checks due and overdue: record one, or import a police file.' },
];

