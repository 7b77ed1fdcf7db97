/* Messages to people through GOV.UK Notify: the day-before reminders the outbox makes each round,
 * and reading a referral's messages and the failed reminders. The messages of a change (a
 * booking, a session cancelled or moved, completion) are written by that change's own operation,
 * in its transaction.
 *
 * Ownership: the connection is borrowed for the call; an ij_rows filled owns its cells until
 * ij_rows_clear. */
#ifndef IJ_OPS_MESSAGES_H
#define IJ_OPS_MESSAGES_H

#include "ij/ops.h"
#include "ij/store/messages.h"

/* Makes the reminders of the area due at `now`, in a transaction of its own on the connection
 * scoped to the area (ij_store_scope; the scope is cleared afterwards): one per booking and
 * recipient, however often or concurrently it runs. *made: how many were written (queued or
 * not sent). An area without a Notify service makes none. */
ij_err ij_ops_messages_remind(ij_conn *conn, const char *area, ij_time_us now, int *made);

/* A referral's messages, oldest first (the columns of ij_store_messages_of_referral).
 * IJ_ERR_NOT_FOUND when the referral is not the area's. */
ij_err ij_ops_referral_messages(ij_conn *conn, const ij_op_ctx *op, const char *referral_id,
                                ij_rows *out);

/* The area's failed messages about sessions, and its unsent reminders, for sessions not started
 * yet, oldest session first (the
 * columns of ij_store_messages_failed). */
#define IJ_MESSAGES_FAILED_MAX 500
ij_err ij_ops_messages_failed(ij_conn *conn, const ij_op_ctx *op, ij_rows *out);

#endif
