/* Read routing: the statistics may be read from a hot standby (DATABASE_URL_READ) while it is at
 * most IJ_READ_MAX_LAG_SECONDS behind the primary; otherwise, and whenever it cannot be reached,
 * from the primary. Every other request uses the primary, so a caller always reads its own
 * writes. The answer states which server it came from and how fresh its figures are. */
#include <stdatomic.h>
#include <time.h>

#include "ij/log.h"
#include "ij/store/replica.h"
#include "internal.h"

/* After the replica failed or lagged, the primary answers for this long before it is tried again:
 * no connection attempt (and warning) per request while it is away. */
#define READ_RETRY_US (1000 * 1000LL)

static long long monotonic_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void skip_replica(ij_server *s, ij_read_fallback why, const ij_replica_lag *lag) {
  atomic_store(&s->read_skip_reason, (int)why);
  atomic_store(&s->read_skip_until_us, monotonic_us() + READ_RETRY_US);
  if (why == IJ_READ_REPLICA_UNAVAILABLE)
    ij_log(IJ_LOG_WARN, "read routing: the replica (DATABASE_URL_READ) cannot be reached; the"
                        " primary serves the statistics");
  else if (lag && lag->known)
    ij_log(IJ_LOG_WARN,
           "read routing: the replica is %.1f s behind (bound %d s); the primary serves the"
           " statistics",
           lag->lag_seconds, s->reads.max_lag_seconds);
  else
    ij_log(IJ_LOG_WARN, "read routing: the replica cannot tell how far behind it is; the primary"
                        " serves the statistics");
}

/* The replica's connection when it is close enough behind, else NULL (and why in *why). */
static ij_conn *replica_conn(ij_ctx *ctx, ij_read_fallback *why) {
  ij_server *s = ctx->server;
  if (monotonic_us() < atomic_load(&s->read_skip_until_us)) {
    *why = (ij_read_fallback)atomic_load(&s->read_skip_reason);
    return NULL;
  }
  ij_conn *conn = NULL;
  ij_replica_lag lag;
  if (ij_store_acquire(s->reads.store, &conn) != IJ_OK) {
    *why = IJ_READ_REPLICA_UNAVAILABLE;
    skip_replica(s, *why, NULL);
    return NULL;
  }
  /* before the statistics' own statements: their snapshot is at least this fresh */
  ij_err err = ij_store_replica_lag(conn, &lag);
  if (err == IJ_OK && lag.known && lag.lag_seconds <= (double)s->reads.max_lag_seconds) {
    ctx->read.replica = true;
    ctx->read.lag_seconds = lag.lag_seconds;
    ctx->read.data_as_of = lag.data_as_of;
    ij_store_scope(conn, ctx->actor.area);
    return conn;
  }
  ij_store_release(s->reads.store, conn);
  *why = err == IJ_OK ? IJ_READ_REPLICA_BEHIND : IJ_READ_REPLICA_UNAVAILABLE;
  skip_replica(s, *why, err == IJ_OK ? &lag : NULL);
  return NULL;
}

ij_conn *ij_ctx_read_conn(ij_ctx *ctx) {
  if (ctx->read_conn)
    return ctx->read_conn;
  ctx->read = (ij_read_info){false, IJ_READ_NO_FALLBACK, 0.0, ctx->now};
  if (ctx->server->reads.store) {
    ij_read_fallback why = IJ_READ_NO_FALLBACK;
    ctx->read_conn = replica_conn(ctx, &why);
    if (ctx->read_conn)
      return ctx->read_conn;
    ctx->read.fallback = why;
  }
  /* the primary: nothing is missing, the figures are as of the request */
  return ij_ctx_conn(ctx);
}

ij_conn *ij_ctx_read_retry(ij_ctx *ctx, ij_err err) {
  if (!ctx->read_conn || (err != IJ_ERR_UNAVAILABLE && err != IJ_ERR_CONFLICT))
    return NULL;
  ij_store_release(ctx->server->reads.store, ctx->read_conn);
  ctx->read_conn = NULL;
  skip_replica(ctx->server, IJ_READ_REPLICA_UNAVAILABLE, NULL);
  ctx->read = (ij_read_info){false, IJ_READ_REPLICA_UNAVAILABLE, 0.0, ctx->now};
  return ij_ctx_conn(ctx);
}

json_t *ij_read_freshness_json(const ij_ctx *ctx) {
  static const char *const fallbacks[] = {NULL, "replica_behind", "replica_unavailable"};
  const ij_read_info *r = &ctx->read;
  json_t *max =
      ctx->server->reads.store ? json_integer(ctx->server->reads.max_lag_seconds) : json_null();
  return json_pack("{s:s, s:o, s:f, s:o, s:o}", "source", r->replica ? "replica" : "primary",
                   "data_as_of", ij_json_time(r->data_as_of), "lag_seconds",
                   (double)(long long)(r->lag_seconds * 1000.0 + 0.5) / 1000.0, "max_lag_seconds",
                   max, "fallback", ij_json_str_or_null(fallbacks[r->fallback]));
}
