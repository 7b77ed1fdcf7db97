#include "ij/store/reference.h"
#include "ij/store/refdata.h"
#include "support.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *private_jwk, *public_jwks;
static const char *database_url, *service_url;

static void init_once(void) {
  service_url = getenv("DATABASE_URL");
  database_url = getenv("DATABASE_OWNER_URL");
  if (!database_url || !*database_url)
    database_url = service_url;
  if (!service_url || !*service_url) {
    fprintf(stderr, "DATABASE_URL must name the test database (scripts/test sets it, and"
                    " DATABASE_OWNER_URL for its owner)\n");
    exit(2);
  }
  int applied = 0, version = 0;
  if (ij_store_migrate(database_url, &applied, &version) != IJ_OK) {
    fprintf(stderr, "cannot migrate the test database\n");
    exit(2);
  }
  if (ij_auth_keygen("test-key", &private_jwk, &public_jwks) != IJ_OK) {
    fprintf(stderr, "cannot make a test key pair\n");
    exit(2);
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *ts_database_url(void) {
  pthread_once(&once, init_once);
  return database_url;
}

const char *ts_service_url(void) {
  pthread_once(&once, init_once);
  return service_url;
}

const char *ts_private_jwk(void) {
  pthread_once(&once, init_once);
  return private_jwk;
}

const char *ts_public_jwks(void) {
  pthread_once(&once, init_once);
  return public_jwks;
}

ij_store *ts_store(int size) {
  ij_store_options o = {ts_database_url(), size, 10000, true, false};
  ij_store *s = NULL;
  ck_assert_int_eq(ij_store_open(&o, &s), IJ_OK);
  return s;
}

void ts_new_area(ij_conn *conn, char out[IJ_AREA_MAX]) {
  uuid_t u;
  char text[37];
  uuid_generate_random(u);
  uuid_unparse_lower(u, text);
  snprintf(out, IJ_AREA_MAX, "t%.8s%.4s", text, text + 9);
  ck_assert_int_eq(ij_store_area_upsert(conn, out, "Test area"), IJ_OK);
  ck_assert_int_eq(ij_store_ward_upsert(conn, out, "ward-a", "Ward A"), IJ_OK);
  ck_assert_int_eq(ij_store_ward_upsert(conn, out, "ward-b", "Ward B"), IJ_OK);
  /* the supervisors the tests' sessions name, in the area's directory */
  static const char *const subs[] = {"sup-1", "sup-2", "sup-3"};
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    ij_rows rows;
    ck_assert_int_eq(ij_store_supervisor_add(conn, out, subs[i], "Test Supervisor", NULL, NULL,
                                             (ij_time_us)time(NULL) * IJ_US_PER_SECOND, &rows),
                     IJ_OK);
    ij_rows_clear(&rows);
  }
}

int ts_local_server(struct _u_instance *instance, const char *method, const char *path,
                    int (*cb)(const struct _u_request *, struct _u_response *, void *), void *user,
                    int threads) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = 0; /* a spare port */
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ck_assert_int_eq(ulfius_init_instance(instance, 8080, &addr, NULL), U_OK);
  ck_assert_int_eq(ulfius_add_endpoint_by_val(instance, method, path, NULL, 0, cb, user), U_OK);
  struct MHD_OptionItem ops[] = {
      {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, &addr},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
      {MHD_OPTION_END, 0, NULL}};
  ck_assert_int_eq(ulfius_start_framework_with_mhd_options(
                       instance, MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, ops),
                   U_OK);
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(instance->mhd_daemon, MHD_DAEMON_INFO_LISTEN_FD);
  ck_assert_ptr_nonnull(info);
  struct sockaddr_in bound;
  socklen_t len = sizeof bound;
  ck_assert_int_eq(getsockname(info->listen_fd, (struct sockaddr *)&bound, &len), 0);
  return ntohs(bound.sin_port);
}

bool ts_db_prepare(void) {
  const char *prepare = getenv("IJ_DB_PREPARE");
  return !prepare || (strcmp(prepare, "false") != 0 && strcmp(prepare, "0") != 0);
}

char *ts_token(const char *roles, const char *area, const char *sub) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", roles);
  const char *list[8] = {NULL};
  int n = 0;
  char *save = NULL;
  for (char *r = strtok_r(buf, ",", &save); r && n < 7; r = strtok_r(NULL, ",", &save))
    list[n++] = r;
  char *token = NULL;
  ck_assert_int_eq(ij_auth_mint(ts_private_jwk(), "ij-test", "immediate-justice", sub, sub, area,
                                list, (int64_t)time(NULL), 3600, &token),
                   IJ_OK);
  return token;
}

ts_server *ts_server_start(int pool) {
  ts_server *s = calloc(1, sizeof *s);
  ck_assert_ptr_nonnull(s);
  /* the service's own role, as `ij serve` connects: row-level security binds it;
   * IJ_DB_PREPARE=false as behind a transaction pooler (tests/pgbouncer/run.sh) */
  ij_store_options so = {ts_service_url(), pool, 10000, ts_db_prepare(), true};
  ck_assert_int_eq(ij_store_open(&so, &s->service), IJ_OK);
  s->store = ts_store(pool);
  ck_assert_int_eq(ij_auth_open(ts_public_jwks(), "ij-test", "immediate-justice", &s->auth), IJ_OK);
  ij_http_options o = {"127.0.0.1",    0, 4,  1000, 30,    65536, 4L << 20,
                       {2, 20, 7, 48}, 5, 10, 2,    30000, 10,    0};
  ck_assert_int_eq(ij_http_start(&o, s->service, s->auth, &s->server), IJ_OK);
  s->port = ij_http_port(s->server);
  return s;
}

void ts_server_stop(ts_server *s) {
  if (!s)
    return;
  ij_http_stop(s->server);
  ij_store_close(s->service);
  ij_store_close(s->store);
  ij_auth_close(s->auth);
  free(s);
}

typedef struct {
  char *data;
  size_t len;
} buffer;

static size_t on_body(char *p, size_t size, size_t n, void *user) {
  buffer *b = user;
  size_t add = size * n;
  char *grown = realloc(b->data, b->len + add + 1);
  if (!grown)
    return 0;
  b->data = grown;
  memcpy(b->data + b->len, p, add);
  b->len += add;
  b->data[b->len] = 0;
  return add;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t size) {
  size_t n = strlen(name);
  if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
    return;
  const char *v = line + n + 1;
  while (*v == ' ')
    v++;
  size_t vlen = len - (size_t)(v - line);
  while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
    vlen--;
  if (vlen >= size)
    vlen = size - 1;
  memcpy(out, v, vlen);
  out[vlen] = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *user) {
  ts_response *r = user;
  size_t len = size * n;
  header_value(p, len, "ETag", r->etag, sizeof r->etag);
  header_value(p, len, "Location", r->location, sizeof r->location);
  header_value(p, len, "Content-Type", r->content_type, sizeof r->content_type);
  header_value(p, len, "X-Request-Id", r->request_id, sizeof r->request_id);
  header_value(p, len, "Idempotent-Replayed", r->replayed, sizeof r->replayed);
  header_value(p, len, "Allow", r->allow, sizeof r->allow);
  header_value(p, len, "WWW-Authenticate", r->www_authenticate, sizeof r->www_authenticate);
  header_value(p, len, "Retry-After", r->retry_after, sizeof r->retry_after);
  return len;
}

/* Appends one line per response to IJ_TEST_RESPONSE_LOG for tests/openapi/check.mjs. */
static void record(const char *method, const char *route, const ts_response *r) {
  const char *path = getenv("IJ_TEST_RESPONSE_LOG");
  if (!path || !route)
    return;
  json_t *headers = json_object();
  if (r->etag[0])
    json_object_set_new(headers, "etag", json_string(r->etag));
  if (r->location[0])
    json_object_set_new(headers, "location", json_string(r->location));
  if (r->replayed[0])
    json_object_set_new(headers, "idempotent-replayed", json_string(r->replayed));
  if (r->allow[0])
    json_object_set_new(headers, "allow", json_string(r->allow));
  if (r->request_id[0])
    json_object_set_new(headers, "x-request-id", json_string(r->request_id));
  if (r->www_authenticate[0])
    json_object_set_new(headers, "www-authenticate", json_string(r->www_authenticate));
  json_t *line = json_pack("{s:s, s:s, s:i, s:s, s:o, s:O}", "method", method, "route", route,
                           "status", (int)r->status, "content_type", r->content_type, "headers",
                           headers, "body", r->json ? r->json : json_null());
  char *text = json_dumps(line, JSON_COMPACT);
  json_decref(line);
  if (!text)
    return;
  size_t n = strlen(text);
  text[n] = '\n'; /* replaces the terminator: written with its length below */
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    ssize_t w = write(fd, text, n + 1); /* one write: lines from threads do not interleave */
    (void)w;
    close(fd);
  }
  free(text);
}

ts_response *ts_http(ts_server *s, const char *method, const char *route, const char *path,
                     const char *token, const char *const *headers, const char *body) {
  ts_response *r = calloc(1, sizeof *r);
  ck_assert_ptr_nonnull(r);
  CURL *c = curl_easy_init();
  ck_assert_ptr_nonnull(c);
  char url[2048];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
  struct curl_slist *h = NULL;
  char auth[4096];
  if (token) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h = curl_slist_append(h, auth);
  }
  bool has_type = false;
  for (const char *const *p = headers; p && *p; p++) {
    h = curl_slist_append(h, *p);
    if (strncasecmp(*p, "Content-Type:", 13) == 0)
      has_type = true;
  }
  if (body && !has_type)
    h = curl_slist_append(h, "Content-Type: application/json");
  h = curl_slist_append(h, "Expect:");
  buffer b = {NULL, 0};
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 240L); /* a 50 MB upload to a sanitizer build is slow */
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  }
  CURLcode rc = curl_easy_perform(c);
  ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  r->body = b.data ? b.data : strdup("");
  r->body_len = b.data ? b.len : 0;
  if (r->body[0])
    r->json = json_loads(r->body, 0, NULL);
  record(method, route, r);
  return r;
}

void ts_response_free(ts_response *r) {
  if (!r)
    return;
  json_decref(r->json);
  free(r->body);
  free(r);
}

char *ts_referral_body(const char *ward) {
  time_t now = time(NULL) - 86400;
  struct tm tm;
  gmtime_r(&now, &tm);
  char date[16];
  strftime(date, sizeof date, "%Y-%m-%d", &tm);
  json_t *j = json_pack(
      "{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:s, s:b, s:i, s:{s:b, s:b, s:s}}",
      "person", "name", "Jordan Smith", "date_of_birth", "2004-05-01", "postcode", "DE1 1AA",
      "police_id", "22/123456X", "offence", "date", date, "category", "asb", "ward", ward,
      "location", "Market Place", "disposal", "community_resolution", "consent_recorded", 1,
      "hours_proposed", 7, "victim", "consulted", 1, "keep_updated", 1, "contact",
      "victim@example.org");
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return text;
}

const char *ts_id(const ts_response *r) {
  json_t *id = json_object_get(r->json, "id");
  return json_is_string(id) ? json_string_value(id) : "";
}

char *ts_sql(const char *query, int n, const char *const *params) {
  PGconn *pg = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
  PGresult *res = PQexecParams(pg, query, n, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK,
                "%s: %s", query, PQresultErrorMessage(res));
  char *out = NULL;
  if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
    out = strdup(PQgetvalue(res, 0, 0));
  PQclear(res);
  PQfinish(pg);
  return out;
}

ij_err ts_store_referral(ij_conn *c, ij_referral *r, const ij_audit *audit,
                         const ij_idempotency *idem, ij_replay *replay, ij_field_errors *errs) {
  memset(replay, 0, sizeof *replay);
  char key[IJ_MAX_NAME + 1];
  ij_domain_name_key(r->person_name, key, sizeof key);
  bool claimed = false;
  ij_err err = ij_store_referral_create(c, r, key, audit, idem, &claimed, errs);
  if (err != IJ_OK || claimed)
    return err;
  char hash[65];
  err = ij_store_idempotency_get(c, r->area, audit->actor_sub, idem->key, hash, replay);
  if (err == IJ_OK && strcmp(hash, idem->request_hash) != 0) {
    free(replay->response);
    replay->response = NULL;
    return IJ_ERR_IDEMPOTENCY;
  }
  replay->replayed = err == IJ_OK;
  return err;
}
