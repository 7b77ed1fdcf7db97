/* Erasure belongs to retention alone: the service's own database role, which may set ij.erasing
 * like any session, cannot clear the free text of the append-only tables with it, nor erase
 * another area; retention, run as the service runs it, still erases what it should. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/ops.h"
#include "suites.h"

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND;
}

/* A session as the service's login role, in a transaction scoped to `area`. */
static PGconn *service_session(const char *area) {
  PGconn *c = PQconnectdb(ts_service_url());
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
  PGresult *r = PQexec(c, "BEGIN");
  ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  const char *p[1] = {area};
  r = PQexecParams(c, "SELECT set_config('ij.area', $1, true)", 1, NULL, p, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  return c;
}

/* Runs a statement that must be refused as insufficient_privilege (42501), then rolls back. */
static void refused(PGconn *c, const char *sql, int n, const char *const *p) {
  PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR, "%s was not refused", sql);
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  ck_assert_msg(state && strcmp(state, "42501") == 0, "%s: %s", sql, PQresultErrorMessage(r));
  PQclear(r);
  r = PQexec(c, "ROLLBACK");
  PQclear(r);
}

/* A referral rejected with a free-text reason, by the API; writes its id. */
static void rejected(char id[64]) {
  char *officer = ts_token("officer", AREA, "pc-erase-1");
  char *coord = ts_token("coordinator", AREA, "coord-erase-1");
  char *body = ts_referral_body("ward-a");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"reject\",\"reason_code\":\"unsuitable\","
              "\"reason\":\"Told us about his brother's arrest.\"}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ts_response_free(r);
  free(body);
  free(officer);
  free(coord);
}

static char *event_reason(const char *id) {
  const char *p[1] = {id};
  return ts_sql("SELECT reason FROM referral_events WHERE referral_id = $1::uuid AND seq = 2", 1,
                p);
}

START_TEST(only_retention_erases) {
  char id[64];
  rejected(id);
  char *before = event_reason(id);
  ck_assert_str_eq(before, "Told us about his brother's arrest.");
  free(before);
  const char *p[1] = {id};

  /* the service's role sets ij.erasing itself and clears the reason: refused */
  PGconn *c = service_session(AREA);
  PGresult *r = PQexec(c, "SET LOCAL ij.erasing = 'on'");
  ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  refused(c, "UPDATE referral_events SET reason = NULL WHERE referral_id = $1::uuid", 1, p);
  PQfinish(c);
  /* set_config, and for the session rather than the transaction: refused */
  c = service_session(AREA);
  r = PQexec(c, "SELECT set_config('ij.erasing', 'on', false)");
  ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  refused(c, "UPDATE referral_events SET reason = NULL, data = NULL WHERE referral_id = $1::uuid",
          1, p);
  PQfinish(c);

  /* after retention ran in the same transaction (the setting was its own, for its call): the
   * service's own UPDATE is refused all the same */
  c = service_session(AREA);
  const char *pa[1] = {AREA};
  r = PQexecParams(c,
                   "SELECT * FROM ij_retention_erase($1, '{closed,rejected,withdrawn}',"
                   " now() - interval '36 months', now(), 10)",
                   1, NULL, pa, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
  PQclear(r);
  refused(c, "UPDATE referral_events SET reason = NULL WHERE referral_id = $1::uuid", 1, p);
  PQfinish(c);

  /* retention asked for another area than its transaction's: refused */
  c = service_session(AREA);
  const char *other[1] = {"elsewhere"};
  refused(c,
          "SELECT * FROM ij_retention_erase($1, '{closed,rejected,withdrawn}', now(), now(), 10)",
          1, other);
  PQfinish(c);

  /* nothing changed */
  before = event_reason(id);
  ck_assert_str_eq(before, "Told us about his brother's arrest.");
  free(before);
  char *erased = ts_sql("SELECT erased_at FROM referrals WHERE id = $1::uuid", 1, p);
  ck_assert_ptr_null(erased);

  /* retention as the service runs it (its role, its pool), two months on: the referral's free
   * text, its event's reason and its person go */
  ij_retention_totals t;
  ck_assert_int_eq(ij_ops_retention(S->service, AREA, 1, 500,
                                    now_us() + 62LL * 24 * 3600 * IJ_US_PER_SECOND, &t),
                   IJ_OK);
  ck_assert_int_eq(t.referrals, 1);
  ck_assert_int_eq(t.people, 1);
  ck_assert_ptr_null(event_reason(id));
  erased = ts_sql("SELECT erased_at FROM referrals WHERE id = $1::uuid", 1, p);
  ck_assert_ptr_nonnull(erased);
  free(erased);
  char *name = ts_sql("SELECT p.name FROM people p JOIN referrals r ON r.person_id = p.id"
                      " WHERE r.id = $1::uuid",
                      1, p);
  ck_assert_str_eq(name, "erased");
  free(name);
  /* and the rest of the event is as it was */
  char *event = ts_sql("SELECT event || ' ' || reason_code FROM referral_events"
                       " WHERE referral_id = $1::uuid AND seq = 2",
                       1, p);
  ck_assert_str_eq(event, "reject unsuitable");
  free(event);
}
END_TEST

/* An access-log row of the area written `age` ago (as the owner: the service's writer stamps
 * rows with the time of their request). */
static void old_access(const char *referral_id, const char *request_id, const char *age) {
  const char *p[4] = {AREA, referral_id, request_id, age};
  free(ts_sql("INSERT INTO personal_data_access (area, at, actor_sub, actor_role, action,"
              " referral_id, person_id, route, method, request_id) SELECT $1, now() - $4::interval,"
              " 'coord-old', 'coordinator', 'consult', r.id, r.person_id, '/v1/referrals/{id}',"
              " 'GET', $3 FROM referrals r WHERE r.id = $2::uuid",
              4, p));
}

static int log_rows(const char *request_id) {
  const char *p[1] = {request_id};
  char *n = ts_sql("SELECT count(*) FROM personal_data_access WHERE request_id = $1", 1, p);
  int v = atoi(n);
  free(n);
  return v;
}

START_TEST(the_access_log_is_kept_for_its_period) {
  char *officer = ts_token("officer", AREA, "pc-erase-2");
  char *admin = ts_token("admin", AREA, "admin-erase-2");
  char *body = ts_referral_body("ward-b");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  char id[64], rid_new[80];
  snprintf(id, sizeof id, "%s", ts_id(r));
  snprintf(rid_new, sizeof rid_new, "%s", r->request_id);
  ts_response_free(r);
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  /* request ids of this run's own (the suite runs again on the same database behind PgBouncer) */
  char old25[96], old23[96];
  snprintf(old25, sizeof old25, "req-25-months-%s", id);
  snprintf(old23, sizeof old23, "req-23-months-%s", id);
  old_access(id, old25, "25 months");
  old_access(id, old23, "23 months");

  /* the service's role cannot delete rows itself, setting or not, nor have the function empty
   * the log, nor erase another area's */
  const char *p[1] = {id};
  PGconn *c = service_session(AREA);
  PGresult *res = PQexec(c, "SET LOCAL ij.erasing = 'on'");
  ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  refused(c, "DELETE FROM personal_data_access WHERE referral_id = $1::uuid", 1, p);
  PQfinish(c);
  c = service_session(AREA);
  const char *pa[1] = {AREA};
  refused(c, "SELECT ij_access_log_erase($1, now() - interval '1 month', 1000)", 1, pa);
  PQfinish(c);
  c = service_session(AREA);
  const char *other[1] = {"elsewhere"};
  refused(c, "SELECT ij_access_log_erase($1, now() - interval '2 years', 1000)", 1, other);
  PQfinish(c);
  ck_assert_int_eq(log_rows(old25), 1);

  /* retention as the service runs it, with the default period (24 months): the row older than
   * that goes, the others stay */
  ij_retention_policy policy = {36, 24, 500};
  ij_retention_totals t;
  ck_assert_int_eq(ij_ops_retention_run(S->service, AREA, &policy, now_us(), &t), IJ_OK);
  ck_assert_int_eq(t.access_log, 1);
  ck_assert_int_eq(t.referrals, 0);
  ck_assert_int_eq(log_rows(old25), 0);
  ck_assert_int_eq(log_rows(old23), 1);
  ck_assert_int_eq(log_rows(rid_new), 1);
  /* a period under the six months the database keeps is refused before anything is read */
  ij_retention_policy short_policy = {36, 3, 500};
  ck_assert_int_eq(ij_ops_retention_run(S->service, AREA, &short_policy, now_us(), &t),
                   IJ_ERR_INVALID);

  /* the admin's view of the log agrees */
  char query[200];
  snprintf(query, sizeof query, "/v1/access-log?referral_id=%s", id);
  r = ts_http(S, "GET", "/v1/access-log", query, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "request_id")),
                   old23);
  ts_response_free(r);
  free(body);
  free(officer);
  free(admin);
}
END_TEST

Suite *http_erasure_suite(void) {
  Suite *s = suite_create("http-erasure");
  TCase *tc = tcase_create("erasure");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, only_retention_erases);
  tcase_add_test(tc, the_access_log_is_kept_for_its_period);
  suite_add_tcase(s, tc);
  return s;
}
