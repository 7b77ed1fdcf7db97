/* Placements and sessions over HTTP: create, read, list, change, who sees what, and what
 * cancelling a session does to its bookings and their referrals. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/store/referrals.h"
#include "suites.h"

static const char *const R_PLACEMENTS = "/v1/placements";
static const char *const R_PLACEMENT = "/v1/placements/{id}";
static const char *const R_PLACEMENT_SESSIONS = "/v1/placements/{id}/sessions";
static const char *const R_SESSIONS = "/v1/sessions";
static const char *const R_SESSION = "/v1/sessions/{id}";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static long long num(json_t *j, const char *key) {
  return (long long)json_integer_value(json_object_get(j, key));
}

static json_t *items(const ts_response *r) {
  return json_object_get(r->json, "items");
}

/* A request with an optional If-Match. */
static ts_response *call(const char *method, const char *route, const char *path, const char *token,
                         const char *if_match, const char *body) {
  char header[64];
  snprintf(header, sizeof header, "If-Match: %s", if_match ? if_match : "");
  const char *const headers[] = {header, NULL};
  return ts_http(S, method, route, path, token, if_match ? headers : NULL, body);
}

static void expect_problem(ts_response *r, long status, const char *type, const char *field) {
  ck_assert_msg(r->status == status, "want %ld, got %ld: %s", status, r->status, r->body);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  char want[64];
  snprintf(want, sizeof want, "/problems/%s", type);
  ck_assert_str_eq(str(r->json, "type"), want);
  ck_assert_ptr_nonnull(str(r->json, "detail"));
  if (field) {
    json_t *errors = json_object_get(r->json, "errors");
    bool found = false;
    for (size_t i = 0; i < json_array_size(errors); i++)
      found = found || strcmp(str(json_array_get(errors, i), "field"), field) == 0;
    ck_assert_msg(found, "no error for %s in %s", field, r->body);
  }
}

/* An instant `hours` from now, on the hour, as RFC 3339 (written to out). */
static const char *at_hours(char out[32], int hours) {
  time_t t = time(NULL) + (time_t)hours * 3600;
  t -= t % 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:00:00Z", &tm);
  return out;
}

static char *placement_body(const char *name, const char *type, const char *ward, const char *sup) {
  json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s}}", "name", name, "type", type,
                        "provider", "Arboretum Allotments Society", "ward", ward, "location",
                        "Arboretum Park allotments", "min_age", 16, "supervisor", "sub", sup,
                        "name", "Sam Supervisor");
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return text;
}

/* Creates a placement as the coordinator; its id is written to id. */
static void make_placement(const char *coord, const char *name, const char *type, const char *ward,
                           const char *sup, char id[64]) {
  char *body = placement_body(name, type, ward, sup);
  ts_response *r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL, body);
  ck_assert_msg(r->status == 201, "placement: %ld %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
}

/* Creates a session of a placement starting `start_h` hours from now and lasting `len_h`. */
static void make_session(const char *coord, const char *placement, int start_h, int len_h,
                         int capacity, const char *sup, char id[64]) {
  char starts[32], ends[32], path[128], body[512];
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", placement);
  if (sup)
    snprintf(body, sizeof body,
             "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":%d,"
             "\"supervisor\":{\"sub\":\"%s\",\"name\":\"Other Supervisor\"}}",
             at_hours(starts, start_h), at_hours(ends, start_h + len_h), capacity, sup);
  else
    snprintf(body, sizeof body, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":%d}",
             at_hours(starts, start_h), at_hours(ends, start_h + len_h), capacity);
  ts_response *r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, coord, NULL, body);
  ck_assert_msg(r->status == 201, "session: %ld %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
}

/* Direct SQL for what the API does not offer yet (bookings) and for checks. */
static PGconn *db(void) {
  PGconn *c = PQconnectdb(ts_database_url());
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
  return c;
}

static void sql(PGconn *c, const char *q, int n, const char *const *params) {
  PGresult *res = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
                "%s: %s", q, PQerrorMessage(c));
  PQclear(res);
}

/* The first cell of a one-row query (written to out). */
static const char *sql_value(PGconn *c, const char *q, int n, const char *const *params, char *out,
                             size_t size) {
  PGresult *res = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1, "%s: %s", q,
                PQerrorMessage(c));
  snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return out;
}

START_TEST(placement_lifecycle) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *body = placement_body("Allotment tidy-up", "gardening", "ward-a", "sup-1");
  ts_response *r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL, body);
  ck_assert_msg(r->status == 201, "%s", r->body);
  ck_assert_str_eq(r->content_type, "application/json");
  ck_assert_str_eq(r->etag, "\"1\"");
  char id[64], path[128];
  snprintf(id, sizeof id, "%s", ts_id(r));
  snprintf(path, sizeof path, "/v1/placements/%s", id);
  ck_assert_str_eq(r->location, path);
  ck_assert_str_eq(str(r->json, "name"), "Allotment tidy-up");
  ck_assert_str_eq(str(r->json, "type"), "gardening");
  ck_assert_str_eq(str(r->json, "ward"), "ward-a");
  ck_assert_str_eq(str(r->json, "location"), "Arboretum Park allotments");
  ck_assert_int_eq(num(r->json, "min_age"), 16);
  ck_assert_str_eq(str(json_object_get(r->json, "supervisor"), "sub"), "sup-1");
  ck_assert(json_is_true(json_object_get(r->json, "active")));
  ck_assert_int_eq(num(r->json, "version"), 1);
  ts_response_free(r);
  free(body);

  /* defaults: min_age 10, active, no location */
  r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL,
              "{\"name\":\"Litter pick\",\"type\":\"litter_picking\",\"provider\":\"Council\","
              "\"ward\":\"ward-b\",\"supervisor\":{\"sub\":\"sup-2\",\"name\":\"Sky\"}}");
  ck_assert_int_eq(r->status, 201);
  ck_assert_int_eq(num(r->json, "min_age"), 10);
  ck_assert(json_is_true(json_object_get(r->json, "active")));
  ck_assert(json_is_null(json_object_get(r->json, "location")));
  ts_response_free(r);

  r = ts_http(S, "GET", R_PLACEMENT, path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"1\"");
  ck_assert_str_eq(ts_id(r), id);
  ts_response_free(r);

  /* PATCH: If-Match required, stale refused, a partial change applied */
  r = call("PATCH", R_PLACEMENT, path, coord, NULL, "{\"min_age\":18}");
  expect_problem(r, 428, "precondition_required", NULL);
  ts_response_free(r);
  r = call("PATCH", R_PLACEMENT, path, coord, "\"7\"", "{\"min_age\":18}");
  expect_problem(r, 412, "stale_version", NULL);
  ts_response_free(r);
  r = call("PATCH", R_PLACEMENT, path, coord, "\"1\"",
           "{\"min_age\":18,\"location\":null,\"active\":false}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_str_eq(r->etag, "\"2\"");
  ck_assert_int_eq(num(r->json, "min_age"), 18);
  ck_assert(json_is_null(json_object_get(r->json, "location")));
  ck_assert(json_is_false(json_object_get(r->json, "active")));
  ck_assert_str_eq(str(r->json, "name"), "Allotment tidy-up"); /* untouched */
  ts_response_free(r);
  r = call("PATCH", R_PLACEMENT, path, coord, "\"1\"", "{\"active\":true}");
  expect_problem(r, 412, "stale_version", NULL);
  ts_response_free(r);
  r = call("PATCH", R_PLACEMENT, path, coord, "\"2\"",
           "{\"name\":\"Allotments\",\"ward\":\"ward-b\",\"active\":true,"
           "\"supervisor\":{\"sub\":\"sup-3\",\"name\":\"Pat\"}}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_str_eq(str(r->json, "name"), "Allotments");
  ck_assert_str_eq(str(r->json, "ward"), "ward-b");
  ck_assert_str_eq(str(json_object_get(r->json, "supervisor"), "sub"), "sup-3");
  ck_assert_int_eq(num(r->json, "version"), 3);
  ts_response_free(r);
  /* a ward the area does not have */
  r = call("PATCH", R_PLACEMENT, path, coord, "\"3\"", "{\"ward\":\"nowhere\"}");
  expect_problem(r, 422, "invalid", "ward");
  ts_response_free(r);
  r = call("PATCH", R_PLACEMENT, path, coord, "\"3\"", "{}");
  expect_problem(r, 422, "invalid", "body");
  ts_response_free(r);
  free(coord);
}
END_TEST

START_TEST(placement_bad_input) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  static const struct {
    const char *body;
    const char *field;
  } cases[] = {
      {"{\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "name"},
      {"{\"name\":\"N\",\"type\":\"knitting\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "type"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "provider"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"Ward A\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "ward"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-z\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "ward"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"min_age\":9,\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "min_age"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"min_age\":100,\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "min_age"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"min_age\":\"16\",\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "min_age"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"active\":\"yes\",\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "active"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"name\":\"n\"}}",
       "supervisor.sub"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\",\"phone\":\"1\"}}",
       "supervisor.phone"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":\"sam\"}",
       "supervisor"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\"}",
       "supervisor"},
      {"{\"name\":42,\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "name"},
      {"{\"name\":null,\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}",
       "name"},
      {"{\"name\":\"N\",\"type\":\"gardening\",\"provider\":\"P\",\"ward\":\"ward-a\","
       "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"},\"colour\":\"green\"}",
       "colour"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ts_response *r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL, cases[i].body);
    expect_problem(r, 422, "invalid", cases[i].field);
    ts_response_free(r);
  }
  /* every failing field in one answer: a bad type and a ward the area does not have, on create
   * and on change */
  ts_response *both =
      ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL,
              "{\"name\":\"N\",\"type\":\"knitting\",\"provider\":\"P\","
              "\"ward\":\"ward-z\",\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}");
  expect_problem(both, 422, "invalid", "type");
  expect_problem(both, 422, "invalid", "ward");
  ts_response_free(both);
  both = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL,
                 "{\"name\":\"N\",\"type\":\"other\",\"provider\":\"P\",\"ward\":\"ward-a\","
                 "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"n\"}}");
  ck_assert_int_eq(both->status, 201);
  char changed[128];
  snprintf(changed, sizeof changed, "/v1/placements/%s", str(both->json, "id"));
  ts_response_free(both);
  both =
      call("PATCH", R_PLACEMENT, changed, coord, "\"1\"", "{\"ward\":\"nowhere\",\"min_age\":5}");
  expect_problem(both, 422, "invalid", "min_age");
  expect_problem(both, 422, "invalid", "ward");
  ts_response_free(both);
  /* location longer than 4000 bytes */
  char *big = malloc(4200);
  memset(big, 'x', 4001);
  big[4001] = 0;
  json_t *j =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "name", "N", "type", "other", "provider",
                "P", "ward", "ward-a", "location", big, "supervisor", "sub", "sup-1", "name", "n");
  char *text = json_dumps(j, JSON_COMPACT);
  ts_response *r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL, text);
  expect_problem(r, 422, "invalid", "location");
  ts_response_free(r);
  free(text);
  json_decref(j);
  free(big);

  const char *const text_plain[] = {"Content-Type: text/plain", NULL};
  r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, text_plain, "{}");
  expect_problem(r, 415, "unsupported_media_type", NULL);
  ts_response_free(r);
  r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", coord, NULL, "{\"name\":");
  expect_problem(r, 400, "malformed", NULL);
  ts_response_free(r);
  r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements?x=1", coord, NULL, "{}");
  expect_problem(r, 422, "invalid", "x");
  ts_response_free(r);

  /* who may: officers and supervisors do not manage placements */
  char *officer = ts_token("officer", AREA, "pc-101");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char *body = placement_body("N", "other", "ward-a", "sup-1");
  r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", officer, NULL, body);
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", sup, NULL, body);
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  r = ts_http(S, "GET", R_PLACEMENTS, "/v1/placements", officer, NULL, NULL);
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  r = ts_http(S, "POST", R_PLACEMENTS, "/v1/placements", NULL, NULL, body);
  expect_problem(r, 401, "unauthenticated", NULL);
  ts_response_free(r);
  free(body);
  free(officer);
  free(sup);
  free(coord);
}
END_TEST

START_TEST(placement_list_filters_and_pages) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char a[64], b[64], c[64], path[160];
  make_placement(coord, "A", "gardening", "ward-a", "sup-1", a);
  make_placement(coord, "B", "litter_picking", "ward-b", "sup-2", b);
  make_placement(coord, "C", "gardening", "ward-b", "sup-1", c);
  snprintf(path, sizeof path, "/v1/placements/%s", b);
  ts_response *r = call("PATCH", R_PLACEMENT, path, coord, "\"1\"", "{\"active\":false}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);

  r = ts_http(S, "GET", R_PLACEMENTS, "/v1/placements", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(items(r)), 3);
  ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), c); /* newest first */
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);

  static const struct {
    const char *query;
    int count;
  } filters[] = {
      {"?type=gardening", 2},    {"?ward=ward-b", 2},           {"?active=false", 1},
      {"?active=true", 2},       {"?supervisor=sup-1", 2},      {"?type=gardening&ward=ward-b", 1},
      {"?supervisor=nobody", 0}, {"?type=graffiti_removal", 0},
  };
  for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
    snprintf(path, sizeof path, "/v1/placements%s", filters[i].query);
    r = ts_http(S, "GET", R_PLACEMENTS, path, coord, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_msg((int)json_array_size(items(r)) == filters[i].count, "%s: %s", filters[i].query,
                  r->body);
    ts_response_free(r);
  }

  /* pages of one */
  const char *want[] = {c, b, a};
  char next[160] = "/v1/placements?limit=1";
  for (int i = 0; i < 3; i++) {
    r = ts_http(S, "GET", R_PLACEMENTS, next, coord, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_eq(json_array_size(items(r)), 1);
    ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), want[i]);
    json_t *cursor = json_object_get(r->json, "next_cursor");
    if (i < 2)
      snprintf(next, sizeof next, "/v1/placements?limit=1&cursor=%s", json_string_value(cursor));
    else
      ck_assert(json_is_null(cursor));
    ts_response_free(r);
  }

  static const struct {
    const char *query;
    const char *field;
  } bad[] = {
      {"?type=knitting", "type"},  {"?ward=Ward%20A", "ward"},     {"?active=yes", "active"},
      {"?limit=0", "limit"},       {"?limit=101", "limit"},        {"?cursor=nonsense", "cursor"},
      {"?colour=green", "colour"}, {"?supervisor=", "supervisor"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(path, sizeof path, "/v1/placements%s", bad[i].query);
    r = ts_http(S, "GET", R_PLACEMENTS, path, coord, NULL, NULL);
    expect_problem(r, 422, "invalid", bad[i].field);
    ts_response_free(r);
  }
  free(coord);
}
END_TEST

START_TEST(other_areas_and_unknown_ids) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char other[IJ_AREA_MAX];
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, other);
  ij_store_release(S->store, conn);
  char *stranger = ts_token("coordinator", other, "coord-9");
  char *stranger_sup = ts_token("supervisor", other, "sup-1");

  char p[64], s[64], path[160];
  make_placement(coord, "Mine", "gardening", "ward-a", "sup-1", p);
  make_session(coord, p, 48, 4, 5, NULL, s);

  snprintf(path, sizeof path, "/v1/placements/%s", p);
  ts_response *r = ts_http(S, "GET", R_PLACEMENT, path, stranger, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = ts_http(S, "GET", R_PLACEMENT, path, stranger_sup, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = call("PATCH", R_PLACEMENT, path, stranger, "\"1\"", "{\"active\":false}");
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", p);
  r = ts_http(S, "GET", R_PLACEMENT_SESSIONS, path, stranger, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  char starts[32], ends[32], body[256];
  snprintf(body, sizeof body, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":3}",
           at_hours(starts, 24), at_hours(ends, 26));
  r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, stranger, NULL, body);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/sessions/%s", s);
  r = ts_http(S, "GET", R_SESSION, path, stranger, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = call("PATCH", R_SESSION, path, stranger, "\"1\"", "{\"cancelled\":true}");
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = call("PATCH", R_SESSION, path, stranger, "\"1\"", "{\"capacity\":9}");
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  /* and their lists are empty */
  r = ts_http(S, "GET", R_PLACEMENTS, "/v1/placements", stranger, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 0);
  ts_response_free(r);
  r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions", stranger, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 0);
  ts_response_free(r);
  /* nothing changed for the owner */
  r = ts_http(S, "GET", R_SESSION, path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"1\"");
  ts_response_free(r);

  /* unknown and malformed ids */
  const char *unknown = "0b7e4c2a-5d1f-4e8a-9c3b-6f2d1e0a9b8c";
  snprintf(path, sizeof path, "/v1/placements/%s", unknown);
  r = ts_http(S, "GET", R_PLACEMENT, path, coord, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = ts_http(S, "GET", R_PLACEMENT, "/v1/placements/not-a-uuid", coord, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/sessions/%s", unknown);
  r = ts_http(S, "GET", R_SESSION, path, coord, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = call("PATCH", R_SESSION, path, coord, "\"1\"", "{\"capacity\":4}");
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", unknown);
  r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, coord, NULL, body);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = ts_http(S, "DELETE", R_SESSION, "/v1/sessions/x", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 405);
  ts_response_free(r);
  free(stranger);
  free(stranger_sup);
  free(coord);
}
END_TEST

START_TEST(session_lifecycle_and_bad_input) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char p[64], path[160], starts[32], ends[32], body[512];
  make_placement(coord, "Allotments", "gardening", "ward-a", "sup-1", p);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", p);
  snprintf(body, sizeof body, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":8}",
           at_hours(starts, 72), at_hours(ends, 79));
  ts_response *r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%s", r->body);
  ck_assert_str_eq(r->etag, "\"1\"");
  char id[64], one[160];
  snprintf(id, sizeof id, "%s", ts_id(r));
  snprintf(one, sizeof one, "/v1/sessions/%s", id);
  ck_assert_str_eq(r->location, one);
  json_t *placement = json_object_get(r->json, "placement");
  ck_assert_str_eq(str(placement, "id"), p);
  ck_assert_str_eq(str(placement, "name"), "Allotments");
  ck_assert_str_eq(str(placement, "type"), "gardening");
  ck_assert_str_eq(str(placement, "ward"), "ward-a");
  ck_assert_int_eq(num(placement, "min_age"), 16);
  ck_assert_int_eq(num(r->json, "capacity"), 8);
  ck_assert_int_eq(num(r->json, "booked"), 0);
  ck_assert_int_eq(num(r->json, "available"), 8);
  ck_assert_str_eq(str(json_object_get(r->json, "supervisor"), "sub"), "sup-1"); /* default */
  ck_assert(json_is_false(json_object_get(r->json, "cancelled")));
  ck_assert_ptr_null(json_object_get(r->json, "bookings"));
  char want_start[40];
  snprintf(want_start, sizeof want_start, "%.19s.000000Z", starts);
  ck_assert_str_eq(str(r->json, "starts_at"), want_start);
  ts_response_free(r);

  r = ts_http(S, "GET", R_SESSION, one, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"1\"");
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "bookings")), 0);
  ts_response_free(r);

  /* capacity and supervisor change under If-Match */
  r = call("PATCH", R_SESSION, one, coord, NULL, "{\"capacity\":10}");
  expect_problem(r, 428, "precondition_required", NULL);
  ts_response_free(r);
  r = call("PATCH", R_SESSION, one, coord, "\"3\"", "{\"capacity\":10}");
  expect_problem(r, 412, "stale_version", NULL);
  ts_response_free(r);
  r = call("PATCH", R_SESSION, one, coord, "\"1\"",
           "{\"capacity\":10,\"supervisor\":{\"sub\":\"sup-2\",\"name\":\"Sky\"}}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_str_eq(r->etag, "\"2\"");
  ck_assert_int_eq(num(r->json, "capacity"), 10);
  ck_assert_int_eq(num(r->json, "available"), 10);
  ck_assert_str_eq(str(json_object_get(r->json, "supervisor"), "sub"), "sup-2");
  ts_response_free(r);

  static const struct {
    const char *body;
    const char *field;
  } bad_patch[] = {
      {"{}", "body"},
      {"{\"cancelled\":false}", "cancelled"},
      {"{\"capacity\":0}", "capacity"},
      {"{\"capacity\":201}", "capacity"},
      {"{\"capacity\":\"9\"}", "capacity"},
      {"{\"capacity\":null}", "capacity"},
      {"{\"starts_at\":\"2030-01-01T09:00:00Z\"}", "starts_at"},
      {"{\"supervisor\":{\"sub\":\"x\"}}", "supervisor.name"},
  };
  for (size_t i = 0; i < sizeof bad_patch / sizeof bad_patch[0]; i++) {
    r = call("PATCH", R_SESSION, one, coord, "\"2\"", bad_patch[i].body);
    expect_problem(r, 422, "invalid", bad_patch[i].field);
    ts_response_free(r);
  }

  /* bad new sessions */
  char past[32], later[32], day_after[32];
  at_hours(past, -3);
  at_hours(later, 80);
  at_hours(day_after, 72 + 25);
  char bodies[12][256];
  const char *fields[12];
  int n = 0;
  snprintf(bodies[n], 256, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\"}", starts, ends);
  fields[n++] = "capacity";
  snprintf(bodies[n], 256, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":0}", starts,
           ends);
  fields[n++] = "capacity";
  snprintf(bodies[n], 256, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":201}", starts,
           ends);
  fields[n++] = "capacity";
  snprintf(bodies[n], 256, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":2}", ends,
           starts);
  fields[n++] = "ends_at";
  snprintf(bodies[n], 256, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":2}", starts,
           day_after);
  fields[n++] = "ends_at";
  snprintf(bodies[n], 256, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":2}", past, later);
  fields[n++] = "starts_at";
  snprintf(bodies[n], 256, "{\"starts_at\":\"tomorrow\",\"ends_at\":\"%s\",\"capacity\":2}", ends);
  fields[n++] = "starts_at";
  /* a wrong type and a domain rule in one body: one 422 names both */
  snprintf(bodies[n], 256, "{\"starts_at\":\"tomorrow\",\"ends_at\":\"%s\",\"capacity\":\"2\"}",
           ends);
  fields[n++] = "starts_at";
  snprintf(bodies[n], 256,
           "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":2,\"cancelled\":true}", starts,
           ends);
  fields[n++] = "cancelled";
  for (int i = 0; i < n; i++) {
    r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, coord, NULL, bodies[i]);
    expect_problem(r, 422, "invalid", fields[i]);
    if (i == n - 2) { /* the body with two failing fields */
      json_t *errors = json_object_get(r->json, "errors");
      ck_assert_int_eq(json_array_size(errors), 2);
      ck_assert_str_eq(str(json_array_get(errors, 0), "field"), "capacity");
    }
    ts_response_free(r);
  }
  const char *const text_plain[] = {"Content-Type: text/plain", NULL};
  r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, coord, text_plain, "{}");
  expect_problem(r, 415, "unsupported_media_type", NULL);
  ts_response_free(r);

  /* an inactive placement takes no new sessions */
  snprintf(one, sizeof one, "/v1/placements/%s", p);
  r = call("PATCH", R_PLACEMENT, one, coord, "\"1\"", "{\"active\":false}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  snprintf(body, sizeof body, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":8}", starts,
           ends);
  r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, coord, NULL, body);
  expect_problem(r, 409, "conflict", "placement");
  ts_response_free(r);

  /* supervisors and officers do not make sessions */
  char *sup = ts_token("supervisor", AREA, "sup-1");
  r = ts_http(S, "POST", R_PLACEMENT_SESSIONS, path, sup, NULL, body);
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  free(sup);
  free(coord);
}
END_TEST

START_TEST(session_lists_filters_and_pages) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char g[64], l[64], s1[64], s2[64], s3[64], s4[64], path[256];
  make_placement(coord, "Garden", "gardening", "ward-a", "sup-1", g);
  make_placement(coord, "Litter", "litter_picking", "ward-b", "sup-2", l);
  make_session(coord, g, 24, 3, 4, NULL, s1);
  make_session(coord, l, 48, 3, 4, NULL, s2);
  make_session(coord, g, 72, 3, 4, "sup-2", s3);
  make_session(coord, g, 96, 3, 4, NULL, s4);

  ts_response *r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  const char *all[] = {s1, s2, s3, s4};
  ck_assert_int_eq(json_array_size(items(r)), 4);
  for (int i = 0; i < 4; i++)
    ck_assert_str_eq(str(json_array_get(items(r), (size_t)i), "id"), all[i]); /* by start */
  ck_assert_ptr_null(json_object_get(json_array_get(items(r), 0), "bookings"));
  ts_response_free(r);

  char from[32], to[32];
  at_hours(from, 48);
  at_hours(to, 96);
  struct {
    char query[160];
    int count;
    const char *first;
  } filters[9];
  int n = 0;
  snprintf(filters[n].query, 160, "?from=%s", from);
  filters[n].count = 3, filters[n++].first = s2;
  snprintf(filters[n].query, 160, "?to=%s", to);
  filters[n].count = 3, filters[n++].first = s1;
  snprintf(filters[n].query, 160, "?from=%s&to=%s", from, to);
  filters[n].count = 2, filters[n++].first = s2;
  snprintf(filters[n].query, 160, "?ward=ward-b");
  filters[n].count = 1, filters[n++].first = s2;
  snprintf(filters[n].query, 160, "?type=gardening");
  filters[n].count = 3, filters[n++].first = s1;
  snprintf(filters[n].query, 160, "?supervisor=sup-2");
  filters[n].count = 2, filters[n++].first = s2;
  snprintf(filters[n].query, 160, "?placement=%s", g);
  filters[n].count = 3, filters[n++].first = s1;
  snprintf(filters[n].query, 160, "?placement=%s&supervisor=sup-1", g);
  filters[n].count = 2, filters[n++].first = s1;
  snprintf(filters[n].query, 160, "?type=charity_work");
  filters[n].count = 0, filters[n++].first = NULL;
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "/v1/sessions%s", filters[i].query);
    r = ts_http(S, "GET", R_SESSIONS, path, coord, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_msg((int)json_array_size(items(r)) == filters[i].count, "%s: %s", filters[i].query,
                  r->body);
    if (filters[i].first)
      ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), filters[i].first);
    ts_response_free(r);
  }

  /* pages of three, then one */
  r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions?limit=3", coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 3);
  snprintf(path, sizeof path, "/v1/sessions?limit=3&cursor=%s",
           json_string_value(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);
  r = ts_http(S, "GET", R_SESSIONS, path, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 1);
  ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), s4);
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);

  /* a placement's own sessions, with a window and pages */
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", g);
  r = ts_http(S, "GET", R_PLACEMENT_SESSIONS, path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(items(r)), 3);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions?from=%s&limit=1", g, from);
  r = ts_http(S, "GET", R_PLACEMENT_SESSIONS, path, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 1);
  ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), s3);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions?from=%s&limit=1&cursor=%s", g, from,
           json_string_value(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);
  r = ts_http(S, "GET", R_PLACEMENT_SESSIONS, path, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 1);
  ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), s4);
  ts_response_free(r);

  static const struct {
    const char *query;
    const char *field;
  } bad[] = {
      {"?from=yesterday", "from"},
      {"?to=2026-13-01T00:00:00Z", "to"},
      {"?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", "to"},
      {"?ward=WARD", "ward"},
      {"?type=knitting", "type"},
      {"?placement=42", "placement"},
      {"?limit=0", "limit"},
      {"?cursor=abc", "cursor"},
      {"?day=today", "day"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(path, sizeof path, "/v1/sessions%s", bad[i].query);
    r = ts_http(S, "GET", R_SESSIONS, path, coord, NULL, NULL);
    expect_problem(r, 422, "invalid", bad[i].field);
    ts_response_free(r);
  }
  snprintf(path, sizeof path, "/v1/placements/%s/sessions?ward=ward-a", g);
  r = ts_http(S, "GET", R_PLACEMENT_SESSIONS, path, coord, NULL, NULL);
  expect_problem(r, 422, "invalid", "ward");
  ts_response_free(r);
  char *officer = ts_token("officer", AREA, "pc-101");
  r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions", officer, NULL, NULL);
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(supervisors_see_their_own) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup1 = ts_token("supervisor", AREA, "sup-1");
  char *sup2 = ts_token("supervisor", AREA, "sup-2");
  char p1[64], p2[64], s1a[64], s1b[64], s2[64], path[200];
  make_placement(coord, "One", "gardening", "ward-a", "sup-1", p1);
  make_placement(coord, "Two", "charity_work", "ward-b", "sup-2", p2);
  make_session(coord, p1, 24, 2, 3, NULL, s1a);
  make_session(coord, p1, 30, 2, 3, "sup-2", s1b);
  make_session(coord, p2, 36, 2, 3, NULL, s2);

  ts_response *r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions", sup1, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(items(r)), 1);
  ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), s1a);
  ts_response_free(r);
  /* asking for another supervisor's sessions gives none */
  r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions?supervisor=sup-2", sup1, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 0);
  ts_response_free(r);
  r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions", sup2, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 2);
  ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), s1b);
  ck_assert_str_eq(str(json_array_get(items(r), 1), "id"), s2);
  ts_response_free(r);

  snprintf(path, sizeof path, "/v1/sessions/%s", s1a);
  r = ts_http(S, "GET", R_SESSION, path, sup1, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_ptr_nonnull(json_object_get(r->json, "bookings"));
  ts_response_free(r);
  r = ts_http(S, "GET", R_SESSION, path, sup2, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  r = call("PATCH", R_SESSION, path, sup1, "\"1\"", "{\"capacity\":5}");
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/sessions/%s", s1b);
  r = ts_http(S, "GET", R_SESSION, path, sup1, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);

  /* placements */
  r = ts_http(S, "GET", R_PLACEMENTS, "/v1/placements", sup1, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 1);
  ck_assert_str_eq(str(json_array_get(items(r), 0), "id"), p1);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/placements/%s", p1);
  r = ts_http(S, "GET", R_PLACEMENT, path, sup1, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  r = call("PATCH", R_PLACEMENT, path, sup1, "\"1\"", "{\"active\":false}");
  expect_problem(r, 403, "forbidden", NULL);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/placements/%s", p2);
  r = ts_http(S, "GET", R_PLACEMENT, path, sup1, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", p1);
  r = ts_http(S, "GET", R_PLACEMENT_SESSIONS, path, sup1, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(items(r)), 1); /* not s1b: sup-2 runs it */
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", p2);
  r = ts_http(S, "GET", R_PLACEMENT_SESSIONS, path, sup1, NULL, NULL);
  expect_problem(r, 404, "not_found", NULL);
  ts_response_free(r);

  /* a coordinator who is also a supervisor sees everything */
  char *both = ts_token("coordinator,supervisor", AREA, "sup-1");
  r = ts_http(S, "GET", R_SESSIONS, "/v1/sessions", both, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 3);
  ts_response_free(r);
  free(both);
  free(sup1);
  free(sup2);
  free(coord);
}
END_TEST

/* A referral made over HTTP, accepted; its id is written to id. police_id makes the person. */
static void accepted_referral(const char *officer, const char *coord, const char *police_id,
                              char id[64]) {
  char *body = ts_referral_body("ward-a");
  char *at = strstr(body, "22/123456X");
  ck_assert_ptr_nonnull(at);
  memcpy(at, police_id, 10);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  const char *const headers[] = {"If-Match: \"1\"", NULL};
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord, headers,
              "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"Fine.\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
}

/* What the bookings code does, by hand: a booking on the session, a place taken, the referral
 * scheduled (with its book event) and its active bookings counted. */
static void book_by_sql(PGconn *c, const char *referral, const char *session) {
  const char *p[3] = {AREA, referral, session};
  sql(c,
      "INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at,"
      " status, created_at, updated_at)"
      " SELECT gen_random_uuid(), $1, r.id, s.id, r.person_id, s.starts_at, s.ends_at, 'booked',"
      " now(), now() FROM referrals r, sessions s WHERE r.id = $2 AND s.id = $3",
      3, p);
  sql(c,
      "UPDATE sessions SET booked = booked + 1 WHERE id = $3 AND area = $1 AND $2::uuid IS NOT "
      "NULL",
      3, p);
  sql(c,
      "WITH u AS (UPDATE referrals SET active_bookings = active_bookings + 1,"
      " state = 'scheduled', version = version + CASE WHEN state = 'accepted' THEN 1 ELSE 0 END"
      " WHERE id = $2 AND area = $1 AND $3::uuid IS NOT NULL RETURNING id, version, state)"
      " INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state,"
      " actor_sub, actor_name, actor_role, request_id)"
      " SELECT u.id, u.version, $1, now(), 'book', 'accepted', 'scheduled', 'coord-1', 'coord-1',"
      " 'coordinator', 'test' FROM u"
      " WHERE NOT EXISTS (SELECT 1 FROM referral_events e WHERE e.referral_id = u.id"
      " AND e.seq = u.version)",
      3, p);
}

START_TEST(capacity_cannot_fall_below_places_held) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char p[64], s[64], path[160], v[32];
  make_placement(coord, "Garden", "gardening", "ward-a", "sup-1", p);
  make_session(coord, p, 24, 4, 8, NULL, s);
  PGconn *c = db();
  const char *params[2] = {s, AREA};
  sql(c, "UPDATE sessions SET booked = 5 WHERE id = $1 AND area = $2", 2, params);
  snprintf(path, sizeof path, "/v1/sessions/%s", s);
  ts_response *r = call("PATCH", R_SESSION, path, coord, "\"1\"", "{\"capacity\":4}");
  expect_problem(r, 409, "conflict", "capacity");
  ts_response_free(r);
  ck_assert_str_eq(
      sql_value(c, "SELECT capacity || '/' || version FROM sessions WHERE id = $1 AND area = $2", 2,
                params, v, sizeof v),
      "8/1");
  r = call("PATCH", R_SESSION, path, coord, "\"1\"", "{\"capacity\":5}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_int_eq(num(r->json, "booked"), 5);
  ck_assert_int_eq(num(r->json, "available"), 0);
  ts_response_free(r);
  PQfinish(c);
  free(coord);
}
END_TEST

START_TEST(cancelling_a_session_cancels_its_bookings) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char p[64], s[64], other[64], a[64], b[64], c2[64], path[160], v[64];
  make_placement(coord, "Garden", "gardening", "ward-a", "sup-1", p);
  make_session(coord, p, 48, 6, 8, NULL, s);
  make_session(coord, p, 96, 6, 8, NULL, other);
  /* a: only this booking, nothing attended -> back to accepted
   * b: attended before -> stays in progress
   * c: booked on another session too -> stays scheduled */
  accepted_referral(officer, coord, "22/000001A", a);
  accepted_referral(officer, coord, "22/000002B", b);
  accepted_referral(officer, coord, "22/000003C", c2);
  PGconn *c = db();
  book_by_sql(c, a, s);
  book_by_sql(c, b, s);
  book_by_sql(c, c2, s);
  book_by_sql(c, c2, other);
  const char *pb[2] = {b, AREA};
  sql(c,
      "WITH u AS (UPDATE referrals SET state = 'in_progress', version = version + 1,"
      " first_attended_at = now() - interval '7 days' WHERE id = $1 AND area = $2"
      " RETURNING id, version)"
      " INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state,"
      " actor_sub, actor_name, actor_role, request_id)"
      " SELECT u.id, u.version, $2, now(), 'attend', 'scheduled', 'in_progress', 'sup-1', 'sup-1',"
      " 'supervisor', 'test' FROM u",
      2, pb);

  snprintf(path, sizeof path, "/v1/sessions/%s", s);
  ts_response *r = ts_http(S, "GET", R_SESSION, path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(num(r->json, "booked"), 3);
  ck_assert_int_eq(num(r->json, "available"), 5);
  json_t *bookings = json_object_get(r->json, "bookings");
  ck_assert_int_eq(json_array_size(bookings), 3);
  ck_assert_str_eq(str(json_array_get(bookings, 0), "person_name"), "Jordan Smith");
  ck_assert_str_eq(str(json_array_get(bookings, 0), "status"), "booked");
  ck_assert_str_eq(str(json_array_get(bookings, 0), "referral_id"), a);
  ck_assert_int_eq(num(json_array_get(bookings, 0), "minutes_credited"), 0);
  ts_response_free(r);
  /* the session's supervisor sees who is booked too */
  char *sup = ts_token("supervisor", AREA, "sup-1");
  r = ts_http(S, "GET", R_SESSION, path, sup, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "bookings")), 3);
  ts_response_free(r);
  free(sup);

  r = call("PATCH", R_SESSION, path, coord, "\"1\"", "{\"cancelled\":true}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_str_eq(r->etag, "\"2\"");
  ck_assert(json_is_true(json_object_get(r->json, "cancelled")));
  ck_assert_int_eq(num(r->json, "booked"), 0);
  ck_assert_int_eq(num(r->json, "available"), 0);
  /* the cancellation altered each booked referral: one access-log row each, none for others */
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  const char *pl[1] = {r->request_id};
  ck_assert_str_eq(sql_value(c,
                             "SELECT count(*) || '/' || count(DISTINCT referral_id) || '/'"
                             " || bool_and(action = 'alter' AND route = '/v1/sessions/{id}'"
                             " AND method = 'PATCH' AND actor_sub = 'coord-1')"
                             " FROM personal_data_access WHERE request_id = $1",
                             1, pl, v, sizeof v),
                   "3/3/true");
  ts_response_free(r);

  /* every booking on the session is cancelled, at a new version */
  const char *ps[2] = {s, AREA};
  ck_assert_str_eq(sql_value(c,
                             "SELECT string_agg(DISTINCT status || '/' || version, ',')"
                             " FROM bookings WHERE session_id = $1 AND area = $2",
                             2, ps, v, sizeof v),
                   "cancelled/2");
  const char *po[2] = {other, AREA};
  ck_assert_str_eq(sql_value(c, "SELECT status FROM bookings WHERE session_id = $1 AND area = $2",
                             2, po, v, sizeof v),
                   "booked");
  /* each referral: state, active bookings */
  const char *want[3][2] = {{a, "accepted/0"}, {b, "in_progress/0"}, {c2, "scheduled/1"}};
  for (int i = 0; i < 3; i++) {
    const char *pr[2] = {want[i][0], AREA};
    ck_assert_str_eq(sql_value(c,
                               "SELECT state || '/' || active_bookings FROM referrals"
                               " WHERE id = $1 AND area = $2",
                               2, pr, v, sizeof v),
                     want[i][1]);
  }

  /* the referral is back to accepted, with the unbook event in its history */
  snprintf(path, sizeof path, "/v1/referrals/%s", a);
  r = ts_http(S, "GET", "/v1/referrals/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "state"), "accepted");
  ck_assert_str_eq(r->etag, "\"4\"");
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/referrals/%s/events", a);
  r = ts_http(S, "GET", "/v1/referrals/{id}/events", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *events = items(r);
  ck_assert_int_eq(json_array_size(events), 4);
  json_t *last = json_array_get(events, 3);
  ck_assert_str_eq(str(last, "event"), "unbook");
  ck_assert_str_eq(str(last, "from"), "scheduled");
  ck_assert_str_eq(str(last, "to"), "accepted");
  ck_assert_str_eq(str(json_object_get(last, "actor"), "sub"), "coord-1");
  ck_assert_str_eq(str(json_object_get(last, "actor"), "role"), "coordinator");
  ts_response_free(r);
  /* the others kept their states and histories */
  snprintf(path, sizeof path, "/v1/referrals/%s/events", c2);
  r = ts_http(S, "GET", "/v1/referrals/{id}/events", path, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(items(r)), 3);
  ts_response_free(r);
  int64_t inconsistent = -1;
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ck_assert_int_eq(ij_store_referral_inconsistencies(conn, AREA, &inconsistent), IJ_OK);
  ij_store_release(S->store, conn);
  ck_assert_int_eq(inconsistent, 0);

  /* a cancelled session does not change again */
  snprintf(path, sizeof path, "/v1/sessions/%s", s);
  r = call("PATCH", R_SESSION, path, coord, "\"2\"", "{\"cancelled\":true}");
  expect_problem(r, 409, "conflict", "cancelled");
  ts_response_free(r);
  r = call("PATCH", R_SESSION, path, coord, "\"2\"", "{\"capacity\":3}");
  expect_problem(r, 409, "conflict", "cancelled");
  ts_response_free(r);
  r = call("PATCH", R_SESSION, path, coord, "\"1\"", "{\"cancelled\":true}");
  expect_problem(r, 412, "stale_version", NULL);
  ts_response_free(r);
  r = ts_http(S, "GET", R_SESSION, path, coord, NULL, NULL);
  bookings = json_object_get(r->json, "bookings");
  ck_assert_int_eq(json_array_size(bookings), 3);
  ck_assert_str_eq(str(json_array_get(bookings, 1), "status"), "cancelled");
  ts_response_free(r);

  /* cancelling a session nobody is booked on, with another change at once */
  char empty[64];
  make_session(coord, p, 120, 2, 8, NULL, empty);
  snprintf(path, sizeof path, "/v1/sessions/%s", empty);
  r = call("PATCH", R_SESSION, path, coord, "\"1\"", "{\"cancelled\":true,\"capacity\":2}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_int_eq(num(r->json, "capacity"), 2);
  ck_assert(json_is_true(json_object_get(r->json, "cancelled")));
  ts_response_free(r);
  PQfinish(c);
  free(officer);
  free(coord);
}
END_TEST

/* Bookings racing a cancellation: each booking either lands before the cancellation (and is
 * cancelled by it) or is refused after it; nothing is left half done, and no deadlock surfaces. */
#define RACE_REFERRALS 10

typedef struct {
  const char *method, *route, *token, *body;
  const char *const *headers;
  char path[160];
  long status;
  char seen[512];
  pthread_barrier_t *start;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  pthread_barrier_wait(r->start);
  ts_response *res = ts_http(S, r->method, r->route, r->path, r->token, r->headers, r->body);
  r->status = res->status;
  snprintf(r->seen, sizeof r->seen, "%s", res->body);
  ts_response_free(res);
  return NULL;
}

START_TEST(cancellation_races_bookings) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char p[64], v[64];
  make_placement(coord, "Garden", "gardening", "ward-a", "sup-1", p);
  char referrals[RACE_REFERRALS][64];
  for (int i = 0; i < RACE_REFERRALS; i++) {
    char police_id[16];
    snprintf(police_id, sizeof police_id, "22/%06dR", i);
    accepted_referral(officer, coord, police_id, referrals[i]);
  }
  PGconn *c = db();
  for (int round = 0; round < 3; round++) {
    char s[64], body[96];
    make_session(coord, p, 48 + 12 * round, 4, 20, NULL, s);
    snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", s);
    static const char *const if_match[] = {"If-Match: \"1\"", NULL};
    racer racers[RACE_REFERRALS + 1];
    memset(racers, 0, sizeof racers);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACE_REFERRALS + 1);
    pthread_t t[RACE_REFERRALS + 1];
    for (int i = 0; i <= RACE_REFERRALS; i++) {
      racer *r = &racers[i];
      r->token = coord;
      r->start = &start;
      if (i < RACE_REFERRALS) {
        r->method = "POST";
        r->route = "/v1/referrals/{id}/bookings";
        snprintf(r->path, sizeof r->path, "/v1/referrals/%s/bookings", referrals[i]);
        r->body = body;
      } else {
        r->method = "PATCH";
        r->route = R_SESSION;
        snprintf(r->path, sizeof r->path, "/v1/sessions/%s", s);
        r->body = "{\"cancelled\":true}";
        r->headers = if_match;
      }
      pthread_create(&t[i], NULL, race, r);
    }
    for (int i = 0; i <= RACE_REFERRALS; i++)
      pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    ck_assert_msg(racers[RACE_REFERRALS].status == 200, "cancel: %ld %s",
                  racers[RACE_REFERRALS].status, racers[RACE_REFERRALS].seen);
    for (int i = 0; i < RACE_REFERRALS; i++)
      ck_assert_msg(racers[i].status == 201 || racers[i].status == 409, "booking: %ld %s",
                    racers[i].status, racers[i].seen);
    /* nothing held on the cancelled session; every booking made on it is cancelled */
    const char *ps[1] = {s};
    ck_assert_str_eq(sql_value(c,
                               "SELECT s.booked || '/' || s.cancelled || '/' ||"
                               " (SELECT count(*) FROM bookings b WHERE b.session_id = s.id"
                               " AND b.status <> 'cancelled') FROM sessions s WHERE s.id = $1",
                               1, ps, v, sizeof v),
                     "0/true/0");
  }
  /* every referral is back where it started, its counters and history in step */
  const char *pa[1] = {AREA};
  ck_assert_str_eq(sql_value(c,
                             "SELECT count(*) FROM referrals WHERE area = $1"
                             " AND (state <> 'accepted' OR active_bookings <> 0)",
                             1, pa, v, sizeof v),
                   "0");
  int64_t inconsistent = -1;
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ck_assert_int_eq(ij_store_referral_inconsistencies(conn, AREA, &inconsistent), IJ_OK);
  ij_store_release(S->store, conn);
  ck_assert_int_eq(inconsistent, 0);
  PQfinish(c);
  free(officer);
  free(coord);
}
END_TEST

/* The remaining documented answers: roles, media types, bodies too large, bad query strings. */
START_TEST(documented_errors) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *officer = ts_token("officer", AREA, "pc-101");
  char p[64], s[64], pp[160], ps[160], sp[160];
  make_placement(coord, "Garden", "gardening", "ward-a", "sup-1", p);
  make_session(coord, p, 24, 2, 4, NULL, s);
  snprintf(pp, sizeof pp, "/v1/placements/%s", p);
  snprintf(ps, sizeof ps, "/v1/placements/%s/sessions", p);
  snprintf(sp, sizeof sp, "/v1/sessions/%s", s);
  const char *reads[] = {R_PLACEMENT, R_PLACEMENT_SESSIONS, R_SESSION};
  const char *paths[] = {pp, ps, sp};
  for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
    ts_response *r = ts_http(S, "GET", reads[i], paths[i], officer, NULL, NULL);
    expect_problem(r, 403, "forbidden", NULL);
    ts_response_free(r);
    r = ts_http(S, "GET", reads[i], paths[i], NULL, NULL, NULL);
    expect_problem(r, 401, "unauthenticated", NULL);
    ts_response_free(r);
    char path[200];
    snprintf(path, sizeof path, "%s?bogus=1", paths[i]);
    r = ts_http(S, "GET", reads[i], path, coord, NULL, NULL);
    expect_problem(r, 422, "invalid", "bogus");
    ts_response_free(r);
    snprintf(path, sizeof path, "%s?from=%%zz", paths[i]);
    r = ts_http(S, "GET", reads[i], path, coord, NULL, NULL);
    expect_problem(r, 400, "malformed", NULL);
    ts_response_free(r);
  }
  const char *lists[][2] = {{R_PLACEMENTS, "/v1/placements"}, {R_SESSIONS, "/v1/sessions"}};
  for (size_t i = 0; i < 2; i++) {
    ts_response *r = ts_http(S, "GET", lists[i][0], lists[i][1], NULL, NULL, NULL);
    expect_problem(r, 401, "unauthenticated", NULL);
    ts_response_free(r);
    char path[64];
    snprintf(path, sizeof path, "%s?type=%%zz", lists[i][1]);
    r = ts_http(S, "GET", lists[i][0], path, coord, NULL, NULL);
    expect_problem(r, 400, "malformed", NULL);
    ts_response_free(r);
  }

  /* changes: media type, malformed bodies, no token, bodies too large */
  char *big = malloc(70001);
  memset(big, ' ', 70000);
  big[0] = '{';
  big[69999] = '}';
  big[70000] = 0;
  const char *const text_plain[] = {"Content-Type: text/plain", "If-Match: \"1\"", NULL};
  const struct {
    const char *method, *route, *path;
  } writes[] = {{"PATCH", R_PLACEMENT, pp},
                {"PATCH", R_SESSION, sp},
                {"POST", R_PLACEMENTS, "/v1/placements"},
                {"POST", R_PLACEMENT_SESSIONS, ps}};
  for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
    ts_response *r =
        ts_http(S, writes[i].method, writes[i].route, writes[i].path, coord, text_plain, "{}");
    expect_problem(r, 415, "unsupported_media_type", NULL);
    ts_response_free(r);
    r = call(writes[i].method, writes[i].route, writes[i].path, coord, "\"1\"", "[1]");
    expect_problem(r, 400, "malformed", NULL);
    ts_response_free(r);
    r = call(writes[i].method, writes[i].route, writes[i].path, NULL, "\"1\"", "{}");
    expect_problem(r, 401, "unauthenticated", NULL);
    ts_response_free(r);
    r = call(writes[i].method, writes[i].route, writes[i].path, coord, "\"1\"", big);
    expect_problem(r, 413, "payload_too_large", NULL);
    ts_response_free(r);
  }
  free(big);
  /* nothing changed */
  ts_response *r = ts_http(S, "GET", R_SESSION, sp, coord, NULL, NULL);
  ck_assert_str_eq(r->etag, "\"1\"");
  ts_response_free(r);
  r = ts_http(S, "GET", R_PLACEMENT, pp, coord, NULL, NULL);
  ck_assert_str_eq(r->etag, "\"1\"");
  ts_response_free(r);
  free(officer);
  free(coord);
}
END_TEST

Suite *http_placements_suite(void) {
  Suite *s = suite_create("http placements");
  TCase *tc = tcase_create("placements");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, placement_lifecycle);
  tcase_add_test(tc, placement_bad_input);
  tcase_add_test(tc, placement_list_filters_and_pages);
  tcase_add_test(tc, other_areas_and_unknown_ids);
  tcase_add_test(tc, session_lifecycle_and_bad_input);
  tcase_add_test(tc, session_lists_filters_and_pages);
  tcase_add_test(tc, supervisors_see_their_own);
  tcase_add_test(tc, capacity_cannot_fall_below_places_held);
  tcase_add_test(tc, cancelling_a_session_cancels_its_bookings);
  tcase_add_test(tc, cancellation_races_bookings);
  tcase_add_test(tc, documented_errors);
  suite_add_tcase(s, tc);
  return s;
}
