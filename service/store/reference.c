/* Areas, wards and reason codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/reference.h"
#include "db.h"

static const ij_stmt STMT_AREA_RULES = {
    "area_rules",
    "SELECT target_start_hours, hours_min, hours_max, hours_default FROM areas WHERE code = $1", 1};

ij_err ij_store_area_rules(ij_conn *conn, const char *area, const ij_area_rules *defaults,
                           ij_area_rules *out) {
  *out = *defaults;
  const char *params[1] = {area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_AREA_RULES, params, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) != 1) {
    err = IJ_ERR_NOT_FOUND;
    goto done;
  }
  if (!PQgetisnull(res, 0, 0))
    out->target_start_hours = (int)ij_db_i64(res, 0, 0);
  if (!PQgetisnull(res, 0, 1))
    out->hours_min = (int)ij_db_i64(res, 0, 1);
  if (!PQgetisnull(res, 0, 2))
    out->hours_max = (int)ij_db_i64(res, 0, 2);
  if (!PQgetisnull(res, 0, 3))
    out->hours_default = (int)ij_db_i64(res, 0, 3);
done:
  PQclear(res);
  return err;
}

static const ij_stmt STMT_AREA_UPSERT = {
    "area_upsert",
    "INSERT INTO areas (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = $2", 2};

ij_err ij_store_area_upsert(ij_conn *conn, const char *code, const char *name) {
  const char *params[2] = {code, name};
  return ij_db_run(conn, &STMT_AREA_UPSERT, params);
}

static const ij_stmt STMT_WARD_UPSERT = {
    "ward_upsert",
    "INSERT INTO wards (area, code, name) VALUES ($1, $2, $3)"
    " ON CONFLICT (area, code) DO UPDATE SET name = $3, active = true",
    3};

ij_err ij_store_ward_upsert(ij_conn *conn, const char *area, const char *code, const char *name) {
  const char *params[3] = {area, code, name};
  return ij_db_run(conn, &STMT_WARD_UPSERT, params);
}

static const ij_stmt STMT_WARDS = {
    "wards_list", "SELECT code, name FROM wards WHERE area = $1 AND active ORDER BY code", 1};

ij_err ij_store_wards_list(ij_conn *conn, const char *area, ij_rows *out) {
  memset(out, 0, sizeof *out);
  const char *params[1] = {area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_WARDS, params, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

static const ij_stmt STMT_REASONS = {
    "reason_codes_list",
    "SELECT kind, code, label FROM reason_codes WHERE active AND ($1::text IS NULL OR kind = $1)"
    " ORDER BY kind, code",
    1};

ij_err ij_store_reason_codes_list(ij_conn *conn, const char *kind, ij_rows *out) {
  memset(out, 0, sizeof *out);
  const char *params[1] = {kind};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_REASONS, params, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

static const ij_stmt STMT_WARD_EXISTS = {
    "ward_exists", "SELECT EXISTS (SELECT 1 FROM wards WHERE area = $1 AND code = $2)", 2};

ij_err ij_store_ward_exists(ij_conn *conn, const char *area, const char *code, bool *exists) {
  *exists = false;
  const char *p[2] = {area, code};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_WARD_EXISTS, p, &res);
  if (err != IJ_OK)
    return err;
  *exists = ij_db_bool(res, 0, 0);
  PQclear(res);
  return IJ_OK;
}
