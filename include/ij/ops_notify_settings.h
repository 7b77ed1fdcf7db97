/* The operations on an area's GOV.UK Notify service (admins): reading and changing its settings
 * (never a secret back: only whether the API key and the receipts' token are set) and replacing
 * its template ids. Every change appends a reference change ('notify' or 'message_template')
 * without any secret in it, in the change's transaction.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only; an ij_rows filled is the caller's until ij_rows_clear (zeroed on failure). */
#ifndef IJ_OPS_NOTIFY_SETTINGS_H
#define IJ_OPS_NOTIFY_SETTINGS_H

#include "ij/domain_notify.h"
#include "ij/ops.h"
#include "ij/store/notify_settings.h"

/* The settings of `area`, which must be op's (another area's reads as unknown:
 * IJ_ERR_NOT_FOUND): the columns of ij/store/notify_settings.h. */
ij_err ij_ops_notify_settings_get(ij_conn *conn, const ij_op_ctx *op, const char *area,
                                  ij_rows *out);

/* Changes the settings of `area` (op's, else IJ_ERR_NOT_FOUND) as `in` says, validated by the
 * domain first: errs may arrive with the decoding's errors, to which the rules' are added; any
 * error is IJ_ERR_INVALID with them all, nothing changed. expected: the version the caller read
 * (If-Match), or 0 for none; another version is IJ_ERR_STALE with *current set to it. The API
 * key's secret goes to the secrets' table, the receipts' token as its SHA-256 only. *out: the
 * settings after the change. */
ij_err ij_ops_notify_settings_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *area, const ij_notify_settings_input *in,
                                  int expected, int *current, ij_rows *out, ij_field_errors *errs);

/* The templates of `area` (op's, else IJ_ERR_NOT_FOUND): the columns of
 * ij_store_notify_templates. */
ij_err ij_ops_notify_templates_get(ij_conn *conn, const ij_op_ctx *op, const char *area,
                                   ij_rows *out);

/* Replaces the whole list of templates of `area` (op's, else IJ_ERR_NOT_FOUND) with rows[0..n),
 * checked by the domain against the area's Welsh setting (read under the settings' lock, so that
 * Welsh cannot be turned off meanwhile); errs as for the settings. *out: the list after it. */
ij_err ij_ops_notify_templates_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                   const char *area, const ij_notify_template_input *rows, int n,
                                   ij_rows *out, ij_field_errors *errs);

#endif
