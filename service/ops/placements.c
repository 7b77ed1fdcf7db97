/* Placement operations: making and changing a placement (validated by the domain first, so that
 * the store is handed only what the rules accept), and reading placements. */
#include <string.h>

#include "ops_internal.h"

ij_err ij_ops_placement_create(ij_conn *conn, const ij_op_ctx *op, const ij_placement_input *in,
                               ij_placement *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (ij_domain_placement_validate(in, true, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  char id[IJ_UUID_BUF];
  ij_uuid_new(id);
  return ij_store_placement_create(conn, op->area, id, in, op->now, out, errs);
}

ij_err ij_ops_placement_get(ij_conn *conn, const ij_op_ctx *op, const char *id,
                            const char *scope_sub, ij_placement *out) {
  ij_err err = ij_store_placement_get(conn, op->area, id, out);
  if (err == IJ_OK && scope_sub && strcmp(scope_sub, out->supervisor_sub) != 0) {
    ij_placement_clear(out);
    err = IJ_ERR_NOT_FOUND;
  }
  return err;
}

ij_err ij_ops_placement_update(ij_conn *conn, const ij_op_ctx *op, const char *id,
                               int expected_version, const ij_placement_input *changes,
                               ij_placement *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (ij_domain_placement_validate(changes, false, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  if (expected_version >= 0)
    return ij_store_placement_update(conn, op->area, id, expected_version, changes, op->now, out,
                                     errs);
  /* an If-Match that names no version never matches: stale, unless there is no such placement */
  ij_err err = ij_store_placement_get(conn, op->area, id, out);
  ij_placement_clear(out);
  return err == IJ_ERR_NOT_FOUND ? IJ_ERR_NOT_FOUND : IJ_ERR_STALE;
}

ij_err ij_ops_placement_list(ij_conn *conn, const ij_placement_filter *f, ij_placement_page *out) {
  return ij_store_placement_list(conn, f, out);
}
