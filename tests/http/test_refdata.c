/* Reference data maintained by the area's admins over HTTP: wards (add, rename, retire, delete when
 * unused), reason codes (the national list retired per area, codes of the area's own), the area's
 * rules, and the directory of supervisors that sessions and placements name; who may do it, and the
 * audit row every change leaves. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"

static const char *const R_WARDS = "/v1/wards";
static const char *const R_WARD = "/v1/wards/{id}";
static const char *const R_CODES = "/v1/reason-codes";
static const char *const R_CODE = "/v1/reason-codes/{id}";
static const char *const R_RULES = "/v1/areas/{id}/rules";
static const char *const R_SUPERVISORS = "/v1/supervisors";
static const char *const R_SUPERVISOR = "/v1/supervisors/{id}";
static const char *const R_CHANGES = "/v1/reference-changes";
static const char *const R_REFERRALS = "/v1/referrals";
static const char *const R_REFERRAL = "/v1/referrals/{id}";
static const char *const R_TRANS = "/v1/referrals/{id}/transitions";
static const char *const R_EVENTS = "/v1/referrals/{id}/events";
static const char *const R_PLACEMENTS = "/v1/placements";
static const char *const R_PLACEMENT = "/v1/placements/{id}";
static const char *const R_PLACEMENT_SESSIONS = "/v1/placements/{id}/sessions";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static ts_response *call(const char *method, const char *route, const char *path, const char *token,
                         const char *body) {
  return ts_http(S, method, route, path, token, NULL, body);
}

static void expect_status(ts_response *r, long status) {
  ck_assert_msg(r->status == status, "want %ld, got %ld: %s", status, r->status,
                r->body ? r->body : "");
}

/* A problem document with the status and type, naming each of `fields` (NULL-terminated). */
static void expect_problem(ts_response *r, long status, const char *type,
                           const char *const *fields) {
  expect_status(r, status);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  char want[64];
  snprintf(want, sizeof want, "/problems/%s", type);
  ck_assert_str_eq(str(r->json, "type"), want);
  json_t *errors = json_object_get(r->json, "errors");
  for (const char *const *f = fields; f && *f; f++) {
    bool found = false;
    for (size_t i = 0; i < json_array_size(errors); i++)
      found = found || strcmp(str(json_array_get(errors, i), "field"), *f) == 0;
    ck_assert_msg(found, "no error for %s in %s", *f, r->body);
  }
}

#define FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The item of a list with this member's value, or NULL. */
static json_t *find(ts_response *r, const char *key, const char *value) {
  json_t *items = json_object_get(r->json, "items");
  for (size_t i = 0; i < json_array_size(items); i++)
    if (strcmp(str(json_array_get(items, i), key), value) == 0)
      return json_array_get(items, i);
  return NULL;
}

static void drop(ts_response *r) {
  ts_response_free(r);
}

/* A referral made by the officer in `ward`; its id into id. Returns the status. */
static long make_referral(const char *officer, const char *ward, int hours, char id[64]) {
  char *body = ts_referral_body(ward);
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  json_object_set_new(j, "hours_proposed", json_integer(hours));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = call("POST", R_REFERRALS, "/v1/referrals", officer, body);
  free(body);
  long status = r->status;
  snprintf(id, 64, "%s", status == 201 ? ts_id(r) : "");
  drop(r);
  return status;
}

static ts_response *transition(const char *token, const char *id, int version, const char *body) {
  char path[160], header[64];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  snprintf(header, sizeof header, "If-Match: \"%d\"", version);
  const char *const headers[] = {header, NULL};
  return ts_http(S, "POST", R_TRANS, path, token, headers, body);
}

/* The newest audit rows of the area for an entity (admin's view). */
static ts_response *changes(const char *admin, const char *entity) {
  char path[128];
  snprintf(path, sizeof path, "/v1/reference-changes?entity=%s", entity);
  ts_response *r = call("GET", R_CHANGES, path, admin, NULL);
  expect_status(r, 200);
  return r;
}

/* ---- wards ---- */

START_TEST(wards_add_rename_retire_delete) {
  char *admin = ts_token("admin", AREA, "admin-1");
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");

  /* bad input: every failing field in one 422, nothing made */
  ts_response *r =
      call("POST", R_WARDS, "/v1/wards", admin, "{\"code\":\"Bad Code\",\"name\":\" \"}");
  expect_problem(r, 422, "invalid", FIELDS("code", "name"));
  drop(r);
  r = call("POST", R_WARDS, "/v1/wards", admin, "{\"code\":\"ward-c\",\"colour\":\"red\"}");
  expect_problem(r, 422, "invalid", FIELDS("colour", "name"));
  drop(r);

  r = call("POST", R_WARDS, "/v1/wards", admin, "{\"code\":\"ward-c\",\"name\":\"Castel\"}");
  expect_status(r, 201);
  ck_assert_str_eq(str(r->json, "code"), "ward-c");
  ck_assert(json_is_true(json_object_get(r->json, "active")));
  ck_assert_str_eq(r->location, "/v1/wards/ward-c");
  drop(r);
  r = call("POST", R_WARDS, "/v1/wards", admin, "{\"code\":\"ward-c\",\"name\":\"Again\"}");
  expect_problem(r, 409, "conflict", NULL);
  drop(r);

  r = call("PATCH", R_WARD, "/v1/wards/ward-c", admin, "{\"name\":\"Castle\"}");
  expect_status(r, 200);
  ck_assert_str_eq(str(r->json, "name"), "Castle");
  drop(r);
  r = call("PATCH", R_WARD, "/v1/wards/ward-z", admin, "{\"name\":\"Nowhere\"}");
  expect_problem(r, 404, "not_found", NULL);
  drop(r);

  /* in use by a referral, then retired: kept by the referral, refused for new ones */
  char kept[64];
  ck_assert_int_eq(make_referral(officer, "ward-c", 7, kept), 201);
  r = call("PATCH", R_WARD, "/v1/wards/ward-c", admin, "{\"active\":false}");
  expect_status(r, 200);
  ck_assert(json_is_false(json_object_get(r->json, "active")));
  drop(r);
  r = call("GET", R_WARDS, "/v1/wards", officer, NULL);
  expect_status(r, 200);
  ck_assert_ptr_null(find(r, "code", "ward-c"));
  ck_assert_ptr_nonnull(find(r, "code", "ward-a"));
  drop(r);
  r = call("GET", R_WARDS, "/v1/wards?all=true", admin, NULL);
  ck_assert(json_is_false(json_object_get(find(r, "code", "ward-c"), "active")));
  drop(r);
  char *body = ts_referral_body("ward-c");
  r = call("POST", R_REFERRALS, "/v1/referrals", officer, body);
  free(body);
  expect_problem(r, 422, "invalid", FIELDS("offence.ward"));
  drop(r);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", kept);
  r = call("GET", R_REFERRAL, path, coord, NULL);
  expect_status(r, 200);
  ck_assert_str_eq(str(json_object_get(r->json, "offence"), "ward"), "ward-c");
  drop(r);
  r = call("POST", R_PLACEMENTS, "/v1/placements", coord,
           "{\"name\":\"P\",\"type\":\"gardening\",\"provider\":\"Q\",\"ward\":\"ward-c\","
           "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"S\"}}");
  expect_problem(r, 422, "invalid", FIELDS("ward"));
  drop(r);

  /* in use: never deleted; an unused ward is */
  r = call("DELETE", R_WARD, "/v1/wards/ward-c", admin, NULL);
  expect_problem(r, 409, "conflict", NULL);
  ck_assert_ptr_nonnull(strstr(str(r->json, "detail"), "in use"));
  drop(r);
  r = call("POST", R_WARDS, "/v1/wards", admin, "{\"code\":\"ward-d\",\"name\":\"Dockside\"}");
  expect_status(r, 201);
  drop(r);
  r = call("DELETE", R_WARD, "/v1/wards/ward-d", admin, NULL);
  expect_status(r, 204);
  drop(r);
  r = call("GET", R_WARDS, "/v1/wards?all=true", admin, NULL);
  ck_assert_ptr_null(find(r, "code", "ward-d"));
  drop(r);
  r = call("GET", R_WARDS, "/v1/wards?all=maybe", admin, NULL);
  expect_problem(r, 422, "invalid", FIELDS("all"));
  drop(r);

  /* reinstated: offered again */
  r = call("PATCH", R_WARD, "/v1/wards/ward-c", admin, "{\"active\":true}");
  expect_status(r, 200);
  drop(r);
  char again[64];
  ck_assert_int_eq(make_referral(officer, "ward-c", 7, again), 201);

  /* every change audited, newest first: who, what, before and after */
  r = changes(admin, "ward");
  json_t *items = json_object_get(r->json, "items");
  static const char *const actions[] = {"reinstate", "delete", "add", "retire", "change", "add"};
  ck_assert_int_eq(json_array_size(items), 6);
  for (size_t i = 0; i < 6; i++)
    ck_assert_str_eq(str(json_array_get(items, i), "action"), actions[i]);
  json_t *rename = json_array_get(items, 4);
  ck_assert_str_eq(str(rename, "key"), "ward-c");
  ck_assert_str_eq(str(json_object_get(rename, "actor"), "sub"), "admin-1");
  ck_assert_str_eq(str(json_object_get(rename, "actor"), "role"), "admin");
  ck_assert_str_eq(str(json_object_get(rename, "before"), "name"), "Castel");
  ck_assert_str_eq(str(json_object_get(rename, "after"), "name"), "Castle");
  ck_assert(json_is_null(json_object_get(json_array_get(items, 1), "after"))); /* the delete */
  drop(r);
  free(admin);
  free(officer);
  free(coord);
}
END_TEST

/* ---- who may ---- */

START_TEST(only_the_areas_admin_may_change) {
  const char *roles[] = {"officer", "coordinator", "supervisor", "commissioner",
                         "national_commissioner"};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    char *t = ts_token(roles[i], AREA, "someone");
    ts_response *r = call("POST", R_WARDS, "/v1/wards", t, "{\"code\":\"ward-x\",\"name\":\"X\"}");
    expect_problem(r, 403, "forbidden", NULL);
    drop(r);
    r = call("PATCH", R_CODE, "/v1/reason-codes/reject.duplicate", t, "{\"active\":false}");
    expect_problem(r, 403, "forbidden", NULL);
    drop(r);
    char path[128];
    snprintf(path, sizeof path, "/v1/areas/%s/rules", AREA);
    r = call("PUT", R_RULES, path, t, "{\"target_start_hours\":24}");
    expect_problem(r, 403, "forbidden", NULL);
    drop(r);
    r = call("POST", R_SUPERVISORS, "/v1/supervisors", t, "{\"sub\":\"x\",\"name\":\"X\"}");
    expect_problem(r, 403, "forbidden", NULL);
    drop(r);
    r = call("GET", R_CHANGES, "/v1/reference-changes", t, NULL);
    expect_problem(r, 403, "forbidden", NULL);
    drop(r);
    free(t);
  }

  /* another area's admin: refused the area's rules, and never reaches its records */
  char other[IJ_AREA_MAX];
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  ts_new_area(c, other);
  ij_store_release(S->store, c);
  char *stranger = ts_token("admin", other, "admin-9");
  char *admin = ts_token("admin", AREA, "admin-1");
  char path[128];
  snprintf(path, sizeof path, "/v1/areas/%s/rules", AREA);
  ts_response *r = call("PUT", R_RULES, path, stranger, "{\"target_start_hours\":24}");
  expect_problem(r, 403, "forbidden", NULL);
  drop(r);
  r = call("GET", R_RULES, path, stranger, NULL);
  expect_problem(r, 403, "forbidden", NULL);
  drop(r);
  r = call("POST", R_SUPERVISORS, "/v1/supervisors", admin,
           "{\"sub\":\"sup-only-here\",\"name\":\"Here\"}");
  expect_status(r, 201);
  drop(r);
  r = call("PATCH", R_SUPERVISOR, "/v1/supervisors/sup-only-here", stranger, "{\"active\":false}");
  expect_problem(r, 404, "not_found", NULL);
  drop(r);
  r = call("POST", R_WARDS, "/v1/wards", admin, "{\"code\":\"ward-own\",\"name\":\"Own\"}");
  expect_status(r, 201);
  drop(r);
  r = call("DELETE", R_WARD, "/v1/wards/ward-own", stranger, NULL);
  expect_problem(r, 404, "not_found", NULL);
  drop(r);
  /* the stranger's changes are their own area's: ours is as it was, and so is our audit */
  r = call("PATCH", R_WARD, "/v1/wards/ward-a", stranger, "{\"name\":\"Theirs\"}");
  expect_status(r, 200);
  drop(r);
  r = call("GET", R_WARDS, "/v1/wards", admin, NULL);
  ck_assert_str_eq(str(find(r, "code", "ward-a"), "name"), "Ward A");
  drop(r);
  r = changes(admin, "ward");
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1); /* ward-own's add */
  drop(r);
  free(stranger);
  free(admin);
}
END_TEST

/* ---- reason codes ---- */

START_TEST(reason_codes_retired_and_own) {
  char *admin = ts_token("admin", AREA, "admin-1");
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");

  /* a referral rejected with a code later retired keeps it */
  char old[64];
  ck_assert_int_eq(make_referral(officer, "ward-a", 7, old), 201);
  ts_response *r =
      transition(coord, old, 1, "{\"event\":\"reject\",\"reason_code\":\"unsuitable\"}");
  expect_status(r, 200);
  drop(r);

  r = call("PATCH", R_CODE, "/v1/reason-codes/reject.unsuitable", admin, "{\"active\":false}");
  expect_status(r, 200);
  ck_assert(json_is_false(json_object_get(r->json, "active")));
  ck_assert(json_is_true(json_object_get(r->json, "national")));
  drop(r);
  /* retired for this area only */
  r = call("GET", R_CODES, "/v1/reason-codes?kind=reject", coord, NULL);
  ck_assert_ptr_null(find(r, "code", "unsuitable"));
  ck_assert_ptr_nonnull(find(r, "code", "not_eligible"));
  drop(r);
  char other[IJ_AREA_MAX];
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  ts_new_area(c, other);
  ij_store_release(S->store, c);
  char *stranger = ts_token("coordinator", other, "coord-9");
  r = call("GET", R_CODES, "/v1/reason-codes?kind=reject", stranger, NULL);
  ck_assert_ptr_nonnull(find(r, "code", "unsuitable"));
  drop(r);

  /* a retired code is refused for a new event, with a clear 422 */
  char fresh[64];
  ck_assert_int_eq(make_referral(officer, "ward-a", 7, fresh), 201);
  r = transition(coord, fresh, 1, "{\"event\":\"reject\",\"reason_code\":\"unsuitable\"}");
  expect_problem(r, 422, "invalid", FIELDS("reason_code"));
  ck_assert_ptr_nonnull(strstr(r->body, "retired"));
  drop(r);
  /* the old event still shows it */
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", old);
  r = call("GET", R_EVENTS, path, coord, NULL);
  expect_status(r, 200);
  ck_assert_ptr_nonnull(strstr(r->body, "\"unsuitable\""));
  drop(r);

  /* the national list is not the area's to relabel or delete */
  r = call("PATCH", R_CODE, "/v1/reason-codes/reject.unsuitable", admin, "{\"label\":\"Mine\"}");
  expect_problem(r, 409, "conflict", NULL);
  drop(r);
  r = call("DELETE", R_CODE, "/v1/reason-codes/reject.not_eligible", admin, NULL);
  expect_problem(r, 409, "conflict", NULL);
  drop(r);
  r = call("PATCH", R_CODE, "/v1/reason-codes/reject", admin, "{\"active\":false}");
  expect_problem(r, 404, "not_found", NULL);
  drop(r);

  /* a code of the area's own: offered here, unknown elsewhere, never deleted once used */
  r = call("POST", R_CODES, "/v1/reason-codes", admin,
           "{\"kind\":\"praise\",\"code\":\"Bad-Code\",\"label\":\"\"}");
  expect_problem(r, 422, "invalid", FIELDS("kind", "code", "label"));
  drop(r);
  r = call("POST", R_CODES, "/v1/reason-codes", admin,
           "{\"kind\":\"withdraw\",\"code\":\"emigrated\",\"label\":\"Emigrated\"}");
  expect_status(r, 201);
  ck_assert(json_is_false(json_object_get(r->json, "national")));
  drop(r);
  r = call("POST", R_CODES, "/v1/reason-codes", admin,
           "{\"kind\":\"withdraw\",\"code\":\"emigrated\",\"label\":\"Again\"}");
  expect_problem(r, 409, "conflict", NULL);
  drop(r);
  r = call("GET", R_CODES, "/v1/reason-codes?kind=withdraw", stranger, NULL);
  ck_assert_ptr_null(find(r, "code", "emigrated"));
  drop(r);
  r = transition(coord, fresh, 1, "{\"event\":\"withdraw\",\"reason_code\":\"emigrated\"}");
  expect_status(r, 200);
  drop(r);
  r = call("DELETE", R_CODE, "/v1/reason-codes/withdraw.emigrated", admin, NULL);
  expect_problem(r, 409, "conflict", NULL);
  drop(r);
  r = call("POST", R_CODES, "/v1/reason-codes", admin,
           "{\"kind\":\"reject\",\"code\":\"spare\",\"label\":\"Spare\"}");
  expect_status(r, 201);
  drop(r);
  r = call("DELETE", R_CODE, "/v1/reason-codes/reject.spare", admin, NULL);
  expect_status(r, 204);
  drop(r);

  /* reinstated, and offered again */
  r = call("PATCH", R_CODE, "/v1/reason-codes/reject.unsuitable", admin, "{\"active\":true}");
  expect_status(r, 200);
  drop(r);
  char third[64];
  ck_assert_int_eq(make_referral(officer, "ward-a", 7, third), 201);
  r = transition(coord, third, 1, "{\"event\":\"reject\",\"reason_code\":\"unsuitable\"}");
  expect_status(r, 200);
  drop(r);

  r = changes(admin, "reason_code");
  json_t *items = json_object_get(r->json, "items");
  static const char *const actions[] = {"reinstate", "delete", "add", "add", "retire"};
  ck_assert_int_eq(json_array_size(items), 5);
  for (size_t i = 0; i < 5; i++)
    ck_assert_str_eq(str(json_array_get(items, i), "action"), actions[i]);
  ck_assert_str_eq(str(json_array_get(items, 4), "key"), "reject/unsuitable");
  ck_assert(
      json_is_true(json_object_get(json_object_get(json_array_get(items, 4), "before"), "active")));
  drop(r);
  free(admin);
  free(officer);
  free(coord);
  free(stranger);
}
END_TEST

/* ---- the area's rules ---- */

static long long hours_between(json_t *j, const char *from, const char *to) {
  ij_time_us a = 0, b = 0;
  ck_assert_int_eq(ij_time_parse(str(j, from), &a), IJ_OK);
  ck_assert_int_eq(ij_time_parse(str(j, to), &b), IJ_OK);
  return (long long)((b - a) / IJ_US_PER_HOUR);
}

START_TEST(area_rules_read_validated_and_applied) {
  char *admin = ts_token("admin", AREA, "admin-1");
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[128];
  snprintf(path, sizeof path, "/v1/areas/%s/rules", AREA);

  ts_response *r = call("GET", R_RULES, path, coord, NULL);
  expect_status(r, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "target_start_hours")), 48);
  ck_assert(json_is_null(json_object_get(json_object_get(r->json, "configured"), "hours_min")));
  drop(r);
  char before[64];
  ck_assert_int_eq(make_referral(officer, "ward-a", 7, before), 201);

  /* bounds that do not hold together: every field named, nothing changed */
  r = call("PUT", R_RULES, path, admin, "{\"hours_min\":12,\"hours_max\":4}");
  expect_problem(r, 422, "invalid", FIELDS("hours_min", "hours_default"));
  drop(r);
  r = call("PUT", R_RULES, path, admin,
           "{\"target_start_hours\":0,\"hours_max\":\"ten\",\"hours_default\":500,\"x\":1}");
  expect_problem(r, 422, "invalid",
                 FIELDS("target_start_hours", "hours_max", "hours_default", "x"));
  drop(r);
  r = call("GET", R_RULES, path, admin, NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_max")), 20);
  drop(r);

  r = call("PUT", R_RULES, path, admin,
           "{\"target_start_hours\":24,\"hours_min\":4,\"hours_max\":10,\"hours_default\":6}");
  expect_status(r, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_max")), 10);
  ck_assert_int_eq(
      json_integer_value(json_object_get(json_object_get(r->json, "configured"), "hours_min")), 4);
  drop(r);

  /* new referrals follow the new rules; the one made before keeps its start-by */
  char after[64];
  ck_assert_int_eq(make_referral(officer, "ward-a", 12, after), 422);
  ck_assert_int_eq(make_referral(officer, "ward-a", 9, after), 201);
  char p[160];
  snprintf(p, sizeof p, "/v1/referrals/%s", after);
  r = call("GET", R_REFERRAL, p, coord, NULL);
  ck_assert_int_eq(hours_between(r->json, "created_at", "target_start_by"), 24);
  drop(r);
  snprintf(p, sizeof p, "/v1/referrals/%s", before);
  r = call("GET", R_REFERRAL, p, coord, NULL);
  ck_assert_int_eq(hours_between(r->json, "created_at", "target_start_by"), 48);
  drop(r);
  /* and so do decisions: the earlier referral's 7 hours cannot be confirmed as 11 */
  r = transition(coord, before, 1,
                 "{\"event\":\"accept\",\"hours_confirmed\":11,\"suitability_notes\":\"ok\"}");
  expect_problem(r, 422, "invalid", FIELDS("hours_confirmed"));
  drop(r);

  /* null: the service's default again */
  r = call("PUT", R_RULES, path, admin, "{\"target_start_hours\":null}");
  expect_status(r, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "target_start_hours")), 48);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_max")), 20);
  drop(r);

  r = changes(admin, "area_rules");
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  json_t *first = json_array_get(items, 1);
  ck_assert(json_is_null(json_object_get(json_object_get(first, "before"), "hours_max")));
  ck_assert_int_eq(
      json_integer_value(json_object_get(json_object_get(first, "after"), "hours_max")), 10);
  drop(r);
  free(admin);
  free(officer);
  free(coord);
}
END_TEST

/* ---- the directory of supervisors ---- */

static long make_session(const char *coord, const char *placement, const char *sub) {
  char start[32], end[32], body[256], path[128];
  time_t t = time(NULL) + 3 * 86400;
  t -= t % 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(start, sizeof start, "%Y-%m-%dT%H:00:00Z", &tm);
  t += 2 * 3600;
  gmtime_r(&t, &tm);
  strftime(end, sizeof end, "%Y-%m-%dT%H:00:00Z", &tm);
  snprintf(body, sizeof body,
           "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":4,"
           "\"supervisor\":{\"sub\":\"%s\",\"name\":\"Sky\"}}",
           start, end, sub);
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", placement);
  ts_response *r = call("POST", R_PLACEMENT_SESSIONS, path, coord, body);
  long status = r->status;
  if (status == 422)
    expect_problem(r, 422, "invalid", FIELDS("supervisor.sub"));
  drop(r);
  return status;
}

START_TEST(supervisors_directory_named_by_sessions) {
  char *admin = ts_token("admin", AREA, "admin-1");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");

  ts_response *r = call("POST", R_SUPERVISORS, "/v1/supervisors", admin,
                        "{\"sub\":\"\",\"name\":\"Sky\",\"phone\":\"call me\"}");
  expect_problem(r, 422, "invalid", FIELDS("sub", "phone"));
  drop(r);
  r = call("POST", R_SUPERVISORS, "/v1/supervisors", admin,
           "{\"sub\":\"sup-9\",\"name\":\"Sky Supervisor\",\"organisation\":\"Parks Trust\","
           "\"phone\":\"0113 496 0000\"}");
  expect_status(r, 201);
  ck_assert_str_eq(str(r->json, "organisation"), "Parks Trust");
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 1);
  drop(r);
  r = call("POST", R_SUPERVISORS, "/v1/supervisors", admin, "{\"sub\":\"sup-9\",\"name\":\"X\"}");
  expect_problem(r, 409, "conflict", NULL);
  drop(r);
  r = call("GET", R_SUPERVISORS, "/v1/supervisors", coord, NULL);
  expect_status(r, 200);
  ck_assert_str_eq(str(find(r, "sub", "sup-9"), "phone"), "0113 496 0000");
  drop(r);
  r = call("GET", R_SUPERVISORS, "/v1/supervisors", sup, NULL);
  expect_problem(r, 403, "forbidden", NULL);
  drop(r);
  r = call("PATCH", R_SUPERVISOR, "/v1/supervisors/sup-9", admin,
           "{\"phone\":null,\"organisation\":\"Parks and Gardens Trust\"}");
  expect_status(r, 200);
  ck_assert(json_is_null(json_object_get(r->json, "phone")));
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
  drop(r);

  /* sessions name a supervisor of the directory */
  r = call("POST", R_PLACEMENTS, "/v1/placements", coord,
           "{\"name\":\"P\",\"type\":\"gardening\",\"provider\":\"Q\",\"ward\":\"ward-a\","
           "\"location\":\"Park\","
           "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"S\"}}");
  expect_status(r, 201);
  char placement[64];
  snprintf(placement, sizeof placement, "%s", ts_id(r));
  drop(r);
  ck_assert_int_eq(make_session(coord, placement, "sup-9"), 201);
  ck_assert_int_eq(make_session(coord, placement, "nobody"), 422);
  r = call("PATCH", R_SUPERVISOR, "/v1/supervisors/sup-9", admin, "{\"active\":false}");
  expect_status(r, 200);
  drop(r);
  ck_assert_int_eq(make_session(coord, placement, "sup-9"), 422);
  r = call("GET", R_SUPERVISORS, "/v1/supervisors", coord, NULL);
  ck_assert_ptr_null(find(r, "sub", "sup-9"));
  drop(r);
  r = call("GET", R_SUPERVISORS, "/v1/supervisors?all=true", coord, NULL);
  ck_assert_ptr_nonnull(find(r, "sub", "sup-9"));
  drop(r);

  r = changes(admin, "supervisor");
  json_t *items = json_object_get(r->json, "items");
  static const char *const actions[] = {"retire", "change", "add"};
  ck_assert_int_eq(json_array_size(items), 3);
  for (size_t i = 0; i < 3; i++)
    ck_assert_str_eq(str(json_array_get(items, i), "action"), actions[i]);
  ck_assert_str_eq(str(json_object_get(json_array_get(items, 1), "before"), "phone"),
                   "0113 496 0000");
  drop(r);
  free(admin);
  free(coord);
  free(sup);
}
END_TEST

/* A placement body naming `sub` as its supervisor, of `type`. */
static void placement_body(char *out, size_t size, const char *type, const char *sub) {
  snprintf(out, size,
           "{\"name\":\"Canal path\",\"type\":\"%s\",\"provider\":\"Q\",\"ward\":\"ward-a\","
           "\"supervisor\":{\"sub\":\"%s\",\"name\":\"Sky\"}}",
           type, sub);
}

/* The number of the area's placements (all of them, active or not). */
static size_t placements_count(const char *coord) {
  ts_response *r = call("GET", R_PLACEMENTS, "/v1/placements", coord, NULL);
  expect_status(r, 200);
  size_t n = json_array_size(json_object_get(r->json, "items"));
  drop(r);
  return n;
}

#define IF_MATCH_1 ((const char *const[]){"If-Match: \"1\"", NULL})

START_TEST(supervisors_directory_named_by_placements) {
  char *admin = ts_token("admin", AREA, "admin-1");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = call("POST", R_SUPERVISORS, "/v1/supervisors", admin,
                        "{\"sub\":\"sup-8\",\"name\":\"Sky Supervisor\"}");
  expect_status(r, 201);
  drop(r);
  char body[256];

  /* create: a sub not in the directory is refused in the same answer as the other fields */
  placement_body(body, sizeof body, "knitting", "nobody");
  r = call("POST", R_PLACEMENTS, "/v1/placements", coord, body);
  expect_problem(r, 422, "invalid", FIELDS("type", "supervisor.sub"));
  ck_assert_ptr_nonnull(strstr(r->body, "directory of supervisors"));
  drop(r);
  placement_body(body, sizeof body, "gardening", "nobody");
  r = call("POST", R_PLACEMENTS, "/v1/placements", coord, body);
  expect_problem(r, 422, "invalid", FIELDS("supervisor.sub"));
  drop(r);
  ck_assert_int_eq(placements_count(coord), 0);

  /* an active one of the directory is named; once inactive, it is refused */
  placement_body(body, sizeof body, "gardening", "sup-8");
  r = call("POST", R_PLACEMENTS, "/v1/placements", coord, body);
  expect_status(r, 201);
  char path[128];
  snprintf(path, sizeof path, "/v1/placements/%s", ts_id(r));
  drop(r);
  r = call("PATCH", R_SUPERVISOR, "/v1/supervisors/sup-8", admin, "{\"active\":false}");
  expect_status(r, 200);
  drop(r);
  r = call("POST", R_PLACEMENTS, "/v1/placements", coord, body);
  expect_problem(r, 422, "invalid", FIELDS("supervisor.sub"));
  ck_assert_ptr_nonnull(strstr(r->body, "inactive"));
  drop(r);
  ck_assert_int_eq(placements_count(coord), 1);

  /* update: the same rule, in one answer with the rest; the placement is left as it was */
  r = ts_http(S, "PATCH", R_PLACEMENT, path, coord, IF_MATCH_1,
              "{\"min_age\":5,\"supervisor\":{\"sub\":\"nobody\",\"name\":\"N\"}}");
  expect_problem(r, 422, "invalid", FIELDS("min_age", "supervisor.sub"));
  drop(r);
  r = ts_http(S, "PATCH", R_PLACEMENT, path, coord, IF_MATCH_1,
              "{\"name\":\"Renamed\",\"supervisor\":{\"sub\":\"sup-8\",\"name\":\"Sky\"}}");
  expect_problem(r, 422, "invalid", FIELDS("supervisor.sub"));
  drop(r);
  r = call("GET", R_PLACEMENT, path, coord, NULL);
  expect_status(r, 200);
  ck_assert_str_eq(str(r->json, "name"), "Canal path");
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 1);
  drop(r);
  /* naming an active one of the directory is accepted */
  r = ts_http(S, "PATCH", R_PLACEMENT, path, coord, IF_MATCH_1,
              "{\"supervisor\":{\"sub\":\"sup-2\",\"name\":\"Sam\"}}");
  expect_status(r, 200);
  ck_assert_str_eq(str(json_object_get(r->json, "supervisor"), "sub"), "sup-2");
  drop(r);
  free(admin);
  free(coord);
}
END_TEST

Suite *http_refdata_suite(void) {
  Suite *s = suite_create("http-refdata");
  TCase *tc = tcase_create("refdata");
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, wards_add_rename_retire_delete);
  tcase_add_test(tc, only_the_areas_admin_may_change);
  tcase_add_test(tc, reason_codes_retired_and_own);
  tcase_add_test(tc, area_rules_read_validated_and_applied);
  tcase_add_test(tc, supervisors_directory_named_by_sessions);
  tcase_add_test(tc, supervisors_directory_named_by_placements);
  suite_add_tcase(s, tc);
  return s;
}
