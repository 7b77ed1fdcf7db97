/* People: search within an area and one person's record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/people.h"
#include "ij/str.h"
#include "db.h"

/* The columns both statements return, in the order parse_person reads them. */
#define PERSON_COLUMNS                                                                       \
  "p.id, p.name, p.date_of_birth - DATE '1970-01-01', p.erased_at IS NOT NULL, p.phone,"     \
  " p.email, p.address, p.postcode, p.police_id, p.needs_notes, p.risk_notes,"               \
  " ij_us(p.created_at), ij_us(p.updated_at),"                                               \
  " (SELECT coalesce(string_agg(r.id::text, ',' ORDER BY r.created_at DESC, r.id DESC), '')" \
  "  FROM referrals r WHERE r.person_id = p.id AND r.area = p.area),"                        \
  " (SELECT coalesce(string_agg(r.state, ',' ORDER BY r.created_at DESC, r.id DESC), '')"    \
  "  FROM referrals r WHERE r.person_id = p.id AND r.area = p.area), p.do_not_message"

static void parse_person(const PGresult *res, int row, ij_person *p) {
  int c = 0;
  memset(p, 0, sizeof *p);
  ij_str_copy(p->id, sizeof p->id, PQgetvalue(res, row, c++));
  p->name = ij_db_str(res, row, c++);
  p->date_of_birth = (ij_date)ij_db_i64(res, row, c++);
  p->erased = ij_db_bool(res, row, c++);
  p->phone = ij_db_str(res, row, c++);
  p->email = ij_db_str(res, row, c++);
  p->address = ij_db_str(res, row, c++);
  p->postcode = ij_db_str(res, row, c++);
  p->police_id = ij_db_str(res, row, c++);
  p->needs_notes = ij_db_str(res, row, c++);
  p->risk_notes = ij_db_str(res, row, c++);
  p->created_at = ij_db_i64(res, row, c++);
  p->updated_at = ij_db_i64(res, row, c++);
  p->referral_ids = ij_db_str(res, row, c++);
  p->referral_states = ij_db_str(res, row, c++);
  p->do_not_message = ij_db_bool(res, row, c++);
}

/* The name filter: pg_trgm's similarity of the whole names (%: typing errors, any word order) or
 * of the words asked for within the name (<%: one name of several, the start of one), both
 * served by the trigram index. */
static const ij_stmt STMT_PEOPLE_SEARCH = {
    "people_search",
    "SELECT " PERSON_COLUMNS " FROM people p"
    " WHERE p.area = $1 AND p.erased_at IS NULL"
    " AND ($2::text IS NULL OR p.name_key % $2 OR $2 <% p.name_key)"
    " AND ($3::text IS NULL OR p.police_id = $3)"
    " AND ($4::date IS NULL OR p.date_of_birth = $4::date)"
    " AND ($5::text IS NULL OR upper(replace(p.postcode, ' ', '')) = $5)"
    " AND ($6::timestamptz IS NULL OR (p.created_at, p.id) < ($6, $7::uuid))"
    " ORDER BY p.created_at DESC, p.id DESC LIMIT $8",
    8};

ij_err ij_store_people_search(ij_conn *conn, const ij_person_filter *f, ij_person_page *out) {
  memset(out, 0, sizeof *out);
  char dob[IJ_DATE_BUF], limit[16];
  ij_date_format(f->date_of_birth, dob);
  ij_db_keyset cursor;
  ij_db_keyset_of(f->has_cursor, f->cursor_created_at, f->cursor_id, &cursor);
  ij_db_page_limit(f->limit, limit);
  const char *p[8] = {
      f->area,         f->name_key,     f->police_id,    f->has_date_of_birth ? dob : NULL,
      f->postcode_key, cursor.at_param, cursor.id_param, limit};
  PGresult *res;
  ij_err err = ij_db_exec_custom_plan(conn, &STMT_PEOPLE_SEARCH, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_page_items(res, f->limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++)
    parse_person(res, i, &out->items[i]);
  out->owner_ = res;
  return IJ_OK;
}

static const ij_stmt STMT_PERSON_GET = {
    "person_get", "SELECT " PERSON_COLUMNS " FROM people p WHERE p.id = $1 AND p.area = $2", 2};

ij_err ij_store_person_get(ij_conn *conn, const char *area, const char *id, ij_person_page *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_PERSON_GET, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_items(res, sizeof *out->items, &out->count);
  if (!out->items)
    return IJ_ERR_NOMEM;
  parse_person(res, 0, &out->items[0]);
  out->owner_ = res;
  return IJ_OK;
}

static const ij_stmt STMT_SUBJECT_ACCESS = {"subject_access",
                                            "SELECT ij_subject_access($1, $2::uuid)::text", 2};

ij_err ij_store_subject_access(ij_conn *conn, const char *area, const char *id, char **out) {
  *out = NULL;
  const char *p[2] = {area, id};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_SUBJECT_ACCESS, p, &res);
  if (err != IJ_OK)
    return err;
  const char *doc = ij_db_str(res, 0, 0);
  if (!doc)
    err = IJ_ERR_NOT_FOUND; /* the function's NULL: no such person in the area */
  else if (!(*out = strdup(doc)))
    err = IJ_ERR_NOMEM;
  PQclear(res);
  return err;
}

void ij_person_page_clear(ij_person_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}
