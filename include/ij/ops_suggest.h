/* Booking suggestions for a referral: the sessions it could be booked on now, best first
 * (ij/domain_suggest.h says which and in what order).
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only; *out is the caller's until ij_suggestions_clear. */
#ifndef IJ_OPS_SUGGEST_H
#define IJ_OPS_SUGGEST_H

#include "ij/domain_suggest.h"
#include "ij/ops.h"
#include "ij/store/suggestions.h"

typedef struct {
  int count;
  struct {
    const ij_suggested_session *session; /* borrowed from rows */
    bool within_target;                  /* starts before the referral's target_start_by */
  } items[IJ_SUGGEST_LIMIT_MAX];
  ij_suggested_sessions rows;
} ij_suggestions;
/* Frees what the suggestions hold and zeroes them (a zeroed one is ignored). */
void ij_suggestions_clear(ij_suggestions *s);

/* Up to `limit` (1 to IJ_SUGGEST_LIMIT_MAX) sessions of op's area that the referral could be
 * booked on now (ij_ops_book would accept each at op->now), best first, looking
 * IJ_SUGGEST_DAYS ahead. IJ_ERR_NOT_FOUND for a referral not of the area; IJ_ERR_TRANSITION
 * (a field error on "referral"; *allowed_events set to what the actor may do instead) when the
 * referral's state cannot be booked. *out: ij_suggestions_clear, whatever is returned. */
ij_err ij_ops_session_suggestions(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *referral_id, int limit, ij_suggestions *out,
                                  unsigned *allowed_events, ij_field_errors *errs);

#endif
