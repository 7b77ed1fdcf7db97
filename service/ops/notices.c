/* The outcome notices: their feed and the outbox's backlog (reads of what exits wrote in
 * ops/referral.c), and delivering them: one transaction per area and batch, in which the due
 * notices are claimed (row locks, SKIP LOCKED: instances never claim the same one), each is handed
 * to the sender, and its result recorded. A notice the sender abandons (the service is stopping)
 * and every notice of a batch whose transaction fails stays due. */
#include <string.h>

#include "ops_internal.h"

ij_err ij_ops_notice_list(ij_conn *conn, const ij_op_ctx *op, const char *officer_sub,
                          const char *referral_id, int64_t after_seq, int limit,
                          ij_notice_page *out) {
  return ij_store_notices_list(conn, op->area, officer_sub, referral_id, after_seq, limit, out);
}

ij_err ij_ops_notice_backlog(ij_conn *conn, int64_t *count, double *oldest_seconds) {
  return ij_store_notices_backlog(conn, count, oldest_seconds);
}

ij_err ij_ops_deliver_notices(ij_conn *conn, const char *area, int batch, ij_notice_sender send,
                              void *arg, int *delivered, int *failed, int *claimed) {
  *delivered = *failed = *claimed = 0;
  ij_notice_batch claim;
  memset(&claim, 0, sizeof claim);
  ij_store_scope(conn, area);
  ij_err err = ij_store_begin(conn);
  if (err == IJ_OK)
    err = ij_store_notices_claim(conn, batch, &claim);
  if (err == IJ_OK)
    *claimed = claim.count;
  for (int i = 0; err == IJ_OK && i < claim.count; i++) {
    const ij_notice_delivery *n = &claim.items[i];
    char error[512] = "";
    ij_delivery r = send(n, arg, error, sizeof error);
    if (r == IJ_DELIVERY_ABANDONED)
      break; /* this one and the rest stay due */
    if (r == IJ_DELIVERY_DELIVERED) {
      err = ij_store_notice_delivered(conn, n->id);
      if (err == IJ_OK)
        ++*delivered;
    } else {
      err = ij_store_notice_failed(conn, n->id, error);
      if (err == IJ_OK)
        ++*failed;
    }
  }
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  if (err != IJ_OK)
    *delivered = *failed = 0; /* nothing recorded: every notice of the batch stays due */
  ij_notice_batch_clear(&claim);
  ij_store_scope(conn, NULL);
  return err;
}
