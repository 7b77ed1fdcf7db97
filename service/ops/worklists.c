/* The coordinators' work lists: read-only, with the domain's start clock deciding which
 * referrals are overdue. */
#include "ops_internal.h"

ij_err ij_ops_worklist_triage(ij_conn *conn, const ij_op_ctx *op, const ij_worklist_cursor *after,
                              int limit, ij_referral_page *out) {
  return ij_store_worklist_triage(conn, op->area, after, limit, out);
}

ij_err ij_ops_worklist_overdue(ij_conn *conn, const ij_op_ctx *op, const ij_worklist_cursor *after,
                               int limit, ij_referral_page *out) {
  return ij_store_worklist_overdue(conn, op->area, ij_domain_clock_states(), op->now, after, limit,
                                   out);
}

ij_err ij_ops_worklist_sessions(ij_conn *conn, const ij_op_ctx *op, ij_date day,
                                const ij_worklist_cursor *after, int limit,
                                ij_worklist_session_page *out) {
  ij_time_us from = (ij_time_us)day * IJ_US_PER_DAY;
  return ij_store_worklist_sessions(conn, op->area, from, from + IJ_US_PER_DAY, after, limit, out);
}

ij_err ij_ops_worklist_outcomes_due(ij_conn *conn, const ij_op_ctx *op,
                                    const ij_worklist_cursor *after, int limit,
                                    ij_outcome_due_page *out) {
  return ij_store_worklist_outcomes_due(conn, op->area, op->now, after, limit, out);
}
