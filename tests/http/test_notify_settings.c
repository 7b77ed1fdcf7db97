/* An area's GOV.UK Notify service through the API: the settings and the templates round trip;
 * every invalid field is named at once; only the area's admins may read or change them; the API
 * key's secret, the whole key and the receipts' token never appear in an answer, a problem, a
 * reference change or a log line, and the token is kept only as its SHA-256; a stale If-Match is
 * 412; Welsh templates only once the area sends Welsh. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ij/log.h"
#include "suites.h"

static const char *const R_NOTIFY = "/v1/areas/{area}/notify";
static const char *const R_TEMPLATES = "/v1/areas/{area}/message-templates";
#define SERVICE_ID "26785a09-ab16-4eb0-8407-a37497a57506"
#define SECRET "3d844edf-8d35-48ac-975b-e847b4f122b0"
#define KEY "ij-test-key-" SERVICE_ID "-" SECRET
#define SECRET2 "9a1f0c3e-5b7d-4e21-8f6a-0d2c4b6e8a10"
#define KEY2 "live-" SERVICE_ID "-" SECRET2
#define TOKEN "notify-receipts-0123456789abcdefghijklmnopqrstuv"
#define TEMPLATE_A "f33517ff-2a88-4f6e-b855-c550268ce08a"
#define TEMPLATE_B "0b4c2d6e-8f10-4a2b-9c3d-5e6f7a8b9c0d"

/* Every secret any test here sends. */
static const char *const SECRETS[] = {SECRET, SECRET2, TOKEN, "short-token-value"};

static void no_secret(const char *text, const char *where) {
  for (size_t i = 0; text && i < sizeof SECRETS / sizeof SECRETS[0]; i++)
    ck_assert_msg(!strstr(text, SECRETS[i]), "a secret in %s: %s", where, text);
}

static ts_response *call(const char *method, const char *route, const char *token, const char *area,
                         const char *const *headers, const char *body) {
  char path[160];
  snprintf(path, sizeof path, "%s%s%s", "/v1/areas/", area,
           route == R_NOTIFY ? "/notify" : "/message-templates");
  ts_response *r = ts_http(S, method, route, path, token, headers, body);
  no_secret(r->body, path);
  return r;
}

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static bool names(const ts_response *r, const char *field) {
  json_t *errors = json_object_get(r->json, "errors");
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) {
    if (strcmp(str(e, "field") ? str(e, "field") : "", field) == 0)
      return true;
  }
  return false;
}

static char *sql1(const char *q, const char *a) {
  const char *p[1] = {a};
  return ts_sql(q, 1, p);
}

static long long count_changes(const char *entity) {
  const char *p[2] = {AREA, entity};
  char *n = ts_sql("SELECT count(*) FROM reference_changes WHERE area = $1 AND entity = $2", 2, p);
  long long v = atoll(n);
  free(n);
  return v;
}

/* The log lines of the service while a test runs: stderr to a file, read back at the end. */
typedef struct {
  int saved;
  char path[64];
} log_capture;

static void capture_start(log_capture *c) {
  snprintf(c->path, sizeof c->path, "/tmp/ij-notify-log-%d", (int)getpid());
  int fd = open(c->path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
  ck_assert_int_ge(fd, 0);
  fflush(stderr);
  c->saved = dup(2);
  dup2(fd, 2);
  close(fd);
  ij_log_min_level = IJ_LOG_DEBUG;
}

/* Stops capturing; fails when a secret was logged; returns how many bytes were logged. */
static long capture_check(log_capture *c) {
  fflush(stderr);
  dup2(c->saved, 2);
  close(c->saved);
  FILE *f = fopen(c->path, "r");
  ck_assert_ptr_nonnull(f);
  char *text = NULL;
  size_t size = 0;
  FILE *m = open_memstream(&text, &size);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    fwrite(buf, 1, n, m);
  fclose(m);
  fclose(f);
  unlink(c->path);
  no_secret(text, "the log");
  free(text);
  return (long)size;
}

static void sha256_hex(const char *s, char out[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  ck_assert_int_eq(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL), 1);
  for (unsigned i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* No row of the Notify tables, the reference changes or the access log holds a secret. */
static void no_secret_stored(void) {
  static const char *const tables[] = {"area_notify", "area_notify_secrets", "reference_changes",
                                       "message_templates"};
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
    for (size_t i = 0; i < sizeof SECRETS / sizeof SECRETS[0]; i++) {
      /* the key's secret is kept on purpose, in its own table's secret_key column */
      char q[256];
      if (strcmp(tables[t], "area_notify_secrets") == 0)
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM area_notify_secrets x WHERE area = $1 AND"
                 " (x.callback_token_sha256::text || x.area || x.updated_at::text LIKE"
                 " '%%' || $2 || '%%')");
      else
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM %s x WHERE area = $1 AND x::text LIKE"
                 " '%%' || $2 || '%%'",
                 tables[t]);
      const char *p[2] = {AREA, SECRETS[i]};
      char *n = ts_sql(q, 2, p);
      ck_assert_msg(strcmp(n, "0") == 0, "%s holds secret %zu", tables[t], i);
      free(n);
    }
  /* the receipts' token is in no column of its table in any form but its hash */
  const char *p[2] = {AREA, TOKEN};
  char *n = ts_sql("SELECT count(*) FROM area_notify_secrets x WHERE area = $1 AND"
                   " (x::text LIKE '%' || $2 || '%' OR encode(x.callback_token_sha256, 'escape')"
                   " LIKE '%' || $2 || '%')",
                   2, p);
  ck_assert_str_eq(n, "0");
  free(n);
}

START_TEST(settings_round_trip) {
  log_capture cap;
  capture_start(&cap);
  char *admin = ts_token("admin", AREA, "admin-1");
  ts_response *r = call("GET", R_NOTIFY, admin, AREA, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_false(json_object_get(r->json, "configured")));
  ck_assert(json_is_null(json_object_get(r->json, "service_id")));
  ck_assert(json_is_null(json_object_get(r->json, "key_name")));
  ck_assert(json_is_false(json_object_get(r->json, "api_key_set")));
  ck_assert(json_is_false(json_object_get(r->json, "callback_token_set")));
  ck_assert_str_eq(str(r->json, "base_url"), "https://api.notifications.service.gov.uk");
  ck_assert_str_eq(str(r->json, "reminder_time"), "18:00");
  ck_assert(json_is_false(json_object_get(r->json, "welsh")));
  char callback[128];
  snprintf(callback, sizeof callback, "/v1/areas/%s/notify/receipts", AREA);
  ck_assert_str_eq(str(r->json, "callback_url"), callback);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 1);
  ck_assert_str_eq(r->etag, "\"1\"");
  ck_assert_int_eq(json_object_size(r->json), 10);
  ts_response_free(r);
  /* nothing written by reading */
  char *rows = sql1("SELECT count(*) FROM area_notify WHERE area = $1", AREA);
  ck_assert_str_eq(rows, "0");
  free(rows);

  r = call("PUT", R_NOTIFY, admin, AREA, NULL,
           "{\"api_key\":\"" KEY "\",\"callback_token\":\"" TOKEN "\","
           "\"base_url\":\"http://127.0.0.1:8999\",\"reminder_time\":\"17:30\",\"welsh\":true}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert(json_is_true(json_object_get(r->json, "configured")));
  ck_assert_str_eq(str(r->json, "service_id"), SERVICE_ID);
  ck_assert_str_eq(str(r->json, "key_name"), "ij-test-key");
  ck_assert(json_is_true(json_object_get(r->json, "api_key_set")));
  ck_assert(json_is_true(json_object_get(r->json, "callback_token_set")));
  ck_assert_str_eq(str(r->json, "base_url"), "http://127.0.0.1:8999");
  ck_assert_str_eq(str(r->json, "reminder_time"), "17:30");
  ck_assert(json_is_true(json_object_get(r->json, "welsh")));
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
  ck_assert_str_eq(r->etag, "\"2\"");
  ck_assert_ptr_null(json_object_get(r->json, "api_key"));
  ck_assert_ptr_null(json_object_get(r->json, "callback_token"));
  ts_response_free(r);
  r = call("GET", R_NOTIFY, admin, AREA, NULL, NULL);
  ck_assert_str_eq(str(r->json, "service_id"), SERVICE_ID);
  ck_assert_str_eq(str(r->json, "reminder_time"), "17:30");
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);

  /* what is stored: the key split, its secret apart, the token as its SHA-256 alone */
  char *split = sql1("SELECT n.key_name || ' ' || n.service_id || ' ' || s.secret_key"
                     " FROM area_notify n JOIN area_notify_secrets s USING (area)"
                     " WHERE area = $1",
                     AREA);
  ck_assert_str_eq(split, "ij-test-key " SERVICE_ID " " SECRET);
  free(split);
  char hash[65];
  sha256_hex(TOKEN, hash);
  char *stored = sql1("SELECT encode(callback_token_sha256, 'hex') FROM area_notify_secrets"
                      " WHERE area = $1",
                      AREA);
  ck_assert_str_eq(stored, hash);
  free(stored);
  no_secret_stored();

  /* the key and the token kept when not sent; a new key replaces the old; null removes */
  r = call("PUT", R_NOTIFY, admin, AREA, NULL,
           "{\"base_url\":\"https://api.notifications.service.gov.uk\",\"reminder_time\":\"18:00\","
           "\"welsh\":false}");
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_true(json_object_get(r->json, "api_key_set")));
  ck_assert(json_is_true(json_object_get(r->json, "callback_token_set")));
  ck_assert(json_is_false(json_object_get(r->json, "welsh")));
  ts_response_free(r);
  r = call("PUT", R_NOTIFY, admin, AREA, NULL,
           "{\"api_key\":\"" KEY2 "\",\"base_url\":\"https://api.notifications.service.gov.uk\","
           "\"reminder_time\":\"18:00\",\"welsh\":false}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(str(r->json, "key_name"), "live");
  ts_response_free(r);
  char *secret = sql1("SELECT secret_key FROM area_notify_secrets WHERE area = $1", AREA);
  ck_assert_str_eq(secret, SECRET2);
  free(secret);
  r = call("PUT", R_NOTIFY, admin, AREA, NULL,
           "{\"api_key\":null,\"callback_token\":null,"
           "\"base_url\":\"https://api.notifications.service.gov.uk\",\"reminder_time\":\"18:00\","
           "\"welsh\":false}");
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_false(json_object_get(r->json, "configured")));
  ck_assert(json_is_null(json_object_get(r->json, "service_id")));
  ck_assert(json_is_null(json_object_get(r->json, "key_name")));
  ck_assert(json_is_false(json_object_get(r->json, "api_key_set")));
  ck_assert(json_is_false(json_object_get(r->json, "callback_token_set")));
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 5);
  ts_response_free(r);
  char *gone = sql1("SELECT count(*) FROM area_notify_secrets WHERE area = $1 AND"
                    " (secret_key IS NOT NULL OR callback_token_sha256 IS NOT NULL)",
                    AREA);
  ck_assert_str_eq(gone, "0");
  free(gone);

  /* every change a reference change, saying only whether each secret is set */
  ck_assert_int_eq(count_changes("notify"), 4);
  char *log = sql1("SELECT string_agg((before->>'api_key_set') || '>' || (after->>'api_key_set')"
                   " || '/' || (before->>'callback_token_set') || '>' ||"
                   " (after->>'callback_token_set') || ':' || actor_sub || ':' || action, ' '"
                   " ORDER BY id) FROM reference_changes WHERE area = $1 AND entity = 'notify'",
                   AREA);
  ck_assert_str_eq(log, "false>true/false>true:admin-1:change true>true/true>true:admin-1:change"
                        " true>true/true>true:admin-1:change true>false/true>false:admin-1:change");
  free(log);
  char *after = sql1("SELECT after->>'service_id' || ' ' || (after->>'reminder_time') FROM"
                     " reference_changes WHERE area = $1 AND entity = 'notify' ORDER BY id LIMIT 1",
                     AREA);
  ck_assert_str_eq(after, SERVICE_ID " 17:30");
  free(after);
  no_secret_stored();
  free(admin);
  ck_assert_int_gt(capture_check(&cap), 0);
}
END_TEST

START_TEST(settings_invalid_fields_named_at_once) {
  log_capture cap;
  capture_start(&cap);
  char *admin = ts_token("admin", AREA, "admin-1");
  const char *bad[] = {
      /* every field wrong, an unknown one too */
      "{\"api_key\":\"ij-" SECRET "\",\"callback_token\":\"short-token-value\","
      "\"base_url\":\"http://api.example.org\",\"reminder_time\":\"24:00\",\"welsh\":\"yes\","
      "\"extra\":1}",
      /* the wrong types */
      "{\"api_key\":5,\"callback_token\":true,\"base_url\":7,\"reminder_time\":1800,"
      "\"welsh\":1}",
      /* the required ones missing */
      "{\"api_key\":\"" KEY "\"}",
  };
  const char *fields[][6] = {
      {"api_key", "callback_token", "base_url", "reminder_time", "welsh", "extra"},
      {"api_key", "callback_token", "base_url", "reminder_time", "welsh", NULL},
      {"base_url", "reminder_time", "welsh", NULL},
  };
  int counts[] = {6, 5, 3};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ts_response *r = call("PUT", R_NOTIFY, admin, AREA, NULL, bad[i]);
    ck_assert_msg(r->status == 422, "%zu: %ld", i, r->status);
    ck_assert_str_eq(r->content_type, "application/problem+json");
    for (int f = 0; f < 6 && fields[i][f]; f++)
      ck_assert_msg(names(r, fields[i][f]), "%zu: %s not named: %s", i, fields[i][f], r->body);
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), counts[i]);
    ts_response_free(r);
  }
  ts_response *r = call("PUT", R_NOTIFY, admin, AREA, NULL, "not json");
  ck_assert_int_eq(r->status, 400);
  ts_response_free(r);
  /* nothing changed, nothing logged as a change */
  char *rows = sql1("SELECT count(*) FROM area_notify WHERE area = $1", AREA);
  ck_assert_str_eq(rows, "0");
  free(rows);
  ck_assert_int_eq(count_changes("notify"), 0);
  free(admin);
  capture_check(&cap);
}
END_TEST

START_TEST(stale_if_match_is_412) {
  char *admin = ts_token("admin", AREA, "admin-1");
  const char *body = "{\"base_url\":\"https://api.notifications.service.gov.uk\","
                     "\"reminder_time\":\"19:00\",\"welsh\":false}";
  /* version 1 before any change, then 2 */
  const char *one[] = {"If-Match: \"1\"", NULL};
  ts_response *r = call("PUT", R_NOTIFY, admin, AREA, one, body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);
  r = call("PUT", R_NOTIFY, admin, AREA, one,
           "{\"base_url\":\"https://api.notifications.service.gov.uk\","
           "\"reminder_time\":\"07:00\",\"welsh\":true,\"api_key\":\"" KEY "\"}");
  ck_assert_int_eq(r->status, 412);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);
  const char *junk[] = {"If-Match: \"abc\"", NULL};
  r = call("PUT", R_NOTIFY, admin, AREA, junk, body);
  ck_assert_int_eq(r->status, 412);
  ts_response_free(r);
  r = call("GET", R_NOTIFY, admin, AREA, NULL, NULL);
  ck_assert_str_eq(str(r->json, "reminder_time"), "19:00");
  ck_assert(json_is_false(json_object_get(r->json, "api_key_set")));
  ts_response_free(r);
  const char *two[] = {"If-Match: \"2\"", NULL};
  r = call("PUT", R_NOTIFY, admin, AREA, two, body);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"3\"");
  ts_response_free(r);
  /* no If-Match: applies to whatever is there */
  r = call("PUT", R_NOTIFY, admin, AREA, NULL, body);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->etag, "\"4\"");
  ts_response_free(r);
  /* a PUT that changes nothing is no reference change */
  ck_assert_int_eq(count_changes("notify"), 1);
  free(admin);
}
END_TEST

START_TEST(only_the_areas_admins) {
  char *admin = ts_token("admin", AREA, "admin-1");
  const char *settings = "{\"base_url\":\"https://api.notifications.service.gov.uk\","
                         "\"reminder_time\":\"18:00\",\"welsh\":false}";
  const char *templates = "{\"templates\":[]}";
  const char *refused[] = {"coordinator", "officer", "supervisor", "commissioner"};
  const char *routes[] = {R_NOTIFY, R_TEMPLATES};
  for (size_t i = 0; i < 4; i++) {
    char *t = ts_token(refused[i], AREA, "someone");
    for (int k = 0; k < 2; k++) {
      ts_response *r = call("GET", routes[k], t, AREA, NULL, NULL);
      ck_assert_msg(r->status == 403, "%s GET %s: %ld", refused[i], routes[k], r->status);
      ts_response_free(r);
      r = call("PUT", routes[k], t, AREA, NULL, k == 0 ? settings : templates);
      ck_assert_msg(r->status == 403, "%s PUT %s: %ld", refused[i], routes[k], r->status);
      ts_response_free(r);
    }
    free(t);
  }
  /* another area's admin: this area is unknown to them; and its admin cannot reach another's */
  char other_area[IJ_AREA_MAX];
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  ts_new_area(c, other_area);
  ij_store_release(S->store, c);
  char *other = ts_token("admin", other_area, "admin-9");
  for (int k = 0; k < 2; k++) {
    ts_response *r = call("GET", routes[k], other, AREA, NULL, NULL);
    ck_assert_int_eq(r->status, 404);
    ts_response_free(r);
    r = call("PUT", routes[k], other, AREA, NULL, k == 0 ? settings : templates);
    ck_assert_int_eq(r->status, 404);
    ts_response_free(r);
    r = call("GET", routes[k], admin, other_area, NULL, NULL);
    ck_assert_int_eq(r->status, 404);
    ts_response_free(r);
    r = call("GET", routes[k], other, other_area, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ts_response_free(r);
    r = call("GET", routes[k], NULL, AREA, NULL, NULL);
    ck_assert_int_eq(r->status, 401);
    ts_response_free(r);
  }
  char *rows = sql1("SELECT count(*) FROM area_notify WHERE area = $1", AREA);
  ck_assert_str_eq(rows, "0");
  free(rows);
  free(other);
  free(admin);
}
END_TEST

static void set_welsh(const char *admin, bool on) {
  char body[256];
  snprintf(body, sizeof body,
           "{\"base_url\":\"https://api.notifications.service.gov.uk\",\"reminder_time\":"
           "\"18:00\",\"welsh\":%s}",
           on ? "true" : "false");
  ts_response *r = call("PUT", R_NOTIFY, admin, AREA, NULL, body);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
}

START_TEST(templates_round_trip) {
  log_capture cap;
  capture_start(&cap);
  char *admin = ts_token("admin", AREA, "admin-1");
  ts_response *r = call("GET", R_TEMPLATES, admin, AREA, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "templates")), 0);
  /* the kinds, whom each is for and its fields, as the domain's table has them */
  json_t *kinds = json_object_get(r->json, "kinds");
  ck_assert_int_eq(json_array_size(kinds), 7);
  json_t *moved = json_array_get(kinds, 3);
  ck_assert_str_eq(str(moved, "kind"), "session_moved");
  ck_assert_str_eq(str(moved, "audience"), "person");
  ck_assert_int_eq(json_array_size(json_object_get(moved, "fields")), 9);
  json_t *victim = json_array_get(kinds, 6);
  ck_assert_str_eq(str(victim, "kind"), "victim_work_completed");
  ck_assert_str_eq(str(victim, "audience"), "victim");
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(victim, "fields"), 0)),
                   "work_type");
  ts_response_free(r);

  r = call("PUT", R_TEMPLATES, admin, AREA, NULL,
           "{\"templates\":[{\"kind\":\"reminder\",\"language\":\"en\",\"channel\":\"sms\","
           "\"template_id\":\"" TEMPLATE_A "\"},{\"kind\":\"booking_confirmation\",\"language\":"
           "\"en\",\"channel\":\"email\",\"template_id\":\"F33517FF-2A88-4F6E-B855-C550268CE08A\"},"
           "{\"kind\":\"reminder\",\"language\":\"en\",\"channel\":\"email\",\"template_id\":"
           "\"" TEMPLATE_B "\"}]}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  json_t *list = json_object_get(r->json, "templates");
  ck_assert_int_eq(json_array_size(list), 3);
  /* by kind, language, channel; ids in lower case */
  ck_assert_str_eq(str(json_array_get(list, 0), "kind"), "booking_confirmation");
  ck_assert_str_eq(str(json_array_get(list, 0), "template_id"), TEMPLATE_A);
  ck_assert_str_eq(str(json_array_get(list, 1), "channel"), "email");
  ck_assert_str_eq(str(json_array_get(list, 1), "template_id"), TEMPLATE_B);
  ck_assert_str_eq(str(json_array_get(list, 2), "channel"), "sms");
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "kinds")), 7);
  ts_response_free(r);
  r = call("GET", R_TEMPLATES, admin, AREA, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "templates")), 3);
  ts_response_free(r);
  ck_assert_int_eq(count_changes("message_template"), 1);

  /* Welsh refused while the area does not send it; the list unchanged */
  const char *welsh =
      "{\"templates\":[{\"kind\":\"reminder\",\"language\":\"cy\",\"channel\":"
      "\"sms\",\"template_id\":\"" TEMPLATE_A "\"},{\"kind\":\"reminder\","
      "\"language\":\"en\",\"channel\":\"sms\",\"template_id\":\"" TEMPLATE_B "\"}]}";
  r = call("PUT", R_TEMPLATES, admin, AREA, NULL, welsh);
  ck_assert_int_eq(r->status, 422);
  ck_assert_msg(names(r, "templates[0].language"), "%s", r->body);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), 1);
  ts_response_free(r);
  set_welsh(admin, true);
  r = call("PUT", R_TEMPLATES, admin, AREA, NULL, welsh);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  /* the whole list replaced */
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "templates")), 2);
  ck_assert_str_eq(str(json_array_get(json_object_get(r->json, "templates"), 0), "language"), "cy");
  ts_response_free(r);
  char *stored = sql1("SELECT string_agg(kind || '/' || language || '/' || channel || '/' ||"
                      " template_id, ' ' ORDER BY language) FROM message_templates WHERE area = $1",
                      AREA);
  ck_assert_str_eq(stored, "reminder/cy/sms/" TEMPLATE_A " reminder/en/sms/" TEMPLATE_B);
  free(stored);
  /* the same list again changes nothing and logs nothing */
  r = call("PUT", R_TEMPLATES, admin, AREA, NULL, welsh);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  ck_assert_int_eq(count_changes("message_template"), 2);
  char *change = sql1("SELECT jsonb_array_length(before->'templates') || '>' ||"
                      " jsonb_array_length(after->'templates') ||"
                      " ':' || actor_sub FROM reference_changes WHERE area = $1 AND"
                      " entity = 'message_template' ORDER BY id DESC LIMIT 1",
                      AREA);
  ck_assert_str_eq(change, "3>2:admin-1");
  free(change);
  /* an empty list removes them all */
  r = call("PUT", R_TEMPLATES, admin, AREA, NULL, "{\"templates\":[]}");
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "templates")), 0);
  ts_response_free(r);
  free(admin);
  capture_check(&cap);
}
END_TEST

START_TEST(templates_invalid_fields_named_at_once) {
  char *admin = ts_token("admin", AREA, "admin-1");
  ts_response *r = call(
      "PUT", R_TEMPLATES, admin, AREA, NULL,
      "{\"templates\":[{\"kind\":\"reminder\",\"language\":\"en\",\"channel\":\"sms\","
      "\"template_id\":\"" TEMPLATE_A "\"},{\"kind\":\"birthday\",\"language\":\"fr\","
      "\"channel\":\"fax\",\"template_id\":\"nope\"},{\"kind\":5,\"colour\":\"red\"},"
      "{\"kind\":\"reminder\",\"language\":\"en\",\"channel\":\"sms\",\"template_id\":\"" TEMPLATE_B
      "\"},\"text\",{\"kind\":\"hours_completed\",\"language\":\"cy\",\"channel\":\"email\","
      "\"template_id\":\"" TEMPLATE_A "\"}],\"extra\":true}");
  ck_assert_int_eq(r->status, 422);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  const char *expected[] = {"extra",
                            "templates[1].kind",
                            "templates[1].language",
                            "templates[1].channel",
                            "templates[1].template_id",
                            "templates[2].colour",
                            "templates[2].kind",
                            "templates[2].language",
                            "templates[2].channel",
                            "templates[2].template_id",
                            "templates[3]",
                            "templates[4]",
                            "templates[5].language"};
  size_t n = sizeof expected / sizeof expected[0];
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(names(r, expected[i]), "%s not named: %s", expected[i], r->body);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), n);
  ts_response_free(r);
  const char *whole[] = {"{}", "{\"templates\":{}}", "{\"templates\":null}"};
  for (size_t i = 0; i < 3; i++) {
    r = call("PUT", R_TEMPLATES, admin, AREA, NULL, whole[i]);
    ck_assert_int_eq(r->status, 422);
    ck_assert(names(r, "templates"));
    ts_response_free(r);
  }
  /* more rows than kinds x languages x channels */
  char *body = malloc(8192);
  strcpy(body, "{\"templates\":[");
  for (int i = 0; i < 29; i++)
    strcat(body, i ? ",{}" : "{}");
  strcat(body, "]}");
  r = call("PUT", R_TEMPLATES, admin, AREA, NULL, body);
  ck_assert_int_eq(r->status, 422);
  ck_assert(names(r, "templates"));
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), 1);
  ts_response_free(r);
  free(body);
  char *rows = sql1("SELECT count(*) FROM message_templates WHERE area = $1", AREA);
  ck_assert_str_eq(rows, "0");
  free(rows);
  ck_assert_int_eq(count_changes("message_template"), 0);
  free(admin);
}
END_TEST

Suite *http_notify_settings_suite(void) {
  Suite *s = suite_create("http_notify_settings");
  TCase *tc = tcase_create("notify-settings");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, settings_round_trip);
  tcase_add_test(tc, settings_invalid_fields_named_at_once);
  tcase_add_test(tc, stale_if_match_is_412);
  tcase_add_test(tc, only_the_areas_admins);
  tcase_add_test(tc, templates_round_trip);
  tcase_add_test(tc, templates_invalid_fields_named_at_once);
  suite_add_tcase(s, tc);
  return s;
}
