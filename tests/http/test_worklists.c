/* The coordinators' work lists through the real path: referrals made through the API, sessions
 * and bookings written by SQL (valid rows), each list's content, order and pages. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"

static const char *const R_TRIAGE = "/v1/worklists/triage";
static const char *const R_OVERDUE = "/v1/worklists/overdue";
static const char *const R_SESSIONS = "/v1/worklists/sessions";
static const char *const R_DUE = "/v1/worklists/outcomes-due";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

/* ---- SQL on the test database ---- */

static PGconn *db(void) {
  PGconn *c = PQconnectdb(ts_database_url());
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
  return c;
}

/* Runs a statement and copies the first cell of its result, if any, into out. */
static void sql(PGconn *c, const char *q, int n, const char *const *params, char *out,
                size_t size) {
  PGresult *r = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                "%s: %s", q, PQresultErrorMessage(r));
  if (out) {
    ck_assert_int_ge(PQntuples(r), 1);
    snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
  }
  PQclear(r);
}

/* ---- seed data ---- */

/* A referral made by an officer through the API, for a person of its own. */
static void make_referral(const char *name, const char *police_id, char id[IJ_UUID_BUF]) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *text = ts_referral_body("ward-a");
  json_t *j = json_loads(text, 0, NULL);
  json_t *person = json_object_get(j, "person");
  json_object_set_new(person, "name", json_string(name));
  json_object_set_new(person, "police_id", json_string(police_id));
  free(text);
  text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, text);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, IJ_UUID_BUF, "%s", ts_id(r));
  ts_response_free(r);
  free(text);
  free(officer);
}

static void make_placement(PGconn *c, const char *name, const char *ward, const char *location,
                           char id[IJ_UUID_BUF]) {
  const char *p[4] = {AREA, name, ward, location};
  sql(c,
      "INSERT INTO placements (id, area, name, type, provider, ward, location, min_age,"
      " supervisor_sub, supervisor_name, created_at, updated_at)"
      " VALUES (gen_random_uuid(), $1, $2, 'gardening', 'Arboretum Allotments Society', $3, $4,"
      " 10, 'sup-1', 'Sam Supervisor', now(), now()) RETURNING id",
      4, p, id, IJ_UUID_BUF);
}

/* A session of the placement starting `start` after today's midnight (UTC), lasting `length`. */
static void make_session(PGconn *c, const char *placement, const char *start, const char *length,
                         bool cancelled, char id[IJ_UUID_BUF]) {
  const char *p[5] = {AREA, placement, start, length, cancelled ? "true" : "false"};
  sql(c,
      "INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity, booked,"
      " supervisor_sub, supervisor_name, cancelled, created_at, updated_at)"
      " SELECT gen_random_uuid(), $1, $2, d + $3::interval, d + $3::interval + $4::interval, 8, 0,"
      " 'sup-1', 'Sam Supervisor', $5::boolean, now(), now()"
      " FROM (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS d) x"
      " RETURNING id",
      5, p, id, IJ_UUID_BUF);
}

/* Books the referral's person on the session with a status; places held are counted. */
static void book(PGconn *c, const char *referral, const char *session, const char *status,
                 char id[IJ_UUID_BUF]) {
  const char *p[3] = {referral, session, status};
  sql(c,
      "WITH s AS (UPDATE sessions SET booked = booked"
      "   + CASE WHEN $3::text IN ('cancelled', 'rescheduled') THEN 0 ELSE 1 END"
      "   WHERE id = $2 RETURNING id, area, starts_at, ends_at)"
      " INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at,"
      " status, created_at, updated_at)"
      " SELECT gen_random_uuid(), s.area, r.id, s.id, r.person_id, s.starts_at, s.ends_at, $3,"
      " now(), now() FROM s JOIN referrals r ON r.id = $1 RETURNING id",
      3, p, id, IJ_UUID_BUF);
}

/* ---- calls ---- */

static ts_response *list(const char *route, const char *token, const char *query) {
  char path[256];
  snprintf(path, sizeof path, "%s%s", route, query ? query : "");
  return ts_http(S, "GET", route, path, token, NULL, NULL);
}

/* Every page of a list, following next_cursor (limit per page), as one array of items. */
static json_t *all_pages(const char *route, const char *token, const char *extra, int limit,
                         int *pages) {
  json_t *all = json_array();
  char query[256];
  snprintf(query, sizeof query, "?limit=%d%s", limit, extra ? extra : "");
  *pages = 0;
  for (;;) {
    ts_response *r = list(route, token, query);
    ck_assert_msg(r->status == 200, "%s: %s", route, r->body);
    ck_assert_str_eq(r->content_type, "application/json");
    ++*pages;
    json_t *items = json_object_get(r->json, "items");
    json_array_extend(all, items);
    json_t *next = json_object_get(r->json, "next_cursor");
    if (json_is_null(next)) {
      ts_response_free(r);
      break;
    }
    ck_assert_int_eq((int)json_array_size(items), limit);
    snprintf(query, sizeof query, "?limit=%d%s&cursor=%s", limit, extra ? extra : "",
             json_string_value(next));
    ts_response_free(r);
    ck_assert_int_lt(*pages, 20);
  }
  return all;
}

static void expect_ids(json_t *items, const char *key, const char *const *want, int n) {
  ck_assert_int_eq((int)json_array_size(items), n);
  for (int i = 0; i < n; i++)
    ck_assert_msg(strcmp(str(json_array_get(items, (size_t)i), key), want[i]) == 0,
                  "item %d: want %s, got %s", i, want[i],
                  str(json_array_get(items, (size_t)i), key));
}

/* ---- triage ---- */

START_TEST(triage_lists_submitted_oldest_first) {
  char ids[4][IJ_UUID_BUF];
  const char *names[] = {"Avery Able", "Blake Brown", "Casey Cole", "Drew Dean"};
  for (int i = 0; i < 4; i++) {
    char police[16];
    snprintf(police, sizeof police, "22/00000%dT", i);
    make_referral(names[i], police, ids[i]);
  }
  /* the third is triaged already */
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", ids[2]);
  const char *const if_match[] = {"If-Match: \"1\"", NULL};
  ts_response *r =
      ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord, if_match,
              "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"Fine.\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);

  r = list(R_TRIAGE, coord, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_object_get(r->json, "items");
  const char *want[] = {ids[0], ids[1], ids[3]};
  expect_ids(items, "id", want, 3);
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  /* the ReferralSummary of GET /v1/referrals */
  json_t *first = json_array_get(items, 0);
  ck_assert_int_eq(json_object_size(first), 13);
  ck_assert_str_eq(str(first, "state"), "submitted");
  ck_assert_int_eq(json_integer_value(json_object_get(first, "version")), 1);
  ck_assert_str_eq(str(json_object_get(first, "person"), "name"), "Avery Able");
  ck_assert_str_eq(str(json_object_get(first, "person"), "date_of_birth"), "2004-05-01");
  ck_assert_str_eq(str(json_object_get(first, "offence"), "ward"), "ward-a");
  ck_assert_str_eq(str(json_object_get(first, "officer"), "sub"), "pc-101");
  ck_assert(json_is_null(json_object_get(first, "hours_confirmed")));
  ck_assert(json_is_false(json_object_get(first, "overdue")));
  ts_response_free(r);

  int pages;
  json_t *paged = all_pages(R_TRIAGE, coord, NULL, 2, &pages);
  ck_assert_int_eq(pages, 2);
  expect_ids(paged, "id", want, 3);
  json_decref(paged);
  paged = all_pages(R_TRIAGE, coord, NULL, 1, &pages);
  ck_assert_int_eq(pages, 3);
  expect_ids(paged, "id", want, 3);
  json_decref(paged);
  free(coord);
}
END_TEST

/* ---- overdue ---- */

START_TEST(overdue_lists_most_overdue_first) {
  char ids[7][IJ_UUID_BUF];
  for (int i = 0; i < 7; i++) {
    char name[32], police[16];
    snprintf(name, sizeof name, "Person %d", i);
    snprintf(police, sizeof police, "22/10000%dT", i);
    make_referral(name, police, ids[i]);
  }
  PGconn *c = db();
  /* id, state, target relative to now, attended */
  const char *setup[][4] = {
      {ids[0], "submitted", "-3 hours", NULL},
      {ids[1], "accepted", "-1 hour", NULL},
      {ids[2], "scheduled", "-2 hours", NULL},
      {ids[3], "in_progress", "-5 hours", "-1 hour"}, /* started: not overdue */
      {ids[4], "withdrawn", "-4 hours", NULL},        /* ended: the clock stopped */
      /* ids[5]: submitted, target in two days */
      {ids[6], "accepted", "-30 minutes", NULL},
  };
  for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++)
    sql(c,
        "UPDATE referrals SET state = $2, target_start_by = now() + $3::interval,"
        " first_attended_at = now() + $4::interval WHERE id = $1",
        4, setup[i], NULL, 0);
  PQfinish(c);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = list(R_OVERDUE, coord, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_object_get(r->json, "items");
  const char *want[] = {ids[0], ids[2], ids[1], ids[6]};
  expect_ids(items, "id", want, 4);
  for (size_t i = 0; i < 4; i++)
    ck_assert(json_is_true(json_object_get(json_array_get(items, i), "overdue")));
  ck_assert_str_eq(str(json_array_get(items, 1), "state"), "scheduled");
  ts_response_free(r);
  int pages;
  json_t *paged = all_pages(R_OVERDUE, coord, NULL, 3, &pages);
  ck_assert_int_eq(pages, 2);
  expect_ids(paged, "id", want, 4);
  json_decref(paged);
  free(coord);
}
END_TEST

/* ---- a day's sessions ---- */

static void today(char out[16], int days) {
  time_t t = time(NULL) + (time_t)days * 86400;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 16, "%Y-%m-%d", &tm);
}

START_TEST(sessions_of_today_and_tomorrow_with_who_is_booked) {
  char alice[IJ_UUID_BUF], bob[IJ_UUID_BUF], cara[IJ_UUID_BUF];
  make_referral("Alice Adams", "22/200001A", alice);
  make_referral("Bob Brown", "22/200002B", bob);
  make_referral("Cara Clark", "22/200003C", cara);
  PGconn *c = db();
  char allot[IJ_UUID_BUF], litter[IJ_UUID_BUF];
  make_placement(c, "Allotment tidy-up", "ward-a", "Arboretum Park allotments", allot);
  make_placement(c, "Litter pick", "ward-b", NULL, litter);
  char s1[IJ_UUID_BUF], s2[IJ_UUID_BUF], s3[IJ_UUID_BUF], s4[IJ_UUID_BUF], s5[IJ_UUID_BUF],
      s6[IJ_UUID_BUF], b[IJ_UUID_BUF], b_alice[IJ_UUID_BUF], b_cara[IJ_UUID_BUF],
      b_bob[IJ_UUID_BUF], b_tomorrow[IJ_UUID_BUF];
  make_session(c, allot, "9 hours", "7 hours", false, s1);
  make_session(c, litter, "10 hours", "2 hours", true, s2); /* cancelled */
  make_session(c, litter, "13 hours", "2 hours", false, s3);
  make_session(c, allot, "18 hours", "2 hours", false, s4);
  make_session(c, allot, "33 hours", "7 hours", false, s5);  /* tomorrow 09:00 */
  make_session(c, allot, "-15 hours", "7 hours", false, s6); /* yesterday 09:00 */
  book(c, cara, s1, "booked", b_cara);
  book(c, bob, s1, "cancelled", b);
  book(c, alice, s1, "booked", b_alice);
  book(c, alice, s2, "cancelled", b);
  book(c, bob, s4, "booked", b_bob);
  book(c, alice, s5, "booked", b_tomorrow);
  book(c, bob, s6, "attended_complied", b);
  PQfinish(c);

  char *coord = ts_token("coordinator", AREA, "coord-1");
  char date[16];
  today(date, 0);
  ts_response *r = list(R_SESSIONS, coord, "?day=today");
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "date"), date);
  json_t *items = json_object_get(r->json, "items");
  const char *want[] = {s1, s3, s4};
  expect_ids(items, "id", want, 3);
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));

  json_t *first = json_array_get(items, 0);
  json_t *placement = json_object_get(first, "placement");
  ck_assert_str_eq(str(placement, "id"), allot);
  ck_assert_str_eq(str(placement, "name"), "Allotment tidy-up");
  ck_assert_str_eq(str(placement, "type"), "gardening");
  ck_assert_str_eq(str(placement, "ward"), "ward-a");
  ck_assert_str_eq(str(placement, "location"), "Arboretum Park allotments");
  ck_assert_int_eq(json_integer_value(json_object_get(first, "capacity")), 8);
  ck_assert_int_eq(json_integer_value(json_object_get(first, "booked")), 2);
  ck_assert_int_eq(json_integer_value(json_object_get(first, "available")), 6);
  ck_assert_str_eq(str(json_object_get(first, "supervisor"), "sub"), "sup-1");
  ck_assert_int_eq(strlen(str(first, "starts_at")), 27);
  ck_assert_str_eq(str(first, "starts_at") + 10, "T09:00:00.000000Z");
  ck_assert_str_eq(str(first, "ends_at") + 10, "T16:00:00.000000Z");
  /* who is booked, by name; the cancelled booking is not shown */
  json_t *bookings = json_object_get(first, "bookings");
  ck_assert_int_eq(json_array_size(bookings), 2);
  json_t *b0 = json_array_get(bookings, 0);
  ck_assert_str_eq(str(b0, "id"), b_alice);
  ck_assert_str_eq(str(b0, "referral_id"), alice);
  ck_assert_str_eq(str(b0, "person_name"), "Alice Adams");
  ck_assert_str_eq(str(b0, "status"), "booked");
  ck_assert_str_eq(str(json_array_get(bookings, 1), "id"), b_cara);

  json_t *second = json_array_get(items, 1);
  ck_assert(json_is_null(json_object_get(json_object_get(second, "placement"), "location")));
  ck_assert_int_eq(json_array_size(json_object_get(second, "bookings")), 0);
  json_t *third = json_array_get(items, 2);
  ck_assert_str_eq(str(json_array_get(json_object_get(third, "bookings"), 0), "id"), b_bob);
  ts_response_free(r);

  /* today is the default; pages of one keep every session's bookings */
  int pages;
  json_t *paged = all_pages(R_SESSIONS, coord, NULL, 1, &pages);
  ck_assert_int_eq(pages, 3);
  expect_ids(paged, "id", want, 3);
  ck_assert_int_eq(json_array_size(json_object_get(json_array_get(paged, 0), "bookings")), 2);
  json_decref(paged);
  paged = all_pages(R_SESSIONS, coord, "&day=today", 2, &pages);
  ck_assert_int_eq(pages, 2);
  expect_ids(paged, "id", want, 3);
  json_decref(paged);

  r = list(R_SESSIONS, coord, "?day=tomorrow");
  ck_assert_int_eq(r->status, 200);
  today(date, 1);
  ck_assert_str_eq(str(r->json, "date"), date);
  const char *tomorrow[] = {s5};
  expect_ids(json_object_get(r->json, "items"), "id", tomorrow, 1);
  ck_assert_str_eq(
      str(json_array_get(
              json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "bookings"), 0),
          "id"),
      b_tomorrow);
  ts_response_free(r);

  const char *bad[] = {"?day=monday", "?day=", "?day=Today", "?day=2026-11-25"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = list(R_SESSIONS, coord, bad[i]);
    ck_assert_msg(r->status == 422, "%s: %ld", bad[i], r->status);
    ck_assert_str_eq(r->content_type, "application/problem+json");
    ck_assert_str_eq(str(json_array_get(json_object_get(r->json, "errors"), 0), "field"), "day");
    ts_response_free(r);
  }
  free(coord);
}
END_TEST

/* ---- outcomes due ---- */

START_TEST(outcomes_due_lists_ended_bookings_oldest_first) {
  char alice[IJ_UUID_BUF], bob[IJ_UUID_BUF], cara[IJ_UUID_BUF];
  make_referral("Alice Adams", "22/300001A", alice);
  make_referral("Bob Brown", "22/300002B", bob);
  make_referral("Cara Clark", "22/300003C", cara);
  PGconn *c = db();
  char allot[IJ_UUID_BUF];
  make_placement(c, "Allotment tidy-up", "ward-a", "Arboretum Park allotments", allot);
  char three_ago[IJ_UUID_BUF], two_ago[IJ_UUID_BUF], yesterday[IJ_UUID_BUF], tomorrow[IJ_UUID_BUF],
      b[IJ_UUID_BUF], due[3][IJ_UUID_BUF];
  make_session(c, allot, "-63 hours", "3 hours", false, three_ago);
  make_session(c, allot, "-39 hours", "3 hours", false, two_ago);
  make_session(c, allot, "-15 hours", "7 hours", false, yesterday);
  make_session(c, allot, "33 hours", "7 hours", false, tomorrow);
  book(c, alice, three_ago, "booked", due[0]);
  book(c, bob, two_ago, "booked", due[1]);
  book(c, alice, two_ago, "attended_complied", b); /* has its outcome */
  book(c, cara, yesterday, "booked", due[2]);
  book(c, bob, yesterday, "cancelled", b);
  book(c, alice, tomorrow, "booked", b); /* not ended */
  PQfinish(c);

  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = list(R_DUE, coord, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_object_get(r->json, "items");
  const char *want[] = {due[0], due[1], due[2]};
  expect_ids(items, "id", want, 3);
  json_t *first = json_array_get(items, 0);
  ck_assert_int_eq(json_integer_value(json_object_get(first, "version")), 1);
  ck_assert_str_eq(str(first, "referral_id"), alice);
  ck_assert_str_eq(str(first, "person_name"), "Alice Adams");
  json_t *session = json_object_get(first, "session");
  ck_assert_str_eq(str(session, "id"), three_ago);
  ck_assert_str_eq(str(session, "placement_id"), allot);
  ck_assert_str_eq(str(session, "placement_name"), "Allotment tidy-up");
  ck_assert_str_eq(str(session, "starts_at") + 10, "T09:00:00.000000Z");
  ck_assert_str_eq(str(session, "ends_at") + 10, "T12:00:00.000000Z");
  ck_assert_str_eq(str(json_object_get(first, "supervisor"), "name"), "Sam Supervisor");
  ck_assert_str_eq(str(json_array_get(items, 2), "person_name"), "Cara Clark");
  ts_response_free(r);
  int pages;
  json_t *paged = all_pages(R_DUE, coord, NULL, 2, &pages);
  ck_assert_int_eq(pages, 2);
  expect_ids(paged, "id", want, 3);
  json_decref(paged);
  free(coord);
}
END_TEST

/* ---- who may, and bad parameters ---- */

START_TEST(worklists_are_for_coordinators) {
  const char *routes[] = {R_TRIAGE, R_OVERDUE, R_SESSIONS, R_DUE};
  const char *roles[] = {"officer", "supervisor", "commissioner", "admin"};
  char *coord = ts_token("coordinator", AREA, "coord-1");
  for (size_t i = 0; i < 4; i++) {
    for (size_t k = 0; k < 4; k++) {
      char *t = ts_token(roles[k], AREA, "someone");
      ts_response *r = list(routes[i], t, NULL);
      ck_assert_msg(r->status == 403, "%s as %s: %ld", routes[i], roles[k], r->status);
      ck_assert_str_eq(r->content_type, "application/problem+json");
      ck_assert_str_eq(str(r->json, "type"), "/problems/forbidden");
      ts_response_free(r);
      free(t);
    }
    ts_response *r = list(routes[i], NULL, NULL);
    ck_assert_int_eq(r->status, 401);
    ts_response_free(r);
    /* an empty area: empty lists */
    r = list(routes[i], coord, NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
    ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
    ts_response_free(r);
    const char *bad[] = {"?state=submitted",
                         "?limit=0",
                         "?limit=101",
                         "?limit=x",
                         "?cursor=abc",
                         "?cursor=123.not-a-uuid",
                         "?cursor=-5.0b7e4c2a-5d1f-4e8a-9c3b-6f2d1e0a9b8c"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
      r = list(routes[i], coord, bad[k]);
      ck_assert_msg(r->status == 422, "%s%s: %ld", routes[i], bad[k], r->status);
      ck_assert_str_eq(str(r->json, "type"), "/problems/invalid");
      ts_response_free(r);
    }
    /* a well-formed cursor past everything: an empty page */
    r = list(routes[i], coord, "?cursor=4102444800000000.0b7e4c2a-5d1f-4e8a-9c3b-6f2d1e0a9b8c");
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
    ts_response_free(r);
  }
  free(coord);
}
END_TEST

Suite *http_worklists_suite(void) {
  Suite *s = suite_create("http-worklists");
  TCase *tc = tcase_create("worklists");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, triage_lists_submitted_oldest_first);
  tcase_add_test(tc, overdue_lists_most_overdue_first);
  tcase_add_test(tc, sessions_of_today_and_tomorrow_with_who_is_booked);
  tcase_add_test(tc, outcomes_due_lists_ended_bookings_oldest_first);
  tcase_add_test(tc, worklists_are_for_coordinators);
  suite_add_tcase(s, tc);
  return s;
}
