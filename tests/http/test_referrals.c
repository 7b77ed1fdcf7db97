/* The referral resource over HTTP: the lifecycle, the contract, and what bad input gets. */
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static const char *const R_LIST = "/v1/referrals";
static const char *const R_ONE = "/v1/referrals/{id}";
static const char *const R_TRANS = "/v1/referrals/{id}/transitions";
static const char *const R_EVENTS = "/v1/referrals/{id}/events";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static ts_response *create(const char *token, const char *body, const char *const *headers) {
  return ts_http(S, "POST", R_LIST, "/v1/referrals", token, headers, body);
}

static ts_response *transition(const char *token, const char *id, const char *if_match,
                               const char *body) {
  char path[160], header[64];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  snprintf(header, sizeof header, "If-Match: %s", if_match);
  const char *const headers[] = {header, NULL};
  return ts_http(S, "POST", R_TRANS, path, token, if_match ? headers : NULL, body);
}

static ts_response *get(const char *token, const char *id) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  return ts_http(S, "GET", R_ONE, path, token, NULL, NULL);
}

/* A problem document with the status, type and (optionally) a field named in errors. */
static void expect_problem(ts_response *r, long status, const char *type, const char *field) {
  ck_assert_msg(r->status == status, "want %ld, got %ld: %s", status, r->status, r->body);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  char want[64];
  snprintf(want, sizeof want, "/problems/%s", type);
  ck_assert_str_eq(str(r->json, "type"), want);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "status")), status);
  ck_assert_ptr_nonnull(str(r->json, "detail"));
  ck_assert_str_eq(str(r->json, "request_id"), r->request_id);
  if (field) {
    json_t *errors = json_object_get(r->json, "errors");
    bool found = false;
    for (size_t i = 0; i < json_array_size(errors); i++)
      found = found || strcmp(str(json_array_get(errors, i), "field"), field) == 0;
    ck_assert_msg(found, "no error for %s in %s", field, r->body);
  }
}

START_TEST(officer_creates_coordinator_accepts_and_history_follows) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = ts_referral_body("ward-a");
  ts_response *r = create(officer, body, NULL);
  ck_assert_int_eq(r->status, 201);
  ck_assert_str_eq(r->content_type, "application/json");
  ck_assert_str_eq(r->etag, "\"1\"");
  char location[128];
  snprintf(location, sizeof location, "/v1/referrals/%s", ts_id(r));
  ck_assert_str_eq(r->location, location);
  ck_assert_str_eq(str(r->json, "state"), "submitted");
  ck_assert_str_eq(str(r->json, "area"), AREA);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_proposed")), 7);
  ck_assert_str_eq(str(json_object_get(r->json, "officer"), "sub"), "pc-101");
  ck_assert_str_eq(str(json_object_get(r->json, "person"), "police_id"), "22/123456X");
  ck_assert(json_is_false(json_object_get(r->json, "overdue")));
  char id[64];
  snprintf(id, sizeof id, "%s", ts_id(r));
  ts_response_free(r);

  r = get(coord, id);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"1\"");
  json_t *allowed = json_object_get(r->json, "allowed_events");
  ck_assert_int_eq(json_array_size(allowed), 3); /* accept, reject, withdraw */
  ts_response_free(r);

  r = transition(coord, id, "\"1\"",
                 "{\"event\":\"accept\",\"hours_confirmed\":8,\"suitability_notes\":\"Fine.\"}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"2\"");
  ck_assert_str_eq(str(r->json, "state"), "accepted");
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_confirmed")), 8);
  ts_response_free(r);

  /* the officer withdraws their own referral */
  r = transition(
      officer, id, "\"2\"",
      "{\"event\":\"withdraw\",\"reason_code\":\"ill_health\",\"reason\":\"In hospital\"}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "state"), "withdrawn");
  ck_assert_str_eq(str(r->json, "reason_code"), "ill_health");
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "allowed_events")), 0);
  ts_response_free(r);

  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
  r = ts_http(S, "GET", R_EVENTS, path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 3);
  const char *want[][3] = {{"create", NULL, "submitted"},
                           {"accept", "submitted", "accepted"},
                           {"withdraw", "accepted", "withdrawn"}};
  for (size_t i = 0; i < 3; i++) {
    json_t *e = json_array_get(items, i);
    ck_assert_int_eq(json_integer_value(json_object_get(e, "seq")), (int)i + 1);
    ck_assert_str_eq(str(e, "event"), want[i][0]);
    if (want[i][1])
      ck_assert_str_eq(str(e, "from"), want[i][1]);
    else
      ck_assert(json_is_null(json_object_get(e, "from")));
    ck_assert_str_eq(str(e, "to"), want[i][2]);
  }
  ck_assert_str_eq(str(json_object_get(json_array_get(items, 1), "actor"), "role"), "coordinator");
  ck_assert_str_eq(str(json_object_get(json_array_get(items, 2), "actor"), "sub"), "pc-101");
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);
  /* paging through the history */
  snprintf(path, sizeof path, "/v1/referrals/%s/events?limit=2", id);
  r = ts_http(S, "GET", R_EVENTS, path, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
  char next[160];
  snprintf(next, sizeof next, "/v1/referrals/%s/events?limit=2&cursor=%s", id,
           str(r->json, "next_cursor"));
  ts_response_free(r);
  r = ts_http(S, "GET", R_EVENTS, next, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(r->json, "items"), 0), "event"), "withdraw");
  ts_response_free(r);
  free(body);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(reject_and_illegal_transitions) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = ts_referral_body("ward-b");
  ts_response *r = create(officer, body, NULL);
  char id[64];
  snprintf(id, sizeof id, "%s", ts_id(r));
  ts_response_free(r);

  r = transition(coord, id, "\"1\"", "{\"event\":\"reject\"}");
  expect_problem(r, 422, "invalid", "reason_code");
  ts_response_free(r);
  r = transition(coord, id, "\"1\"", "{\"event\":\"reject\",\"reason_code\":\"ill_health\"}");
  expect_problem(r, 422, "invalid", "reason_code"); /* a withdraw code, not a reject code */
  ts_response_free(r);
  r = transition(coord, id, "\"1\"",
                 "{\"event\":\"accept\",\"hours_confirmed\":99,"
                 "\"suitability_notes\":\"x\"}");
  expect_problem(r, 422, "invalid", "hours_confirmed");
  ts_response_free(r);
  r = transition(coord, id, "\"1\"",
                 "{\"event\":\"reject\",\"reason_code\":\"not_eligible\",\"reason\":\"Too old\"}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "state"), "rejected");
  ts_response_free(r);

  /* nothing is allowed from rejected */
  r = transition(coord, id, "\"2\"", "{\"event\":\"withdraw\",\"reason_code\":\"other\"}");
  expect_problem(r, 409, "illegal_transition", NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "allowed_events")), 0);
  ts_response_free(r);
  /* events the service fires itself are not for any client's role */
  r = transition(coord, id, "\"2\"", "{\"event\":\"complete\"}");
  expect_problem(r, 403, "forbidden", "event");
  ts_response_free(r);
  r = transition(coord, id, "\"2\"", "{\"event\":\"fly\"}");
  expect_problem(r, 422, "invalid", "event");
  ts_response_free(r);

  /* a second referral: accepting twice names what is allowed */
  r = create(officer, body, NULL);
  snprintf(id, sizeof id, "%s", ts_id(r));
  ts_response_free(r);
  r = transition(coord, id, "\"1\"",
                 "{\"event\":\"accept\",\"hours_confirmed\":7,"
                 "\"suitability_notes\":\"x\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  r = transition(coord, id, "\"2\"",
                 "{\"event\":\"accept\",\"hours_confirmed\":7,"
                 "\"suitability_notes\":\"x\"}");
  expect_problem(r, 409, "illegal_transition", NULL);
  json_t *allowed = json_object_get(r->json, "allowed_events");
  ck_assert_int_eq(json_array_size(allowed), 1);
  ck_assert_str_eq(json_string_value(json_array_get(allowed, 0)), "withdraw");
  ts_response_free(r);
  /* non-compliance needs a recorded absence first */
  r = transition(coord, id, "\"2\"",
                 "{\"event\":\"declare_non_compliance\","
                 "\"reason_code\":\"unacceptable_absence\",\"reason\":\"x\"}");
  expect_problem(r, 409, "illegal_transition", NULL);
  ts_response_free(r);
  /* another officer may not withdraw it */
  char *other = ts_token("officer", AREA, "pc-202");
  r = transition(other, id, "\"2\"", "{\"event\":\"withdraw\",\"reason_code\":\"other\"}");
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  r = transition(coord, id, "\"2\"", "{\"event\":\"withdraw\",\"reason_code\":\"other\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  free(other);
  free(body);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(versions_and_preconditions) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = ts_referral_body("ward-a");
  ts_response *r = create(officer, body, NULL);
  char id[64];
  snprintf(id, sizeof id, "%s", ts_id(r));
  ts_response_free(r);
  const char *accept = "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"x\"}";
  r = transition(coord, id, NULL, accept);
  expect_problem(r, 428, "precondition_required", NULL);
  ts_response_free(r);
  r = transition(coord, id, "\"7\"", accept);
  expect_problem(r, 412, "stale_version", NULL);
  ck_assert_str_eq(r->etag, "\"1\"");
  ts_response_free(r);
  r = transition(coord, id, "W/\"x\"", accept);
  expect_problem(r, 412, "stale_version", NULL);
  ts_response_free(r);
  r = get(coord, id);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 1);
  ck_assert_str_eq(str(r->json, "state"), "submitted");
  ts_response_free(r);
  free(body);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(bad_bodies_change_nothing) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = create(officer, "{\"person\":", NULL);
  expect_problem(r, 400, "malformed", NULL);
  ts_response_free(r);
  r = create(officer, "[1,2]", NULL);
  expect_problem(r, 400, "malformed", NULL);
  ts_response_free(r);
  r = create(officer, "{\"a\":1,\"a\":2}", NULL);
  expect_problem(r, 400, "malformed", NULL);
  ts_response_free(r);
  r = create(officer, "{}", (const char *const[]){"Content-Type: text/plain", NULL});
  expect_problem(r, 415, "unsupported_media_type", NULL);
  ts_response_free(r);
  r = create(officer, "{}", NULL);
  expect_problem(r, 422, "invalid", "person.name");
  ck_assert_int_ge(json_array_size(json_object_get(r->json, "errors")), 5);
  ts_response_free(r);
  r = create(officer,
             "{\"person\":{\"name\":5,\"date_of_birth\":\"2004-02-30\",\"shoe_size\":9},"
             "\"offence\":{\"date\":\"2026-01-01\",\"category\":\"asb\",\"ward\":\"ward-a\"},"
             "\"disposal\":\"community_resolution\",\"consent_recorded\":\"yes\"}",
             NULL);
  expect_problem(r, 422, "invalid", "person.name");
  expect_problem(r, 422, "invalid", "person.shoe_size");
  expect_problem(r, 422, "invalid", "consent_recorded");
  ts_response_free(r);
  r = create(officer,
             "{\"person\":{\"name\":\"A B\",\"date_of_birth\":\"2004-02-30\"},"
             "\"offence\":{\"date\":\"2026-01-01\",\"category\":\"littering\",\"ward\":\"ward-a\"},"
             "\"disposal\":\"fine\",\"consent_recorded\":false,\"hours_proposed\":40}",
             NULL);
  expect_problem(r, 422, "invalid", "person.date_of_birth");
  expect_problem(r, 422, "invalid", "offence.category");
  expect_problem(r, 422, "invalid", "disposal");
  expect_problem(r, 422, "invalid", "consent_recorded");
  expect_problem(r, 422, "invalid", "hours_proposed");
  ts_response_free(r);
  char *unknown_ward = ts_referral_body("ward-z");
  r = create(officer, unknown_ward, NULL);
  expect_problem(r, 422, "invalid", "offence.ward");
  ts_response_free(r);
  free(unknown_ward);
  /* an unknown ward is named in the same answer as the other problems */
  r = create(officer,
             "{\"person\":{\"name\":\"A B\",\"date_of_birth\":\"2004-02-01\"},"
             "\"offence\":{\"date\":\"2026-01-01\",\"category\":\"asb\",\"ward\":\"ward-z\"},"
             "\"disposal\":\"fine\",\"consent_recorded\":true,\"hours_proposed\":7}",
             NULL);
  expect_problem(r, 422, "invalid", "disposal");
  expect_problem(r, 422, "invalid", "offence.ward");
  ts_response_free(r);
  /* too large: 413, before the body is parsed */
  size_t big = 70000;
  char *huge = malloc(big + 1);
  memset(huge, ' ', big);
  huge[0] = '{';
  huge[big - 1] = '}';
  huge[big] = 0;
  r = create(officer, huge, NULL);
  expect_problem(r, 413, "payload_too_large", NULL);
  ts_response_free(r);
  free(huge);
  /* none of these made a referral */
  r = ts_http(S, "GET", R_LIST, "/v1/referrals", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
  ts_response_free(r);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(unknown_ids_routes_and_parameters) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = get(coord, "7d0c4a44-3f5e-4f55-9a53-3b4c0f0f0b1e");
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = get(coord, "not-a-uuid");
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = ts_http(S, "GET", NULL, "/v1/nothing-here", coord, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = ts_http(S, "DELETE", "/v1/referrals", "/v1/referrals", coord, NULL, NULL);
  expect_problem(r, 405, "method_not_allowed", NULL);
  ck_assert_str_eq(r->allow, "POST, GET");
  ts_response_free(r);
  r = ts_http(S, "GET", R_LIST, "/v1/referrals?colour=red", coord, NULL, NULL);
  expect_problem(r, 422, "invalid", "colour");
  ts_response_free(r);
  r = ts_http(S, "GET", R_LIST, "/v1/referrals?state=flying&limit=0&overdue=maybe&cursor=zz", coord,
              NULL, NULL);
  expect_problem(r, 422, "invalid", "state");
  expect_problem(r, 422, "invalid", "limit");
  expect_problem(r, 422, "invalid", "overdue");
  expect_problem(r, 422, "invalid", "cursor");
  ts_response_free(r);
  r = ts_http(S, "GET", R_LIST, "/v1/referrals?id=%zz", coord, NULL, NULL);
  expect_problem(r, 400, "malformed", NULL);
  ts_response_free(r);
  free(coord);
}
END_TEST

static ts_response *get_accepting(const char *token, const char *id, const char *accept) {
  char path[160], header[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  snprintf(header, sizeof header, "Accept: %s", accept);
  const char *const headers[] = {header, NULL};
  return ts_http(S, "GET", R_ONE, path, token, headers, NULL);
}

/* The route's media types against Accept (service/http/accept.h): a referral is JSON only. */
START_TEST(accept_is_negotiated) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = ts_referral_body("ward-a");
  ts_response *made = create(officer, body, NULL);
  ck_assert_int_eq(made->status, 201);
  const char *id = ts_id(made);

  ts_response *r = get_accepting(coord, id, "text/html");
  expect_problem(r, 406, "not_acceptable", NULL);
  ck_assert_str_eq(str(r->json, "detail"), "this resource is available as application/json only");
  ts_response_free(r);
  r = get_accepting(coord, id, "application/json;q=0");
  expect_problem(r, 406, "not_acceptable", NULL);
  ts_response_free(r);
  r = get_accepting(coord, id, "*/*, application/json;q=0");
  expect_problem(r, 406, "not_acceptable", NULL);
  ts_response_free(r);

  /* acceptable, however weighted or spelled: the referral as JSON */
  static const char *const fine[] = {"application/json;q=0.5, text/html",
                                     "*/*",
                                     "application/*",
                                     "APPLICATION/JSON",
                                     "application/problem+json",
                                     "text/html, */*;q=0.1",
                                     "garbage;;, text/html;q=zz"};
  for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
    r = get_accepting(coord, id, fine[i]);
    ck_assert_msg(r->status == 200, "Accept: %s: %ld %s", fine[i], r->status, r->body);
    ck_assert_str_eq(r->content_type, "application/json");
    ck_assert_str_eq(str(r->json, "id"), id);
    ts_response_free(r);
  }

  /* the token (401) and the role (403) are checked first */
  r = get_accepting(NULL, id, "text/html");
  expect_problem(r, 401, "unauthenticated", NULL);
  ts_response_free(r);
  char *commissioner = ts_token("commissioner", AREA, "pcc-1");
  r = get_accepting(commissioner, id, "text/html");
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  /* and before the query (422) and the id (404) */
  r = get_accepting(coord, "not-a-uuid", "text/html");
  expect_problem(r, 406, "not_acceptable", NULL);
  ts_response_free(r);
  const char *const csv[] = {"Accept: text/csv", NULL};
  r = ts_http(S, "GET", R_LIST, "/v1/referrals?colour=red", coord, csv, NULL);
  expect_problem(r, 406, "not_acceptable", NULL);
  ts_response_free(r);
  r = ts_http(S, "GET", R_LIST, "/v1/referrals", coord, csv, NULL);
  expect_problem(r, 406, "not_acceptable", NULL);
  ts_response_free(r);
  /* a write is refused before it is made */
  r = create(officer, body, csv);
  expect_problem(r, 406, "not_acceptable", NULL);
  ts_response_free(r);
  r = ts_http(S, "GET", R_LIST, "/v1/referrals", coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ts_response_free(r);

  ts_response_free(made);
  free(commissioner);
  free(body);
  free(coord);
  free(officer);
}
END_TEST

START_TEST(list_filters_and_pagination) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *other = ts_token("officer", AREA, "pc-202");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *a = ts_referral_body("ward-a");
  char *b = ts_referral_body("ward-b");
  for (int i = 0; i < 5; i++) {
    ts_response *r = create(i < 3 ? officer : other, i % 2 ? b : a, NULL);
    ck_assert_int_eq(r->status, 201);
    if (i == 0) {
      char path[160];
      snprintf(path, sizeof path, "%s", ts_id(r));
      ts_response *t =
          transition(coord, path, "\"1\"", "{\"event\":\"reject\",\"reason_code\":\"duplicate\"}");
      ck_assert_int_eq(t->status, 200);
      ts_response_free(t);
    }
    ts_response_free(r);
  }
  struct {
    const char *query, *token;
    size_t want;
  } cases[] = {
      {"", coord, 5},
      {"?ward=ward-b", coord, 2},
      {"?state=submitted", coord, 4},
      {"?state=rejected", coord, 1},
      {"?mine=true", officer, 3},
      {"?mine=true", other, 2},
      {"?mine=false", other, 5},
      {"?overdue=true", coord, 0},
      {"?overdue=false&ward=ward-a", coord, 3},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char path[128];
    snprintf(path, sizeof path, "/v1/referrals%s", cases[k].query);
    ts_response *r = ts_http(S, "GET", R_LIST, path, cases[k].token, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_msg(json_array_size(json_object_get(r->json, "items")) == cases[k].want, "%s: %zu",
                  cases[k].query, json_array_size(json_object_get(r->json, "items")));
    ts_response_free(r);
  }
  /* pages of two: 2 + 2 + 1, no repeats, newest first */
  char path[256] = "/v1/referrals?limit=2";
  int pages = 0, total = 0;
  char seen[5][40];
  for (;;) {
    ts_response *r = ts_http(S, "GET", R_LIST, path, coord, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    json_t *items = json_object_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
      const char *id = str(json_array_get(items, i), "id");
      for (int j = 0; j < total; j++)
        ck_assert_str_ne(seen[j], id);
      ck_assert_int_lt(total, 5);
      snprintf(seen[total++], sizeof seen[0], "%s", id);
    }
    pages++;
    json_t *next = json_object_get(r->json, "next_cursor");
    if (json_is_null(next)) {
      ts_response_free(r);
      break;
    }
    snprintf(path, sizeof path, "/v1/referrals?limit=2&cursor=%s", json_string_value(next));
    ts_response_free(r);
  }
  ck_assert_int_eq(pages, 3);
  ck_assert_int_eq(total, 5);
  free(a);
  free(b);
  free(officer);
  free(other);
  free(coord);
}
END_TEST

START_TEST(idempotent_create) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *body = ts_referral_body("ward-a");
  const char *const key[] = {"Idempotency-Key: phone-retry-1", NULL};
  ts_response *first = create(officer, body, key);
  ck_assert_int_eq(first->status, 201);
  ck_assert_str_eq(first->replayed, "");
  ts_response *again = create(officer, body, key);
  ck_assert_int_eq(again->status, 201);
  ck_assert_str_eq(again->replayed, "true");
  ck_assert_str_eq(again->body, first->body);
  ck_assert_str_eq(again->location, first->location);
  ts_response_free(again);
  char *changed = ts_referral_body("ward-b");
  again = create(officer, changed, key);
  expect_problem(again, 422, "idempotency_mismatch", NULL);
  ts_response_free(again);
  const char *const bad_key[] = {"Idempotency-Key: has space", NULL};
  again = create(officer, body, bad_key);
  expect_problem(again, 422, "invalid", "Idempotency-Key");
  ts_response_free(again);
  ts_response_free(first);
  free(changed);
  free(body);
  free(officer);
}
END_TEST

START_TEST(reference_data_and_health) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = ts_http(S, "GET", "/v1/wards", "/v1/wards", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/reason-codes", "/v1/reason-codes?kind=withdraw", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 9);
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/reason-codes", "/v1/reason-codes?kind=nonsense", coord, NULL, NULL);
  expect_problem(r, 422, "invalid", "kind");
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/reason-codes", "/v1/reason-codes", coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 21);
  ts_response_free(r);
  r = ts_http(S, "GET", "/healthz", "/healthz", NULL, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  r = ts_http(S, "GET", "/readyz", "/readyz", NULL, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "schema_version")),
                   ij_store_schema_target());
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/me", "/v1/me", coord,
              (const char *const[]){"X-Request-Id: abc-123", NULL}, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->request_id, "abc-123");
  ck_assert_str_eq(str(r->json, "area"), AREA);
  ts_response_free(r);
  free(coord);
}
END_TEST

START_TEST(readyz_without_database_is_503) {
  /* a server whose pool points at nothing */
  ij_store_options o = {"postgresql://127.0.0.1:1/none?connect_timeout=2", 1, 200, true, false};
  ij_store *store;
  ck_assert_int_eq(ij_store_open(&o, &store), IJ_OK);
  ts_server dead = {store, store, S->auth, NULL, 0};
  ij_http_options ho = {"127.0.0.1",    0, 2,  100, 30,    65536, 65536,
                        {2, 20, 7, 48}, 5, 10, 2,   30000, 10,    0};
  ck_assert_int_eq(ij_http_start(&ho, store, S->auth, &dead.server), IJ_OK);
  dead.port = ij_http_port(dead.server);
  ts_response *r = ts_http(&dead, "GET", "/readyz", "/readyz", NULL, NULL, NULL);
  expect_problem(r, 503, "unavailable", NULL);
  ts_response_free(r);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  r = ts_http(&dead, "GET", R_LIST, "/v1/referrals", coord, NULL, NULL);
  expect_problem(r, 503, "unavailable", NULL);
  ts_response_free(r);
  free(coord);
  ij_http_stop(dead.server);
  ij_store_close(store);
}
END_TEST

Suite *http_referrals_suite(void) {
  Suite *s = suite_create("http-referrals");
  TCase *tc = tcase_create("referrals");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, officer_creates_coordinator_accepts_and_history_follows);
  tcase_add_test(tc, reject_and_illegal_transitions);
  tcase_add_test(tc, versions_and_preconditions);
  tcase_add_test(tc, bad_bodies_change_nothing);
  tcase_add_test(tc, unknown_ids_routes_and_parameters);
  tcase_add_test(tc, list_filters_and_pagination);
  tcase_add_test(tc, idempotent_create);
  tcase_add_test(tc, accept_is_negotiated);
  tcase_add_test(tc, reference_data_and_health);
  tcase_add_test(tc, readyz_without_database_is_503);
  suite_add_tcase(s, tc);
  return s;
}
