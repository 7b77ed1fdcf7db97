/* The session aggregate: a dated slot of a placement, its places, and its cancellation (which
 * cancels the bookings on it and may return referrals to `accepted`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/store/placements.h"
#include "ij/store/referrals.h"
#include "ij/str.h"
#include "db.h"

/* The columns every session read returns (sessions s joined to placements p), in the order
 * parse_session reads them. */
#define SESSION_COLUMNS                                                                        \
  "s.id, s.area, s.placement_id, p.name, p.type, p.ward, p.min_age, ij_us(s.starts_at),"       \
  " ij_us(s.ends_at), s.capacity, s.booked, s.supervisor_sub, s.supervisor_name, s.cancelled," \
  " s.version, ij_us(s.created_at), ij_us(s.updated_at), s.late_entry_reason"

static void parse_session(const PGresult *res, int row, ij_session *s) {
  int c = 0;
  memset(s, 0, sizeof *s);
  ij_str_copy(s->id, sizeof s->id, PQgetvalue(res, row, c++));
  s->area = ij_db_str(res, row, c++);
  ij_str_copy(s->placement_id, sizeof s->placement_id, PQgetvalue(res, row, c++));
  s->placement_name = ij_db_str(res, row, c++);
  s->placement_type = ij_db_str(res, row, c++);
  s->placement_ward = ij_db_str(res, row, c++);
  s->placement_min_age = (int)ij_db_i64(res, row, c++);
  s->starts_at = ij_db_i64(res, row, c++);
  s->ends_at = ij_db_i64(res, row, c++);
  s->capacity = (int)ij_db_i64(res, row, c++);
  s->booked = (int)ij_db_i64(res, row, c++);
  s->supervisor_sub = ij_db_str(res, row, c++);
  s->supervisor_name = ij_db_str(res, row, c++);
  s->cancelled = ij_db_bool(res, row, c++);
  s->version = (int)ij_db_i64(res, row, c++);
  s->created_at = ij_db_i64(res, row, c++);
  s->updated_at = ij_db_i64(res, row, c++);
  s->late_entry_reason = ij_db_str(res, row, c++);
}

void ij_session_clear(ij_session *s) {
  if (!s)
    return;
  free(s->bookings);
  if (s->bookings_owner_)
    PQclear(s->bookings_owner_);
  if (s->owner_)
    PQclear(s->owner_);
  memset(s, 0, sizeof *s);
}

/* The field a failed constraint points at. */
static void field_for_constraint(const ij_conn *conn, ij_field_errors *errs) {
  if (!errs)
    return;
  if (strcmp(conn->constraint, "sessions_capacity") == 0)
    ij_field_errors_add(errs, "capacity", "must not be below the places already held");
  else if (strcmp(conn->constraint, "sessions_capacity_check") == 0)
    ij_field_errors_add(errs, "capacity", "must be a whole number from 1 to 200");
  else if (strcmp(conn->constraint, "sessions_times") == 0)
    ij_field_errors_add(errs, "ends_at", "must be after starts_at and at most 24 hours later");
  else if (strcmp(conn->constraint, "sessions_area_fkey") == 0)
    ij_field_errors_add(errs, "area", "your token's area is not known to the service");
}

/* A failed write: the constraint's field, and places below the bookings held is a conflict with
 * the current state rather than bad input. */
static ij_err constraint_error(ij_conn *conn, ij_err err, ij_field_errors *errs) {
  if (err != IJ_ERR_INVALID)
    return err;
  field_for_constraint(conn, errs);
  return strcmp(conn->constraint, "sessions_capacity") == 0 ? IJ_ERR_CONFLICT : err;
}

/* ---- create ---- */

/* The placement is share-locked while the session is inserted, so that it cannot be deactivated
 * in between; a row comes back only when the placement is in the area. */
static const ij_stmt STMT_SESSION_INSERT = {
    "session_insert",
    "WITH p AS (SELECT id, area, active, supervisor_sub, supervisor_name FROM placements"
    " WHERE id = $1 AND area = $2 FOR SHARE),"
    " i AS (INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity, booked,"
    " supervisor_sub, supervisor_name, cancelled, version, created_at, updated_at,"
    " late_entry_reason)"
    " SELECT $3, p.area, p.id, $4, $5, $6, 0, coalesce($7, p.supervisor_sub),"
    " coalesce($8, p.supervisor_name), false, 1, $9, $9, $10 FROM p WHERE p.active RETURNING id)"
    " SELECT p.active, (SELECT count(*) FROM i) FROM p",
    10};

ij_err ij_store_session_create(ij_conn *conn, const char *area, const char *placement_id,
                               const char *id, const ij_session_times *times, int capacity,
                               const char *supervisor_sub, const char *supervisor_name,
                               const char *late_entry_reason, ij_time_us at, ij_session *out,
                               ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  char starts[IJ_TIME_BUF], ends[IJ_TIME_BUF], cap[16], when[IJ_TIME_BUF];
  ij_time_format(times->starts_at, starts);
  ij_time_format(times->ends_at, ends);
  snprintf(cap, sizeof cap, "%d", capacity);
  ij_time_format(at, when);
  const char *p[10] = {placement_id,
                       area,
                       id,
                       starts,
                       ends,
                       cap,
                       supervisor_sub ? supervisor_sub : NULL,
                       supervisor_sub ? supervisor_name : NULL,
                       when,
                       late_entry_reason};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_SESSION_INSERT, p, &res);
  if (err != IJ_OK) {
    if (err == IJ_ERR_INVALID && !conn->constraint[0])
      return IJ_ERR_NOT_FOUND; /* a data error on the id: no such placement */
    return constraint_error(conn, err, errs);
  }
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_NOT_FOUND;
  }
  bool active = ij_db_bool(res, 0, 0);
  bool inserted = ij_db_i64(res, 0, 1) == 1;
  PQclear(res);
  if (!active) {
    ij_field_errors_add(errs, "placement",
                        "is not active: sessions are only added to an active "
                        "placement");
    return IJ_ERR_CONFLICT;
  }
  if (!inserted)
    return IJ_ERR_INTERNAL;
  return ij_store_session_get(conn, area, id, false, out);
}

/* ---- read ---- */

static const ij_stmt STMT_SESSION_GET = {
    "session_get",
    "SELECT " SESSION_COLUMNS " FROM sessions s JOIN placements p ON p.id = s.placement_id"
    " WHERE s.id = $1 AND s.area = $2",
    2};

static const ij_stmt STMT_SESSION_BOOKINGS = {
    "session_bookings",
    "SELECT b.id, b.referral_id, pe.name, b.status, b.minutes_credited FROM bookings b"
    " JOIN referrals r ON r.id = b.referral_id JOIN people pe ON pe.id = r.person_id"
    " WHERE b.session_id = $1 AND b.area = $2 ORDER BY b.created_at, b.id",
    2};

static ij_err read_bookings(ij_conn *conn, const char *area, ij_session *s) {
  const char *p[2] = {s->id, area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_SESSION_BOOKINGS, p, &res);
  if (err != IJ_OK)
    return err;
  int n = PQntuples(res);
  s->bookings = calloc((size_t)n + 1, sizeof *s->bookings);
  if (!s->bookings) {
    PQclear(res);
    return IJ_ERR_NOMEM;
  }
  for (int i = 0; i < n; i++) {
    ij_session_booking *b = &s->bookings[i];
    ij_str_copy(b->id, sizeof b->id, PQgetvalue(res, i, 0));
    ij_str_copy(b->referral_id, sizeof b->referral_id, PQgetvalue(res, i, 1));
    b->person_name = ij_db_str(res, i, 2);
    b->status = ij_db_str(res, i, 3);
    b->minutes_credited = (int)ij_db_i64(res, i, 4);
  }
  s->nbookings = n;
  s->bookings_owner_ = res;
  return IJ_OK;
}

ij_err ij_store_session_get(ij_conn *conn, const char *area, const char *id, bool with_bookings,
                            ij_session *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_SESSION_GET, p, &res);
  if (err != IJ_OK)
    return err;
  parse_session(res, 0, out);
  out->owner_ = res;
  if (with_bookings) {
    err = read_bookings(conn, area, out);
    if (err != IJ_OK) {
      ij_session_clear(out);
      return err;
    }
  }
  return IJ_OK;
}

/* ---- list ---- */

static const ij_stmt STMT_SESSION_LIST = {
    "session_list",
    "SELECT " SESSION_COLUMNS " FROM sessions s JOIN placements p ON p.id = s.placement_id"
    " WHERE s.area = $1"
    " AND ($2::uuid IS NULL OR s.placement_id = $2)"
    " AND ($3::text IS NULL OR p.ward = $3)"
    " AND ($4::text IS NULL OR p.type = $4)"
    " AND ($5::text IS NULL OR s.supervisor_sub = $5)"
    " AND ($6::text IS NULL OR s.supervisor_sub = $6)"
    " AND ($7::timestamptz IS NULL OR s.starts_at >= $7)"
    " AND ($8::timestamptz IS NULL OR s.starts_at < $8)"
    " AND ($9::timestamptz IS NULL OR (s.starts_at, s.id) > ($9, $10::uuid))"
    " ORDER BY s.starts_at, s.id LIMIT $11",
    11};

ij_err ij_store_session_list(ij_conn *conn, const ij_session_filter *f, ij_session_page *out) {
  memset(out, 0, sizeof *out);
  char from[IJ_TIME_BUF], to[IJ_TIME_BUF], limit[16];
  ij_time_format(f->from, from);
  ij_time_format(f->to, to);
  ij_db_keyset cursor;
  ij_db_keyset_of(f->has_cursor, f->cursor_starts_at, f->cursor_id, &cursor);
  ij_db_page_limit(f->limit, limit);
  const char *p[11] = {f->area,
                       f->placement_id,
                       f->ward,
                       f->type,
                       f->supervisor_sub,
                       f->scope_sub,
                       f->has_from ? from : NULL,
                       f->has_to ? to : NULL,
                       cursor.at_param,
                       cursor.id_param,
                       limit};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_SESSION_LIST, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_page_items(res, f->limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++)
    parse_session(res, i, &out->items[i]);
  out->owner_ = res;
  return IJ_OK;
}

void ij_session_page_clear(ij_session_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}

/* ---- update ---- */

static const ij_stmt STMT_SESSION_UPDATE = {
    "session_update",
    "WITH u AS (UPDATE sessions SET capacity = coalesce($4::integer, capacity),"
    " supervisor_sub = coalesce($5, supervisor_sub),"
    " supervisor_name = coalesce($6, supervisor_name), version = version + 1, updated_at = $7,"
    " starts_at = coalesce($8::timestamptz, starts_at),"
    " ends_at = coalesce($9::timestamptz, ends_at)"
    " WHERE id = $1 AND area = $2 AND version = $3 AND NOT cancelled RETURNING *),"
    /* a move carries the new times to the session's bookings (their copies keep a person's
     * bookings from overlapping) */
    " b AS (UPDATE bookings SET starts_at = u.starts_at, ends_at = u.ends_at, updated_at = $7"
    " FROM u WHERE $8::timestamptz IS NOT NULL AND bookings.session_id = u.id"
    " AND bookings.area = u.area)"
    " SELECT " SESSION_COLUMNS " FROM u s JOIN placements p ON p.id = s.placement_id",
    9};

static const ij_stmt STMT_SESSION_STATE = {
    "session_state", "SELECT version, cancelled FROM sessions WHERE id = $1 AND area = $2", 2};

/* Why a versioned write touched no row: not in the area, another version, or cancelled. */
static ij_err why_not_updated(ij_conn *conn, const char *area, const char *id, int expected_version,
                              ij_field_errors *errs) {
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_SESSION_STATE, p, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) != 1)
    err = IJ_ERR_NOT_FOUND;
  else if (ij_db_i64(res, 0, 0) != expected_version)
    err = IJ_ERR_STALE;
  else if (ij_db_bool(res, 0, 1)) {
    ij_field_errors_add(errs, "cancelled", "the session is cancelled and can no longer change");
    err = IJ_ERR_CONFLICT;
  } else
    err = IJ_ERR_INTERNAL;
  PQclear(res);
  return err;
}

static ij_err update_open(ij_conn *conn, const char *area, const char *id, int expected_version,
                          const ij_session_input *in, const ij_session_times *move, ij_time_us at,
                          ij_session *out, ij_field_errors *errs) {
  char version[16], cap[16], when[IJ_TIME_BUF], starts[IJ_TIME_BUF], ends[IJ_TIME_BUF];
  if (move) {
    ij_time_format(move->starts_at, starts);
    ij_time_format(move->ends_at, ends);
  }
  snprintf(version, sizeof version, "%d", expected_version);
  snprintf(cap, sizeof cap, "%d", in->capacity);
  ij_time_format(at, when);
  const char *p[9] = {id,
                      area,
                      version,
                      in->has_capacity ? cap : NULL,
                      in->has_supervisor ? in->supervisor_sub : NULL,
                      in->has_supervisor ? in->supervisor_name : NULL,
                      when,
                      move ? starts : NULL,
                      move ? ends : NULL};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_SESSION_UPDATE, p, &res);
  if (err == IJ_ERR_CONFLICT && strcmp(conn->constraint, "bookings_no_overlap") == 0) {
    ij_field_errors_add(errs, "starts_at",
                        "would overlap another session of a person booked on this one");
    return err;
  }
  if (err != IJ_OK)
    return constraint_error(conn, err, errs);
  if (PQntuples(res) != 1) {
    PQclear(res);
    return why_not_updated(conn, area, id, expected_version, errs);
  }
  parse_session(res, 0, out);
  out->owner_ = res;
  return IJ_OK;
}

/* Cancellation. The lock order of the bookings code is referral, session, booking: the referrals
 * holding open bookings on the session are locked first (waiting), then the session (waiting).
 * A booking that arrived in between committed before the session lock was granted (it takes a
 * place on the session first), so its booking row and its referral are then locked without
 * waiting: holding the session, waiting for anything else could close a cycle. When one of them
 * is busy the attempt is rolled back and made again. */
static const ij_stmt STMT_CANCEL_REFERRALS = {
    "session_cancel_referrals",
    "SELECT DISTINCT referral_id FROM bookings"
    " WHERE session_id = $1 AND area = $2 AND status = 'booked' ORDER BY referral_id",
    2};

static const ij_stmt STMT_CANCEL_LOCK_REFERRALS = {
    "session_cancel_lock_referrals",
    "SELECT id FROM referrals WHERE id = ANY ($1::uuid[]) AND area = $2 ORDER BY id FOR UPDATE", 2};

static const ij_stmt STMT_CANCEL_LOCK_SESSION = {
    "session_cancel_lock_session",
    "SELECT version, cancelled FROM sessions WHERE id = $1 AND area = $2 FOR UPDATE", 2};

static const ij_stmt STMT_CANCEL_LOCK_BOOKINGS = {
    "session_cancel_lock_bookings",
    "SELECT DISTINCT referral_id FROM (SELECT referral_id FROM bookings WHERE session_id = $1"
    " AND area = $2 AND status = 'booked' FOR UPDATE NOWAIT) b ORDER BY referral_id",
    2};

static const ij_stmt STMT_CANCEL_LOCK_LATE_REFERRALS = {
    "session_cancel_lock_late_referrals",
    "SELECT id FROM referrals WHERE id = ANY ($1::uuid[]) AND area = $2 FOR UPDATE NOWAIT", 2};

/* Cancels the open bookings, counts them off their referrals and the session's places, and
 * cancels the session (with any other change sent); returns the referrals whose bookings were
 * cancelled. */
static const ij_stmt STMT_CANCEL_APPLY = {
    "session_cancel_apply",
    "WITH c AS (UPDATE bookings SET status = 'cancelled', version = version + 1, updated_at = $3"
    " WHERE session_id = $1 AND area = $2 AND status = 'booked' RETURNING referral_id),"
    " n AS (SELECT referral_id, count(*) AS k FROM c GROUP BY referral_id),"
    " r AS (UPDATE referrals x SET active_bookings = x.active_bookings - n.k, updated_at = $3"
    " FROM n WHERE x.id = n.referral_id AND x.area = $2 RETURNING x.id),"
    " s AS (UPDATE sessions SET cancelled = true, booked = booked - (SELECT count(*) FROM c),"
    " capacity = coalesce($4::integer, capacity), supervisor_sub = coalesce($5, supervisor_sub),"
    " supervisor_name = coalesce($6, supervisor_name), version = version + 1, updated_at = $3"
    " WHERE id = $1 AND area = $2 RETURNING id)"
    " SELECT r.id FROM r, s ORDER BY r.id",
    6};

/* '{id,id,...}' from the first column (owned: free()). */
static char *uuid_array(const PGresult *res) {
  int n = PQntuples(res);
  size_t size = 3 + (size_t)n * IJ_UUID_BUF;
  char *out = malloc(size);
  if (!out)
    return NULL;
  size_t used = 0;
  out[used++] = '{';
  for (int i = 0; i < n; i++)
    used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "", PQgetvalue(res, i, 0));
  snprintf(out + used, size - used, "}");
  return out;
}

ij_err ij_store_session_cancel_lock(ij_conn *conn, const char *area, const char *id,
                                    int expected_version, bool *busy, ij_field_errors *errs) {
  *busy = false;
  const char *key[2] = {id, area};
  PGresult *referrals = NULL, *locked = NULL, *bookings = NULL, *res = NULL;
  char *ids = NULL;
  /* 1. the referrals holding open bookings, locked in id order */
  ij_err err = ij_db_exec(conn, &STMT_CANCEL_REFERRALS, key, &referrals);
  if (err != IJ_OK)
    goto done;
  ids = uuid_array(referrals);
  if (!ids) {
    err = IJ_ERR_NOMEM;
    goto done;
  }
  const char *lock_params[2] = {ids, area};
  err = ij_db_exec(conn, &STMT_CANCEL_LOCK_REFERRALS, lock_params, &locked);
  if (err != IJ_OK)
    goto done;
  /* 2. the session */
  err = ij_db_exec(conn, &STMT_CANCEL_LOCK_SESSION, key, &res);
  if (err != IJ_OK)
    goto done;
  if (PQntuples(res) != 1) {
    err = IJ_ERR_NOT_FOUND;
    goto done;
  }
  if (ij_db_i64(res, 0, 0) != expected_version) {
    err = IJ_ERR_STALE;
    goto done;
  }
  if (ij_db_bool(res, 0, 1)) {
    ij_field_errors_add(errs, "cancelled", "the session is cancelled already");
    err = IJ_ERR_CONFLICT;
    goto done;
  }
  /* 3. its open bookings, and the referrals of any booked since step 1, without waiting */
  err = ij_db_exec(conn, &STMT_CANCEL_LOCK_BOOKINGS, key, &bookings);
  if (err == IJ_OK) {
    free(ids);
    ids = uuid_array(bookings);
    const char *late_params[2] = {ids, area};
    PGresult *late = NULL;
    err =
        ids ? ij_db_exec(conn, &STMT_CANCEL_LOCK_LATE_REFERRALS, late_params, &late) : IJ_ERR_NOMEM;
    if (late)
      PQclear(late);
  }
  if (err != IJ_OK && strcmp(conn->sqlstate, "55P03") == 0) {
    *busy = true;
    err = IJ_ERR_CONFLICT;
  }
done:
  if (referrals)
    PQclear(referrals);
  if (locked)
    PQclear(locked);
  if (bookings)
    PQclear(bookings);
  if (res)
    PQclear(res);
  free(ids);
  return err;
}

ij_err ij_store_session_cancel_apply(ij_conn *conn, const char *area, const char *id,
                                     const ij_session_input *changes, ij_time_us at,
                                     ij_rows *referral_ids, ij_field_errors *errs) {
  memset(referral_ids, 0, sizeof *referral_ids);
  char cap[16], when[IJ_TIME_BUF];
  snprintf(cap, sizeof cap, "%d", changes->capacity);
  ij_time_format(at, when);
  const char *p[6] = {id,
                      area,
                      when,
                      changes->has_capacity ? cap : NULL,
                      changes->has_supervisor ? changes->supervisor_sub : NULL,
                      changes->has_supervisor ? changes->supervisor_name : NULL};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_CANCEL_APPLY, p, &res);
  if (err != IJ_OK)
    return constraint_error(conn, err, errs);
  return ij_db_rows(res, referral_ids);
}

ij_err ij_store_session_update(ij_conn *conn, const char *area, const char *id,
                               int expected_version, const ij_session_input *changes,
                               const ij_session_times *move, ij_time_us at, ij_session *out,
                               ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  return update_open(conn, area, id, expected_version, changes, move, at, out, errs);
}
