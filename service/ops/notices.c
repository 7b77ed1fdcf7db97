/* The notices' feed and the outbox backlog: reads of what exits wrote (ops/referral.c) and the
 * outbox delivers. */
#include "ops_internal.h"

ij_err ij_ops_notice_list(ij_conn *conn, const ij_op_ctx *op, const char *officer_sub,
                          int64_t after_seq, int limit, ij_notice_page *out) {
  return ij_store_notices_list(conn, op->area, officer_sub, after_seq, limit, out);
}

ij_err ij_ops_notice_backlog(ij_conn *conn, int64_t *count, double *oldest_seconds) {
  return ij_store_notices_backlog(conn, count, oldest_seconds);
}
