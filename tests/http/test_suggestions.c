/* What the practitioners' app needs beyond the resources, through the real path: booking
 * suggestions (every session a booking would refuse is left out, the order, each suggestion
 * books), a referral's next session, one referral's notices, and a dry run of a follow-up import
 * that saves nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *const R_SUGGEST = "/v1/referrals/{id}/session-suggestions";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* A placement of `area` in `ward` from `min_age`; writes its id. */
static void make_placement(const char *area, const char *ward, int min_age, char placement[37]) {
  char age[8];
  new_uuid(placement);
  snprintf(age, sizeof age, "%d", min_age);
  const char *p[4] = {placement, area, ward, age};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Park borders', 'gardening', 'Parks Trust', $3, $4::int, 'sup-1', 'Sam Supervisor',"
              " now(), now())",
              4, p));
}

/* A session of `placement` from `start_minutes` after now (a whole minute) for `length_minutes`,
 * with `capacity` places; writes its id. */
static void make_session(const char *area, const char *placement, int start_minutes,
                         int length_minutes, int capacity, char session[37]) {
  char start[16], length[16], cap[16];
  new_uuid(session);
  snprintf(start, sizeof start, "%d", start_minutes);
  snprintf(length, sizeof length, "%d", length_minutes);
  snprintf(cap, sizeof cap, "%d", capacity);
  const char *p[6] = {session, area, placement, start, length, cap};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " date_trunc('minute', now()) + $4::int * interval '1 minute',"
              " date_trunc('minute', now()) + ($4::int + $5::int) * interval '1 minute',"
              " $6::int, 'sup-1', 'Sam Supervisor', now(), now())",
              6, p));
}

/* A referral of a person born on `dob` (a new police id each time), accepted unless `submit_only`;
 * writes its id and its person's. */
static void referral_of(const char *officer, const char *coord, const char *dob, bool submit_only,
                        char id[64], char person[64]) {
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char pid[37];
  new_uuid(pid);
  json_t *who = json_object_get(j, "person");
  json_object_set_new(who, "police_id", json_string(pid));
  json_object_set_new(who, "date_of_birth", json_string(dob));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  const char *p[1] = {id};
  char *pe = ts_sql("SELECT person_id FROM referrals WHERE id = $1", 1, p);
  snprintf(person, 64, "%s", pe);
  free(pe);
  if (submit_only)
    return;
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"ok\"}");
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  ts_response_free(r);
}

static ts_response *suggest(const char *token, const char *referral, const char *query) {
  char path[200];
  snprintf(path, sizeof path, "/v1/referrals/%s/session-suggestions%s", referral, query);
  return ts_http(S, "GET", R_SUGGEST, path, token, NULL, NULL);
}

static ts_response *book(const char *coord, const char *referral, const char *session) {
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  return ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
}

/* Books and returns the booking's id (owned: free()). */
static char *booked(const char *coord, const char *referral, const char *session) {
  ts_response *r = book(coord, referral, session);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  char *id = strdup(str(r->json, "id"));
  ts_response_free(r);
  return id;
}

/* The session id of suggestion i. */
static const char *suggested(const ts_response *r, size_t i) {
  json_t *item = json_array_get(json_object_get(r->json, "items"), i);
  return str(json_object_get(item, "session"), "id");
}

/* A date `days` from today, `years` earlier, as YYYY-MM-DD (owned: free()). */
static char *birth_date(int days, int years) {
  char d[16], y[16];
  snprintf(d, sizeof d, "%d", days);
  snprintf(y, sizeof y, "%d", years);
  const char *p[2] = {d, y};
  return ts_sql("SELECT to_char(current_date + $1::int - $2::int * interval '1 year',"
                " 'YYYY-MM-DD')",
                2, p);
}

START_TEST(suggestions_leave_out_every_session_a_booking_would_refuse) {
  char *officer = ts_token("officer", AREA, "pc-sg-1");
  char *coord = ts_token("coordinator", AREA, "coord-sg-1");
  /* 21 in ten days' time */
  char *dob = birth_date(10, 21);
  char a[64], pa[64], b[64], pb[64], c[64], pc[64];
  referral_of(officer, coord, dob, false, a, pa);
  referral_of(officer, coord, "1990-05-17", false, b, pb);
  referral_of(officer, coord, "1991-06-18", false, c, pc);
  free(dob);
  char place_a[37], place_b[37], place_21[37];
  make_placement(AREA, "ward-a", 10, place_a);
  make_placement(AREA, "ward-b", 10, place_b);
  make_placement(AREA, "ward-a", 21, place_21);
  /* what may be suggested: two sessions starting together (the referral's ward first), one after
   * the 48-hour target, and one from 21 after the birthday */
  char soon_own[37], soon_other[37], after_target[37], old_enough[37];
  make_session(AREA, place_b, 20 * 60, 180, 6, soon_other);
  make_session(AREA, place_a, 20 * 60, 180, 6, soon_own);
  make_session(AREA, place_a, 60 * 60, 180, 6, after_target);
  make_session(AREA, place_21, 15 * 24 * 60, 180, 6, old_enough);
  /* what may not: full, too early for the minimum age, overlapping A's booking, with someone A is
   * kept apart from, cancelled, started, over */
  char full[37], too_young[37], held[37], overlapping[37], apart[37], cancelled[37], started[37],
      over[37];
  make_session(AREA, place_a, 22 * 60, 60, 1, full);
  make_session(AREA, place_21, 5 * 24 * 60, 180, 6, too_young);
  make_session(AREA, place_a, 30 * 60, 120, 6, held);
  make_session(AREA, place_a, 31 * 60, 120, 6, overlapping);
  make_session(AREA, place_a, 26 * 60, 120, 6, apart);
  make_session(AREA, place_a, 24 * 60, 120, 6, cancelled);
  make_session(AREA, place_a, -10, 120, 6, started);
  make_session(AREA, place_a, -300, 120, 6, over);
  const char *pcan[1] = {cancelled};
  free(ts_sql("UPDATE sessions SET cancelled = true WHERE id = $1", 1, pcan));
  free(booked(coord, c, full));
  free(booked(coord, a, held));
  free(booked(coord, b, apart));
  char body[256];
  snprintf(body, sizeof body,
           "{\"referral_ids\":[\"%s\",\"%s\"],\"reason\":\"co_offenders\",\"notes\":\"Together\"}",
           a, b);
  ts_response *r =
      ts_http(S, "POST", "/v1/non-associations", "/v1/non-associations", coord, NULL, body);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  ts_response_free(r);
  /* another area's session is never suggested */
  char other_area[IJ_AREA_MAX], other_place[37], other_session[37];
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, other_area);
  ij_store_release(S->store, conn);
  make_placement(other_area, "ward-a", 10, other_place);
  make_session(other_area, other_place, 19 * 60, 180, 6, other_session);

  r = suggest(coord, a, "?limit=20");
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  json_t *items = json_object_get(r->json, "items");
  const char *want[] = {soon_own, soon_other, after_target, old_enough};
  const bool within[] = {true, true, false, false};
  ck_assert_msg(json_array_size(items) == 4, "%s", r->body);
  for (size_t i = 0; i < 4; i++) {
    ck_assert_str_eq(suggested(r, i), want[i]);
    ck_assert_int_eq(json_is_true(json_object_get(json_array_get(items, i), "within_target")),
                     within[i]);
  }
  json_t *first = json_object_get(json_array_get(items, 0), "session");
  ck_assert_int_eq(json_integer_value(json_object_get(first, "capacity")), 6);
  ck_assert_int_eq(json_integer_value(json_object_get(first, "places_left")), 6);
  ck_assert_str_eq(str(json_object_get(first, "placement"), "id"), place_a);
  ck_assert_str_eq(str(json_object_get(first, "placement"), "ward"), "ward-a");
  ck_assert_str_eq(str(json_object_get(first, "supervisor"), "name"), "Sam Supervisor");
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);
  /* the default is five; a limit from 1 to 20 */
  r = suggest(coord, a, "?limit=1");
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ck_assert_str_eq(suggested(r, 0), soon_own);
  ts_response_free(r);
  const char *const bad[] = {"?limit=0", "?limit=21", "?limit=x", "?from=2026-01-01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = suggest(coord, a, bad[i]);
    ck_assert_msg(r->status == 422, "%s: %ld", bad[i], r->status);
    ts_response_free(r);
  }
  /* each suggestion books: take the first until none is left, every booking accepted */
  int taken = 0;
  for (;;) {
    r = suggest(coord, a, "");
    ck_assert_int_eq(r->status, 200);
    if (json_array_size(json_object_get(r->json, "items")) == 0) {
      ts_response_free(r);
      break;
    }
    char session[37];
    snprintf(session, sizeof session, "%s", suggested(r, 0));
    ts_response_free(r);
    free(booked(coord, a, session));
    ck_assert_int_lt(++taken, 10);
  }
  /* soon_own (soon_other overlaps it), after_target, old_enough */
  ck_assert_int_eq(taken, 3);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(suggestions_only_for_a_bookable_referral_to_those_who_book) {
  char *officer = ts_token("officer", AREA, "pc-sg-2");
  char *coord = ts_token("coordinator", AREA, "coord-sg-2");
  char *supervisor = ts_token("supervisor", AREA, "sup-1");
  char submitted[64], ps[64], accepted[64], pa[64];
  referral_of(officer, coord, "1990-05-17", true, submitted, ps);
  referral_of(officer, coord, "1992-07-19", false, accepted, pa);
  /* a referral that cannot be booked: 409, saying why and what may be done instead */
  ts_response *r = suggest(coord, submitted, "");
  ck_assert_msg(r->status == 409, "%ld: %s", r->status, r->body);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  ck_assert_ptr_nonnull(strstr(r->body, "the referral is submitted"));
  json_t *allowed = json_object_get(r->json, "allowed_events");
  bool accept = false;
  for (size_t i = 0; i < json_array_size(allowed); i++)
    accept = accept || strcmp(json_string_value(json_array_get(allowed, i)), "accept") == 0;
  ck_assert(accept);
  ts_response_free(r);
  /* officers and supervisors do not book: 403 */
  r = suggest(officer, accepted, "");
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  r = suggest(supervisor, accepted, "");
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  /* another area's coordinator, an unknown id, not an id: 404 */
  char other_area[IJ_AREA_MAX];
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, other_area);
  ij_store_release(S->store, conn);
  char *stranger = ts_token("coordinator", other_area, "coord-elsewhere");
  r = suggest(stranger, accepted, "");
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  char unknown[37];
  new_uuid(unknown);
  r = suggest(coord, unknown, "");
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = suggest(coord, "not-an-id", "");
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  /* the coordinator's read is in the access log, as a read of the referral */
  r = suggest(coord, accepted, "");
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
  ts_response_free(r);
  const char *p[1] = {accepted};
  char *n = NULL;
  for (int tries = 0; tries < 100; tries++) {
    free(n);
    n = ts_sql("SELECT count(*) FROM personal_data_access WHERE referral_id = $1"
               " AND route = '/v1/referrals/{id}/session-suggestions' AND action = 'consult'"
               " AND actor_sub = 'coord-sg-2'",
               1, p);
    if (strcmp(n, "0") != 0)
      break;
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  ck_assert_str_eq(n, "1");
  free(n);
  free(stranger);
  free(supervisor);
  free(officer);
  free(coord);
}
END_TEST

static json_t *next_session_of(const char *token, const char *id, ts_response **keep) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  *keep = ts_http(S, "GET", "/v1/referrals/{id}", path, token, NULL, NULL);
  ck_assert_int_eq((*keep)->status, 200);
  return json_object_get((*keep)->json, "next_session");
}

/* next_session of referral `id` in the list (the officer's own referrals). */
static json_t *listed_next_session(const char *token, const char *id, ts_response **keep) {
  *keep =
      ts_http(S, "GET", "/v1/referrals", "/v1/referrals?mine=true&limit=100", token, NULL, NULL);
  ck_assert_int_eq((*keep)->status, 200);
  json_t *items = json_object_get((*keep)->json, "items");
  for (size_t i = 0; i < json_array_size(items); i++)
    if (strcmp(str(json_array_get(items, i), "id"), id) == 0)
      return json_object_get(json_array_get(items, i), "next_session");
  ck_abort_msg("referral %s not listed", id);
  return NULL;
}

START_TEST(next_session_follows_the_bookings) {
  char *officer = ts_token("officer", AREA, "pc-sg-3");
  char *coord = ts_token("coordinator", AREA, "coord-sg-3");
  char id[64], person[64];
  referral_of(officer, coord, "1990-05-17", false, id, person);
  ts_response *r;
  json_t *next = next_session_of(officer, id, &r);
  ck_assert(json_is_null(next));
  ts_response_free(r);
  next = listed_next_session(officer, id, &r);
  ck_assert(json_is_null(next));
  ts_response_free(r);
  char place[37], first[37], second[37];
  make_placement(AREA, "ward-a", 10, place);
  make_session(AREA, place, 50 * 60, 120, 6, second);
  make_session(AREA, place, 30 * 60, 120, 6, first);
  char *later = booked(coord, id, second);
  char *sooner = booked(coord, id, first);
  next = next_session_of(officer, id, &r);
  ck_assert_str_eq(str(next, "booking_id"), sooner);
  ck_assert_str_eq(str(next, "session_id"), first);
  ck_assert_str_eq(str(next, "placement_name"), "Park borders");
  ck_assert_ptr_nonnull(str(next, "starts_at"));
  ck_assert_ptr_nonnull(str(next, "ends_at"));
  ts_response_free(r);
  next = listed_next_session(officer, id, &r);
  ck_assert_str_eq(str(next, "booking_id"), sooner);
  ts_response_free(r);
  /* the first booking cancelled: the second session is next */
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s/outcome", sooner);
  r = ts_http(S, "POST", "/v1/bookings/{id}/outcome", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL}, "{\"outcome\":\"cancelled\"}");
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  ts_response_free(r);
  next = next_session_of(coord, id, &r);
  ck_assert_str_eq(str(next, "booking_id"), later);
  ck_assert_str_eq(str(next, "session_id"), second);
  ts_response_free(r);
  /* once that session has passed, there is no next session */
  const char *p[1] = {second};
  free(ts_sql("UPDATE sessions SET starts_at = starts_at - interval '60 hours',"
              " ends_at = ends_at - interval '60 hours' WHERE id = $1",
              1, p));
  free(ts_sql("UPDATE bookings SET starts_at = starts_at - interval '60 hours',"
              " ends_at = ends_at - interval '60 hours' WHERE session_id = $1",
              1, p));
  next = next_session_of(officer, id, &r);
  ck_assert(json_is_null(next));
  ts_response_free(r);
  next = listed_next_session(officer, id, &r);
  ck_assert(json_is_null(next));
  ts_response_free(r);
  /* a withdrawal cancels the open bookings: its own answer shows no next session */
  char gone[64], gone_person[64], third[37];
  referral_of(officer, coord, "1993-08-20", false, gone, gone_person);
  make_session(AREA, place, 40 * 60, 120, 6, third);
  char *third_booking = booked(coord, gone, third);
  next = next_session_of(coord, gone, &r);
  ck_assert_str_eq(str(next, "booking_id"), third_booking);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", gone);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"3\"", NULL},
              "{\"event\":\"withdraw\",\"reason_code\":\"moved_out_of_area\"}");
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  ck_assert(json_is_null(json_object_get(r->json, "next_session")));
  ts_response_free(r);
  next = next_session_of(coord, gone, &r);
  ck_assert(json_is_null(next));
  ts_response_free(r);
  free(third_booking);
  free(later);
  free(sooner);
  free(officer);
  free(coord);
}
END_TEST

static ts_response *notices(const char *token, const char *query) {
  char path[200];
  snprintf(path, sizeof path, "/v1/notices%s", query);
  return ts_http(S, "GET", "/v1/notices", path, token, NULL, NULL);
}

START_TEST(notices_of_one_referral) {
  char *officer = ts_token("officer", AREA, "pc-sg-4");
  char *other_officer = ts_token("officer", AREA, "pc-sg-5");
  char *coord = ts_token("coordinator", AREA, "coord-sg-4");
  char a[64], pa[64], b[64], pb[64];
  referral_of(officer, coord, "1990-05-17", false, a, pa);
  referral_of(officer, coord, "1991-06-18", false, b, pb);
  char query[128];
  snprintf(query, sizeof query, "?referral_id=%s", a);
  /* the coordinator and the referring officer see A's notices, and only A's */
  const char *const readers[] = {coord, officer};
  for (size_t k = 0; k < 2; k++) {
    ts_response *r = notices(readers[k], query);
    ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
    json_t *items = json_object_get(r->json, "items");
    ck_assert_int_ge(json_array_size(items), 1);
    bool accepted = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
      json_t *n = json_array_get(items, i);
      ck_assert_str_eq(str(n, "referral_id"), a);
      accepted = accepted || strcmp(str(n, "event"), "accepted") == 0;
    }
    ck_assert(accepted);
    ts_response_free(r);
  }
  /* the whole feed has B's as well */
  ts_response *r = notices(coord, "?limit=100");
  bool seen_b = false;
  json_t *items = json_object_get(r->json, "items");
  for (size_t i = 0; i < json_array_size(items); i++)
    seen_b = seen_b || strcmp(str(json_array_get(items, i), "referral_id"), b) == 0;
  ck_assert(seen_b);
  ts_response_free(r);
  /* another officer's referral: nothing, as the feed already narrows an officer's */
  r = notices(other_officer, query);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
  ts_response_free(r);
  r = notices(coord, "?referral_id=nope");
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "\"referral_id\""));
  ts_response_free(r);
  free(officer);
  free(other_officer);
  free(coord);
}
END_TEST

static ts_response *import(const char *token, const char *query, const char *csv) {
  char path[200];
  snprintf(path, sizeof path, "/v1/followups/import%s", query);
  return ts_http(S, "POST", "/v1/followups/import", path, token,
                 (const char *const[]){"Content-Type: text/csv", NULL}, csv);
}

/* What an import could have changed in the area: recorded checks, imports, referral events. */
static char *changes(void) {
  const char *p[1] = {AREA};
  return ts_sql("SELECT (SELECT count(*) FROM followup_checks WHERE area = $1"
                " AND recorded_at IS NOT NULL) || '/' || (SELECT count(*) FROM followup_imports"
                " WHERE area = $1) || '/' || (SELECT count(*) FROM referral_events WHERE area = $1)"
                " || '/' || (SELECT count(*) FROM notices WHERE area = $1)",
                1, p);
}

START_TEST(an_import_dry_run_saves_nothing) {
  char *officer = ts_token("officer", AREA, "pc-sg-6");
  char *coord = ts_token("coordinator", AREA, "coord-sg-6");
  /* a referral that ended four months ago, its 3-month check due */
  char id[64], person[64];
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string("22/900001D"));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, sizeof id, "%s", ts_id(r));
  ts_response_free(r);
  (void)person;
  const char *p[1] = {id};
  free(ts_sql("UPDATE referrals SET state = 'scheduled', breaches = 1 WHERE id = $1", 1, p));
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"declare_non_compliance\",\"reason_code\":\"unacceptable_absence\","
              "\"reason\":\"Did not attend\"}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ts_response_free(r);
  free(ts_sql("UPDATE followup_checks SET exited_on = current_date - interval '4 months',"
              " due_on = current_date - interval '4 months' + window_months * interval '1 month'"
              " WHERE referral_id = $1",
              1, p));
  char *before = changes();

  /* a file with faults: the import's own report, row by row, and nothing saved */
  const char *faulty = "police_id,window_months,reoffended,first_reoffence_on,reoffence_category\n"
                       "22/900001D,3,true,,\n"
                       "22/999999Z,3,false,,\n"
                       "22/900001D,4,maybe,,\n";
  r = import(coord, "?dry_run=true", faulty);
  ck_assert_msg(r->status == 422, "%ld: %s", r->status, r->body);
  ts_response *real = import(coord, "", faulty);
  ck_assert_int_eq(real->status, 422);
  /* the same problems as the import itself finds */
  ck_assert(json_equal(json_object_get(r->json, "errors"), json_object_get(real->json, "errors")));
  ck_assert_int_ge(json_array_size(json_object_get(r->json, "errors")), 4);
  ck_assert_ptr_nonnull(strstr(str(r->json, "detail"), "dry run"));
  ts_response_free(real);
  ts_response_free(r);
  char *after = changes();
  ck_assert_str_eq(after, before);
  free(after);

  /* a good file: what the import would do, nothing saved; the file is not remembered, so the
   * import itself then records it */
  const char *good = "police_id,window_months,reoffended\n22/900001D,3,false\n";
  r = import(coord, "?dry_run=true", good);
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  ck_assert(json_is_true(json_object_get(r->json, "dry_run")));
  ck_assert(json_is_null(json_object_get(r->json, "import_id")));
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "rows")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "recorded")), 1);
  ck_assert(json_is_false(json_object_get(r->json, "replayed")));
  ts_response_free(r);
  after = changes();
  ck_assert_str_eq(after, before);
  free(after);
  r = import(coord, "?dry_run=false", good);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  char import_id[64];
  snprintf(import_id, sizeof import_id, "%s", str(r->json, "import_id"));
  ts_response_free(r);
  after = changes();
  ck_assert_str_ne(after, before);
  free(before);
  /* the same file again, dry: the earlier import's report, nothing saved */
  r = import(coord, "?dry_run=true", good);
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_true(json_object_get(r->json, "replayed")));
  ck_assert_str_eq(str(r->json, "import_id"), import_id);
  ts_response_free(r);
  before = changes();
  ck_assert_str_eq(before, after);
  free(after);
  free(before);
  r = import(coord, "?dry_run=yes", good);
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "\"dry_run\""));
  ts_response_free(r);
  free(officer);
  free(coord);
}
END_TEST

Suite *http_suggestions_suite(void) {
  Suite *s = suite_create("http-suggestions");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, suggestions_leave_out_every_session_a_booking_would_refuse);
  tcase_add_test(tc, suggestions_only_for_a_bookable_referral_to_those_who_book);
  tcase_add_test(tc, next_session_follows_the_bookings);
  tcase_add_test(tc, notices_of_one_referral);
  tcase_add_test(tc, an_import_dry_run_saves_nothing);
  suite_add_tcase(s, tc);
  return s;
}
