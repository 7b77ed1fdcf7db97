/* The personal-data access log: batches of rows, one statement per area (the http layer's queue
 * writes them), and the admin's read of it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/access_log.h"
#include "ij/store/followups.h"
#include "db.h"

static const ij_stmt STMT_ACCESS_LOG_ROWS = {
    "access_log_rows",
    "SELECT ij_log_access_rows($1, $2::timestamptz[], $3::text[], $4::text[], $5::text[],"
    " $6::uuid[], $7::text[], $8::text[], $9::text[])",
    9};

/* A growing text buffer for array literals. */
typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} strbuf;

static void sb_put(strbuf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
      b->failed = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

/* Appends one element of an array literal, quoted, with " and \ escaped: any text is safe. The
 * text between two such characters is copied whole. */
static void sb_element(strbuf *b, bool first, const char *v) {
  sb_put(b, first ? "\"" : ",\"", first ? 1 : 2);
  for (const char *p = v ? v : ""; *p;) {
    size_t run = strcspn(p, "\"\\");
    sb_put(b, p, run);
    p += run;
    if (*p) {
      char escaped[2] = {'\\', *p++};
      sb_put(b, escaped, 2);
    }
  }
  sb_put(b, "\"", 1);
}

ij_err ij_store_access_log_rows(ij_conn *conn, const char *area, const ij_access_row *rows,
                                int count) {
  if (count <= 0)
    return IJ_OK;
  enum { AT, SUB, ROLE, ACTION, ID, ROUTE, METHOD, REQUEST, COLUMNS };
  strbuf col[COLUMNS];
  memset(col, 0, sizeof col);
  for (int c = 0; c < COLUMNS; c++)
    sb_put(&col[c], "{", 1);
  for (int i = 0; i < count; i++) {
    const ij_access_row *r = &rows[i];
    char at[IJ_TIME_BUF];
    ij_time_format(r->at, at);
    const char *v[COLUMNS] = {at,       r->actor_sub, r->actor_role, r->action, r->referral_id,
                              r->route, r->method,    r->request_id};
    for (int c = 0; c < COLUMNS; c++)
      sb_element(&col[c], i == 0, v[c]);
  }
  bool failed = false;
  for (int c = 0; c < COLUMNS; c++) {
    sb_put(&col[c], "}", 1);
    failed = failed || col[c].failed;
  }
  ij_err err = IJ_ERR_NOMEM;
  if (!failed) {
    const char *p[9] = {
        area,         col[AT].data,    col[SUB].data,    col[ROLE].data,   col[ACTION].data,
        col[ID].data, col[ROUTE].data, col[METHOD].data, col[REQUEST].data};
    err = ij_db_run(conn, &STMT_ACCESS_LOG_ROWS, p);
  }
  for (int c = 0; c < COLUMNS; c++)
    free(col[c].data);
  return err;
}

static const ij_stmt STMT_IMPORT_REFERRALS = {
    "access_import_referrals",
    "SELECT DISTINCT referral_id FROM followup_checks WHERE area = $1 AND import_id = $2::uuid"
    " LIMIT $3",
    3};

ij_err ij_store_import_referrals(ij_conn *conn, const char *area, const char *import_id, int limit,
                                 ij_rows *out) {
  memset(out, 0, sizeof *out);
  char n[16];
  snprintf(n, sizeof n, "%d", limit);
  const char *p[3] = {area, import_id, n};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_IMPORT_REFERRALS, p, &res);
  if (err != IJ_OK)
    return err;
  return ij_db_rows(res, out);
}

static const ij_stmt STMT_ACCESS_LIST = {
    "access_list",
    "SELECT id, ij_us(at), actor_sub, actor_role, action, referral_id, person_id, route, method,"
    " request_id FROM personal_data_access WHERE area = $1"
    " AND ($2::uuid IS NULL OR person_id = $2) AND ($3::uuid IS NULL OR referral_id = $3)"
    " AND ($4::text IS NULL OR actor_sub = $4)"
    " AND ($5::timestamptz IS NULL OR (at, id) < ($5, $6::bigint))"
    " ORDER BY at DESC, id DESC LIMIT $7",
    7};

ij_err ij_store_access_list(ij_conn *conn, const ij_access_filter *f, ij_access_page *out) {
  memset(out, 0, sizeof *out);
  char limit[16], at[IJ_TIME_BUF], id[24];
  ij_db_page_limit(f->limit, limit);
  ij_time_format(f->cursor_at, at);
  snprintf(id, sizeof id, "%" PRId64, f->cursor_id);
  const char *p[7] = {f->area,
                      f->person_id,
                      f->referral_id,
                      f->actor_sub,
                      f->has_cursor ? at : NULL,
                      f->has_cursor ? id : NULL,
                      limit};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_ACCESS_LIST, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_page_items(res, f->limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_access_entry *e = &out->items[i];
    int c = 0;
    e->id = ij_db_i64(res, i, c++);
    e->at = ij_db_i64(res, i, c++);
    e->actor_sub = ij_db_str(res, i, c++);
    e->actor_role = ij_db_str(res, i, c++);
    e->action = ij_db_str(res, i, c++);
    e->referral_id = ij_db_str(res, i, c++);
    e->person_id = ij_db_str(res, i, c++);
    e->route = ij_db_str(res, i, c++);
    e->method = ij_db_str(res, i, c++);
    e->request_id = ij_db_str(res, i, c++);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_access_page_clear(ij_access_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}
