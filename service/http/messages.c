/* Messages to people through GOV.UK Notify, as coordinators see them: a referral's messages (with
 * the address each went to, never a secret or the personalisation) and the reminders that failed
 * or were not sent for sessions still to come. */
#include <stdlib.h>
#include <string.h>

#include "ij/ops_messages.h"
#include "internal.h"

static json_t *cell_str(const ij_rows *rows, int row, int col) {
  return ij_json_str_or_null(ij_rows_get(rows, row, col));
}

static json_t *cell_time(const ij_rows *rows, int row, int col) {
  const char *s = ij_rows_get(rows, row, col);
  return s ? ij_json_time(strtoll(s, NULL, 10)) : json_null();
}

/* ---- GET /v1/referrals/{id}/messages ---- */

void ij_h_referral_messages(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_rows rows;
  ij_err err = ij_ops_referral_messages(conn, &op, ctx->id, &rows);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < rows.count; i++) {
    const char *attempts = ij_rows_get(&rows, i, 10);
    json_t *j = json_object();
    json_object_set_new(j, "id", cell_str(&rows, i, 0));
    json_object_set_new(j, "kind", cell_str(&rows, i, 1));
    json_object_set_new(j, "recipient", cell_str(&rows, i, 2));
    json_object_set_new(j, "channel", cell_str(&rows, i, 3));
    json_object_set_new(j, "to", cell_str(&rows, i, 4));
    json_object_set_new(j, "language", cell_str(&rows, i, 5));
    json_object_set_new(j, "status", cell_str(&rows, i, 6));
    json_object_set_new(j, "reason", cell_str(&rows, i, 7));
    json_object_set_new(j, "booking_id", cell_str(&rows, i, 8));
    json_object_set_new(j, "template_id", cell_str(&rows, i, 9));
    json_object_set_new(j, "attempts", json_integer(attempts ? atoi(attempts) : 0));
    json_object_set_new(j, "error", cell_str(&rows, i, 11));
    json_object_set_new(j, "created_at", cell_time(&rows, i, 12));
    json_object_set_new(j, "sent_at", cell_time(&rows, i, 13));
    json_object_set_new(j, "status_at", cell_time(&rows, i, 14));
    json_array_append_new(items, j);
  }
  ij_rows_clear(&rows);
  ij_ctx_accessed(ctx, ctx->id);
  ij_send_json(ctx, 200, json_pack("{s:o}", "items", items));
}

/* ---- GET /v1/worklists/messages-failed ---- */

void ij_h_worklist_messages_failed(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_rows rows;
  ij_err err = ij_ops_messages_failed(conn, &op, &rows);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < rows.count; i++) {
    json_t *j = json_object();
    json_object_set_new(j, "message_id", cell_str(&rows, i, 0));
    json_object_set_new(j, "referral_id", cell_str(&rows, i, 1));
    json_object_set_new(j, "person_name", cell_str(&rows, i, 2));
    json_object_set_new(j, "phone", cell_str(&rows, i, 3));
    json_object_set_new(j, "booking_id", cell_str(&rows, i, 4));
    json_object_set_new(j, "starts_at", cell_time(&rows, i, 5));
    json_object_set_new(j, "recipient", cell_str(&rows, i, 6));
    json_object_set_new(j, "channel", cell_str(&rows, i, 7));
    json_object_set_new(j, "status", cell_str(&rows, i, 8));
    json_object_set_new(j, "reason", cell_str(&rows, i, 9));
    json_object_set_new(j, "error", cell_str(&rows, i, 10));
    json_object_set_new(j, "status_at", cell_time(&rows, i, 11));
    json_object_set_new(j, "kind", cell_str(&rows, i, 12));
    json_object_set_new(j, "ends_at", cell_time(&rows, i, 13));
    json_object_set_new(j, "placement_name", cell_str(&rows, i, 14));
    json_array_append_new(items, j);
    const char *referral = ij_rows_get(&rows, i, 1);
    if (referral)
      ij_ctx_accessed(ctx, referral);
  }
  ij_rows_clear(&rows);
  ij_send_json(ctx, 200, json_pack("{s:o}", "items", items));
}
