/* Private to the operations: what every operation on a referral shares (ops/referral.c). The
 * other ops files use these and never each other, so that there is no cycle among them. */
#ifndef IJ_OPS_INTERNAL_H
#define IJ_OPS_INTERNAL_H

#include "ij/domain_notices.h"
#include "ij/ops.h"
#include "ij/store/audit.h"
#include "ij/store/bookings.h"
#include "ij/store/demo.h"
#include "ij/store/followups.h"
#include "ij/store/messages.h"
#include "ij/store/notices.h"
#include "ij/store/reference.h"

/* The service acting by itself (a follow-on event nobody's role may fire), in op's area. Returns
 * out. */
const ij_actor *ij_ops_system_actor(const ij_op_ctx *op, ij_actor *out);

/* The area's rules (its own settings over op->area_defaults), kept for a minute per area: every
 * referral write needs them and an administrator changes them rarely. IJ_ERR_NOT_FOUND for an
 * area the service does not know. */
ij_err ij_ops_area_rules(ij_conn *conn, const ij_op_ctx *op, ij_area_rules *out);
/* Drops the area's kept rules (after an admin changed them): the next read is the database's. */
void ij_ops_area_rules_forget(const char *area);

/* Persists a decision the domain made on *r (read or locked at r->version) in the caller's
 * transaction, with what it and its effects owe: the notices the domain's table names for it, the
 * bookings it ends and the reoffending checks of an exit. *r becomes the referral after it (the old
 * one is cleared). */
ij_err ij_ops_apply(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, ij_referral *r,
                    const ij_decision *d, const ij_transition_request *req, ij_field_errors *errs);

/* Fires the follow-on events the domain names for *r (locked in the caller's transaction) until
 * none follows, all written in one round trip, then their effects. `cause`: the person whose
 * change they follow (they fire the events their role may); last_check_recorded: the change
 * recorded the last reoffending check. *r becomes the referral after them. */
ij_err ij_ops_follow_on(ij_conn *conn, const ij_op_ctx *op, const ij_actor *cause, ij_referral *r,
                        bool last_check_recorded, ij_field_errors *errs);

/* ij_ops_follow_on for a change entered as a walk-in or a late entry: marks (or NULL) go into
 * the data of every event it writes. */
ij_err ij_ops_follow_on_marked(ij_conn *conn, const ij_op_ctx *op, const ij_actor *cause,
                               ij_referral *r, bool last_check_recorded,
                               const ij_entry_marks *marks, ij_field_errors *errs);

/* ij_ops_record_followup inside the caller's transaction (an import records many in one). */
ij_err ij_ops_record_followup_in_tx(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                    const char *followup_id, int expected_version,
                                    const ij_followup_input *in, const char *import_id,
                                    int *current_version, ij_field_errors *errs);

/* A field error on "supervisor.sub" unless sub (when named) is an active supervisor of op's area's
 * directory (ops/refdata.c): the one check that sessions and placements share. */
void ij_ops_check_supervisor(ij_conn *conn, const ij_op_ctx *op, bool named, const char *sub,
                             ij_field_errors *errs);

/* ---- messages (ops/messages.c) ---- */
/* The area's message context, read in the caller's transaction (so that templates set a moment
 * ago are seen): ctx->configured false when the area has no Notify service. */
ij_err ij_ops_message_context(ij_conn *conn, const ij_op_ctx *op, ij_message_context *ctx);
/* Writes the message of `kind` about referral r (read in the caller's transaction), in it: the
 * domain routes it; a booking's kinds name booking_id; a move names the session's start before
 * it (previous_starts_at). Nothing when ctx is not configured or the domain writes none. *made
 * (may be NULL): whether a row was written. */
ij_err ij_ops_message_write(ij_conn *conn, const ij_op_ctx *op, const ij_message_context *ctx,
                            const ij_referral *r, ij_message_kind kind, const char *booking_id,
                            ij_time_us previous_starts_at, bool *made);
/* ij_ops_message_write for a referral by id (read in the caller's transaction). */
ij_err ij_ops_message_write_for(ij_conn *conn, const ij_op_ctx *op, const ij_message_context *ctx,
                                const char *referral_id, ij_message_kind kind,
                                const char *booking_id, ij_time_us previous_starts_at);

#endif
