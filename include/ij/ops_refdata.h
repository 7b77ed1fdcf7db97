/* Operations on an area's reference data, by its admins: wards, reason codes, the area's rules
 * and the directory of supervisors. Each change is decided by the domain (ij/refdata.h) on the
 * record as locked in one transaction, written, and audited in the same transaction by a row of
 * reference_changes (who, when, what, before and after); a change that changes nothing is not
 * audited. Included by ij/ops.h.
 *
 * Answers: IJ_OK with *out the record after the change (its columns as ij/store/refdata.h lists
 * them; ij_rows_clear), IJ_ERR_INVALID with every problem in errs, IJ_ERR_NOT_FOUND (no such
 * record in op's area), IJ_ERR_CONFLICT with *why (a static string: the record's state or use
 * forbids the change). Ownership as in ij/ops.h. */
#ifndef IJ_OPS_REFDATA_H
#define IJ_OPS_REFDATA_H

#include "ij/ops.h"
#include "ij/refdata.h"
#include "ij/store/refdata.h"

ij_err ij_ops_ward_add(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, const char *code,
                       const char *name, ij_rows *out, ij_field_errors *errs, const char **why);
/* name NULL keeps it; active -1 keeps it, 0 retires the ward, 1 reinstates it. */
ij_err ij_ops_ward_change(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                          const char *code, const char *name, int active, ij_rows *out,
                          ij_field_errors *errs, const char **why);
ij_err ij_ops_ward_delete(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                          const char *code, const char **why);
/* code, name, active of op's area's wards; retired ones too when `all`. */
ij_err ij_ops_wards_of_area(ij_conn *conn, const ij_op_ctx *op, bool all, ij_rows *out);

ij_err ij_ops_reason_code_add(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *kind, const char *code, const char *label, ij_rows *out,
                              ij_field_errors *errs, const char **why);
ij_err ij_ops_reason_code_change(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                 const char *kind, const char *code, const char *label, int active,
                                 ij_rows *out, ij_field_errors *errs, const char **why);
ij_err ij_ops_reason_code_delete(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                 const char *kind, const char *code, const char **why);
/* kind, code, label, active, national of op's area's codes (kind NULL: all kinds). */
ij_err ij_ops_reason_codes_of_area(ij_conn *conn, const ij_op_ctx *op, const char *kind, bool all,
                                   ij_rows *out);

/* The area's rules: *effective (its settings over op->area_defaults, read now, not cached) and
 * *own (0 where the area has no setting). */
ij_err ij_ops_area_rules_get(ij_conn *conn, const ij_op_ctx *op, ij_area_rules *effective,
                             ij_area_settings *own);
/* Replaces the area's settings (0: the service's default). New referrals and decisions use them
 * at once on this instance, within a minute on others (ij_ops_area_rules keeps rules a minute). */
ij_err ij_ops_area_rules_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const ij_area_settings *in, ij_area_rules *effective,
                             ij_field_errors *errs);

ij_err ij_ops_supervisor_add(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const ij_supervisor_input *in, ij_rows *out, ij_field_errors *errs,
                             const char **why);
ij_err ij_ops_supervisor_change(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                const char *sub, const ij_supervisor_input *in, ij_rows *out,
                                ij_field_errors *errs, const char **why);
ij_err ij_ops_supervisors_of_area(ij_conn *conn, const ij_op_ctx *op, bool all, ij_rows *out);
/* For `ij seed`: the supervisor in the area's directory (added, or renamed), not audited. */
ij_err ij_ops_supervisor_define(ij_conn *conn, const char *area, const char *sub, const char *name,
                                const char *organisation, ij_time_us now);

/* The area's changes of reference data, newest first (entity NULL: all): limit + 1 rows at most
 * of id, at, actor sub, name, role, entity, key, action, before, after. */
ij_err ij_ops_ref_changes(ij_conn *conn, const ij_op_ctx *op, const char *entity,
                          long long before_id, int limit, ij_rows *out);

#endif
