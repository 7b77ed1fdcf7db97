// Coordinators' decisions on a referral: accept or reject it (triage), and the enforcement
// decisions (first and second warnings, non-compliance, which ends the referral and so is
// confirmed first). Each is POST /v1/referrals/{id}/transitions with the referral's version as
// If-Match and an Idempotency-Key; the referral's key facts are on the page so that the decision
// can be made there.

import { api, ApiError } from './app-api.js';
import {
  backLink, banner, button, buttonGroup, clear, el, fmtMinutes, formValues, h1, h2, input, inset, label, link, p,
  radios, showProblem, summaryList, textarea, warningText,
} from './app-ui.js';
import { areaRules, formKey, keyFacts, reasonCodes, sending, wardNames, heading } from './app-coordinator-common.js';

const COORDINATOR = ['coordinator'];

async function loadReferral(id) {
  const r = await api('GET', `/v1/referrals/${encodeURIComponent(id)}`);
  return { ref: r.data, version: r.version ?? r.data.version };
}

// The page of a decision that cannot be taken now (another coordinator was quicker, or the
// referral has moved on): what it is now, and the way to its page.
function notNow(ctx, ref, title, why) {
  ctx.main.append(backLink(`#/referrals/${ref.id}`, 'Back to the referral'),
    ...heading(title, ref.person?.name), p(why), p(link(`#/referrals/${ref.id}`, 'Go to the referral'), ' or ', link('#/worklists', 'the work lists'), '.'));
}

// Sends the transition; answers the referral or throws the ApiError (after showing it).
async function send(ctx, { id, version, body, key, container, form, fields }) {
  try {
    const r = await api('POST', `/v1/referrals/${encodeURIComponent(id)}/transitions`, {
      body, ifMatch: version, idempotencyKey: key.value,
    });
    key.answered(null);
    return r.data;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    key.answered(err);
    showProblem(container, form, err, (f) => (fields.includes(f) ? f : null));
    ctx.setTitle(`Error: ${document.title.replace(/^Error: /, '').replace(/ – .*$/, '')}`);
    return null;
  }
}

function hoursText(ref) {
  return `${ref.hours_confirmed ?? ref.hours_proposed} hours`;
}

// ---- accept --------------------------------------------------------------------------------------

async function accept(ctx) {
  const { id } = ctx.params;
  const [{ ref, version }, names, rules] = await Promise.all([loadReferral(id), wardNames(), areaRules(ctx.me)]);
  if (ref.state !== 'submitted') {
    notNow(ctx, ref, 'This referral cannot be accepted', `It is ${label(ref.state).toLowerCase()}: only a referral awaiting triage can be accepted.`);
    return;
  }
  const key = formKey();
  const container = el('div', {});
  const bounds = rules ? `Between ${rules.hours_min} and ${rules.hours_max} hours. The officer proposed ${ref.hours_proposed}.` : `The officer proposed ${ref.hours_proposed}.`;
  const form = el('form', { novalidate: true, id: 'accept-form' },
    input({ name: 'hours_confirmed', id: 'hours_confirmed', label: 'Hours the person must work', hint: bounds,
      value: String(ref.hours_proposed), width: 3, inputmode: 'numeric' }),
    textarea({ name: 'suitability_notes', id: 'suitability_notes', label: 'Suitability and risk notes',
      hint: 'What makes the person suitable for reparative work, and anything a supervisor must know. Required.', rows: 5 }),
    buttonGroup(button('Accept referral', { id: 'accept-submit' }), link('#/worklists', 'Cancel')));
  container.append(...heading('Accept the referral', ref.person?.name), h2('The referral'), keyFacts(ref, names),
    h2('Your decision'), form);
  ctx.main.append(backLink('#/worklists', 'Back to the work lists'), container);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = formValues(form);
    const body = { event: 'accept' };
    if (v.suitability_notes) body.suitability_notes = v.suitability_notes;
    if (v.hours_confirmed !== '') {
      if (!/^\d{1,3}$/.test(v.hours_confirmed)) {
        const errors = [{ field: 'hours_confirmed', message: 'must be a whole number of hours' }];
        if (!v.suitability_notes) errors.push({ field: 'suitability_notes', message: 'are required' });
        showProblem(container, form, new ApiError(422, { errors }), (f) => f);
        return;
      }
      body.hours_confirmed = Number(v.hours_confirmed);
    }
    const done = await sending(form.querySelector('button'), () => send(ctx, {
      id, version, body, key, container, form, fields: ['hours_confirmed', 'suitability_notes'] }));
    if (done) {
      ctx.go(`/referrals/${id}`, banner('success', `The referral of ${done.person.name} is accepted`,
        p(`${hoursText(done)} confirmed. `, link(`#/referrals/${id}/book`, 'Book a session'), ' from the suggestions.')));
    }
  });
}

// ---- reject --------------------------------------------------------------------------------------

async function reject(ctx) {
  const { id } = ctx.params;
  const [{ ref, version }, names, codes] = await Promise.all([loadReferral(id), wardNames(), reasonCodes('reject')]);
  if (ref.state !== 'submitted') {
    notNow(ctx, ref, 'This referral cannot be rejected', `It is ${label(ref.state).toLowerCase()}: only a referral awaiting triage can be rejected.`);
    return;
  }
  const key = formKey();
  const container = el('div', {});
  const form = el('form', { novalidate: true, id: 'reject-form' },
    radios({ name: 'reason_code', legend: 'Why is it rejected?', items: codes.map((c) => ({ value: c.code, text: c.label })) }),
    textarea({ name: 'reason', id: 'reason', label: 'More detail (optional)', hint: 'The referring force is told the reason.', rows: 4 }),
    buttonGroup(button('Reject referral', { kind: 'warning', id: 'reject-submit' }), link('#/worklists', 'Cancel')));
  container.append(...heading('Reject the referral', ref.person?.name), h2('The referral'), keyFacts(ref, names),
    h2('Your decision'), form);
  ctx.main.append(backLink('#/worklists', 'Back to the work lists'), container);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = formValues(form);
    const body = { event: 'reject' };
    if (v.reason_code) body.reason_code = v.reason_code;
    if (v.reason) body.reason = v.reason;
    if (!v.reason_code) {
      showProblem(container, form, new ApiError(422, { errors: [{ field: 'reason_code', message: 'Select why the referral is rejected' }] }), (f) => f);
      return;
    }
    const done = await sending(form.querySelector('button'), () => send(ctx, {
      id, version, body, key, container, form, fields: ['reason_code', 'reason'] }));
    if (done) {
      const code = codes.find((c) => c.code === done.reason_code);
      ctx.go(`/referrals/${id}`, banner('success', `The referral of ${done.person.name} is rejected`,
        p(`Reason: ${code?.label ?? done.reason_code}. The referring force is told.`)));
    }
  });
}

// ---- warnings and non-compliance -----------------------------------------------------------------

const DECISIONS = {
  first_warning: {
    title: 'Give a first warning', button: 'Give first warning', kind: 'warning',
    legend: 'What breach is the warning for?',
    done: (name) => `A first warning is recorded for ${name}`,
    needs: 'A first warning can be given once a breach is on record (an unacceptable absence, a failure to comply, or being sent home for behaviour) and no warning has been given yet.',
  },
  second_warning: {
    title: 'Give a second warning', button: 'Give second warning', kind: 'warning',
    legend: 'What breach is the warning for?',
    done: (name) => `A second warning is recorded for ${name}`,
    needs: 'A second warning can be given after a first warning and a further breach since.',
  },
  declare_non_compliance: {
    title: 'Declare non-compliance', button: 'Continue', kind: 'non_compliance',
    legend: 'Why is the person not complying?',
    done: (name) => `${name}'s referral is returned for non-compliance`,
    needs: 'Non-compliance can be declared for a scheduled or in-progress referral with at least one breach on record.',
  },
};

async function decision(ctx) {
  const { id } = ctx.params;
  const event = ctx.query.get('event');
  const d = DECISIONS[event];
  if (!d) throw new ApiError(404, { title: 'There is no such decision' });
  const [{ ref, version }, names, codes] = await Promise.all([loadReferral(id), wardNames(), reasonCodes(d.kind)]);
  ctx.setTitle(d.title);
  if (!(ref.allowed_events ?? []).includes(event)) {
    notNow(ctx, ref, `You cannot ${d.title.charAt(0).toLowerCase()}${d.title.slice(1)} now`,
      `The referral is ${label(ref.state).toLowerCase()}, with ${ref.breaches} breaches and ${ref.warnings} warnings on record. ${d.needs}`);
    return;
  }
  const final = event === 'declare_non_compliance';
  const key = formKey();
  const container = el('div', {});
  const values = { reason_code: '', reason: '' };

  const facts = summaryList([
    ['Breaches on record', String(ref.breaches)],
    ['Warnings given', String(ref.warnings)],
    ['Hours worked', `${fmtMinutes(ref.minutes_credited) || '0 h'} of ${hoursText(ref)}`],
  ], { id: 'enforcement-facts' });

  function showForm() {
    clear(container);
    const form = el('form', { novalidate: true, id: 'decision-form' },
      radios({ name: 'reason_code', legend: d.legend, value: values.reason_code, items: codes.map((c) => ({ value: c.code, text: c.label })) }),
      textarea({ name: 'reason', id: 'reason', label: final ? 'What happened' : 'More detail (optional)', value: values.reason,
        hint: final ? 'Required. The referring force is told the outcome.' : 'Kept with the referral’s history.', rows: 4 }),
      buttonGroup(button(d.button, { id: 'decision-submit' }), link(`#/referrals/${id}`, 'Cancel')));
    container.append(...heading(d.title, ref.person?.name),
      final ? null : inset(`The referral stays ${label(ref.state).toLowerCase()}; the warning is kept in its history.`),
      facts, h2('The referral'), keyFacts(ref, names), h2('Your decision'), form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      Object.assign(values, formValues(form));
      const errors = [];
      if (!values.reason_code) errors.push({ field: 'reason_code', message: 'Select a reason' });
      if (final && !values.reason) errors.push({ field: 'reason', message: 'Say what happened' });
      if (errors.length) {
        showProblem(container, form, new ApiError(422, { errors }), (f) => f);
        ctx.setTitle(`Error: ${d.title}`);
        return;
      }
      if (final) {
        showConfirm();
        return;
      }
      const done = await sending(form.querySelector('button'), () => submit(form));
      if (done) finish(done);
    });
    return form;
  }

  // Non-compliance ends the referral: the choices are shown once more, with what will happen.
  function showConfirm() {
    clear(container);
    ctx.setTitle('Check the non-compliance decision');
    const code = codes.find((c) => c.code === values.reason_code);
    const form = el('form', { novalidate: true, id: 'confirm-form' },
      buttonGroup(button('Declare non-compliance', { kind: 'warning', id: 'confirm-submit' }),
        el('button', { class: 'govuk-button govuk-button--secondary', type: 'button', id: 'confirm-change', 'data-module': 'govuk-button', onclick: () => { showForm(); ctx.setTitle(d.title); } }, 'Change the reason')));
    container.append(...heading('Check before you declare non-compliance', ref.person?.name),
      summaryList([
        ['Person', ref.person?.name],
        ['Reason', code?.label ?? values.reason_code],
        ['What happened', values.reason],
        ['Breaches on record', String(ref.breaches)],
        ['Warnings given', String(ref.warnings)],
      ], { id: 'confirm-answers' }),
      warningText('This ends the referral. Its open bookings are cancelled and the referring force is told the outcome. It cannot be undone.'),
      form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const done = await sending(form.querySelector('button'), () => submit(form));
      if (done) finish(done);
    });
    container.querySelector('h1').scrollIntoView?.({ block: 'start' });
  }

  function submit(form) {
    const body = { event, reason_code: values.reason_code };
    if (values.reason) body.reason = values.reason;
    return send(ctx, { id, version, body, key, container, form, fields: form.id === 'decision-form' ? ['reason_code', 'reason'] : [] });
  }

  function finish(done) {
    const code = codes.find((c) => c.code === done.reason_code);
    ctx.go(`/referrals/${id}`, banner('success', d.done(done.person.name), p(`Reason: ${code?.label ?? done.reason_code}.`)));
  }

  ctx.main.append(backLink(`#/referrals/${id}`, 'Back to the referral'), container);
  showForm();
}

export const routes = [
  { path: '/referrals/:id/accept', roles: COORDINATOR, title: 'Accept a referral', render: accept },
  { path: '/referrals/:id/reject', roles: COORDINATOR, title: 'Reject a referral', render: reject },
  { path: '/referrals/:id/decision', roles: COORDINATOR, title: 'Enforcement decision', render: decision },
];
