/* Health, the caller, and reference data. */
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

void ij_h_healthz(ij_ctx *ctx) {
  ij_send_json(ctx, 200, json_pack("{s:s}", "status", "ok"));
}

void ij_h_readyz(ij_ctx *ctx) {
  ij_conn *conn = NULL;
  int version = 0;
  if (ij_store_acquire(ctx->server->store, &conn) == IJ_OK) {
    ctx->conn = conn;
    if (ij_ops_schema_ready(conn, &version) == IJ_OK) {
      ij_send_json(ctx, 200, json_pack("{s:s, s:i}", "status", "ready", "schema_version", version));
      return;
    }
    ij_send_problem(ctx, IJ_ERR_UNAVAILABLE, "the database schema is not migrated", NULL);
    return;
  }
  ij_send_problem(ctx, IJ_ERR_UNAVAILABLE, "the database is not reachable", NULL);
}

void ij_h_me(ij_ctx *ctx) {
  json_t *roles = json_array();
  for (unsigned bit = 1; bit < IJ_ROLE_SYSTEM; bit <<= 1)
    if (ctx->actor.roles & bit)
      json_array_append_new(roles, json_string(ij_role_name(bit)));
  ij_send_json(ctx, 200,
               json_pack("{s:s, s:s, s:o, s:s}", "sub", ctx->actor.sub, "name", ctx->actor.name,
                         "roles", roles, "area", ctx->actor.area));
}

void ij_h_wards(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_rows rows;
  ij_err err = ij_ops_ward_list(conn, &op, &rows);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < rows.count; i++)
    json_array_append_new(items, json_pack("{s:s, s:s}", "code", ij_rows_get(&rows, i, 0), "name",
                                           ij_rows_get(&rows, i, 1)));
  ij_rows_clear(&rows);
  ij_send_json(ctx, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void ij_h_reason_codes(ij_ctx *ctx) {
  const char *kind = ij_query(ctx, "kind");
  if (kind && strcmp(kind, "reject") != 0 && strcmp(kind, "withdraw") != 0 &&
      strcmp(kind, "non_compliance") != 0 && strcmp(kind, "warning") != 0) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_field_errors_add(&errs, "kind", "must be reject, withdraw, non_compliance or warning");
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    return;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_rows rows;
  ij_err err = ij_ops_reason_code_list(conn, kind, &rows);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < rows.count; i++)
    json_array_append_new(items,
                          json_pack("{s:s, s:s, s:s}", "kind", ij_rows_get(&rows, i, 0), "code",
                                    ij_rows_get(&rows, i, 1), "label", ij_rows_get(&rows, i, 2)));
  ij_rows_clear(&rows);
  ij_send_json(ctx, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}
