// The commissioners' dashboard: reads the figures from the JSON API (GET /v1/stats/summary and
// /v1/stats/reoffending with the filters on the form), shows them as headline figures, SVG charts
// and data tables, and offers every figure set it shows as CSV (the same paths with ".csv").
// A national commissioner also has the national view (scope=national): the national figures and a
// sortable table comparing the areas (GET /v1/stats/areas), with the same filters but the ward.
// Charts are drawn at the width they are shown, so that their text keeps its size on a phone.
// The quarterly return for the Police and Crime Commissioner (GET /v1/stats/quarterly) is shown
// for the quarters that start in the period shown, with the same filters and scope but the age
// band (the return splits by age itself), and offered as CSV and as an Excel workbook.
//
// The bearer token comes from the address (/dashboard#token=...), is taken out of the address bar
// at once and kept in sessionStorage for this tab. Behind a sign-in proxy that adds the
// Authorization header itself there is no token, and none is sent.
// Everything the API returns is written with textContent: no HTML is ever built from data.

const TOKEN_KEY = 'ij.dashboard.token';
const FILTERS = ['from', 'to', 'ward', 'placement_type', 'age_band', 'offence_category'];
const SVG_NS = 'http://www.w3.org/2000/svg';

const PLACEMENT_TYPES = {
  gardening: 'Gardening',
  litter_picking: 'Litter picking',
  charity_work: 'Charity work',
  graffiti_removal: 'Graffiti removal',
  community_clean_up: 'Community clean-up',
  other: 'Other',
};
const OFFENCE_CATEGORIES = {
  asb: 'Anti-social behaviour',
  harassment: 'Harassment',
  public_order: 'Public order',
  drunk_and_disorderly: 'Drunk and disorderly',
  shop_theft: 'Shop theft',
  cannabis_possession: 'Cannabis possession',
  criminal_damage: 'Criminal damage',
  other: 'Other',
};

// ---- formatting (the browser test formats the API's figures the same way) ----------------------

const countFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const hoursFormat = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatCell(cell, kind) {
  if (!cell || cell.suppressed) return '[c]';
  if (cell.value === null || cell.value === undefined) return '–';
  if (kind === 'rate') return `${(cell.value * 100).toFixed(1)}%`;
  if (kind === 'hours') return hoursFormat.format(cell.value);
  return countFormat.format(cell.value);
}

// A rate with its 95% confidence interval when the API gives one: "77.0% (61.0% to 88.0%)".
export function formatRateWithInterval(cell) {
  const rate = formatCell(cell, 'rate');
  if (!cell || cell.suppressed || typeof cell.ci_low !== 'number' || typeof cell.ci_high !== 'number') return rate;
  return `${rate} (${(cell.ci_low * 100).toFixed(1)}% to ${(cell.ci_high * 100).toFixed(1)}%)`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// A figure as shown: "[c]" with a hidden explanation for screen readers when suppressed.
function cellNode(cell, kind, text = formatCell(cell, kind)) {
  const span = el('span', { class: 'ij-cell', 'data-suppressed': cell?.suppressed ? 'true' : null }, text);
  if (cell?.suppressed) {
    span.classList.add('ij-cell--suppressed');
    span.title = 'Suppressed: too few to show';
    span.append(el('span', { class: 'govuk-visually-hidden' }, ' (suppressed)'));
  }
  return span;
}

function monthLabel(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

// "Figures as of …, up to N s behind": the freshness the API states (a replica may serve them).
export function freshnessText(f) {
  if (!f || !f.data_as_of) return '';
  const at = new Date(f.data_as_of).toLocaleString('en-GB', {
    day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC',
  });
  const lag = Math.ceil(Number(f.lag_seconds) || 0);
  const where = f.source === 'replica' ? 'read from a replica of the database'
    : f.fallback ? 'read from the primary database: its replica is ' +
      (f.fallback === 'replica_behind' ? 'too far behind' : 'not available')
      : 'read from the primary database';
  return `Figures as of ${at} UTC, up to ${lag} s behind (${where}).`;
}

function dateLabel(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

// ---- the token and the API ---------------------------------------------------------------------

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage refused by the browser: the token lives for this page only
  }
}

let memoryToken = null;

function takeTokenFromAddress() {
  const hash = location.hash.replace(/^#/, '');
  if (!hash) return;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  if (token === null) return;
  memoryToken = token;
  storage()?.setItem(TOKEN_KEY, token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

function token() {
  return memoryToken ?? storage()?.getItem(TOKEN_KEY) ?? null;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, params, accept = 'application/json') {
  const query = params && params.toString();
  const headers = { Accept: accept };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    res = await fetch(`${path}${query ? `?${query}` : ''}`, { headers, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The service could not be reached. Check your connection and try again.');
  }
  if (res.ok) return res;
  let detail = '';
  try {
    const problem = await res.json();
    detail = problem.detail || problem.title || '';
  } catch {
    // not a problem document
  }
  if (res.status === 401) {
    throw new ApiError(401, 'You are not signed in, or your sign-in has expired. Sign in again, or open the ' +
      'dashboard with the link that includes your access token.');
  }
  if (res.status === 403) {
    throw new ApiError(403, 'Your account is not allowed to see these figures. Ask an administrator for the commissioner role.');
  }
  throw new ApiError(res.status, detail ? `The figures could not be loaded: ${detail}` : `The figures could not be loaded (error ${res.status}).`);
}

// ---- page state --------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
let shownParams = null; // the filters of the figures on screen (the CSV downloads use them)
let loadSeq = 0;
let national = false; // the reader is a national commissioner: the national view is theirs
let lastShown = null; // the figures on screen, to draw the charts again at a new width
let shownQuarterly = null; // the quarterly return's query for the figures shown (its downloads use it)

function nationalScope() {
  return national && $('scope').value === 'national';
}

function formParams() {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    if (name === 'ward' && nationalScope()) continue; // a ward is an area's
    const value = $(name).value.trim();
    if (value) params.set(name, value);
  }
  if (national) params.set('scope', $('scope').value); // remembered in the address
  return params;
}

// The ward filter belongs to one area: hidden in the national view.
function showScope() {
  $('ward-group').hidden = nationalScope();
}

function setState(state, message) {
  $('main-content').dataset.state = state;
  $('results').setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  $('apply').disabled = state === 'loading';
  $('status').textContent = message ?? '';
  $('status').hidden = !message;
}

function showError(err) {
  $('error-title').textContent = err.status === 401 ? 'You need to sign in' : 'There is a problem';
  $('error-message').textContent = err.message;
  $('error').hidden = false;
  $('error').focus?.();
  $('results').hidden = true;
  setState('error', null);
}

function hideError() {
  $('error').hidden = true;
}

// ---- headline figures --------------------------------------------------------------------------

const HEADLINES = [
  { key: 'referrals', label: 'Referrals', kind: 'count' },
  { key: 'acceptance_rate', label: 'Acceptance rate', kind: 'rate', of: 'accepted of referrals triaged' },
  { key: 'median_hours_to_first_session', label: 'Median time to first session', kind: 'hours', unit: 'hours from referral' },
  { key: 'started_within_target_rate', label: 'Started within the target', kind: 'rate', of: 'started within the target (48 hours by default)' },
  { key: 'completion_rate', label: 'Completion rate', kind: 'rate', of: 'completed of those who left the scheme' },
  { key: 'attendance_rate', label: 'Attendance rate', kind: 'rate', of: 'booked sessions attended' },
  { key: 'non_compliance_rate', label: 'Non-compliance rate', kind: 'rate', of: 'returned for non-compliance of those who left' },
  { key: 'hours_delivered', label: 'Hours delivered', kind: 'hours', unit: 'hours of reparation credited' },
  { key: 'rereferral_rate', label: 'Re-referral rate', kind: 'rate', of: 'referred again within 12 months of leaving' },
];

function renderFigures(figures) {
  const list = $('figures');
  list.replaceChildren();
  for (const h of HEADLINES) {
    const cell = figures[h.key];
    let detail = '';
    if (cell?.suppressed) detail = 'Suppressed: too few to show';
    else if (h.kind === 'rate' && Number.isInteger(cell?.numerator) && Number.isInteger(cell?.denominator)) {
      detail = `${countFormat.format(cell.numerator)} of ${countFormat.format(cell.denominator)}: ${h.of}`;
    } else if (h.kind === 'rate') detail = `No cases: ${h.of}`;
    else if (h.unit) detail = h.unit;
    list.append(
      el('li', { class: 'ij-figure', 'data-figure': h.key },
        el('h3', { class: 'govuk-heading-s ij-figure__label' }, h.label),
        el('p', { class: 'ij-figure__value' }, cellNode(cell, h.kind)),
        el('p', { class: 'govuk-body-s ij-figure__detail' }, detail)),
    );
  }
}

// ---- charts ------------------------------------------------------------------------------------

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function legend(svgNode, x, y, series) {
  let dx = x;
  for (const s of series) {
    svgNode.append(svg('rect', { x: dx, y: y - 10, width: 12, height: 12, class: s.cls }));
    svgNode.append(svg('text', { x: dx + 18, y, class: 'ij-axis-label' }, s.label));
    dx += 30 + s.label.length * 8;
  }
}

// The width a chart is drawn at: the space it has, so that one unit is one pixel and its text
// keeps the size the style sheet gives it (at least 12 px) on a phone as on a desktop.
function chartWidth(container) {
  const w = Math.floor(container.clientWidth || container.parentElement?.clientWidth || 960);
  return Math.max(240, Math.min(960, w));
}

// Vertical bars in groups: groups [{label, values: [cell...]}], series [{label, cls}].
function groupedBars(container, title, groups, series, { kind = 'count', yLabel = '' } = {}) {
  const width = chartWidth(container);
  const narrow = width < 560;
  const height = narrow ? 280 : 320;
  const m = { top: narrow ? 56 : 36, right: 16, bottom: 48, left: 56 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const values = groups.flatMap((g) => g.values.map((c) => (c && !c.suppressed && typeof c.value === 'number' ? c.value : 0)));
  const max = kind === 'rate' ? 1 : niceMax(Math.max(0, ...values));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'ij-svg', role: 'img', 'aria-labelledby': `${container.id}-title` });
  root.setAttribute('width', width);
  root.setAttribute('height', height);
  root.append(svg('title', { id: `${container.id}-title` }, `${title} (chart; the table below gives the figures)`));
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = m.top + plotH - (plotH * i) / 4;
    root.append(svg('line', { x1: m.left, x2: width - m.right, y1: y, y2: y, class: 'ij-grid' }));
    const text = kind === 'rate' ? `${Math.round(v * 100)}%` : countFormat.format(v);
    root.append(svg('text', { x: m.left - 8, y: y + 4, class: 'ij-axis-label', 'text-anchor': 'end' }, text));
  }
  if (yLabel) root.append(svg('text', { x: m.left, y: 14, class: 'ij-axis-label' }, yLabel));
  if (narrow) legend(root, m.left, 38, series);
  else legend(root, width - m.right - 360, 14, series);
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.min(48, (groupW * 0.8) / series.length);
  // as many labels as fit (about 72 px each)
  const every = Math.ceil(groups.length / Math.max(1, Math.floor(plotW / 72)));
  groups.forEach((g, gi) => {
    const gx = m.left + gi * groupW + (groupW - barW * series.length) / 2;
    g.values.forEach((cell, si) => {
      const x = gx + si * barW;
      if (!cell || cell.suppressed) {
        root.append(svg('text', { x: x + barW / 2, y: m.top + plotH - 4, class: 'ij-bar-note', 'text-anchor': 'middle' }, '[c]'));
        return;
      }
      const v = typeof cell.value === 'number' ? cell.value : 0;
      const h = (plotH * v) / max;
      root.append(svg('rect', { x, y: m.top + plotH - h, width: Math.max(1, barW - 2), height: h, class: series[si].cls }));
    });
    if (gi % every === 0) {
      // centred under its group, but kept inside the chart at either end
      const cx = m.left + gi * groupW + groupW / 2;
      const half = g.label.length * 4;
      const anchor = cx + half > width ? 'end' : cx - half < 0 ? 'start' : 'middle';
      const x = anchor === 'end' ? width - 2 : anchor === 'start' ? 2 : cx;
      root.append(svg('text', { x, y: height - m.bottom + 18, class: 'ij-axis-label', 'text-anchor': anchor }, g.label));
    }
  });
  root.append(svg('line', { x1: m.left, x2: width - m.right, y1: m.top + plotH, y2: m.top + plotH, class: 'ij-axis' }));
  container.replaceChildren(root);
}

// Horizontal bars, one per row: rows [{label, cell}].
function horizontalBars(container, title, rows) {
  const width = chartWidth(container);
  // on a narrow screen each label goes above its bar
  const narrow = width < 560;
  const rowH = narrow ? 52 : 36;
  const m = { top: 12, right: narrow ? 64 : 96, bottom: 12, left: narrow ? 4 : 200 };
  const height = m.top + m.bottom + rowH * Math.max(1, rows.length);
  const plotW = width - m.left - m.right;
  const barTop = narrow ? 24 : 6;
  const barH = narrow ? 20 : rowH - 12;
  const max = niceMax(Math.max(0, ...rows.map((r) => (r.cell && !r.cell.suppressed && typeof r.cell.value === 'number' ? r.cell.value : 0))));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'ij-svg', role: 'img', 'aria-labelledby': `${container.id}-title` });
  root.setAttribute('width', width);
  root.setAttribute('height', height);
  root.append(svg('title', { id: `${container.id}-title` }, `${title} (chart; the table below gives the figures)`));
  rows.forEach((r, i) => {
    const y = m.top + i * rowH;
    if (narrow) root.append(svg('text', { x: m.left, y: y + 16, class: 'ij-axis-label' }, r.label));
    else root.append(svg('text', { x: m.left - 12, y: y + rowH / 2 + 5, class: 'ij-axis-label', 'text-anchor': 'end' }, r.label));
    const suppressed = !r.cell || r.cell.suppressed;
    const v = !suppressed && typeof r.cell.value === 'number' ? r.cell.value : 0;
    const w = (plotW * v) / max;
    if (!suppressed) root.append(svg('rect', { x: m.left, y: y + barTop, width: w, height: barH, class: 'ij-bar--a' }));
    root.append(svg('text', { x: m.left + w + 8, y: y + barTop + barH / 2 + 5, class: 'ij-axis-label' }, formatCell(r.cell, 'hours')));
  });
  root.append(svg('line', { x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom, class: 'ij-axis' }));
  container.replaceChildren(root);
}

function tableRow(cells) {
  const tr = el('tr', { class: 'govuk-table__row' });
  cells.forEach((c, i) => {
    if (i === 0) tr.append(el('th', { scope: 'row', class: 'govuk-table__header' }, c));
    else tr.append(el('td', { class: `govuk-table__cell${c.numeric === false ? '' : ' govuk-table__cell--numeric'}` }, c.node ?? c));
  });
  return tr;
}

function renderMonthly(monthly) {
  groupedBars($('monthly-chart'), 'Referrals and completions by month',
    monthly.map((m) => ({ label: monthLabel(m.month), values: [m.referrals, m.completed] })),
    [{ label: 'Referrals', cls: 'ij-bar--a' }, { label: 'Completed', cls: 'ij-bar--b' }],
    { yLabel: 'Referrals' });
  const body = $('monthly-table').tBodies[0];
  body.replaceChildren(...monthly.map((m) => {
    const row = tableRow([monthLabel(m.month), cellNode(m.referrals), cellNode(m.completed)]);
    row.dataset.month = m.month;
    return row;
  }));
}

function renderHours(rows) {
  const labelled = rows.map((r) => ({ label: PLACEMENT_TYPES[r.placement_type] ?? r.placement_type, cell: r.hours, type: r.placement_type }));
  horizontalBars($('hours-chart'), 'Hours delivered by placement type', labelled);
  const body = $('hours-table').tBodies[0];
  body.replaceChildren(...labelled.map((r) => {
    const row = tableRow([r.label, cellNode(r.cell, 'hours')]);
    row.dataset.placementType = r.type;
    return row;
  }));
}

// A cohort whose rate cannot be given yet because its checks are still to come reads "pending".
function cohortRate(c) {
  const noneRecorded = !c.cohort?.suppressed && (c.cohort?.value ?? 0) === 0;
  if (noneRecorded && !c.pending?.suppressed && (c.pending?.value ?? 0) > 0) {
    return el('span', { class: 'ij-cell ij-cell--pending', 'data-pending': 'true' }, 'pending');
  }
  return cellNode(c.rate, 'rate');
}

function renderReoffending(data) {
  const windows = data.windows ?? [];
  groupedBars($('reoffending-chart'), 'Reoffending rate by window, completers and non-completers',
    windows.map((w) => ({ label: `${w.months} months`, values: [w.completers.rate, w.non_completers.rate] })),
    [{ label: 'Completed', cls: 'ij-bar--a' }, { label: 'Did not complete', cls: 'ij-bar--b' }],
    { kind: 'rate', yLabel: 'Reoffended' });
  const rows = [];
  for (const w of windows) {
    for (const [group, label] of [['completers', 'Completed'], ['non_completers', 'Did not complete']]) {
      const c = w[group];
      const row = tableRow([`${w.months} months`, { node: label, numeric: false }, cellNode(c.cohort), cellNode(c.reoffended),
        cohortRate(c), cellNode(c.pending)]);
      row.dataset.window = String(w.months);
      row.dataset.group = group;
      rows.push(row);
    }
  }
  $('reoffending-table').tBodies[0].replaceChildren(...rows);
  $('reoffending-note').textContent = data.note ?? '';
}

function renderCharts({ summary, reoffending }) {
  renderMonthly(summary.monthly ?? []);
  renderHours(summary.hours_by_placement_type ?? []);
  renderReoffending(reoffending);
}

// ---- the quarterly return ----------------------------------------------------------------------

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const QUARTERLY_FILTERS = ['from', 'to', 'ward', 'placement_type', 'offence_category', 'scope'];

// The quarterly return's query for the figures shown: their period (as the summary states it)
// and filters, without the age band, which the route does not take.
export function quarterlyParams(params, summary) {
  const q = new URLSearchParams();
  for (const name of QUARTERLY_FILTERS) {
    const v = params.get(name);
    if (v) q.set(name, v);
  }
  if (summary?.from) q.set('from', summary.from);
  if (summary?.to) q.set('to', summary.to);
  return q;
}

function quarterLabel(q) {
  const [y, n] = q.quarter.split('-Q');
  return `${y} Q${n}`;
}

// A window of reoffending: its rate with its interval, then "N of M" (reoffended of those whose
// check is recorded); a window that has not elapsed for every exit of the quarter reads "not yet".
function windowNode(w) {
  if (!w) return '–';
  if (!w.elapsed) {
    return el('span', { class: 'ij-cell ij-cell--pending', 'data-elapsed': 'false', title: w.note ?? null }, 'not yet',
      el('span', { class: 'govuk-visually-hidden' }, ` (the window elapses on ${dateLabel(w.elapses_on)})`));
  }
  return el('span', { class: 'ij-window', 'data-elapsed': 'true' },
    rateNode(w.rate),
    el('span', { class: 'ij-window__of' }, cellNode(w.reoffended), ' of ', cellNode(w.cohort)));
}

// A rate and its interval, as the other tables give them ("77.0% (61.0% to 88.0%)"), the
// interval on a line of its own so that the eleven columns stay narrow.
function rateNode(cell) {
  const text = formatRateWithInterval(cell);
  const rate = formatCell(cell, 'rate');
  if (text === rate) return cellNode(cell, 'rate');
  const node = cellNode(cell, 'rate', rate);
  node.append(el('span', { class: 'ij-interval' }, text.slice(rate.length)));
  return node;
}

function renderQuarterly(data) {
  const rows = (data.quarters ?? []).map((q) => {
    const windows = [3, 6, 12].map((m) => (q.reoffending ?? []).find((w) => w.months === m));
    const row = tableRow([quarterLabel(q), cellNode(q.referrals), cellNode(q.under_18), cellNode(q.adults),
      rateNode(q.started_within_target_rate), cellNode(q.hours_delivered, 'hours'), rateNode(q.completion_rate),
      rateNode(q.non_compliance_rate), ...windows.map(windowNode)]);
    row.dataset.quarter = q.quarter;
    return row;
  });
  if (!rows.length) {
    rows.push(el('tr', { class: 'govuk-table__row' },
      el('td', { class: 'govuk-table__cell', colspan: 11 }, 'No calendar quarter starts in this period.')));
  }
  $('quarterly-table').tBodies[0].replaceChildren(...rows);
  const first = data.quarters?.[0];
  const last = data.quarters?.at(-1);
  $('quarterly-period').textContent = first
    ? `Quarters from ${quarterLabel(first)} (starting ${dateLabel(first.start)}) to ${quarterLabel(last)} ` +
      `(ending ${dateLabel(last.end)}).`
    : '';
  const pending = (data.quarters ?? []).some((q) => (q.reoffending ?? []).some((w) => !w.elapsed));
  $('quarterly-note').textContent = '[c] means a figure is suppressed (see the note above). ' +
    (pending ? '“Not yet” means the reoffending window has not elapsed for every exit of the quarter. ' : '') +
    (data.note ?? '');
}

// ---- the comparison of areas (national view) ---------------------------------------------------

const AREA_COLUMNS = [
  { key: 'area_name', label: 'Area', kind: 'name' },
  { key: 'referrals', label: 'Referrals', kind: 'count' },
  { key: 'acceptance_rate', label: 'Acceptance', kind: 'rate' },
  { key: 'started_within_target_rate', label: 'Started within the target', kind: 'rate' },
  { key: 'completion_rate', label: 'Completion', kind: 'rate' },
  { key: 'non_compliance_rate', label: 'Non-compliance', kind: 'rate' },
  { key: 'attendance_rate', label: 'Attendance', kind: 'rate' },
];
let areaRows = [];
let areaSort = { key: 'area_name', dir: 'ascending' };

function areaCells(row, name) {
  return AREA_COLUMNS.map((c) => {
    if (c.kind === 'name') return name;
    const cell = row[c.key];
    return cellNode(cell, c.kind, c.kind === 'rate' ? formatRateWithInterval(cell) : formatCell(cell, c.kind));
  });
}

// Suppressed and missing figures sort last either way.
function sortAreas(rows, { key, dir }) {
  const sign = dir === 'ascending' ? 1 : -1;
  const value = (r) => (key === 'area_name' ? r.area_name : r[key] && !r[key].suppressed ? r[key].value : null);
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null || x === undefined || y === undefined) {
      return (x === null || x === undefined) - (y === null || y === undefined) || a.area_name.localeCompare(b.area_name, 'en-GB');
    }
    const d = key === 'area_name' ? x.localeCompare(y, 'en-GB') : x - y;
    return d * sign || a.area_name.localeCompare(b.area_name, 'en-GB');
  });
}

function renderAreaHead() {
  const tr = $('areas-table').tHead.rows[0];
  tr.replaceChildren(...AREA_COLUMNS.map((c) => {
    const sorted = areaSort.key === c.key;
    const th = el('th', {
      scope: 'col',
      class: `govuk-table__header${c.kind === 'name' ? '' : ' govuk-table__header--numeric'}`,
      'aria-sort': sorted ? areaSort.dir : 'none',
    });
    const button = el('button', { type: 'button', class: 'ij-sort', 'data-sort': c.key }, c.label,
      el('span', { class: 'ij-sort__arrow', 'aria-hidden': 'true' }, sorted ? (areaSort.dir === 'ascending' ? ' ▲' : ' ▼') : ''));
    button.addEventListener('click', () => {
      areaSort = { key: c.key, dir: sorted && areaSort.dir === 'ascending' ? 'descending' : 'ascending' };
      renderAreaBody();
      renderAreaHead();
      $('areas-table').querySelector(`[data-sort="${c.key}"]`)?.focus();
    });
    th.append(button);
    return th;
  }));
}

function renderAreaBody() {
  $('areas-table').tBodies[0].replaceChildren(...sortAreas(areaRows, areaSort).map((r) => {
    const row = tableRow(areaCells(r, r.area_name));
    row.dataset.area = r.area;
    return row;
  }));
}

function renderAreas(data) {
  areaRows = data.areas ?? [];
  renderAreaHead();
  renderAreaBody();
  const total = tableRow(areaCells(data.national ?? {}, 'All areas'));
  total.dataset.area = 'national';
  $('areas-table').tFoot.replaceChildren(total);
}

// ---- loading -----------------------------------------------------------------------------------

async function load(params) {
  const seq = ++loadSeq;
  hideError();
  setState('loading', 'Loading the figures…');
  try {
    const isNational = params.get('scope') === 'national';
    const areasParams = new URLSearchParams(params);
    areasParams.delete('scope');
    const summaryLoad = api('/v1/stats/summary', params).then((r) => r.json());
    // the quarterly return of the period the summary states (its default when none is given)
    const quarterlyLoad = summaryLoad.then(async (s) => {
      const q = quarterlyParams(params, s);
      return { query: q, body: await (await api('/v1/stats/quarterly', q)).json() };
    });
    const [summary, reoffending, areas, quarterly] = await Promise.all([
      summaryLoad,
      api('/v1/stats/reoffending', params).then((r) => r.json()),
      isNational ? api('/v1/stats/areas', areasParams).then((r) => r.json()) : null,
      quarterlyLoad,
    ]);
    if (seq !== loadSeq) return; // a newer request is on its way
    $('areas-section').hidden = !isNational;
    if (areas) renderAreas(areas);
    renderFigures(summary.figures ?? {});
    $('results').hidden = false; // the charts take the width they are shown at
    renderMonthly(summary.monthly ?? []);
    renderHours(summary.hours_by_placement_type ?? []);
    renderReoffending(reoffending);
    renderQuarterly(quarterly.body);
    shownQuarterly = quarterly.query;
    $('quarterly-age-note').hidden = !params.get('age_band');
    lastShown = { summary, reoffending };
    if (!$('from').value && summary.from) $('from').value = summary.from;
    if (!$('to').value && summary.to) $('to').value = summary.to;
    shownParams = new URLSearchParams(params);
    const place = summary.scope === 'national' ? 'All areas' : summary.area_name ?? summary.area;
    $('area-caption').textContent = `Immediate Justice – ${place}`;
    $('period').textContent = `Figures for referrals made from ${dateLabel(summary.from)} to ${dateLabel(summary.to)}` +
      ' (reoffending: people who left the scheme in that period).';
    $('freshness').textContent = freshnessText(summary.freshness);
    const th = summary.thresholds ?? {};
    $('thresholds').textContent = th.min_count
      ? `Counts from 1 to ${th.min_count - 1} are suppressed, rates are not shown on fewer than ${th.min_denominator} cases, ` +
        'and where a total would reveal a suppressed figure another figure is suppressed too.'
      : '';
    $('results').hidden = false;
    setState('ready', null);
    const query = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}`);
  } catch (err) {
    if (seq !== loadSeq) return;
    showError(err instanceof ApiError ? err : new ApiError(0, `The figures could not be shown: ${err.message}`));
  }
}

// Who is reading: a national commissioner gets the choice of the national view, at first.
async function loadMe() {
  const me = await (await api('/v1/me')).json();
  national = (me.roles ?? []).includes('national_commissioner');
  $('scope-group').hidden = !national;
  if (national && !$('scope').dataset.initial) $('scope').value = 'national';
  showScope();
}

async function loadWards() {
  const res = await api('/v1/wards');
  const body = await res.json();
  const select = $('ward');
  const chosen = select.dataset.initial ?? '';
  for (const w of body.items ?? []) select.append(el('option', { value: w.code }, w.name));
  select.value = chosen;
}

// The CSV of a figure set on screen, with the filters of the figures shown: the summary, the
// reoffending figures, the comparison of areas or the quarterly return (which also comes as an
// Excel workbook). Fetched with the token in the Authorization header, never in the address.
async function downloadFile(button, path, what, type = 'text/csv', extension = 'csv') {
  button.disabled = true;
  try {
    const params = new URLSearchParams((what === 'quarterly' ? shownQuarterly : shownParams) ?? undefined);
    if (what === 'areas') params.delete('scope');
    const res = await api(path, params, type);
    const blob = await res.blob();
    const url = URL.createObjectURL(new Blob([blob], { type }));
    const scope = params.get('scope') === 'national' || what === 'areas' ? '-national' : '';
    const name = `immediate-justice-${what}${scope}-${params.get('from') ?? 'from'}-${params.get('to') ?? 'to'}.${extension}`;
    const a = el('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    showError(err instanceof ApiError ? err : new ApiError(0, err.message));
    $('results').hidden = false;
  } finally {
    button.disabled = false;
  }
}

function fillSelect(id, labels) {
  const select = $(id);
  for (const [code, label] of Object.entries(labels)) select.append(el('option', { value: code }, label));
}

async function start() {
  document.body.classList.add('govuk-frontend-supported');
  takeTokenFromAddress();
  fillSelect('placement_type', PLACEMENT_TYPES);
  fillSelect('offence_category', OFFENCE_CATEGORIES);
  // Filters given in the address (?ward=...) are applied on arrival.
  const initial = new URLSearchParams(location.search);
  for (const name of FILTERS) {
    const v = initial.get(name);
    if (v === null) continue;
    if (name === 'ward') $('ward').dataset.initial = v;
    $(name).value = v;
  }
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    load(formParams());
  });
  $('reset').addEventListener('click', () => {
    for (const name of FILTERS) $(name).value = '';
    load(formParams());
  });
  $('scope').addEventListener('change', showScope);
  const scope = initial.get('scope');
  if (scope === 'national' || scope === 'area') {
    $('scope').value = scope;
    $('scope').dataset.initial = scope;
  }
  for (const [id, path, what, type, extension] of [['download-csv', '/v1/stats/summary.csv', 'summary'],
    ['download-reoffending-csv', '/v1/stats/reoffending.csv', 'reoffending'],
    ['download-areas-csv', '/v1/stats/areas.csv', 'areas'],
    ['download-quarterly-csv', '/v1/stats/quarterly.csv', 'quarterly'],
    ['download-quarterly-xlsx', '/v1/stats/quarterly.xlsx', 'quarterly', XLSX_TYPE, 'xlsx']]) {
    $(id).addEventListener('click', () => downloadFile($(id), path, what, type, extension));
  }
  // charts are drawn at their width: again when it changes
  let width = window.innerWidth;
  window.addEventListener('resize', () => {
    if (window.innerWidth === width || !lastShown) return;
    width = window.innerWidth;
    renderCharts(lastShown);
  });
  try {
    await loadMe();
    await loadWards();
  } catch (err) {
    showError(err instanceof ApiError ? err : new ApiError(0, err.message));
    return;
  }
  await load(formParams());
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
