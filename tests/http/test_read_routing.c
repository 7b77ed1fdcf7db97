/* Read routing (DATABASE_URL_READ): the statistics come from a read pool and say where they came
 * from and how fresh they are. There is no standby in this suite, so the read pool points at the
 * test database itself (a primary: lag 0); a read pool that cannot be reached falls back to the
 * primary. The real hot standby is tested by tests/ha (ctest ha). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/replica.h"
#include "suites.h"

static const char *const R_SUMMARY = "/v1/stats/summary";
static const char *const R_REOFFENDING = "/v1/stats/reoffending";

/* A server on a spare port like the fixture's, with its statistics routed to a pool on `url`. */
typedef struct {
  ts_server ts;
  ij_store *reads;
} routed_server;

static routed_server *routed_start(const char *url, int max_lag_seconds) {
  routed_server *r = calloc(1, sizeof *r);
  ck_assert_ptr_nonnull(r);
  ij_store_options ro = {url, 2, 500, ts_db_prepare(), true};
  ck_assert_int_eq(ij_store_open(&ro, &r->reads), IJ_OK);
  r->ts = (ts_server){S->store, S->service, S->auth, NULL, 0};
  ij_http_options ho = {"127.0.0.1",    0, 2,  100, 30,    65536, 65536,
                        {2, 20, 7, 48}, 5, 10, 2,   30000, 10,    0};
  ij_http_reads reads = {r->reads, max_lag_seconds};
  ck_assert_int_eq(ij_http_start_with_reads(&ho, S->service, &reads, S->auth, &r->ts.server),
                   IJ_OK);
  r->ts.port = ij_http_port(r->ts.server);
  return r;
}

static void routed_stop(routed_server *r) {
  ij_http_stop(r->ts.server);
  ij_store_close(r->reads);
  free(r);
}

/* The response's freshness, checked for shape; returns it (borrowed from r). */
static json_t *freshness(const ts_response *r, const char *source) {
  ck_assert_msg(r->status == 200, "got %ld: %s", r->status, r->body);
  json_t *f = json_object_get(r->json, "freshness");
  ck_assert_msg(json_is_object(f), "no freshness in %s", r->body);
  ck_assert_str_eq(json_string_value(json_object_get(f, "source")), source);
  ij_time_us at;
  ck_assert_int_eq(ij_time_parse(json_string_value(json_object_get(f, "data_as_of")), &at), IJ_OK);
  ck_assert(json_is_number(json_object_get(f, "lag_seconds")));
  return f;
}

static int64_t referrals_figure(const ts_response *r) {
  json_t *cell = json_object_get(json_object_get(r->json, "figures"), "referrals");
  ck_assert_msg(!json_is_true(json_object_get(cell, "suppressed")), "%s", r->body);
  return json_integer_value(json_object_get(cell, "value"));
}

START_TEST(without_a_read_pool_the_primary_answers) {
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  ts_response *r = ts_http(S, "GET", R_SUMMARY, R_SUMMARY, comm, NULL, NULL);
  json_t *f = freshness(r, "primary");
  ck_assert_double_eq(json_number_value(json_object_get(f, "lag_seconds")), 0.0);
  ck_assert(json_is_null(json_object_get(f, "max_lag_seconds")));
  ck_assert(json_is_null(json_object_get(f, "fallback")));
  ts_response_free(r);
  r = ts_http(S, "GET", R_REOFFENDING, R_REOFFENDING, comm, NULL, NULL);
  freshness(r, "primary");
  ts_response_free(r);
  free(comm);
}
END_TEST

START_TEST(statistics_come_from_the_read_pool) {
  /* the store's measure on a primary: not a standby, nothing missing */
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->service, &c), IJ_OK);
  ij_replica_lag lag;
  ck_assert_int_eq(ij_store_replica_lag(c, &lag), IJ_OK);
  ij_store_release(S->service, c);
  ck_assert(!lag.standby);
  ck_assert(lag.known);
  ck_assert_double_eq(lag.lag_seconds, 0.0);
  ck_assert_int_gt(lag.data_as_of, 0);

  routed_server *rs = routed_start(ts_service_url(), 30);
  char *officer = ts_token("officer", AREA, "pc-101");
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  /* writes go to the primary's pool; the figures read through the read pool count them */
  for (int i = 0; i < 5; i++) {
    char *body = ts_referral_body(i % 2 ? "ward-a" : "ward-b");
    ts_response *w =
        ts_http(&rs->ts, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
    ck_assert_msg(w->status == 201, "create: %ld %s", w->status, w->body);
    ts_response_free(w);
    free(body);
  }
  ts_response *r = ts_http(&rs->ts, "GET", R_SUMMARY, R_SUMMARY, comm, NULL, NULL);
  json_t *f = freshness(r, "replica");
  ck_assert_double_eq(json_number_value(json_object_get(f, "lag_seconds")), 0.0);
  ck_assert_int_eq(json_integer_value(json_object_get(f, "max_lag_seconds")), 30);
  ck_assert(json_is_null(json_object_get(f, "fallback")));
  ck_assert_int_eq(referrals_figure(r), 5);
  ts_response_free(r);
  /* the same figures as the primary gives */
  r = ts_http(S, "GET", R_SUMMARY, R_SUMMARY, comm, NULL, NULL);
  freshness(r, "primary");
  ck_assert_int_eq(referrals_figure(r), 5);
  ts_response_free(r);
  r = ts_http(&rs->ts, "GET", R_REOFFENDING, R_REOFFENDING, comm, NULL, NULL);
  freshness(r, "replica");
  ts_response_free(r);
  /* CSV from the read pool too */
  r = ts_http(&rs->ts, "GET", "/v1/stats/summary.csv", "/v1/stats/summary.csv", comm, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  free(officer);
  free(comm);
  routed_stop(rs);
}
END_TEST

START_TEST(an_unreachable_read_pool_falls_back_to_the_primary) {
  routed_server *rs = routed_start("postgresql://127.0.0.1:1/none?connect_timeout=2", 30);
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  for (int i = 0; i < 2; i++) { /* the second within the retry pause: not tried again */
    ts_response *r = ts_http(&rs->ts, "GET", R_SUMMARY, R_SUMMARY, comm, NULL, NULL);
    json_t *f = freshness(r, "primary");
    ck_assert_str_eq(json_string_value(json_object_get(f, "fallback")), "replica_unavailable");
    ck_assert_int_eq(json_integer_value(json_object_get(f, "max_lag_seconds")), 30);
    ck_assert_double_eq(json_number_value(json_object_get(f, "lag_seconds")), 0.0);
    ts_response_free(r);
  }
  ts_response *r = ts_http(&rs->ts, "GET", R_REOFFENDING, R_REOFFENDING, comm, NULL, NULL);
  freshness(r, "primary");
  ts_response_free(r);
  free(comm);
  routed_stop(rs);
}
END_TEST

Suite *http_read_routing_suite(void) {
  Suite *s = suite_create("http-read-routing");
  TCase *tc = tcase_create("read-routing");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, without_a_read_pool_the_primary_answers);
  tcase_add_test(tc, statistics_come_from_the_read_pool);
  tcase_add_test(tc, an_unreachable_read_pool_falls_back_to_the_primary);
  suite_add_tcase(s, tc);
  return s;
}
