/* An area's webhook: its admin reads it (never the secret) and changes it, each change logged in
 * the same transaction with what became of the secret. */
#include <stdlib.h>
#include <string.h>

#include "ij/ops_webhooks.h"
#include "ops_internal.h"

static bool own_area(const ij_op_ctx *op, const char *area) {
  return area && op->area && strcmp(area, op->area) == 0;
}

ij_err ij_ops_webhook_get(ij_conn *conn, const ij_op_ctx *op, const char *area, ij_webhook *out) {
  memset(out, 0, sizeof *out);
  if (!own_area(op, area))
    return IJ_ERR_NOT_FOUND;
  return ij_store_webhook_get(conn, op->area, out);
}

/* What became of the secret, for the log: its value is never written there. */
static const char *secret_change(const ij_webhook_input *in, bool had) {
  if (!in->has_secret)
    return "kept";
  if (!in->secret)
    return had ? "removed" : "kept";
  return had ? "replaced" : "set";
}

ij_err ij_ops_webhook_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                          const char *area, const ij_webhook_input *in, ij_webhook *out,
                          ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (!own_area(op, area))
    return IJ_ERR_NOT_FOUND;
  /* errs may hold the decoding's errors already: the rules check the other fields, and any error
   * refuses the change */
  ij_webhook_input checked = *in;
  if (ij_field_errors_has(errs, "url"))
    checked.has_url = true, checked.url = NULL;
  if (ij_field_errors_has(errs, "secret"))
    checked.has_secret = false;
  ij_domain_webhook_validate(&checked, errs);
  if (errs->count > 0)
    return IJ_ERR_INVALID;
  char *before = NULL;
  bool had = false;
  ij_err err = ij_store_begin(conn);
  if (err == IJ_OK)
    err = ij_store_webhook_set_url(conn, in->url, &before);
  if (err == IJ_OK) {
    if (in->has_secret && in->secret)
      err = ij_store_webhook_secret_put(conn, op->area, in->secret, op->now, &had);
    else if (in->has_secret)
      err = ij_store_webhook_secret_delete(conn, op->area, &had);
    else
      err = ij_store_webhook_secret_exists(conn, op->area, &had);
  }
  if (err == IJ_OK) {
    ij_audit audit = {op->request_id, actor->sub, actor->name, ij_role_name(IJ_ROLE_ADMIN),
                      op->now};
    err = ij_store_webhook_change_add(conn, op->area, &audit, before, in->url,
                                      secret_change(in, had));
  }
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  free(before);
  return err == IJ_OK ? ij_store_webhook_get(conn, op->area, out) : err;
}
