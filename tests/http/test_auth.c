/* Authentication and authorisation over HTTP: 401 for every kind of bad token, 403 for roles. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"

static const char *const ROUTE = "/v1/referrals";

static void expect_401(const char *token, const char *why) {
  ts_response *r = ts_http(S, "GET", ROUTE, "/v1/referrals", token, NULL, NULL);
  ck_assert_msg(r->status == 401, "%s: got %ld", why, r->status);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "type")),
                   "/problems/unauthenticated");
  ck_assert_msg(strncmp(r->www_authenticate, "Bearer", 6) == 0, "%s: no WWW-Authenticate", why);
  ts_response_free(r);
}

/* base64url without padding */
static char *b64url(const char *in) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t n = strlen(in);
  char *out = malloc(n * 4 / 3 + 4);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < n)
      v |= (unsigned char)in[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char)in[i + 2];
    out[o++] = tbl[(v >> 18) & 63];
    out[o++] = tbl[(v >> 12) & 63];
    if (i + 1 < n)
      out[o++] = tbl[(v >> 6) & 63];
    if (i + 2 < n)
      out[o++] = tbl[v & 63];
  }
  out[o] = 0;
  return out;
}

START_TEST(missing_and_malformed_tokens) {
  expect_401(NULL, "no token");
  expect_401("", "empty token");
  expect_401("not-a-jwt", "garbage");
  expect_401("a.b.c", "three garbage parts");
  ts_response *r = ts_http(S, "GET", ROUTE, "/v1/referrals", NULL,
                           (const char *const[]){"Authorization: Basic dXNlcjpwdw==", NULL}, NULL);
  ck_assert_int_eq(r->status, 401);
  ts_response_free(r);
}
END_TEST

START_TEST(unsigned_token_is_refused) {
  char payload[512];
  snprintf(payload, sizeof payload,
           "{\"iss\":\"ij-test\",\"aud\":\"immediate-justice\",\"sub\":\"x\",\"name\":\"x\","
           "\"area\":\"%s\",\"roles\":[\"coordinator\"],\"exp\":%lld}",
           AREA, (long long)time(NULL) + 3600);
  char *h = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
  char *p = b64url(payload);
  char token[2048];
  snprintf(token, sizeof token, "%s.%s.", h, p);
  expect_401(token, "alg none");
  snprintf(token, sizeof token, "%s.%s", h, p);
  expect_401(token, "alg none without signature part");
  free(h);
  free(p);
}
END_TEST

START_TEST(wrong_key_is_refused) {
  char *priv = NULL, *pub = NULL;
  ck_assert_int_eq(ij_auth_keygen("test-key", &priv, &pub), IJ_OK); /* same kid, other key */
  const char *roles[] = {"coordinator", NULL};
  char *token = NULL;
  ck_assert_int_eq(ij_auth_mint(priv, "ij-test", "immediate-justice", "x", "x", AREA, roles,
                                (int64_t)time(NULL), 600, &token),
                   IJ_OK);
  expect_401(token, "forged with another key");
  /* a signature cut from a good token and pasted onto a changed payload */
  char *good = ts_token("officer", AREA, "pc-1");
  char *dot2 = strrchr(good, '.');
  char *dot1 = strchr(token, '.');
  char *tdot2 = strrchr(token, '.');
  char mixed[4096];
  snprintf(mixed, sizeof mixed, "%.*s%s", (int)(tdot2 - token), token, dot2);
  (void)dot1;
  expect_401(mixed, "signature from another token");
  free(good);
  free(token);
  free(priv);
  free(pub);
}
END_TEST

START_TEST(expired_wrong_issuer_or_audience) {
  const char *roles[] = {"coordinator", NULL};
  char *t = NULL;
  int64_t now = (int64_t)time(NULL);
  ck_assert_int_eq(ij_auth_mint(ts_private_jwk(), "ij-test", "immediate-justice", "x", "x", AREA,
                                roles, now - 7200, 3600, &t),
                   IJ_OK);
  expect_401(t, "expired");
  free(t);
  ck_assert_int_eq(ij_auth_mint(ts_private_jwk(), "ij-test", "immediate-justice", "x", "x", AREA,
                                roles, now + 3600, 3600, &t),
                   IJ_OK);
  expect_401(t, "not yet valid");
  free(t);
  ck_assert_int_eq(ij_auth_mint(ts_private_jwk(), "someone-else", "immediate-justice", "x", "x",
                                AREA, roles, now, 600, &t),
                   IJ_OK);
  expect_401(t, "wrong issuer");
  free(t);
  ck_assert_int_eq(
      ij_auth_mint(ts_private_jwk(), "ij-test", "other-app", "x", "x", AREA, roles, now, 600, &t),
      IJ_OK);
  expect_401(t, "wrong audience");
  free(t);
}
END_TEST

START_TEST(roles_without_access_get_403) {
  const char *roles[] = {"commissioner", "supervisor", "admin"};
  char *officer = ts_token("officer", AREA, "pc-1");
  char *body = ts_referral_body("ward-a");
  ts_response *made = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(made->status, 201);
  char path[128], events[160], transitions[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", ts_id(made));
  snprintf(events, sizeof events, "%s/events", path);
  snprintf(transitions, sizeof transitions, "%s/transitions", path);
  for (size_t i = 0; i < 3; i++) {
    char *t = ts_token(roles[i], AREA, "someone");
    struct {
      const char *method, *route, *path, *body;
    } calls[] = {
        {"GET", "/v1/referrals", "/v1/referrals", NULL},
        {"POST", "/v1/referrals", "/v1/referrals", body},
        {"GET", "/v1/referrals/{id}", path, NULL},
        {"GET", "/v1/referrals/{id}/events", events, NULL},
        {"POST", "/v1/referrals/{id}/transitions", transitions,
         "{\"event\":\"reject\",\"reason_code\":\"duplicate\"}"},
    };
    for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++) {
      ts_response *r = ts_http(S, calls[k].method, calls[k].route, calls[k].path, t,
                               (const char *const[]){"If-Match: \"1\"", NULL}, calls[k].body);
      ck_assert_msg(r->status == 403, "%s %s as %s: %ld", calls[k].method, calls[k].path, roles[i],
                    r->status);
      ts_response_free(r);
    }
    /* /v1/me is for everyone */
    ts_response *me = ts_http(S, "GET", "/v1/me", "/v1/me", t, NULL, NULL);
    ck_assert_int_eq(me->status, 200);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(me->json, "roles"), 0)),
                     roles[i]);
    ts_response_free(me);
    free(t);
  }
  /* an officer may not accept */
  ts_response *r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", transitions, officer,
                           (const char *const[]){"If-Match: \"1\"", NULL},
                           "{\"event\":\"accept\",\"hours_confirmed\":7,"
                           "\"suitability_notes\":\"ok\"}");
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  ts_response_free(made);
  free(body);
  free(officer);
}
END_TEST

START_TEST(other_areas_records_are_not_found) {
  char *officer = ts_token("officer", AREA, "pc-1");
  char *body = ts_referral_body("ward-a");
  ts_response *made = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(made->status, 201);
  char other[IJ_AREA_MAX];
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  ts_new_area(c, other);
  ij_store_release(S->store, c);
  char *coord = ts_token("coordinator", other, "coord-x");
  char path[128], events[160], transitions[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", ts_id(made));
  snprintf(events, sizeof events, "%s/events", path);
  snprintf(transitions, sizeof transitions, "%s/transitions", path);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/referrals/{id}/events", events, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", transitions, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"reject\",\"reason_code\":\"duplicate\"}");
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/referrals", "/v1/referrals", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
  ts_response_free(r);
  /* and the record is unchanged for its own area */
  char *mine = ts_token("coordinator", AREA, "coord-1");
  r = ts_http(S, "GET", "/v1/referrals/{id}", path, mine, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"1\"");
  ts_response_free(r);
  free(mine);
  free(coord);
  free(body);
  free(officer);
  ts_response_free(made);
}
END_TEST

Suite *http_auth_suite(void) {
  Suite *s = suite_create("http-auth");
  TCase *tc = tcase_create("auth");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, missing_and_malformed_tokens);
  tcase_add_test(tc, unsigned_token_is_refused);
  tcase_add_test(tc, wrong_key_is_refused);
  tcase_add_test(tc, expired_wrong_issuer_or_audience);
  tcase_add_test(tc, roles_without_access_get_403);
  tcase_add_test(tc, other_areas_records_are_not_found);
  suite_add_tcase(s, tc);
  return s;
}
