/* Reoffending follow-up checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/followups.h"
#include "ij/str.h"
#include "db.h"

static const ij_stmt STMT_FOLLOWUPS_CREATE = {
    "followups_create",
    "INSERT INTO followup_checks (id, area, referral_id, person_id, window_months, exit_state,"
    " exited_on, due_on, created_at, updated_at)"
    " SELECT v.id, $1, $2, $3, v.w, $4, $5, v.due, $6, $6 FROM unnest($7::uuid[], $8::int[],"
    " $9::date[]) AS v(id, w, due)",
    9};

ij_err ij_store_followups_create(ij_conn *conn, const ij_referral *r, const char *exit_state,
                                 ij_date exited_on, const ij_date due_on[], ij_time_us at) {
  char ids[3 * (IJ_UUID_BUF + 1) + 3] = "{", windows[32] = "{",
                                   dues[3 * (IJ_DATE_BUF + 1) + 3] = "{";
  for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++) {
    char id[IJ_UUID_BUF], due[IJ_DATE_BUF], w[8];
    ij_uuid_new(id);
    ij_date_format(due_on[i], due);
    snprintf(w, sizeof w, "%d", ij_followup_windows[i]);
    const char *sep = i ? "," : "";
    strcat(strcat(ids, sep), id);
    strcat(strcat(windows, sep), w);
    strcat(strcat(dues, sep), due);
  }
  strcat(ids, "}");
  strcat(windows, "}");
  strcat(dues, "}");
  char exited[IJ_DATE_BUF], when[IJ_TIME_BUF];
  ij_date_format(exited_on, exited);
  ij_time_format(at, when);
  const char *p[9] = {r->area, r->id, r->person_id, exit_state, exited, when, ids, windows, dues};
  return ij_db_defer(conn, &STMT_FOLLOWUPS_CREATE, p); /* with the next statement or the commit */
}

#define FOLLOWUP_COLUMNS                                                                     \
  "f.id, f.referral_id, f.person_id, pe.name, pe.police_id, f.window_months, f.exit_state,"  \
  " f.exited_on - DATE '1970-01-01', f.due_on - DATE '1970-01-01', ij_us(f.recorded_at),"    \
  " f.reoffended, f.first_reoffence_on - DATE '1970-01-01', f.reoffence_category, f.source," \
  " f.checked_by_sub, f.checked_by_name, f.version, ij_us(f.created_at), ij_us(f.updated_at)"

static ij_err to_page(PGresult *res, int limit, ij_followup_page *out) {
  out->items = ij_db_page_items(res, limit > 0 ? limit : PQntuples(res), sizeof *out->items,
                                &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_followup *f = &out->items[i];
    int c = 0;
    ij_str_copy(f->id, sizeof f->id, PQgetvalue(res, i, c++));
    ij_str_copy(f->referral_id, sizeof f->referral_id, PQgetvalue(res, i, c++));
    ij_str_copy(f->person_id, sizeof f->person_id, PQgetvalue(res, i, c++));
    f->person_name = ij_db_str(res, i, c++);
    f->police_id = ij_db_str(res, i, c++);
    f->window_months = (int)ij_db_i64(res, i, c++);
    f->exit_state = ij_db_str(res, i, c++);
    f->exited_on = (ij_date)ij_db_i64(res, i, c++);
    f->due_on = (ij_date)ij_db_i64(res, i, c++);
    f->recorded_at = ij_db_i64(res, i, c++);
    f->reoffended = ij_db_tristate(res, i, c++);
    f->first_reoffence_on = (ij_date)ij_db_i64(res, i, c++);
    f->reoffence_category = ij_db_str(res, i, c++);
    f->source = ij_db_str(res, i, c++);
    f->checked_by_sub = ij_db_str(res, i, c++);
    f->checked_by_name = ij_db_str(res, i, c++);
    f->version = (int)ij_db_i64(res, i, c++);
    f->created_at = ij_db_i64(res, i, c++);
    f->updated_at = ij_db_i64(res, i, c++);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_followup_page_clear(ij_followup_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}

/* $3 status: pending, due, overdue, recorded, all. */
static const ij_stmt STMT_FOLLOWUPS_LIST = {
    "followups_list",
    "SELECT " FOLLOWUP_COLUMNS " FROM followup_checks f JOIN people pe ON pe.id = f.person_id"
    " WHERE f.area = $1"
    " AND CASE $3 WHEN 'pending' THEN f.recorded_at IS NULL"
    "   WHEN 'due' THEN f.recorded_at IS NULL AND f.due_on <= $2::date"
    "   WHEN 'overdue' THEN f.recorded_at IS NULL AND f.due_on < $2::date - 28"
    "   WHEN 'recorded' THEN f.recorded_at IS NOT NULL ELSE true END"
    " AND ($4::uuid IS NULL OR f.referral_id = $4)"
    " AND ($5::date IS NULL OR (f.due_on, f.id) > ($5, $6::uuid))"
    " ORDER BY f.due_on, f.id LIMIT $7",
    7};

ij_err ij_store_followups_list(ij_conn *conn, const ij_followup_filter *f, ij_followup_page *out) {
  static const char *const statuses[] = {"pending", "due", "overdue", "recorded", "all"};
  memset(out, 0, sizeof *out);
  char today[IJ_DATE_BUF], cursor[IJ_DATE_BUF], limit[16];
  ij_date_format(f->today, today);
  ij_date_format(f->cursor_due_on, cursor);
  ij_db_page_limit(f->limit, limit);
  const char *p[7] = {f->area,
                      today,
                      statuses[f->status],
                      f->referral_id,
                      f->has_cursor ? cursor : NULL,
                      f->has_cursor ? f->cursor_id : NULL,
                      limit};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_FOLLOWUPS_LIST, p, &res);
  return err == IJ_OK ? to_page(res, f->limit, out) : err;
}

static const ij_stmt STMT_FOLLOWUP_GET = {
    "followup_get",
    "SELECT " FOLLOWUP_COLUMNS " FROM followup_checks f JOIN people pe ON pe.id = f.person_id"
    " WHERE f.id = $1 AND f.area = $2",
    2};
static const ij_stmt STMT_FOLLOWUP_LOCK = {
    "followup_lock",
    "SELECT " FOLLOWUP_COLUMNS " FROM followup_checks f JOIN people pe ON pe.id = f.person_id"
    " WHERE f.id = $1 AND f.area = $2 FOR UPDATE OF f",
    2};

ij_err ij_store_followup_get(ij_conn *conn, const char *area, const char *id, bool lock,
                             ij_followup_page *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, lock ? &STMT_FOLLOWUP_LOCK : &STMT_FOLLOWUP_GET, p, &res);
  if (err != IJ_OK)
    return err == IJ_ERR_INVALID ? IJ_ERR_NOT_FOUND : err;
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_NOT_FOUND;
  }
  return to_page(res, 0, out);
}

static const ij_stmt STMT_FOLLOWUP_RECORD = {
    "followup_record",
    "UPDATE followup_checks SET recorded_at = $4, reoffended = $5, first_reoffence_on = $6,"
    " reoffence_category = $7, source = $8, checked_by_sub = $9, checked_by_name = $10,"
    " import_id = $11, version = version + 1, updated_at = $4"
    " WHERE id = $1 AND area = $2 AND version = $3 AND recorded_at IS NULL",
    11};

ij_err ij_store_followup_record(ij_conn *conn, const char *area, const char *id,
                                int expected_version, const ij_followup_result *result,
                                const char *category, const char *import_id,
                                const ij_audit *audit) {
  char version[16], when[IJ_TIME_BUF], first[IJ_DATE_BUF];
  snprintf(version, sizeof version, "%d", expected_version);
  ij_time_format(audit->at, when);
  ij_date_format(result->first_reoffence_on, first);
  const char *p[11] = {id,
                       area,
                       version,
                       when,
                       result->reoffended ? "true" : "false",
                       result->reoffended ? first : NULL,
                       result->reoffended ? category : NULL,
                       result->source,
                       audit->actor_sub,
                       audit->actor_name,
                       import_id};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_FOLLOWUP_RECORD, p, &res);
  if (err != IJ_OK)
    return err;
  bool updated = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  return updated ? IJ_OK : IJ_ERR_STALE;
}

static const ij_stmt STMT_FOLLOWUPS_CANDIDATES = {
    "followups_candidates",
    "SELECT f.id, f.version, f.window_months, f.referral_id, f.person_id, pe.police_id,"
    " f.exited_on - DATE '1970-01-01', f.due_on - DATE '1970-01-01', f.recorded_at IS NOT NULL,"
    " f.reoffended, f.first_reoffence_on - DATE '1970-01-01', f.reoffence_category"
    " FROM followup_checks f JOIN people pe ON pe.id = f.person_id WHERE f.area = $1"
    " AND (pe.police_id = ANY ($2::text[]) OR f.person_id = ANY ($3::uuid[])"
    " OR f.referral_id = ANY ($4::uuid[]))",
    4};

ij_err ij_store_followups_candidates(ij_conn *conn, const char *area, const char *police_ids,
                                     const char *person_ids, const char *referral_ids,
                                     ij_rows *out) {
  const char *p[4] = {area, police_ids, person_ids, referral_ids};
  PGresult *res;
  memset(out, 0, sizeof *out);
  ij_err err = ij_db_exec(conn, &STMT_FOLLOWUPS_CANDIDATES, p, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

static const ij_stmt STMT_IMPORT_FIND = {
    "followup_import_find",
    "SELECT id, rows, recorded, unchanged FROM followup_imports WHERE area = $1 AND sha256 = $2",
    2};

ij_err ij_store_followup_import_find(ij_conn *conn, const char *area, const char *sha256,
                                     ij_rows *out) {
  const char *p[2] = {area, sha256};
  PGresult *res;
  memset(out, 0, sizeof *out);
  ij_err err = ij_db_exec(conn, &STMT_IMPORT_FIND, p, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return IJ_ERR_NOT_FOUND;
  }
  return ij_db_rows(res, out);
}

static const ij_stmt STMT_IMPORT_ADD = {
    "followup_import_add",
    "INSERT INTO followup_imports (id, area, sha256, rows, recorded, unchanged, actor_sub,"
    " actor_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    9};

ij_err ij_store_followup_import_add(ij_conn *conn, const char *area, const char *id,
                                    const char *sha256, int rows, int recorded, int unchanged,
                                    const ij_audit *audit) {
  char n[16], rec[16], same[16], when[IJ_TIME_BUF];
  snprintf(n, sizeof n, "%d", rows);
  snprintf(rec, sizeof rec, "%d", recorded);
  snprintf(same, sizeof same, "%d", unchanged);
  ij_time_format(audit->at, when);
  const char *p[9] = {id, area, sha256, n, rec, same, audit->actor_sub, audit->actor_name, when};
  return ij_db_run(conn, &STMT_IMPORT_ADD, p);
}
