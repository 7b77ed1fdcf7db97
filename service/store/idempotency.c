/* Idempotency-Key claims and kept answers (include/ij/store/idempotency.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ij/store/idempotency.h"
#include "ij/str.h"

void ij_idem_row_clear(ij_idem_row *row) {
  if (!row)
    return;
  free(row->body);
  free(row->etag);
  free(row->location);
  free(row->content_type);
  memset(row, 0, sizeof *row);
}

static const ij_stmt STMT_CLAIM = {
    "idem_claim",
    "INSERT INTO idempotency_keys"
    " (area, actor_sub, key, request_hash, route, claimed_at, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING",
    6};

/* the columns ij_store_idem_read parses, in order */
static const ij_stmt STMT_READ = {
    "idem_read",
    "SELECT request_hash, status, response, etag, location, content_type, ij_us(claimed_at)"
    " FROM idempotency_keys WHERE area = $1 AND actor_sub = $2 AND key = $3",
    3};

static const ij_stmt STMT_TAKE_OVER = {
    "idem_take_over",
    "UPDATE idempotency_keys SET claimed_at = $6"
    " WHERE area = $1 AND actor_sub = $2 AND key = $3 AND request_hash = $4"
    " AND status IS NULL AND claimed_at < $5",
    6};

static const ij_stmt STMT_KEEP = {
    "idem_keep",
    "UPDATE idempotency_keys SET status = $5, response = $6, etag = $7, location = $8,"
    " content_type = $9"
    " WHERE area = $1 AND actor_sub = $2 AND key = $3 AND status IS NULL AND claimed_at = $4",
    9};

static const ij_stmt STMT_RELEASE = {
    "idem_release",
    "DELETE FROM idempotency_keys"
    " WHERE area = $1 AND actor_sub = $2 AND key = $3 AND status IS NULL AND claimed_at = $4",
    4};

/* Runs a write and says whether it touched a row. */
static ij_err touched(ij_conn *conn, const ij_stmt *stmt, const char *const *p, bool *one) {
  PGresult *res;
  *one = false;
  ij_err err = ij_db_exec(conn, stmt, p, &res);
  if (err != IJ_OK)
    return err;
  *one = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  return IJ_OK;
}

ij_err ij_store_idem_claim(ij_conn *conn, const ij_idem_key *k, const char *route, ij_time_us at,
                           bool *claimed) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[6] = {k->area, k->actor_sub, k->key, k->request_hash, route, when};
  return touched(conn, &STMT_CLAIM, p, claimed);
}

static char *dup_or_null(const PGresult *res, int col, bool *nomem) {
  const char *s = ij_db_str(res, 0, col);
  if (!s)
    return NULL;
  char *copy = strdup(s);
  if (!copy)
    *nomem = true;
  return copy;
}

ij_err ij_store_idem_read(ij_conn *conn, const ij_idem_key *k, ij_idem_row *out) {
  memset(out, 0, sizeof *out);
  const char *p[3] = {k->area, k->actor_sub, k->key};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_READ, p, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_NOT_FOUND;
  }
  ij_str_copy(out->request_hash, sizeof out->request_hash, PQgetvalue(res, 0, 0));
  out->answered = !PQgetisnull(res, 0, 1);
  out->status = (int)ij_db_i64(res, 0, 1);
  bool nomem = false;
  out->body = dup_or_null(res, 2, &nomem);
  out->etag = dup_or_null(res, 3, &nomem);
  out->location = dup_or_null(res, 4, &nomem);
  out->content_type = dup_or_null(res, 5, &nomem);
  out->claimed_at = ij_db_i64(res, 0, 6);
  PQclear(res);
  if (nomem) {
    ij_idem_row_clear(out);
    return IJ_ERR_NOMEM;
  }
  return IJ_OK;
}

ij_err ij_store_idem_take_over(ij_conn *conn, const ij_idem_key *k, ij_time_us stale_before,
                               ij_time_us at, bool *taken) {
  char before[IJ_TIME_BUF], when[IJ_TIME_BUF];
  ij_time_format(stale_before, before);
  ij_time_format(at, when);
  const char *p[6] = {k->area, k->actor_sub, k->key, k->request_hash, before, when};
  return touched(conn, &STMT_TAKE_OVER, p, taken);
}

ij_err ij_store_idem_keep(ij_conn *conn, const ij_idem_key *k, ij_time_us claimed_at, int status,
                          const char *body, const char *etag, const char *location,
                          const char *content_type) {
  char when[IJ_TIME_BUF], code[16];
  ij_time_format(claimed_at, when);
  snprintf(code, sizeof code, "%d", status);
  const char *p[9] = {k->area, k->actor_sub, k->key,   when,        code,
                      body,    etag,         location, content_type};
  bool kept;
  return touched(conn, &STMT_KEEP, p, &kept);
}

ij_err ij_store_idem_release(ij_conn *conn, const ij_idem_key *k, ij_time_us claimed_at) {
  char when[IJ_TIME_BUF];
  ij_time_format(claimed_at, when);
  const char *p[4] = {k->area, k->actor_sub, k->key, when};
  bool gone;
  return touched(conn, &STMT_RELEASE, p, &gone);
}
