/* The personal-data access log, written in batches. A request that answered 2xx on a personal
 * route queues one row per referral it touched (a copy: the request's memory is gone when the row
 * is written); a thread writes what is queued every IJ_AUDIT_INTERVAL_MS, one statement per area
 * on a connection scoped to that area. The trade-off, stated in the README: a crash of `ij` loses
 * the rows of at most the last interval (a graceful stop writes them), and a database outage is
 * bridged by keeping up to IJ_AUDIT_MAX_PENDING rows (more are counted as lost, at error level). */
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
/* The array a flush has written is kept for the next round's rows when it holds at most this many
 * (about 2 MB): a fresh array every 200 ms cost the kernel its pages again each time (0.13 page
 * faults a GET at 7,000 a second). A larger one, left by a backlog, is freed, so that what a
 * database stall made the queue take is given back. */
#define IJ_AUDIT_KEEP_ROWS 4096

/* A queued row: fixed-size copies of what the statement needs. */
typedef struct {
  char area[IJ_AREA_MAX];
  ij_time_us at;
  char sub[IJ_CLAIM_MAX];
  char roles[96];
  char action[16]; /* consult, alter, disclose, subject_access */
  char referral_id[IJ_UUID_BUF];
  char route[64];
  char method[8];
  char request_id[IJ_REQUEST_ID_MAX];
} audit_row;

struct ij_access_queue {
  ij_store *store;
  pthread_mutex_t mu;       /* guards pending; held only to copy rows in or to swap */
  pthread_cond_t cv;        /* wakes the writer: stop, or a flush is asked for */
  pthread_mutex_t write_mu; /* one writer at a time: the thread or a synchronous flush */
  audit_row *pending;
  int npending, cap;
  audit_row *spare; /* the last written array, empty, for the next round (IJ_AUDIT_KEEP_ROWS) */
  int spare_cap;
  long long lost; /* rows dropped because the queue was full */
  atomic_bool stopping;
  bool started;
  pthread_t thread;
};

static void copy(char *dst, size_t size, const char *src) {
  ij_str_copy(dst, size, src ? src : "");
}

void ij_audit_enqueue(ij_access_queue *a, const ij_access_record *rec) {
  if (!a || rec->count <= 0)
    return;
  pthread_mutex_lock(&a->mu);
  if (a->npending + rec->count > a->cap && a->cap < IJ_AUDIT_MAX_PENDING) {
    int cap = a->cap ? a->cap : 256;
    while (cap < a->npending + rec->count && cap < IJ_AUDIT_MAX_PENDING)
      cap *= 2;
    if (cap > IJ_AUDIT_MAX_PENDING)
      cap = IJ_AUDIT_MAX_PENDING;
    audit_row *grown = realloc(a->pending, sizeof *grown * (size_t)cap);
    if (grown) {
      a->pending = grown;
      a->cap = cap;
    }
  }
  for (int i = 0; i < rec->count; i++) {
    if (a->npending == a->cap) {
      a->lost += rec->count - i;
      break;
    }
    audit_row *r = &a->pending[a->npending++];
    copy(r->area, sizeof r->area, rec->area);
    r->at = rec->at;
    copy(r->sub, sizeof r->sub, rec->actor_sub);
    copy(r->roles, sizeof r->roles, rec->actor_role);
    copy(r->action, sizeof r->action, rec->actions[i]);
    copy(r->referral_id, sizeof r->referral_id, rec->referral_ids[i]);
    copy(r->route, sizeof r->route, rec->route);
    copy(r->method, sizeof r->method, rec->method);
    copy(r->request_id, sizeof r->request_id, rec->request_id);
  }
  pthread_mutex_unlock(&a->mu);
}

static int by_area(const void *x, const void *y) {
  const audit_row *a = x, *b = y;
  int c = strcmp(a->area, b->area);
  if (c)
    return c;
  return a->at < b->at ? -1 : a->at > b->at;
}

/* Writes rows[0..n) (sorted by area), area by area. The rows of an area that could not be written
 * are kept: *kept is how many were moved to the front of `rows`. */
static ij_err write_rows(ij_access_queue *a, audit_row *rows, int n, int *kept) {
  *kept = 0;
  if (n == 0)
    return IJ_OK;
  ij_conn *conn = NULL;
  ij_err err = ij_store_acquire(a->store, &conn);
  ij_access_row batch[IJ_AUDIT_BATCH];
  ij_err first = err;
  for (int start = 0; start < n;) {
    int end = start;
    while (end < n && end - start < IJ_AUDIT_BATCH && strcmp(rows[end].area, rows[start].area) == 0)
      end++;
    if (err == IJ_OK) {
      for (int i = start; i < end; i++) {
        audit_row *r = &rows[i];
        batch[i - start] = (ij_access_row){r->at,          r->sub,   r->roles,  r->action,
                                           r->referral_id, r->route, r->method, r->request_id};
      }
      ij_store_scope(conn, rows[start].area);
      err = ij_store_access_log_rows(conn, rows[start].area, batch, end - start);
      if (err != IJ_OK && first == IJ_OK)
        first = err;
    }
    if (err != IJ_OK) { /* keep them for the next round */
      memmove(&rows[*kept], &rows[start], sizeof *rows * (size_t)(end - start));
      *kept += end - start;
      err = err == IJ_ERR_UNAVAILABLE ? err : IJ_OK; /* a bad batch does not stop the others */
    }
    start = end;
  }
  if (conn)
    ij_store_release(a->store, conn);
  return first;
}

/* Takes everything queued and writes it; what cannot be written goes back to the front of the
 * queue (within its bound). */
static ij_err flush(ij_access_queue *a) {
  pthread_mutex_lock(&a->write_mu);
  pthread_mutex_lock(&a->mu);
  audit_row *rows = a->pending;
  int n = a->npending, rows_cap = a->cap;
  long long lost = a->lost;
  a->pending = a->spare;
  a->cap = a->spare_cap;
  a->npending = 0;
  a->spare = NULL;
  a->spare_cap = 0;
  a->lost = 0;
  pthread_mutex_unlock(&a->mu);
  if (lost)
    ij_log(IJ_LOG_ERROR, "audit: %lld access-log rows were lost (the queue was full)", lost);
  if (n > 0)
    qsort(rows, (size_t)n, sizeof *rows, by_area);
  int kept = 0;
  ij_err err = write_rows(a, rows, n, &kept);
  if (kept) {
    ij_log(IJ_LOG_WARN, "audit: %d access-log rows not written yet (%s); retrying", kept,
           ij_err_message(err));
    /* back in front of whatever arrived meanwhile, oldest first */
    pthread_mutex_lock(&a->mu);
    int total = kept + a->npending;
    int drop = total > IJ_AUDIT_MAX_PENDING ? total - IJ_AUDIT_MAX_PENDING : 0;
    int skip_kept = drop < kept ? drop : kept; /* the oldest go first */
    int skip_new = drop - skip_kept;
    audit_row *merged = malloc(sizeof *merged * (size_t)(total - drop + 1));
    if (merged) {
      if (kept > skip_kept)
        memcpy(merged, rows + skip_kept, sizeof *rows * (size_t)(kept - skip_kept));
      if (a->npending > skip_new)
        memcpy(merged + (kept - skip_kept), a->pending + skip_new,
               sizeof *rows * (size_t)(a->npending - skip_new));
      free(a->pending);
      a->pending = merged;
      a->npending = a->cap = total - drop;
      a->lost += drop;
    } else {
      a->lost += kept;
    }
    pthread_mutex_unlock(&a->mu);
  }
  pthread_mutex_lock(&a->mu);
  if (!a->spare && rows_cap <= IJ_AUDIT_KEEP_ROWS) {
    a->spare = rows;
    a->spare_cap = rows_cap;
    rows = NULL;
  }
  pthread_mutex_unlock(&a->mu);
  free(rows);
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
    bool work = a->npending > 0 || a->lost > 0;
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
  if (flush(a) != IJ_OK || a->npending)
    ij_log(IJ_LOG_ERROR, "audit: %d access-log rows could not be written at the stop", a->npending);
  free(a->pending);
  free(a->spare);
  pthread_mutex_destroy(&a->mu);
  pthread_mutex_destroy(&a->write_mu);
  pthread_cond_destroy(&a->cv);
  free(a);
}
