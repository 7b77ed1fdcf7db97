/* Concurrency through the real path: many clients at once, no lost update, one winner. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/referrals.h"
#include "suites.h"

#define RACERS 50
#define RETRIES 20

typedef struct {
  const char *token;
  const char *path;
  const char *body;
  const char *const *headers;
  const char *route;
  long status;
  char id[64];
  char body_seen[2048];
  pthread_barrier_t *start;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  pthread_barrier_wait(r->start);
  ts_response *res = ts_http(S, "POST", r->route, r->path, r->token, r->headers, r->body);
  r->status = res->status;
  snprintf(r->id, sizeof r->id, "%s", ts_id(res));
  snprintf(r->body_seen, sizeof r->body_seen, "%s", res->body);
  ts_response_free(res);
  return NULL;
}

static void run(racer *racers, int n) {
  pthread_t t[RACERS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)n);
  for (int i = 0; i < n; i++) {
    racers[i].start = &start;
    pthread_create(&t[i], NULL, race, &racers[i]);
  }
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
}

START_TEST(fifty_clients_one_transition_one_winner) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator,officer", AREA, "coord-1");
  char *body = ts_referral_body("ward-a");
  ts_response *made = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(made->status, 201);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", ts_id(made));
  static const char *const if_match[] = {"If-Match: \"1\"", NULL};
  racer racers[RACERS];
  memset(racers, 0, sizeof racers);
  for (int i = 0; i < RACERS; i++) {
    racers[i].token = coord;
    racers[i].path = path;
    racers[i].route = "/v1/referrals/{id}/transitions";
    racers[i].headers = if_match;
    /* half accept, half withdraw: whichever wins, the others must see a stale version */
    racers[i].body = i % 2 ? "{\"event\":\"accept\",\"hours_confirmed\":7,"
                             "\"suitability_notes\":\"ok\"}"
                           : "{\"event\":\"withdraw\",\"reason_code\":\"other\"}";
  }
  run(racers, RACERS);
  int ok = 0, stale = 0;
  for (int i = 0; i < RACERS; i++) {
    if (racers[i].status == 200)
      ok++;
    else if (racers[i].status == 412)
      stale++;
    else
      ck_abort_msg("unexpected %ld: %s", racers[i].status, racers[i].body_seen);
  }
  ck_assert_int_eq(ok, 1);
  ck_assert_int_eq(stale, RACERS - 1);

  /* the log agrees with the state: exactly two events, version 2 */
  char events[160];
  snprintf(events, sizeof events, "/v1/referrals/%s/events", ts_id(made));
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}/events", events, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
  const char *last_to = json_string_value(
      json_object_get(json_array_get(json_object_get(r->json, "items"), 1), "to"));
  ts_response_free(r);
  char one[160];
  snprintf(one, sizeof one, "/v1/referrals/%s", ts_id(made));
  r = ts_http(S, "GET", "/v1/referrals/{id}", one, coord, NULL, NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
  ck_assert_ptr_nonnull(last_to);
  ts_response_free(r);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  int64_t bad = -1;
  ck_assert_int_eq(ij_store_referral_inconsistencies(c, AREA, &bad), IJ_OK);
  ck_assert_int_eq(bad, 0);
  ij_store_release(S->store, c);
  ts_response_free(made);
  free(body);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(twenty_retries_of_one_create_make_one_referral) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = ts_referral_body("ward-a");
  static const char *const key[] = {"Idempotency-Key: retry-storm-1", NULL};
  racer racers[RETRIES];
  memset(racers, 0, sizeof racers);
  for (int i = 0; i < RETRIES; i++) {
    racers[i].token = officer;
    racers[i].path = "/v1/referrals";
    racers[i].route = "/v1/referrals";
    racers[i].headers = key;
    racers[i].body = body;
  }
  run(racers, RETRIES);
  for (int i = 0; i < RETRIES; i++) {
    ck_assert_msg(racers[i].status == 201, "retry %d: %ld %s", i, racers[i].status,
                  racers[i].body_seen);
    ck_assert_str_eq(racers[i].id, racers[0].id);
    ck_assert_str_eq(racers[i].body_seen, racers[0].body_seen);
  }
  ts_response *r = ts_http(S, "GET", "/v1/referrals", "/v1/referrals", coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ts_response_free(r);
  free(body);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(concurrent_creates_are_all_kept) {
  /* 40 different referrals at once from 40 clients: every one acknowledged is stored */
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = ts_referral_body("ward-b");
  racer racers[40];
  memset(racers, 0, sizeof racers);
  for (int i = 0; i < 40; i++) {
    racers[i].token = officer;
    racers[i].path = "/v1/referrals";
    racers[i].route = "/v1/referrals";
    racers[i].body = body;
  }
  run(racers, 40);
  for (int i = 0; i < 40; i++)
    ck_assert_int_eq(racers[i].status, 201);
  ts_response *r = ts_http(S, "GET", "/v1/referrals", "/v1/referrals?limit=100", coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 40);
  ts_response_free(r);
  free(body);
  free(officer);
  free(coord);
}
END_TEST

Suite *http_concurrency_suite(void) {
  Suite *s = suite_create("http-concurrency");
  TCase *tc = tcase_create("concurrency");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, fifty_clients_one_transition_one_winner);
  tcase_add_test(tc, twenty_retries_of_one_create_make_one_referral);
  tcase_add_test(tc, concurrent_creates_are_all_kept);
  suite_add_tcase(s, tc);
  return s;
}
