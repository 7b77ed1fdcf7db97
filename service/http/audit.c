/* The personal-data access log, written in batches. A request that answered 2xx on a personal
 * route queues one row per referral it touched (a copy: the request's memory is gone when the row
 * is written); a thread writes what is queued every IJ_AUDIT_INTERVAL_MS, one statement per area
 * on a connection scoped to that area. The trade-off, stated in the README: a crash of `ij` loses
 * the rows of at most the last interval (a graceful stop writes them), and a database outage is
 * bridged by keeping up to IJ_AUDIT_MAX_PENDING rows (more are counted as lost, at error level). */
#define _GNU_SOURCE /* qsort_r */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/wait.h"
#include "ij/log.h"
#include "ij/str.h"
#include "internal.h"

#define IJ_AUDIT_INTERVAL_MS 200
#define IJ_AUDIT_MAX_PENDING 20000
#define IJ_AUDIT_BATCH 1000 /* rows per statement */
/* The batch a flush has written (its rows and their text) is kept for the next round's rows when
 * it holds at most this many rows (with their text, under 1 MB): a fresh array every 200 ms cost
 * the kernel its pages again each time (0.13 page faults a GET at 7,000 a second). A larger one,
 * left by a backlog, is freed rather than kept. */
#define IJ_AUDIT_KEEP_ROWS 4096

/* A queued row: its time, and where its strings are in the queue's text (offsets: the text grows
 * by realloc). A request's rows share one copy of what they have in common; each string is cut
 * to the same length as the row's fixed fields once were. */
typedef struct {
  ij_time_us at;
  uint32_t area, sub, roles, route, method, request_id; /* the request's */
  uint32_t action, referral_id;                         /* the row's own */
} audit_row;

#define IJ_AUDIT_ROLES_MAX 96
#define IJ_AUDIT_ROUTE_MAX 64
#define IJ_AUDIT_ACTION_MAX 16
#define IJ_AUDIT_METHOD_MAX 8

/* Rows and the text they point into, together: what is queued, or what a flush writes. */
typedef struct {
  audit_row *rows;
  int n, cap;
  char *text;
  size_t len, text_cap;
} audit_batch;

struct ij_access_queue {
  ij_store *store;
  pthread_mutex_t mu;       /* guards pending and spare; held only to copy rows in or to swap */
  pthread_cond_t cv;        /* wakes the writer: stop, or a flush is asked for */
  pthread_mutex_t write_mu; /* one writer at a time: the thread or a synchronous flush */
  audit_batch pending;
  audit_batch spare; /* the last batch written, emptied, for the next round (IJ_AUDIT_KEEP_ROWS) */
  long long lost;    /* rows dropped because the queue was full */
  atomic_bool stopping;
  bool started;
  pthread_t thread;
};

static void batch_free(audit_batch *b) {
  free(b->rows);
  free(b->text);
  *b = (audit_batch){0};
}

/* Room for `rows` more rows and `bytes` more text; false (nothing changed) when out of memory. */
static bool batch_room(audit_batch *b, int rows, size_t bytes) {
  if (b->n + rows > b->cap) {
    int cap = b->cap ? b->cap : 256;
    while (cap < b->n + rows)
      cap *= 2;
    audit_row *grown = realloc(b->rows, sizeof *grown * (size_t)cap);
    if (!grown)
      return false;
    b->rows = grown;
    b->cap = cap;
  }
  if (b->len + bytes > b->text_cap) {
    size_t cap = b->text_cap ? b->text_cap : 16384;
    while (cap < b->len + bytes)
      cap *= 2;
    char *grown = realloc(b->text, cap);
    if (!grown)
      return false;
    b->text = grown;
    b->text_cap = cap;
  }
  return true;
}

static size_t cut(const char *s, size_t size) {
  return strnlen(s ? s : "", size - 1);
}

/* Appends s (at most size - 1 bytes of it) and its NUL; the room was made by batch_room. */
static uint32_t put_text(audit_batch *b, const char *s, size_t size) {
  size_t n = cut(s, size);
  uint32_t at = (uint32_t)b->len;
  if (n)
    memcpy(b->text + b->len, s, n);
  b->text[b->len + n] = 0;
  b->len += n + 1;
  return at;
}

/* A row with the request's strings appended (its own, action and referral, still to set). */
static audit_row put_request(audit_batch *b, ij_time_us at, const char *area, const char *sub,
                             const char *roles, const char *route, const char *method,
                             const char *request_id) {
  audit_row r = {.at = at};
  r.area = put_text(b, area, IJ_AREA_MAX);
  r.sub = put_text(b, sub, IJ_CLAIM_MAX);
  r.roles = put_text(b, roles, IJ_AUDIT_ROLES_MAX);
  r.route = put_text(b, route, IJ_AUDIT_ROUTE_MAX);
  r.method = put_text(b, method, IJ_AUDIT_METHOD_MAX);
  r.request_id = put_text(b, request_id, IJ_REQUEST_ID_MAX);
  return r;
}

/* Appends the row's own strings (action and referral) and sets them in r. */
static void put_own(audit_batch *b, audit_row *r, const char *action, const char *referral_id) {
  r->action = put_text(b, action, IJ_AUDIT_ACTION_MAX);
  r->referral_id = put_text(b, referral_id, IJ_UUID_BUF);
}

void ij_audit_enqueue(ij_access_queue *a, const ij_access_record *rec) {
  if (!a || rec->count <= 0)
    return;
  size_t shared = cut(rec->area, IJ_AREA_MAX) + cut(rec->actor_sub, IJ_CLAIM_MAX) +
                  cut(rec->actor_role, IJ_AUDIT_ROLES_MAX) + cut(rec->route, IJ_AUDIT_ROUTE_MAX) +
                  cut(rec->method, IJ_AUDIT_METHOD_MAX) + cut(rec->request_id, IJ_REQUEST_ID_MAX) +
                  6;
  pthread_mutex_lock(&a->mu);
  audit_batch *b = &a->pending;
  int count = rec->count;
  if (b->n + count > IJ_AUDIT_MAX_PENDING) {
    int room = IJ_AUDIT_MAX_PENDING - b->n;
    a->lost += count - room;
    count = room;
  }
  /* each row's own strings are at most these long */
  size_t own = (size_t)count * (IJ_AUDIT_ACTION_MAX + IJ_UUID_BUF);
  if (count > 0 && !batch_room(b, count, shared + own)) {
    a->lost += count;
    count = 0;
  }
  if (count > 0) {
    audit_row common = put_request(b, rec->at, rec->area, rec->actor_sub, rec->actor_role,
                                   rec->route, rec->method, rec->request_id);
    for (int i = 0; i < count; i++) {
      audit_row *r = &b->rows[b->n++];
      *r = common;
      put_own(b, r, rec->actions[i], rec->referral_ids[i]);
    }
  }
  pthread_mutex_unlock(&a->mu);
}

/* qsort_r's order of a batch's rows; text is the batch's text, which the rows point into */
static int by_area(const void *x, const void *y, void *text) {
  const audit_row *a = x, *b = y;
  const char *t = text;
  int c = strcmp(t + a->area, t + b->area);
  if (c)
    return c;
  return a->at < b->at ? -1 : a->at > b->at;
}

/* Writes the batch's rows (sorted by area), area by area. The rows of an area that could not be
 * written are kept: *kept is how many were moved to the front of its rows. */
static ij_err write_rows(ij_access_queue *a, audit_batch *b, int *kept) {
  *kept = 0;
  int n = b->n;
  if (n == 0)
    return IJ_OK;
  ij_conn *conn = NULL;
  ij_err err = ij_store_acquire(a->store, &conn);
  ij_access_row batch[IJ_AUDIT_BATCH];
  ij_err first = err;
  const char *t = b->text;
  for (int start = 0; start < n;) {
    int end = start;
    const char *area = t + b->rows[start].area;
    while (end < n && end - start < IJ_AUDIT_BATCH && strcmp(t + b->rows[end].area, area) == 0)
      end++;
    if (err == IJ_OK) {
      for (int i = start; i < end; i++) {
        audit_row *r = &b->rows[i];
        batch[i - start] = (ij_access_row){r->at,         t + r->sub,         t + r->roles,
                                           t + r->action, t + r->referral_id, t + r->route,
                                           t + r->method, t + r->request_id};
      }
      ij_store_scope(conn, area);
      err = ij_store_access_log_rows(conn, area, batch, end - start);
      if (err != IJ_OK && first == IJ_OK)
        first = err;
    }
    if (err != IJ_OK) { /* keep them for the next round */
      memmove(&b->rows[*kept], &b->rows[start], sizeof *b->rows * (size_t)(end - start));
      *kept += end - start;
      err = err == IJ_ERR_UNAVAILABLE ? err : IJ_OK; /* a bad batch does not stop the others */
    }
    start = end;
  }
  if (conn)
    ij_store_release(a->store, conn);
  return first;
}

/* The text that rows[from..to) of b need when each has its own copy of its strings. */
static size_t rows_bytes(const audit_batch *b, int from, int to) {
  size_t bytes = 0;
  for (int i = from; i < to; i++) {
    const audit_row *r = &b->rows[i];
    const uint32_t at[8] = {r->area,   r->sub,    r->roles,       r->route,
                            r->method, r->action, r->referral_id, r->request_id};
    for (int k = 0; k < 8; k++)
      bytes += strlen(b->text + at[k]) + 1;
  }
  return bytes;
}

/* Copies rows[from..to) of src, with their strings, to the end of dst (whose room is made). */
static void copy_rows(audit_batch *dst, const audit_batch *src, int from, int to) {
  const char *t = src->text;
  for (int i = from; i < to; i++) {
    const audit_row *r = &src->rows[i];
    audit_row *d = &dst->rows[dst->n++];
    *d = put_request(dst, r->at, t + r->area, t + r->sub, t + r->roles, t + r->route, t + r->method,
                     t + r->request_id);
    put_own(dst, d, t + r->action, t + r->referral_id);
  }
}

/* Takes everything queued and writes it; what cannot be written goes back to the front of the
 * queue (within its bound), ahead of what arrived meanwhile. */
static ij_err flush(ij_access_queue *a) {
  pthread_mutex_lock(&a->write_mu);
  pthread_mutex_lock(&a->mu);
  audit_batch taken = a->pending;
  long long lost = a->lost;
  a->pending = a->spare;
  a->pending.n = 0;
  a->pending.len = 0;
  a->spare = (audit_batch){0};
  a->lost = 0;
  pthread_mutex_unlock(&a->mu);
  if (lost)
    ij_log(IJ_LOG_ERROR, "audit: %lld access-log rows were lost (the queue was full)", lost);
  if (taken.n > 0)
    qsort_r(taken.rows, (size_t)taken.n, sizeof *taken.rows, by_area, taken.text);
  int kept = 0;
  ij_err err = write_rows(a, &taken, &kept);
  if (kept) {
    ij_log(IJ_LOG_WARN, "audit: %d access-log rows not written yet (%s); retrying", kept,
           ij_err_message(err));
    /* back in front of whatever arrived meanwhile, oldest first, each with its own copy of its
     * strings (a rare path: the database is away) */
    pthread_mutex_lock(&a->mu);
    int total = kept + a->pending.n;
    int drop = total > IJ_AUDIT_MAX_PENDING ? total - IJ_AUDIT_MAX_PENDING : 0;
    int skip_kept = drop < kept ? drop : kept; /* the oldest go first */
    int skip_new = drop - skip_kept;
    audit_batch merged = {0};
    size_t bytes =
        rows_bytes(&taken, skip_kept, kept) + rows_bytes(&a->pending, skip_new, a->pending.n);
    if (batch_room(&merged, total - drop, bytes + 1)) {
      copy_rows(&merged, &taken, skip_kept, kept);
      copy_rows(&merged, &a->pending, skip_new, a->pending.n);
      batch_free(&a->pending);
      a->pending = merged;
      a->lost += drop;
    } else {
      batch_free(&merged);
      a->lost += kept;
    }
    pthread_mutex_unlock(&a->mu);
  }
  pthread_mutex_lock(&a->mu);
  /* the spare was emptied when this flush took the queue, and only a flush refills it */
  if (taken.cap <= IJ_AUDIT_KEEP_ROWS) {
    a->spare = taken;
    taken = (audit_batch){0};
  }
  pthread_mutex_unlock(&a->mu);
  batch_free(&taken);
  pthread_mutex_unlock(&a->write_mu);
  return err;
}

ij_err ij_audit_flush(ij_access_queue *a) {
  return a ? flush(a) : IJ_OK;
}

static void *run(void *arg) {
  ij_access_queue *a = arg;
  pthread_mutex_lock(&a->mu);
  while (!atomic_load(&a->stopping)) {
    ij_wait_or_stop(&a->cv, &a->mu, IJ_AUDIT_INTERVAL_MS, &a->stopping);
    bool work = a->pending.n > 0 || a->lost > 0;
    pthread_mutex_unlock(&a->mu);
    if (work)
      flush(a);
    pthread_mutex_lock(&a->mu);
  }
  pthread_mutex_unlock(&a->mu);
  return NULL;
}

ij_err ij_audit_start(ij_store *store, ij_access_queue **out) {
  *out = NULL;
  ij_access_queue *a = calloc(1, sizeof *a);
  if (!a)
    return IJ_ERR_NOMEM;
  a->store = store;
  pthread_mutex_init(&a->mu, NULL);
  pthread_mutex_init(&a->write_mu, NULL);
  atomic_init(&a->stopping, false);
  ij_cond_init_monotonic(&a->cv);
  if (pthread_create(&a->thread, NULL, run, a) != 0) {
    ij_audit_stop(a);
    return IJ_ERR_INTERNAL;
  }
  a->started = true;
  *out = a;
  return IJ_OK;
}

void ij_audit_stop(ij_access_queue *a) {
  if (!a)
    return;
  if (a->started) {
    pthread_mutex_lock(&a->mu);
    atomic_store(&a->stopping, true);
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
  }
  /* what is still queued is written now (one attempt: the process is stopping) */
  if (flush(a) != IJ_OK || a->pending.n)
    ij_log(IJ_LOG_ERROR, "audit: %d access-log rows could not be written at the stop",
           a->pending.n);
  batch_free(&a->pending);
  batch_free(&a->spare);
  pthread_mutex_destroy(&a->mu);
  pthread_mutex_destroy(&a->write_mu);
  pthread_cond_destroy(&a->cv);
  free(a);
}
