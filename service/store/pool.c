/* The connection pool and statement execution. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "ij/log.h"

struct ij_store {
  char *conninfo;
  int size;
  int timeout_ms;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int in_use;
  int waiting;
  ij_conn *conns;
};

ij_err ij_store_open(const ij_store_options *opts, ij_store **out) {
  *out = NULL;
  if (!opts || !opts->conninfo || opts->size < 1 || opts->size > 256)
    return IJ_ERR_INVALID;
  ij_store *s = calloc(1, sizeof *s);
  if (!s)
    return IJ_ERR_NOMEM;
  s->conninfo = strdup(opts->conninfo);
  s->conns = calloc((size_t)opts->size, sizeof *s->conns);
  if (!s->conninfo || !s->conns) {
    free(s->conninfo);
    free(s->conns);
    free(s);
    return IJ_ERR_NOMEM;
  }
  s->size = opts->size;
  s->timeout_ms = opts->acquire_timeout_ms > 0 ? opts->acquire_timeout_ms : 5000;
  for (int i = 0; i < s->size; i++)
    s->conns[i].prepare = opts->prepare;
  pthread_mutex_init(&s->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&s->cv, &ca);
  pthread_condattr_destroy(&ca);
  *out = s;
  return IJ_OK;
}

void ij_store_close(ij_store *s) {
  if (!s)
    return;
  for (int i = 0; i < s->size; i++)
    if (s->conns[i].pg)
      PQfinish(s->conns[i].pg);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  free(s->conns);
  free(s->conninfo);
  free(s);
}

static void forget_prepared(ij_conn *c) {
  c->nprepared = 0;
}

/* Makes sure the connection is usable; called without the pool lock. */
static ij_err connect_if_needed(ij_store *s, ij_conn *c) {
  if (c->pg && !c->broken && PQstatus(c->pg) == CONNECTION_OK)
    return IJ_OK;
  forget_prepared(c);
  if (c->pg) {
    PQreset(c->pg);
  } else {
    c->pg = PQconnectdb(s->conninfo);
  }
  if (!c->pg)
    return IJ_ERR_NOMEM;
  if (PQstatus(c->pg) != CONNECTION_OK) {
    ij_log(IJ_LOG_WARN, "database connection failed: %s", PQerrorMessage(c->pg));
    PQfinish(c->pg);
    c->pg = NULL;
    return IJ_ERR_UNAVAILABLE;
  }
  c->broken = false;
  return IJ_OK;
}

ij_err ij_store_acquire(ij_store *s, ij_conn **out) {
  *out = NULL;
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += s->timeout_ms / 1000;
  deadline.tv_nsec += (long)(s->timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&s->mu);
  ij_conn *c = NULL;
  for (;;) {
    /* prefer a connection that is already open */
    for (int i = 0; i < s->size && !c; i++)
      if (!s->conns[i].in_use && s->conns[i].pg)
        c = &s->conns[i];
    for (int i = 0; i < s->size && !c; i++)
      if (!s->conns[i].in_use)
        c = &s->conns[i];
    if (c)
      break;
    s->waiting++;
    int rc = pthread_cond_timedwait(&s->cv, &s->mu, &deadline);
    s->waiting--;
    if (rc == ETIMEDOUT) {
      pthread_mutex_unlock(&s->mu);
      return IJ_ERR_UNAVAILABLE;
    }
  }
  c->in_use = true;
  s->in_use++;
  pthread_mutex_unlock(&s->mu);

  ij_err err = connect_if_needed(s, c);
  if (err != IJ_OK) {
    ij_store_release(s, c);
    return err;
  }
  *out = c;
  return IJ_OK;
}

void ij_store_release(ij_store *s, ij_conn *c) {
  if (!c)
    return;
  /* a connection left inside a transaction (an error path) is rolled back before reuse */
  if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
    if (PQtransactionStatus(c->pg) == PQTRANS_UNKNOWN)
      c->broken = true;
    else
      ij_store_rollback(c);
  }
  pthread_mutex_lock(&s->mu);
  c->in_use = false;
  s->in_use--;
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

void ij_store_stats(ij_store *s, int *size, int *in_use, int *waiting) {
  pthread_mutex_lock(&s->mu);
  if (size)
    *size = s->size;
  if (in_use)
    *in_use = s->in_use;
  if (waiting)
    *waiting = s->waiting;
  pthread_mutex_unlock(&s->mu);
}

/* SQLSTATE classes to domain errors. */
static ij_err map_sqlstate(const char *st) {
  if (!st)
    return IJ_ERR_UNAVAILABLE; /* no SQLSTATE: the connection went away */
  if (strcmp(st, "23505") == 0 || strcmp(st, "23P01") == 0)
    return IJ_ERR_CONFLICT; /* unique or exclusion violation */
  if (strcmp(st, "23503") == 0 || strcmp(st, "23514") == 0 || strcmp(st, "23502") == 0 ||
      strncmp(st, "22", 2) == 0)
    return IJ_ERR_INVALID; /* foreign key, check, not null, data exceptions */
  if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "55P03") == 0)
    return IJ_ERR_CONFLICT; /* serialization failure, deadlock, lock not available */
  if (strncmp(st, "08", 2) == 0 || strncmp(st, "57", 2) == 0 || strncmp(st, "53", 2) == 0)
    return IJ_ERR_UNAVAILABLE; /* connection, operator intervention, insufficient resources */
  return IJ_ERR_INTERNAL;
}

static bool is_prepared(const ij_conn *c, const ij_stmt *stmt) {
  for (int i = 0; i < c->nprepared; i++)
    if (c->prepared[i] == stmt)
      return true;
  return false;
}

static ij_err fail(ij_conn *c, PGresult *res, const ij_stmt *stmt) {
  const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
  snprintf(c->sqlstate, sizeof c->sqlstate, "%s", st ? st : "");
  snprintf(c->constraint, sizeof c->constraint, "%s", cons ? cons : "");
  if (PQstatus(c->pg) != CONNECTION_OK)
    c->broken = true;
  ij_err err = c->broken ? IJ_ERR_UNAVAILABLE : map_sqlstate(st);
  /* Never the whole message: its DETAIL quotes row values (a duplicate key, a failing row), which
   * may be personal data. A fault of the service keeps the primary message, which names what
   * failed; an error the client caused (a conflict, a bad value) only its SQLSTATE and constraint,
   * since even the primary message may quote the value. */
  if (err == IJ_ERR_INTERNAL || err == IJ_ERR_UNAVAILABLE) {
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    ij_log(IJ_LOG_ERROR, "statement %s failed (%s): %s", stmt->name, st ? st : "no sqlstate",
           primary ? primary : PQerrorMessage(c->pg));
  } else {
    ij_log(IJ_LOG_DEBUG, "statement %s failed (%s%s%s)", stmt->name, st ? st : "no sqlstate",
           cons ? ", constraint " : "", cons ? cons : "");
  }
  if (res)
    PQclear(res);
  return err;
}

ij_err ij_db_exec(ij_conn *c, const ij_stmt *stmt, const char *const *params, PGresult **out) {
  *out = NULL;
  c->sqlstate[0] = 0;
  c->constraint[0] = 0;
  PGresult *res;
  /* a statement beyond the table's room runs unprepared rather than being prepared twice */
  bool prepared = c->prepare && (is_prepared(c, stmt) || c->nprepared < IJ_MAX_PREPARED);
  if (prepared) {
    if (!is_prepared(c, stmt)) {
      res = PQprepare(c->pg, stmt->name, stmt->sql, stmt->nparams, NULL);
      if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
        return fail(c, res, stmt);
      PQclear(res);
      c->prepared[c->nprepared++] = stmt;
    }
    res = PQexecPrepared(c->pg, stmt->name, stmt->nparams, params, NULL, NULL, 0);
  } else {
    res = PQexecParams(c->pg, stmt->sql, stmt->nparams, NULL, params, NULL, NULL, 0);
  }
  if (!res)
    return fail(c, res, stmt);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
    return fail(c, res, stmt);
  *out = res;
  return IJ_OK;
}

ij_err ij_db_run(ij_conn *c, const ij_stmt *stmt, const char *const *params) {
  PGresult *res;
  ij_err err = ij_db_exec(c, stmt, params, &res);
  if (res)
    PQclear(res);
  return err;
}

/* Transaction control is constant text with no parameters: run as simple queries, which also
 * work inside an aborted transaction (where preparing a statement would fail). */
static ij_err simple(ij_conn *c, const char *sql) {
  static const ij_stmt tx = {"transaction control", "", 0};
  PGresult *res = PQexec(c->pg, sql);
  if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
    return fail(c, res, &tx);
  PQclear(res);
  return IJ_OK;
}

ij_err ij_store_begin(ij_conn *c) {
  return simple(c, "BEGIN");
}

ij_err ij_store_commit(ij_conn *c) {
  return simple(c, "COMMIT");
}

void ij_store_rollback(ij_conn *c) {
  (void)simple(c, "ROLLBACK");
}

ij_err ij_db_one(ij_conn *c, const ij_stmt *stmt, const char *const *params, PGresult **out) {
  ij_err err = ij_db_exec(c, stmt, params, out);
  if (err != IJ_OK)
    return err == IJ_ERR_INVALID ? IJ_ERR_NOT_FOUND : err;
  if (PQntuples(*out) != 1) {
    PQclear(*out);
    *out = NULL;
    return IJ_ERR_NOT_FOUND;
  }
  return IJ_OK;
}

ij_err ij_db_rows(PGresult *res, ij_rows *out) {
  memset(out, 0, sizeof *out);
  out->count = PQntuples(res);
  out->columns = PQnfields(res);
  out->cells = calloc((size_t)(out->count * out->columns) + 1, sizeof *out->cells);
  if (!out->cells) {
    PQclear(res);
    return IJ_ERR_NOMEM;
  }
  for (int r = 0; r < out->count; r++)
    for (int c = 0; c < out->columns; c++)
      out->cells[r * out->columns + c] = ij_db_str(res, r, c);
  out->owner_ = res;
  return IJ_OK;
}

void ij_db_clock_states(char *buf, size_t size) {
  size_t n = 0;
  buf[n++] = '{';
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    if (!ij_domain_state_clock_runs((ij_state)s))
      continue;
    int w = snprintf(buf + n, size - n, "%s%s", n > 1 ? "," : "", ij_state_name((ij_state)s));
    if (w < 0 || (size_t)w >= size - n)
      break;
    n += (size_t)w;
  }
  snprintf(buf + n, size - n, "}");
}

void ij_db_page_limit(int limit, char out[16]) {
  snprintf(out, 16, "%d", limit + 1);
}

void ij_db_keyset_of(bool has, ij_time_us at, const char *id, ij_db_keyset *out) {
  out->at_param = out->id_param = NULL;
  if (has) {
    ij_time_format(at, out->at);
    out->at_param = out->at;
    out->id_param = id;
  }
}

void *ij_db_page_items(PGresult *res, int limit, size_t item_size, int *count, bool *more) {
  int n = PQntuples(res);
  *more = n > limit;
  *count = *more ? limit : n;
  void *items = calloc((size_t)*count + 1, item_size);
  if (!items)
    PQclear(res);
  return items;
}

const char *ij_db_str(const PGresult *res, int row, int col) {
  return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int64_t ij_db_i64(const PGresult *res, int row, int col) {
  return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool ij_db_bool(const PGresult *res, int row, int col) {
  return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

int ij_db_tristate(const PGresult *res, int row, int col) {
  return PQgetisnull(res, row, col) ? -1 : PQgetvalue(res, row, col)[0] == 't';
}

void ij_rows_clear(ij_rows *rows) {
  if (!rows)
    return;
  free(rows->cells);
  if (rows->owner_)
    PQclear(rows->owner_);
  memset(rows, 0, sizeof *rows);
}
