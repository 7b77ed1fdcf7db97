/* The referring force's progress notices through the real path (accepted, rejected with its
 * reason, scheduled with the first session, withdrawn), at most one of each per referral; the
 * admin API of an area's webhook (validation, a write-only secret, every change logged); and
 * signed deliveries, whose X-IJ-Signature a receiver on 127.0.0.1 recomputes with OpenSSL. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ulfius.h>
#include <uuid/uuid.h>

#include "ij/outbox.h"
#include "suites.h"

static const char *const R_TRANSITIONS = "/v1/referrals/{id}/transitions";
static const char *const R_WEBHOOK = "/v1/areas/{area}/webhook";
#define SECRET "whsec-0123456789abcdef0123456789abcdef"

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* Every answer of these tests is checked for the secret. */
static ts_response *call(const char *method, const char *route, const char *path, const char *token,
                         const char *const *headers, const char *body) {
  ts_response *r = ts_http(S, method, route, path, token, headers, body);
  ck_assert_msg(!r->body || !strstr(r->body, SECRET), "the secret in %s %s", method, path);
  return r;
}

/* A referral of a new person (police id made unique) by `officer`; writes its id. */
static void make_referral(const char *officer, char id[64]) {
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char pid[37];
  new_uuid(pid);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(pid));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  char *token = ts_token("officer", AREA, officer);
  ts_response *r = call("POST", "/v1/referrals", "/v1/referrals", token, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  free(token);
}

static void transition(const char *token, const char *id, int version, const char *body,
                       const char *state) {
  char path[160], if_match[32];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  snprintf(if_match, sizeof if_match, "If-Match: \"%d\"", version);
  ts_response *r =
      call("POST", R_TRANSITIONS, path, token, (const char *const[]){if_match, NULL}, body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(str(r->json, "state"), state);
  ts_response_free(r);
}

/* The feed's notices (a new reference) as `token` sees them. */
static json_t *feed(const char *token) {
  ts_response *r = call("GET", "/v1/notices", "/v1/notices?limit=100", token, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_incref(json_object_get(r->json, "items"));
  ts_response_free(r);
  return items;
}

/* The referral's notices of a kind and event in the feed: how many, and the last (borrowed from
 * items) in *out. */
static int find(json_t *items, const char *referral, const char *kind, const char *event,
                json_t **out) {
  int n = 0;
  for (size_t i = 0; i < json_array_size(items); i++) {
    json_t *x = json_array_get(items, i);
    if (strcmp(str(x, "referral_id"), referral) == 0 && strcmp(str(x, "kind"), kind) == 0 &&
        strcmp(str(x, "event"), event) == 0) {
      n++;
      if (out)
        *out = x;
    }
  }
  return n;
}

static int count_for(json_t *items, const char *referral) {
  int n = 0;
  for (size_t i = 0; i < json_array_size(items); i++)
    n += strcmp(str(json_array_get(items, i), "referral_id"), referral) == 0;
  return n;
}

/* What every notice to the force carries. */
static void expect_common(json_t *notice, const char *referral, const char *event,
                          const char *officer) {
  ck_assert_str_eq(str(notice, "kind"), "progress");
  json_t *p = json_object_get(notice, "payload");
  ck_assert_str_eq(str(p, "referral_id"), referral);
  ck_assert_str_eq(str(p, "area"), AREA);
  ck_assert_str_eq(str(p, "event"), event);
  ck_assert_str_eq(str(p, "officer_sub"), officer);
  ck_assert_int_eq(strlen(str(p, "police_id")), 36);
  ck_assert_str_eq(str(p, "disposal"), "community_resolution");
  ck_assert_str_eq(str(p, "at"), str(notice, "created_at"));
}

START_TEST(accepted_rejected_withdrawn_notices) {
  char accepted[64], rejected[64];
  make_referral("pc-101", accepted);
  make_referral("pc-101", rejected);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *officer = ts_token("officer", AREA, "pc-101");
  /* a new referral tells nobody yet, nor does a refused change */
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", accepted);
  ts_response *r =
      call("POST", R_TRANSITIONS, path, coord, (const char *const[]){"If-Match: \"7\"", NULL},
           "{\"event\":\"accept\",\"suitability_notes\":\"ok\"}");
  ck_assert_int_eq(r->status, 412);
  ts_response_free(r);
  r = call("POST", R_TRANSITIONS, path, officer, (const char *const[]){"If-Match: \"1\"", NULL},
           "{\"event\":\"accept\",\"suitability_notes\":\"ok\"}");
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  json_t *items = feed(coord);
  ck_assert_int_eq(count_for(items, accepted), 0);
  json_decref(items);

  transition(coord, accepted, 1,
             "{\"event\":\"accept\",\"hours_confirmed\":6,\"suitability_notes\":\"ok\"}",
             "accepted");
  transition(coord, rejected, 1,
             "{\"event\":\"reject\",\"reason_code\":\"not_eligible\",\"reason\":\"Over age.\"}",
             "rejected");
  items = feed(coord);
  json_t *n = NULL;
  ck_assert_int_eq(find(items, accepted, "progress", "accepted", &n), 1);
  expect_common(n, accepted, "accepted", "pc-101");
  json_t *p = json_object_get(n, "payload");
  ck_assert_int_eq(json_integer_value(json_object_get(p, "hours_required")), 6);
  ck_assert_int_eq(json_object_size(p), 8);
  ck_assert_int_eq(count_for(items, accepted), 1); /* no victim update for a step */

  ck_assert_int_eq(find(items, rejected, "progress", "rejected", &n), 1);
  expect_common(n, rejected, "rejected", "pc-101");
  p = json_object_get(n, "payload");
  ck_assert_str_eq(str(p, "reason_code"), "not_eligible");
  char *label = ts_sql("SELECT label FROM reason_codes WHERE kind = 'reject' AND code ="
                       " 'not_eligible'",
                       0, NULL);
  ck_assert_str_eq(str(p, "reason_text"), label);
  free(label);
  ck_assert_int_eq(json_object_size(p), 9);
  ck_assert_int_eq(count_for(items, rejected), 1);
  json_decref(items);

  /* the officer withdraws the accepted one */
  transition(officer, accepted, 2, "{\"event\":\"withdraw\",\"reason_code\":\"moved_out_of_area\"}",
             "withdrawn");
  items = feed(coord);
  ck_assert_int_eq(find(items, accepted, "progress", "withdrawn", &n), 1);
  expect_common(n, accepted, "withdrawn", "pc-101");
  p = json_object_get(n, "payload");
  ck_assert_str_eq(str(p, "reason_code"), "moved_out_of_area");
  ck_assert_ptr_nonnull(str(p, "reason_text"));
  ck_assert_int_eq(json_integer_value(json_object_get(p, "hours_required")), 6);
  ck_assert_int_eq(json_integer_value(json_object_get(p, "minutes_credited")), 0);
  ck_assert_int_eq(json_object_size(p), 11);
  ck_assert_int_eq(count_for(items, accepted), 2);
  /* in the order of the changes */
  json_t *first = NULL;
  find(items, accepted, "progress", "accepted", &first);
  ck_assert_int_lt(json_integer_value(json_object_get(first, "seq")),
                   json_integer_value(json_object_get(n, "seq")));
  json_decref(items);

  /* the referring officer sees their referrals' progress; another officer none of it */
  items = feed(officer);
  ck_assert_int_eq(find(items, accepted, "progress", "accepted", NULL), 1);
  ck_assert_int_eq(find(items, accepted, "progress", "withdrawn", NULL), 1);
  ck_assert_int_eq(find(items, rejected, "progress", "rejected", NULL), 1);
  json_decref(items);
  char *other = ts_token("officer", AREA, "pc-999");
  items = feed(other);
  ck_assert_int_eq(json_array_size(items), 0);
  json_decref(items);
  free(other);
  free(coord);
  free(officer);
}
END_TEST

/* A placement with a location and two sessions a day and two days ahead. */
static void make_sessions(char first[37], char second[37]) {
  char placement[37];
  new_uuid(placement);
  new_uuid(first);
  new_uuid(second);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, location, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Allotment tidy-up', 'gardening', 'Allotments Society', 'ward-a',"
              " 'Arboretum Park, north gate', 10, 'sup-1', 'Sup One', now(), now())",
              2, p1));
  const char *ids[2] = {first, second};
  for (int i = 0; i < 2; i++) {
    char days[4];
    snprintf(days, sizeof days, "%d", i + 1);
    const char *p2[4] = {ids[i], AREA, placement, days};
    free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
                " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
                " date_trunc('hour', now()) + $4::int * interval '1 day',"
                " date_trunc('hour', now()) + $4::int * interval '1 day' + interval '3 hours',"
                " 4, 'sup-1', 'Sup One', now(), now())",
                4, p2));
  }
}

static char *book(const char *coord, const char *referral, const char *session) {
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  ts_response *r = call("POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  char *id = strdup(ts_id(r));
  ts_response_free(r);
  return id;
}

START_TEST(scheduled_notice_names_the_first_session_once) {
  char id[64], first[37], second[37];
  make_referral("pc-101", id);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  transition(coord, id, 1, "{\"event\":\"accept\",\"suitability_notes\":\"ok\"}", "accepted");
  make_sessions(first, second);
  char *booking = book(coord, id, first);
  json_t *items = feed(coord);
  json_t *n = NULL;
  ck_assert_int_eq(find(items, id, "progress", "scheduled", &n), 1);
  expect_common(n, id, "scheduled", "pc-101");
  json_t *p = json_object_get(n, "payload");
  ck_assert_int_eq(json_integer_value(json_object_get(p, "hours_required")), 7);
  json_t *s = json_object_get(p, "session");
  ck_assert_str_eq(str(s, "id"), first);
  ck_assert_str_eq(str(s, "placement_name"), "Allotment tidy-up");
  ck_assert_str_eq(str(s, "type"), "gardening");
  ck_assert_str_eq(str(s, "provider"), "Allotments Society");
  ck_assert_str_eq(str(s, "ward"), "ward-a");
  ck_assert_ptr_nonnull(str(s, "ward_name"));
  ck_assert_str_eq(str(s, "location"), "Arboretum Park, north gate");
  /* the date and times as the database has the session, in UK time */
  const char *q[1] = {first};
  char *want =
      ts_sql("SELECT to_char(starts_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI')"
             " || ' ' || to_char(ends_at AT TIME ZONE 'Europe/London', 'HH24:MI') || ' '"
             " || to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
             " FROM sessions WHERE id = $1",
             1, q);
  char got[128];
  snprintf(got, sizeof got, "%s %s %s %s", str(s, "date"), str(s, "start_time"), str(s, "end_time"),
           str(s, "starts_at"));
  ck_assert_str_eq(got, want);
  free(want);
  ck_assert_int_eq(strlen(str(s, "ends_at")), 27);
  json_decref(items);

  /* the booking cancelled: back to accepted; booked again on the second session: scheduled
   * again, and no second scheduled notice (one of each kind per referral) */
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s/outcome", booking);
  ts_response *r =
      call("POST", "/v1/bookings/{id}/outcome", path, coord,
           (const char *const[]){"If-Match: \"1\"", NULL}, "{\"outcome\":\"cancelled\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(booking);
  booking = book(coord, id, second);
  items = feed(coord);
  ck_assert_int_eq(find(items, id, "progress", "scheduled", &n), 1);
  ck_assert_str_eq(str(json_object_get(json_object_get(n, "payload"), "session"), "id"), first);
  ck_assert_int_eq(find(items, id, "progress", "accepted", NULL), 1);
  ck_assert_int_eq(count_for(items, id), 2);
  json_decref(items);
  const char *e[1] = {id};
  char *events = ts_sql("SELECT string_agg(event, ',' ORDER BY seq) FROM referral_events"
                        " WHERE referral_id = $1",
                        1, e);
  ck_assert_str_eq(events, "create,accept,book,unbook,book");
  free(events);
  free(booking);
  free(coord);
}
END_TEST

/* ---- the webhook's admin API ---- */

static ts_response *webhook(const char *method, const char *token, const char *area,
                            const char *body) {
  char path[160];
  snprintf(path, sizeof path, "/v1/areas/%s/webhook", area);
  return call(method, R_WEBHOOK, path, token, NULL, body);
}

static bool names(const ts_response *r, const char *field) {
  json_t *errors = json_object_get(r->json, "errors");
  for (size_t i = 0; i < json_array_size(errors); i++)
    if (strcmp(str(json_array_get(errors, i), "field"), field) == 0)
      return true;
  return false;
}

static long long changes(const char *secret_change) {
  const char *p[2] = {AREA, secret_change};
  char *n = ts_sql("SELECT count(*) FROM area_webhook_changes WHERE area = $1"
                   " AND ($2::text IS NULL OR secret_change = $2)",
                   2, p);
  long long v = atoll(n);
  free(n);
  return v;
}

START_TEST(webhook_admin_api) {
  char *admin = ts_token("admin", AREA, "admin-1");
  ts_response *r = webhook("GET", admin, AREA, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "area"), AREA);
  ck_assert(json_is_null(json_object_get(r->json, "url")));
  ck_assert(json_is_false(json_object_get(r->json, "secret_set")));
  ck_assert(json_is_null(json_object_get(r->json, "updated_by")));
  ts_response_free(r);

  r = webhook("PUT", admin, AREA,
              "{\"url\":\"https://force.example.org/ij/notices\",\"secret\":\"" SECRET "\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(str(r->json, "url"), "https://force.example.org/ij/notices");
  ck_assert(json_is_true(json_object_get(r->json, "secret_set")));
  ck_assert_int_eq(strlen(str(r->json, "secret_updated_at")), 27);
  ck_assert_str_eq(str(r->json, "updated_by"), "admin-1");
  ck_assert_ptr_null(json_object_get(r->json, "secret"));
  ts_response_free(r);
  r = webhook("GET", admin, AREA, NULL);
  ck_assert_str_eq(str(r->json, "url"), "https://force.example.org/ij/notices");
  ck_assert(json_is_true(json_object_get(r->json, "secret_set")));
  ck_assert_int_eq(json_object_size(r->json), 6);
  ts_response_free(r);
  ck_assert_int_eq(changes("set"), 1);

  /* refused, every field named at once, nothing changed */
  const char *bad[] = {
      "{\"url\":\"http://force.example.org/hook\",\"secret\":\"short\",\"extra\":1}",
      "{\"url\":5,\"secret\":true}",
      "{\"secret\":\"" SECRET "\"}",
  };
  const char *fields[][3] = {{"url", "secret", "extra"}, {"url", "secret", NULL}, {"url", NULL}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = webhook("PUT", admin, AREA, bad[i]);
    ck_assert_msg(r->status == 422, "%s: %ld", bad[i], r->status);
    ck_assert_str_eq(r->content_type, "application/problem+json");
    for (int f = 0; f < 3 && fields[i][f]; f++)
      ck_assert_msg(names(r, fields[i][f]), "%s: %s not named: %s", bad[i], fields[i][f], r->body);
    ck_assert_ptr_null(strstr(r->body, "short\""));
    ts_response_free(r);
  }
  r = webhook("PUT", admin, AREA, "not json");
  ck_assert_int_eq(r->status, 400);
  ts_response_free(r);
  r = webhook("GET", admin, AREA, NULL);
  ck_assert_str_eq(str(r->json, "url"), "https://force.example.org/ij/notices");
  ts_response_free(r);
  ck_assert_int_eq(changes(NULL), 1);

  /* the URL alone: the secret kept; null secret: removed; null url: no webhook */
  r = webhook("PUT", admin, AREA, "{\"url\":\"http://127.0.0.1:9/hook\"}");
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_true(json_object_get(r->json, "secret_set")));
  ts_response_free(r);
  r = webhook("PUT", admin, AREA, "{\"url\":null,\"secret\":null}");
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_null(json_object_get(r->json, "url")));
  ck_assert(json_is_false(json_object_get(r->json, "secret_set")));
  ts_response_free(r);
  ck_assert_int_eq(changes("kept"), 1);
  ck_assert_int_eq(changes("removed"), 1);
  /* the log: who, the URLs, never the secret */
  const char *p[1] = {AREA};
  char *log =
      ts_sql("SELECT string_agg(coalesce(url_before, '-') || '>' || coalesce(url_after, '-')"
             " || ':' || secret_change || ':' || actor_sub || ':' || actor_role, ' '"
             " ORDER BY id) FROM area_webhook_changes WHERE area = $1",
             1, p);
  ck_assert_str_eq(
      log, "->https://force.example.org/ij/notices:set:admin-1:admin"
           " https://force.example.org/ij/notices>http://127.0.0.1:9/hook:kept:admin-1:admin"
           " http://127.0.0.1:9/hook>-:removed:admin-1:admin");
  free(log);
  char *leaks = ts_sql("SELECT count(*) FROM area_webhook_changes c WHERE c::text LIKE '%' || $1"
                       " || '%'",
                       1, (const char *const[]){SECRET});
  ck_assert_str_eq(leaks, "0");
  free(leaks);

  /* admins of this area only */
  const char *refused[] = {"coordinator", "officer", "supervisor", "commissioner"};
  for (size_t i = 0; i < 4; i++) {
    char *t = ts_token(refused[i], AREA, "someone");
    r = webhook("PUT", t, AREA, "{\"url\":null}");
    ck_assert_int_eq(r->status, 403);
    ts_response_free(r);
    r = webhook("GET", t, AREA, NULL);
    ck_assert_int_eq(r->status, 403);
    ts_response_free(r);
    free(t);
  }
  r = webhook("GET", admin, "derbyshire-elsewhere", NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = webhook("PUT", admin, "derbyshire-elsewhere", "{\"url\":null}");
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = webhook("GET", NULL, AREA, NULL);
  ck_assert_int_eq(r->status, 401);
  ts_response_free(r);
  ck_assert_int_eq(changes(NULL), 3);
  free(admin);
}
END_TEST

/* ---- signed deliveries ---- */

#define RX_MAX 8

typedef struct {
  pthread_mutex_t mu;
  int n;
  char body[RX_MAX][4096];
  char signature[RX_MAX][160]; /* "" when none came */
  struct _u_instance instance;
  int port;
} receiver;

static int on_post(const struct _u_request *req, struct _u_response *res, void *user) {
  receiver *rx = user;
  const char *sig = u_map_get_case(req->map_header, "X-IJ-Signature");
  pthread_mutex_lock(&rx->mu);
  if (rx->n < RX_MAX && req->binary_body_length < sizeof rx->body[0]) {
    memcpy(rx->body[rx->n], req->binary_body, req->binary_body_length);
    rx->body[rx->n][req->binary_body_length] = 0;
    snprintf(rx->signature[rx->n], sizeof rx->signature[0], "%s", sig ? sig : "");
    rx->n++;
  }
  pthread_mutex_unlock(&rx->mu);
  ulfius_set_string_body_response(res, 200, "ok");
  return U_CALLBACK_COMPLETE;
}

/* What a receiver does: t and v1 from the header, HMAC-SHA256(secret, t + "." + body) in hex. */
static void expect_signed(const char *header, const char *body, const char *secret,
                          long long not_before) {
  long long t = 0;
  char v1[80] = "";
  ck_assert_msg(sscanf(header, "t=%lld,v1=%64[0-9a-f]", &t, v1) == 2, "header %s", header);
  ck_assert_int_eq(strlen(v1), 64);
  ck_assert_int_ge(t, not_before);
  ck_assert_int_le(t, (long long)time(NULL));
  size_t len = strlen(body) + 32;
  char *signed_text = malloc(len);
  int n = snprintf(signed_text, len, "%lld.%s", t, body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  ck_assert_ptr_nonnull(HMAC(EVP_sha256(), secret, (int)strlen(secret),
                             (const unsigned char *)signed_text, (size_t)n, mac, &mac_len));
  free(signed_text);
  char hex[65];
  for (unsigned i = 0; i < mac_len; i++)
    snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  ck_assert_str_eq(v1, hex);
  /* and the service's own function says the same */
  char again[IJ_SIGNATURE_BUF];
  ck_assert_int_eq(ij_outbox_signature(secret, t, body, again, sizeof again), IJ_OK);
  ck_assert_str_eq(again, header);
}

START_TEST(deliveries_are_signed_with_the_area_secret) {
  receiver *rx = calloc(1, sizeof *rx);
  pthread_mutex_init(&rx->mu, NULL);
  rx->port = ts_local_server(&rx->instance, "POST", "/hook", on_post, rx, 2);
  char *admin = ts_token("admin", AREA, "admin-1");
  char body[256];
  snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/hook\",\"secret\":\"%s\"}", rx->port,
           SECRET);
  ts_response *r = webhook("PUT", admin, AREA, body);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);

  long long started = (long long)time(NULL);
  char id[64];
  make_referral("pc-101", id);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  transition(coord, id, 1, "{\"event\":\"accept\",\"suitability_notes\":\"ok\"}", "accepted");
  int delivered = 0;
  ck_assert_int_eq(ij_outbox_run_once(S->service, 20, &delivered, NULL), IJ_OK);
  ck_assert_int_ge(delivered, 1);
  pthread_mutex_lock(&rx->mu);
  ck_assert_int_eq(rx->n, 1);
  json_t *got = json_loads(rx->body[0], 0, NULL);
  ck_assert_str_eq(str(got, "kind"), "progress");
  ck_assert_str_eq(str(got, "event"), "accepted");
  ck_assert_str_eq(str(got, "referral_id"), id);
  ck_assert_str_eq(str(json_object_get(got, "payload"), "officer_sub"), "pc-101");
  json_decref(got);
  expect_signed(rx->signature[0], rx->body[0], SECRET, started);
  /* a body changed by one byte no longer matches */
  rx->body[0][strlen(rx->body[0]) - 1] = ' ';
  char forged[IJ_SIGNATURE_BUF];
  long long t = atoll(rx->signature[0] + 2);
  ck_assert_int_eq(ij_outbox_signature(SECRET, t, rx->body[0], forged, sizeof forged), IJ_OK);
  ck_assert_str_ne(forged, rx->signature[0]);
  pthread_mutex_unlock(&rx->mu);

  /* the secret removed: deliveries go unsigned */
  snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/hook\",\"secret\":null}", rx->port);
  r = webhook("PUT", admin, AREA, body);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  transition(coord, id, 2, "{\"event\":\"withdraw\",\"reason_code\":\"other\"}", "withdrawn");
  ck_assert_int_eq(ij_outbox_run_once(S->service, 20, NULL, NULL), IJ_OK);
  pthread_mutex_lock(&rx->mu);
  ck_assert_int_eq(rx->n, 2);
  ck_assert_str_eq(rx->signature[1], "");
  ck_assert_ptr_nonnull(strstr(rx->body[1], "\"withdrawn\""));
  pthread_mutex_unlock(&rx->mu);

  /* the feed shows neither secret nor signature */
  json_t *items = feed(coord);
  char *text = json_dumps(items, 0);
  ck_assert_ptr_null(strstr(text, SECRET));
  free(text);
  json_decref(items);

  ck_assert_int_eq(ij_outbox_signature(NULL, 1, "{}", forged, sizeof forged), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_outbox_signature(SECRET, 1, "{}", forged, 10), IJ_ERR_INVALID);
  ulfius_stop_framework(&rx->instance);
  ulfius_clean_instance(&rx->instance);
  pthread_mutex_destroy(&rx->mu);
  free(rx);
  free(admin);
  free(coord);
}
END_TEST

Suite *http_notices_progress_suite(void) {
  Suite *s = suite_create("http-notices-progress");
  TCase *tc = tcase_create("notices-progress");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, accepted_rejected_withdrawn_notices);
  tcase_add_test(tc, scheduled_notice_names_the_first_session_once);
  tcase_add_test(tc, webhook_admin_api);
  tcase_add_test(tc, deliveries_are_signed_with_the_area_secret);
  suite_add_tcase(s, tc);
  return s;
}
