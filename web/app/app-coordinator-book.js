// Booking a referral from the service's suggestions: GET /v1/referrals/{id}/session-suggestions
// answers the sessions it could be booked on now, best first (the earliest suitable ones that
// start within the area's start target first); one press books one (POST
// /v1/referrals/{id}/bookings with an Idempotency-Key). A refusal (the last place was just taken,
// say) is shown and the list read again.

import { api, ApiError } from './app-api.js';
import {
  backLink, banner, button, clear, el, fmtDateTime, fmtSpan, h1, h2, label, link, p, showProblem, summaryList, tag,
} from './app-ui.js';
import { areaRules, formKey, keyFacts, sending, wardName, wardNames, heading } from './app-coordinator-common.js';

const COORDINATOR = ['coordinator'];
const BOOKABLE = ['accepted', 'scheduled', 'in_progress'];

function supervisorName(s) {
  if (!s) return '';
  return typeof s === 'string' ? s : s.name ?? s.sub ?? '';
}

async function book(ctx) {
  const { id } = ctx.params;
  const [refAnswer, names, rules] = await Promise.all([
    api('GET', `/v1/referrals/${encodeURIComponent(id)}`), wardNames(), areaRules(ctx.me)]);
  const ref = refAnswer.data;
  const name = ref.person?.name;
  ctx.main.append(backLink(`#/referrals/${id}`, 'Back to the referral'));
  if (!BOOKABLE.includes(ref.state)) {
    ctx.main.append(...heading('This referral cannot be booked', name),
      p(`It is ${label(ref.state).toLowerCase()}: only an accepted, scheduled or in-progress referral can be booked.`),
      p(link(`#/referrals/${id}`, 'Go to the referral'), '.'));
    return;
  }
  const target = rules?.target_start_hours ?? 48;
  const container = el('div', {});
  const list = el('div', { id: 'suggestions', 'aria-live': 'polite' });
  const keys = new Map(); // session id -> its Idempotency-Key, while the suggestion is on screen
  container.append(...heading('Book a session', name),
    h2('Suggested sessions', { id: 'suggestions-heading' }),
    p(`The sessions the person could be booked on now, best first: the earliest that start within the ${target}-hour target, with places left, old enough for the placement, not overlapping another booking and with nobody they must not be placed with.`),
    list,
    h2('The referral'),
    keyFacts(ref, names));
  ctx.main.append(container);

  async function draw() {
    const items = (await api('GET', `/v1/referrals/${encodeURIComponent(id)}/session-suggestions`, { query: { limit: 5 } })).data.items ?? [];
    clear(list);
    const shown = new Set(items.map((it) => it.session.id));
    for (const k of [...keys.keys()]) if (!shown.has(k)) keys.delete(k);
    if (!items.length) {
      list.append(p('No session can be suggested now: none with a place left that the person could attend. ',
        link('#/sessions', 'See the week’s sessions'), ' or add one to a placement.'));
      return;
    }
    list.append(el('ol', { class: 'govuk-list ij-suggestions' }, items.map((it, i) => card(it, i))));
  }

  function card(it, i) {
    const s = it.session;
    if (!keys.has(s.id)) keys.set(s.id, formKey());
    const headingId = `suggestion-${i + 1}-heading`;
    const form = el('form', { novalidate: true, 'data-session': s.id },
      button('Book this session', { class: 'govuk-button govuk-!-margin-bottom-0', 'aria-describedby': headingId, 'data-book': s.id }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      await sending(form.querySelector('button'), () => bookOn(it, form));
    });
    return el('li', { class: 'ij-card', 'data-suggestion': s.id },
      el('h3', { class: 'govuk-heading-s', id: headingId }, `${i + 1}. ${fmtSpan(s.starts_at, s.ends_at)}, ${s.placement.name}`),
      summaryList([
        ['Placement', `${s.placement.name} (${label(s.placement.type)}, ${wardName(names, s.placement.ward)})`],
        ['Supervisor', supervisorName(s.supervisor)],
        ['Places left', el('span', { 'data-places': s.id }, `${s.places_left} of ${s.capacity}`)],
        ['Start target', it.within_target
          ? tag('recorded', `Within the ${target}-hour target`)
          : tag('pending', `After the ${target}-hour target`)],
      ], { class: 'govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-3' }),
      form);
  }

  async function bookOn(it, form) {
    const s = it.session;
    const key = keys.get(s.id);
    try {
      await api('POST', `/v1/referrals/${encodeURIComponent(id)}/bookings`, { body: { session_id: s.id }, idempotencyKey: key.value });
      key.answered(null);
      ctx.go(`/referrals/${id}`, banner('success', `${name} is booked`,
        p(`${s.placement.name}, ${fmtSpan(s.starts_at, s.ends_at)}.`)));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      key.answered(err);
      const why = err.fields?.session_id || err.fields?.referral || err.problem?.detail || null;
      const refusal = new ApiError(err.status, err.problem);
      refusal.fields = {};
      if (!err.offline) {
        refusal.problem = { detail: `The session on ${fmtDateTime(s.starts_at)} at ${s.placement.name} could not be booked${why ? `: ${why}` : ''}. The suggestions below are up to date; choose another.` };
        refusal.message = refusal.problem.detail;
      }
      if (!err.offline) {
        try {
          await draw();
        } catch (again) {
          if (!(again instanceof ApiError)) throw again;
        }
      }
      showProblem(container, form, refusal, () => null);
      ctx.setTitle('Error: Book a session');
    }
  }

  await draw();
}

export const routes = [
  { path: '/referrals/:id/book', roles: COORDINATOR, title: 'Book a session', render: book },
];
