/* The personal-data access log: what reading and changing a referral leaves, the admin's read of
 * it, and that the log cannot be changed. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"

static const char *const R_LOG = "/v1/access-log";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

/* Exactly one record of the request with these values. */
static void expect_record(const char *request_id, const char *action, const char *route,
                          const char *method, const char *sub, const char *role,
                          const char *referral_id, const char *person_id) {
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK); /* what is queued, written now */
  const char *p[8] = {request_id, action, route, method, sub, role, referral_id, person_id};
  char *n = ts_sql("SELECT count(*) FROM personal_data_access WHERE request_id = $1"
                   " AND action = $2 AND route = $3 AND method = $4 AND actor_sub = $5"
                   " AND actor_role = $6 AND referral_id = $7::uuid AND person_id = $8::uuid",
                   8, p);
  ck_assert_msg(n && strcmp(n, "1") == 0, "want one %s record of %s %s (request %s), got %s",
                action, method, route, request_id, n ? n : "none");
  free(n);
}

/* A new referral made by the officer: its id in id, the request's id in request_id (when not
 * NULL), its person's id returned (to free). */
static char *new_referral(const char *officer, char id[64], char request_id[80]) {
  char *body = ts_referral_body("ward-a");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  if (request_id)
    snprintf(request_id, 80, "%s", r->request_id);
  ts_response_free(r);
  free(body);
  const char *p[1] = {id};
  char *person = ts_sql("SELECT person_id FROM referrals WHERE id = $1::uuid", 1, p);
  ck_assert_ptr_nonnull(person);
  return person;
}

START_TEST(reads_and_changes_are_logged_and_admins_read_them) {
  char *officer = ts_token("officer", AREA, "pc-log-1");
  char *coord = ts_token("coordinator", AREA, "coord-log-1");
  char *admin = ts_token("admin", AREA, "admin-log-1");
  char id[64], rid_create[80], rid_get[80], rid_list[80], rid_trans[80], path[200];
  char *person = new_referral(officer, id, rid_create);

  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  snprintf(rid_get, sizeof rid_get, "%s", r->request_id);
  ts_response_free(r);

  r = ts_http(S, "GET", "/v1/referrals", "/v1/referrals", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  snprintf(rid_list, sizeof rid_list, "%s", r->request_id);
  ts_response_free(r);

  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  const char *const if_match[] = {"If-Match: \"1\"", NULL};
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord, if_match,
              "{\"event\":\"accept\",\"hours_confirmed\":8,\"suitability_notes\":\"Fine.\"}");
  ck_assert_int_eq(r->status, 200);
  snprintf(rid_trans, sizeof rid_trans, "%s", r->request_id);
  ts_response_free(r);

  /* a refused request leaves no record */
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  r = ts_http(S, "GET", "/v1/referrals/{id}", path, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);

  expect_record(rid_create, "alter", "/v1/referrals", "POST", "pc-log-1", "officer", id, person);
  expect_record(rid_get, "consult", "/v1/referrals/{id}", "GET", "coord-log-1", "coordinator", id,
                person);
  expect_record(rid_list, "consult", "/v1/referrals", "GET", "coord-log-1", "coordinator", id,
                person);
  expect_record(rid_trans, "alter", "/v1/referrals/{id}/transitions", "POST", "coord-log-1",
                "coordinator", id, person);

  /* the admin reads them by person, newest first */
  char query[200];
  snprintf(query, sizeof query, "/v1/access-log?person_id=%s", person);
  r = ts_http(S, "GET", R_LOG, query, admin, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 4);
  json_t *first = json_array_get(items, 0);
  ck_assert_str_eq(str(first, "request_id"), rid_trans);
  ck_assert_str_eq(str(first, "action"), "alter");
  ck_assert_str_eq(str(first, "route"), "/v1/referrals/{id}/transitions");
  ck_assert_str_eq(str(first, "method"), "POST");
  ck_assert_str_eq(str(first, "referral_id"), id);
  ck_assert_str_eq(str(first, "person_id"), person);
  ck_assert_str_eq(str(json_object_get(first, "actor"), "sub"), "coord-log-1");
  ck_assert_str_eq(str(json_object_get(first, "actor"), "role"), "coordinator");
  ck_assert_str_eq(str(json_array_get(items, 3), "request_id"), rid_create);
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);

  /* by actor, a page at a time */
  r = ts_http(S, "GET", R_LOG, "/v1/access-log?actor=coord-log-1&limit=2", admin, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
  ck_assert_str_eq(str(json_array_get(json_object_get(r->json, "items"), 1), "request_id"),
                   rid_list);
  const char *cursor = str(r->json, "next_cursor");
  ck_assert_ptr_nonnull(cursor);
  snprintf(query, sizeof query, "/v1/access-log?actor=coord-log-1&limit=2&cursor=%s", cursor);
  ts_response_free(r);
  r = ts_http(S, "GET", R_LOG, query, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 1);
  ck_assert_str_eq(str(json_array_get(items, 0), "request_id"), rid_get);
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);

  r = ts_http(S, "GET", R_LOG, "/v1/access-log?person_id=nope&cursor=x", admin, NULL, NULL);
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);

  free(person);
  free(officer);
  free(coord);
  free(admin);
}
END_TEST

/* The log's rows go to the database as array literals: a subject with the literal's own quoting
 * characters in it is recorded as it is. */
START_TEST(a_subject_with_quotes_and_backslashes_is_logged_as_it_is) {
  static const char *const sub = "coord \"quoted\" \\ back\\slash, {braced}";
  char *officer = ts_token("officer", AREA, "pc-log-2");
  char *coord = ts_token("coordinator", AREA, sub);
  char id[64], rid_get[80], path[200];
  char *person = new_referral(officer, id, NULL);
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  snprintf(rid_get, sizeof rid_get, "%s", r->request_id);
  ts_response_free(r);
  expect_record(rid_get, "consult", "/v1/referrals/{id}", "GET", sub, "coordinator", id, person);
  free(person);
  free(officer);
  free(coord);
}
END_TEST

/* The database refuses the log's writes for a while (the function's EXECUTE taken from the
 * service's role): the rows wait in the queue, rows of later requests join them, and once the
 * writes are allowed again every row is written exactly once, as it was queued. */
START_TEST(rows_the_database_refused_are_written_once_it_takes_them) {
  static const char *const fn = "ij_log_access_rows(text, timestamptz[], text[], text[], text[],"
                                " uuid[], text[], text[], text[])";
  char *officer = ts_token("officer", AREA, "pc-log-4");
  char *coord = ts_token("coordinator", AREA, "coord \"waiting\" \\ log-4");
  char id[64], path[200], rid[3][80];
  char *person = new_referral(officer, id, NULL);
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK); /* the creation's row, written */
  char sql[512];
  snprintf(sql, sizeof sql, "REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC", fn);
  free(ts_sql(sql, 0, NULL));
  for (int i = 0; i < 3; i++) {
    if (i == 2) /* the first two are still waiting: the third joins them */
      ck_assert_int_ne(ij_http_flush_audit(S->server), IJ_OK);
    ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}", path, coord, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    snprintf(rid[i], sizeof rid[i], "%s", r->request_id);
    ts_response_free(r);
  }
  ck_assert_int_ne(ij_http_flush_audit(S->server), IJ_OK);
  const char *p[1] = {id};
  char *none = ts_sql("SELECT count(*) FROM personal_data_access WHERE referral_id = $1::uuid"
                      " AND action = 'consult'",
                      1, p);
  ck_assert_str_eq(none, "0");
  free(none);
  snprintf(sql, sizeof sql, "GRANT EXECUTE ON FUNCTION %s TO PUBLIC", fn);
  free(ts_sql(sql, 0, NULL));
  for (int i = 0; i < 3; i++)
    expect_record(rid[i], "consult", "/v1/referrals/{id}", "GET", "coord \"waiting\" \\ log-4",
                  "coordinator", id, person);
  free(person);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(only_admins_read_the_log) {
  char *coord = ts_token("coordinator", AREA, "coord-log-2");
  ts_response *r = ts_http(S, "GET", R_LOG, "/v1/access-log", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  free(coord);
}
END_TEST

START_TEST(the_log_is_append_only) {
  char *officer = ts_token("officer", AREA, "pc-log-3");
  char *body = ts_referral_body("ward-b");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  char id[64];
  snprintf(id, sizeof id, "%s", ts_id(r));
  ts_response_free(r);
  PGconn *pg = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
  const char *p[1] = {id};
  /* the writer thread writes the queued row by itself, within its interval (no flush here) */
  PGresult *res = NULL;
  for (int tries = 0; tries < 100; tries++) {
    if (res)
      PQclear(res);
    res = PQexecParams(pg, "SELECT count(*) FROM personal_data_access WHERE referral_id = $1", 1,
                       NULL, p, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
      break;
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "1");
  PQclear(res);
  res =
      PQexecParams(pg, "UPDATE personal_data_access SET action = 'consult' WHERE referral_id = $1",
                   1, NULL, p, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
  PQclear(res);
  res = PQexecParams(pg, "DELETE FROM personal_data_access WHERE referral_id = $1", 1, NULL, p,
                     NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
  PQclear(res);
  PQfinish(pg);
  free(body);
  free(officer);
}
END_TEST

Suite *http_access_log_suite(void) {
  Suite *s = suite_create("http-access-log");
  TCase *tc = tcase_create("access-log");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, reads_and_changes_are_logged_and_admins_read_them);
  tcase_add_test(tc, a_subject_with_quotes_and_backslashes_is_logged_as_it_is);
  tcase_add_test(tc, rows_the_database_refused_are_written_once_it_takes_them);
  tcase_add_test(tc, only_admins_read_the_log);
  tcase_add_test(tc, the_log_is_append_only);
  suite_add_tcase(s, tc);
  return s;
}
