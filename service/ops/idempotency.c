/* Claiming an Idempotency-Key and keeping the answer (include/ij/ops_idempotency.h). */
#include <string.h>

#include "ij/ops_idempotency.h"

static ij_idem_key key_of(const ij_op_ctx *op, const ij_actor *actor, const ij_idem_request *req) {
  return (ij_idem_key){op->area, actor->sub, req->key, req->request_hash};
}

/* A claim may vanish between the attempt to make it and the read (the request holding it failed
 * and forgot it): the claim is tried again, this many times in all. */
#define CLAIM_ATTEMPTS 3

ij_err ij_ops_idempotency_claim(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                const ij_idem_request *req, ij_idem_outcome *outcome,
                                ij_idem_row *kept, ij_time_us *claimed_at) {
  memset(kept, 0, sizeof *kept);
  *outcome = IJ_IDEM_PENDING;
  *claimed_at = 0;
  ij_idem_key k = key_of(op, actor, req);
  for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    bool claimed = false;
    ij_err err = ij_store_idem_claim(conn, &k, req->route, op->now, &claimed);
    if (err != IJ_OK)
      return err;
    if (claimed) {
      *outcome = IJ_IDEM_RUN;
      *claimed_at = op->now;
      return IJ_OK;
    }
    ij_idem_row row;
    err = ij_store_idem_read(conn, &k, &row);
    if (err == IJ_ERR_NOT_FOUND)
      continue;
    if (err != IJ_OK)
      return err;
    ij_idem_seen seen = {strcmp(row.request_hash, req->request_hash) == 0, row.answered,
                         row.claimed_at};
    switch (ij_domain_idem_judge(&seen, op->now)) {
    case IJ_IDEM_MISMATCH:
      ij_idem_row_clear(&row);
      return IJ_ERR_IDEMPOTENCY;
    case IJ_IDEM_REPLAY:
      *kept = row;
      *outcome = IJ_IDEM_KEPT;
      return IJ_OK;
    case IJ_IDEM_RUNNING:
      ij_idem_row_clear(&row);
      return IJ_OK;
    case IJ_IDEM_TAKE_OVER: {
      ij_idem_row_clear(&row);
      bool taken = false;
      err = ij_store_idem_take_over(conn, &k, op->now - IJ_IDEM_TAKE_OVER_US, op->now, &taken);
      if (err == IJ_OK && taken) {
        *outcome = IJ_IDEM_RUN;
        *claimed_at = op->now;
      }
      return err; /* not taken: another repeat took it first, and is running */
    }
    }
  }
  return IJ_OK; /* claimed and forgotten again each time: still pending, as far as one can tell */
}

ij_err ij_ops_idempotency_finish(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                 const ij_idem_request *req, ij_time_us claimed_at,
                                 const ij_idem_answer *answer, bool *kept) {
  ij_idem_key k = key_of(op, actor, req);
  bool keep = answer->body && ij_domain_idem_keeps(answer->status);
  if (kept)
    *kept = keep;
  if (!keep)
    return ij_store_idem_release(conn, &k, claimed_at);
  return ij_store_idem_keep(conn, &k, claimed_at, answer->status, answer->body, answer->etag,
                            answer->location, answer->content_type);
}
