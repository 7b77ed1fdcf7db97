// Officer part: making a referral (app-officer-new.js), "My referrals", the referral's page (for
// officers and coordinators), withdrawing a referral and correcting its details.

import { api, ApiError, newKey } from './app-api.js';
import {
  backLink, button, el, errorSummary, fmtDate, fmtDateTime, fmtMinutes, fmtSpan, h1, h2, input, label, link, p,
  problemText, radios, select, showProblem, summaryList, table, tag, textarea, warningText,
} from './app-ui.js';
import {
  CATEGORIES, DISPOSALS, RELATIONSHIPS, confirmationPage, forgetCache, forgetDraft, newReferral, sentenceOf, wards,
} from './app-officer-new.js';

const ENDED = ['rejected', 'withdrawn', 'closed'];

const EVENT_WORDS = {
  create: 'Referral made', accept: 'Accepted', reject: 'Rejected', book: 'Booked onto a session',
  unbook: 'Booking cancelled', attend: 'Attended a session', complete: 'Completed',
  declare_non_compliance: 'Declared non-compliant', withdraw: 'Withdrawn', close: 'Closed',
  first_warning: 'First warning given', second_warning: 'Second warning given', amend: 'Details corrected',
};

// One link for each event the caller may send now, to the page that does it.
const EVENT_LINKS = {
  withdraw: ['withdraw', 'Withdraw the referral'],
  accept: ['accept', 'Accept the referral'],
  reject: ['reject', 'Reject the referral'],
  first_warning: ['decision?event=first_warning', 'Give a first warning'],
  second_warning: ['decision?event=second_warning', 'Give a second warning'],
  declare_non_compliance: ['decision?event=declare_non_compliance', 'Declare non-compliance'],
};

const isCoordinator = (me) => me.roles.includes('coordinator');
const seesMessages = (me) => me.roles.includes('coordinator') || me.roles.includes('admin');

// ---- the messages sent to the person and the victim ----------------------------------------------

const MESSAGE_WORDS = {
  booking_confirmation: 'Session booked', reminder: 'Reminder the day before', session_cancelled: 'Session cancelled',
  session_moved: 'Session moved', hours_completed: 'Hours completed', victim_work_started: 'Work started (to the victim)',
  victim_work_completed: 'Work completed (to the victim)',
};
const STATUS_WORDS = {
  queued: 'Waiting to be sent', sending: 'Sent, waiting for delivery', delivered: 'Delivered', failed: 'Failed',
  'permanent-failure': 'Not delivered', 'temporary-failure': 'Not delivered yet', 'technical-failure': 'Not delivered',
  not_sent: 'Not sent', cancelled: 'Not needed',
};
const RECIPIENT_WORDS = { person: 'the person', guardian: 'the parent or guardian', victim: 'the victim' };
const NOT_SENT_WORDS = {
  no_consent: 'They did not agree to texts or emails.',
  do_not_message: 'The person is marked not to be messaged.',
  no_contact: 'No mobile number or email address is held.',
  no_template: 'The area has no template for this message.',
};

function messageEntry(m) {
  const how = m.channel === 'sms' ? 'by text' : m.channel === 'email' ? 'by email' : '';
  const to = [`To ${RECIPIENT_WORDS[m.recipient] ?? label(m.recipient)}`, how, m.to ? `(${m.to})` : ''].filter(Boolean).join(' ');
  const detail = m.status === 'not_sent' ? NOT_SENT_WORDS[m.reason] ?? m.reason
    : m.status === 'cancelled' ? 'The booking ended before it was due.'
      : m.error ?? (m.attempts > 1 ? `${m.attempts} attempts` : '');
  return [
    el('span', {}, MESSAGE_WORDS[m.kind] ?? label(m.kind), m.language === 'cy' ? ' (Welsh)' : null, el('br'), el('span', { class: 'govuk-body-s' }, to)),
    fmtDateTime(m.status_at ?? m.created_at),
    el('span', {}, tag(m.status, STATUS_WORDS[m.status] ?? label(m.status)), detail ? [el('br'), el('span', { class: 'govuk-body-s' }, detail)] : null),
  ];
}
const enc = encodeURIComponent;

// A write the app may send again keeps its Idempotency-Key until the service has answered for
// good; a refusal that changed nothing (a 4xx) lets the corrected form go with a new key.
const retryable = (err) => err.offline || err.status >= 500 || [408, 425, 429].includes(err.status)
  || (err.status === 409 && 'Idempotency-Key' in err.fields);

function hoursOf(min) {
  return min ? fmtMinutes(min) : '0 h';
}

// The next session: the API's `next_session` when the service gives it, otherwise the earliest
// booked session not over yet among the referral's bookings.
function nextSession(r, bookings) {
  if (r.next_session !== undefined) return r.next_session;
  const now = Date.now();
  const b = (bookings || []).filter((x) => x.status === 'booked' && Date.parse(x.session.ends_at) > now)
    .sort((x, y) => Date.parse(x.session.starts_at) - Date.parse(y.session.starts_at))[0];
  return b ? { booking_id: b.id, session_id: b.session.id, starts_at: b.session.starts_at, ends_at: b.session.ends_at, placement_name: b.session.placement_name } : null;
}

function nextSessionText(n) {
  if (!n) return 'None booked';
  return `${fmtSpan(n.starts_at, n.ends_at)}${n.placement_name ? `, ${n.placement_name}` : ''}`;
}

// ---- my referrals --------------------------------------------------------------------------------

async function myReferrals(ctx) {
  const cursor = ctx.query.get('cursor');
  const page = (await api('GET', '/v1/referrals', { query: { mine: 'true', limit: 10, cursor } })).data;
  ctx.main.append(h1('My referrals')[1]);
  if (!page.items.length) {
    ctx.main.append(p(cursor ? 'There are no more referrals.' : 'You have not made any referrals yet.'), p(link('#/referrals/new', 'Make a referral')));
    return;
  }
  ctx.main.append(p('Your referrals, newest first. ', link('#/referrals/new', 'Make a referral'), '.'));
  const line = (key, value) => el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, el('span', { class: 'govuk-!-font-weight-bold' }, `${key}: `), value);
  ctx.main.append(el('ul', { class: 'govuk-list ij-list-plain', id: 'my-referrals' }, page.items.map((r) =>
    el('li', { 'data-referral': r.id },
      el('h2', { class: 'govuk-heading-s govuk-!-margin-bottom-2' }, link(`#/referrals/${r.id}`, r.person.name)),
      el('p', { class: 'govuk-body govuk-!-margin-bottom-2' }, tag(r.state), r.overdue ? [' ', tag('overdue', 'Overdue')] : null),
      line('Start by', fmtDateTime(r.target_start_by)),
      r.next_session !== undefined ? line('Next session', nextSessionText(r.next_session)) : null,
      line('Referred', fmtDate(r.created_at))))));
  const nav = [];
  if (cursor) nav.push(el('div', { class: 'govuk-pagination__prev' }, el('a', { class: 'govuk-link govuk-pagination__link', href: '#/my-referrals', rel: 'prev' },
    el('span', { class: 'govuk-pagination__link-title' }, 'First page'))));
  if (page.next_cursor) nav.push(el('div', { class: 'govuk-pagination__next' }, el('a', { class: 'govuk-link govuk-pagination__link', href: `#/my-referrals?cursor=${enc(page.next_cursor)}`, rel: 'next', id: 'next-page' },
    el('span', { class: 'govuk-pagination__link-title' }, 'Next page'))));
  if (nav.length) ctx.main.append(el('nav', { class: 'govuk-pagination govuk-pagination--block', 'aria-label': 'Pages of your referrals' }, nav));
}

// ---- the referral's page -------------------------------------------------------------------------

function actionsFor(ctx, r) {
  const links = [];
  for (const ev of r.allowed_events || []) {
    const [path, text] = EVENT_LINKS[ev] || [];
    if (path) links.push(link(`#/referrals/${r.id}/${path}`, text, { 'data-action': ev }));
  }
  if (isCoordinator(ctx.me) && ['accepted', 'scheduled'].includes(r.state)) {
    links.push(link(`#/referrals/${r.id}/book`, 'Book a session', { 'data-action': 'book' }));
  }
  if (mayAmend(ctx.me, r)) links.push(link(`#/referrals/${r.id}/amend`, 'Correct the details', { 'data-action': 'amend' }));
  return links;
}

function mayAmend(me, r) {
  if (ENDED.includes(r.state)) return false;
  return isCoordinator(me) || (me.roles.includes('officer') && r.officer?.sub === me.sub);
}

function eventEntry(e) {
  const who = e.actor ? `${e.actor.name || e.actor.sub} (${label(e.actor.role)})` : '';
  return el('li', {},
    el('h3', { class: 'govuk-heading-s govuk-!-margin-bottom-1' }, EVENT_WORDS[e.event] || label(e.event)),
    el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, `${fmtDateTime(e.at)}${who ? `, by ${who}` : ''}`),
    e.reason_code || e.reason ? el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, `Reason: ${[e.reason_code ? label(e.reason_code) : null, e.reason].filter(Boolean).join(': ')}`) : null,
    e.fields?.length ? el('p', { class: 'govuk-body-s govuk-!-margin-bottom-0' }, `Changed: ${e.fields.map((f) => sentenceOf(f, '').trim() || f).join(', ')}`) : null);
}

function noticeEntry(n) {
  const who = n.kind === 'victim_update' ? 'to the victim' : n.kind === 'outcome' ? 'outcome' : 'progress';
  return [`${label(n.event)} (${who})`, fmtDateTime(n.created_at), n.delivered_at ? `Delivered ${fmtDateTime(n.delivered_at)}` : 'In the feed'];
}

async function settled(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { ok: false, err };
  }
}

async function referralPage(ctx) {
  if (ctx.params.id === 'new') return newReferral(ctx, null);
  const id = enc(ctx.params.id);
  const [rr, bookings, events, notices, wardList, messages] = await Promise.all([
    api('GET', `/v1/referrals/${id}`),
    settled(api('GET', `/v1/referrals/${id}/bookings`)),
    settled(api('GET', `/v1/referrals/${id}/events`, { query: { limit: 100 } })),
    settled(api('GET', '/v1/notices', { query: { referral_id: ctx.params.id, limit: 100 } })),
    settled(wards()),
    seesMessages(ctx.me) ? settled(api('GET', `/v1/referrals/${id}/messages`)) : null,
  ]);
  const r = rr.data;
  const wardName = (code) => (wardList.ok ? wardList.value.find((w) => w.code === code)?.name : null) ?? code;
  const bookingItems = bookings.ok ? bookings.value.data.items : [];
  ctx.setTitle(`Referral of ${r.person.name}`);
  const m = ctx.main;
  m.append(backLink(isCoordinator(ctx.me) ? '#/referrals' : '#/my-referrals', isCoordinator(ctx.me) ? 'Referrals' : 'My referrals'));
  m.append(...h1(r.person.name, 'Referral'));
  m.append(el('p', { class: 'govuk-body', id: 'state' }, tag(r.state), r.overdue ? [' ', tag('overdue', 'Overdue')] : null));
  if (r.overdue) m.append(warningText(`Work has not started and the target (${fmtDateTime(r.target_start_by)}) has passed.`));
  const actions = actionsFor(ctx, r);
  if (actions.length) {
    m.append(el('h2', { class: 'govuk-visually-hidden' }, 'What you can do'),
      el('ul', { class: 'govuk-list ij-actions', id: 'actions' }, actions.map((a) => el('li', {}, a))));
  }

  const next = nextSession(r, bookingItems);
  m.append(h2('Progress'), summaryList([
    ['State', tag(r.state)],
    ['Start by', fmtDateTime(r.target_start_by)],
    ['Next session', nextSessionText(next)],
    ['Hours proposed', `${r.hours_proposed} h`],
    ['Hours confirmed', r.hours_confirmed ? `${r.hours_confirmed} h` : 'Not yet (confirmed on acceptance)'],
    ['Hours credited', hoursOf(r.minutes_credited)],
    r.warnings ? ['Warnings', String(r.warnings)] : null,
    r.breaches ? ['Breaches', String(r.breaches)] : null,
    r.reason_code || r.reason ? ['Last reason', [r.reason_code ? label(r.reason_code) : null, r.reason].filter(Boolean).join(': ')] : null,
    r.suitability_notes ? ['Suitability notes', r.suitability_notes] : null,
    ['Referred', `${fmtDateTime(r.created_at)} by ${r.officer.name || r.officer.sub}`],
    ['Reference', el('span', { class: 'ij-reference' }, r.id)],
  ], { id: 'progress' }));

  const person = r.person;
  m.append(h2('The person'), summaryList([
    ['Name', person.name],
    ['Date of birth', fmtDate(person.date_of_birth)],
    ['Police identifier', person.police_id],
    ['Phone', person.phone],
    ['Email', person.email],
    ['Texts and emails', person.do_not_message ? 'Not to be messaged' : r.contact_consent ? `Agreed${r.message_language === 'cy' ? ', in Welsh' : ''}` : 'Not agreed'],
    ['Address', person.address],
    ['Postcode', person.postcode],
    ['Needs', person.needs_notes],
    ['Risks', person.risk_notes],
  ], { id: 'person' }));
  if (r.guardian) {
    m.append(h2('The parent or guardian'), summaryList([
      ['Name', r.guardian.name],
      ['Relationship', RELATIONSHIPS[r.guardian.relationship] ?? label(r.guardian.relationship)],
      ['Phone', r.guardian.phone],
      ['Email', r.guardian.email],
      ['Agrees', r.guardian.consent === null ? null : r.guardian.consent ? 'Yes' : 'No'],
    ], { id: 'guardian' }));
  }
  m.append(h2('The offence'), summaryList([
    ['Date', fmtDate(r.offence.date)],
    ['Kind', CATEGORIES[r.offence.category] ?? label(r.offence.category)],
    ['What happened', r.offence.description],
    ['Where', r.offence.location],
    ['Ward', wardName(r.offence.ward)],
    ['Disposal', DISPOSALS[r.disposal] ?? label(r.disposal)],
    ['Consent recorded', r.consent_recorded ? 'Yes' : 'No'],
  ], { id: 'offence' }));
  if (r.victim) {
    m.append(h2('The victim'), summaryList([
      ['Consulted', r.victim.consulted ? 'Yes' : 'No'],
      ['Preference', r.victim.preference],
      ['Told the outcome', r.victim.keep_updated ? 'Yes' : 'No'],
      ['Contact', r.victim.contact],
    ], { id: 'victim' }));
  }

  m.append(h2('Sessions', { id: 'sessions-heading' }));
  if (!bookings.ok) m.append(p(`The sessions cannot be shown: ${problemText(bookings.err)}`));
  else {
    m.append(table({
      id: 'bookings',
      head: ['When', 'Placement', 'Status', 'Credited'],
      rows: bookingItems.map((b) => [fmtSpan(b.session.starts_at, b.session.ends_at), b.session.placement_name, tag(b.status), hoursOf(b.minutes_credited)]),
      empty: 'No sessions booked yet.',
    }));
  }

  m.append(h2('Notices'));
  if (!notices.ok) m.append(p(notices.err.status === 403 ? 'Your role does not show the notices.' : `The notices cannot be shown: ${problemText(notices.err)}`));
  else {
    const list = notices.value.data.items.filter((n) => n.referral_id === r.id);
    m.append(p('What the service told the referring force (and the victim, if they asked) about this referral.'),
      table({ id: 'notices', head: ['Notice', 'Made', 'Delivery'], rows: list.map(noticeEntry), empty: 'No notices yet.' }));
  }

  if (messages) {
    m.append(h2('Messages'));
    if (!messages.ok) m.append(p(`The messages cannot be shown: ${problemText(messages.err)}`));
    else {
      m.append(p('Texts and emails sent through GOV.UK Notify about this referral, and any that could not be sent.'),
        table({ id: 'messages', head: ['Message', 'When', 'Status'], rows: messages.value.data.items.map(messageEntry), empty: 'No messages yet.' }));
    }
  }

  m.append(h2('History'));
  if (!events.ok) m.append(p(`The history cannot be shown: ${problemText(events.err)}`));
  else m.append(el('ol', { class: 'govuk-list ij-list-plain', id: 'history' }, events.value.data.items.map(eventEntry)));
}

// ---- withdraw ------------------------------------------------------------------------------------

function staleMessage(ctx) {
  const box = errorSummary([{ text: 'Someone changed this referral after you opened this page, so nothing was changed.' }], 'The referral has changed');
  box.querySelector('.govuk-error-summary__body').append(p(el('a', { class: 'govuk-link', href: `#${ctx.path}`, id: 'reload', onclick: (e) => {
    e.preventDefault();
    ctx.reload();
  } }, 'Reload the referral and try again')));
  return box;
}

async function withdrawPage(ctx) {
  const id = enc(ctx.params.id);
  const [rr, codes] = await Promise.all([
    api('GET', `/v1/referrals/${id}`),
    api('GET', '/v1/reason-codes', { query: { kind: 'withdraw' } }),
  ]);
  const r = rr.data;
  const version = rr.version ?? r.version;
  ctx.setTitle(`Withdraw the referral of ${r.person.name}`);
  ctx.main.append(backLink(`#/referrals/${r.id}`));
  if (!(r.allowed_events || []).includes('withdraw')) {
    ctx.main.append(...h1('This referral cannot be withdrawn', r.person.name),
      p(`It is ${label(r.state).toLowerCase()}. `, link(`#/referrals/${r.id}`, 'Go back to the referral'), '.'));
    return;
  }
  const key = newKey();
  let sendKey = key;
  const reasons = codes.data.items.filter((c) => c.active !== false);
  const col = el('div', { class: 'govuk-grid-column-two-thirds' });
  const form = el('form', { novalidate: true, id: 'withdraw-form' },
    radios({ name: 'reason_code', field: 'reason_code', legend: 'Why is the referral being withdrawn?', legendSize: 'm', items: reasons.map((c) => ({ value: c.code, text: c.label })) }),
    textarea({ name: 'reason', field: 'reason', label: 'Give details (optional)', hint: 'The coordinator and the referring force see this.', rows: 3 }),
    el('div', { class: 'govuk-button-group' },
      button('Withdraw the referral', { kind: 'warning', id: 'withdraw' }),
      link(`#/referrals/${r.id}`, 'Cancel')));
  col.append(...h1('Withdraw the referral', r.person.name),
    p('Withdrawing ends the referral: its bookings are cancelled and the referring force is told. It cannot be undone.'), form);
  ctx.main.append(el('div', { class: 'govuk-grid-row' }, col));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const send = form.querySelector('#withdraw');
    if (send.disabled) return;
    const reasonCode = form.querySelector('input[name="reason_code"]:checked')?.value;
    const reason = form.elements.reason.value.trim();
    if (!reasonCode) {
      showLocal(col, form, [{ field: 'reason_code', message: 'Select why the referral is being withdrawn' }]);
      return;
    }
    send.disabled = true;
    try {
      await api('POST', `/v1/referrals/${id}/transitions`, {
        body: { event: 'withdraw', reason_code: reasonCode, ...(reason ? { reason } : {}) },
        ifMatch: version, idempotencyKey: sendKey,
      });
      ctx.go(`/referrals/${r.id}`, successBanner('The referral was withdrawn'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      send.disabled = false;
      if (!retryable(err)) sendKey = newKey();
      if (err.status === 412 || err.status === 428) {
        showLocal(col, form, []);
        col.querySelector('#error-summary')?.remove();
        const box = staleMessage(ctx);
        col.prepend(box);
        box.focus();
        return;
      }
      showProblem(col, form, err, (f) => (f === 'reason_code' || f === 'reason' ? f : null));
    }
  });
}

// Errors the page finds itself (the GOV.UK way, as showProblem does for the API's): a summary
// linking to each field, and each message at its field. errors: [{field, message}].
function showLocal(container, form, errors) {
  container.querySelector('#error-summary')?.remove();
  for (const g of form.querySelectorAll('.govuk-form-group--error')) g.classList.remove('govuk-form-group--error');
  for (const m of form.querySelectorAll('.govuk-error-message')) m.remove();
  const list = [];
  for (const { field, message } of errors) {
    const group = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
    const id = group?.querySelector('input, select, textarea')?.id;
    list.push({ text: message, href: id ? `#${id}` : null });
    if (!group) continue;
    group.classList.add('govuk-form-group--error');
    const anchor = group.querySelector('.govuk-hint') || group.querySelector('legend, label');
    anchor.after(el('p', { class: 'govuk-error-message', id: `${id}-error` }, el('span', { class: 'govuk-visually-hidden' }, 'Error: '), message));
  }
  const summary = errorSummary(list);
  container.prepend(summary);
  summary.focus();
}

function successBanner(title) {
  return el('div', { class: 'govuk-notification-banner govuk-notification-banner--success', role: 'alert', 'aria-labelledby': 'banner-title', 'data-banner': 'success' },
    el('div', { class: 'govuk-notification-banner__header' },
      el('h2', { class: 'govuk-notification-banner__title', id: 'banner-title' }, 'Success')),
    el('div', { class: 'govuk-notification-banner__content' },
      el('p', { class: 'govuk-notification-banner__heading' }, title)));
}

// ---- amend ---------------------------------------------------------------------------------------

// What may be corrected, by group (the README's PATCH row): `when(r, me)` says whether the caller
// may correct the group now.
const AMEND_GROUPS = [
  { title: 'Contact details', when: () => true, fields: [
    { name: 'person.phone', label: 'Phone number', type: 'tel', width: 20 },
    { name: 'person.email', label: 'Email address', type: 'email' },
    { name: 'person.address', label: 'Address', kind: 'textarea' },
    { name: 'person.postcode', label: 'Postcode', width: 10 },
  ] },
  { title: 'Parent or guardian', when: (r) => !!r.guardian, fields: [
    { name: 'guardian.name', label: 'Full name', required: true },
    { name: 'guardian.relationship', label: 'Relationship', kind: 'select', items: RELATIONSHIPS },
    { name: 'guardian.phone', label: 'Phone number', type: 'tel', width: 20 },
    { name: 'guardian.email', label: 'Email address', type: 'email' },
  ] },
  { title: 'Texts and emails', when: () => true, fields: [
    { name: 'contact_consent', label: 'Agreed to be sent texts or emails about the work', kind: 'bool', items: { true: 'Yes, they agreed', false: 'No' } },
    { name: 'person.do_not_message', label: 'Never send the person any message', kind: 'bool', items: { false: 'No', true: 'Yes: send nothing, whatever they agreed' } },
    { name: 'message_language', label: 'Language of the messages', kind: 'select', items: { en: 'English', cy: 'Welsh (Cymraeg)' }, required: true },
  ] },
  { title: 'Needs and risks', when: (r, me) => isCoordinator(me) || r.state === 'submitted', fields: [
    { name: 'person.needs_notes', label: 'Needs', kind: 'textarea' },
    { name: 'person.risk_notes', label: 'Risks', kind: 'textarea' },
  ] },
  { title: 'The offence', when: (r, me) => isCoordinator(me) || r.state === 'submitted', fields: [
    { name: 'offence.category', label: 'Kind of offence', kind: 'select', items: CATEGORIES, required: true },
    { name: 'offence.description', label: 'What happened', kind: 'textarea' },
    { name: 'offence.location', label: 'Where it happened' },
    { name: 'offence.ward', label: 'Ward', kind: 'ward', required: true },
  ] },
  { title: 'The victim', when: (r, me) => !!r.victim && (isCoordinator(me) || r.state === 'submitted'), fields: [
    { name: 'victim.preference', label: 'What reparation the victim would like', kind: 'textarea' },
  ] },
  { title: 'Hours', when: (r) => r.state === 'submitted', fields: [
    { name: 'hours_proposed', label: 'Hours proposed', kind: 'number', width: 2, required: true },
  ] },
];

const valueAt = (r, path) => path.split('.').reduce((o, k) => (o == null ? o : o[k]), r);

async function amendPage(ctx) {
  const id = enc(ctx.params.id);
  const [rr, wardList] = await Promise.all([api('GET', `/v1/referrals/${id}`), wards()]);
  const r = rr.data;
  const version = rr.version ?? r.version;
  ctx.setTitle(`Correct the details of ${r.person.name}`);
  ctx.main.append(backLink(`#/referrals/${r.id}`));
  if (!mayAmend(ctx.me, r)) {
    ctx.main.append(...h1('These details cannot be corrected', r.person.name),
      p(ENDED.includes(r.state) ? `The referral is ${label(r.state).toLowerCase()}, so its record is kept as it is.` : 'Only the referring officer or a coordinator may correct a referral.'),
      p(link(`#/referrals/${r.id}`, 'Go back to the referral')));
    return;
  }
  const groups = AMEND_GROUPS.filter((g) => g.when(r, ctx.me));
  const activeWards = wardList.filter((w) => w.active !== false || w.code === r.offence.ward);
  const col = el('div', { class: 'govuk-grid-column-two-thirds' });
  const controlOf = (f) => {
    const v = valueAt(r, f.name);
    const common = { name: f.name, field: f.name, label: f.label, value: v === null || v === undefined ? '' : String(v) };
    if (f.kind === 'textarea') return textarea({ ...common, rows: 3 });
    if (f.kind === 'bool') return select({ ...common, value: v ? 'true' : 'false', items: Object.entries(f.items).map(([value, text]) => ({ value, text })) });
    if (f.kind === 'select') return select({ ...common, items: [...(f.required ? [] : [{ value: '', text: 'Not given' }]), ...Object.entries(f.items).map(([value, text]) => ({ value, text }))] });
    if (f.kind === 'ward') return select({ ...common, items: activeWards.map((w) => ({ value: w.code, text: w.name })) });
    if (f.kind === 'number') return input({ ...common, inputmode: 'numeric', width: f.width, hint: 'Only until a coordinator accepts the referral' });
    return input({ ...common, type: f.type, width: f.width, spellcheck: f.type === 'email' ? false : null });
  };
  const form = el('form', { novalidate: true, id: 'amend-form' },
    groups.map((g) => [h2(g.title), g.fields.map(controlOf)]),
    el('div', { class: 'govuk-button-group' }, button('Save the corrections', { id: 'save' }), link(`#/referrals/${r.id}`, 'Cancel')));
  const fixed = ctx.me.roles.includes('officer') && !isCoordinator(ctx.me) && r.state !== 'submitted'
    ? p('A coordinator has triaged this referral, so you can correct only how to reach the person (and their parent or guardian). Ask the coordinator to correct anything else.')
    : null;
  col.append(...h1('Correct the details', r.person.name),
    p('Change what is wrong and save. The name, date of birth, police identifier, offence date, disposal and the consent to take part cannot be changed: if one of them is wrong, withdraw the referral as made in error and refer again.'),
    ...(fixed ? [fixed] : []), form);
  ctx.main.append(el('div', { class: 'govuk-grid-row' }, col));
  let key = newKey();
  let lastBody = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const save = form.querySelector('#save');
    if (save.disabled) return;
    const body = {};
    const local = [];
    for (const g of groups) {
      for (const f of g.fields) {
        const now = (form.elements[f.name]?.value ?? '').trim();
        const before = valueAt(r, f.name);
        const was = f.kind === 'bool' ? String(!!before) : before === null || before === undefined ? '' : String(before);
        if (now === was) continue;
        if (!now && f.required) {
          local.push({ field: f.name, message: `${f.label} must not be empty` });
          continue;
        }
        let v = f.kind === 'bool' ? now === 'true' : now || null;
        if (f.kind === 'number') {
          if (!/^\d+$/.test(now)) {
            local.push({ field: f.name, message: 'Hours must be a whole number, like 7' });
            continue;
          }
          v = Number(now);
        }
        const [top, sub] = f.name.split('.');
        if (sub) (body[top] ||= {})[sub] = v;
        else body[top] = v;
      }
    }
    if (local.length) {
      showLocal(col, form, local);
      return;
    }
    if (!Object.keys(body).length) {
      showLocal(col, form, [{ field: '', message: 'You have not changed anything. Change a detail, or cancel.' }]);
      return;
    }
    // a different correction after a refusal is a new request: it gets a new key
    const text = JSON.stringify(body);
    if (lastBody !== null && lastBody !== text) key = newKey();
    lastBody = text;
    save.disabled = true;
    try {
      await api('PATCH', `/v1/referrals/${id}`, { body, ifMatch: version, idempotencyKey: key });
      ctx.go(`/referrals/${r.id}`, successBanner('The details were corrected'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      save.disabled = false;
      if (!retryable(err)) {
        key = newKey();
        lastBody = null;
      }
      if (err.status === 412 || err.status === 428) {
        showLocal(col, form, []);
        col.querySelector('#error-summary')?.remove();
        const box = staleMessage(ctx);
        col.prepend(box);
        box.focus();
        return;
      }
      showProblem(col, form, err, (f) => (form.querySelector(`[data-field="${CSS.escape(f)}"]`) ? f : null));
    }
  });
}

// ---- routes and menu -----------------------------------------------------------------------------

export const routes = [
  { path: '/referrals/new', roles: ['officer'], title: 'Make a referral', render: (ctx) => newReferral(ctx, null) },
  { path: '/referrals/new/:step', roles: ['officer'], title: 'Make a referral', render: (ctx) => newReferral(ctx, ctx.params.step) },
  { path: '/referrals/:id/confirmation', roles: ['officer'], title: 'Referral sent', render: confirmationPage },
  { path: '/my-referrals', roles: ['officer'], title: 'My referrals', render: myReferrals },
  { path: '/referrals/:id', roles: ['officer', 'coordinator'], title: 'Referral', render: referralPage },
  { path: '/referrals/:id/withdraw', roles: ['officer', 'coordinator'], title: 'Withdraw the referral', render: withdrawPage },
  { path: '/referrals/:id/amend', roles: ['officer', 'coordinator'], title: 'Correct the details', render: amendPage },
];

export const nav = [
  { href: '#/referrals/new', text: 'Make a referral', roles: ['officer'], order: 10, description: 'Refer a person for reparative work: question pages, then check your answers and send.' },
  { href: '#/my-referrals', text: 'My referrals', roles: ['officer'], order: 20, description: 'The referrals you made: their state, next session and notices; withdraw one or correct its details.' },
];

export function onSignOut() {
  forgetDraft();
  forgetCache();
}
