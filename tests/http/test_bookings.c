/* Bookings and attendance through the real path: capacity and overlap under concurrency, the
 * guards, outcomes and hours, automatic progress and completion, amendments, enforcement. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* A placement (min_age) supervised by sup-1 and a session of `minutes` starting in `hours_ahead`
 * hours with `capacity` places; writes the session id. */
static void make_session(int min_age, int hours_ahead, int minutes, int capacity,
                         char session[37]) {
  char placement[37], age[8], ahead[16], len[16], cap[8];
  new_uuid(placement);
  new_uuid(session);
  snprintf(age, sizeof age, "%d", min_age);
  snprintf(ahead, sizeof ahead, "%d", hours_ahead);
  snprintf(len, sizeof len, "%d", minutes);
  snprintf(cap, sizeof cap, "%d", capacity);
  const char *p1[3] = {placement, AREA, age};
  free(ts_sql(
      "INSERT INTO placements (id, area, name, type, provider, ward, min_age, supervisor_sub,"
      " supervisor_name, created_at, updated_at) VALUES ($1, $2, 'Allotment tidy-up',"
      " 'gardening', 'Allotments Society', 'ward-a', $3::int, 'sup-1', 'Sup One', now(), now())",
      3, p1));
  const char *p2[6] = {session, AREA, placement, ahead, len, cap};
  free(ts_sql(
      "INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
      " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
      " date_trunc('minute', now()) + $4::int * interval '1 hour',"
      " date_trunc('minute', now()) + $4::int * interval '1 hour' + $5::int * interval '1 minute',"
      " $6::int, 'sup-1', 'Sup One', now(), now())",
      6, p2));
}

/* Moves a session and its bookings `hours` hours into the past (it has happened). */
static void move_to_past(const char *session, int hours) {
  char h[16];
  snprintf(h, sizeof h, "%d", hours);
  const char *p[2] = {session, h};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = date_trunc('minute', now()) - $2::int *"
              " interval '1 hour', ends_at = date_trunc('minute', now()) - $2::int * interval"
              " '1 hour' + (ends_at - starts_at) WHERE id = $1 RETURNING id, starts_at, ends_at)"
              " UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at FROM s"
              " WHERE b.session_id = s.id",
              2, p));
}

/* A referral by a new person (police id made unique), accepted with `hours`; writes its id. */
static void accepted_referral(const char *officer, const char *coord, int hours, const char *dob,
                              char id[64]) {
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char pid[64];
  new_uuid(pid);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(pid));
  if (dob) {
    json_object_set_new(json_object_get(j, "person"), "date_of_birth", json_string(dob));
    /* a person under 18 is referred with a parent or guardian's consent */
    json_object_set_new(j, "guardian",
                        json_pack("{s:s, s:s, s:s, s:b}", "name", "A Parent", "relationship",
                                  "parent", "phone", "01332 000111", "consent", 1));
  }
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  char path[160], accept[128];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  snprintf(accept, sizeof accept,
           "{\"event\":\"accept\",\"hours_confirmed\":%d,\"suitability_notes\":\"ok\"}", hours);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL}, accept);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
}

/* Whether a referral's representation lists the event among its allowed events. */
static bool lists(const ts_response *r, const char *event) {
  json_t *allowed = json_object_get(r->json, "allowed_events");
  for (size_t i = 0; i < json_array_size(allowed); i++)
    if (strcmp(json_string_value(json_array_get(allowed, i)), event) == 0)
      return true;
  return false;
}

static ts_response *book(const char *coord, const char *referral, const char *session) {
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  return ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
}

static ts_response *outcome(const char *token, const char *booking, const char *etag,
                            const char *body) {
  char path[160], header[64];
  snprintf(path, sizeof path, "/v1/bookings/%s/outcome", booking);
  snprintf(header, sizeof header, "If-Match: %s", etag);
  return ts_http(S, "POST", "/v1/bookings/{id}/outcome", path, token,
                 (const char *const[]){header, NULL}, body);
}

static ts_response *referral(const char *token, const char *id) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  return ts_http(S, "GET", "/v1/referrals/{id}", path, token, NULL, NULL);
}

static void expect_state(const char *token, const char *id, const char *state) {
  ts_response *r = referral(token, id);
  ck_assert_int_eq(r->status, 200);
  ck_assert_msg(strcmp(str(r->json, "state"), state) == 0, "state %s, want %s",
                str(r->json, "state"), state);
  ts_response_free(r);
}

/* The referral's history (owned: ts_response_free). */
static ts_response *events_of(const char *token, const char *id) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
  return ts_http(S, "GET", "/v1/referrals/{id}/events", path, token, NULL, NULL);
}

static void expect_events(const char *token, const char *id, const char *const *want) {
  ts_response *r = events_of(token, id);
  json_t *items = json_object_get(r->json, "items");
  size_t n = 0;
  while (want[n])
    n++;
  ck_assert_msg(json_array_size(items) == n, "%zu events, want %zu: %s", json_array_size(items), n,
                r->body);
  for (size_t i = 0; i < n; i++)
    ck_assert_str_eq(str(json_array_get(items, i), "event"), want[i]);
  ts_response_free(r);
}

/* Booking a referral again on a session it holds a place on says so, also when that place was
 * the last one (rather than "the session is full"). */
START_TEST(booking_twice_says_already_booked) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], session[37];
  accepted_referral(officer, coord, 7, NULL, id);
  make_session(10, 30, 120, 1, session);
  ts_response *r = book(coord, id, session);
  ck_assert_int_eq(r->status, 201);
  ts_response_free(r);
  r = book(coord, id, session);
  ck_assert_int_eq(r->status, 409);
  ck_assert_msg(strstr(r->body, "booked on this session already") != NULL, "%s", r->body);
  ck_assert_msg(strstr(r->body, "full") == NULL, "%s", r->body);
  ts_response_free(r);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(booking_schedules_and_guards_refuse) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], session[37], adults[37], past[37];
  accepted_referral(officer, coord, 7, "2009-06-01", id); /* 17 years old */
  make_session(10, 24, 240, 4, session);
  make_session(18, 48, 240, 4, adults);
  make_session(10, 1, 60, 4, past);
  move_to_past(past, 2);
  ts_response *r = book(coord, id, adults);
  ck_assert_int_eq(r->status, 409);
  ck_assert_str_eq(str(json_array_get(json_object_get(r->json, "errors"), 0), "field"),
                   "session_id");
  ts_response_free(r);
  r = book(coord, id, past);
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  r = book(officer, id, session);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  r = book(coord, id, "5b0c4a44-3f5e-4f55-9a53-3b4c0f0f0b1e");
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  r = book(coord, id, session);
  ck_assert_int_eq(r->status, 201);
  ck_assert_str_eq(str(r->json, "status"), "booked");
  ck_assert_str_eq(r->etag, "\"1\"");
  ck_assert_ptr_nonnull(strstr(r->location, "/v1/bookings/"));
  ts_response_free(r);
  expect_state(coord, id, "scheduled");
  const char *const events[] = {"create", "accept", "book", NULL};
  expect_events(coord, id, events);
  /* the same session twice: refused; a submitted referral cannot be booked */
  r = book(coord, id, session);
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  char *body = ts_referral_body("ward-a");
  ts_response *fresh = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  r = book(coord, ts_id(fresh), session);
  ck_assert_int_eq(r->status, 409);
  ck_assert_str_eq(str(r->json, "type"), "/problems/illegal_transition");
  ts_response_free(r);
  ts_response_free(fresh);
  free(body);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", id);
  r = ts_http(S, "GET", "/v1/referrals/{id}/bookings", path, officer, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ts_response_free(r);
  free(officer);
  free(coord);
}
END_TEST

typedef struct {
  const char *coord, *referral, *session;
  long status;
  pthread_barrier_t *start;
} booker;

static void *race_book(void *arg) {
  booker *b = arg;
  pthread_barrier_wait(b->start);
  ts_response *r = book(b->coord, b->referral, b->session);
  b->status = r->status;
  ts_response_free(r);
  return NULL;
}

static int race(booker *b, int n) {
  pthread_t t[100];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)n);
  for (int i = 0; i < n; i++) {
    b[i].start = &start;
    pthread_create(&t[i], NULL, race_book, &b[i]);
  }
  int ok = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(t[i], NULL);
    if (b[i].status == 201)
      ok++;
    else
      ck_assert_msg(b[i].status == 409, "status %ld", b[i].status);
  }
  pthread_barrier_destroy(&start);
  return ok;
}

START_TEST(hundred_concurrent_bookings_fill_eight_places) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  static char ids[100][64];
  for (int i = 0; i < 100; i++)
    accepted_referral(officer, coord, 7, NULL, ids[i]);
  char session[37];
  make_session(10, 24, 240, 8, session);
  booker b[100];
  for (int i = 0; i < 100; i++)
    b[i] = (booker){coord, ids[i], session, 0, NULL};
  ck_assert_int_eq(race(b, 100), 8);
  const char *p[1] = {session};
  char *booked = ts_sql("SELECT booked FROM sessions WHERE id = $1", 1, p);
  char *rows = ts_sql("SELECT count(*) FROM bookings WHERE session_id = $1", 1, p);
  ck_assert_str_eq(booked, "8");
  ck_assert_str_eq(rows, "8");
  free(booked);
  free(rows);
  /* each of the 8 is scheduled, the 92 others still accepted */
  const char *q[1] = {AREA};
  char *scheduled = ts_sql("SELECT count(*) FROM referrals WHERE area = $1 AND state = 'scheduled'"
                           " AND active_bookings = 1",
                           1, q);
  ck_assert_str_eq(scheduled, "8");
  free(scheduled);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(one_person_is_never_double_booked) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  /* two referrals of one person (same police identifier), two overlapping sessions */
  char a[64], bb[64];
  char *body = ts_referral_body("ward-a");
  for (int k = 0; k < 2; k++) {
    ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
    snprintf(k ? bb : a, 64, "%s", ts_id(r));
    ts_response_free(r);
    char path[160];
    snprintf(path, sizeof path, "/v1/referrals/%s/transitions", k ? bb : a);
    r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
                (const char *const[]){"If-Match: \"1\"", NULL},
                "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"ok\"}");
    ck_assert_int_eq(r->status, 200);
    ts_response_free(r);
  }
  free(body);
  char s1[37], s2[37];
  make_session(10, 24, 240, 10, s1);
  make_session(10, 24, 180, 10, s2); /* same start: overlaps */
  booker b[20];
  for (int i = 0; i < 20; i++)
    b[i] = (booker){coord, i % 2 ? a : bb, i % 4 < 2 ? s1 : s2, 0, NULL};
  ck_assert_int_eq(race(b, 20), 1);
  free(officer);
  free(coord);
}
END_TEST

/* Books, moves the session into the past, returns the booking id and ETag. */
static void booked_in_past(const char *coord, const char *id, int minutes, int hours_ago,
                           char booking[64]) {
  char session[37];
  make_session(10, 24 + hours_ago, minutes, 4, session);
  ts_response *r = book(coord, id, session);
  ck_assert_int_eq(r->status, 201);
  snprintf(booking, 64, "%s", str(r->json, "id"));
  ts_response_free(r);
  move_to_past(session, hours_ago);
}

START_TEST(attendance_progresses_and_completes) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char *other_sup = ts_token("supervisor", AREA, "sup-2");
  char id[64], first[64], second[64];
  accepted_referral(officer, coord, 7, NULL, id);
  booked_in_past(coord, id, 240, 48, first);
  booked_in_past(coord, id, 240, 24, second);
  /* another supervisor cannot see it; the session's supervisor records it */
  ts_response *r = outcome(other_sup, first, "\"1\"", "{\"outcome\":\"attended_complied\"}");
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = outcome(sup, first, "\"1\"",
              "{\"outcome\":\"attended_complied\",\"penalty_minutes\":30,\"behaviour\":\"good\","
              "\"work_quality\":\"excellent\"}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "minutes_credited")), 210);
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);
  r = referral(coord, id);
  ck_assert_str_eq(str(r->json, "state"), "in_progress");
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "minutes_credited")), 210);
  ck_assert(!json_is_null(json_object_get(r->json, "first_attended_at")));
  ck_assert(json_is_false(json_object_get(r->json, "overdue")));
  ts_response_free(r);
  /* stale ETag, future-less checks */
  r = outcome(coord, second, "\"9\"", "{\"outcome\":\"attended_complied\"}");
  ck_assert_int_eq(r->status, 412);
  ts_response_free(r);
  r = outcome(coord, second, "\"1\"", "{\"outcome\":\"absent_acceptable\"}");
  ck_assert_int_eq(r->status, 422); /* needs absence_reason */
  ts_response_free(r);
  /* 240 minutes, but only 210 are owed: capped, and the referral completes */
  r = outcome(coord, second, "\"1\"", "{\"outcome\":\"attended_complied\"}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "minutes_credited")), 210);
  ts_response_free(r);
  expect_state(coord, id, "completed");
  const char *const events[] = {"create", "accept", "book", "attend", "complete", NULL};
  expect_events(coord, id, events);
  /* the outcome notice and the victim update are in the outbox */
  const char *p[1] = {id};
  char *n = ts_sql("SELECT count(*) FROM notices WHERE referral_id = $1"
                   " AND kind IN ('outcome', 'victim_update')",
                   1, p);
  ck_assert_str_eq(n, "2");
  free(n);
  /* an amendment after completion is refused */
  r = outcome(coord, second, "\"2\"",
              "{\"outcome\":\"absent_unacceptable\",\"amendment_reason\":\"wrong person\"}");
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  free(officer);
  free(coord);
  free(sup);
  free(other_sup);
}
END_TEST

/* One event of the referral's history, by its position. */
static void expect_event(const json_t *items, size_t i, int seq, const char *event,
                         const char *from, const char *to, const char *role) {
  json_t *e = json_array_get(items, i);
  ck_assert_int_eq(json_integer_value(json_object_get(e, "seq")), seq);
  ck_assert_str_eq(str(e, "event"), event);
  ck_assert_str_eq(str(e, "from"), from);
  ck_assert_str_eq(str(e, "to"), to);
  ck_assert_str_eq(str(json_object_get(e, "actor"), "role"), role);
}

/* A first attendance that credits every hour owed moves the referral twice in one outcome: it
 * attends (the coordinator's event) and then completes (the system's). The store writes both in
 * one update of the referral (issue 19): the history has both events, in order, each with its own
 * states and actor, and the referral ends completed at two versions on, with its minutes and
 * first attendance, exited and completed. */
START_TEST(one_session_attends_and_completes) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], booking[64];
  accepted_referral(officer, coord, 3, NULL, id);
  booked_in_past(coord, id, 240, 24, booking);
  ts_response *r = referral(coord, id);
  ck_assert_str_eq(str(r->json, "state"), "scheduled");
  long version = json_integer_value(json_object_get(r->json, "version"));
  ts_response_free(r);
  r = outcome(coord, booking, "\"1\"", "{\"outcome\":\"attended_complied\"}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "minutes_credited")), 180);
  ts_response_free(r);
  r = referral(coord, id);
  ck_assert_str_eq(str(r->json, "state"), "completed");
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), version + 2);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "minutes_credited")), 180);
  ck_assert(!json_is_null(json_object_get(r->json, "first_attended_at")));
  ts_response_free(r);
  r = events_of(coord, id);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 5);
  expect_event(items, 3, (int)version + 1, "attend", "scheduled", "in_progress", "coordinator");
  expect_event(items, 4, (int)version + 2, "complete", "in_progress", "completed", "system");
  ts_response_free(r);
  const char *p[1] = {id};
  char *exited = ts_sql("SELECT (exited_at IS NOT NULL AND completed_at IS NOT NULL)::text"
                        " FROM referrals WHERE id = $1",
                        1, p);
  ck_assert_str_eq(exited, "true");
  free(exited);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(future_session_outcomes_are_refused) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], session[37];
  accepted_referral(officer, coord, 7, NULL, id);
  make_session(10, 24, 240, 4, session);
  ts_response *r = book(coord, id, session);
  char booking[64];
  snprintf(booking, sizeof booking, "%s", str(r->json, "id"));
  ts_response_free(r);
  r = outcome(coord, booking, "\"1\"", "{\"outcome\":\"attended_complied\"}");
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  /* cancelling is allowed before; with nothing else booked the referral goes back to accepted */
  r = outcome(coord, booking, "\"1\"", "{\"outcome\":\"cancelled\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  expect_state(coord, id, "accepted");
  const char *const events[] = {"create", "accept", "book", "unbook", NULL};
  expect_events(coord, id, events);
  /* a follow-on event is recorded as the person's whose change caused it when their role may fire
   * it: the coordinator who cancelled the booking unbooked the referral */
  r = events_of(coord, id);
  json_t *unbook = json_object_get(json_array_get(json_object_get(r->json, "items"), 3), "actor");
  ck_assert_str_eq(str(unbook, "sub"), "coord-1");
  ck_assert_str_eq(str(unbook, "role"), "coordinator");
  ts_response_free(r);
  const char *p[1] = {session};
  char *booked = ts_sql("SELECT booked FROM sessions WHERE id = $1", 1, p);
  ck_assert_str_eq(booked, "0");
  free(booked);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(amendments_keep_the_original_and_enforcement_follows) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], first[64], second[64];
  accepted_referral(officer, coord, 7, NULL, id);
  booked_in_past(coord, id, 240, 48, first);
  booked_in_past(coord, id, 240, 24, second);
  ts_response *r = outcome(coord, first, "\"1\"", "{\"outcome\":\"absent_unacceptable\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  r = referral(coord, id);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "breaches")), 1);
  ts_response_free(r);
  /* amend: needs a reason; then the breach is gone and the history keeps both */
  r = outcome(coord, first, "\"2\"",
              "{\"outcome\":\"absent_acceptable\",\"absence_reason\":\"medical\"}");
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  r = outcome(coord, first, "\"2\"",
              "{\"outcome\":\"absent_acceptable\",\"absence_reason\":\"medical\","
              "\"amendment_reason\":\"GP letter received\"}");
  ck_assert_int_eq(r->status, 200);
  json_t *history = json_object_get(r->json, "outcomes");
  ck_assert_int_eq(json_array_size(history), 2);
  ck_assert_str_eq(str(json_array_get(history, 0), "status"), "absent_unacceptable");
  ck_assert_str_eq(str(json_array_get(history, 1), "amendment_reason"), "GP letter received");
  ts_response_free(r);
  r = referral(coord, id);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "breaches")), 0);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  char etag[96];
  snprintf(etag, sizeof etag, "If-Match: %s", r->etag);
  ts_response_free(r);
  /* no breach: no warning, no non-compliance */
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){etag, NULL},
              "{\"event\":\"first_warning\",\"reason_code\":\"unacceptable_absence\"}");
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  r = outcome(coord, second, "\"1\"", "{\"outcome\":\"attended_failed_to_comply\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  r = referral(coord, id); /* the first attended session put it in progress: a new version */
  ck_assert_str_eq(str(r->json, "state"), "in_progress");
  /* what the referral lists is what would be accepted now: one breach, no warning yet */
  ck_assert(lists(r, "first_warning"));
  ck_assert(lists(r, "declare_non_compliance"));
  ck_assert(!lists(r, "second_warning"));
  snprintf(etag, sizeof etag, "If-Match: %s", r->etag);
  ts_response_free(r);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){etag, NULL},
              "{\"event\":\"first_warning\",\"reason_code\":\"failure_to_comply\"}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "warnings")), 1);
  /* warned about that breach: neither warning can be given until another */
  ck_assert(!lists(r, "first_warning"));
  ck_assert(!lists(r, "second_warning"));
  ck_assert(lists(r, "declare_non_compliance"));
  snprintf(etag, sizeof etag, "If-Match: %s", r->etag);
  ts_response_free(r);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){etag, NULL},
              "{\"event\":\"second_warning\",\"reason_code\":\"failure_to_comply\"}");
  ck_assert_int_eq(r->status, 409); /* needs a further breach */
  ts_response_free(r);
  /* a booking still open is cancelled when the referral is declared non-compliant */
  char open_session[37];
  make_session(10, 72, 120, 4, open_session);
  r = book(coord, id, open_session);
  ck_assert_int_eq(r->status, 201);
  ts_response_free(r);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){etag, NULL},
              "{\"event\":\"declare_non_compliance\",\"reason_code\":\"failure_to_comply\","
              "\"reason\":\"Refused to work twice\"}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_str_eq(str(r->json, "state"), "non_compliant");
  /* the two sessions with outcomes keep their places; the open one was cancelled */
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "active_bookings")), 2);
  ts_response_free(r);
  const char *p[1] = {open_session};
  char *booked = ts_sql("SELECT booked FROM sessions WHERE id = $1", 1, p);
  ck_assert_str_eq(booked, "0");
  free(booked);
  const char *q[1] = {id};
  char *n =
      ts_sql("SELECT count(*) FROM notices WHERE referral_id = $1 AND kind = 'outcome'", 1, q);
  ck_assert_str_eq(n, "1");
  free(n);
  const char *const events[] = {
      "create", "accept", "book", "attend", "first_warning", "declare_non_compliance", NULL};
  expect_events(coord, id, events);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(rescheduling_links_the_new_booking) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], s1[37], s2[37];
  accepted_referral(officer, coord, 7, NULL, id);
  make_session(10, 24, 240, 4, s1);
  make_session(10, 96, 240, 4, s2);
  ts_response *r = book(coord, id, s1);
  char booking[64];
  snprintf(booking, sizeof booking, "%s", str(r->json, "id"));
  ts_response_free(r);
  char body[128];
  snprintf(body, sizeof body, "{\"outcome\":\"rescheduled\",\"rescheduled_session_id\":\"%s\"}",
           s2);
  r = outcome(coord, booking, "\"1\"", body);
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_str_eq(str(r->json, "status"), "rescheduled");
  const char *next = str(r->json, "rescheduled_to");
  ck_assert_ptr_nonnull(next);
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s", next);
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/bookings/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(json_object_get(r->json, "session"), "id"), s2);
  ck_assert_str_eq(str(r->json, "status"), "booked");
  ts_response_free(r);
  expect_state(coord, id, "scheduled");
  const char *p1[1] = {s1}, *p2[1] = {s2};
  char *b1 = ts_sql("SELECT booked FROM sessions WHERE id = $1", 1, p1);
  char *b2 = ts_sql("SELECT booked FROM sessions WHERE id = $1", 1, p2);
  ck_assert_str_eq(b1, "0");
  ck_assert_str_eq(b2, "1");
  free(b1);
  free(b2);
  free(officer);
  free(coord);
}
END_TEST

Suite *http_bookings_suite(void) {
  Suite *s = suite_create("http-bookings");
  TCase *tc = tcase_create("bookings");
  tcase_set_timeout(tc, 180);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, booking_schedules_and_guards_refuse);
  tcase_add_test(tc, booking_twice_says_already_booked);
  tcase_add_test(tc, hundred_concurrent_bookings_fill_eight_places);
  tcase_add_test(tc, one_person_is_never_double_booked);
  tcase_add_test(tc, attendance_progresses_and_completes);
  tcase_add_test(tc, one_session_attends_and_completes);
  tcase_add_test(tc, future_session_outcomes_are_refused);
  tcase_add_test(tc, amendments_keep_the_original_and_enforcement_follows);
  tcase_add_test(tc, rescheduling_links_the_new_booking);
  suite_add_tcase(s, tc);
  return s;
}
