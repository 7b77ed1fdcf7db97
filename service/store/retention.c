/* Retention: erasing the personal data of referrals that ended long enough ago (the rules are in
 * migrations/007_retention.sql's ij_retention_erase, which runs under the caller's row-level
 * security). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/reference.h"
#include "ij/store/retention.h"
#include "db.h"

static const ij_stmt STMT_AREA_CODES = {"area_codes", "SELECT code FROM areas ORDER BY code", 0};

ij_err ij_store_area_codes(ij_conn *conn, ij_rows *out) {
  memset(out, 0, sizeof *out);
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_AREA_CODES, NULL, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

static const ij_stmt STMT_RETENTION_ERASE = {
    "retention_erase",
    "SELECT referrals_erased, people_erased FROM ij_retention_erase($1, $2::text[],"
    " $3::timestamptz, $4::timestamptz, $5::integer)",
    5};

static const ij_stmt STMT_ACCESS_LOG_ERASE = {
    "access_log_erase", "SELECT ij_access_log_erase($1, $2::timestamptz, $3::integer)", 3};

ij_err ij_store_access_log_erase(ij_conn *conn, const char *area, ij_time_us before, int limit,
                                 int *erased) {
  *erased = 0;
  char at[IJ_TIME_BUF], lim[16];
  ij_time_format(before, at);
  snprintf(lim, sizeof lim, "%d", limit);
  const char *p[3] = {area, at, lim};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_ACCESS_LOG_ERASE, p, &res);
  if (err != IJ_OK)
    return err;
  *erased = (int)ij_db_i64(res, 0, 0);
  PQclear(res);
  return IJ_OK;
}

ij_err ij_store_retention_erase(ij_conn *conn, const char *area, unsigned ended_states,
                                ij_time_us ended_before, ij_time_us now, int limit, int *referrals,
                                int *people) {
  *referrals = *people = 0;
  char before[IJ_TIME_BUF], at[IJ_TIME_BUF], lim[16];
  ij_time_format(ended_before, before);
  ij_time_format(now, at);
  snprintf(lim, sizeof lim, "%d", limit);
  char ended[256];
  ij_db_state_array(ended_states, ended, sizeof ended);
  const char *p[5] = {area, ended, before, at, lim};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_RETENTION_ERASE, p, &res);
  if (err != IJ_OK)
    return err;
  *referrals = (int)ij_db_i64(res, 0, 0);
  *people = (int)ij_db_i64(res, 0, 1);
  PQclear(res);
  return IJ_OK;
}
