/* Messages through GOV.UK Notify, delivered by the outbox to a fake Notify inside the test (a
 * ulfius server on 127.0.0.1) that checks what Notify checks: the bearer JWT (HS256, signed with
 * the service's secret key, iss the service id, iat within 30 seconds of its clock: else 403
 * AuthError), and the body (template_id, the phone number or e-mail address, a personalisation
 * object of strings, a reference), and records what it receives. Then Notify's delivery receipts
 * on POST /v1/areas/{area}/notify/receipts. The messages are written by SQL, as queued rows, the
 * way the triggers write them. */
#include <fcntl.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ulfius.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "ij/log.h"
#include "ij/outbox.h"
#include "suites.h"

static const char *const R_RECEIPTS = "/v1/areas/{area}/notify/receipts";
/* The API key's parts, as an admin's key "<name>-<service id>-<secret>" is split when it is set. */
static const char *const SERVICE_ID = "5a1d3f6e-2b4c-4e8f-9a7b-0c1d2e3f4a5b";
static const char *const SECRET_KEY = "c0ffee00-1234-4abc-8def-0123456789ab";
static const char *const CALLBACK_TOKEN = "receipts-token-0123456789abcdefghijklmnop";
static const char *const TEMPLATE_SMS = "11111111-2222-4333-8444-555555555555";
static const char *const TEMPLATE_EMAIL = "66666666-7777-4888-9999-aaaaaaaaaaaa";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

/* ---- the fake Notify ---- */

#define FN_MAX 64

typedef struct {
  char reference[64];
  char channel[8];
  int count;    /* requests with this reference that passed the checks */
  int accepted; /* of which answered 201 */
  char notify_id[37];
  char body[2048]; /* the last accepted body */
} fn_record;

typedef struct {
  pthread_mutex_t mu;
  char service_id[64];
  char secret[128];
  int fail_first;          /* answer 500 to the first n requests of each reference */
  int reject;              /* answer 400 BadRequestError to every request */
  bool echo_key;           /* the refusal's message quotes the secret key (a leak to scrub) */
  int delay_first_ms;      /* sleep this long before answering the first request of all */
  int in_flight, overlaps; /* requests being answered at once, and how often more than one */
  bool await_pair;         /* hold a lone request (up to 5 s) until a second one arrives */
  pthread_cond_t arrived;  /* signalled as each request arrives */
  int requests, auth_refused, body_refused;
  char last_jwt[1024];
  int n;
  fn_record got[FN_MAX];
  struct _u_instance instance;
  int port;
} fake_notify;

/* base64url (no padding) into out; -1 when not base64url. */
static int b64url_decode(const char *in, size_t len, unsigned char *out, size_t room) {
  unsigned v = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = in[i];
    int d;
    if (c >= 'A' && c <= 'Z')
      d = c - 'A';
    else if (c >= 'a' && c <= 'z')
      d = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      d = c - '0' + 52;
    else if (c == '-')
      d = 62;
    else if (c == '_')
      d = 63;
    else
      return -1;
    v = (v << 6) | (unsigned)d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= room)
        return -1;
      out[n++] = (unsigned char)((v >> bits) & 0xff);
    }
  }
  return (int)n;
}

static json_t *b64url_json(const char *in, size_t len) {
  unsigned char buf[1024];
  int n = b64url_decode(in, len, buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  return json_loadb((const char *)buf, (size_t)n, 0, NULL);
}

/* What Notify's authentication checks: NULL when the token passes, else why not. */
static const char *jwt_refusal(fake_notify *fn, const char *auth) {
  if (!auth || strncmp(auth, "Bearer ", 7) != 0)
    return "Unauthorized: authentication token must be provided";
  const char *token = auth + 7;
  snprintf(fn->last_jwt, sizeof fn->last_jwt, "%s", token);
  const char *dot1 = strchr(token, '.');
  const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  if (!dot1 || !dot2 || strchr(dot2 + 1, '.'))
    return "Invalid token: not a signed JWT";
  json_t *header = b64url_json(token, (size_t)(dot1 - token));
  json_t *claims = b64url_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
  const char *why = NULL;
  if (!header || !claims)
    why = "Invalid token: not JSON";
  else if (!str(header, "alg") || strcmp(str(header, "alg"), "HS256") != 0)
    why = "Invalid token: algorithm used is not HS256";
  else if (!str(header, "typ") || strcmp(str(header, "typ"), "JWT") != 0)
    why = "Invalid token: type is not JWT";
  else if (!str(claims, "iss") || strcmp(str(claims, "iss"), fn->service_id) != 0)
    why = "Invalid token: service not found";
  else if (!json_is_integer(json_object_get(claims, "iat")) ||
           llabs((long long)json_integer_value(json_object_get(claims, "iat")) -
                 (long long)time(NULL)) > 30)
    why = "Error: Your system clock must be accurate to within 30 seconds";
  if (!why) {
    unsigned char mac[EVP_MAX_MD_SIZE], sig[64];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), fn->secret, (int)strlen(fn->secret), (const unsigned char *)token,
         (size_t)(dot2 - token), mac, &mac_len);
    int n = b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof sig);
    if (n != 32 || mac_len != 32 || memcmp(mac, sig, 32) != 0)
      why = "Invalid token: signature, api token not found";
  }
  json_decref(header);
  json_decref(claims);
  return why;
}

/* What Notify's schema checks: NULL when the body passes, else why not. */
static const char *body_refusal(json_t *body, const char *channel) {
  if (!json_is_object(body))
    return "ValidationError: the body is not a JSON object";
  const char *to = strcmp(channel, "sms") == 0 ? "phone_number" : "email_address";
  if (!str(body, to))
    return "ValidationError: the recipient is a required property";
  char u[37];
  if (!str(body, "template_id") || strlen(str(body, "template_id")) != 36 ||
      sscanf(str(body, "template_id"), "%36[0-9a-f-]", u) != 1 || strlen(u) != 36)
    return "ValidationError: template_id is not a valid UUID";
  if (!str(body, "reference"))
    return "ValidationError: reference is not a string";
  json_t *p = json_object_get(body, "personalisation");
  if (!json_is_object(p))
    return "ValidationError: personalisation is not an object";
  const char *key;
  json_t *v;
  json_object_foreach(p, key, v) {
    if (!json_is_string(v))
      return "ValidationError: a personalisation value is not a string";
  }
  return NULL;
}

static void answer_error(struct _u_response *res, int status, const char *error,
                         const char *message) {
  json_t *j = json_pack("{s:[{s:s, s:s}], s:i}", "errors", "error", error, "message", message,
                        "status_code", status);
  ulfius_set_json_body_response(res, (unsigned)status, j);
  json_decref(j);
}

static int on_notify(const struct _u_request *req, struct _u_response *res, void *user) {
  fake_notify *fn = user;
  const char *path = req->url_path ? req->url_path : "";
  const char *channel = strcmp(path, "/v2/notifications/sms") == 0     ? "sms"
                        : strcmp(path, "/v2/notifications/email") == 0 ? "email"
                                                                       : NULL;
  pthread_mutex_lock(&fn->mu);
  int delay = fn->requests == 0 ? fn->delay_first_ms : 0;
  fn->requests++;
  if (++fn->in_flight > 1)
    fn->overlaps++;
  pthread_cond_broadcast(&fn->arrived);
  if (fn->await_pair && fn->overlaps == 0) {
    /* two outboxes that really run at once send their first requests together: the first waits
     * for the second (a bound, so that one outbox alone fails the test rather than hanging it) */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    while (fn->in_flight < 2 && fn->overlaps == 0 &&
           pthread_cond_timedwait(&fn->arrived, &fn->mu, &until) == 0) {
    }
  }
  pthread_mutex_unlock(&fn->mu);
  if (delay)
    usleep((useconds_t)delay * 1000);
  else
    usleep(20 * 1000); /* long enough for two outboxes' requests to overlap */

  pthread_mutex_lock(&fn->mu);
  fn->in_flight--;
  const char *why = jwt_refusal(fn, u_map_get_case(req->map_header, "Authorization"));
  if (why) {
    fn->auth_refused++;
    pthread_mutex_unlock(&fn->mu);
    answer_error(res, 403, "AuthError", why);
    return U_CALLBACK_COMPLETE;
  }
  json_t *body = json_loadb(req->binary_body, req->binary_body_length, 0, NULL);
  const char *type = u_map_get_case(req->map_header, "Content-Type");
  why = !channel ? "ValidationError: no such notification type"
        : !type || strcmp(type, "application/json") != 0 ? "ValidationError: not JSON"
                                                         : body_refusal(body, channel);
  if (why) {
    fn->body_refused++;
    pthread_mutex_unlock(&fn->mu);
    json_decref(body);
    answer_error(res, 400, "BadRequestError", why);
    return U_CALLBACK_COMPLETE;
  }
  const char *ref = str(body, "reference");
  int i = 0;
  while (i < fn->n && strcmp(fn->got[i].reference, ref) != 0)
    i++;
  if (i == fn->n) {
    ck_assert_int_lt(fn->n, FN_MAX);
    snprintf(fn->got[i].reference, sizeof fn->got[i].reference, "%s", ref);
    snprintf(fn->got[i].channel, sizeof fn->got[i].channel, "%s", channel);
    fn->n++;
  }
  fn_record *r = &fn->got[i];
  r->count++;
  if (fn->reject) {
    char message[256];
    snprintf(message, sizeof message, "Can't send to this recipient using a team-only API key%s%s",
             fn->echo_key ? " " : "", fn->echo_key ? fn->secret : "");
    pthread_mutex_unlock(&fn->mu);
    json_decref(body);
    answer_error(res, 400, "BadRequestError", message);
    return U_CALLBACK_COMPLETE;
  }
  if (r->count <= fn->fail_first) {
    pthread_mutex_unlock(&fn->mu);
    json_decref(body);
    answer_error(res, 500, "Exception", "Internal server error");
    return U_CALLBACK_COMPLETE;
  }
  r->accepted++;
  new_uuid(r->notify_id);
  snprintf(r->body, sizeof r->body, "%.*s", (int)req->binary_body_length,
           (const char *)req->binary_body);
  json_t *answer =
      json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:i, s:s}, s:s}", "id", r->notify_id, "reference", ref,
                "content", "body", "Hello", "template", "id", str(body, "template_id"), "version",
                1, "uri", "https://example", "uri", "https://example");
  pthread_mutex_unlock(&fn->mu);
  json_decref(body);
  ulfius_set_json_body_response(res, 201, answer);
  json_decref(answer);
  return U_CALLBACK_COMPLETE;
}

static fake_notify *notify_start(void) {
  fake_notify *fn = calloc(1, sizeof *fn);
  ck_assert_ptr_nonnull(fn);
  pthread_mutex_init(&fn->mu, NULL);
  pthread_cond_init(&fn->arrived, NULL);
  snprintf(fn->service_id, sizeof fn->service_id, "%s", SERVICE_ID);
  snprintf(fn->secret, sizeof fn->secret, "%s", SECRET_KEY);
  fn->port = ts_local_server(&fn->instance, "POST", "/v2/notifications/:channel", on_notify, fn, 6);
  return fn;
}

static void notify_stop(fake_notify *fn) {
  ulfius_stop_framework(&fn->instance);
  ulfius_clean_instance(&fn->instance);
  pthread_cond_destroy(&fn->arrived);
  pthread_mutex_destroy(&fn->mu);
  free(fn);
}

/* The fake's record of a reference (a copy, taken under its lock); count 0 when it saw none. */
static fn_record seen(fake_notify *fn, const char *reference) {
  fn_record out;
  memset(&out, 0, sizeof out);
  pthread_mutex_lock(&fn->mu);
  for (int i = 0; i < fn->n; i++)
    if (strcmp(fn->got[i].reference, reference) == 0)
      out = fn->got[i];
  pthread_mutex_unlock(&fn->mu);
  return out;
}

/* ---- set-up by SQL: the area's Notify service and queued messages ---- */

/* The area's Notify service at the fake (base_url from its port) with its secret and the SHA-256
 * of the callback token. */
static void set_notify(const char *area, int port, const char *secret, const char *token) {
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  const char *p[3] = {area, url, SERVICE_ID};
  free(ts_sql("INSERT INTO area_notify (area, base_url, service_id, key_name, updated_at)"
              " VALUES ($1, $2, $3::uuid, 'ij-test', now())"
              " ON CONFLICT (area) DO UPDATE SET base_url = $2, service_id = $3::uuid",
              3, p));
  const char *q[3] = {area, secret, token};
  free(ts_sql("INSERT INTO area_notify_secrets (area, secret_key, callback_token_sha256,"
              " updated_at) VALUES ($1, $2, sha256(convert_to($3, 'UTF8')), now())"
              " ON CONFLICT (area) DO UPDATE SET secret_key = $2,"
              " callback_token_sha256 = sha256(convert_to($3, 'UTF8'))",
              3, q));
}

/* A referral of AREA (by the API, as an officer); writes its id. */
static void make_referral(char id[64]) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char pid[37];
  new_uuid(pid);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(pid));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  free(officer);
}

static const char *const PERSONALISATION =
    "{\"name\":\"Sam Smith\",\"person_name\":\"Sam Smith\",\"date\":\"Saturday 12 December 2026\","
    "\"start_time\":\"10:00am\",\"end_time\":\"2:30pm\",\"place\":\"Allotments, Green Lane\","
    "\"what_to_bring\":\"\"}";

/* A queued message of AREA about the referral (and booking, or NULL), due now by the database's
 * clock; writes its id. */
static void queue_message(const char *referral, const char *booking, const char *kind,
                          const char *channel, const char *to, char id[37]) {
  new_uuid(id);
  const char *p[9] = {id,
                      AREA,
                      referral,
                      booking,
                      kind,
                      channel,
                      to,
                      strcmp(channel, "sms") == 0 ? TEMPLATE_SMS : TEMPLATE_EMAIL,
                      PERSONALISATION};
  free(ts_sql("INSERT INTO messages (id, area, referral_id, booking_id, kind, recipient, channel,"
              " to_address, language, template_id, personalisation, status, next_attempt_at,"
              " created_at, status_at) VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5, 'person',"
              " $6, $7, 'en', $8::uuid, $9::jsonb, 'queued', now(), now(), now())",
              9, p));
}

/* A column of a message as text (owned: free()), NULL for SQL NULL. */
static char *column(const char *id, const char *expr) {
  char q[256];
  snprintf(q, sizeof q, "SELECT %s FROM messages WHERE id = $1::uuid", expr);
  const char *p[1] = {id};
  return ts_sql(q, 1, p);
}

static void expect_column(const char *id, const char *expr, const char *want) {
  char *got = column(id, expr);
  ck_assert_msg(got && strcmp(got, want) == 0, "%s of %s: %s, want %s", expr, id,
                got ? got : "NULL", want);
  free(got);
}

/* No message of AREA stays due for the other tests' rounds. */
static void finish_area(void) {
  const char *p[1] = {AREA};
  free(ts_sql("UPDATE messages SET status = 'cancelled' WHERE area = $1 AND status = 'queued'", 1,
              p));
}

static void run_at(ij_time_us now) {
  ck_assert_int_eq(ij_outbox_run_once_at(S->service, 50, now, NULL, NULL), IJ_OK);
}

/* ---- the service's log, captured (stderr) ---- */

typedef struct {
  int saved;
  char path[64];
} log_capture;

static void log_start(log_capture *c) {
  snprintf(c->path, sizeof c->path, "/tmp/ij-notify-log-XXXXXX");
  int fd = mkstemp(c->path);
  ck_assert_int_ge(fd, 0);
  fflush(stderr);
  c->saved = dup(2);
  dup2(fd, 2);
  close(fd);
  ij_log_min_level = IJ_LOG_DEBUG;
}

/* The log written since log_start (owned: free()). */
static char *log_stop(log_capture *c) {
  fflush(stderr);
  dup2(c->saved, 2);
  close(c->saved);
  FILE *f = fopen(c->path, "r");
  ck_assert_ptr_nonnull(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = calloc(1, (size_t)n + 1);
  ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  unlink(c->path);
  return text;
}

/* ---- delivery ---- */

START_TEST(each_message_is_sent_once_as_written) {
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], sms[37], email[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", sms);
  queue_message(referral, NULL, "hours_completed", "email", "sam@example.org", email);
  ij_time_us t = now_us();
  int sent = -1, failed = -1;
  ck_assert_int_eq(ij_outbox_run_once_at(S->service, 50, t, &sent, &failed), IJ_OK);
  ck_assert_int_ge(sent, 2);

  fn_record r = seen(fn, sms);
  ck_assert_int_eq(r.count, 1);
  ck_assert_int_eq(r.accepted, 1);
  ck_assert_str_eq(r.channel, "sms");
  json_t *body = json_loads(r.body, 0, NULL);
  ck_assert_str_eq(str(body, "phone_number"), "07700 900123");
  ck_assert_ptr_null(json_object_get(body, "email_address"));
  ck_assert_str_eq(str(body, "template_id"), TEMPLATE_SMS);
  ck_assert_str_eq(str(body, "reference"), sms);
  json_t *want = json_loads(PERSONALISATION, 0, NULL);
  ck_assert(json_equal(json_object_get(body, "personalisation"), want));
  ck_assert_int_eq(json_object_size(body), 4);
  json_decref(body);
  expect_column(sms, "status", "sending");
  expect_column(sms, "notify_id::text", r.notify_id);
  expect_column(sms, "attempts", "0");
  char when[24];
  snprintf(when, sizeof when, "%lld", (long long)t);
  expect_column(sms, "ij_us(sent_at)", when);
  expect_column(sms, "ij_us(status_at)", when);
  expect_column(sms, "coalesce(last_error, 'none')", "none");

  r = seen(fn, email);
  ck_assert_int_eq(r.count, 1);
  ck_assert_str_eq(r.channel, "email");
  body = json_loads(r.body, 0, NULL);
  ck_assert_str_eq(str(body, "email_address"), "sam@example.org");
  ck_assert_ptr_null(json_object_get(body, "phone_number"));
  ck_assert_str_eq(str(body, "template_id"), TEMPLATE_EMAIL);
  ck_assert_str_eq(str(body, "reference"), email);
  ck_assert(json_equal(json_object_get(body, "personalisation"), want));
  json_decref(body);
  json_decref(want);
  expect_column(email, "status", "sending");

  /* sent is sent: later rounds send nothing again */
  run_at(t + 3600 * IJ_US_PER_SECOND);
  ck_assert_int_eq(seen(fn, sms).count, 1);
  ck_assert_int_eq(seen(fn, email).count, 1);
  pthread_mutex_lock(&fn->mu);
  ck_assert_int_eq(fn->auth_refused, 0);
  ck_assert_int_eq(fn->body_refused, 0);
  pthread_mutex_unlock(&fn->mu);
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(a_message_not_yet_due_waits_for_its_time) {
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  const char *p[1] = {id};
  free(ts_sql("UPDATE messages SET next_attempt_at = now() + interval '1 hour' WHERE id = $1", 1,
              p));
  ij_time_us t = now_us();
  run_at(t);
  ck_assert_int_eq(seen(fn, id).count, 0);
  expect_column(id, "status", "queued");
  run_at(t + 3601 * IJ_US_PER_SECOND);
  ck_assert_int_eq(seen(fn, id).count, 1);
  expect_column(id, "status", "sending");
  finish_area();
  notify_stop(fn);
}
END_TEST

/* A JWT signed with another key is refused by Notify (403): a 4xx, so the message fails at once
 * with Notify's error, and the fake's check is shown to bite. */
START_TEST(a_wrong_key_is_refused_by_notify) {
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, "not-the-services-secret-key-at-all-0000", CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  run_at(now_us());
  ck_assert_int_eq(seen(fn, id).count, 0);
  pthread_mutex_lock(&fn->mu);
  ck_assert_int_eq(fn->auth_refused, 1);
  pthread_mutex_unlock(&fn->mu);
  expect_column(id, "status", "failed");
  expect_column(id, "last_error",
                "HTTP 403 AuthError: Invalid token: signature, api token not found");
  finish_area();
  notify_stop(fn);
}
END_TEST

typedef struct {
  ij_time_us now;
  int rounds;
  ij_err err;
} runner;

/* Rounds until the area has nothing queued (at most r->rounds): on a loaded machine one outbox
 * may spend its rounds finding the other's rows locked, so a fixed number of rounds would prove
 * nothing either way. */
static void *run_rounds(void *arg) {
  runner *r = arg;
  const char *p[1] = {AREA};
  for (int i = 0; i < r->rounds && r->err == IJ_OK; i++) {
    r->err = ij_outbox_run_once_at(S->service, 3, r->now, NULL, NULL);
    char *left =
        ts_sql("SELECT count(*) FROM messages WHERE area = $1 AND status = 'queued'", 1, p);
    bool done = left && strcmp(left, "0") == 0;
    free(left);
    if (done)
      break;
  }
  return NULL;
}

START_TEST(two_outboxes_at_once_send_each_message_once) {
  fake_notify *fn = notify_start();
  fn->await_pair = true;
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64];
  make_referral(referral);
  enum { N = 24 };
  char ids[N][37];
  for (int i = 0; i < N; i++)
    queue_message(referral, NULL, "booking_confirmation", i % 2 ? "sms" : "email",
                  i % 2 ? "07700 900123" : "sam@example.org", ids[i]);
  runner a = {now_us(), 100, IJ_OK}, b = a;
  pthread_t ta, tb;
  pthread_create(&ta, NULL, run_rounds, &a);
  pthread_create(&tb, NULL, run_rounds, &b);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  ck_assert_int_eq(a.err, IJ_OK);
  ck_assert_int_eq(b.err, IJ_OK);
  for (int i = 0; i < N; i++) {
    fn_record r = seen(fn, ids[i]);
    ck_assert_msg(r.count == 1 && r.accepted == 1, "message %d sent %d times", i, r.count);
    expect_column(ids[i], "status", "sending");
    expect_column(ids[i], "notify_id::text", r.notify_id);
  }
  pthread_mutex_lock(&fn->mu);
  /* both outboxes were at work at the same time (else this proves nothing about locking) */
  ck_assert_int_gt(fn->overlaps, 0);
  ck_assert_int_eq(fn->auth_refused, 0);
  ck_assert_int_eq(fn->body_refused, 0);
  pthread_mutex_unlock(&fn->mu);
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(server_errors_are_retried_with_backoff_then_sent_once) {
  fake_notify *fn = notify_start();
  fn->fail_first = 2;
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  ij_time_us t0 = now_us();
  char when[24];

  run_at(t0); /* 500 */
  ck_assert_int_eq(seen(fn, id).count, 1);
  expect_column(id, "status", "queued");
  expect_column(id, "attempts", "1");
  snprintf(when, sizeof when, "%lld", (long long)(t0 + 2 * IJ_US_PER_SECOND));
  expect_column(id, "ij_us(next_attempt_at)", when);
  expect_column(id, "last_error", "HTTP 500 Exception: Internal server error");

  run_at(t0 + IJ_US_PER_SECOND); /* not due yet */
  ck_assert_int_eq(seen(fn, id).count, 1);

  ij_time_us t1 = t0 + 2 * IJ_US_PER_SECOND;
  run_at(t1); /* 500 again */
  ck_assert_int_eq(seen(fn, id).count, 2);
  expect_column(id, "attempts", "2");
  snprintf(when, sizeof when, "%lld", (long long)(t1 + 4 * IJ_US_PER_SECOND));
  expect_column(id, "ij_us(next_attempt_at)", when);

  run_at(t1 + 3 * IJ_US_PER_SECOND); /* not due yet */
  ck_assert_int_eq(seen(fn, id).count, 2);

  ij_time_us t2 = t1 + 4 * IJ_US_PER_SECOND;
  run_at(t2); /* accepted */
  fn_record r = seen(fn, id);
  ck_assert_int_eq(r.count, 3);
  ck_assert_int_eq(r.accepted, 1);
  expect_column(id, "status", "sending");
  expect_column(id, "attempts", "2");
  expect_column(id, "notify_id::text", r.notify_id);
  snprintf(when, sizeof when, "%lld", (long long)t2);
  expect_column(id, "ij_us(sent_at)", when);
  expect_column(id, "coalesce(last_error, 'none')", "none");

  run_at(t2 + 3600 * IJ_US_PER_SECOND);
  ck_assert_int_eq(seen(fn, id).count, 3);
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(retries_run_out_after_ten_attempts) {
  fake_notify *fn = notify_start();
  fn->fail_first = 1000;
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  ij_time_us t = now_us();
  for (int i = 1; i <= 10; i++) {
    run_at(t);
    ck_assert_int_eq(seen(fn, id).count, i);
    char n[8];
    snprintf(n, sizeof n, "%d", i);
    expect_column(id, "attempts", n);
    t += 3601 * IJ_US_PER_SECOND; /* past any backoff */
  }
  expect_column(id, "status", "failed");
  expect_column(id, "last_error", "HTTP 500 Exception: Internal server error");
  run_at(t);
  ck_assert_int_eq(seen(fn, id).count, 10);
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(a_refusal_fails_at_once_with_notifys_error) {
  fake_notify *fn = notify_start();
  fn->reject = 1;
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  ij_time_us t = now_us();
  int sent = -1, failed = -1;
  ck_assert_int_eq(ij_outbox_run_once_at(S->service, 50, t, &sent, &failed), IJ_OK);
  ck_assert_int_ge(failed, 1);
  ck_assert_int_eq(seen(fn, id).count, 1);
  expect_column(id, "status", "failed");
  expect_column(id, "attempts", "1");
  expect_column(id, "last_error",
                "HTTP 400 BadRequestError: Can't send to this recipient using a team-only API key");
  char when[24];
  snprintf(when, sizeof when, "%lld", (long long)t);
  expect_column(id, "ij_us(status_at)", when);
  run_at(t + 7200 * IJ_US_PER_SECOND);
  ck_assert_int_eq(seen(fn, id).count, 1);
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(a_timeout_is_retried) {
  fake_notify *fn = notify_start();
  fn->delay_first_ms = 11000; /* past the outbox's 10 s */
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  ij_time_us t = now_us();
  run_at(t);
  expect_column(id, "status", "queued");
  expect_column(id, "attempts", "1");
  char *error = column(id, "last_error");
  ck_assert_ptr_nonnull(error);
  ck_assert_msg(strstr(error, "imeout") || strstr(error, "timed out"), "%s", error);
  free(error);
  char when[24];
  snprintf(when, sizeof when, "%lld", (long long)(t + 2 * IJ_US_PER_SECOND));
  expect_column(id, "ij_us(next_attempt_at)", when);
  /* the next attempt gets an answer */
  run_at(t + 2 * IJ_US_PER_SECOND);
  expect_column(id, "status", "sending");
  /* two requests arrived; the first one's late answer (the fake still gives one) may come before
   * or after this check, so the service's own record is what counts */
  pthread_mutex_lock(&fn->mu);
  ck_assert_int_eq(fn->requests, 2);
  pthread_mutex_unlock(&fn->mu);
  expect_column(id, "attempts", "1");
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(an_unreachable_notify_is_retried) {
  fake_notify *fn = notify_start();
  int port = fn->port;
  notify_stop(fn); /* nobody listens there now */
  set_notify(AREA, port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  run_at(now_us());
  expect_column(id, "status", "queued");
  expect_column(id, "attempts", "1");
  finish_area();
}
END_TEST

/* ---- reminders no longer wanted ---- */

/* A session of a new placement starting in `hours_ahead` hours; writes its id. */
static void make_session(int hours_ahead, char session[37]) {
  char placement[37], ahead[16];
  new_uuid(placement);
  new_uuid(session);
  snprintf(ahead, sizeof ahead, "%d", hours_ahead);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Allotment tidy-up', 'gardening', 'Allotments Society', 'ward-a', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              2, p1));
  const char *p2[4] = {session, AREA, placement, ahead};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " date_trunc('minute', now()) + $4::int * interval '1 hour',"
              " date_trunc('minute', now()) + $4::int * interval '1 hour' + interval '3 hours',"
              " 6, 'sup-1', 'Sup One', now(), now())",
              4, p2));
}

/* An accepted referral booked on the session (by the API); writes the referral and booking. */
static void booked(const char *session, char referral[64], char booking[37]) {
  make_referral(referral);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", referral);
  ts_response *r =
      ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"ok\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  char body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(booking, 37, "%s", str(r->json, "id"));
  ts_response_free(r);
  free(coord);
}

START_TEST(a_reminder_for_a_booking_ended_since_is_cancelled_not_sent) {
  char s1[37], s2[37], s3[37];
  make_session(48, s1);
  make_session(52, s2);
  make_session(56, s3);
  char r1[64], r2[64], r3[64], b1[37], b2[37], b3[37];
  booked(s1, r1, b1);
  booked(s2, r2, b2);
  booked(s3, r3, b3);
  /* the Notify service after the bookings: no other message is written about them */
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char m1[37], m2[37], m3[37];
  queue_message(r1, b1, "reminder", "sms", "07700 900123", m1);
  queue_message(r2, b2, "reminder", "sms", "07700 900124", m2);
  queue_message(r3, b3, "reminder", "sms", "07700 900125", m3);
  /* the first booking is cancelled, the second's session is cancelled, the third stands */
  const char *p1[1] = {b1};
  free(ts_sql("UPDATE bookings SET status = 'cancelled' WHERE id = $1", 1, p1));
  const char *p2[1] = {s2};
  free(ts_sql("UPDATE sessions SET cancelled = true WHERE id = $1", 1, p2));
  ij_time_us t = now_us();
  run_at(t);
  ck_assert_int_eq(seen(fn, m1).count, 0);
  ck_assert_int_eq(seen(fn, m2).count, 0);
  ck_assert_int_eq(seen(fn, m3).count, 1);
  expect_column(m1, "status", "cancelled");
  expect_column(m2, "status", "cancelled");
  expect_column(m3, "status", "sending");
  expect_column(m1, "coalesce(notify_id::text, 'none')", "none");
  char when[24];
  snprintf(when, sizeof when, "%lld", (long long)t);
  expect_column(m1, "ij_us(status_at)", when);
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(a_reminder_claimed_after_its_session_started_is_cancelled) {
  char s[37], referral[64], booking[37];
  make_session(30, s);
  booked(s, referral, booking);
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char m[37];
  queue_message(referral, booking, "reminder", "sms", "07700 900123", m);
  run_at(now_us() + 31 * IJ_US_PER_HOUR); /* the outbox comes to it after the session began */
  ck_assert_int_eq(seen(fn, m).count, 0);
  expect_column(m, "status", "cancelled");
  finish_area();
  notify_stop(fn);
}
END_TEST

/* ---- receipts ---- */

static ts_response *receipt(const char *area, const char *token, const char *body) {
  char path[160], auth[256];
  snprintf(path, sizeof path, "/v1/areas/%s/notify/receipts", area);
  snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
  const char *const headers[] = {auth, NULL};
  return ts_http(S, "POST", R_RECEIPTS, path, NULL, token ? headers : NULL, body);
}

static char *receipt_body(const char *notify_id, const char *reference, const char *status,
                          const char *completed_at) {
  json_t *j =
      json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:i}", "id", notify_id, "reference",
                reference ? json_string(reference) : json_null(), "to", "07700 900123", "status",
                status, "created_at", "2026-12-05T17:59:58.000000Z", "completed_at",
                completed_at ? json_string(completed_at) : json_null(), "sent_at",
                "2026-12-05T17:59:59.000000Z", "notification_type", "sms", "template_id",
                TEMPLATE_SMS, "template_version", 1);
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return text;
}

/* Every column of a message, as one text (owned: free()). */
static char *row_of(const char *id) {
  const char *p[1] = {id};
  return ts_sql("SELECT m::text FROM messages m WHERE id = $1::uuid", 1, p);
}

static void expect_problem(ts_response *r, long status) {
  ck_assert_int_eq(r->status, status);
  ck_assert_str_eq(r->content_type, "application/problem+json");
}

/* Sends two messages; writes their ids and Notify's ids for them. */
static void two_sent(fake_notify *fn, char a[37], char b[37], char na[37], char nb[37]) {
  char referral[64];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", a);
  queue_message(referral, NULL, "hours_completed", "sms", "07700 900123", b);
  run_at(now_us());
  snprintf(na, 37, "%s", seen(fn, a).notify_id);
  snprintf(nb, 37, "%s", seen(fn, b).notify_id);
  ck_assert_int_eq(strlen(na), 36);
  ck_assert_int_eq(strlen(nb), 36);
}

START_TEST(receipts_with_the_right_token_record_the_status) {
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char a[37], b[37], na[37], nb[37];
  two_sent(fn, a, b, na, nb);

  char *body = receipt_body(na, a, "delivered", "2026-12-05T18:00:01.250000Z");
  ts_response *r = receipt(AREA, CALLBACK_TOKEN, body);
  ck_assert_int_eq(r->status, 204);
  ts_response_free(r);
  free(body);
  expect_column(a, "status", "delivered");
  ij_time_us at;
  ck_assert_int_eq(ij_time_parse("2026-12-05T18:00:01.25Z", &at), IJ_OK);
  char when[24];
  snprintf(when, sizeof when, "%lld", (long long)at);
  expect_column(a, "ij_us(status_at)", when);
  expect_column(b, "status", "sending");

  /* by Notify's id alone (no reference), a failure */
  body = receipt_body(nb, NULL, "permanent-failure", NULL);
  r = receipt(AREA, CALLBACK_TOKEN, body);
  ck_assert_int_eq(r->status, 204);
  ts_response_free(r);
  free(body);
  expect_column(b, "status", "permanent-failure");
  expect_column(b, "notify_id::text", nb);
  expect_column(a, "status", "delivered");

  /* a message the area does not have */
  char other[37], other_notify[37];
  new_uuid(other);
  new_uuid(other_notify);
  body = receipt_body(other_notify, other, "delivered", NULL);
  r = receipt(AREA, CALLBACK_TOKEN, body);
  expect_problem(r, 404);
  ts_response_free(r);
  free(body);
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(receipts_without_the_right_token_change_nothing) {
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char a[37], b[37], na[37], nb[37];
  two_sent(fn, a, b, na, nb);
  char *before = row_of(a);
  char *body = receipt_body(na, a, "permanent-failure", NULL);
  const char *wrong[] = {"receipts-token-0123456789abcdefghijklmnoq", "", NULL};
  for (int i = 0; i < 3; i++) {
    ts_response *r = receipt(AREA, wrong[i], body);
    expect_problem(r, 401);
    ck_assert_ptr_null(strstr(r->body, CALLBACK_TOKEN));
    ts_response_free(r);
  }
  /* not a bearer token */
  char path[160];
  snprintf(path, sizeof path, "/v1/areas/%s/notify/receipts", AREA);
  char basic[128];
  snprintf(basic, sizeof basic, "Authorization: Basic %s", CALLBACK_TOKEN);
  ts_response *r =
      ts_http(S, "POST", R_RECEIPTS, path, NULL, (const char *const[]){basic, NULL}, body);
  expect_problem(r, 401);
  ts_response_free(r);
  /* one of our own tokens is no callback token */
  char *admin = ts_token("admin", AREA, "admin-1");
  r = receipt(AREA, admin, body);
  expect_problem(r, 401);
  ts_response_free(r);
  free(admin);

  /* another area's token: refused, though it is that area's right one */
  char other[IJ_AREA_MAX];
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  ts_new_area(c, other);
  ij_store_release(S->store, c);
  set_notify(other, fn->port, SECRET_KEY, "another-areas-token-0123456789abcdefghijkl");
  r = receipt(AREA, "another-areas-token-0123456789abcdefghijkl", body);
  expect_problem(r, 401);
  ts_response_free(r);
  /* and the right token on the other area's path finds no message of ours there */
  r = receipt(other, "another-areas-token-0123456789abcdefghijkl", body);
  expect_problem(r, 404);
  ts_response_free(r);

  /* a wrong token hears nothing of the body's faults either */
  r = receipt(AREA, wrong[0], "{\"id\":\"nope\"}");
  expect_problem(r, 401);
  ck_assert_ptr_null(json_object_get(r->json, "errors"));
  ts_response_free(r);
  r = receipt(AREA, wrong[0], "not json");
  expect_problem(r, 401);
  ts_response_free(r);

  char *after = row_of(a);
  ck_assert_str_eq(after, before);
  free(before);
  free(after);
  free(body);

  /* an area with no callback token refuses every receipt */
  const char *p[1] = {AREA};
  free(ts_sql("UPDATE area_notify_secrets SET callback_token_sha256 = NULL WHERE area = $1", 1, p));
  body = receipt_body(na, a, "delivered", NULL);
  r = receipt(AREA, CALLBACK_TOKEN, body);
  expect_problem(r, 401);
  ts_response_free(r);
  free(body);
  expect_column(a, "status", "sending");
  finish_area();
  notify_stop(fn);
}
END_TEST

START_TEST(a_bad_receipt_names_every_bad_field) {
  fake_notify *fn = notify_start();
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char a[37], b[37], na[37], nb[37];
  two_sent(fn, a, b, na, nb);
  char *before = row_of(a);
  ts_response *r = receipt(
      AREA, CALLBACK_TOKEN,
      "{\"id\":\"not-a-uuid\",\"reference\":7,\"status\":\"sent\",\"completed_at\":\"yesterday\"}");
  expect_problem(r, 422);
  json_t *errors = json_object_get(r->json, "errors");
  ck_assert_int_eq(json_array_size(errors), 4);
  const char *fields[] = {"id", "reference", "status", "completed_at"};
  for (int i = 0; i < 4; i++)
    ck_assert_str_eq(str(json_array_get(errors, (size_t)i), "field"), fields[i]);
  ts_response_free(r);
  r = receipt(AREA, CALLBACK_TOKEN, "{}");
  expect_problem(r, 422);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), 2);
  ts_response_free(r);
  r = receipt(AREA, CALLBACK_TOKEN, "[1, 2]");
  expect_problem(r, 400);
  ts_response_free(r);
  r = receipt(AREA, CALLBACK_TOKEN, "not json");
  expect_problem(r, 400);
  ts_response_free(r);
  char *after = row_of(a);
  ck_assert_str_eq(after, before);
  free(before);
  free(after);

  /* an area the service does not know */
  char *body = receipt_body(na, a, "delivered", NULL);
  r = receipt("no-such-area", CALLBACK_TOKEN, body);
  expect_problem(r, 404);
  ts_response_free(r);
  free(body);
  finish_area();
  notify_stop(fn);
}
END_TEST

/* ---- secrets ---- */

START_TEST(no_secret_reaches_an_answer_an_error_or_the_log) {
  log_capture cap;
  log_start(&cap);
  fake_notify *fn = notify_start();
  fn->reject = 1;
  fn->echo_key = true; /* Notify's error quotes the key: it must not be kept or logged */
  set_notify(AREA, fn->port, SECRET_KEY, CALLBACK_TOKEN);
  char referral[64], id[37];
  make_referral(referral);
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id);
  run_at(now_us());
  expect_column(id, "status", "failed");
  char *error = column(id, "last_error");
  ck_assert_ptr_nonnull(error);
  ck_assert_ptr_null(strstr(error, SECRET_KEY));
  ck_assert_ptr_nonnull(strstr(error, "team-only API key"));
  free(error);
  pthread_mutex_lock(&fn->mu);
  char jwt[1024];
  snprintf(jwt, sizeof jwt, "%s", fn->last_jwt);
  pthread_mutex_unlock(&fn->mu);
  ck_assert_int_gt(strlen(jwt), 40);

  /* receipts, refused and accepted */
  fn->reject = 0;
  char id2[37];
  queue_message(referral, NULL, "booking_confirmation", "sms", "07700 900123", id2);
  run_at(now_us());
  char *body = receipt_body(seen(fn, id2).notify_id, id2, "delivered", NULL);
  const char *tokens[] = {"a-wrong-token-that-is-long-enough-0123456789", CALLBACK_TOKEN};
  for (int i = 0; i < 2; i++) {
    ts_response *r = receipt(AREA, tokens[i], body);
    ck_assert_int_eq(r->status, i == 0 ? 401 : 204);
    ck_assert(!r->body || !strstr(r->body, CALLBACK_TOKEN));
    ck_assert(!r->body || !strstr(r->body, SECRET_KEY));
    ts_response_free(r);
  }
  free(body);
  char *log = log_stop(&cap);
  /* the log was captured: the outbox's refusal line is in it */
  ck_assert_msg(strstr(log, id) != NULL, "the log holds no line about %s", id);
  ck_assert_ptr_null(strstr(log, SECRET_KEY));
  ck_assert_ptr_null(strstr(log, CALLBACK_TOKEN));
  ck_assert_ptr_null(strstr(log, jwt));
  /* nor any part of the JWT's signature */
  ck_assert_ptr_null(strstr(log, strrchr(jwt, '.') + 1));
  free(log);
  finish_area();
  notify_stop(fn);
}
END_TEST

/* ---- the whole path: the admin's settings, a booking, the outbox, the reminder, the receipt ----
 */

static const char *const TEMPLATE_REMINDER = "22222222-3333-4444-8555-666666666666";

/* A message of the referral by kind, as a coordinator reads it through the API (owned:
 * json_decref), NULL when there is none. */
static json_t *message_of(const char *referral, const char *kind) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/messages", referral);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}/messages", path, coord, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  json_t *found = NULL, *m;
  size_t i;
  json_array_foreach(json_object_get(r->json, "items"), i, m) {
    if (strcmp(str(m, "kind"), kind) == 0) {
      ck_assert_msg(!found, "two %s messages", kind);
      found = json_incref(m);
    }
  }
  ts_response_free(r);
  free(coord);
  return found;
}

static ij_time_us at_sql1(const char *q, const char *arg) {
  const char *p[1] = {arg};
  char *v = ts_sql(q, 1, p);
  ck_assert_ptr_nonnull(v);
  ij_time_us t = atoll(v);
  free(v);
  return t;
}

START_TEST(the_admins_settings_a_booking_its_reminder_and_receipt_through_the_real_path) {
  fake_notify *fn = notify_start();
  char *admin = ts_token("admin", AREA, "admin-1");
  char path[160], body[1024];
  /* the admin sets the service and its templates through the API */
  snprintf(path, sizeof path, "/v1/areas/%s/notify", AREA);
  snprintf(body, sizeof body,
           "{\"api_key\":\"ij-test-%s-%s\",\"callback_token\":\"%s\","
           "\"base_url\":\"http://127.0.0.1:%d\",\"reminder_time\":\"18:00\",\"welsh\":false}",
           SERVICE_ID, SECRET_KEY, CALLBACK_TOKEN, fn->port);
  ts_response *r = ts_http(S, "PUT", "/v1/areas/{area}/notify", path, admin, NULL, body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/areas/%s/message-templates", AREA);
  snprintf(body, sizeof body,
           "{\"templates\":[{\"kind\":\"booking_confirmation\",\"language\":\"en\","
           "\"channel\":\"sms\",\"template_id\":\"%s\"},{\"kind\":\"reminder\",\"language\":\"en\","
           "\"channel\":\"sms\",\"template_id\":\"%s\"}]}",
           TEMPLATE_SMS, TEMPLATE_REMINDER);
  r = ts_http(S, "PUT", "/v1/areas/{area}/message-templates", path, admin, NULL, body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);

  /* an officer refers a person who agreed to texts; a coordinator books them three days ahead */
  char *officer = ts_token("officer", AREA, "pc-101");
  char *text = ts_referral_body("ward-a");
  json_t *j = json_loads(text, 0, NULL);
  free(text);
  json_t *person = json_object_get(j, "person");
  json_object_set_new(person, "name", json_string("Robin Example"));
  json_object_set_new(person, "phone", json_string("07700 900456"));
  json_object_set_new(person, "police_id", json_string("22/E2E/1"));
  json_object_set_new(j, "contact_consent", json_true());
  text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, text);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  char referral[64], session[37], booking[37];
  snprintf(referral, sizeof referral, "%s", ts_id(r));
  ts_response_free(r);
  free(text);
  make_session(72, session);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", referral);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"ok\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(booking, sizeof booking, "%s", str(r->json, "id"));
  ts_response_free(r);

  /* the confirmation was queued with the booking, and the outbox sends it once, as written */
  json_t *m = message_of(referral, "booking_confirmation");
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(str(m, "status"), "queued");
  ck_assert_str_eq(str(m, "recipient"), "person");
  ck_assert_str_eq(str(m, "channel"), "sms");
  char confirmation[37];
  snprintf(confirmation, sizeof confirmation, "%s", str(m, "id"));
  json_decref(m);
  run_at(now_us());
  run_at(now_us());
  fn_record got = seen(fn, confirmation);
  ck_assert_int_eq(got.count, 1);
  ck_assert_int_eq(got.accepted, 1);
  ck_assert_str_eq(got.channel, "sms");
  json_t *sent = json_loads(got.body, 0, NULL);
  ck_assert_ptr_nonnull(sent);
  ck_assert_str_eq(str(sent, "template_id"), TEMPLATE_SMS);
  ck_assert_str_eq(str(sent, "reference"), confirmation);
  ck_assert_ptr_nonnull(strstr(str(sent, "phone_number"), "900456"));
  json_t *pers = json_object_get(sent, "personalisation");
  ck_assert_str_eq(str(pers, "name"), "Robin Example");
  ck_assert_str_eq(str(pers, "place"), "Allotment tidy-up");
  /* the session's day and start in UK time, as PostgreSQL reads them */
  const char *ps[1] = {session};
  char *day =
      ts_sql("SELECT trim(to_char(starts_at AT TIME ZONE 'Europe/London', 'FMDay FMDD FMMonth"
             " YYYY')) FROM sessions WHERE id = $1",
             1, ps);
  ck_assert_str_eq(str(pers, "date"), day);
  free(day);
  json_decref(sent);
  m = message_of(referral, "booking_confirmation");
  ck_assert_str_eq(str(m, "status"), "sending");
  json_decref(m);

  /* the reminder: nothing before 18:00 UK time the day before; then exactly one */
  ij_time_us due =
      at_sql1("SELECT ij_us(((starts_at AT TIME ZONE 'Europe/London')::date - 1 + time '18:00')"
              " AT TIME ZONE 'Europe/London') FROM sessions WHERE id = $1",
              session);
  run_at(due - 60 * IJ_US_PER_SECOND);
  ck_assert_ptr_null(message_of(referral, "reminder"));
  run_at(due + 60 * IJ_US_PER_SECOND);
  run_at(due + 120 * IJ_US_PER_SECOND);
  m = message_of(referral, "reminder");
  ck_assert_ptr_nonnull(m);
  char reminder[37];
  snprintf(reminder, sizeof reminder, "%s", str(m, "id"));
  ck_assert_str_eq(str(m, "status"), "sending");
  json_decref(m);
  got = seen(fn, reminder);
  ck_assert_int_eq(got.count, 1);
  sent = json_loads(got.body, 0, NULL);
  ck_assert_str_eq(str(sent, "template_id"), TEMPLATE_REMINDER);
  json_decref(sent);

  /* Notify's receipt, with the token the admin set, marks it delivered */
  char *receipt_text = receipt_body(got.notify_id, reminder, "delivered", "2026-12-05T18:01:00Z");
  r = receipt(AREA, CALLBACK_TOKEN, receipt_text);
  ck_assert_msg(r->status == 204, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(receipt_text);
  m = message_of(referral, "reminder");
  ck_assert_str_eq(str(m, "status"), "delivered");
  json_decref(m);
  ck_assert_int_eq(fn->auth_refused + fn->body_refused, 0);

  (void)booking;
  finish_area();
  free(coord);
  free(officer);
  free(admin);
  notify_stop(fn);
}
END_TEST

Suite *http_message_delivery_suite(void) {
  Suite *s = suite_create("http_message_delivery");
  TCase *tc = tcase_create("message_delivery");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, each_message_is_sent_once_as_written);
  tcase_add_test(tc, a_message_not_yet_due_waits_for_its_time);
  tcase_add_test(tc, a_wrong_key_is_refused_by_notify);
  tcase_add_test(tc, two_outboxes_at_once_send_each_message_once);
  tcase_add_test(tc, server_errors_are_retried_with_backoff_then_sent_once);
  tcase_add_test(tc, retries_run_out_after_ten_attempts);
  tcase_add_test(tc, a_refusal_fails_at_once_with_notifys_error);
  tcase_add_test(tc, a_timeout_is_retried);
  tcase_add_test(tc, an_unreachable_notify_is_retried);
  tcase_add_test(tc, a_reminder_for_a_booking_ended_since_is_cancelled_not_sent);
  tcase_add_test(tc, a_reminder_claimed_after_its_session_started_is_cancelled);
  tcase_add_test(tc, receipts_with_the_right_token_record_the_status);
  tcase_add_test(tc, receipts_without_the_right_token_change_nothing);
  tcase_add_test(tc, a_bad_receipt_names_every_bad_field);
  tcase_add_test(tc, no_secret_reaches_an_answer_an_error_or_the_log);
  tcase_add_test(tc, the_admins_settings_a_booking_its_reminder_and_receipt_through_the_real_path);
  suite_add_tcase(s, tc);
  return s;
}
