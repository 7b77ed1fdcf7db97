/* An area's GOV.UK Notify service: its admin reads the settings (never a secret) and changes them
 * and the template ids, each change a reference change in the same transaction. */
#include <stdlib.h>
#include <string.h>

#include "ij/digest.h"
#include "ij/ops_notify_settings.h"
#include "ij/store/refdata.h"
#include "ops_internal.h"

static bool own_area(const ij_op_ctx *op, const char *area) {
  return area && op->area && strcmp(area, op->area) == 0;
}

static ij_audit audit_of(const ij_op_ctx *op, const ij_actor *actor) {
  return (ij_audit){op->request_id, actor->sub, actor->name ? actor->name : actor->sub,
                    ij_role_name(IJ_ROLE_ADMIN), op->now};
}

ij_err ij_ops_notify_settings_get(ij_conn *conn, const ij_op_ctx *op, const char *area,
                                  ij_rows *out) {
  memset(out, 0, sizeof *out);
  if (!own_area(op, area))
    return IJ_ERR_NOT_FOUND;
  return ij_store_notify_settings(conn, op->area, out);
}

/* Writes the secrets `in` changes: the key's secret as it is, the token as its SHA-256 only. */
static ij_err put_secrets(ij_conn *conn, const ij_op_ctx *op, const ij_notify_settings_input *in,
                          const ij_notify_key *key) {
  ij_err err = IJ_OK;
  if (in->has_api_key)
    err = ij_store_notify_secret_key_set(conn, op->area, in->api_key ? key->secret : NULL, op->now);
  if (err == IJ_OK && in->has_callback_token) {
    char hash[IJ_SHA256_HEX_BUF];
    if (in->callback_token)
      err = ij_sha256_hex(in->callback_token, strlen(in->callback_token), hash);
    if (err == IJ_OK)
      err = ij_store_notify_token_sha256_set(conn, op->area, in->callback_token ? hash : NULL,
                                             op->now);
    memset(hash, 0, sizeof hash);
  }
  return err;
}

ij_err ij_ops_notify_settings_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *area, const ij_notify_settings_input *in,
                                  int expected, int *current, ij_rows *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  *current = 0;
  if (!own_area(op, area))
    return IJ_ERR_NOT_FOUND;
  ij_notify_key key;
  if (ij_domain_notify_settings_validate(in, &key, errs) != IJ_OK || errs->count > 0)
    return IJ_ERR_INVALID;
  ij_rows before;
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  err = ij_store_notify_settings_lock(conn, op->area, op->now, &before);
  if (err == IJ_OK && before.count != 1)
    err = IJ_ERR_NOT_FOUND;
  if (err == IJ_OK) {
    *current = atoi(ij_rows_get(&before, 0, IJ_NOTIFY_COL_VERSION));
    if (expected != 0 && expected != *current)
      err = IJ_ERR_STALE;
  }
  ij_notify_key_change change = !in->has_api_key ? IJ_NOTIFY_KEY_KEEP
                                : in->api_key    ? IJ_NOTIFY_KEY_SET
                                                 : IJ_NOTIFY_KEY_REMOVE;
  if (err == IJ_OK)
    err = ij_store_notify_settings_set(
        conn, op->area, in->base_url, in->reminder_time, in->welsh == 1, change,
        change == IJ_NOTIFY_KEY_SET ? key.key_name : NULL,
        change == IJ_NOTIFY_KEY_SET ? key.service_id : NULL, op->now);
  if (err == IJ_OK)
    err = put_secrets(conn, op, in, &key);
  memset(&key, 0, sizeof key);
  if (err == IJ_OK)
    err = ij_store_notify_settings_lock(conn, op->area, op->now, out);
  if (err == IJ_OK && out->count != 1)
    err = IJ_ERR_NOT_FOUND;
  /* the record before and after says whether each secret is set, never what it is; a secret
   * replaced by another leaves them equal, and is a change all the same */
  if (err == IJ_OK && (in->has_api_key || in->has_callback_token ||
                       strcmp(ij_rows_get(&before, 0, IJ_NOTIFY_COL_JSON),
                              ij_rows_get(out, 0, IJ_NOTIFY_COL_JSON)) != 0)) {
    ij_audit audit = audit_of(op, actor);
    err = ij_store_ref_change_log(conn, op->area, &audit, "notify", op->area, "change",
                                  ij_rows_get(&before, 0, IJ_NOTIFY_COL_JSON),
                                  ij_rows_get(out, 0, IJ_NOTIFY_COL_JSON));
  }
  ij_rows_clear(&before);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    ij_rows_clear(out);
  }
  return err;
}

ij_err ij_ops_notify_templates_get(ij_conn *conn, const ij_op_ctx *op, const char *area,
                                   ij_rows *out) {
  memset(out, 0, sizeof *out);
  if (!own_area(op, area))
    return IJ_ERR_NOT_FOUND;
  return ij_store_notify_templates(conn, op->area, out);
}

ij_err ij_ops_notify_templates_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                   const char *area, const ij_notify_template_input *rows, int n,
                                   ij_rows *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (!own_area(op, area))
    return IJ_ERR_NOT_FOUND;
  ij_rows settings, before, after;
  memset(&before, 0, sizeof before);
  memset(&after, 0, sizeof after);
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  /* Welsh is read under the settings' lock: a change of it waits for this list, and this list
   * for it */
  err = ij_store_notify_settings_lock(conn, op->area, op->now, &settings);
  if (err == IJ_OK && settings.count != 1)
    err = IJ_ERR_NOT_FOUND;
  if (err == IJ_OK) {
    bool welsh = strcmp(ij_rows_get(&settings, 0, IJ_NOTIFY_COL_WELSH), "t") == 0;
    if (ij_domain_notify_templates_validate(rows, n, welsh, errs) != IJ_OK || errs->count > 0)
      err = IJ_ERR_INVALID;
  }
  ij_rows_clear(&settings);
  if (err == IJ_OK)
    err = ij_store_notify_templates_json(conn, op->area, &before);
  if (err == IJ_OK)
    err = ij_store_notify_templates_replace(conn, op->area, rows, n, op->now);
  if (err == IJ_OK)
    err = ij_store_notify_templates_json(conn, op->area, &after);
  if (err == IJ_OK && (before.count != 1 || after.count != 1))
    err = IJ_ERR_INTERNAL;
  if (err == IJ_OK && strcmp(ij_rows_get(&before, 0, 0), ij_rows_get(&after, 0, 0)) != 0) {
    ij_audit audit = audit_of(op, actor);
    err = ij_store_ref_change_log(conn, op->area, &audit, "message_template", op->area, "change",
                                  ij_rows_get(&before, 0, 0), ij_rows_get(&after, 0, 0));
  }
  ij_rows_clear(&before);
  ij_rows_clear(&after);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    return err;
  }
  return ij_store_notify_templates(conn, op->area, out);
}
