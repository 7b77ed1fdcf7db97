/* Attendance as it happens, through the real path: an outcome credits only time already worked
 * (the two-hour session started ten seconds ago), sign-in on arrival puts the referral in
 * progress, sign-out credits the times worked never beyond now or what is owed, every bad time
 * in one 422, the bulk outcome all or nothing with per-booking errors, and concurrent sign-outs
 * and outcomes on one booking recording exactly one. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static json_int_t num(json_t *j, const char *key) {
  return json_integer_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* A placement supervised by sup-1 and a session of `minutes` a day ahead; writes its id. */
static void make_session(int minutes, char session[37]) {
  char placement[37], len[16];
  new_uuid(placement);
  new_uuid(session);
  snprintf(len, sizeof len, "%d", minutes);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Canal path clearance', 'gardening', 'Canal Trust', 'ward-a', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              2, p1));
  const char *p2[4] = {session, AREA, placement, len};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " now() + interval '1 day', now() + interval '1 day' + $4::int * interval '1 minute',"
              " 10, 'sup-1', 'Sup One', now(), now())",
              4, p2));
}

/* Moves a session and its bookings to start `seconds` from now (negative: it started that long
 * ago), keeping its length; a sign-in moves with them (it stays as long before the start). */
static void start_in(const char *session, int seconds) {
  char s[16];
  snprintf(s, sizeof s, "%d", seconds);
  const char *p[2] = {session, s};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = date_trunc('second', now()) + $2::int *"
              " interval '1 second', ends_at = date_trunc('second', now()) + $2::int * interval"
              " '1 second' + (ends_at - starts_at) WHERE id = $1 RETURNING id, starts_at, ends_at)"
              " UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at,"
              " signed_in_at = b.signed_in_at + (s.starts_at - b.starts_at) FROM s"
              " WHERE b.session_id = s.id",
              2, p));
}

/* Signs the booking's person in five minutes before the session starts, then moves the session
 * to have started `seconds_ago`. */
static void signed_in(const char *token, const char *session, const char *booking, int seconds_ago);

/* A session's start, as the API writes times. */
static char *session_start(const char *session, const char *plus) {
  const char *p[2] = {session, plus};
  return ts_sql("SELECT to_char((starts_at + $2::interval) AT TIME ZONE 'UTC',"
                " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sessions WHERE id = $1",
                2, p);
}

/* A referral by a new person, accepted with `hours`; writes its id. */
static void accepted_referral(const char *officer, const char *coord, int hours, char id[64]) {
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char pid[64];
  new_uuid(pid);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(pid));
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

/* Books the referral on the session; writes the booking's id. */
static void book(const char *coord, const char *referral, const char *session, char booking[64]) {
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  ts_response *r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(booking, 64, "%s", str(r->json, "id"));
  ts_response_free(r);
}

static ts_response *post_booking(const char *token, const char *booking, const char *what,
                                 const char *etag, const char *body) {
  char path[160], route[64], header[64];
  snprintf(path, sizeof path, "/v1/bookings/%s/%s", booking, what);
  snprintf(route, sizeof route, "/v1/bookings/{id}/%s", what);
  snprintf(header, sizeof header, "If-Match: %s", etag ? etag : "");
  return ts_http(S, "POST", route, path, token, etag ? (const char *const[]){header, NULL} : NULL,
                 body);
}

static void signed_in(const char *token, const char *session, const char *booking,
                      int seconds_ago) {
  start_in(session, 5 * 60);
  ts_response *r = post_booking(token, booking, "sign-in", NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  start_in(session, -seconds_ago);
}

static ts_response *get_booking(const char *token, const char *booking) {
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s", booking);
  return ts_http(S, "GET", "/v1/bookings/{id}", path, token, NULL, NULL);
}

static ts_response *get_referral(const char *token, const char *id) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  return ts_http(S, "GET", "/v1/referrals/{id}", path, token, NULL, NULL);
}

static void expect_state(const char *token, const char *id, const char *state) {
  ts_response *r = get_referral(token, id);
  ck_assert_int_eq(r->status, 200);
  ck_assert_msg(strcmp(str(r->json, "state"), state) == 0, "state %s, want %s",
                str(r->json, "state"), state);
  ts_response_free(r);
}

static void expect_booking(const char *token, const char *booking, const char *status,
                           int minutes) {
  ts_response *r = get_booking(token, booking);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "status"), status);
  ck_assert_int_eq(num(r->json, "minutes_credited"), minutes);
  ts_response_free(r);
}

/* The event names of a referral's log, joined by spaces. */
static void expect_events(const char *token, const char *id, const char *want) {
  char path[160], got[256] = "";
  snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}/events", path, token, NULL, NULL);
  json_t *items = json_object_get(r->json, "items");
  for (size_t i = 0; i < json_array_size(items); i++) {
    strncat(got, i ? " " : "", sizeof got - strlen(got) - 1);
    strncat(got, str(json_array_get(items, i), "event"), sizeof got - strlen(got) - 1);
  }
  ck_assert_str_eq(got, want);
  ts_response_free(r);
}

/* Whether the problem's errors name the field. */
static bool names(const ts_response *r, const char *field) {
  json_t *errors = json_object_get(r->json, "errors");
  for (size_t i = 0; i < json_array_size(errors); i++)
    if (strcmp(str(json_array_get(errors, i), "field"), field) == 0)
      return true;
  return false;
}

static int outcome_rows(const char *booking) {
  const char *p[1] = {booking};
  char *n = ts_sql("SELECT count(*) FROM booking_outcomes WHERE booking_id = $1", 1, p);
  int count = atoi(n);
  free(n);
  return count;
}

/* The two-hour session that started ten seconds ago cannot be recorded attended with its 120
 * minutes: nothing is credited, the referral is not completed, nobody is told. Absence is
 * recorded as before, and once the session has ended it credits the whole session. */
START_TEST(outcome_credits_only_time_already_worked) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], other[64], session[37], booking[64], absent[64];
  accepted_referral(officer, coord, 2, id);
  accepted_referral(officer, coord, 2, other);
  make_session(120, session);
  book(coord, id, session, booking);
  book(coord, other, session, absent);
  start_in(session, -10);
  ts_response *r = post_booking(coord, booking, "outcome", "\"1\"",
                                "{\"outcome\":\"attended_complied\",\"behaviour\":\"good\"}");
  ck_assert_msg(r->status == 409, "%ld %s", r->status, r->body);
  ck_assert(names(r, "outcome"));
  ck_assert_ptr_nonnull(strstr(r->body, "cannot be credited yet"));
  ts_response_free(r);
  expect_booking(coord, booking, "booked", 0);
  expect_state(coord, id, "scheduled");
  const char *p[1] = {id};
  char *n = ts_sql("SELECT count(*) FROM notices WHERE referral_id = $1"
                   " AND kind IN ('outcome', 'victim_update')",
                   1, p);
  ck_assert_str_eq(n, "0");
  free(n);
  /* a penalty that leaves no more than has run is not enough either: 120 - 60 > 0 minutes run */
  r = post_booking(coord, booking, "outcome", "\"1\"",
                   "{\"outcome\":\"attended_complied\",\"penalty_minutes\":60}");
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  /* an outcome that credits nothing is unchanged */
  r = post_booking(coord, absent, "outcome", "\"1\"", "{\"outcome\":\"absent_unacceptable\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  /* once the session has ended, the whole session */
  start_in(session, -121 * 60);
  r = post_booking(coord, booking, "outcome", "\"1\"", "{\"outcome\":\"attended_complied\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_int_eq(num(r->json, "minutes_credited"), 120);
  ts_response_free(r);
  expect_state(coord, id, "completed");
  free(officer);
  free(coord);
}
END_TEST

/* Sign-in from 30 minutes before the start: the referral moves to in_progress through the attend
 * follow-on, recorded as the supervisor's; a second sign-in changes nothing; too early, another
 * supervisor's session and an officer are refused. */
START_TEST(sign_in_puts_the_referral_in_progress) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char *other_sup = ts_token("supervisor", AREA, "sup-2");
  char id[64], session[37], booking[64];
  accepted_referral(officer, coord, 7, id);
  make_session(240, session);
  book(coord, id, session, booking);
  start_in(session, 2 * 3600); /* two hours ahead: too early */
  ts_response *r = post_booking(sup, booking, "sign-in", NULL, NULL);
  ck_assert_msg(r->status == 409, "%ld %s", r->status, r->body);
  ck_assert(names(r, "booking"));
  ck_assert_ptr_nonnull(strstr(r->body, "30 minutes before"));
  ts_response_free(r);
  start_in(session, 20 * 60); /* starts in 20 minutes: open */
  r = post_booking(other_sup, booking, "sign-in", NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = post_booking(officer, booking, "sign-in", NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  r = post_booking(sup, booking, "sign-in", NULL, "{\"at\":\"now\"}");
  ck_assert_int_eq(r->status, 422);
  ck_assert(names(r, "at"));
  ts_response_free(r);
  expect_state(coord, id, "scheduled");
  r = post_booking(sup, booking, "sign-in", NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert(json_is_string(json_object_get(r->json, "signed_in_at")));
  ck_assert_str_eq(str(r->json, "status"), "booked");
  char first[64];
  snprintf(first, sizeof first, "%s", str(r->json, "signed_in_at"));
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);
  expect_state(coord, id, "in_progress");
  expect_events(coord, id, "create accept book attend");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
  r = ts_http(S, "GET", "/v1/referrals/{id}/events", path, coord, NULL, NULL);
  json_t *attend = json_object_get(json_array_get(json_object_get(r->json, "items"), 3), "actor");
  ck_assert_str_eq(str(attend, "sub"), "sup-1");
  ts_response_free(r);
  /* again: the same answer, nothing changed */
  r = post_booking(coord, booking, "sign-in", NULL, "{}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "signed_in_at"), first);
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);
  expect_events(coord, id, "create accept book attend");
  /* after the end a sign-in is refused (this booking is signed in already, so a new one) */
  char id2[64], booking2[64];
  accepted_referral(officer, coord, 7, id2);
  book(coord, id2, session, booking2);
  start_in(session, -241 * 60);
  r = post_booking(sup, booking2, "sign-in", NULL, NULL);
  ck_assert_int_eq(r->status, 409);
  ck_assert_ptr_nonnull(strstr(r->body, "has ended"));
  ts_response_free(r);
  expect_state(coord, id2, "scheduled");
  free(officer);
  free(coord);
  free(sup);
  free(other_sup);
}
END_TEST

/* Sign-out credits the times worked less penalties, the finish capped at now and the total at
 * what is owed; the times are kept on the booking. */
START_TEST(sign_out_credits_time_worked_capped_by_now_and_owed) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char id[64], s1[37], s2[37], s3[37], b1[64], b2[64], b3[64];
  accepted_referral(officer, coord, 2, id); /* 120 minutes owed */
  make_session(120, s1);
  make_session(120, s2);
  make_session(120, s3);
  book(coord, id, s1, b1);
  signed_in(sup, s1, b1, 300 * 60); /* started five hours ago */
  ts_response *r;
  /* worked 40 minutes from the start, 5 minutes' penalty */
  char *from = session_start(s1, "0"), *to = session_start(s1, "40 minutes");
  char body[512];
  snprintf(body, sizeof body,
           "{\"started_at\":\"%s\",\"finished_at\":\"%s\",\"penalty_minutes\":5,"
           "\"behaviour\":\"good\",\"work_quality\":\"satisfactory\",\"notes\":\"hedges\"}",
           from, to);
  r = post_booking(sup, b1, "sign-out", "\"2\"", body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(str(r->json, "status"), "attended_complied");
  ck_assert_int_eq(num(r->json, "minutes_credited"), 35);
  ck_assert_int_eq(num(r->json, "penalty_minutes"), 5);
  ck_assert(json_is_string(json_object_get(r->json, "started_at")));
  ck_assert(json_is_string(json_object_get(r->json, "finished_at")));
  ts_response_free(r);
  free(from);
  free(to);
  /* finishing at the session's end, signed out 60 minutes in: no more than has run */
  book(coord, id, s2, b2);
  signed_in(coord, s2, b2, 60 * 60);
  from = session_start(s2, "0");
  to = session_start(s2, "120 minutes");
  snprintf(body, sizeof body, "{\"started_at\":\"%s\",\"finished_at\":\"%s\"}", from, to);
  r = post_booking(coord, b2, "sign-out", "\"2\"", body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  json_int_t credited = num(r->json, "minutes_credited");
  ck_assert_msg(credited >= 60 && credited < 120, "credited %lld", (long long)credited);
  ts_response_free(r);
  free(from);
  free(to);
  expect_state(coord, id, "in_progress");
  start_in(s2, -600 * 60); /* out of the way of the third: one person, no overlaps */
  /* the third session: three hours worked, but only what is still owed, and it completes */
  book(coord, id, s3, b3);
  signed_in(sup, s3, b3, 100 * 60);
  from = session_start(s3, "0");
  to = session_start(s3, "90 minutes");
  snprintf(body, sizeof body, "{\"started_at\":\"%s\",\"finished_at\":\"%s\"}", from, to);
  r = post_booking(sup, b3, "sign-out", "\"2\"", body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_int_eq(num(r->json, "minutes_credited"), 120 - 35 - credited);
  ts_response_free(r);
  free(from);
  free(to);
  expect_state(coord, id, "completed");
  expect_events(coord, id, "create accept book attend complete");
  free(officer);
  free(coord);
  free(sup);
}
END_TEST

/* Every failing field of a sign-out in one 422, nothing changed; not signed in and signed out
 * already are 409. */
START_TEST(sign_out_refuses_bad_times_at_once) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64], session[37], booking[64];
  accepted_referral(officer, coord, 7, id);
  make_session(120, session);
  book(coord, id, session, booking);
  start_in(session, -30 * 60);
  char *from = session_start(session, "0"), *to = session_start(session, "20 minutes");
  char good[256];
  snprintf(good, sizeof good, "{\"started_at\":\"%s\",\"finished_at\":\"%s\"}", from, to);
  ts_response *r = post_booking(coord, booking, "sign-out", "\"1\"", good);
  ck_assert_msg(r->status == 409, "%ld %s", r->status, r->body);
  ck_assert_ptr_nonnull(strstr(r->body, "not signed in"));
  ts_response_free(r);
  signed_in(coord, session, booking, 30 * 60);
  /* missing times and unknown fields */
  r = post_booking(coord, booking, "sign-out", "\"2\"", "{\"amendment_reason\":\"x\"}");
  ck_assert_int_eq(r->status, 422);
  ck_assert(names(r, "started_at") && names(r, "finished_at") && names(r, "amendment_reason"));
  ts_response_free(r);
  r = post_booking(coord, booking, "sign-out", "\"2\"",
                   "{\"started_at\":\"yesterday\",\"finished_at\":\"2026-13-01T00:00:00Z\"}");
  ck_assert_int_eq(r->status, 422);
  ck_assert(names(r, "started_at") && names(r, "finished_at"));
  ts_response_free(r);
  /* started in the future, finished before it started, not an attended outcome, a bad rating */
  char bad[512];
  char *future = session_start(session, "2 hours");
  snprintf(bad, sizeof bad,
           "{\"started_at\":\"%s\",\"finished_at\":\"%s\",\"outcome\":\"absent_unacceptable\","
           "\"work_quality\":\"superb\"}",
           future, to);
  r = post_booking(coord, booking, "sign-out", "\"2\"", bad);
  ck_assert_msg(r->status == 422, "%ld %s", r->status, r->body);
  ck_assert(names(r, "started_at"));
  ck_assert(names(r, "finished_at"));
  ck_assert(names(r, "outcome"));
  ck_assert(names(r, "work_quality"));
  ts_response_free(r);
  /* started long before the sign-in */
  char *early = session_start(session, "-2 hours");
  snprintf(bad, sizeof bad, "{\"started_at\":\"%s\",\"finished_at\":\"%s\"}", early, to);
  r = post_booking(coord, booking, "sign-out", "\"2\"", bad);
  ck_assert_int_eq(r->status, 422);
  ck_assert(names(r, "started_at"));
  ts_response_free(r);
  expect_booking(coord, booking, "booked", 0);
  ck_assert_int_eq(outcome_rows(booking), 0);
  /* signed out, then again: 409, the outcome endpoint amends */
  r = post_booking(coord, booking, "sign-out", "\"2\"", good);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_int_eq(num(r->json, "minutes_credited"), 20);
  ts_response_free(r);
  r = post_booking(coord, booking, "sign-out", "\"3\"", good);
  ck_assert_int_eq(r->status, 409);
  ck_assert_ptr_nonnull(strstr(r->body, "signed out"));
  ts_response_free(r);
  /* an amendment keeps crediting the times worked */
  r = post_booking(coord, booking, "outcome", "\"3\"",
                   "{\"outcome\":\"attended_failed_to_comply\",\"amendment_reason\":\"refused "
                   "to work\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_int_eq(num(r->json, "minutes_credited"), 20);
  ts_response_free(r);
  free(from);
  free(to);
  free(future);
  free(early);
  free(officer);
  free(coord);
}
END_TEST

static ts_response *bulk(const char *token, const char *session, const char *body) {
  char path[160];
  snprintf(path, sizeof path, "/v1/sessions/%s/outcomes", session);
  return ts_http(S, "POST", "/v1/sessions/{id}/outcomes", path, token, NULL, body);
}

/* One outcome for several bookings: all or nothing, each failing booking named. */
START_TEST(bulk_outcome_is_all_or_nothing) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char *other_sup = ts_token("supervisor", AREA, "sup-2");
  char ids[4][64], b[4][64], session[37], elsewhere[37], running[37];
  make_session(60, session);
  make_session(60, elsewhere);
  make_session(120, running);
  for (int i = 0; i < 3; i++) {
    accepted_referral(officer, coord, 7, ids[i]);
    book(coord, ids[i], session, b[i]);
  }
  accepted_referral(officer, coord, 7, ids[3]);
  book(coord, ids[3], elsewhere, b[3]);
  start_in(session, -3 * 3600);
  start_in(elsewhere, -3 * 3600);
  /* the third already has an outcome, and a booking of another session is listed */
  ts_response *r =
      post_booking(coord, b[2], "outcome", "\"1\"", "{\"outcome\":\"absent_unacceptable\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  char body[512];
  snprintf(body, sizeof body,
           "{\"booking_ids\":[\"%s\",\"%s\",\"%s\"],\"outcome\":\"attended_complied\"}", b[0], b[1],
           b[3]);
  r = bulk(coord, session, body);
  ck_assert_msg(r->status == 422, "%ld %s", r->status, r->body);
  ck_assert(names(r, "booking_ids[2]"));
  ck_assert(!names(r, "booking_ids[0]") && !names(r, "booking_ids[1]"));
  ts_response_free(r);
  snprintf(body, sizeof body,
           "{\"booking_ids\":[\"%s\",\"%s\",\"%s\"],\"outcome\":\"attended_complied\","
           "\"behaviour\":\"good\"}",
           b[0], b[2], b[1]);
  r = bulk(coord, session, body);
  ck_assert_msg(r->status == 422, "%ld %s", r->status, r->body);
  ck_assert(names(r, "booking_ids[1]")); /* an amendment needs its reason */
  ck_assert_ptr_nonnull(strstr(r->body, "amendment_reason"));
  ck_assert(!names(r, "booking_ids[0]") && !names(r, "booking_ids[2]"));
  ts_response_free(r);
  for (int i = 0; i < 2; i++) {
    expect_booking(coord, b[i], "booked", 0);
    expect_state(coord, ids[i], "scheduled");
  }
  /* bad data in the request itself, and another supervisor's session */
  r = bulk(coord, session, "{\"booking_ids\":[\"x\"],\"outcome\":\"rescheduled\"}");
  ck_assert_int_eq(r->status, 422);
  ck_assert(names(r, "booking_ids[0]"));
  ts_response_free(r);
  r = bulk(coord, session, "{\"booking_ids\":[],\"outcome\":\"attended_complied\"}");
  ck_assert_int_eq(r->status, 422);
  ck_assert(names(r, "booking_ids"));
  ts_response_free(r);
  snprintf(body, sizeof body, "{\"booking_ids\":[\"%s\"],\"outcome\":\"attended_complied\"}", b[0]);
  r = bulk(other_sup, session, body);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  /* the two open bookings: both recorded, by their supervisor */
  snprintf(body, sizeof body,
           "{\"booking_ids\":[\"%s\",\"%s\"],\"outcome\":\"attended_complied\","
           "\"work_quality\":\"good\"}",
           b[1], b[0]);
  r = bulk(sup, session, body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  ck_assert_str_eq(str(json_array_get(items, 0), "id"), b[1]);
  ck_assert_int_eq(num(json_array_get(items, 0), "minutes_credited"), 60);
  ts_response_free(r);
  for (int i = 0; i < 2; i++) {
    expect_booking(coord, b[i], "attended_complied", 60);
    expect_state(coord, ids[i], "in_progress");
  }
  /* a session still running: every booking refused with 409, each named */
  char rid[2][64], rb[2][64];
  for (int i = 0; i < 2; i++) {
    accepted_referral(officer, coord, 7, rid[i]);
    book(coord, rid[i], running, rb[i]);
  }
  start_in(running, -10);
  snprintf(body, sizeof body, "{\"booking_ids\":[\"%s\",\"%s\"],\"outcome\":\"attended_complied\"}",
           rb[0], rb[1]);
  r = bulk(coord, running, body);
  ck_assert_msg(r->status == 409, "%ld %s", r->status, r->body);
  ck_assert(names(r, "booking_ids[0]") && names(r, "booking_ids[1]"));
  ts_response_free(r);
  expect_booking(coord, rb[0], "booked", 0);
  free(officer);
  free(coord);
  free(sup);
  free(other_sup);
}
END_TEST

typedef struct {
  const char *token, *booking, *what, *body;
  long status;
  pthread_barrier_t *start;
} racer;

static void *race_post(void *arg) {
  racer *x = arg;
  pthread_barrier_wait(x->start);
  ts_response *r = post_booking(x->token, x->booking, x->what, "\"2\"", x->body);
  x->status = r->status;
  ts_response_free(r);
  return NULL;
}

/* Sign-outs and outcomes sent at once on one booking: exactly one is recorded, the others are
 * refused (412 or 409), and the referral's minutes are those of the one. */
START_TEST(concurrent_sign_outs_record_one) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char id[64], session[37], booking[64];
  accepted_referral(officer, coord, 7, id);
  make_session(120, session);
  book(coord, id, session, booking);
  signed_in(sup, session, booking, 90 * 60);
  ts_response *r;
  char *from = session_start(session, "0"), *to = session_start(session, "30 minutes");
  char sign_out[256];
  snprintf(sign_out, sizeof sign_out, "{\"started_at\":\"%s\",\"finished_at\":\"%s\"}", from, to);
  enum { N = 8 };
  racer x[N];
  pthread_t t[N];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, N);
  for (int i = 0; i < N; i++) {
    x[i] = (racer){i % 2 ? coord : sup,
                   booking,
                   i % 2 ? "outcome" : "sign-out",
                   i % 2 ? "{\"outcome\":\"attended_complied\",\"penalty_minutes\":90}" : sign_out,
                   0,
                   &start};
    pthread_create(&t[i], NULL, race_post, &x[i]);
  }
  int ok = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(t[i], NULL);
    if (x[i].status == 200)
      ok++;
    else
      ck_assert_msg(x[i].status == 412 || x[i].status == 409, "status %ld", x[i].status);
  }
  pthread_barrier_destroy(&start);
  ck_assert_int_eq(ok, 1);
  ck_assert_int_eq(outcome_rows(booking), 1);
  r = get_booking(coord, booking);
  json_int_t minutes = num(r->json, "minutes_credited");
  ck_assert_int_eq(minutes, 30);
  ts_response_free(r);
  r = get_referral(coord, id);
  ck_assert_int_eq(num(r->json, "minutes_credited"), minutes);
  ts_response_free(r);
  free(from);
  free(to);
  free(officer);
  free(coord);
  free(sup);
}
END_TEST

Suite *http_attendance_suite(void) {
  Suite *s = suite_create("http-attendance");
  TCase *tc = tcase_create("attendance");
  tcase_set_timeout(tc, 180);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, outcome_credits_only_time_already_worked);
  tcase_add_test(tc, sign_in_puts_the_referral_in_progress);
  tcase_add_test(tc, sign_out_credits_time_worked_capped_by_now_and_owed);
  tcase_add_test(tc, sign_out_refuses_bad_times_at_once);
  tcase_add_test(tc, bulk_outcome_is_all_or_nothing);
  tcase_add_test(tc, concurrent_sign_outs_record_one);
  suite_add_tcase(s, tc);
  return s;
}
