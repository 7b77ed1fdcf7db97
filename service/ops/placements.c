/* Placement operations: making and changing a placement (validated by the domain first, so that
 * the store is handed only what the rules accept; its supervisor, when named, must be active in the
 * area's directory, as a session's must), and reading placements. */
#include <string.h>

#include "ops_internal.h"

/* The placement's ward, when given, must be one of the area's and not retired: named in the
 * same answer as the rules' problems (an unknown one would otherwise be found only by the write,
 * after the rest was put right). */
static void check_ward(ij_conn *conn, const ij_op_ctx *op, const char *ward,
                       ij_field_errors *errs) {
  if (!ward || ij_field_errors_has(errs, "ward"))
    return;
  int state = 1;
  if (ij_store_ward_state(conn, op->area, ward, &state) != IJ_OK)
    return; /* the write that follows meets the same fault */
  ij_domain_ward_in_use(state, "ward", errs);
}

ij_err ij_ops_placement_create(ij_conn *conn, const ij_op_ctx *op, const ij_placement_input *in,
                               ij_placement *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  ij_err verdict = ij_domain_placement_validate(in, true, errs);
  check_ward(conn, op, in->ward, errs);
  ij_ops_check_supervisor(conn, op, in->has_supervisor, in->supervisor_sub, errs);
  if (verdict != IJ_OK || errs->count)
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
  ij_err verdict = ij_domain_placement_validate(changes, false, errs);
  check_ward(conn, op, changes->ward, errs);
  ij_ops_check_supervisor(conn, op, changes->has_supervisor, changes->supervisor_sub, errs);
  if (verdict != IJ_OK || errs->count)
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
