/* The operations on an area's webhook (admins): reading it without its secret, and changing its
 * URL and signing secret, every change logged.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only; *out is the caller's until ij_webhook_clear. */
#ifndef IJ_OPS_WEBHOOKS_H
#define IJ_OPS_WEBHOOKS_H

#include "ij/domain_notices.h"
#include "ij/ops.h"
#include "ij/store/webhooks.h"

/* The webhook of `area`, which must be op's (another area's reads as unknown: IJ_ERR_NOT_FOUND).
 * *out: ij_webhook_clear. */
ij_err ij_ops_webhook_get(ij_conn *conn, const ij_op_ctx *op, const char *area, ij_webhook *out);

/* Sets the webhook of `area` (op's, else IJ_ERR_NOT_FOUND) as `in` says, validated by the domain
 * first: errs may arrive with the decoding's errors, to which the rules' are added for the other
 * fields; any error is IJ_ERR_INVALID with them all, nothing changed. Then it appends the change to
 * the area's webhook log as the actor's, in one transaction. *out: the webhook after it
 * (ij_webhook_clear). */
ij_err ij_ops_webhook_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                          const char *area, const ij_webhook_input *in, ij_webhook *out,
                          ij_field_errors *errs);

#endif
