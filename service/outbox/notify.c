/* One request to GOV.UK Notify's REST API (v2): POST /v2/notifications/sms or /email, the body
 * {"phone_number" | "email_address", "template_id", "personalisation", "reference"}, signed with
 * a JWT (HS256 with the service's secret key; claims iss: the service id, iat: now), as Notify's
 * own clients make it. Notify refuses a JWT whose iat is more than 30 seconds from its clock, so
 * iat is always the real clock, whatever time the round was asked to run at. */
#include <jansson.h>
#include <pthread.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/ids.h"
#include "outbox_internal.h"

#define ANSWER_MAX 16384

static pthread_once_t rhonabwy_once = PTHREAD_ONCE_INIT;
static void rhonabwy_init(void) {
  r_global_init();
}

/* The bearer token (owned: r_free), or NULL when it cannot be made. */
static char *make_jwt(const char *service_id, const char *secret_key) {
  pthread_once(&rhonabwy_once, rhonabwy_init);
  jwt_t *jwt = NULL;
  jwk_t *key = NULL;
  char *token = NULL;
  if (r_jwt_init(&jwt) == RHN_OK && r_jwk_init(&key) == RHN_OK &&
      r_jwk_import_from_symmetric_key(key, (const unsigned char *)secret_key, strlen(secret_key)) ==
          RHN_OK &&
      r_jwt_set_header_str_value(jwt, "typ", "JWT") == RHN_OK &&
      r_jwt_set_sign_alg(jwt, R_JWA_ALG_HS256) == RHN_OK &&
      r_jwt_set_claim_str_value(jwt, "iss", service_id) == RHN_OK &&
      r_jwt_set_claim_int_value(jwt, "iat", (rhn_int_t)time(NULL)) == RHN_OK)
    token = r_jwt_serialize_signed(jwt, key, 0);
  r_jwk_free(key);
  r_jwt_free(jwt);
  return token;
}

/* The request's body (owned: free()), or NULL when the message's data cannot make one. */
static char *make_body(const ij_message_delivery *msg) {
  bool sms = strcmp(msg->channel, "sms") == 0;
  json_t *personalisation = json_loads(msg->personalisation ? msg->personalisation : "{}", 0, NULL);
  if (!json_is_object(personalisation)) {
    json_decref(personalisation);
    return NULL;
  }
  json_t *body = json_pack("{s:s, s:s, s:o, s:s}", sms ? "phone_number" : "email_address",
                           msg->to_address, "template_id", msg->template_id, "personalisation",
                           personalisation, "reference", msg->id);
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  return text;
}

typedef struct {
  char *data;
  size_t len;
} answer_buf;

static size_t keep_answer(char *p, size_t size, size_t n, void *user) {
  answer_buf *a = user;
  size_t got = size * n;
  size_t room = ANSWER_MAX - a->len;
  size_t take = got < room ? got : room; /* the rest is dropped: Notify's answers are small */
  if (take) {
    memcpy(a->data + a->len, p, take);
    a->len += take;
    a->data[a->len] = 0;
  }
  return got;
}

/* Blanks every occurrence of `secret` in text (an error Notify or libcurl echoed must not carry
 * the key or the token on into last_error or the log). */
static void scrub(char *text, const char *secret) {
  size_t n = secret ? strlen(secret) : 0;
  if (n < 8)
    return;
  for (char *p = strstr(text, secret); p; p = strstr(p, secret))
    memset(p, '*', n);
}

/* What a 2xx answer names (its "id"), or what a refusal says ("errors"[0]'s "error: message"). */
static void read_answer(const char *data, ij_notify_answer *out) {
  json_t *j = data ? json_loads(data, 0, NULL) : NULL;
  if (out->status >= 200 && out->status <= 299) {
    char id[IJ_UUID_BUF];
    if (ij_uuid_canonical(json_string_value(json_object_get(j, "id")), id))
      memcpy(out->notify_id, id, sizeof id);
  } else {
    json_t *first = json_array_get(json_object_get(j, "errors"), 0);
    const char *error = json_string_value(json_object_get(first, "error"));
    const char *message = json_string_value(json_object_get(first, "message"));
    if (error || message)
      snprintf(out->error, sizeof out->error, "HTTP %ld %s%s%s", out->status, error ? error : "",
               error && message ? ": " : "", message ? message : "");
    else
      snprintf(out->error, sizeof out->error, "HTTP status %ld", out->status);
  }
  json_decref(j);
}

void ij_outbox_notify_post(CURLM *m, CURL *c, atomic_bool *stop, const ij_message_delivery *msg,
                           ij_notify_answer *out) {
  memset(out, 0, sizeof *out);
  bool sms = strcmp(msg->channel, "sms") == 0;
  char url[1024];
  size_t base = strlen(msg->base_url);
  while (base > 0 && msg->base_url[base - 1] == '/')
    base--;
  snprintf(url, sizeof url, "%.*s/v2/notifications/%s", (int)base, msg->base_url,
           sms ? "sms" : "email");
  char *body = make_body(msg);
  if (!body) {
    snprintf(out->error, sizeof out->error, "the message's personalisation is not a JSON object");
    return;
  }
  char *jwt = make_jwt(msg->service_id, msg->secret_key);
  if (!jwt) {
    snprintf(out->error, sizeof out->error, "could not sign the request");
    free(body);
    return;
  }
  size_t auth_len = strlen(jwt) + 32;
  char *auth = malloc(auth_len);
  char *answer = malloc(ANSWER_MAX + 1);
  struct curl_slist *headers = NULL;
  if (auth && answer) {
    snprintf(auth, auth_len, "Authorization: Bearer %s", jwt);
    const char *lines[] = {"Content-Type: application/json", "Accept: application/json",
                           "Expect:" /* no 100-continue round trip */, auth};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
      struct curl_slist *grown = curl_slist_append(headers, lines[i]);
      if (!grown) {
        curl_slist_free_all(headers);
        headers = NULL;
        break;
      }
      headers = grown;
    }
  }
  if (!headers) {
    snprintf(out->error, sizeof out->error, "out of memory");
    goto done;
  }
  answer[0] = 0;
  answer_buf buf = {answer, 0};
  char curl_error[CURL_ERROR_SIZE] = "";
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, IJ_OUTBOX_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "immediate-justice-outbox/1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  bool abandoned;
  CURLcode rc = ij_outbox_perform(m, c, stop, &abandoned);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  /* the handle keeps pointers to this call's buffers: drop them before they go */
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
  if (abandoned) {
    out->abandoned = true;
  } else if (rc != CURLE_OK) {
    /* no answer (or not all of one): a timeout or a connection error, tried again later */
    out->status = 0;
    snprintf(out->error, sizeof out->error, "%s%s%s", curl_easy_strerror(rc),
             curl_error[0] ? ": " : "", curl_error);
  } else {
    out->status = status;
    read_answer(answer, out);
  }
done:
  scrub(out->error, msg->secret_key);
  scrub(out->error, jwt);
  curl_slist_free_all(headers);
  if (auth) {
    memset(auth, 0, auth_len);
    free(auth);
  }
  free(answer);
  memset(jwt, 0, strlen(jwt));
  r_free(jwt);
  free(body);
}
