/* The connection pool and statement execution. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "ij/log.h"
#include "ij/str.h"

struct ij_store {
  char *conninfo;
  bool unprivileged;
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
  s->unprivileged = opts->unprivileged;
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

/* Whether the connection's role is bound by row-level security: not a superuser, no BYPASSRLS,
 * no rights of the referrals table's owner (who is exempt from its policies). */
static ij_err check_unprivileged(PGconn *pg) {
  PGresult *res = PQexec(
      pg, "SELECT r.rolsuper, r.rolbypassrls, pg_has_role(current_user, c.relowner, 'USAGE'),"
          " current_user"
          " FROM pg_roles r, pg_class c"
          " WHERE r.rolname = current_user AND c.oid = to_regclass('public.referrals')");
  ij_err err = IJ_OK;
  if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
    ij_log(IJ_LOG_WARN, "database role check failed: %s", PQerrorMessage(pg));
    err = IJ_ERR_UNAVAILABLE;
  } else if (PQntuples(res) != 1) {
    ij_log(IJ_LOG_ERROR, "database role check: the schema is not migrated (no referrals table)");
    err = IJ_ERR_UNAVAILABLE;
  } else {
    const char *why = PQgetvalue(res, 0, 0)[0] == 't'   ? "is a superuser"
                      : PQgetvalue(res, 0, 1)[0] == 't' ? "has BYPASSRLS"
                      : PQgetvalue(res, 0, 2)[0] == 't' ? "has the rights of the tables' owner"
                                                        : NULL;
    if (why) {
      ij_log(IJ_LOG_ERROR,
             "the database role %s %s, so row-level security would not bind it: connect as a"
             " member of ij_service that owns nothing (DATABASE_URL; migrations use"
             " DATABASE_OWNER_URL)",
             PQgetvalue(res, 0, 3), why);
      err = IJ_ERR_FORBIDDEN;
    }
  }
  PQclear(res);
  return err;
}

/* Whether the server has ended an idle connection: after PostgreSQL restarts (or fails over
 * behind the same address), every pooled connection is dead, but libpq learns it only when a
 * statement fails on it, which would cost one request a 503 per stale connection after the
 * database is back. A pooled connection between requests has nothing to read unless the server
 * said something of its own accord, which for these connections (they LISTEN to nothing) is its
 * shutdown's FATAL error (57P01) and end of file; libpq would only read that on the next
 * statement, and fail it. So a zero-wait poll, a system call per acquire, and a connection with
 * anything to read is opened again. */
static bool ended_by_server(PGconn *pg) {
  struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
  if (p.fd < 0)
    return true;
  return poll(&p, 1, 0) != 0;
}

/* Makes sure the connection is usable; called without the pool lock. */
static ij_err connect_if_needed(ij_store *s, ij_conn *c) {
  if (c->pg && !c->broken && PQstatus(c->pg) == CONNECTION_OK && !ended_by_server(c->pg))
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
  if (s->unprivileged) {
    ij_err err = check_unprivileged(c->pg);
    if (err != IJ_OK) {
      PQfinish(c->pg);
      c->pg = NULL;
      return err;
    }
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

static void drop_deferred(ij_conn *c) {
  c->ndeferred = 0;
  c->arena_used = 0;
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
  c->area[0] = 0;
  c->begin = NULL;
  c->commit_next = false;
  drop_deferred(c);
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
  if (strcmp(st, "25006") == 0)
    return IJ_ERR_UNAVAILABLE; /* a write reached a standby: the primary was just demoted (a
                                  switchover) and the balancer has not yet moved the connection */
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
  ij_str_copy(c->sqlstate, sizeof c->sqlstate, st ? st : "");
  ij_str_copy(c->constraint, sizeof c->constraint, cons ? cons : "");
  /* A connection that reached a standby (the primary was demoted under it) is opened again, and
   * the balancer gives the new one to the new primary. */
  if (PQstatus(c->pg) != CONNECTION_OK || (st && strcmp(st, "25006") == 0))
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

const char *ij_store_sqlstate(const ij_conn *c) {
  return c->sqlstate;
}

void ij_store_scope(ij_conn *c, const char *area) {
  ij_str_copy(c->area, sizeof c->area, area ? area : "");
}

/* Sets the connection's area for the current transaction; sent ahead of a statement or after
 * BEGIN, in the same pipeline. */
static const ij_stmt STMT_SCOPE = {"scope", "SELECT set_config('ij.area', $1, true)", 1};

/* Whether a statement goes prepared: always once prepared; while the table has room otherwise (a
 * statement beyond it runs unprepared rather than being prepared twice). Never with prepare off
 * (IJ_DB_PREPARE=false), as behind a transaction pooler: a named statement lives on one server
 * connection, and PgBouncer 1.18 may give a client another one for each transaction; the unnamed
 * statement of PQsendQueryParams is parsed with each execution, so it works there. */
static bool use_prepared(const ij_conn *c, const ij_stmt *stmt) {
  return c->prepare && (is_prepared(c, stmt) || c->nprepared < IJ_MAX_PREPARED);
}

/* Queues a statement in pipeline mode, preparing it first when it goes prepared and is not yet;
 * *prepares tells whether a preparation was queued (its result comes first). */
static bool send_stmt(ij_conn *c, const ij_stmt *stmt, const char *const *params,
                      bool queued_before, bool *prepares) {
  *prepares = false;
  if (!use_prepared(c, stmt))
    return PQsendQueryParams(c->pg, stmt->sql, stmt->nparams, NULL, params, NULL, NULL, 0);
  if (!is_prepared(c, stmt) && !queued_before) {
    if (!PQsendPrepare(c->pg, stmt->name, stmt->sql, stmt->nparams, NULL))
      return false;
    *prepares = true;
  }
  return PQsendQueryPrepared(c->pg, stmt->name, stmt->nparams, params, NULL, NULL, 0);
}

#define IJ_MAX_BATCH 16

/* Runs the steps in one pipeline with one sync: one round trip, and one implicit transaction (or
 * the explicit one a step begins, or the caller's). Each step's result goes to its out (when not
 * NULL) on success; on failure every out is NULL and the first failure is mapped as ij_db_exec
 * maps it. */
static ij_err run_pipeline(ij_conn *c, const ij_db_step *steps, int n) {
  bool prepares[IJ_MAX_BATCH] = {false};
  PGresult *kept[IJ_MAX_BATCH] = {NULL};
  if (n < 1 || n > IJ_MAX_BATCH)
    return IJ_ERR_INTERNAL;
  if (!PQenterPipelineMode(c->pg))
    return fail(c, NULL, steps[0].stmt);
  bool queued = true;
  for (int i = 0; i < n && queued; i++) {
    /* a statement that comes twice is prepared once, by its first */
    bool before = false;
    for (int j = 0; j < i && !before; j++)
      before = prepares[j] && steps[j].stmt == steps[i].stmt;
    queued = send_stmt(c, steps[i].stmt, steps[i].params, before, &prepares[i]);
  }
  if (!queued || !PQpipelineSync(c->pg)) {
    c->broken = true; /* the pipeline is in an unknown state: start again on a new connection */
    (void)PQexitPipelineMode(c->pg);
    return fail(c, NULL, steps[0].stmt);
  }
  /* Each queued request's result (a preparation's, then its statement's), then the sync. The
   * first failure is kept; the requests after it come back aborted. A preparation that succeeded
   * lasts even when the transaction fails, so it is noted either way. */
  PGresult *failed = NULL;
  const ij_stmt *failed_stmt = steps[0].stmt;
  bool lost = false;
  for (int i = 0; i < n && !lost; i++) {
    for (int step = prepares[i] ? 0 : 1; step < 2 && !lost; step++) {
      PGresult *res = PQgetResult(c->pg);
      if (!res) {
        lost = true;
        break;
      }
      ExecStatusType st = PQresultStatus(res);
      bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
      if (ok && step == 0 && c->nprepared < IJ_MAX_PREPARED)
        c->prepared[c->nprepared++] = steps[i].stmt;
      if (!ok && st != PGRES_PIPELINE_ABORTED && !failed) {
        failed = res;
        failed_stmt = steps[i].stmt;
      } else if (ok && step == 1 && steps[i].out) {
        kept[i] = res;
      } else {
        PQclear(res);
      }
      PGresult *end = PQgetResult(c->pg); /* the NULL that ends each request's results */
      if (end) {
        PQclear(end);
        lost = true;
      }
    }
  }
  PGresult *sync = lost ? NULL : PQgetResult(c->pg);
  if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
    c->broken = true;
  if (sync)
    PQclear(sync);
  if (!PQexitPipelineMode(c->pg))
    c->broken = true;
  if (failed || c->broken) {
    for (int i = 0; i < n; i++)
      if (kept[i])
        PQclear(kept[i]);
    return fail(c, failed, failed_stmt);
  }
  for (int i = 0; i < n; i++)
    if (steps[i].out)
      *steps[i].out = kept[i];
  return IJ_OK;
}

static const ij_stmt STMT_COMMIT = {"commit", "COMMIT", 0};

/* The transaction's first statements: its BEGIN, then the area; outside one, the area first, in
 * the same implicit transaction; then the deferred writes, then the steps (n may be 0 when there
 * are deferred writes), then, when the caller asked for it (ij_store_commit_with_next) and the
 * steps may carry it, the COMMIT. */
static ij_err send_with_pending(ij_conn *c, const ij_db_step *steps, int n, bool may_commit) {
  const ij_stmt *begin_stmt = c->begin;
  c->begin = NULL;
  bool idle = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
  bool commit = may_commit && c->commit_next && (begin_stmt || !idle);
  if (commit)
    c->commit_next = false;
  if (!begin_stmt && c->ndeferred == 0 && !commit && (!c->area[0] || !idle))
    return run_pipeline(c, steps, n);
  ij_db_step all[IJ_MAX_BATCH];
  int k = 0;
  if (begin_stmt)
    all[k++] = (ij_db_step){begin_stmt, NULL, NULL};
  const char *scope[1] = {c->area};
  if (c->area[0] && (begin_stmt || idle))
    all[k++] = (ij_db_step){&STMT_SCOPE, scope, NULL};
  memcpy(all + k, c->deferred, sizeof *c->deferred * (size_t)c->ndeferred);
  k += c->ndeferred;
  if (n > 0)
    memcpy(all + k, steps, sizeof *steps * (size_t)n);
  if (commit)
    all[n + k++] = (ij_db_step){&STMT_COMMIT, NULL, NULL};
  ij_err err = run_pipeline(c, all, n + k);
  drop_deferred(c); /* sent: done, or the transaction failed with them */
  return err;
}

/* Sends the deferred writes now, on their own (BEGIN and the area with them when still due). */
static ij_err flush_deferred(ij_conn *c) {
  if (c->ndeferred == 0)
    return IJ_OK;
  c->sqlstate[0] = 0;
  c->constraint[0] = 0;
  return send_with_pending(c, NULL, 0, false);
}

ij_err ij_db_batch(ij_conn *c, const ij_db_step *steps, int n) {
  c->sqlstate[0] = 0;
  c->constraint[0] = 0;
  for (int i = 0; i < n; i++)
    if (steps[i].out)
      *steps[i].out = NULL;
  if (n < 1 || n >= IJ_MAX_BATCH - 1)
    return IJ_ERR_INTERNAL;
  /* too many for one pipeline (BEGIN, the area, the pending writes, the steps and a COMMIT): the
   * pending writes go first, on their own */
  ij_err err = 3 + c->ndeferred + n > IJ_MAX_BATCH ? flush_deferred(c) : IJ_OK;
  if (err != IJ_OK)
    return err;
  return send_with_pending(c, steps, n, true);
}

ij_err ij_db_defer(ij_conn *c, const ij_stmt *stmt, const char *const *params) {
  bool in_tx = c->begin || PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
  size_t need = 0;
  for (int i = 0; i < stmt->nparams; i++)
    need += params[i] ? strlen(params[i]) + 1 : 0;
  if (!in_tx || stmt->nparams > IJ_DEFER_PARAMS || need > sizeof c->arena)
    return ij_db_run(c, stmt, params);
  /* full: the pending writes go now */
  ij_err err = c->ndeferred == IJ_DEFER_MAX || c->arena_used + need > sizeof c->arena
                   ? flush_deferred(c)
                   : IJ_OK;
  if (err != IJ_OK)
    return err;
  int k = c->ndeferred++;
  for (int i = 0; i < stmt->nparams; i++) {
    const char *copy = NULL;
    if (params[i]) {
      size_t len = strlen(params[i]) + 1;
      memcpy(c->arena + c->arena_used, params[i], len);
      copy = c->arena + c->arena_used;
      c->arena_used += len;
    }
    c->deferred_params[k][i] = copy;
  }
  c->deferred[k] = (ij_db_step){stmt, c->deferred_params[k], NULL};
  return IJ_OK;
}

ij_err ij_db_exec(ij_conn *c, const ij_stmt *stmt, const char *const *params, PGresult **out) {
  *out = NULL;
  c->sqlstate[0] = 0;
  c->constraint[0] = 0;
  /* a statement of its own with an area: the area and the statement in one implicit transaction;
   * in a transaction, the BEGIN and the writes deferred so far go with it */
  if (c->begin || c->ndeferred > 0 || c->commit_next ||
      (c->area[0] && PQtransactionStatus(c->pg) == PQTRANS_IDLE)) {
    ij_db_step step = {stmt, params, out};
    return ij_db_batch(c, &step, 1);
  }
  PGresult *res;
  if (use_prepared(c, stmt)) {
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

static const ij_stmt STMT_CUSTOM_PLAN = {
    "custom_plan", "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)", 0};

ij_err ij_db_exec_custom_plan(ij_conn *c, const ij_stmt *stmt, const char *const *params,
                              PGresult **out) {
  *out = NULL;
  ij_db_step steps[2] = {{&STMT_CUSTOM_PLAN, NULL, NULL}, {stmt, params, out}};
  return ij_db_batch(c, steps, 2);
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

static const ij_stmt STMT_BEGIN = {"begin", "BEGIN", 0};
static const ij_stmt STMT_BEGIN_SNAPSHOT = {"begin_snapshot",
                                            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0};

/* BEGIN is not sent at once: it goes in one round trip with the area and the transaction's first
 * statement (ij_db_batch). A transaction that runs nothing sends nothing. */
static ij_err begin(ij_conn *c, const ij_stmt *stmt) {
  if (c->begin || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
    return IJ_ERR_INTERNAL; /* already in one */
  c->begin = stmt;
  return IJ_OK;
}

ij_err ij_store_begin(ij_conn *c) {
  return begin(c, &STMT_BEGIN);
}

ij_err ij_store_begin_snapshot(ij_conn *c) {
  return begin(c, &STMT_BEGIN_SNAPSHOT);
}

ij_err ij_store_commit(ij_conn *c) {
  c->commit_next = false;
  if (c->ndeferred > 0) { /* the deferred writes and the COMMIT in one round trip */
    ij_db_step commit = {&STMT_COMMIT, NULL, NULL};
    return ij_db_batch(c, &commit, 1);
  }
  if (c->begin) { /* nothing was run */
    c->begin = NULL;
    return IJ_OK;
  }
  if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
    return IJ_OK; /* committed already, with the statements after ij_store_commit_with_next */
  return simple(c, "COMMIT");
}

void ij_store_commit_with_next(ij_conn *c) {
  c->commit_next = true;
}

void ij_store_rollback(ij_conn *c) {
  c->commit_next = false;
  drop_deferred(c);
  if (c->begin) {
    c->begin = NULL;
    return;
  }
  (void)simple(c, "ROLLBACK");
}

ij_err ij_db_one(ij_conn *c, const ij_stmt *stmt, const char *const *params, PGresult **out) {
  *out = NULL;
  /* a deferred write's failure is its own, never this read's "no such row" */
  ij_err sent = flush_deferred(c);
  if (sent != IJ_OK)
    return sent;
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

void ij_db_state_array(unsigned states, char *buf, size_t size) {
  size_t n = 0;
  buf[n++] = '{';
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    if (!(states & (1u << s)))
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

void *ij_db_items(PGresult *res, size_t item_size, int *count) {
  *count = PQntuples(res);
  void *items = calloc((size_t)*count + 1, item_size);
  if (!items)
    PQclear(res);
  return items;
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

/* The bytes that end a run of a record's text copied as it is: the end, the separators, a quote
 * and a backslash. */
static const bool RECORD_STOP[256] = {
    [0] = true, [','] = true, [')'] = true, ['"'] = true, ['\\'] = true};

int ij_db_record(const char *text, char *buf, const char **fields, int max) {
  const unsigned char *p = (const unsigned char *)text;
  while (isspace(*p))
    p++;
  if (*p++ != '(')
    return -1;
  char *d = buf;
  int n = 0;
  for (;;) {
    if (n == max)
      return -1;
    if (*p == ',' || *p == ')') {
      fields[n++] = NULL; /* nothing between the separators: NULL ("" is quoted) */
    } else {
      fields[n++] = d;
      bool quoted = false;
      for (;;) {
        while (!RECORD_STOP[*p])
          *d++ = (char)*p++;
        if (*p == '\0' || (*p == '\\' && p[1] == '\0'))
          return -1; /* the text ends inside a field */
        if (*p == '\\') {
          *d++ = (char)p[1]; /* escapes the next byte */
          p += 2;
        } else if (*p == '"') {
          if (quoted && p[1] == '"') {
            *d++ = '"'; /* a doubled quote inside quotes */
            p += 2;
          } else {
            quoted = !quoted;
            p++;
          }
        } else if (quoted) {
          *d++ = (char)*p++; /* a separator inside quotes */
        } else {
          break; /* the field's end */
        }
      }
      *d++ = '\0';
    }
    if (*p++ == ')')
      break;
  }
  while (isspace(*p))
    p++;
  return *p ? -1 : n;
}

char *ij_db_records(const PGresult *res, int nrows, const char **fields, int nfields) {
  size_t size = 1;
  for (int r = 0; r < nrows; r++)
    size += (size_t)PQgetlength(res, r, 0) + 1;
  char *block = malloc(size);
  if (!block)
    return NULL;
  char *d = block;
  for (int r = 0; r < nrows; r++) {
    if (PQgetisnull(res, r, 0) ||
        ij_db_record(PQgetvalue(res, r, 0), d, fields + (size_t)r * (size_t)nfields, nfields) !=
            nfields) {
      ij_log(IJ_LOG_ERROR, "a row read as a record is not a record of %d fields", nfields);
      free(block);
      return NULL;
    }
    d += PQgetlength(res, r, 0) + 1;
  }
  return block;
}

char *ij_db_record_rows(const PGresult *res, int count, int nfields, const char ***fields) {
  *fields = malloc(sizeof **fields * (size_t)nfields * (size_t)(count > 0 ? count : 1));
  char *block = *fields ? ij_db_records(res, count, *fields, nfields) : NULL;
  if (!block) {
    free(*fields);
    *fields = NULL;
  }
  return block;
}

const char *ij_db_field_text(const char *field) {
  return field ? field : "";
}

int64_t ij_db_field_i64(const char *field) {
  return field ? strtoll(field, NULL, 10) : 0;
}

bool ij_db_field_bool(const char *field) {
  return field && field[0] == 't';
}

int ij_db_field_tristate(const char *field) {
  return field ? field[0] == 't' : -1;
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
