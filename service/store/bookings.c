/* Bookings and attendance: places on sessions, outcomes and their history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/bookings.h"
#include "ij/store/placements.h"
#include "ij/str.h"
#include "db.h"

/* A booking holds its place on a session unless cancelled or rescheduled (the predicate of the
 * bookings_one_per_session constraint). */
static const ij_stmt STMT_SESSION_FACTS = {
    "session_facts",
    "SELECT ij_us(s.starts_at), ij_us(s.ends_at), s.cancelled, s.capacity, s.booked, p.min_age,"
    " s.supervisor_sub, EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = s.id"
    " AND b.referral_id = $3::uuid AND b.status NOT IN ('cancelled', 'rescheduled'))"
    " FROM sessions s JOIN placements p ON p.id = s.placement_id"
    " WHERE s.id = $1 AND s.area = $2",
    3};

ij_err ij_store_session_facts(ij_conn *conn, const char *area, const char *session_id,
                              const char *referral_id, ij_session_facts *out, char *supervisor_sub,
                              size_t sub_size) {
  memset(out, 0, sizeof *out);
  const char *p[3] = {session_id, area, referral_id};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_SESSION_FACTS, p, &res);
  if (err != IJ_OK)
    return err;
  out->starts_at = ij_db_i64(res, 0, 0);
  out->ends_at = ij_db_i64(res, 0, 1);
  out->cancelled = ij_db_bool(res, 0, 2);
  out->capacity = (int)ij_db_i64(res, 0, 3);
  out->booked = (int)ij_db_i64(res, 0, 4);
  out->min_age = (int)ij_db_i64(res, 0, 5);
  out->referral_booked = ij_db_bool(res, 0, 7);
  if (supervisor_sub && sub_size)
    ij_str_copy(supervisor_sub, sub_size, PQgetvalue(res, 0, 6));
  PQclear(res);
  return IJ_OK;
}

/* Takes a place: the row lock on the session serialises concurrent bookings, and the condition
 * keeps `booked` within capacity. */
static const ij_stmt STMT_TAKE_PLACE = {
    "session_take_place",
    "UPDATE sessions SET booked = booked + 1 WHERE id = $1 AND area = $2 AND NOT cancelled"
    " AND booked < capacity RETURNING starts_at, ends_at",
    2};

static const ij_stmt STMT_BOOKING_INSERT = {
    "booking_insert",
    "INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at,"
    " created_at, updated_at, walk_in, late_entry_reason) SELECT $1, $2, $3, s.id, $4,"
    " s.starts_at, s.ends_at, $5, $5, $7, $8 FROM sessions s WHERE s.id = $6 AND s.area = $2",
    8};

ij_err ij_store_booking_insert(ij_conn *conn, const char *area, const char *booking_id,
                               const char *referral_id, const char *person_id,
                               const char *session_id, bool walk_in, const char *late_entry_reason,
                               ij_time_us at, ij_field_errors *errs) {
  const char *p[2] = {session_id, area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_TAKE_PLACE, p, &res);
  if (err != IJ_OK)
    return err;
  bool taken = PQntuples(res) == 1;
  PQclear(res);
  if (!taken) {
    ij_field_errors_add(errs, "session_id", "the session is full or cancelled");
    return IJ_ERR_CONFLICT;
  }
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *q[8] = {
      booking_id,       area, referral_id, person_id, when, session_id, walk_in ? "true" : "false",
      late_entry_reason};
  err = ij_db_run(conn, &STMT_BOOKING_INSERT, q);
  if (err != IJ_OK && strcmp(conn->sqlstate, "23P01") == 0) {
    if (strcmp(conn->constraint, "bookings_one_per_session") == 0)
      ij_field_errors_add(errs, "session_id", "the referral is booked on this session already");
    else
      ij_field_errors_add(errs, "session_id",
                          "the person is booked on another session at an overlapping time");
    return IJ_ERR_CONFLICT;
  }
  return err;
}

#define BOOKING_COLUMNS                                                                     \
  "b.id, b.referral_id, b.session_id, s.placement_id, pl.name, pe.name, s.supervisor_sub,"  \
  " ij_us(b.starts_at), ij_us(b.ends_at), b.status, b.absence_reason, b.penalty_minutes,"   \
  " b.minutes_credited, b.behaviour, b.work_quality, b.notes, b.rescheduled_to, b.version," \
  " ij_us(b.created_at), ij_us(b.updated_at), b.walk_in, b.late_entry_reason,"              \
  " ij_us(b.signed_in_at), ij_us(b.started_at), ij_us(b.finished_at)"
#define BOOKING_FROM                                        \
  " FROM bookings b JOIN sessions s ON s.id = b.session_id" \
  " JOIN placements pl ON pl.id = s.placement_id JOIN people pe ON pe.id = b.person_id"

static const ij_stmt STMT_BOOKING_GET = {
    "booking_get", "SELECT " BOOKING_COLUMNS BOOKING_FROM " WHERE b.id = $1 AND b.area = $2", 2};
static const ij_stmt STMT_BOOKING_LOCK = {
    "booking_lock",
    "SELECT " BOOKING_COLUMNS BOOKING_FROM " WHERE b.id = $1 AND b.area = $2 FOR UPDATE OF b", 2};
static const ij_stmt STMT_BOOKINGS_OF_REFERRAL = {
    "bookings_of_referral",
    "SELECT " BOOKING_COLUMNS BOOKING_FROM
    " WHERE b.referral_id = $1 AND b.area = $2 ORDER BY b.starts_at, b.id",
    2};

static ij_err to_list(PGresult *res, ij_booking_list *out) {
  out->items = ij_db_items(res, sizeof *out->items, &out->count);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_booking *b = &out->items[i];
    int c = 0;
    ij_str_copy(b->id, sizeof b->id, PQgetvalue(res, i, c++));
    ij_str_copy(b->referral_id, sizeof b->referral_id, PQgetvalue(res, i, c++));
    ij_str_copy(b->session_id, sizeof b->session_id, PQgetvalue(res, i, c++));
    ij_str_copy(b->placement_id, sizeof b->placement_id, PQgetvalue(res, i, c++));
    b->placement_name = ij_db_str(res, i, c++);
    b->person_name = ij_db_str(res, i, c++);
    b->supervisor_sub = ij_db_str(res, i, c++);
    b->starts_at = ij_db_i64(res, i, c++);
    b->ends_at = ij_db_i64(res, i, c++);
    b->status = ij_db_str(res, i, c++);
    b->absence_reason = ij_db_str(res, i, c++);
    b->penalty_minutes = (int)ij_db_i64(res, i, c++);
    b->minutes_credited = (int)ij_db_i64(res, i, c++);
    b->behaviour = ij_db_str(res, i, c++);
    b->work_quality = ij_db_str(res, i, c++);
    b->notes = ij_db_str(res, i, c++);
    b->rescheduled_to = ij_db_str(res, i, c++);
    b->version = (int)ij_db_i64(res, i, c++);
    b->created_at = ij_db_i64(res, i, c++);
    b->updated_at = ij_db_i64(res, i, c++);
    b->walk_in = ij_db_bool(res, i, c++);
    b->late_entry_reason = ij_db_str(res, i, c++);
    b->signed_in_at = ij_db_i64(res, i, c++);
    b->started_at = ij_db_i64(res, i, c++);
    b->finished_at = ij_db_i64(res, i, c++);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_booking_list_clear(ij_booking_list *list) {
  if (!list)
    return;
  free(list->items);
  if (list->owner_)
    PQclear(list->owner_);
  memset(list, 0, sizeof *list);
}

ij_err ij_store_booking_get(ij_conn *conn, const char *area, const char *id, bool lock,
                            ij_booking_list *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = ij_db_one(conn, lock ? &STMT_BOOKING_LOCK : &STMT_BOOKING_GET, p, &res);
  if (err != IJ_OK)
    return err;
  return to_list(res, out);
}

ij_err ij_store_bookings_of_referral(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_booking_list *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {referral_id, area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_BOOKINGS_OF_REFERRAL, p, &res);
  if (err != IJ_OK)
    return err;
  return to_list(res, out);
}

static const ij_stmt STMT_BOOKING_OUTCOMES = {
    "booking_outcomes",
    "SELECT seq, status, minutes_credited, amendment_reason, actor_sub, actor_name, actor_role,"
    " ij_us(at) FROM booking_outcomes WHERE booking_id = $1 AND area = $2 ORDER BY seq",
    2};

ij_err ij_store_booking_outcomes(ij_conn *conn, const char *area, const char *booking_id,
                                 ij_rows *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {booking_id, area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_BOOKING_OUTCOMES, p, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

ij_err ij_store_booking_with_outcomes(ij_conn *conn, const char *area, const char *id,
                                      ij_booking_list *booking, ij_rows *outcomes) {
  memset(booking, 0, sizeof *booking);
  memset(outcomes, 0, sizeof *outcomes);
  const char *p[2] = {id, area};
  PGresult *b = NULL, *o = NULL;
  /* one round trip, and one snapshot: the history agrees with the booking */
  ij_db_step steps[2] = {{&STMT_BOOKING_GET, p, &b}, {&STMT_BOOKING_OUTCOMES, p, &o}};
  ij_err err = ij_db_batch(conn, steps, 2);
  if (err != IJ_OK)
    return err == IJ_ERR_INVALID ? IJ_ERR_NOT_FOUND : err; /* not a booking id */
  if (PQntuples(b) != 1) {
    PQclear(b);
    PQclear(o);
    return IJ_ERR_NOT_FOUND;
  }
  err = to_list(b, booking);
  if (err == IJ_OK)
    err = ij_db_rows(o, outcomes);
  else
    PQclear(o);
  if (err != IJ_OK)
    ij_booking_list_clear(booking);
  return err;
}

/* The booking's new outcome and its history row in one statement; the times worked are kept unless
 * $18 and $19 give new ones. Two statements, one of which also frees the booking's place in its
 * session: as one, with the freeing under a parameter, a plan made without the values looked
 * dearer than one made for them, and the statement was planned again for most outcomes. */
#define BOOKING_RECORD                                                                          \
  "WITH b AS (UPDATE bookings SET status = $4, absence_reason = $5, penalty_minutes = $6,"      \
  " minutes_credited = $7, behaviour = $8, work_quality = $9, notes = $10,"                     \
  " rescheduled_to = coalesce($11::uuid, rescheduled_to), version = version + 1,"               \
  " started_at = coalesce($18::timestamptz, started_at),"                                       \
  " finished_at = coalesce($19::timestamptz, finished_at),"                                     \
  " updated_at = $12 WHERE id = $1 AND area = $2 AND version = $3"                              \
  " RETURNING id, area, session_id),"                                                           \
  " h AS (INSERT INTO booking_outcomes (booking_id, seq, area, status, absence_reason,"         \
  " penalty_minutes, minutes_credited, behaviour, work_quality, notes, amendment_reason,"       \
  " actor_sub, actor_name, actor_role, request_id, at)"                                         \
  " SELECT b.id, coalesce((SELECT max(seq) FROM booking_outcomes o WHERE o.booking_id = b.id)," \
  " 0) + 1, b.area, $4, $5, $6, $7, $8, $9, $10, $13, $14, $15, $16, $17, $12 FROM b)"
static const ij_stmt STMT_BOOKING_RECORD = {"booking_record",
                                            BOOKING_RECORD " SELECT count(*) FROM b", 19};
static const ij_stmt STMT_BOOKING_RECORD_FREE = {"booking_record_free",
                                                 BOOKING_RECORD
                                                 ", s AS (UPDATE sessions SET booked = booked - 1"
                                                 " WHERE id = (SELECT session_id FROM b))"
                                                 " SELECT count(*) FROM b",
                                                 19};

ij_err ij_store_booking_record(ij_conn *conn, const char *area, const char *booking_id,
                               int expected_version, const ij_booking_outcome_record *rec,
                               bool free_place, const ij_audit *audit) {
  char version[16], penalty[16], minutes[16], at[IJ_TIME_BUF], started[IJ_TIME_BUF],
      finished[IJ_TIME_BUF];
  snprintf(version, sizeof version, "%d", expected_version);
  if (rec->started_at)
    ij_time_format(rec->started_at, started);
  if (rec->finished_at)
    ij_time_format(rec->finished_at, finished);
  snprintf(penalty, sizeof penalty, "%d", rec->penalty_minutes);
  snprintf(minutes, sizeof minutes, "%d", rec->minutes_credited);
  ij_time_format(audit->at, at);
  const char *p[19] = {booking_id,
                       area,
                       version,
                       rec->status,
                       rec->absence_reason,
                       penalty,
                       minutes,
                       rec->behaviour,
                       rec->work_quality,
                       rec->notes,
                       rec->rescheduled_to,
                       at,
                       rec->amendment_reason,
                       audit->actor_sub,
                       audit->actor_name,
                       audit->actor_role,
                       audit->request_id,
                       rec->started_at ? started : NULL,
                       rec->finished_at ? finished : NULL};
  PGresult *res;
  ij_err err =
      ij_db_exec(conn, free_place ? &STMT_BOOKING_RECORD_FREE : &STMT_BOOKING_RECORD, p, &res);
  if (err != IJ_OK)
    return err;
  bool updated = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
  PQclear(res);
  return updated ? IJ_OK : IJ_ERR_STALE;
}

static const ij_stmt STMT_BOOKING_SIGN_IN = {
    "booking_sign_in",
    "UPDATE bookings SET signed_in_at = $4, version = version + 1, updated_at = $4"
    " WHERE id = $1 AND area = $2 AND version = $3 AND signed_in_at IS NULL AND status = 'booked'",
    4};

ij_err ij_store_booking_sign_in(ij_conn *conn, const char *area, const char *booking_id,
                                int expected_version, ij_time_us at) {
  char version[16], when[IJ_TIME_BUF];
  snprintf(version, sizeof version, "%d", expected_version);
  ij_time_format(at, when);
  const char *p[4] = {booking_id, area, version, when};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_BOOKING_SIGN_IN, p, &res);
  if (err != IJ_OK)
    return err;
  bool updated = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  return updated ? IJ_OK : IJ_ERR_STALE;
}

static const ij_stmt STMT_BOOKINGS_CANCEL_OPEN = {
    "bookings_cancel_open",
    "WITH c AS (UPDATE bookings SET status = 'cancelled', version = version + 1, updated_at = $3"
    " WHERE referral_id = $1 AND area = $2 AND status = 'booked' RETURNING session_id),"
    " s AS (UPDATE sessions SET booked = booked - x.n FROM (SELECT session_id, count(*) AS n"
    " FROM c GROUP BY session_id) x WHERE sessions.id = x.session_id),"
    " r AS (UPDATE referrals SET active_bookings = active_bookings - (SELECT count(*) FROM c)"
    " WHERE id = $1 AND area = $2)"
    " SELECT count(*) FROM c",
    3};

ij_err ij_store_bookings_cancel_open(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_time_us at, int *cancelled) {
  *cancelled = 0;
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[3] = {referral_id, area, when};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_BOOKINGS_CANCEL_OPEN, p, &res);
  if (err != IJ_OK)
    return err;
  *cancelled = atoi(PQgetvalue(res, 0, 0));
  PQclear(res);
  return IJ_OK;
}
