/* An area's reference data as its admins change it: wards, the area's reason codes (the national
 * list with the area's own codes and retirements), the area's settings, the directory of
 * supervisors, and the audit trail of every change (reference_changes).
 *
 * The *_lock reads run in the caller's transaction and lock the record (or, for a record not
 * there yet, nothing) until it ends. Their rows: active ("t"/"f"), in_use ("t"/"f"), shared
 * ("t"/"f"), and the record as JSON (what the audit row keeps as "before"); no row when there is
 * no such record. The writes return the record after the change: its display columns, then its
 * JSON (the audit's "after").
 *
 * Ownership: the connection and every string are borrowed for the call; ij_rows are the
 * caller's until ij_rows_clear. */
#ifndef IJ_STORE_REFDATA_H
#define IJ_STORE_REFDATA_H

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/audit.h"
#include "ij/store/pool.h"

/* ---- the audit trail ---- */

/* One row of reference_changes: entity "ward", "reason_code", "area_rules" or "supervisor"; key
 * the record's code; action add, change, retire, reinstate or delete; before and after the
 * record as JSON text (NULL when there is none). */
ij_err ij_store_ref_change_log(ij_conn *conn, const char *area, const ij_audit *audit,
                               const char *entity, const char *key, const char *action,
                               const char *before, const char *after);
/* The area's changes, newest first, after_id 0 for the first page: id, at (microseconds), actor
 * sub, name, role, entity, key, action, before, after (JSON text); limit + 1 rows at most. */
ij_err ij_store_ref_changes(ij_conn *conn, const char *area, const char *entity,
                            long long before_id, int limit, ij_rows *out);

/* ---- wards: display columns code, name, active ---- */
ij_err ij_store_ward_lock(ij_conn *conn, const char *area, const char *code, ij_rows *out);
ij_err ij_store_ward_add(ij_conn *conn, const char *area, const char *code, const char *name,
                         ij_rows *out);
/* name NULL keeps it; active -1 keeps it. */
ij_err ij_store_ward_update(ij_conn *conn, const char *area, const char *code, const char *name,
                            int active, ij_rows *out);
ij_err ij_store_ward_delete(ij_conn *conn, const char *area, const char *code);
/* code, name, active of the area's wards, retired ones too when `all`, by code. */
ij_err ij_store_wards_of_area(ij_conn *conn, const char *area, bool all, ij_rows *out);
/* *state: 0 no such ward, 1 active, 2 retired. */
ij_err ij_store_ward_state(ij_conn *conn, const char *area, const char *code, int *state);

/* ---- reason codes: display columns kind, code, label, active, national ---- */
ij_err ij_store_reason_code_lock(ij_conn *conn, const char *area, const char *kind,
                                 const char *code, ij_rows *out);
ij_err ij_store_reason_code_add(ij_conn *conn, const char *area, const char *kind, const char *code,
                                const char *label, ij_rows *out);
/* label NULL keeps it; active -1 keeps it. A national code gets a row of the area's own. */
ij_err ij_store_reason_code_update(ij_conn *conn, const char *area, const char *kind,
                                   const char *code, const char *label, int active, ij_rows *out);
ij_err ij_store_reason_code_delete(ij_conn *conn, const char *area, const char *kind,
                                   const char *code);
/* The area's reason codes (kind NULL: every kind), retired ones too when `all`. */
ij_err ij_store_reason_codes_of_area(ij_conn *conn, const char *area, const char *kind, bool all,
                                     ij_rows *out);

/* ---- the area's settings: columns target_start_hours, hours_min, hours_max, hours_default
 * (NULL: the service's default), then JSON ---- */
ij_err ij_store_area_settings_lock(ij_conn *conn, const char *area, ij_rows *out);
/* Each value NULL for the service's default. */
ij_err ij_store_area_settings_set(ij_conn *conn, const char *area, const char *target_start_hours,
                                  const char *hours_min, const char *hours_max,
                                  const char *hours_default, ij_rows *out);

/* ---- the directory of supervisors: columns sub, name, organisation, phone, active, version,
 * created_at, updated_at (microseconds) ---- */
ij_err ij_store_supervisor_lock(ij_conn *conn, const char *area, const char *sub, ij_rows *out);
ij_err ij_store_supervisor_add(ij_conn *conn, const char *area, const char *sub, const char *name,
                               const char *organisation, const char *phone, ij_time_us at,
                               ij_rows *out);
/* Each NULL (active -1) keeps its value; set_* true with a NULL value clears it. */
ij_err ij_store_supervisor_update(ij_conn *conn, const char *area, const char *sub,
                                  const char *name, bool set_organisation, const char *organisation,
                                  bool set_phone, const char *phone, int active, ij_time_us at,
                                  ij_rows *out);
/* The area's supervisors by sub, inactive ones too when `all`. */
ij_err ij_store_supervisors_of_area(ij_conn *conn, const char *area, bool all, ij_rows *out);
/* *state: 0 not in the directory, 1 active, 2 inactive. */
ij_err ij_store_supervisor_state(ij_conn *conn, const char *area, const char *sub, int *state);

#endif
