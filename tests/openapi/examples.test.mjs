#!/usr/bin/env node
// The contract, executed (ctest: openapi-examples): every request example in openapi/openapi.yaml
// is sent to the real `ij serve` on a fresh area, after the state it needs has been made through
// the API (a referral in the right state, a session that has happened, a check that is due), and
// must get a 2xx status the contract documents for that operation. An example's own values are
// sent as written, except what cannot be known in advance, put in its place here: the ids of what
// this test made, dates and times relative to today (an offence yesterday, a session the day after
// tomorrow, a reoffence within the check's window), and the area's wards. A request body example
// the test does not know how to prepare fails the test, so a new example cannot go unsent. An
// operation that documents the Idempotency-Key header is sent with a fresh key and then sent again
// as it was, and the second answer must be the first replayed (Idempotent-Replayed: true).
//
// Environment: IJ_BIN, DATABASE_URL, DATABASE_OWNER_URL (scripts/test and tests/CMakeLists.txt).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import YAML from 'yaml';

import { IJ_BIN, Server, TestFailure, check, main, psql, request, requireEnv, run, say, setUp } from '../faults/lib.mjs';

requireEnv('IJ_BIN', 'DATABASE_URL');
const SPEC = path.join(path.dirname(new URL(import.meta.url).pathname), '../../openapi/openapi.yaml');
let server;

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const hoursFromNow = (h) => {
  const t = new Date(Date.now() + h * 3_600_000);
  t.setUTCSeconds(0, 0);
  return t.toISOString().replace('.000Z', 'Z');
};
const clone = (v) => JSON.parse(JSON.stringify(v));

// Every request body example of the contract: {method, route, contentType, name, value, success}.
function examplesOf(spec) {
  const out = [];
  for (const [route, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!op?.requestBody) continue;
      const success = Object.keys(op.responses || {}).filter((c) => /^2\d\d$/.test(c)).map(Number);
      // an operation that documents Idempotency-Key is sent with one, and then sent again
      const idempotent = [...(ops.parameters || []), ...(op.parameters || [])]
        .some((p) => p?.$ref === '#/components/parameters/IdempotencyKey');
      for (const [contentType, media] of Object.entries(op.requestBody.content || {})) {
        const named = Object.entries(media.examples || {}).map(([name, e]) => ({ name, value: e.value }));
        if (media.example !== undefined) named.push({ name: 'example', value: media.example });
        for (const { name, value } of named) {
          out.push({ method: method.toUpperCase(), route, contentType, name, value, success, idempotent });
        }
      }
    }
  }
  return out;
}

// ---- making state through the API ----------------------------------------------------------------

class World {
  constructor(world, base) {
    this.w = world;
    this.base = base;
    this.n = 0;
  }

  async call(method, route, token, { body, headers = {}, raw, contentType } = {}) {
    const h = { ...headers };
    if (raw !== undefined) {
      return rawRequest(this.base, method, route, token, raw, contentType, h);
    }
    return request(this.base, method, route, { token, body, headers: h });
  }

  async ok(method, route, token, options = {}) {
    const r = await this.call(method, route, token, options);
    check(r.status >= 200 && r.status < 300, `${method} ${route} answered ${r.status}: ${r.text}`);
    return r;
  }

  get officer() { return this.w.tokens.officer; }
  get coordinator() { return this.w.tokens.coordinator; }

  // An admin of `area` (the test's own unless named), made once per area.
  adminOf(area = this.w.area) {
    this.admins = this.admins || {};
    if (!this.admins[area]) {
      this.admins[area] = run(IJ_BIN, ['token', '--role', 'admin', '--area', area, '--sub', 'admin-1',
        '--name', 'Test admin', '--ttl', '7200'], { IJ_JWT_PRIVATE_KEY_FILE: path.join(this.w.tmp, 'private.jwk') });
    }
    return this.admins[area];
  }
  get admin() { return this.adminOf(); }

  // The supervisor in the area's directory (sessions may name only those).
  async supervisor(sub, name = 'Example Supervisor') {
    const r = await this.call('POST', '/v1/supervisors', this.admin, { body: { sub, name } });
    check(r.status === 201 || r.status === 409, `POST /v1/supervisors answered ${r.status}: ${r.text}`);
  }

  // An area of its own for the examples that change an area's rules (the others' referrals keep
  // the defaults they were prepared for).
  rulesArea() {
    if (!this.sideArea) {
      this.sideArea = `rules${crypto.randomBytes(5).toString('hex')}`;
      psql(`INSERT INTO areas (code, name) VALUES ('${this.sideArea}', 'Rules example area');`);
    }
    return this.sideArea;
  }

  async version(route) {
    const r = await this.ok('GET', route, this.coordinator);
    return r.headers.etag;
  }

  // A submitted referral of a new person (20 proposed hours, so that sessions do not complete it).
  async referral({ policeId, hours = 20 } = {}) {
    this.n += 1;
    const r = await this.ok('POST', '/v1/referrals', this.officer, {
      body: {
        person: { name: `Example Person ${this.n}`, date_of_birth: '2004-05-01',
          police_id: policeId || `EX/${crypto.randomBytes(4).toString('hex')}` },
        offence: { date: day(-1), category: 'asb', ward: 'ward-a' },
        disposal: 'community_resolution', consent_recorded: true, hours_proposed: hours,
      },
    });
    return r.json.id;
  }

  async transition(id, body, token = this.coordinator) {
    const etag = await this.version(`/v1/referrals/${id}`);
    return this.ok('POST', `/v1/referrals/${id}/transitions`, token, { body, headers: { 'If-Match': etag } });
  }

  async accepted(options) {
    const id = await this.referral(options);
    await this.transition(id, { event: 'accept', suitability_notes: 'Fine.' });
    return id;
  }

  async placement() {
    if (!this.placementId) {
      await this.supervisor('sup-1', 'Sam Supervisor'); // a placement names one of the directory
      const r = await this.ok('POST', '/v1/placements', this.coordinator, {
        body: { name: 'Example allotment', type: 'gardening', provider: 'Example Society', ward: 'ward-a',
          supervisor: { sub: 'sup-1', name: 'Sam Supervisor' } },
      });
      this.placementId = r.json.id;
    }
    return this.placementId;
  }

  // A session of `hours` hours starting `ahead` hours from now.
  async session(ahead = 48, hours = 2) {
    const r = await this.ok('POST', `/v1/placements/${await this.placement()}/sessions`, this.coordinator, {
      body: { starts_at: hoursFromNow(ahead), ends_at: hoursFromNow(ahead + hours), capacity: 8 },
    });
    return r.json.id;
  }

  // A session that ended a day ago, entered afterwards from a paper register.
  async overSession() {
    const r = await this.ok('POST', `/v1/placements/${await this.placement()}/sessions`, this.coordinator, {
      body: { starts_at: hoursFromNow(-27), ends_at: hoursFromNow(-24), capacity: 8,
        late_entry_reason: 'Register kept on paper on site.' },
    });
    return r.json.id;
  }

  async book(referral, session) {
    const r = await this.ok('POST', `/v1/referrals/${referral}/bookings`, this.coordinator, {
      body: { session_id: session },
    });
    return r.json.id;
  }

  // Moves a booking's session, and its bookings, a day and a half or more into the past (it has
  // happened), as the HTTP tests do: the service books only sessions that have not started. Each
  // goes 3 hours further back than the one before, so that one person's sessions never overlap.
  past(booking) {
    this.moved = (this.moved || 0) + 1;
    const back = `${36 + 3 * this.moved} hours`;
    psql(`WITH s AS (UPDATE sessions SET starts_at = date_trunc('minute', now()) - interval '${back}',
            ends_at = date_trunc('minute', now()) - interval '${back}' + (ends_at - starts_at)
          WHERE id = (SELECT session_id FROM bookings WHERE id = '${booking}') RETURNING id, starts_at, ends_at)
          UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at FROM s WHERE b.session_id = s.id;`);
  }

  // Moves a booking's session, and its bookings, to start `offset` (an SQL interval: '10 minutes',
  // '-90 minutes') from now; a sign-in moves with them, staying as long before the start.
  startsIn(booking, offset) {
    psql(`WITH s AS (UPDATE sessions SET starts_at = date_trunc('second', now()) + interval '${offset}',
            ends_at = date_trunc('second', now()) + interval '${offset}' + (ends_at - starts_at)
          WHERE id = (SELECT session_id FROM bookings WHERE id = '${booking}') RETURNING id, starts_at, ends_at)
          UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at,
            signed_in_at = b.signed_in_at + (s.starts_at - b.starts_at) FROM s WHERE b.session_id = s.id;`);
  }

  // A booking of an accepted referral on a session that has happened.
  async happened(referral) {
    const booking = await this.book(referral, await this.session());
    this.past(booking);
    return booking;
  }

  async outcome(booking, body) {
    const etag = await this.version(`/v1/bookings/${booking}`);
    return this.ok('POST', `/v1/bookings/${booking}/outcome`, this.coordinator, { body, headers: { 'If-Match': etag } });
  }

  // A referral with `breaches` unacceptable absences on record, still scheduled.
  async breached(breaches) {
    const id = await this.accepted();
    for (let i = 0; i < breaches; i++) {
      await this.outcome(await this.happened(id), { outcome: 'absent_unacceptable' });
    }
    return id;
  }

  // A completed referral (2 hours done) whose reoffending checks all fell due: its exit is moved
  // 13 months back. Returns {id, exitedOn}.
  async exitedLongAgo(policeId) {
    const id = await this.accepted({ policeId, hours: 2 });
    await this.outcome(await this.happened(id), { outcome: 'attended_complied' });
    const r = await this.ok('GET', `/v1/referrals/${id}`, this.coordinator);
    check(r.json.state === 'completed', `the referral should be completed, is ${r.json.state}`);
    const [[exitedOn]] = psql(`UPDATE followup_checks SET exited_on = exited_on - interval '13 months',
        due_on = (due_on - interval '13 months')::date WHERE referral_id = '${id}';
      SELECT min(exited_on)::text FROM followup_checks WHERE referral_id = '${id}';`);
    return { id, exitedOn };
  }
}

// A request with a body that is not JSON (the CSV import).
function rawRequest(base, method, route, token, text, contentType, headers) {
  const url = new URL(route, base);
  return fetch(url, {
    method, body: text,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, ...headers },
  }).then(async (res) => {
    const body = await res.text();
    let json = null;
    try { json = JSON.parse(body); } catch { /* not JSON */ }
    return { status: res.status, headers: Object.fromEntries(res.headers), text: body, json };
  });
}

// A date within a check's window after an exit: 30 days after it.
const withinWindow = (exitedOn) => new Date(Date.parse(`${exitedOn}T00:00:00Z`) + 30 * 86_400_000)
  .toISOString().slice(0, 10);

// ---- how each operation's examples are prepared --------------------------------------------------
// Each returns {route, token, body | raw, headers}: the request to send.

const prepare = {
  async 'POST /v1/referrals'(w, ex) {
    const body = clone(ex.value);
    body.offence.ward = 'ward-a';
    body.offence.date = day(-1);
    if (body.person.police_id) body.person.police_id = `EX/${crypto.randomBytes(4).toString('hex')}`;
    // a guardian's example is of a person under 18 today: 15 years old, whatever the year
    if (body.guardian) body.person.date_of_birth = `${Number(day(0).slice(0, 4)) - 15}${day(0).slice(4)}`.replace('-02-29', '-02-28');
    return { route: '/v1/referrals', token: w.officer, body };
  },

  // Two accepted referrals of two new people, named as the example names them (by referral or
  // by person record).
  async 'POST /v1/non-associations'(w, ex) {
    const body = clone(ex.value);
    const referrals = [await w.referral(), await w.referral()];
    if (body.referral_ids) body.referral_ids = referrals;
    if (body.person_ids) {
      body.person_ids = referrals.map((id) => psql(`SELECT person_id FROM referrals WHERE id = '${id}'`)[0][0]);
    }
    return { route: '/v1/non-associations', token: w.coordinator, body };
  },

  async 'POST /v1/referrals/{id}/transitions'(w, ex) {
    const event = ex.value.event;
    let id;
    let token = w.coordinator;
    if (event === 'accept' || event === 'reject') {
      id = await w.referral();
    } else if (event === 'withdraw') {
      id = await w.referral(); // the referring officer's own
      token = w.officer;
    } else if (event === 'declare_non_compliance' || event === 'first_warning') {
      id = await w.breached(1);
    } else if (event === 'second_warning') {
      id = await w.breached(1);
      await w.transition(id, { event: 'first_warning', reason_code: 'unacceptable_absence' });
      await w.outcome(await w.happened(id), { outcome: 'absent_unacceptable' });
    } else {
      throw new TestFailure(`no preparation for the transition example ${ex.name} (${event})`);
    }
    const route = `/v1/referrals/${id}/transitions`;
    return { route, token, body: ex.value, headers: { 'If-Match': await w.version(`/v1/referrals/${id}`) } };
  },

  // An amendment of a submitted referral that records a victim, with the ETag just read: the
  // referring officer corrects contact details (the person's, or the guardian's of a person under
  // 18, made as the under-18 create example is: 15 years old today), a coordinator anything
  // amendable before triage.
  async 'PATCH /v1/referrals/{id}'(w, ex) {
    const young = Boolean(ex.value.guardian);
    const dob = young
      ? `${Number(day(0).slice(0, 4)) - 15}${day(0).slice(4)}`.replace('-02-29', '-02-28')
      : '2004-05-01';
    const made = await w.ok('POST', '/v1/referrals', w.officer, {
      body: {
        person: { name: 'Example Amended', date_of_birth: dob, phone: '01332 000000' },
        offence: { date: day(-1), category: 'asb', ward: 'ward-a' },
        disposal: 'community_resolution', consent_recorded: true, hours_proposed: 7,
        victim: { consulted: true, keep_updated: false },
        ...(young ? { guardian: { name: 'Example Parent', relationship: 'parent',
          phone: '01332 000001', consent: true } } : {}),
      },
    });
    const id = made.json.id;
    const contactOnly = Object.keys(ex.value).length === 1 && (ex.value.person || ex.value.guardian);
    const token = contactOnly ? w.officer : w.coordinator;
    return { route: `/v1/referrals/${id}`, token, body: ex.value,
      headers: { 'If-Match': await w.version(`/v1/referrals/${id}`) } };
  },

  async 'POST /v1/referrals/{id}/bookings'(w, ex) {
    const id = await w.accepted();
    // a late entry books a session that is over, itself entered afterwards
    const session = ex.value.late_entry_reason ? await w.overSession() : await w.session();
    const body = { ...ex.value, session_id: session };
    return { route: `/v1/referrals/${id}/bookings`, token: w.coordinator, body };
  },

  async 'POST /v1/bookings/{id}/outcome'(w, ex) {
    const id = await w.accepted();
    const booking = await w.happened(id);
    const body = clone(ex.value);
    if (body.rescheduled_session_id) body.rescheduled_session_id = await w.session(72);
    if (body.amendment_reason) await w.outcome(booking, { outcome: 'attended_complied' });
    return { route: `/v1/bookings/${booking}/outcome`, token: w.coordinator, body,
      headers: { 'If-Match': await w.version(`/v1/bookings/${booking}`) } };
  },

  // Sign-in opens 30 minutes before the start: the session starts in 10 minutes.
  async 'POST /v1/bookings/{id}/sign-in'(w, ex) {
    const booking = await w.book(await w.accepted(), await w.session());
    w.startsIn(booking, '10 minutes');
    return { route: `/v1/bookings/${booking}/sign-in`, token: w.coordinator, body: ex.value };
  },

  // The person was signed in five minutes before a two-hour session that started 90 minutes ago;
  // the example's times become the session's start and an hour later, keeping the hour worked.
  async 'POST /v1/bookings/{id}/sign-out'(w, ex) {
    const booking = await w.book(await w.accepted(), await w.session());
    w.startsIn(booking, '5 minutes');
    await w.ok('POST', `/v1/bookings/${booking}/sign-in`, w.coordinator, { body: {} });
    w.startsIn(booking, '-90 minutes');
    const [[start]] = psql(`SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
      FROM bookings WHERE id = '${booking}'`);
    const body = clone(ex.value);
    const worked = Date.parse(body.finished_at) - Date.parse(body.started_at);
    body.started_at = start;
    body.finished_at = new Date(Date.parse(start) + worked).toISOString().replace('.000Z', 'Z');
    return { route: `/v1/bookings/${booking}/sign-out`, token: w.coordinator, body,
      headers: { 'If-Match': await w.version(`/v1/bookings/${booking}`) } };
  },

  // As many bookings as the example lists, of new referrals on one session that has happened.
  async 'POST /v1/sessions/{id}/outcomes'(w, ex) {
    const session = await w.session();
    const ids = [];
    for (let i = 0; i < ex.value.booking_ids.length; i++) ids.push(await w.book(await w.accepted(), session));
    w.past(ids[0]);
    return { route: `/v1/sessions/${session}/outcomes`, token: w.coordinator,
      body: { ...clone(ex.value), booking_ids: ids } };
  },

  async 'POST /v1/placements'(w, ex) {
    if (ex.value.supervisor) await w.supervisor(ex.value.supervisor.sub, ex.value.supervisor.name);
    return { route: '/v1/placements', token: w.coordinator, body: { ...ex.value, ward: 'ward-a' } };
  },

  async 'PATCH /v1/placements/{id}'(w, ex) {
    await w.supervisor('sup-1', 'Sam Supervisor');
    if (ex.value.supervisor) await w.supervisor(ex.value.supervisor.sub, ex.value.supervisor.name);
    const r = await w.ok('POST', '/v1/placements', w.coordinator, {
      body: { name: 'To change', type: 'other', provider: 'Example', ward: 'ward-b',
        location: 'The hall', supervisor: { sub: 'sup-1', name: 'Sam Supervisor' } },
    });
    return { route: `/v1/placements/${r.json.id}`, token: w.coordinator, body: ex.value,
      headers: { 'If-Match': r.headers.etag } };
  },

  async 'POST /v1/placements/{id}/sessions'(w, ex) {
    const body = clone(ex.value);
    if (body.supervisor) await w.supervisor(body.supervisor.sub, body.supervisor.name);
    const length = Date.parse(body.ends_at) - Date.parse(body.starts_at);
    body.starts_at = hoursFromNow(body.late_entry_reason ? -30 : 48); // a late entry is over
    body.ends_at = new Date(Date.parse(body.starts_at) + length).toISOString().replace('.000Z', 'Z');
    return { route: `/v1/placements/${await w.placement()}/sessions`, token: w.coordinator, body };
  },

  async 'POST /v1/wards'(w, ex) {
    return { route: '/v1/wards', token: w.admin, body: ex.value };
  },

  // A ward of its own for each example, so that a rename or retirement touches nothing else.
  async 'PATCH /v1/wards/{id}'(w, ex) {
    w.n += 1;
    const code = `example-${w.n}`;
    await w.ok('POST', '/v1/wards', w.admin, { body: { code, name: `Example ward ${w.n}` } });
    return { route: `/v1/wards/${code}`, token: w.admin, body: ex.value };
  },

  async 'POST /v1/reason-codes'(w, ex) {
    return { route: '/v1/reason-codes', token: w.admin, body: ex.value };
  },

  // A code of the area's own for each example: the national codes stay as other examples use them.
  async 'PATCH /v1/reason-codes/{id}'(w, ex) {
    w.n += 1;
    const code = `example_${w.n}`;
    await w.ok('POST', '/v1/reason-codes', w.admin, { body: { kind: 'reject', code, label: `Example ${w.n}` } });
    return { route: `/v1/reason-codes/reject.${code}`, token: w.admin, body: ex.value };
  },

  async 'PUT /v1/areas/{id}/rules'(w, ex) {
    const area = w.rulesArea();
    return { route: `/v1/areas/${area}/rules`, token: w.adminOf(area), body: ex.value };
  },

  async 'POST /v1/supervisors'(w, ex) {
    return { route: '/v1/supervisors', token: w.admin, body: ex.value };
  },

  async 'PATCH /v1/supervisors/{id}'(w, ex) {
    w.n += 1;
    const sub = `example-sup-${w.n}`;
    await w.supervisor(sub);
    return { route: `/v1/supervisors/${sub}`, token: w.admin, body: ex.value };
  },

  // A walk-in: an accepted person added to a session under way (moved to have started half an
  // hour ago, as the HTTP tests do).
  async 'POST /v1/sessions/{id}/walk-ins'(w, ex) {
    const session = await w.session(120);
    psql(`UPDATE sessions SET starts_at = now() - interval '30 minutes',
            ends_at = now() + interval '90 minutes' WHERE id = '${session}';`);
    const body = { ...ex.value, referral_id: await w.accepted() };
    return { route: `/v1/sessions/${session}/walk-ins`, token: w.coordinator, body };
  },

  async 'PATCH /v1/sessions/{id}'(w, ex) {
    const session = await w.session(96);
    await w.book(await w.accepted(), session); // something for a cancellation to end
    return { route: `/v1/sessions/${session}`, token: w.coordinator, body: ex.value,
      headers: { 'If-Match': await w.version(`/v1/sessions/${session}`) } };
  },

  async 'PATCH /v1/followups/{id}'(w, ex) {
    const { id, exitedOn } = await w.exitedLongAgo();
    const [[check3]] = psql(`SELECT id FROM followup_checks WHERE referral_id = '${id}' AND window_months = 3`);
    const body = clone(ex.value);
    if (body.first_reoffence_on) body.first_reoffence_on = withinWindow(exitedOn);
    return { route: `/v1/followups/${check3}`, token: w.coordinator, body,
      headers: { 'If-Match': await w.version(`/v1/followups/${check3}`) } };
  },

  // The area is this test's own; the URL is sent as written (an example.org address nothing
  // answers: the examples remove it again).
  async 'PUT /v1/areas/{area}/webhook'(w, ex) {
    return { route: `/v1/areas/${w.w.area}/webhook`, token: w.w.tokens.admin, body: ex.value };
  },

  // Notify's receipt for a message Notify took: the area's callback token and the message are
  // written by SQL (set through PUT /v1/areas/{area}/notify and written by a booking's trigger,
  // once those are there: then this can go through the API); the token is sent as Notify sends
  // it, and the example's ids are this test's (each example gets a message of its own).
  async 'POST /v1/areas/{area}/notify/receipts'(w, ex) {
    const area = w.w.area;
    w.callbackToken = w.callbackToken || `example-callback-${crypto.randomBytes(16).toString('hex')}`;
    const referral = await w.referral();
    const id = crypto.randomUUID();
    const notifyId = crypto.randomUUID();
    psql(`INSERT INTO area_notify_secrets (area, callback_token_sha256, updated_at)
            VALUES ('${area}', sha256(convert_to('${w.callbackToken}', 'UTF8')), now())
            ON CONFLICT (area) DO UPDATE SET callback_token_sha256 = EXCLUDED.callback_token_sha256;
          INSERT INTO messages (id, area, referral_id, kind, recipient, channel, to_address, language,
            template_id, personalisation, status, notify_id, created_at, sent_at, status_at)
            VALUES ('${id}', '${area}', '${referral}', 'booking_confirmation', 'person', 'sms',
            '07700900123', 'en', '${ex.value.template_id}', '{}', 'sending', '${notifyId}', now(),
            now(), now());`);
    return { route: `/v1/areas/${area}/notify/receipts`, token: w.callbackToken,
      body: { ...clone(ex.value), id: notifyId, reference: id } };
  },

  // The area is this test's own; the key, token and base URL are sent as written (nothing is
  // sent to Notify here: no message is made by these examples).
  async 'PUT /v1/areas/{area}/notify'(w, ex) {
    return { route: `/v1/areas/${w.w.area}/notify`, token: w.w.tokens.admin, body: ex.value };
  },

  // Welsh on first, so that a Welsh template is accepted (the settings' examples may have turned
  // it off again).
  async 'PUT /v1/areas/{area}/message-templates'(w, ex) {
    const on = await w.call('PUT', `/v1/areas/${w.w.area}/notify`, w.w.tokens.admin, {
      body: { base_url: 'https://api.notifications.service.gov.uk', reminder_time: '18:00', welsh: true },
    });
    if (on.status !== 200) throw new TestFailure(`turning Welsh on: ${on.status} ${on.text.slice(0, 200)}`);
    return { route: `/v1/areas/${w.w.area}/message-templates`, token: w.w.tokens.admin, body: ex.value };
  },

  // The rows' police identifiers are used as they are (the area is new, so they are free); the
  // referral id and the reoffence dates are this test's.
  async 'POST /v1/followups/import'(w, ex) {
    const lines = ex.value.replace(/\n$/, '').split('\n');
    const header = lines[0].split(',');
    const col = (name) => header.indexOf(name);
    let text = `${lines[0]}\n`;
    for (const line of lines.slice(1)) {
      // the police id may be quoted, with a comma inside
      const m = /^("(?:[^"]|"")*"|[^,]*),(.*)$/.exec(line);
      const policeId = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1];
      const rest = m[2].split(',');
      const { id, exitedOn } = await w.exitedLongAgo(policeId);
      const at = (name) => col(name) - 1; // index in `rest`
      if (rest[at('referral_id')]) rest[at('referral_id')] = id;
      if (rest[at('first_reoffence_on')]) rest[at('first_reoffence_on')] = withinWindow(exitedOn);
      text += `${m[1]},${rest.join(',')}\n`;
    }
    return { route: '/v1/followups/import', token: w.coordinator, raw: text, contentType: 'text/csv' };
  },
};

await main('every request example of the contract gets its documented status', async () => {
  const world = setUp('examples');
  server = await new Server(world).start();
  const w = new World(world, server.base);
  const spec = YAML.parse(fs.readFileSync(SPEC, 'utf8'));
  const examples = examplesOf(spec);
  check(examples.length > 0, 'the contract has no request examples');
  const failures = [];
  for (const ex of examples) {
    const key = `${ex.method} ${ex.route}`;
    const label = `${key} ${ex.contentType} example "${ex.name}"`;
    try {
      const make = prepare[key];
      if (!make) throw new TestFailure('no preparation for this operation: add one to examples.test.mjs');
      const req = await make(w, ex);
      const headers = { ...(req.headers || {}) };
      if (ex.idempotent) headers['Idempotency-Key'] = `example-${crypto.randomUUID()}`;
      const send = () => w.call(ex.method, req.route, req.token, {
        body: req.body, raw: req.raw, contentType: req.contentType, headers,
      });
      const r = await send();
      if (!ex.success.includes(r.status)) {
        failures.push(`${label}: ${r.status}, the contract documents ${ex.success.join(' or ')}: ${r.text.slice(0, 400)}`);
      } else if (ex.idempotent) {
        // the same request with its key again: the first answer, replayed
        const again = await send();
        if (again.status !== r.status || again.text !== r.text || again.headers['idempotent-replayed'] !== 'true'
            || again.headers.etag !== r.headers.etag || again.headers.location !== r.headers.location) {
          failures.push(`${label}: sent again with its Idempotency-Key, ${again.status}`
            + ` (Idempotent-Replayed: ${again.headers['idempotent-replayed']}) rather than the first answer: ${again.text.slice(0, 400)}`);
        } else {
          say(`${label}: ${r.status}, and replayed`);
        }
      } else {
        say(`${label}: ${r.status}`);
      }
    } catch (err) {
      failures.push(`${label}: ${err.message}`);
    }
  }
  check(failures.length === 0, `${failures.length} of ${examples.length} examples failed:\n  ${failures.join('\n  ')}`);
  say(`${examples.length} request examples sent, each got a status the contract documents`);
  await server.stop();
  world.cleanup();
}, { servers: () => [server] });
