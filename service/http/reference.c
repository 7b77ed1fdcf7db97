/* Health, the caller, and reference data. */
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
