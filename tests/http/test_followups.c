/* Reoffending follow-up through the real path: checks made by an exit, recording them, the
 * referral closing on the last one, CSV imports (all or nothing, idempotent, large), people
 * matched across referrals, and re-referrals found by the service. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

/* A referral with `police_id`, taken to non-compliance through the transitions endpoint (its
 * breach set by SQL); writes the referral id. */
static void exited_referral(const char *police_id, char id[64]) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(police_id));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
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
  free(officer);
  free(coord);
}

/* Makes a referral's checks due: the exit `months_ago` months and a day ago. */
static void age_checks(const char *referral_id, int months_ago) {
  char m[8];
  snprintf(m, sizeof m, "%d", months_ago);
  const char *p[2] = {referral_id, m};
  free(ts_sql("UPDATE followup_checks SET exited_on = current_date - $2::int * interval '1 month'"
              " - interval '1 day', due_on = current_date - $2::int * interval '1 month'"
              " - interval '1 day' + window_months * interval '1 month' WHERE referral_id = $1",
              2, p));
}

static char *check_id(const char *referral_id, int window) {
  char w[8];
  snprintf(w, sizeof w, "%d", window);
  const char *p[2] = {referral_id, w};
  return ts_sql("SELECT id FROM followup_checks WHERE referral_id = $1 AND window_months = $2::int",
                2, p);
}

static ts_response *record(const char *token, const char *check, const char *etag,
                           const char *body) {
  char path[160], header[64];
  snprintf(path, sizeof path, "/v1/followups/%s", check);
  snprintf(header, sizeof header, "If-Match: %s", etag);
  return ts_http(S, "PATCH", "/v1/followups/{id}", path, token, (const char *const[]){header, NULL},
                 body);
}

START_TEST(an_exit_makes_three_checks_and_the_last_closes) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char id[64];
  exited_referral("22/700001A", id);
  const char *p[1] = {id};
  char *n = ts_sql("SELECT count(*) FROM followup_checks WHERE referral_id = $1"
                   " AND due_on = exited_on + window_months * interval '1 month'",
                   1, p);
  ck_assert_str_eq(n, "3");
  free(n);
  char *c3 = check_id(id, 3), *c12 = check_id(id, 12);
  /* not due yet */
  ts_response *r = record(coord, c3, "\"1\"", "{\"reoffended\":false}");
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  age_checks(id, 12);
  r = ts_http(S, "GET", "/v1/followups", "/v1/followups?status=due", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 3);
  ts_response_free(r);
  /* bad results change nothing */
  r = record(coord, c3, "\"1\"", "{\"reoffended\":true,\"reoffence_category\":\"asb\"}");
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  r = record(coord, c3, "\"1\"",
             "{\"reoffended\":true,\"first_reoffence_on\":\"2001-01-01\","
             "\"reoffence_category\":\"asb\"}");
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  r = record(coord, c3, "\"5\"", "{\"reoffended\":false}");
  ck_assert_int_eq(r->status, 412);
  ts_response_free(r);
  r = record(coord, c3, "\"1\"", "{\"reoffended\":false}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert(json_is_false(json_object_get(r->json, "reoffended")));
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);
  r = record(coord, c3, "\"2\"", "{\"reoffended\":false}");
  ck_assert_int_eq(r->status, 409); /* recorded already */
  ts_response_free(r);
  /* the 12-month check closes the referral */
  r = record(coord, c12, "\"1\"", "{\"reoffended\":false,\"source\":\"pnc_check\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
  r = ts_http(S, "GET", "/v1/referrals/{id}/events", path, coord, NULL, NULL);
  json_t *items = json_object_get(r->json, "items");
  json_t *last = json_array_get(items, json_array_size(items) - 1);
  ck_assert_str_eq(str(last, "event"), "close");
  ck_assert_str_eq(str(last, "to"), "closed");
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/followups", "/v1/followups?status=recorded", coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
  ts_response_free(r);
  char *officer = ts_token("officer", AREA, "pc-101");
  r = ts_http(S, "GET", "/v1/followups", "/v1/followups", officer, NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  free(officer);
  free(c3);
  free(c12);
  free(coord);
}
END_TEST

static ts_response *import(const char *token, const char *csv, const char *type) {
  char header[64];
  snprintf(header, sizeof header, "Content-Type: %s", type);
  return ts_http(S, "POST", "/v1/followups/import", "/v1/followups/import", token,
                 (const char *const[]){header, NULL}, csv);
}

static bool has_error(const ts_response *r, int row, const char *column) {
  json_t *errors = json_object_get(r->json, "errors");
  for (size_t i = 0; i < json_array_size(errors); i++) {
    json_t *e = json_array_get(errors, i);
    if (json_integer_value(json_object_get(e, "row")) == row &&
        (!column || strcmp(str(e, "column"), column) == 0))
      return true;
  }
  return false;
}

START_TEST(imports_are_all_or_nothing_and_idempotent) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char a[64], b[64];
  exited_referral("22/800001B", a);
  exited_referral("22/800002C", b);
  age_checks(a, 4);
  age_checks(b, 4);
  const char *good = "police_id,window_months,reoffended,first_reoffence_on,reoffence_category\r\n"
                     "22/800001B,3,false,,\r\n";
  /* wrong columns, bad values, unknown people: 422 naming row and column, nothing recorded */
  ts_response *r = import(coord, "who,window_months,reoffended\n22/800001B,3,false\n", "text/csv");
  ck_assert_int_eq(r->status, 422);
  ck_assert(has_error(r, 1, "who"));
  ts_response_free(r);
  r = import(coord,
             "police_id,window_months,reoffended,first_reoffence_on,reoffence_category\n"
             "22/800001B,3,false,,\n"
             "22/800002C,3,true,2026-02-30,asb\n"
             "22/999999Z,3,false,,\n"
             "22/800002C,4,maybe,,\n",
             "text/csv");
  ck_assert_int_eq(r->status, 422);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  ck_assert_msg(has_error(r, 3, "first_reoffence_on"), "%s", r->body);
  ck_assert(has_error(r, 4, "police_id"));
  ck_assert(has_error(r, 5, "window_months"));
  ck_assert(has_error(r, 5, "reoffended"));
  ts_response_free(r);
  const char *p[1] = {a};
  char *n = ts_sql("SELECT count(*) FROM followup_checks WHERE referral_id = $1"
                   " AND recorded_at IS NOT NULL",
                   1, p);
  ck_assert_str_eq(n, "0");
  free(n);
  r = import(coord, "police_id,window_months\n\"unterminated,3\n", "text/csv");
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  /* text that is not UTF-8 (a Latin-1 export): the row and column are named, nothing recorded */
  r = import(coord,
             "police_id,window_months,reoffended,first_reoffence_on,reoffence_category\n"
             "22/800001B,3,false,,\n"
             "22/800002C,3,true,2026-01-01,caf\xE9\n",
             "text/csv");
  ck_assert_int_eq(r->status, 422);
  ck_assert_msg(has_error(r, 3, "reoffence_category"), "%s", r->body);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), 1);
  ts_response_free(r);
  r = import(coord, "police_id,window_\xFFmonths,reoffended\n22/800001B,3,false\n", "text/csv");
  ck_assert_int_eq(r->status, 422);
  ck_assert_msg(has_error(r, 1, NULL), "%s", r->body);
  ts_response_free(r);
  n = ts_sql("SELECT count(*) FROM followup_checks WHERE referral_id = $1"
             " AND recorded_at IS NOT NULL",
             1, p);
  ck_assert_str_eq(n, "0");
  free(n);
  r = import(coord, good, "application/json");
  ck_assert_int_eq(r->status, 415);
  ck_assert_str_eq(str(r->json, "title"), "the request body's media type is not accepted");
  ts_response_free(r);
  /* the good file records once (here as "CSV UTF-8", with a byte-order mark in front); sending it
   * again changes nothing */
  char *marked = malloc(strlen(good) + 4);
  snprintf(marked, strlen(good) + 4, "\xEF\xBB\xBF%s", good);
  r = import(coord, marked, "text/csv");
  ck_assert_msg(r->status == 201, "%s", r->body);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "recorded")), 1);
  ck_assert(json_is_false(json_object_get(r->json, "replayed")));
  ts_response_free(r);
  r = import(coord, marked, "text/csv");
  free(marked);
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_true(json_object_get(r->json, "replayed")));
  ts_response_free(r);
  n = ts_sql(
      "SELECT count(*) FROM followup_checks WHERE referral_id = $1 AND recorded_at IS NOT NULL"
      " AND source = 'police_import' AND import_id IS NOT NULL",
      1, p);
  ck_assert_str_eq(n, "1");
  free(n);
  /* a different file repeating the same result is no change; another result is refused */
  r = import(coord, "window_months,reoffended,police_id\n3,no,22/800001B\n", "text/csv");
  ck_assert_int_eq(r->status, 201);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "unchanged")), 1);
  ts_response_free(r);
  r = import(coord,
             "window_months,reoffended,police_id,first_reoffence_on,reoffence_category\n"
             "3,yes,22/800001B,2026-01-01,asb\n",
             "text/csv");
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  free(coord);
}
END_TEST

START_TEST(a_large_file_is_refused_and_a_big_one_imports) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  /* a 50 MB file, over the import limit (4 MiB in the tests): 413, nothing read into the store */
  size_t big = 50u * 1000 * 1000;
  char *huge = malloc(big + 1);
  memset(huge, 'x', big);
  huge[big] = 0;
  ts_response *r = import(coord, huge, "text/csv");
  ck_assert_int_eq(r->status, 413);
  ts_response_free(r);
  free(huge);
  /* 10,000 due checks made directly, then one file that records all of them */
  const char *p[1] = {AREA};
  free(ts_sql(
      "WITH pe AS (INSERT INTO people (id, area, name, date_of_birth, police_id, created_at,"
      " updated_at) SELECT gen_random_uuid(), $1, 'Person ' || g, date '2000-01-01',"
      " 'BULK/' || g, now(), now() FROM generate_series(1, 10000) g RETURNING id, police_id),"
      " r AS (INSERT INTO referrals (id, area, person_id, state, version, officer_sub,"
      " officer_name, offence_date, offence_category, ward, disposal, consent_recorded,"
      " hours_proposed, target_start_by, created_at, updated_at, exited_at)"
      " SELECT gen_random_uuid(), $1, pe.id, 'completed', 1, 'pc-1', 'pc-1',"
      " date '2025-01-01', 'asb', 'ward-a', 'community_resolution', true, 7, now(),"
      " now() - interval '5 months', now(), now() - interval '4 months' FROM pe"
      " RETURNING id, person_id)"
      " INSERT INTO followup_checks (id, area, referral_id, person_id, window_months,"
      " exit_state, exited_on, due_on, created_at, updated_at)"
      " SELECT gen_random_uuid(), $1, r.id, r.person_id, 3, 'completed',"
      " current_date - 100, current_date - 9, now(), now() FROM r",
      1, p));
  size_t cap = 64 + 10000 * 40, len = 0;
  char *csv = malloc(cap);
  len += (size_t)snprintf(csv, cap, "police_id,window_months,reoffended\n");
  for (int i = 1; i <= 10000; i++)
    len += (size_t)snprintf(csv + len, cap - len, "BULK/%d,3,%s\n", i, i % 7 ? "false" : "true");
  /* every seventh says true without a date: the whole file is refused */
  r = import(coord, csv, "text/csv");
  ck_assert_int_eq(r->status, 422);
  ck_assert(has_error(r, 8, "first_reoffence_on"));
  ts_response_free(r);
  len = (size_t)snprintf(csv, cap, "police_id,window_months,reoffended\n");
  for (int i = 1; i <= 10000; i++)
    len += (size_t)snprintf(csv + len, cap - len, "BULK/%d,3,false\n", i);
  r = import(coord, csv, "text/csv");
  ck_assert_msg(r->status == 201, "%s", r->body);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "recorded")), 10000);
  ts_response_free(r);
  free(csv);
  char *n = ts_sql(
      "SELECT count(*) FROM followup_checks WHERE area = $1 AND recorded_at IS NOT NULL", 1, p);
  ck_assert_str_eq(n, "10000");
  free(n);
  free(coord);
}
END_TEST

START_TEST(people_are_matched_and_rereferrals_found) {
  char *officer = ts_token("officer", AREA, "pc-101");
  /* without a police identifier: one person by normalised name and date of birth */
  const char *body =
      "{\"person\":{\"name\":\"%s\",\"date_of_birth\":\"2001-03-04\"},"
      "\"offence\":{\"date\":\"2026-01-02\",\"category\":\"asb\",\"ward\":\"ward-a\"},"
      "\"disposal\":\"community_resolution\",\"consent_recorded\":true}";
  char b1[512], b2[512], ids[2][64];
  snprintf(b1, sizeof b1, body, "Sam  Example");
  snprintf(b2, sizeof b2, body, "sam example");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, b1);
  snprintf(ids[0], 64, "%s", ts_id(r));
  ts_response_free(r);
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, b2);
  snprintf(ids[1], 64, "%s", ts_id(r));
  ts_response_free(r);
  const char *p[2] = {ids[0], ids[1]};
  char *same = ts_sql("SELECT count(DISTINCT person_id) FROM referrals WHERE id IN ($1, $2)", 2, p);
  ck_assert_str_eq(same, "1");
  free(same);
  /* an exit two months ago, then a new referral of the same person: a 3-month re-referral */
  char first[64];
  exited_referral("22/900001D", first);
  const char *q[1] = {first};
  free(ts_sql("UPDATE referrals SET exited_at = now() - interval '2 months' WHERE id = $1", 1, q));
  char *again = ts_referral_body("ward-a");
  json_t *j = json_loads(again, 0, NULL);
  free(again);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string("22/900001D"));
  again = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, again);
  ck_assert_int_eq(r->status, 201);
  ck_assert_str_eq(str(r->json, "rereferral_of"), first);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "rereferral_months")), 3);
  ts_response_free(r);
  free(again);
  free(officer);
}
END_TEST

Suite *http_followups_suite(void) {
  Suite *s = suite_create("http-followups");
  TCase *tc = tcase_create("followups");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, an_exit_makes_three_checks_and_the_last_closes);
  tcase_add_test(tc, imports_are_all_or_nothing_and_idempotent);
  tcase_add_test(tc, a_large_file_is_refused_and_a_big_one_imports);
  tcase_add_test(tc, people_are_matched_and_rereferrals_found);
  suite_add_tcase(s, tc);
  return s;
}
