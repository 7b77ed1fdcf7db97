/* ij_bench_floor: the least a server of the service's kind costs for a GET of a referral, for the
 * benchmark's "floor" scenario (scripts/bench). It serves GET /v1/referrals/{id} with nothing but
 * libmicrohttpd and libpq, running the store's own two statements (the area, then the referral,
 * in one pipeline, one implicit transaction), and answers with the row's values as a JSON array
 * of strings. No token check, no access log, no JSON object: what is left is the HTTP and database
 * round trips, which every server of this kind pays. Three models:
 *   sync   libmicrohttpd's epoll thread pool of N threads, a libpq connection per thread, each
 *          request waiting for its statements (the service's model);
 *   ulfius the same, through ulfius as the service is (its request and response, their maps of
 *          headers, its copy of the body): what the framework costs beside the same work;
 *   event  one thread: libmicrohttpd driven from our own epoll loop, each request suspended while
 *          its statements are out, N libpq connections in pipeline mode shared by every request
 *          (each request its own implicit transaction, ended by its own sync).
 * Usage: ij_bench_floor sync|ulfius|event PORT CONNINFO SQLFILE AREA_PREFIX N
 * SQLFILE holds the referral's statement ($1 the id, $2 the area); the id's second group is the
 * area's number (the benchmark's data set: 00000000-00AA-4000-8000-KKKKKKKKKKKK in AREA_PREFIX AA).
 */
#include <errno.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <ulfius.h>
#include <unistd.h>

#define SCOPE_SQL "SELECT set_config('ij.area', $1, true)"
#define MAX_DB 16

static char get_sql[16384];
static const char *conninfo;
static const char *prefix;

static void die(const char *what, const char *detail) {
  fprintf(stderr, "ij_bench_floor: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

static PGconn *connect_db(void) {
  PGconn *c = PQconnectdb(conninfo);
  if (PQstatus(c) != CONNECTION_OK)
    die("cannot connect", PQerrorMessage(c));
  const char *names[2] = {"scope", "get"}, *sqls[2] = {SCOPE_SQL, get_sql};
  for (int i = 0; i < 2; i++) {
    PGresult *r = PQprepare(c, names[i], sqls[i], i + 1, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
      die("cannot prepare", PQerrorMessage(c));
    PQclear(r);
  }
  return c;
}

/* The id and its area from "/v1/referrals/ID"; false for any other path. */
static bool parse_path(const char *url, char id[37], char area[64]) {
  static const char base[] = "/v1/referrals/";
  if (strncmp(url, base, sizeof base - 1) != 0 || strlen(url + sizeof base - 1) != 36)
    return false;
  memcpy(id, url + sizeof base - 1, 37);
  char *end;
  unsigned long n = strtoul(id + 9, &end, 16);
  if (end != id + 13 || n > 99)
    return false;
  snprintf(area, 64, "%s%02lu", prefix, n);
  return true;
}

/* The row's values as a JSON array of strings (NULL as ""), or NULL when there is no row. */
static char *render_text(const PGresult *r, size_t *out_len) {
  if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
    return NULL;
  size_t cap = 4096, len = 0;
  char *b = malloc(cap);
  if (!b)
    return NULL;
  b[len++] = '[';
  for (int i = 0; i < PQnfields(r); i++) {
    const char *v = PQgetvalue(r, 0, i);
    size_t n = (size_t)PQgetlength(r, 0, i);
    if (len + 6 * n + 4 > cap) {
      while (len + 6 * n + 4 > cap)
        cap *= 2;
      char *grown = realloc(b, cap);
      if (!grown) {
        free(b);
        return NULL;
      }
      b = grown;
    }
    if (i)
      b[len++] = ',';
    b[len++] = '"';
    for (size_t k = 0; k < n; k++) {
      unsigned char c = (unsigned char)v[k];
      if (c == '"' || c == '\\') {
        b[len++] = '\\';
        b[len++] = (char)c;
      } else if (c < 0x20) {
        len += (size_t)snprintf(b + len, 7, "\\u%04X", c);
      } else {
        b[len++] = (char)c;
      }
    }
    b[len++] = '"';
  }
  b[len++] = ']';
  *out_len = len;
  return b;
}

static struct MHD_Response *render(const PGresult *r) {
  size_t len;
  char *b = render_text(r, &len);
  if (!b)
    return NULL;
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, b, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(b);
    return NULL;
  }
  MHD_add_response_header(resp, "Content-Type", "application/json");
  return resp;
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status,
                              struct MHD_Response *resp) {
  if (!resp)
    resp = MHD_create_response_from_buffer(2, "{}", MHD_RESPMEM_PERSISTENT);
  enum MHD_Result ret = MHD_queue_response(conn, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* ---- sync: a thread per connection pool slot, each request waiting for its statements ---- */

static __thread PGconn *thread_db;
static PGconn *thread_dbs[MAX_DB]; /* every thread's, closed at the end */
static int nthread_dbs;
static pthread_mutex_t thread_dbs_lock = PTHREAD_MUTEX_INITIALIZER;

/* The referral's row (or no row), on this thread's connection, waiting for it. */
static PGresult *query_sync(const char *id, const char *area) {
  if (!thread_db) {
    thread_db = connect_db();
    pthread_mutex_lock(&thread_dbs_lock);
    if (nthread_dbs == MAX_DB)
      die("more threads than connections", NULL);
    thread_dbs[nthread_dbs++] = thread_db;
    pthread_mutex_unlock(&thread_dbs_lock);
  }
  PGconn *db = thread_db;
  const char *scope[1] = {area}, *params[2] = {id, area};
  if (!PQenterPipelineMode(db) || !PQsendQueryPrepared(db, "scope", 1, scope, NULL, NULL, 0) ||
      !PQsendQueryPrepared(db, "get", 2, params, NULL, NULL, 0) || !PQpipelineSync(db))
    die("cannot send", PQerrorMessage(db));
  PGresult *row = NULL;
  for (int i = 0; i < 2; i++) {
    PGresult *r = PQgetResult(db);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
      die("a statement failed", PQresultErrorMessage(r));
    if (i == 1)
      row = r;
    else
      PQclear(r);
    PGresult *end = PQgetResult(db); /* the NULL after each statement's result */
    if (end)
      die("unexpected result", NULL);
  }
  PGresult *sync = PQgetResult(db);
  if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
    die("no sync", PQerrorMessage(db));
  PQclear(sync);
  PQexitPipelineMode(db);
  return row;
}

static enum MHD_Result on_request_sync(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version, const char *upload,
                                       size_t *upload_size, void **state) {
  (void)cls, (void)version, (void)upload, (void)upload_size;
  if (!*state) { /* the headers: the request is complete at the next call */
    *state = conn;
    return MHD_YES;
  }
  char id[37], area[64];
  if (strcmp(method, "GET") != 0 || !parse_path(url, id, area))
    return answer(conn, 404, NULL);
  PGresult *row = query_sync(id, area);
  struct MHD_Response *resp = render(row);
  PQclear(row);
  return resp ? answer(conn, 200, resp) : answer(conn, 404, NULL);
}

/* ---- ulfius: the same, through the service's framework ---- */

static int on_request_ulfius(const struct _u_request *req, struct _u_response *res, void *cls) {
  (void)cls;
  (void)u_map_get_case(req->map_header, "Authorization"); /* as the service reads it */
  char id[37], area[64];
  size_t len = 0;
  char *text = NULL;
  if (strcmp(req->http_verb, "GET") == 0 && parse_path(req->url_path, id, area)) {
    PGresult *row = query_sync(id, area);
    text = render_text(row, &len);
    PQclear(row);
  }
  if (text) {
    u_map_put(res->map_header, "Content-Type", "application/json");
    ulfius_set_binary_body_response(res, 200, text, len);
    free(text);
  } else {
    ulfius_set_binary_body_response(res, 404, "{}", 2);
  }
  return U_CALLBACK_COMPLETE;
}

/* ---- event: one thread, requests suspended while their statements are out ---- */

typedef struct request {
  struct MHD_Connection *conn;
  struct MHD_Response *resp; /* the answer, once the statements are back */
  unsigned status;           /* 0 until then */
  int seen;                  /* results read: scope, its end, get, its end, then the sync */
  struct request *next;
  char id[37], area[64];
} request;

typedef struct {
  PGconn *pg;
  request *head, *tail; /* sent, in order */
  int out;
} db_conn;

static db_conn dbs[MAX_DB];
static int ndb;
static request *waiting_head, *waiting_tail; /* suspended, not yet sent */

static void append(request **head, request **tail, request *r) {
  r->next = NULL;
  if (*tail)
    (*tail)->next = r;
  else
    *head = r;
  *tail = r;
}

static enum MHD_Result on_request_event(void *cls, struct MHD_Connection *conn, const char *url,
                                        const char *method, const char *version, const char *upload,
                                        size_t *upload_size, void **state) {
  (void)cls, (void)version, (void)upload, (void)upload_size;
  request *r = *state;
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r)
      return MHD_NO;
    r->conn = conn;
    *state = r;
    return MHD_YES;
  }
  if (r->status) { /* resumed with its answer */
    struct MHD_Response *resp = r->resp;
    r->resp = NULL;
    return answer(conn, r->status, resp);
  }
  if (strcmp(method, "GET") != 0 || !parse_path(url, r->id, r->area))
    return answer(conn, 404, NULL);
  MHD_suspend_connection(conn);
  append(&waiting_head, &waiting_tail, r);
  return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls, (void)conn, (void)toe;
  request *r = *state;
  if (r && r->resp)
    MHD_destroy_response(r->resp);
  free(r);
  *state = NULL;
}

static void flush_db(PGconn *pg) {
  int rc;
  while ((rc = PQflush(pg)) > 0) {
    struct pollfd p = {.fd = PQsocket(pg), .events = POLLOUT};
    (void)poll(&p, 1, -1);
  }
  if (rc < 0)
    die("cannot send", PQerrorMessage(pg));
}

/* Sends every waiting request's statements, each to the connection with the fewest out. */
static void send_waiting(void) {
  bool sent[MAX_DB] = {false};
  while (waiting_head) {
    request *r = waiting_head;
    waiting_head = r->next;
    if (!waiting_head)
      waiting_tail = NULL;
    db_conn *d = &dbs[0];
    for (int i = 1; i < ndb; i++)
      if (dbs[i].out < d->out)
        d = &dbs[i];
    const char *scope[1] = {r->area}, *params[2] = {r->id, r->area};
    if (!PQsendQueryPrepared(d->pg, "scope", 1, scope, NULL, NULL, 0) ||
        !PQsendQueryPrepared(d->pg, "get", 2, params, NULL, NULL, 0) || !PQpipelineSync(d->pg))
      die("cannot send", PQerrorMessage(d->pg));
    r->seen = 0;
    append(&d->head, &d->tail, r);
    d->out++;
    sent[d - dbs] = true;
  }
  for (int i = 0; i < ndb; i++)
    if (sent[i])
      flush_db(dbs[i].pg);
}

/* Reads what a connection has answered, and resumes each request whose sync has come. */
static void read_answers(db_conn *d) {
  if (!PQconsumeInput(d->pg))
    die("cannot read", PQerrorMessage(d->pg));
  while (d->head && !PQisBusy(d->pg)) {
    request *r = d->head;
    PGresult *res = PQgetResult(d->pg);
    bool want_result = r->seen == 0 || r->seen == 2, want_sync = r->seen == 4;
    if (want_result != (res && !want_sync) ||
        (want_sync && (!res || PQresultStatus(res) != PGRES_PIPELINE_SYNC)))
      die("results out of order", NULL);
    if (want_result && PQresultStatus(res) != PGRES_TUPLES_OK)
      die("a statement failed", PQresultErrorMessage(res));
    if (r->seen == 2) {
      r->resp = render(res);
      r->status = r->resp ? 200 : 404;
    }
    PQclear(res);
    if (!want_sync) {
      r->seen++;
      continue;
    }
    d->head = r->next;
    if (!d->head)
      d->tail = NULL;
    d->out--;
    MHD_resume_connection(r->conn);
  }
}

static void run_event(struct MHD_Daemon *daemon, int sigfd) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
  if (ep < 0 || !info)
    die("no epoll", NULL);
  enum { MHD_EVENT = 1000, SIGNAL_EVENT = 1001 };
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = MHD_EVENT};
  epoll_ctl(ep, EPOLL_CTL_ADD, info->epoll_fd, &ev);
  ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = SIGNAL_EVENT};
  epoll_ctl(ep, EPOLL_CTL_ADD, sigfd, &ev);
  for (int i = 0; i < ndb; i++) {
    if (PQsetnonblocking(dbs[i].pg, 1) != 0 || !PQenterPipelineMode(dbs[i].pg))
      die("no pipeline mode", PQerrorMessage(dbs[i].pg));
    ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, PQsocket(dbs[i].pg), &ev);
  }
  for (;;) {
    MHD_UNSIGNED_LONG_LONG ms;
    int timeout = MHD_get_timeout(daemon, &ms) == MHD_YES ? (int)(ms > 1000 ? 1000 : ms) : 1000;
    struct epoll_event evs[64];
    int n = epoll_wait(ep, evs, 64, timeout);
    if (n < 0 && errno != EINTR)
      die("epoll_wait failed", strerror(errno));
    for (int i = 0; i < n; i++) {
      if (evs[i].data.u32 == SIGNAL_EVENT)
        return;
      if (evs[i].data.u32 < MAX_DB)
        read_answers(&dbs[evs[i].data.u32]);
    }
    MHD_run(daemon); /* new requests suspend themselves; resumed ones answer */
    send_waiting();
  }
}

int main(int argc, char **argv) {
  if (argc != 7 || (strcmp(argv[1], "sync") != 0 && strcmp(argv[1], "ulfius") != 0 &&
                    strcmp(argv[1], "event") != 0)) {
    fprintf(stderr,
            "usage: ij_bench_floor sync|ulfius|event PORT CONNINFO SQLFILE AREA_PREFIX N\n");
    return 2;
  }
  bool event = strcmp(argv[1], "event") == 0, ulfius = strcmp(argv[1], "ulfius") == 0;
  int port = atoi(argv[2]), n = atoi(argv[6]);
  conninfo = argv[3];
  prefix = argv[5];
  if (port <= 0 || port > 65535 || n < 1 || n > MAX_DB)
    die("bad port or count", NULL);
  FILE *f = fopen(argv[4], "r");
  if (!f)
    die("cannot read", argv[4]);
  size_t len = fread(get_sql, 1, sizeof get_sql - 1, f);
  fclose(f);
  get_sql[len] = 0;

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before any thread starts: they inherit it */
  struct MHD_Daemon *daemon = NULL;
  if (ulfius) {
    struct _u_instance instance;
    if (ulfius_init_instance(&instance, (unsigned)port, NULL, NULL) != U_OK)
      die("cannot set up ulfius", NULL);
    ulfius_set_default_endpoint(&instance, on_request_ulfius, NULL);
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_THREAD_POOL_SIZE, n, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 16384, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
        {MHD_OPTION_END, 0, NULL}};
    if (ulfius_start_framework_with_mhd_options(
            &instance, MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, ops) != U_OK)
      die("cannot listen", NULL);
    int sig;
    sigwait(&stop, &sig);
    ulfius_stop_framework(&instance);
    ulfius_clean_instance(&instance);
  } else if (!event) {
    daemon =
        MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
                         NULL, on_request_sync, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)n,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
    if (!daemon)
      die("cannot listen", NULL);
    int sig;
    sigwait(&stop, &sig);
  } else {
    ndb = n;
    for (int i = 0; i < ndb; i++)
      dbs[i].pg = connect_db();
    daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                              (uint16_t)port, NULL, NULL, on_request_event, NULL,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
    if (!daemon)
      die("cannot listen", NULL);
    int sigfd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (sigfd < 0)
      die("no signalfd", strerror(errno));
    run_event(daemon, sigfd);
  }
  if (daemon)
    MHD_stop_daemon(daemon);
  for (int i = 0; i < nthread_dbs; i++)
    PQfinish(thread_dbs[i]);
  for (int i = 0; i < ndb; i++)
    PQfinish(dbs[i].pg);
  return 0;
}
