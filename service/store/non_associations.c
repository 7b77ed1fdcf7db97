/* Non-associations: who must not be placed with whom, and the fact a booking reads about them
 * once it holds the session's row lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/non_associations.h"
#include "ij/str.h"
#include "db.h"

void ij_non_association_list_clear(ij_non_association_list *list) {
  if (!list)
    return;
  free(list->items);
  if (list->owner_)
    PQclear(list->owner_);
  memset(list, 0, sizeof *list);
}

static const ij_stmt STMT_PERSON_OF_PERSON = {
    "na_person_of_person", "SELECT id FROM people WHERE id = $1 AND area = $2", 2};
static const ij_stmt STMT_PERSON_OF_REFERRAL = {
    "na_person_of_referral", "SELECT person_id FROM referrals WHERE id = $1 AND area = $2", 2};

ij_err ij_store_person_of(ij_conn *conn, const char *area, bool by_referral, const char *id,
                          char person_id[IJ_UUID_BUF]) {
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err =
      ij_db_one(conn, by_referral ? &STMT_PERSON_OF_REFERRAL : &STMT_PERSON_OF_PERSON, p, &res);
  if (err != IJ_OK)
    return err;
  ij_str_copy(person_id, IJ_UUID_BUF, PQgetvalue(res, 0, 0));
  PQclear(res);
  return IJ_OK;
}

/* The pair is kept in a fixed order (the table's CHECK), whichever order it was given in. */
static const ij_stmt STMT_NA_INSERT = {
    "na_insert",
    "INSERT INTO non_associations (id, area, person_a, person_b, reason, notes, created_at,"
    " created_by_sub, created_by_name, request_id) VALUES ($1, $2, least($3::uuid, $4::uuid),"
    " greatest($3::uuid, $4::uuid), $5, $6, $7, $8, $9, $10)",
    10};

ij_err ij_store_non_association_insert(ij_conn *conn, const char *area,
                                       const ij_non_association_record *rec, const char *ids_field,
                                       ij_field_errors *errs) {
  char at[IJ_TIME_BUF];
  ij_time_format(rec->at, at);
  const char *p[10] = {rec->id,    area, rec->person_a,  rec->person_b,   rec->reason,
                       rec->notes, at,   rec->actor_sub, rec->actor_name, rec->request_id};
  ij_err err = ij_db_run(conn, &STMT_NA_INSERT, p);
  if (err == IJ_ERR_CONFLICT)
    ij_field_errors_add(errs, ids_field,
                        "these two people are already recorded as not to be placed together");
  return err;
}

/* A side's latest referral in the area: what the access log names for the person. */
#define LATEST_REFERRAL(col)                                                      \
  "(SELECT r.id FROM referrals r WHERE r.person_id = " col " AND r.area = n.area" \
  " ORDER BY r.created_at DESC, r.id DESC LIMIT 1)"
#define NA_COLUMNS                                                                                 \
  "n.id, n.person_a, pa.name, " LATEST_REFERRAL(                                                   \
      "n.person_a") ", n.person_b, pb.name, " LATEST_REFERRAL("n.person_b") ", n.reason, "         \
                                                                            "n.notes, "            \
                                                                            "ij_us(n.created_at)," \
                                                                            " n.created_by_sub, "  \
                                                                            "n.created_by_name, "  \
                                                                            "ij_us(n.ended_at), "  \
                                                                            "n.ended_by_sub,"      \
                                                                            " n.ended_by_name, "   \
                                                                            "n.end_reason"
#define NA_FROM                                                   \
  " FROM non_associations n JOIN people pa ON pa.id = n.person_a" \
  " JOIN people pb ON pb.id = n.person_b"

static const ij_stmt STMT_NA_GET = {
    "na_get", "SELECT " NA_COLUMNS NA_FROM " WHERE n.id = $1 AND n.area = $2", 2};
static const ij_stmt STMT_NA_OF_PERSON = {
    "na_of_person",
    "SELECT " NA_COLUMNS NA_FROM " WHERE (n.person_a = $1 OR n.person_b = $1) AND n.area = $2"
    " ORDER BY n.ended_at IS NOT NULL, n.created_at, n.id",
    2};

static ij_err to_list(PGresult *res, ij_non_association_list *out) {
  out->items = ij_db_items(res, sizeof *out->items, &out->count);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_non_association *n = &out->items[i];
    int c = 0;
    ij_str_copy(n->id, sizeof n->id, PQgetvalue(res, i, c++));
    for (int side = 0; side < 2; side++) {
      ij_str_copy(n->people[side].person_id, IJ_UUID_BUF, PQgetvalue(res, i, c++));
      n->people[side].name = ij_db_str(res, i, c++);
      n->people[side].referral_id = ij_db_str(res, i, c++);
    }
    n->reason = ij_db_str(res, i, c++);
    n->notes = ij_db_str(res, i, c++);
    n->created_at = ij_db_i64(res, i, c++);
    n->created_by_sub = ij_db_str(res, i, c++);
    n->created_by_name = ij_db_str(res, i, c++);
    n->ended_at = ij_db_i64(res, i, c++);
    n->ended_by_sub = ij_db_str(res, i, c++);
    n->ended_by_name = ij_db_str(res, i, c++);
    n->end_reason = ij_db_str(res, i, c++);
  }
  out->owner_ = res;
  return IJ_OK;
}

/* The list a statement of (id, area) reads: exactly one row (ij_db_one) or any number. */
static ij_err read_list(ij_conn *conn, const ij_stmt *stmt, bool one, const char *id,
                        const char *area, ij_non_association_list *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = one ? ij_db_one(conn, stmt, p, &res) : ij_db_exec(conn, stmt, p, &res);
  return err == IJ_OK ? to_list(res, out) : err;
}

ij_err ij_store_non_association_get(ij_conn *conn, const char *area, const char *id,
                                    ij_non_association_list *out) {
  return read_list(conn, &STMT_NA_GET, true, id, area, out);
}

ij_err ij_store_non_associations_of_person(ij_conn *conn, const char *area, const char *person_id,
                                           ij_non_association_list *out) {
  return read_list(conn, &STMT_NA_OF_PERSON, false, person_id, area, out);
}

/* Ends one in force; the row (and who recorded it) stays. Nothing returned: it had ended, or it
 * is not the area's (the second statement tells which). */
static const ij_stmt STMT_NA_END = {
    "na_end",
    "UPDATE non_associations SET ended_at = $3, ended_by_sub = $4, ended_by_name = $5,"
    " end_reason = $6 WHERE id = $1 AND area = $2 AND ended_at IS NULL RETURNING id",
    6};
static const ij_stmt STMT_NA_EXISTS = {
    "na_exists", "SELECT 1 FROM non_associations WHERE id = $1 AND area = $2", 2};

ij_err ij_store_non_association_end(ij_conn *conn, const char *area, const char *id, ij_time_us at,
                                    const char *actor_sub, const char *actor_name,
                                    const char *reason, ij_field_errors *errs) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[6] = {id, area, when, actor_sub, actor_name, reason};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_NA_END, p, &res);
  if (err != IJ_OK)
    return err;
  bool ended = PQntuples(res) == 1;
  PQclear(res);
  if (ended)
    return IJ_OK;
  err = ij_db_one(conn, &STMT_NA_EXISTS, p, &res);
  if (err != IJ_OK)
    return err;
  PQclear(res);
  ij_field_errors_add(errs, "id", "the non-association has ended already");
  return IJ_ERR_CONFLICT;
}

/* The session's row lock: the one a booking's place is taken under (bookings.c). */
static const ij_stmt STMT_SESSION_LOCK = {
    "na_session_lock", "SELECT 1 FROM sessions WHERE id = $1 AND area = $2 FOR UPDATE", 2};
/* Someone holding a place on the session (as bookings_one_per_session counts places) with a
 * non-association in force with the person. */
static const ij_stmt STMT_SESSION_APART = {
    "na_session_apart",
    "SELECT EXISTS (SELECT 1 FROM bookings b JOIN non_associations n ON n.ended_at IS NULL"
    " AND ((n.person_a = $3::uuid AND n.person_b = b.person_id)"
    " OR (n.person_b = $3::uuid AND n.person_a = b.person_id))"
    " WHERE b.session_id = $1 AND b.area = $2 AND b.status NOT IN ('cancelled', 'rescheduled'))",
    3};

ij_err ij_store_session_lock_apart(ij_conn *conn, const char *area, const char *session_id,
                                   const char *person_id, bool *non_associated) {
  *non_associated = false;
  const char *p[3] = {session_id, area, person_id};
  PGresult *res;
  /* a statement of its own: under READ COMMITTED the next statement's snapshot is taken after
   * the lock is granted, so it sees every booking committed by those that held it before */
  ij_err err = ij_db_one(conn, &STMT_SESSION_LOCK, p, &res);
  if (err != IJ_OK)
    return err;
  PQclear(res);
  err = ij_db_one(conn, &STMT_SESSION_APART, p, &res);
  if (err != IJ_OK)
    return err;
  *non_associated = ij_db_bool(res, 0, 0);
  PQclear(res);
  return IJ_OK;
}
