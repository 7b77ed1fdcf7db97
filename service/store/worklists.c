/* The coordinators' work lists: what awaits triage, what is overdue, a day's sessions with who is
 * booked, and the bookings that need an outcome. Read-only; keyset pages on (instant, id). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/worklists.h"
#include "ij/str.h"
#include "db.h"

/* The fields of a referral summary, selected as one record (ij_db_record, as the referrals' own
 * reads are), in the order parse_summary reads them. */
#define SUMMARY_FIELDS 20
#define SUMMARY_COLUMNS                                                          \
  "ROW(r.id, r.state, r.version, p.name, p.date_of_birth - DATE '1970-01-01',"   \
  " r.offence_date - DATE '1970-01-01', r.offence_category, r.ward, r.disposal," \
  " r.hours_proposed, r.hours_confirmed, r.officer_sub, r.officer_name, r.area," \
  " ij_us(r.target_start_by), ij_us(r.first_attended_at), ij_us(r.created_at),"  \
  " ij_us(r.updated_at), r.minutes_credited, p.erased_at IS NOT NULL)"

static void parse_summary(const char *const *f, ij_referral *r) {
  int c = 0;
  memset(r, 0, sizeof *r);
  ij_str_copy(r->id, sizeof r->id, ij_db_field_text(f[c++]));
  if (ij_state_parse(f[c++], &r->state) != IJ_OK)
    r->state = IJ_STATE_SUBMITTED; /* the table's CHECK makes this unreachable */
  r->version = (int)ij_db_field_i64(f[c++]);
  r->person_name = f[c++];
  r->date_of_birth = (ij_date)ij_db_field_i64(f[c++]);
  r->offence_date = (ij_date)ij_db_field_i64(f[c++]);
  r->offence_category = f[c++];
  r->ward = f[c++];
  r->disposal = f[c++];
  r->hours_proposed = (int)ij_db_field_i64(f[c++]);
  r->hours_confirmed = (int)ij_db_field_i64(f[c++]);
  r->officer_sub = f[c++];
  r->officer_name = f[c++];
  r->area = f[c++];
  r->target_start_by = ij_db_field_i64(f[c++]);
  r->first_attended_at = ij_db_field_i64(f[c++]);
  r->created_at = ij_db_field_i64(f[c++]);
  r->updated_at = ij_db_field_i64(f[c++]);
  r->minutes_credited = ij_db_field_i64(f[c++]);
  r->person_erased = ij_db_field_bool(f[c++]);
}

/* The keyset parameters of a cursor (may be NULL): NULL, NULL when there is none. */
static void cursor_of(const ij_worklist_cursor *after, ij_db_keyset *out) {
  ij_db_keyset_of(after && after->has, after ? after->at : 0, after ? after->id : NULL, out);
}

/* Turns a result of summary rows into a page (takes the result). */
static ij_err summary_page(PGresult *res, int limit, ij_referral_page *out) {
  out->items = ij_db_page_items(res, limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  const char **f;
  char *block = ij_db_record_rows(res, out->count, SUMMARY_FIELDS, &f);
  PQclear(res);
  if (!block) {
    free(out->items);
    memset(out, 0, sizeof *out);
    return IJ_ERR_INTERNAL;
  }
  for (int i = 0; i < out->count; i++)
    parse_summary(f + (size_t)i * SUMMARY_FIELDS, &out->items[i]);
  free(f);
  out->owner_ = block;
  return IJ_OK;
}

/* ---- triage ---- */

static const ij_stmt STMT_WORKLIST_TRIAGE = {
    "worklist_triage",
    "SELECT " SUMMARY_COLUMNS " FROM referrals r JOIN people p ON p.id = r.person_id"
    " WHERE r.area = $1 AND r.state = 'submitted'"
    " AND ($2::timestamptz IS NULL OR (r.created_at, r.id) > ($2::timestamptz, $3::uuid))"
    " ORDER BY r.created_at, r.id LIMIT $4",
    4};

ij_err ij_store_worklist_triage(ij_conn *conn, const char *area, const ij_worklist_cursor *after,
                                int limit, ij_referral_page *out) {
  memset(out, 0, sizeof *out);
  ij_db_keyset cp;
  cursor_of(after, &cp);
  char lim[16];
  ij_db_page_limit(limit, lim);
  const char *p[4] = {area, cp.at_param, cp.id_param, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_WORKLIST_TRIAGE, p, &res);
  if (err != IJ_OK)
    return err;
  return summary_page(res, limit, out);
}

/* ---- overdue ---- */

static const ij_stmt STMT_WORKLIST_OVERDUE = {
    "worklist_overdue",
    "SELECT " SUMMARY_COLUMNS " FROM referrals r JOIN people p ON p.id = r.person_id"
    " WHERE r.area = $1 AND r.first_attended_at IS NULL AND r.state = ANY ($2::text[])"
    " AND r.target_start_by < $3::timestamptz"
    " AND ($4::timestamptz IS NULL OR (r.target_start_by, r.id) > ($4::timestamptz, $5::uuid))"
    " ORDER BY r.target_start_by, r.id LIMIT $6",
    6};

ij_err ij_store_worklist_overdue(ij_conn *conn, const char *area, unsigned clock_states,
                                 ij_time_us now, const ij_worklist_cursor *after, int limit,
                                 ij_referral_page *out) {
  memset(out, 0, sizeof *out);
  ij_db_keyset cp;
  cursor_of(after, &cp);
  char states[256], at[IJ_TIME_BUF], lim[16];
  ij_db_state_array(clock_states, states, sizeof states);
  ij_time_format(now, at);
  ij_db_page_limit(limit, lim);
  const char *p[6] = {area, states, at, cp.at_param, cp.id_param, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_WORKLIST_OVERDUE, p, &res);
  if (err != IJ_OK)
    return err;
  return summary_page(res, limit, out);
}

/* ---- a day's sessions ---- */

/* One row per (session, booking), sessions in page order; a session without bookings has one row
 * with NULL booking columns. The page is limited in the CTE, so that its bookings all come. */
static const ij_stmt STMT_WORKLIST_SESSIONS = {
    "worklist_sessions",
    "WITH s AS (SELECT s.id, s.starts_at, s.ends_at, s.capacity, s.booked, s.supervisor_sub,"
    " s.supervisor_name, p.id AS placement_id, p.name AS placement_name,"
    " p.type AS placement_type, p.ward, p.location"
    " FROM sessions s JOIN placements p ON p.id = s.placement_id"
    " WHERE s.area = $1 AND NOT s.cancelled"
    " AND s.starts_at >= $2::timestamptz AND s.starts_at < $3::timestamptz"
    " AND ($4::timestamptz IS NULL OR (s.starts_at, s.id) > ($4::timestamptz, $5::uuid))"
    " ORDER BY s.starts_at, s.id LIMIT $6)"
    " SELECT s.id, ij_us(s.starts_at), ij_us(s.ends_at), s.capacity, s.booked, s.supervisor_sub,"
    " s.supervisor_name, s.placement_id, s.placement_name, s.placement_type, s.ward, s.location,"
    " b.id, b.referral_id, pe.name, b.status"
    " FROM s LEFT JOIN bookings b ON b.session_id = s.id"
    "   AND b.status NOT IN ('cancelled', 'rescheduled')"
    " LEFT JOIN people pe ON pe.id = b.person_id"
    " ORDER BY s.starts_at, s.id, pe.name, b.id",
    6};

/* What a session page owns: the result and one array of every session's bookings. */
typedef struct {
  PGresult *res;
  ij_worklist_booking *bookings;
} session_page_owner;

ij_err ij_store_worklist_sessions(ij_conn *conn, const char *area, ij_time_us from, ij_time_us to,
                                  const ij_worklist_cursor *after, int limit,
                                  ij_worklist_session_page *out) {
  memset(out, 0, sizeof *out);
  ij_db_keyset cp;
  cursor_of(after, &cp);
  char from_s[IJ_TIME_BUF], to_s[IJ_TIME_BUF], lim[16];
  ij_time_format(from, from_s);
  ij_time_format(to, to_s);
  ij_db_page_limit(limit, lim);
  const char *p[6] = {area, from_s, to_s, cp.at_param, cp.id_param, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_WORKLIST_SESSIONS, p, &res);
  if (err != IJ_OK)
    return err;
  int rows = PQntuples(res);
  /* at most one session and one booking per row */
  session_page_owner *owner = calloc(1, sizeof *owner);
  out->items = calloc((size_t)rows + 1, sizeof *out->items);
  ij_worklist_booking *bookings = calloc((size_t)rows + 1, sizeof *bookings);
  if (!owner || !out->items || !bookings) {
    free(owner);
    free(out->items);
    free(bookings);
    out->items = NULL;
    PQclear(res);
    return IJ_ERR_NOMEM;
  }
  owner->res = res;
  owner->bookings = bookings;
  int sessions = 0, nb = 0;
  for (int i = 0; i < rows; i++) {
    const char *id = PQgetvalue(res, i, 0);
    if (sessions == 0 || strcmp(out->items[sessions - 1].id, id) != 0) {
      if (sessions == limit) {
        out->more = true; /* the extra session the query fetched: not part of this page */
        break;
      }
      ij_worklist_session *s = &out->items[sessions++];
      s->id = id;
      s->starts_at = ij_db_i64(res, i, 1);
      s->ends_at = ij_db_i64(res, i, 2);
      s->capacity = (int)ij_db_i64(res, i, 3);
      s->booked = (int)ij_db_i64(res, i, 4);
      s->supervisor_sub = ij_db_str(res, i, 5);
      s->supervisor_name = ij_db_str(res, i, 6);
      s->placement_id = ij_db_str(res, i, 7);
      s->placement_name = ij_db_str(res, i, 8);
      s->placement_type = ij_db_str(res, i, 9);
      s->ward = ij_db_str(res, i, 10);
      s->location = ij_db_str(res, i, 11);
      s->bookings = &bookings[nb];
    }
    if (PQgetisnull(res, i, 12))
      continue;
    ij_worklist_booking *b = &bookings[nb++];
    b->id = ij_db_str(res, i, 12);
    b->referral_id = ij_db_str(res, i, 13);
    b->person_name = ij_db_str(res, i, 14);
    b->status = ij_db_str(res, i, 15);
    out->items[sessions - 1].nbookings++;
  }
  out->count = sessions;
  out->owner_ = owner;
  return IJ_OK;
}

void ij_worklist_session_page_clear(ij_worklist_session_page *page) {
  if (!page)
    return;
  session_page_owner *owner = page->owner_;
  if (owner) {
    PQclear(owner->res);
    free(owner->bookings);
    free(owner);
  }
  free(page->items);
  memset(page, 0, sizeof *page);
}

/* ---- outcomes due ---- */

static const ij_stmt STMT_WORKLIST_OUTCOMES_DUE = {
    "worklist_outcomes_due",
    "SELECT b.id, b.version, b.referral_id, pe.name, s.id, ij_us(b.starts_at), ij_us(b.ends_at),"
    " p.id, p.name, s.supervisor_sub, s.supervisor_name"
    " FROM bookings b JOIN sessions s ON s.id = b.session_id"
    " JOIN placements p ON p.id = s.placement_id JOIN people pe ON pe.id = b.person_id"
    " WHERE b.area = $1 AND b.status = 'booked' AND b.ends_at < $2::timestamptz"
    " AND ($3::timestamptz IS NULL OR (b.ends_at, b.id) > ($3::timestamptz, $4::uuid))"
    " ORDER BY b.ends_at, b.id LIMIT $5",
    5};

ij_err ij_store_worklist_outcomes_due(ij_conn *conn, const char *area, ij_time_us now,
                                      const ij_worklist_cursor *after, int limit,
                                      ij_outcome_due_page *out) {
  memset(out, 0, sizeof *out);
  ij_db_keyset cp;
  cursor_of(after, &cp);
  char at[IJ_TIME_BUF], lim[16];
  ij_time_format(now, at);
  ij_db_page_limit(limit, lim);
  const char *p[5] = {area, at, cp.at_param, cp.id_param, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_WORKLIST_OUTCOMES_DUE, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_page_items(res, limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_outcome_due *d = &out->items[i];
    d->id = ij_db_str(res, i, 0);
    d->version = (int)ij_db_i64(res, i, 1);
    d->referral_id = ij_db_str(res, i, 2);
    d->person_name = ij_db_str(res, i, 3);
    d->session_id = ij_db_str(res, i, 4);
    d->starts_at = ij_db_i64(res, i, 5);
    d->ends_at = ij_db_i64(res, i, 6);
    d->placement_id = ij_db_str(res, i, 7);
    d->placement_name = ij_db_str(res, i, 8);
    d->supervisor_sub = ij_db_str(res, i, 9);
    d->supervisor_name = ij_db_str(res, i, 10);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_outcome_due_page_clear(ij_outcome_due_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}
