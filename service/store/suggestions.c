/* Booking suggestions: the sessions a person could be booked on, in one statement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/suggestions.h"
#include "ij/str.h"
#include "db.h"

/* The sessions_area_starts index reads the window in start order; the people kept apart from the
 * person are a handful (non_associations_active_pair, non_associations_person_b), each looked up
 * on a session's places by bookings_session; the overlap test reads the person's own places
 * through the bookings_no_overlap constraint's index. A place is held by a booking that is not
 * cancelled or rescheduled, as bookings_one_per_session and bookings_no_overlap count places. */
static const ij_stmt STMT_SUGGESTIONS = {
    "session_suggestions",
    "WITH apart AS (SELECT CASE WHEN n.person_a = $2::uuid THEN n.person_b ELSE n.person_a END"
    " AS person_id FROM non_associations n WHERE n.ended_at IS NULL"
    " AND (n.person_a = $2::uuid OR n.person_b = $2::uuid))"
    " SELECT s.id, ij_us(s.starts_at), ij_us(s.ends_at), s.cancelled, s.capacity, s.booked,"
    " p.min_age, p.id, p.name, p.type, p.ward, s.supervisor_sub, s.supervisor_name"
    " FROM sessions s JOIN placements p ON p.id = s.placement_id"
    " WHERE s.area = $1 AND s.starts_at > $4::timestamptz AND s.starts_at < $5::timestamptz"
    " AND NOT s.cancelled AND s.booked < s.capacity"
    " AND (p.min_age <= $6::integer OR (p.min_age <= $7::integer"
    "      AND s.starts_at >= $8::timestamptz))"
    " AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.person_id = $2::uuid"
    "      AND b.status NOT IN ('cancelled', 'rescheduled')"
    "      AND tstzrange(b.starts_at, b.ends_at) && tstzrange(s.starts_at, s.ends_at))"
    " AND NOT EXISTS (SELECT 1 FROM bookings b JOIN apart a ON a.person_id = b.person_id"
    "      WHERE b.session_id = s.id AND b.status NOT IN ('cancelled', 'rescheduled'))"
    " ORDER BY s.starts_at, p.ward = $3 DESC, s.id LIMIT $9",
    9};

ij_err ij_store_session_suggestions(ij_conn *conn, const char *area, const char *person_id,
                                    const char *ward, const ij_suggest_window *w, int limit,
                                    ij_suggested_sessions *out) {
  memset(out, 0, sizeof *out);
  char after[IJ_TIME_BUF], before[IJ_TIME_BUF], later_from[IJ_TIME_BUF], age_now[16], age_later[16],
      lim[16];
  ij_time_format(w->after, after);
  ij_time_format(w->before, before);
  ij_time_format(w->age_later_from, later_from);
  snprintf(age_now, sizeof age_now, "%d", w->age_now);
  snprintf(age_later, sizeof age_later, "%d", w->age_later);
  snprintf(lim, sizeof lim, "%d", limit);
  const char *p[9] = {area, person_id, ward, after, before, age_now, age_later, later_from, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_SUGGESTIONS, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_items(res, sizeof *out->items, &out->count);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_suggested_session *s = &out->items[i];
    int c = 0;
    ij_str_copy(s->id, sizeof s->id, PQgetvalue(res, i, c++));
    s->starts_at = ij_db_i64(res, i, c++);
    s->ends_at = ij_db_i64(res, i, c++);
    s->cancelled = ij_db_bool(res, i, c++);
    s->capacity = (int)ij_db_i64(res, i, c++);
    s->booked = (int)ij_db_i64(res, i, c++);
    s->min_age = (int)ij_db_i64(res, i, c++);
    ij_str_copy(s->placement_id, sizeof s->placement_id, PQgetvalue(res, i, c++));
    s->placement_name = ij_db_str(res, i, c++);
    s->placement_type = ij_db_str(res, i, c++);
    s->ward = ij_db_str(res, i, c++);
    s->supervisor_sub = ij_db_str(res, i, c++);
    s->supervisor_name = ij_db_str(res, i, c++);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_suggested_sessions_clear(ij_suggested_sessions *list) {
  if (!list)
    return;
  free(list->items);
  if (list->owner_)
    PQclear(list->owner_);
  memset(list, 0, sizeof *list);
}
