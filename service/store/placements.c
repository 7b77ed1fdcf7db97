/* The placement aggregate: a piece of reparative work a partner offers, with its supervisor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/placements.h"
#include "ij/str.h"
#include "db.h"

/* The columns every placement read returns, in the order parse_placement reads them. */
#define PLACEMENT_COLUMNS                                                                     \
  "id, area, name, type, provider, ward, location, min_age, supervisor_sub, supervisor_name," \
  " active, version, ij_us(created_at), ij_us(updated_at), what_to_bring"

static void parse_placement(const PGresult *res, int row, ij_placement *p) {
  int c = 0;
  memset(p, 0, sizeof *p);
  ij_str_copy(p->id, sizeof p->id, PQgetvalue(res, row, c++));
  p->area = ij_db_str(res, row, c++);
  p->name = ij_db_str(res, row, c++);
  p->type = ij_db_str(res, row, c++);
  p->provider = ij_db_str(res, row, c++);
  p->ward = ij_db_str(res, row, c++);
  p->location = ij_db_str(res, row, c++);
  p->min_age = (int)ij_db_i64(res, row, c++);
  p->supervisor_sub = ij_db_str(res, row, c++);
  p->supervisor_name = ij_db_str(res, row, c++);
  p->active = ij_db_bool(res, row, c++);
  p->version = (int)ij_db_i64(res, row, c++);
  p->created_at = ij_db_i64(res, row, c++);
  p->updated_at = ij_db_i64(res, row, c++);
  p->what_to_bring = ij_db_str(res, row, c++);
}

void ij_placement_clear(ij_placement *p) {
  if (p && p->owner_)
    PQclear(p->owner_);
  if (p)
    memset(p, 0, sizeof *p);
}

/* The field a failed constraint points at. */
static void field_for_constraint(const ij_conn *conn, ij_field_errors *errs) {
  if (!errs)
    return;
  if (strcmp(conn->constraint, "placements_ward_fkey") == 0)
    ij_field_errors_add(errs, "ward", "is not a ward of this area");
  else if (strcmp(conn->constraint, "placements_type_fkey") == 0)
    ij_field_errors_add(errs, "type", "is not a placement type");
  else if (strcmp(conn->constraint, "placements_min_age_check") == 0)
    ij_field_errors_add(errs, "min_age", "must be a whole number from 10 to 99");
  else if (strcmp(conn->constraint, "placements_area_fkey") == 0)
    ij_field_errors_add(errs, "area", "your token's area is not known to the service");
}

static const ij_stmt STMT_PLACEMENT_INSERT = {
    "placement_insert",
    "INSERT INTO placements (id, area, name, type, provider, ward, location, min_age,"
    " supervisor_sub, supervisor_name, active, version, created_at, updated_at, what_to_bring)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12, $13)"
    " RETURNING " PLACEMENT_COLUMNS,
    13};

ij_err ij_store_placement_create(ij_conn *conn, const char *area, const char *id,
                                 const ij_placement_input *in, ij_time_us at, ij_placement *out,
                                 ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  char min_age[16], when[IJ_TIME_BUF];
  snprintf(min_age, sizeof min_age, "%d", in->has_min_age ? in->min_age : IJ_MIN_AGE_DEFAULT);
  ij_time_format(at, when);
  const char *p[13] = {id,
                       area,
                       in->name,
                       in->type,
                       in->provider,
                       in->ward,
                       in->has_location ? in->location : NULL,
                       min_age,
                       in->supervisor_sub,
                       in->supervisor_name,
                       in->active == 0 ? "false" : "true",
                       when,
                       in->has_what_to_bring ? in->what_to_bring : NULL};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_PLACEMENT_INSERT, p, &res);
  if (err != IJ_OK) {
    if (err == IJ_ERR_INVALID)
      field_for_constraint(conn, errs);
    return err;
  }
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_INTERNAL;
  }
  parse_placement(res, 0, out);
  out->owner_ = res;
  return IJ_OK;
}

static const ij_stmt STMT_PLACEMENT_GET = {
    "placement_get", "SELECT " PLACEMENT_COLUMNS " FROM placements WHERE id = $1 AND area = $2", 2};

ij_err ij_store_placement_get(ij_conn *conn, const char *area, const char *id, ij_placement *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_PLACEMENT_GET, p, &res);
  if (err != IJ_OK)
    return err;
  parse_placement(res, 0, out);
  out->owner_ = res;
  return IJ_OK;
}

static const ij_stmt STMT_PLACEMENT_UPDATE = {
    "placement_update",
    "UPDATE placements SET name = coalesce($4, name), type = coalesce($5, type),"
    " provider = coalesce($6, provider), ward = coalesce($7, ward),"
    " location = CASE WHEN $8::boolean THEN $9::text ELSE location END,"
    " min_age = coalesce($10::integer, min_age),"
    " supervisor_sub = coalesce($11, supervisor_sub),"
    " supervisor_name = coalesce($12, supervisor_name),"
    " active = coalesce($13::boolean, active), version = version + 1, updated_at = $14,"
    " what_to_bring = CASE WHEN $15::boolean THEN $16::text ELSE what_to_bring END"
    " WHERE id = $1 AND area = $2 AND version = $3"
    " RETURNING " PLACEMENT_COLUMNS,
    16};

static const ij_stmt STMT_PLACEMENT_EXISTS = {
    "placement_exists", "SELECT version FROM placements WHERE id = $1 AND area = $2", 2};

ij_err ij_store_placement_update(ij_conn *conn, const char *area, const char *id,
                                 int expected_version, const ij_placement_input *in, ij_time_us at,
                                 ij_placement *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  char version[16], min_age[16], when[IJ_TIME_BUF];
  snprintf(version, sizeof version, "%d", expected_version);
  snprintf(min_age, sizeof min_age, "%d", in->min_age);
  ij_time_format(at, when);
  const char *active = in->active < 0 ? NULL : in->active ? "true" : "false";
  const char *p[16] = {id,
                       area,
                       version,
                       in->name,
                       in->type,
                       in->provider,
                       in->ward,
                       in->has_location ? "true" : "false",
                       in->has_location ? in->location : NULL,
                       in->has_min_age ? min_age : NULL,
                       in->has_supervisor ? in->supervisor_sub : NULL,
                       in->has_supervisor ? in->supervisor_name : NULL,
                       active,
                       when,
                       in->has_what_to_bring ? "true" : "false",
                       in->has_what_to_bring ? in->what_to_bring : NULL};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_PLACEMENT_UPDATE, p, &res);
  if (err != IJ_OK) {
    if (err == IJ_ERR_INVALID)
      field_for_constraint(conn, errs);
    return err;
  }
  if (PQntuples(res) == 1) {
    parse_placement(res, 0, out);
    out->owner_ = res;
    return IJ_OK;
  }
  PQclear(res);
  /* nothing updated: gone (or another area's) or at another version */
  err = ij_db_exec(conn, &STMT_PLACEMENT_EXISTS, p, &res);
  if (err != IJ_OK)
    return err;
  err = PQntuples(res) == 1 ? IJ_ERR_STALE : IJ_ERR_NOT_FOUND;
  PQclear(res);
  return err;
}

static const ij_stmt STMT_PLACEMENT_LIST = {
    "placement_list",
    "SELECT " PLACEMENT_COLUMNS " FROM placements"
    " WHERE area = $1"
    " AND ($2::text IS NULL OR type = $2)"
    " AND ($3::text IS NULL OR ward = $3)"
    " AND ($4::text IS NULL OR supervisor_sub = $4)"
    " AND ($5::text IS NULL OR supervisor_sub = $5)"
    " AND ($6::boolean IS NULL OR active = $6)"
    " AND ($7::timestamptz IS NULL OR (created_at, id) < ($7, $8::uuid))"
    " ORDER BY created_at DESC, id DESC LIMIT $9",
    9};

ij_err ij_store_placement_list(ij_conn *conn, const ij_placement_filter *f,
                               ij_placement_page *out) {
  memset(out, 0, sizeof *out);
  char limit[16];
  ij_db_keyset cursor;
  ij_db_keyset_of(f->has_cursor, f->cursor_created_at, f->cursor_id, &cursor);
  ij_db_page_limit(f->limit, limit);
  const char *p[9] = {
      f->area,           f->type,         f->ward,
      f->supervisor_sub, f->scope_sub,    f->active < 0 ? NULL : f->active ? "true" : "false",
      cursor.at_param,   cursor.id_param, limit};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_PLACEMENT_LIST, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_page_items(res, f->limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++)
    parse_placement(res, i, &out->items[i]);
  out->owner_ = res;
  return IJ_OK;
}

void ij_placement_page_clear(ij_placement_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}
