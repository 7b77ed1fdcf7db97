/* Reference data: the areas, their wards and the reason codes, the database's readiness, and the
 * demo placements and sessions of `ij seed`. */
#include <string.h>

#include "ops_internal.h"

ij_err ij_ops_area_define(ij_conn *conn, const char *code, const char *name) {
  return ij_store_area_upsert(conn, code, name);
}

ij_err ij_ops_ward_define(ij_conn *conn, const char *area, const char *code, const char *name) {
  return ij_store_ward_upsert(conn, area, code, name);
}

ij_err ij_ops_area_has_referrals(ij_conn *conn, const ij_op_ctx *op, bool *any) {
  ij_referral_filter f;
  memset(&f, 0, sizeof f);
  f.area = op->area;
  f.overdue = -1;
  f.now = op->now;
  f.clock_states = ij_domain_clock_states();
  f.limit = 1;
  ij_referral_page page;
  ij_err err = ij_store_referral_list(conn, &f, &page);
  *any = err == IJ_OK && page.count > 0;
  if (err == IJ_OK)
    ij_referral_page_clear(&page);
  return err;
}

ij_err ij_ops_ward_list(ij_conn *conn, const ij_op_ctx *op, ij_rows *out) {
  return ij_store_wards_list(conn, op->area, out);
}

ij_err ij_ops_reason_code_list(ij_conn *conn, const char *kind, ij_rows *out) {
  return ij_store_reason_codes_list(conn, kind, out);
}

ij_err ij_ops_schema_ready(ij_conn *conn, int *schema_version) {
  return ij_store_ready(conn, schema_version);
}

ij_err ij_ops_demo_sessions(ij_conn *conn, const ij_op_ctx *op, ij_rows *past, ij_rows *future) {
  return ij_store_demo_sessions(conn, op->area, op->now, past, future);
}

ij_err ij_ops_demo_fast_writes(ij_conn *conn) {
  return ij_store_demo_fast_writes(conn);
}

ij_err ij_ops_demo_defer_stats(ij_conn *conn, bool *deferred) {
  return ij_store_demo_defer_stats(conn, deferred);
}

ij_err ij_ops_demo_rebuild_stats(ij_conn *conn) {
  return ij_store_demo_rebuild_stats(conn);
}
