/* Idempotency-Key on every write a client may retry, through the real path (HTTP -> C ->
 * PostgreSQL), route by route: the same key and request twice give the same status, body, ETag
 * and Location, the second saying it is a replay, and the effect exists once; the same key with
 * another request is refused and changes nothing; a refusal (4xx) is replayed as it was; two
 * requests with one key at once make one effect and two identical answers; and keys are each
 * caller's own. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* ---- fixtures through the API, and SQL where the API cannot make the past ---- */

/* A new person's referral, submitted by pc-101; writes its id. */
static void new_referral(char id[64]) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char police_id[37];
  new_uuid(police_id);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(police_id));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  free(officer);
}

static void accepted_referral(char id[64]) {
  new_referral(id);
  char *coord = ts_token("coordinator", AREA, "coord-setup");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  ts_response *r =
      ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"ok\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(coord);
}

/* A placement supervised by sup-1 and a session of it from `from_min` to `to_min` minutes from
 * now; writes the session's id. */
static void make_session(int from_min, int to_min, char session[37]) {
  char placement[37], from[16], to[16];
  new_uuid(placement);
  new_uuid(session);
  snprintf(from, sizeof from, "%d", from_min);
  snprintf(to, sizeof to, "%d", to_min);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Park litter pick', 'litter_picking', 'Parks Trust', 'ward-a', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              2, p1));
  const char *p2[5] = {session, AREA, placement, from, to};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " date_trunc('second', now()) + $4::int * interval '1 minute',"
              " date_trunc('second', now()) + $5::int * interval '1 minute', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              5, p2));
}

/* Moves the session and its bookings to start `minutes` from now (negative: ago). */
static void starts_in(const char *session, int minutes) {
  char m[16];
  snprintf(m, sizeof m, "%d", minutes);
  const char *p[2] = {session, m};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = date_trunc('second', now()) + $2::int *"
              " interval '1 minute', ends_at = date_trunc('second', now()) + $2::int * interval"
              " '1 minute' + (ends_at - starts_at) WHERE id = $1 RETURNING id, starts_at, ends_at)"
              " UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at,"
              " signed_in_at = b.signed_in_at + (s.starts_at - b.starts_at) FROM s"
              " WHERE b.session_id = s.id",
              2, p));
}

/* An accepted referral booked on a new hour-long session a day ahead; writes the session's id,
 * the referral's and the booking's. */
static void booked_referral(char session[37], char id[64], char booking[64]) {
  accepted_referral(id);
  make_session(24 * 60, 25 * 60, session);
  char *coord = ts_token("coordinator", AREA, "coord-setup");
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", id);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  ts_response *r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(booking, 64, "%s", str(r->json, "id"));
  ts_response_free(r);
  free(coord);
}

/* ---- a route's case: the request, another request, a refused one, and the effect ---- */

typedef struct {
  const char *name;
  const char *method, *route;
  char path[160];
  const char *role;  /* the callers' role: `sub` and `other_sub` hold it */
  char if_match[32]; /* "" for none */
  char body[512];    /* the request; "" for none */
  char other[512];   /* another request to the same path */
  char bad[512];     /* a request the route refuses (4xx) */
  char effect[400];  /* SQL on $1 = effect_arg: "0" before the request, "1" once it is done */
  char effect_arg[64];
} idem_case;

typedef void (*case_setup)(idem_case *c);

static void on_referral_path(idem_case *c, const char *id, const char *suffix) {
  snprintf(c->path, sizeof c->path, "/v1/referrals/%s%s", id, suffix);
  snprintf(c->effect_arg, sizeof c->effect_arg, "%s", id);
}

static void transition_case(idem_case *c) {
  char id[64];
  new_referral(id);
  *c = (idem_case){.name = "transition",
                   .method = "POST",
                   .route = "/v1/referrals/{id}/transitions",
                   .role = "coordinator",
                   .if_match = "\"1\""};
  on_referral_path(c, id, "/transitions");
  snprintf(c->body, sizeof c->body,
           "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"ok\"}");
  snprintf(c->other, sizeof c->other,
           "{\"event\":\"reject\",\"reason_code\":\"not_eligible\",\"reason\":\"no\"}");
  snprintf(c->bad, sizeof c->bad, "{\"event\":\"accept\",\"colour\":\"blue\"}");
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM referral_events WHERE referral_id = $1::uuid"
           " AND event IN ('accept', 'reject')");
}

static void amend_case(idem_case *c) {
  char id[64];
  new_referral(id);
  *c = (idem_case){.name = "amend",
                   .method = "PATCH",
                   .route = "/v1/referrals/{id}",
                   .role = "coordinator",
                   .if_match = "\"1\""};
  on_referral_path(c, id, "");
  snprintf(c->body, sizeof c->body, "{\"hours_proposed\":9}");
  snprintf(c->other, sizeof c->other, "{\"hours_proposed\":10}");
  snprintf(c->bad, sizeof c->bad, "{\"hours_proposed\":\"many\"}");
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM referral_events WHERE referral_id = $1::uuid AND event = 'amend'");
}

static void booking_case(idem_case *c) {
  char id[64], session[37], other[37];
  accepted_referral(id);
  make_session(24 * 60, 25 * 60, session);
  make_session(48 * 60, 49 * 60, other);
  *c = (idem_case){.name = "booking",
                   .method = "POST",
                   .route = "/v1/referrals/{id}/bookings",
                   .role = "coordinator"};
  on_referral_path(c, id, "/bookings");
  snprintf(c->body, sizeof c->body, "{\"session_id\":\"%s\"}", session);
  snprintf(c->other, sizeof c->other, "{\"session_id\":\"%s\"}", other);
  snprintf(c->bad, sizeof c->bad, "{\"session_id\":\"not-a-session\"}");
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM bookings WHERE referral_id = $1::uuid");
}

static void on_booking_path(idem_case *c, const char *booking, const char *suffix) {
  snprintf(c->path, sizeof c->path, "/v1/bookings/%s/%s", booking, suffix);
  snprintf(c->effect_arg, sizeof c->effect_arg, "%s", booking);
}

static void sign_in_case(idem_case *c) {
  char session[37], id[64], booking[64];
  booked_referral(session, id, booking);
  starts_in(session, 5);
  *c = (idem_case){.name = "sign-in",
                   .method = "POST",
                   .route = "/v1/bookings/{id}/sign-in",
                   .role = "coordinator"};
  on_booking_path(c, booking, "sign-in");
  snprintf(c->other, sizeof c->other, "{}");
  snprintf(c->bad, sizeof c->bad, "{\"arrived\":true}");
  /* a sign-in moves the booking to version 2 */
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM bookings WHERE id = $1::uuid AND signed_in_at IS NOT NULL"
           " AND version = 2");
}

static void sign_out_case(idem_case *c) {
  char session[37], id[64], booking[64];
  booked_referral(session, id, booking);
  starts_in(session, 5);
  char *coord = ts_token("coordinator", AREA, "coord-setup");
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s/sign-in", booking);
  ts_response *r = ts_http(S, "POST", "/v1/bookings/{id}/sign-in", path, coord, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(coord);
  starts_in(session, -150);
  const char *p[1] = {session};
  char *from =
      ts_sql("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
             " FROM sessions WHERE id = $1",
             1, p);
  char *to = ts_sql("SELECT to_char((starts_at + interval '50 minutes') AT TIME ZONE 'UTC',"
                    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sessions WHERE id = $1",
                    1, p);
  *c = (idem_case){.name = "sign-out",
                   .method = "POST",
                   .route = "/v1/bookings/{id}/sign-out",
                   .role = "coordinator",
                   .if_match = "\"2\""};
  on_booking_path(c, booking, "sign-out");
  snprintf(c->body, sizeof c->body,
           "{\"started_at\":\"%s\",\"finished_at\":\"%s\",\"behaviour\":\"good\"}", from, to);
  snprintf(c->other, sizeof c->other,
           "{\"started_at\":\"%s\",\"finished_at\":\"%s\",\"behaviour\":\"poor\"}", from, to);
  snprintf(c->bad, sizeof c->bad, "{\"started_at\":\"soon\",\"finished_at\":\"%s\"}", to);
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM booking_outcomes WHERE booking_id = $1::uuid");
  free(from);
  free(to);
}

/* A booking of a session that ended two hours ago. */
static void past_booking(char session[37], char booking[64]) {
  char id[64];
  booked_referral(session, id, booking);
  starts_in(session, -180);
}

static void outcome_case(idem_case *c) {
  char session[37], booking[64];
  past_booking(session, booking);
  *c = (idem_case){.name = "outcome",
                   .method = "POST",
                   .route = "/v1/bookings/{id}/outcome",
                   .role = "coordinator",
                   .if_match = "\"1\""};
  on_booking_path(c, booking, "outcome");
  snprintf(c->body, sizeof c->body, "{\"outcome\":\"absent_unacceptable\"}");
  snprintf(c->other, sizeof c->other,
           "{\"outcome\":\"absent_acceptable\",\"absence_reason\":\"medical\"}");
  snprintf(c->bad, sizeof c->bad, "{\"outcome\":\"vanished\"}");
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM booking_outcomes WHERE booking_id = $1::uuid");
}

static void session_outcomes_case(idem_case *c) {
  char session[37], booking[64];
  past_booking(session, booking);
  *c = (idem_case){.name = "session outcomes",
                   .method = "POST",
                   .route = "/v1/sessions/{id}/outcomes",
                   .role = "coordinator"};
  snprintf(c->path, sizeof c->path, "/v1/sessions/%s/outcomes", session);
  snprintf(c->effect_arg, sizeof c->effect_arg, "%s", booking);
  snprintf(c->body, sizeof c->body,
           "{\"booking_ids\":[\"%s\"],\"outcome\":\"absent_unacceptable\"}", booking);
  snprintf(c->other, sizeof c->other,
           "{\"booking_ids\":[\"%s\"],\"outcome\":\"absent_unacceptable\",\"notes\":\"rang\"}",
           booking);
  snprintf(c->bad, sizeof c->bad, "{\"booking_ids\":[],\"outcome\":\"absent_unacceptable\"}");
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM booking_outcomes WHERE booking_id = $1::uuid");
}

static void walk_in_case(idem_case *c) {
  char id[64], other[64], session[37];
  accepted_referral(id);
  accepted_referral(other);
  make_session(-30, 90, session);
  *c = (idem_case){.name = "walk-in",
                   .method = "POST",
                   .route = "/v1/sessions/{id}/walk-ins",
                   .role = "coordinator"};
  snprintf(c->path, sizeof c->path, "/v1/sessions/%s/walk-ins", session);
  snprintf(c->effect_arg, sizeof c->effect_arg, "%s", id);
  snprintf(c->body, sizeof c->body, "{\"referral_id\":\"%s\"}", id);
  snprintf(c->other, sizeof c->other, "{\"referral_id\":\"%s\"}", other);
  snprintf(c->bad, sizeof c->bad, "{\"referral_id\":\"nobody\"}");
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM bookings WHERE referral_id = $1::uuid");
}

static void followup_case(idem_case *c) {
  char police_id[37];
  new_uuid(police_id);
  const char *p[2] = {AREA, police_id};
  char *check = ts_sql(
      "WITH pe AS (INSERT INTO people (id, area, name, date_of_birth, police_id, created_at,"
      " updated_at) VALUES (gen_random_uuid(), $1, 'Sam Checked', date '2000-01-01', $2, now(),"
      " now()) RETURNING id),"
      " r AS (INSERT INTO referrals (id, area, person_id, state, version, officer_sub,"
      " officer_name, offence_date, offence_category, ward, disposal, consent_recorded,"
      " hours_proposed, target_start_by, created_at, updated_at, exited_at)"
      " SELECT gen_random_uuid(), $1, pe.id, 'completed', 1, 'pc-101', 'pc-101',"
      " date '2025-01-01', 'asb', 'ward-a', 'community_resolution', true, 7, now(),"
      " now() - interval '5 months', now(), now() - interval '4 months' FROM pe"
      " RETURNING id, person_id)"
      " INSERT INTO followup_checks (id, area, referral_id, person_id, window_months,"
      " exit_state, exited_on, due_on, created_at, updated_at)"
      " SELECT gen_random_uuid(), $1, r.id, r.person_id, 3, 'completed',"
      " current_date - 100, current_date - 9, now(), now() FROM r RETURNING id",
      2, p);
  ck_assert_ptr_nonnull(check);
  *c = (idem_case){.name = "follow-up",
                   .method = "PATCH",
                   .route = "/v1/followups/{id}",
                   .role = "coordinator",
                   .if_match = "\"1\""};
  snprintf(c->path, sizeof c->path, "/v1/followups/%s", check);
  snprintf(c->effect_arg, sizeof c->effect_arg, "%s", check);
  snprintf(c->body, sizeof c->body, "{\"reoffended\":false,\"source\":\"pnc_check\"}");
  snprintf(c->other, sizeof c->other,
           "{\"reoffended\":true,\"first_reoffence_on\":\"2026-01-02\","
           "\"reoffence_category\":\"asb\",\"source\":\"pnc_check\"}");
  snprintf(c->bad, sizeof c->bad, "{\"reoffended\":\"perhaps\"}");
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM followup_checks WHERE id = $1::uuid AND recorded_at IS NOT NULL");
  free(check);
}

static void non_association_case(idem_case *c) {
  char a[64], b[64];
  new_referral(a);
  new_referral(b);
  *c = (idem_case){.name = "non-association",
                   .method = "POST",
                   .route = "/v1/non-associations",
                   .role = "coordinator",
                   .path = "/v1/non-associations"};
  snprintf(c->effect_arg, sizeof c->effect_arg, "%s", a);
  snprintf(c->body, sizeof c->body,
           "{\"referral_ids\":[\"%s\",\"%s\"],\"reason\":\"co_offenders\"}", a, b);
  snprintf(c->other, sizeof c->other, "{\"referral_ids\":[\"%s\",\"%s\"],\"reason\":\"victim\"}", a,
           b);
  snprintf(c->bad, sizeof c->bad, "{\"referral_ids\":[\"%s\"],\"reason\":\"feud\"}", a);
  snprintf(c->effect, sizeof c->effect,
           "SELECT count(*) FROM non_associations n JOIN referrals r"
           " ON r.person_id IN (n.person_a, n.person_b) WHERE r.id = $1::uuid");
}

/* ---- the checks, the same for every route ---- */

static ts_response *send_as(const idem_case *c, const char *token, const char *key,
                            const char *body) {
  char key_header[256], if_match[64];
  const char *headers[3] = {NULL, NULL, NULL};
  int n = 0;
  if (key) {
    snprintf(key_header, sizeof key_header, "Idempotency-Key: %s", key);
    headers[n++] = key_header;
  }
  if (c->if_match[0]) {
    snprintf(if_match, sizeof if_match, "If-Match: %s", c->if_match);
    headers[n++] = if_match;
  }
  return ts_http(S, c->method, c->route, c->path, token, headers, body && body[0] ? body : NULL);
}

static void expect_effect(const idem_case *c, const char *want, const char *when) {
  const char *p[1] = {c->effect_arg};
  char *n = ts_sql(c->effect, 1, p);
  ck_assert_msg(n && strcmp(n, want) == 0, "%s %s: the effect counts %s, want %s", c->name, when,
                n ? n : "nothing", want);
  free(n);
}

/* The second answer is the first, replayed. */
static void expect_same_answer(const idem_case *c, const ts_response *first,
                               const ts_response *again) {
  ck_assert_msg(again->status == first->status, "%s: %ld then %ld: %s", c->name, first->status,
                again->status, again->body);
  ck_assert_msg(strcmp(again->body, first->body) == 0, "%s: another body:\n%s\n%s", c->name,
                first->body, again->body);
  ck_assert_str_eq(again->etag, first->etag);
  ck_assert_str_eq(again->location, first->location);
  ck_assert_str_eq(again->content_type, first->content_type);
}

static char *token_of(const idem_case *c, const char *sub) {
  return ts_token(c->role, AREA, sub);
}

static void replays_and_refuses(case_setup setup) {
  idem_case c;
  setup(&c);
  char *token = token_of(&c, "idem-caller-1");
  char *other = token_of(&c, "idem-caller-2");
  expect_effect(&c, "0", "before");

  /* the same key and request twice: one effect, the first answer twice */
  ts_response *first = send_as(&c, token, "retry-1", c.body);
  ck_assert_msg(first->status >= 200 && first->status < 300, "%s: %ld %s", c.name, first->status,
                first->body);
  ck_assert_str_eq(first->replayed, "");
  expect_effect(&c, "1", "after the first");
  ts_response *again = send_as(&c, token, "retry-1", c.body);
  expect_same_answer(&c, first, again);
  ck_assert_str_eq(again->replayed, "true");
  expect_effect(&c, "1", "after the replay");
  ts_response_free(again);

  /* the same key with another request: refused, nothing changed */
  ts_response *r = send_as(&c, token, "retry-1", c.other);
  ck_assert_msg(r->status == 422, "%s: %ld %s", c.name, r->status, r->body);
  ck_assert_str_eq(str(r->json, "type"), "/problems/idempotency_mismatch");
  ts_response_free(r);
  expect_effect(&c, "1", "after another request with the key");
  /* and the replay is still the first answer */
  again = send_as(&c, token, "retry-1", c.body);
  expect_same_answer(&c, first, again);
  ts_response_free(again);

  /* a refusal is kept and replayed as it was (its request id is the first's) */
  ts_response *refused = send_as(&c, token, "retry-bad", c.bad);
  ck_assert_msg(refused->status >= 400 && refused->status < 500, "%s: %ld %s", c.name,
                refused->status, refused->body);
  again = send_as(&c, token, "retry-bad", c.bad);
  expect_same_answer(&c, refused, again);
  ck_assert_str_eq(again->replayed, "true");
  ts_response_free(again);
  ts_response_free(refused);
  expect_effect(&c, "1", "after a refusal");

  /* another caller's key of the same name is theirs: neither a replay nor a mismatch */
  r = send_as(&c, other, "retry-1", c.other);
  ck_assert_str_eq(r->replayed, "");
  ck_assert_msg(!r->json || !str(r->json, "type") ||
                    strcmp(str(r->json, "type"), "/problems/idempotency_mismatch") != 0,
                "%s: %s", c.name, r->body);
  ts_response_free(r);

  /* a key that is not one is refused before anything runs */
  r = send_as(&c, token, "has space", c.body);
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "Idempotency-Key"));
  ts_response_free(r);
  ts_response_free(first);
  free(token);
  free(other);
}

/* ---- two requests with one key at once ---- */

typedef struct {
  const idem_case *c;
  const char *token;
  pthread_barrier_t *start;
  ts_response *r;
} racer;

static void *race(void *arg) {
  racer *x = arg;
  pthread_barrier_wait(x->start);
  x->r = send_as(x->c, x->token, "at-once-1", x->c->body);
  /* told to come back (the other was still running after the service's wait, as on a loaded
   * machine): come back, as a client does */
  for (int tries = 0; tries < 60 && x->r->status == 409 && x->r->retry_after[0]; tries++) {
    ts_response_free(x->r);
    sleep(1);
    x->r = send_as(x->c, x->token, "at-once-1", x->c->body);
  }
  return NULL;
}

static void concurrent_once(case_setup setup) {
  idem_case c;
  setup(&c);
  char *token = token_of(&c, "idem-caller-1");
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, 2);
  racer racers[2] = {{&c, token, &start, NULL}, {&c, token, &start, NULL}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, race, &racers[i]);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  ts_response *a = racers[0].r, *b = racers[1].r;
  ck_assert_msg(a->status >= 200 && a->status < 300, "%s: %ld %s", c.name, a->status, a->body);
  expect_same_answer(&c, a, b);
  /* exactly one of them ran */
  ck_assert_msg((strcmp(a->replayed, "true") == 0) != (strcmp(b->replayed, "true") == 0),
                "%s: replayed '%s' and '%s'", c.name, a->replayed, b->replayed);
  expect_effect(&c, "1", "after two at once");
  ts_response_free(a);
  ts_response_free(b);
  free(token);
}

static const case_setup CASES[] = {
    transition_case, amend_case,           booking_case,          sign_in_case,
    sign_out_case,   outcome_case,         session_outcomes_case, walk_in_case,
    followup_case,   non_association_case,
};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))

START_TEST(same_key_replays_the_first_answer) {
  replays_and_refuses(CASES[_i]);
}
END_TEST

START_TEST(same_key_at_once_runs_once) {
  concurrent_once(CASES[_i]);
}
END_TEST

/* Without a key nothing is remembered: the second request runs (and meets the route's own
 * guard). */
START_TEST(without_a_key_each_request_runs) {
  idem_case c;
  non_association_case(&c);
  char *token = token_of(&c, "idem-caller-1");
  ts_response *r = send_as(&c, token, NULL, c.body);
  ck_assert_int_eq(r->status, 201);
  ts_response_free(r);
  r = send_as(&c, token, NULL, c.body);
  ck_assert_int_eq(r->status, 409);
  ck_assert_str_eq(r->replayed, "");
  ts_response_free(r);
  expect_effect(&c, "1", "after two without a key");
  /* nothing kept for them */
  const char *p[1] = {AREA};
  char *n = ts_sql("SELECT count(*) FROM idempotency_keys WHERE area = $1", 1, p);
  ck_assert_str_eq(n, "0");
  free(n);
  free(token);
}
END_TEST

/* A claim left pending by a request that died after its operation: a repeat within the minute is
 * told to retry; after it, the repeat takes the claim over and meets the operation's own guard. */
START_TEST(an_abandoned_claim_is_taken_over) {
  idem_case c;
  transition_case(&c);
  char *token = token_of(&c, "idem-caller-1");
  ts_response *first = send_as(&c, token, "orphan-1", c.body);
  ck_assert_int_eq(first->status, 200);
  ts_response_free(first);
  /* as if the answer had never been kept */
  const char *p[1] = {AREA};
  free(ts_sql("UPDATE idempotency_keys SET status = NULL, response = NULL, etag = NULL,"
              " location = NULL, content_type = NULL, claimed_at = now() WHERE area = $1",
              1, p));
  ts_response *r = send_as(&c, token, "orphan-1", c.body);
  ck_assert_msg(r->status == 409, "%ld %s", r->status, r->body);
  ck_assert_str_eq(r->retry_after, "1");
  ts_response_free(r);
  expect_effect(&c, "1", "while the claim is pending");
  free(ts_sql("UPDATE idempotency_keys SET claimed_at = now() - interval '2 minutes'"
              " WHERE area = $1",
              1, p));
  r = send_as(&c, token, "orphan-1", c.body);
  ck_assert_msg(r->status == 412, "%ld %s", r->status, r->body); /* the version moved on */
  ck_assert_str_eq(r->replayed, "");
  ts_response_free(r);
  expect_effect(&c, "1", "after the take-over");
  /* and that answer is the key's from now on */
  r = send_as(&c, token, "orphan-1", c.body);
  ck_assert_int_eq(r->status, 412);
  ck_assert_str_eq(r->replayed, "true");
  ts_response_free(r);
  free(token);
}
END_TEST

/* POST /v1/referrals keeps its own path (the key commits with the referral) and shares the key
 * space: its key on another route is another request. */
START_TEST(create_and_route_keys_share_the_space) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *body = ts_referral_body("ward-a");
  const char *const key[] = {"Idempotency-Key: shared-1", NULL};
  ts_response *made = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, key, body);
  ck_assert_int_eq(made->status, 201);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", ts_id(made));
  ts_response *r =
      ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, officer,
              (const char *const[]){"Idempotency-Key: shared-1", "If-Match: \"1\"", NULL},
              "{\"event\":\"withdraw\",\"reason_code\":\"ill_health\",\"reason\":\"In hospital\"}");
  ck_assert_msg(r->status == 422, "%ld %s", r->status, r->body);
  ck_assert_str_eq(str(r->json, "type"), "/problems/idempotency_mismatch");
  ts_response_free(r);
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, key, body);
  ck_assert_int_eq(r->status, 201);
  ck_assert_str_eq(r->replayed, "true");
  ck_assert_str_eq(ts_id(r), ts_id(made));
  ts_response_free(r);
  ts_response_free(made);
  free(body);
  free(officer);
}
END_TEST

Suite *http_idempotency_suite(void) {
  Suite *s = suite_create("http-idempotency");
  TCase *tc = tcase_create("routes");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_loop_test(tc, same_key_replays_the_first_answer, 0, NCASES);
  tcase_add_loop_test(tc, same_key_at_once_runs_once, 0, NCASES);
  tcase_add_test(tc, without_a_key_each_request_runs);
  tcase_add_test(tc, an_abandoned_claim_is_taken_over);
  tcase_add_test(tc, create_and_route_keys_share_the_space);
  suite_add_tcase(s, tc);
  return s;
}
