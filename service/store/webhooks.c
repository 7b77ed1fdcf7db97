/* An area's webhook, its signing secret and the log of their changes (migration 017). */
#include <stdlib.h>
#include <string.h>

#include "ij/store/webhooks.h"
#include "db.h"

void ij_webhook_clear(ij_webhook *w) {
  if (!w)
    return;
  if (w->owner_)
    PQclear(w->owner_);
  memset(w, 0, sizeof *w);
}

static const ij_stmt STMT_WEBHOOK_GET = {
    "webhook_get",
    "SELECT a.code, a.webhook_url, s.area IS NOT NULL, ij_us(s.updated_at), ij_us(c.at),"
    " c.actor_sub FROM areas a"
    " LEFT JOIN area_webhook_secrets s ON s.area = a.code"
    " LEFT JOIN LATERAL (SELECT at, actor_sub FROM area_webhook_changes"
    "   WHERE area = a.code ORDER BY id DESC LIMIT 1) c ON true"
    " WHERE a.code = $1",
    1};

ij_err ij_store_webhook_get(ij_conn *conn, const char *area, ij_webhook *out) {
  memset(out, 0, sizeof *out);
  const char *p[1] = {area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_WEBHOOK_GET, p, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_NOT_FOUND;
  }
  out->area = ij_db_str(res, 0, 0);
  out->url = ij_db_str(res, 0, 1);
  out->secret_set = ij_db_bool(res, 0, 2);
  out->secret_updated_at = ij_db_i64(res, 0, 3);
  out->updated_at = ij_db_i64(res, 0, 4);
  out->updated_by = ij_db_str(res, 0, 5);
  out->owner_ = res;
  return IJ_OK;
}

static const ij_stmt STMT_WEBHOOK_SET_URL = {
    "webhook_set_url", "SELECT area_found, url_before FROM ij_area_webhook_set($1)", 1};

ij_err ij_store_webhook_set_url(ij_conn *conn, const char *url, char **before) {
  *before = NULL;
  const char *p[1] = {url};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_WEBHOOK_SET_URL, p, &res);
  if (err != IJ_OK)
    return err;
  if (!ij_db_bool(res, 0, 0)) {
    err = IJ_ERR_NOT_FOUND;
  } else if (ij_db_str(res, 0, 1)) {
    *before = strdup(ij_db_str(res, 0, 1));
    if (!*before)
      err = IJ_ERR_NOMEM;
  }
  PQclear(res);
  return err;
}

/* The CTE reads the table as it was before the statement: whether a secret was there. */
static const ij_stmt STMT_SECRET_PUT = {
    "webhook_secret_put",
    "WITH old AS (SELECT 1 FROM area_webhook_secrets WHERE area = $1),"
    " up AS (INSERT INTO area_webhook_secrets (area, secret, updated_at) VALUES ($1, $2, $3)"
    "   ON CONFLICT (area) DO UPDATE SET secret = EXCLUDED.secret,"
    "   updated_at = EXCLUDED.updated_at RETURNING 1)"
    " SELECT EXISTS (SELECT 1 FROM old), (SELECT count(*) FROM up)",
    3};

static const ij_stmt STMT_SECRET_DELETE = {
    "webhook_secret_delete",
    "WITH d AS (DELETE FROM area_webhook_secrets WHERE area = $1 RETURNING 1)"
    " SELECT EXISTS (SELECT 1 FROM d)",
    1};

static const ij_stmt STMT_SECRET_EXISTS = {
    "webhook_secret_exists", "SELECT EXISTS (SELECT 1 FROM area_webhook_secrets WHERE area = $1)",
    1};

static ij_err one_bool(ij_conn *conn, const ij_stmt *stmt, const char *const *p, bool *out) {
  *out = false;
  PGresult *res;
  ij_err err = ij_db_one(conn, stmt, p, &res);
  if (err != IJ_OK)
    return err;
  *out = ij_db_bool(res, 0, 0);
  PQclear(res);
  return IJ_OK;
}

ij_err ij_store_webhook_secret_put(ij_conn *conn, const char *area, const char *secret,
                                   ij_time_us at, bool *had) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[3] = {area, secret, when};
  return one_bool(conn, &STMT_SECRET_PUT, p, had);
}

ij_err ij_store_webhook_secret_delete(ij_conn *conn, const char *area, bool *had) {
  const char *p[1] = {area};
  return one_bool(conn, &STMT_SECRET_DELETE, p, had);
}

ij_err ij_store_webhook_secret_exists(ij_conn *conn, const char *area, bool *had) {
  const char *p[1] = {area};
  return one_bool(conn, &STMT_SECRET_EXISTS, p, had);
}

static const ij_stmt STMT_WEBHOOK_CHANGE = {
    "webhook_change",
    "INSERT INTO area_webhook_changes (area, at, actor_sub, actor_name, actor_role, request_id,"
    " url_before, url_after, secret_change) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    9};

ij_err ij_store_webhook_change_add(ij_conn *conn, const char *area, const ij_audit *audit,
                                   const char *url_before, const char *url_after,
                                   const char *secret_change) {
  char when[IJ_TIME_BUF];
  ij_time_format(audit->at, when);
  const char *p[9] = {area,
                      when,
                      audit->actor_sub,
                      audit->actor_name ? audit->actor_name : audit->actor_sub,
                      audit->actor_role,
                      audit->request_id,
                      url_before,
                      url_after,
                      secret_change};
  return ij_db_run(conn, &STMT_WEBHOOK_CHANGE, p);
}
