/* An area's reference data as its admins change it, and the audit trail of the changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/refdata.h"
#include "db.h"

static ij_err rows_of(ij_conn *conn, const ij_stmt *stmt, const char *const *params, ij_rows *out) {
  memset(out, 0, sizeof *out);
  PGresult *res;
  ij_err err = ij_db_exec(conn, stmt, params, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

static const char *tristate(int v) {
  return v < 0 ? NULL : v ? "true" : "false";
}

/* *state from a statement answering 0, 1 or 2 in one cell. */
static ij_err state_of(ij_conn *conn, const ij_stmt *stmt, const char *const *params, int *state) {
  *state = 0;
  PGresult *res;
  ij_err err = ij_db_exec(conn, stmt, params, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) == 1)
    *state = (int)ij_db_i64(res, 0, 0);
  PQclear(res);
  return IJ_OK;
}

/* ---- the audit trail ---- */

static const ij_stmt STMT_CHANGE_LOG = {
    "ref_change_log",
    "INSERT INTO reference_changes (area, at, actor_sub, actor_name, actor_role, request_id,"
    " entity, key, action, before, after)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb)",
    11};

ij_err ij_store_ref_change_log(ij_conn *conn, const char *area, const ij_audit *audit,
                               const char *entity, const char *key, const char *action,
                               const char *before, const char *after) {
  char when[IJ_TIME_BUF];
  ij_time_format(audit->at, when);
  const char *p[11] = {area,
                       when,
                       audit->actor_sub,
                       audit->actor_name,
                       audit->actor_role,
                       audit->request_id,
                       entity,
                       key,
                       action,
                       before,
                       after};
  return ij_db_run(conn, &STMT_CHANGE_LOG, p);
}

static const ij_stmt STMT_CHANGES = {
    "ref_changes",
    "SELECT id, ij_us(at), actor_sub, actor_name, actor_role, entity, key, action, before::text,"
    " after::text FROM reference_changes"
    " WHERE area = $1 AND ($2::text IS NULL OR entity = $2) AND ($3::bigint IS NULL OR id < $3)"
    " ORDER BY id DESC LIMIT $4",
    4};

ij_err ij_store_ref_changes(ij_conn *conn, const char *area, const char *entity,
                            long long before_id, int limit, ij_rows *out) {
  char before[32], lim[16];
  snprintf(before, sizeof before, "%lld", before_id);
  ij_db_page_limit(limit, lim);
  const char *p[4] = {area, entity, before_id > 0 ? before : NULL, lim};
  return rows_of(conn, &STMT_CHANGES, p, out);
}

/* ---- wards ---- */

#define WARD_JSON "jsonb_build_object('code', code, 'name', name, 'active', active)::text"

static const ij_stmt STMT_WARD_LOCK = {
    "ward_lock",
    "SELECT active, EXISTS (SELECT 1 FROM referrals r WHERE r.area = w.area AND r.ward = w.code)"
    " OR EXISTS (SELECT 1 FROM placements p WHERE p.area = w.area AND p.ward = w.code),"
    " false, jsonb_build_object('code', code, 'name', name, 'active', active)::text"
    " FROM wards w WHERE area = $1 AND code = $2 FOR UPDATE",
    2};

ij_err ij_store_ward_lock(ij_conn *conn, const char *area, const char *code, ij_rows *out) {
  const char *p[2] = {area, code};
  return rows_of(conn, &STMT_WARD_LOCK, p, out);
}

static const ij_stmt STMT_WARD_ADD = {"ward_add",
                                      "INSERT INTO wards (area, code, name) VALUES ($1, $2, $3)"
                                      " RETURNING code, name, active, " WARD_JSON,
                                      3};

ij_err ij_store_ward_add(ij_conn *conn, const char *area, const char *code, const char *name,
                         ij_rows *out) {
  const char *p[3] = {area, code, name};
  return rows_of(conn, &STMT_WARD_ADD, p, out);
}

static const ij_stmt STMT_WARD_UPDATE = {
    "ward_update",
    "UPDATE wards SET name = coalesce($3, name), active = coalesce($4::boolean, active)"
    " WHERE area = $1 AND code = $2 RETURNING code, name, active, " WARD_JSON,
    4};

ij_err ij_store_ward_update(ij_conn *conn, const char *area, const char *code, const char *name,
                            int active, ij_rows *out) {
  const char *p[4] = {area, code, name, tristate(active)};
  return rows_of(conn, &STMT_WARD_UPDATE, p, out);
}

static const ij_stmt STMT_WARD_DELETE = {"ward_delete",
                                         "DELETE FROM wards WHERE area = $1 AND code = $2", 2};

ij_err ij_store_ward_delete(ij_conn *conn, const char *area, const char *code) {
  const char *p[2] = {area, code};
  return ij_db_run(conn, &STMT_WARD_DELETE, p);
}

static const ij_stmt STMT_WARDS_OF_AREA = {
    "wards_of_area",
    "SELECT code, name, active FROM wards WHERE area = $1 AND (active OR $2::boolean)"
    " ORDER BY code",
    2};

ij_err ij_store_wards_of_area(ij_conn *conn, const char *area, bool all, ij_rows *out) {
  const char *p[2] = {area, all ? "true" : "false"};
  return rows_of(conn, &STMT_WARDS_OF_AREA, p, out);
}

const ij_stmt IJ_STMT_WARD_STATE = {
    "ward_state",
    "SELECT CASE WHEN active THEN 1 ELSE 2 END FROM wards WHERE area = $1 AND code = $2", 2};

ij_err ij_store_ward_state(ij_conn *conn, const char *area, const char *code, int *state) {
  const char *p[2] = {area, code};
  return state_of(conn, &IJ_STMT_WARD_STATE, p, state);
}

/* ---- reason codes ---- */

/* The area's view of the catalogue: the national codes, and the area's own; the area's row (a
 * code of its own, or its retirement of a national one) over the catalogue's. */
#define AREA_CODES                                            \
  " FROM reason_codes rc LEFT JOIN area_reason_codes a"       \
  " ON a.area = $1 AND a.kind = rc.kind AND a.code = rc.code" \
  " WHERE (rc.national OR a.area IS NOT NULL)"
#define CODE_COLUMNS                                                               \
  " rc.kind, rc.code, coalesce(a.label, rc.label), coalesce(a.active, rc.active)," \
  " rc.national AND NOT coalesce(a.added, false)"
#define CODE_JSON                                                                               \
  " jsonb_build_object('kind', rc.kind, 'code', rc.code, 'label', coalesce(a.label, rc.label)," \
  " 'active', coalesce(a.active, rc.active))::text"

static const ij_stmt STMT_CODE_LOCK = {
    "reason_code_lock",
    "SELECT coalesce(a.active, rc.active),"
    " EXISTS (SELECT 1 FROM referrals r WHERE r.area = $1 AND r.reason_kind = rc.kind"
    "   AND r.reason_code = rc.code)"
    " OR EXISTS (SELECT 1 FROM referral_events e WHERE e.area = $1 AND e.reason_kind = rc.kind"
    "   AND e.reason_code = rc.code),"
    " rc.national AND NOT coalesce(a.added, false)," CODE_JSON AREA_CODES
    " AND rc.kind = $2 AND rc.code = $3",
    3};

/* The catalogue is not the service's to lock (FOR UPDATE needs UPDATE on it), and an area's row
 * may not exist yet: changes of one code of an area take turns on an advisory lock instead. */
static const ij_stmt STMT_CODE_TURN = {
    "reason_code_turn",
    "SELECT pg_advisory_xact_lock(hashtextextended('ij.reason_code/' || $1 || '/' || $2 || '/' ||"
    " $3, 0))",
    3};

ij_err ij_store_reason_code_lock(ij_conn *conn, const char *area, const char *kind,
                                 const char *code, ij_rows *out) {
  memset(out, 0, sizeof *out);
  const char *p[3] = {area, kind, code};
  ij_err err = ij_db_run(conn, &STMT_CODE_TURN, p);
  return err == IJ_OK ? rows_of(conn, &STMT_CODE_LOCK, p, out) : err;
}

static const ij_stmt STMT_CATALOGUE_ADD = {
    "reason_code_catalogue_add",
    "INSERT INTO reason_codes (kind, code, label) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3};

static const ij_stmt STMT_CODE_ADD = {
    "reason_code_add",
    "WITH a AS (INSERT INTO area_reason_codes (area, kind, code, label, active, added)"
    " VALUES ($1, $2, $3, $4, true, true) RETURNING *)"
    " SELECT a.kind, a.code, a.label, a.active, false,"
    " jsonb_build_object('kind', a.kind, 'code', a.code, 'label', a.label, 'active', "
    "a.active)::text"
    " FROM a",
    4};

ij_err ij_store_reason_code_add(ij_conn *conn, const char *area, const char *kind, const char *code,
                                const char *label, ij_rows *out) {
  memset(out, 0, sizeof *out);
  const char *c[3] = {kind, code, label};
  ij_err err = ij_db_run(conn, &STMT_CATALOGUE_ADD, c);
  if (err != IJ_OK)
    return err;
  const char *p[4] = {area, kind, code, label};
  return rows_of(conn, &STMT_CODE_ADD, p, out);
}

static const ij_stmt STMT_CODE_UPDATE = {
    "reason_code_update",
    "WITH a AS (INSERT INTO area_reason_codes AS x (area, kind, code, label, active, added)"
    " SELECT $1, rc.kind, rc.code, coalesce($4, rc.label), coalesce($5::boolean, rc.active), false"
    " FROM reason_codes rc WHERE rc.kind = $2 AND rc.code = $3"
    " ON CONFLICT (area, kind, code) DO UPDATE"
    " SET label = coalesce($4, x.label), active = coalesce($5::boolean, x.active)"
    " RETURNING x.*)"
    " SELECT a.kind, a.code, a.label, a.active, NOT a.added,"
    " jsonb_build_object('kind', a.kind, 'code', a.code, 'label', a.label, 'active', "
    "a.active)::text"
    " FROM a",
    5};

ij_err ij_store_reason_code_update(ij_conn *conn, const char *area, const char *kind,
                                   const char *code, const char *label, int active, ij_rows *out) {
  const char *p[5] = {area, kind, code, label, tristate(active)};
  return rows_of(conn, &STMT_CODE_UPDATE, p, out);
}

static const ij_stmt STMT_CODE_DELETE = {
    "reason_code_delete",
    "DELETE FROM area_reason_codes WHERE area = $1 AND kind = $2 AND code = $3 AND added", 3};

ij_err ij_store_reason_code_delete(ij_conn *conn, const char *area, const char *kind,
                                   const char *code) {
  const char *p[3] = {area, kind, code};
  return ij_db_run(conn, &STMT_CODE_DELETE, p);
}

static const ij_stmt STMT_CODES_OF_AREA = {
    "reason_codes_of_area",
    "SELECT" CODE_COLUMNS AREA_CODES " AND ($2::text IS NULL OR rc.kind = $2)"
    " AND (coalesce(a.active, rc.active) OR $3::boolean) ORDER BY rc.kind, rc.code",
    3};

ij_err ij_store_reason_codes_of_area(ij_conn *conn, const char *area, const char *kind, bool all,
                                     ij_rows *out) {
  const char *p[3] = {area, kind, all ? "true" : "false"};
  return rows_of(conn, &STMT_CODES_OF_AREA, p, out);
}

/* ---- the area's settings ---- */

#define SETTINGS_JSON                                                                     \
  " jsonb_build_object('target_start_hours', target_start_hours, 'hours_min', hours_min," \
  " 'hours_max', hours_max, 'hours_default', hours_default)::text"

static const ij_stmt STMT_SETTINGS_LOCK = {
    "area_settings_lock",
    "SELECT target_start_hours, hours_min, hours_max, hours_default," SETTINGS_JSON
    " FROM areas WHERE code = $1 FOR UPDATE",
    1};

ij_err ij_store_area_settings_lock(ij_conn *conn, const char *area, ij_rows *out) {
  const char *p[1] = {area};
  return rows_of(conn, &STMT_SETTINGS_LOCK, p, out);
}

static const ij_stmt STMT_SETTINGS_SET = {
    "area_settings_set",
    "UPDATE areas SET target_start_hours = $2, hours_min = $3, hours_max = $4, hours_default = $5"
    " WHERE code = $1 RETURNING target_start_hours, hours_min, hours_max, "
    "hours_default," SETTINGS_JSON,
    5};

ij_err ij_store_area_settings_set(ij_conn *conn, const char *area, const char *target_start_hours,
                                  const char *hours_min, const char *hours_max,
                                  const char *hours_default, ij_rows *out) {
  const char *p[5] = {area, target_start_hours, hours_min, hours_max, hours_default};
  return rows_of(conn, &STMT_SETTINGS_SET, p, out);
}

/* ---- supervisors ---- */

#define SUPERVISOR_COLUMNS                                                                      \
  " sub, name, organisation, phone, active, version, ij_us(created_at), ij_us(updated_at),"     \
  " jsonb_build_object('sub', sub, 'name', name, 'organisation', organisation, 'phone', phone," \
  " 'active', active)::text"

static const ij_stmt STMT_SUPERVISOR_LOCK = {
    "supervisor_lock",
    "SELECT active, false, false, jsonb_build_object('sub', sub, 'name', name, 'organisation',"
    " organisation, 'phone', phone, 'active', active)::text"
    " FROM supervisors WHERE area = $1 AND sub = $2 FOR UPDATE",
    2};

ij_err ij_store_supervisor_lock(ij_conn *conn, const char *area, const char *sub, ij_rows *out) {
  const char *p[2] = {area, sub};
  return rows_of(conn, &STMT_SUPERVISOR_LOCK, p, out);
}

static const ij_stmt STMT_SUPERVISOR_ADD = {
    "supervisor_add",
    "INSERT INTO supervisors (area, sub, name, organisation, phone, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING" SUPERVISOR_COLUMNS,
    6};

ij_err ij_store_supervisor_add(ij_conn *conn, const char *area, const char *sub, const char *name,
                               const char *organisation, const char *phone, ij_time_us at,
                               ij_rows *out) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[6] = {area, sub, name, organisation, phone, when};
  return rows_of(conn, &STMT_SUPERVISOR_ADD, p, out);
}

static const ij_stmt STMT_SUPERVISOR_UPDATE = {
    "supervisor_update",
    "UPDATE supervisors SET name = coalesce($3, name),"
    " organisation = CASE WHEN $4::boolean THEN $5 ELSE organisation END,"
    " phone = CASE WHEN $6::boolean THEN $7 ELSE phone END,"
    " active = coalesce($8::boolean, active), version = version + 1, updated_at = $9"
    " WHERE area = $1 AND sub = $2 RETURNING" SUPERVISOR_COLUMNS,
    9};

ij_err ij_store_supervisor_update(ij_conn *conn, const char *area, const char *sub,
                                  const char *name, bool set_organisation, const char *organisation,
                                  bool set_phone, const char *phone, int active, ij_time_us at,
                                  ij_rows *out) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[9] = {area,         sub,
                      name,         set_organisation ? "true" : "false",
                      organisation, set_phone ? "true" : "false",
                      phone,        tristate(active),
                      when};
  return rows_of(conn, &STMT_SUPERVISOR_UPDATE, p, out);
}

static const ij_stmt STMT_SUPERVISORS_OF_AREA = {
    "supervisors_of_area",
    "SELECT" SUPERVISOR_COLUMNS " FROM supervisors WHERE area = $1 AND (active OR $2::boolean)"
    " ORDER BY sub",
    2};

ij_err ij_store_supervisors_of_area(ij_conn *conn, const char *area, bool all, ij_rows *out) {
  const char *p[2] = {area, all ? "true" : "false"};
  return rows_of(conn, &STMT_SUPERVISORS_OF_AREA, p, out);
}

static const ij_stmt STMT_SUPERVISOR_STATE = {
    "supervisor_state",
    "SELECT CASE WHEN active THEN 1 ELSE 2 END FROM supervisors WHERE area = $1 AND sub = $2", 2};

ij_err ij_store_supervisor_state(ij_conn *conn, const char *area, const char *sub, int *state) {
  const char *p[2] = {area, sub};
  return state_of(conn, &STMT_SUPERVISOR_STATE, p, state);
}
