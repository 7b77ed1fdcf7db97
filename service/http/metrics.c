/* Prometheus metrics (text exposition format 0.0.4) at GET /metrics.
 *
 * The request path only adds to C11 atomics (relaxed): one slot of counters per route of the
 * route table, indexed like ij_routes, and one per method for requests that match no route. No
 * lock is taken on the request path. A scrape reads the counters without stopping writers, so
 * one scrape may see a request in a status counter and not yet in its histogram; each
 * histogram's _count is the sum of its buckets as read, so it always equals its le="+Inf" bucket.
 * The gauges are read at scrape time: the pool from ij_store_stats, the outbox backlog by one
 * COUNT over the partial index of undelivered notices, the resident set from /proc/self/statm. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ij/log.h"
#include "ij/ops.h"
#include "internal.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the request counters must be lock-free");

/* Upper bounds of the latency buckets, in microseconds (Prometheus's default buckets). */
static const long long bucket_us[] = {5000,   10000,   25000,   50000,   100000,  250000,
                                      500000, 1000000, 2500000, 5000000, 10000000};
static const char *const bucket_le[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                        "0.5",   "1",    "2.5",   "5",    "10"};
#define NBUCKETS ((int)(sizeof bucket_us / sizeof bucket_us[0]))

/* Requests that match no route are counted by method: a fixed list, so that clients cannot make
 * new series. */
static const char *const unmatched_methods[] = {"GET",   "HEAD",   "POST",    "PUT",
                                                "PATCH", "DELETE", "OPTIONS", "other"};
#define NUNMATCHED ((int)(sizeof unmatched_methods / sizeof unmatched_methods[0]))
#define UNMATCHED_ROUTE "unmatched"

#define STATUS_FIRST 100
#define STATUS_SLOTS 500 /* 100 to 599 */

typedef struct {
  atomic_ullong status[STATUS_SLOTS];
  atomic_ullong buckets[NBUCKETS + 1]; /* not cumulative; the last counts those above every bound */
  atomic_ullong sum_us;
} slot;

struct ij_metrics {
  int nslots; /* ij_routes_count + NUNMATCHED */
  struct timespec started_mono;
  double started_real; /* seconds since the epoch */
  slot slots[];
};

ij_metrics *ij_metrics_new(void) {
  int n = ij_routes_count + NUNMATCHED;
  ij_metrics *m = malloc(sizeof *m + (size_t)n * sizeof(slot));
  if (!m)
    return NULL;
  m->nslots = n;
  for (int s = 0; s < n; s++) {
    for (int i = 0; i < STATUS_SLOTS; i++)
      atomic_init(&m->slots[s].status[i], 0);
    for (int i = 0; i <= NBUCKETS; i++)
      atomic_init(&m->slots[s].buckets[i], 0);
    atomic_init(&m->slots[s].sum_us, 0);
  }
  clock_gettime(CLOCK_MONOTONIC, &m->started_mono);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  m->started_real = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
  return m;
}

void ij_metrics_free(ij_metrics *m) {
  free(m);
}

static int unmatched_index(const char *method) {
  for (int i = 0; i < NUNMATCHED - 1; i++)
    if (method && strcmp(method, unmatched_methods[i]) == 0)
      return i;
  return NUNMATCHED - 1;
}

void ij_metrics_observe(ij_metrics *m, const ij_route *route, const char *method, int status,
                        long long duration_us) {
  if (!m)
    return;
  int index = route ? (int)(route - ij_routes) : ij_routes_count + unmatched_index(method);
  if (index < 0 || index >= m->nslots)
    return;
  slot *s = &m->slots[index];
  if (status >= STATUS_FIRST && status < STATUS_FIRST + STATUS_SLOTS)
    atomic_fetch_add_explicit(&s->status[status - STATUS_FIRST], 1, memory_order_relaxed);
  if (duration_us < 0)
    duration_us = 0;
  int b = 0;
  while (b < NBUCKETS && duration_us > bucket_us[b])
    b++;
  atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&s->sum_us, (unsigned long long)duration_us, memory_order_relaxed);
}

/* ---- the exposition ---- */

typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(text *t, const char *fmt, ...) {
  if (t->failed)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
      t->failed = true;
      return;
    }
    if ((size_t)n < t->cap - t->len) {
      t->len += (size_t)n;
      return;
    }
    size_t cap = t->cap * 2 + (size_t)n;
    char *grown = realloc(t->data, cap);
    if (!grown) {
      t->failed = true;
      return;
    }
    t->data = grown;
    t->cap = cap;
  }
}

/* A label value, escaped as the format requires (backslash, double quote, newline). */
static void add_label(text *t, const char *name, const char *value, const char *sep) {
  add(t, "%s=\"", name);
  for (const char *p = value; *p; p++) {
    if (*p == '\\' || *p == '"')
      add(t, "\\%c", *p);
    else if (*p == '\n')
      add(t, "\\n");
    else
      add(t, "%c", *p);
  }
  add(t, "\"%s", sep);
}

static void route_labels(int index, const char **route, const char **method) {
  if (index < ij_routes_count) {
    *route = ij_routes[index].path;
    *method = ij_routes[index].method;
  } else {
    *route = UNMATCHED_ROUTE;
    *method = unmatched_methods[index - ij_routes_count];
  }
}

static void add_requests(text *t, const ij_metrics *m) {
  add(t, "# HELP ij_http_requests_total HTTP requests answered, by route template, method and "
         "status (route \"" UNMATCHED_ROUTE "\": no route matched the path).\n"
         "# TYPE ij_http_requests_total counter\n");
  for (int i = 0; i < m->nslots; i++) {
    const char *route, *method;
    route_labels(i, &route, &method);
    for (int st = 0; st < STATUS_SLOTS; st++) {
      unsigned long long n = atomic_load_explicit(&m->slots[i].status[st], memory_order_relaxed);
      if (!n)
        continue;
      add(t, "ij_http_requests_total{");
      add_label(t, "route", route, ",");
      add_label(t, "method", method, ",");
      add(t, "status=\"%d\"} %llu\n", st + STATUS_FIRST, n);
    }
  }
}

static void add_latency(text *t, const ij_metrics *m) {
  add(t, "# HELP ij_http_request_duration_seconds Time from the dispatcher receiving a request "
         "(its body read) to its response being ready, by route template and method.\n"
         "# TYPE ij_http_request_duration_seconds histogram\n");
  for (int i = 0; i < m->nslots; i++) {
    const slot *s = &m->slots[i];
    unsigned long long counts[NBUCKETS + 1], total = 0;
    for (int b = 0; b <= NBUCKETS; b++) {
      counts[b] = atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
      total += counts[b];
    }
    if (!total)
      continue; /* a series appears with its route's first request */
    unsigned long long sum_us = atomic_load_explicit(&s->sum_us, memory_order_relaxed);
    const char *route, *method;
    route_labels(i, &route, &method);
    unsigned long long cumulative = 0;
    for (int b = 0; b <= NBUCKETS; b++) {
      cumulative += counts[b];
      add(t, "ij_http_request_duration_seconds_bucket{");
      add_label(t, "route", route, ",");
      add_label(t, "method", method, ",");
      add(t, "le=\"%s\"} %llu\n", b < NBUCKETS ? bucket_le[b] : "+Inf", cumulative);
    }
    add(t, "ij_http_request_duration_seconds_sum{");
    add_label(t, "route", route, ",");
    add_label(t, "method", method, "");
    add(t, "} %llu.%06llu\n", sum_us / 1000000, sum_us % 1000000);
    add(t, "ij_http_request_duration_seconds_count{");
    add_label(t, "route", route, ",");
    add_label(t, "method", method, "");
    add(t, "} %llu\n", total);
  }
}

static void add_gauge(text *t, const char *name, const char *help, const char *value) {
  add(t, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, value);
}

static void add_gauge_int(text *t, const char *name, const char *help, long long value) {
  char v[32];
  snprintf(v, sizeof v, "%lld", value);
  add_gauge(t, name, help, v);
}

static void add_gauge_real(text *t, const char *name, const char *help, double value) {
  char v[48];
  snprintf(v, sizeof v, "%.3f", value);
  add_gauge(t, name, help, v);
}

/* The resident set in bytes, or -1 when /proc/self/statm cannot be read. */
static long long resident_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f)
    return -1;
  unsigned long long size = 0, resident = 0;
  int got = fscanf(f, "%llu %llu", &size, &resident);
  fclose(f);
  long page = sysconf(_SC_PAGESIZE);
  return got == 2 && page > 0 ? (long long)(resident * (unsigned long long)page) : -1;
}

static void add_process(text *t, ij_ctx *ctx) {
  int size = 0, in_use = 0, waiting = 0;
  ij_store_stats(ctx->server->store, &size, &in_use, &waiting);
  add_gauge_int(t, "ij_db_pool_size", "Database connections the pool may hold.", size);
  add_gauge_int(t, "ij_db_pool_in_use", "Database connections taken from the pool.", in_use);
  add_gauge_int(t, "ij_db_pool_waiting", "Threads waiting for a database connection.", waiting);

  /* The backlog needs a connection: when none can be had, its gauges are left out (and /readyz
   * says why) rather than the scrape failing. The connection is released by the dispatcher. */
  int64_t backlog = 0;
  double oldest = 0;
  ij_err err = ctx->conn ? IJ_OK : ij_store_acquire(ctx->server->store, &ctx->conn);
  if (err == IJ_OK)
    err = ij_ops_notice_backlog(ctx->conn, &backlog, &oldest);
  if (err == IJ_OK) {
    add_gauge_int(t, "ij_outbox_backlog",
                  "Notices not yet delivered to areas with a webhook (database-wide).",
                  (long long)backlog);
    add_gauge_real(t, "ij_outbox_oldest_undelivered_seconds",
                   "Age of the oldest notice not yet delivered to an area with a webhook.", oldest);
  } else {
    ij_log(IJ_LOG_DEBUG, "metrics: outbox backlog not read: %s", ij_err_message(err));
  }

  long long rss = resident_bytes();
  if (rss >= 0)
    add_gauge_int(t, "process_resident_memory_bytes", "Resident memory size in bytes.", rss);
  const ij_metrics *m = ctx->server->metrics;
  add_gauge_real(t, "process_start_time_seconds",
                 "Start time of the server since the Unix epoch, in seconds.", m->started_real);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double up = (double)(now.tv_sec - m->started_mono.tv_sec) +
              (double)(now.tv_nsec - m->started_mono.tv_nsec) / 1e9;
  add_gauge_real(t, "ij_uptime_seconds", "Seconds since the server started.", up);
}

void ij_h_metrics(ij_ctx *ctx) {
  text t = {NULL, 0, 0, false};
  t.cap = 64 * 1024;
  t.data = malloc(t.cap);
  if (!t.data) {
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  t.data[0] = 0;
  add_requests(&t, ctx->server->metrics);
  add_latency(&t, ctx->server->metrics);
  add_process(&t, ctx);
  if (t.failed) {
    free(t.data);
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  ulfius_set_binary_body_response(ctx->res, 200, t.data, t.len);
  ij_set_header(ctx, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  ctx->status = 200;
  free(t.data);
}
