/* Commissioners' statistics: raw counts, sums and a median over an area's referrals, bookings
 * and reoffending checks, by aggregate queries with FILTER. The area and the period come first
 * in every WHERE clause (the referrals_area_created and followup_checks_area_due indexes); the
 * other filters are bound parameters that are NULL when not used. Suppression is the domain's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* The filters shared by every statement: $4 ward, $5 offence category, $6/$7 age band on the
 * offence date (kept on the referral, so that it outlives the erased date of birth), $8 placement
 * type (a booking, not cancelled or rescheduled, on such a placement).
 */
#define STATS_FILTERS                                                                        \
  " AND ($4::text IS NULL OR r.ward = $4)"                                                   \
  " AND ($5::text IS NULL OR r.offence_category = $5)"                                       \
  " AND ($6::int IS NULL OR r.age_at_offence BETWEEN $6::int AND $7::int)"                   \
  " AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM bookings b JOIN sessions s ON s.id ="     \
  "      b.session_id JOIN placements p ON p.id = s.placement_id WHERE b.referral_id = r.id" \
  "      AND p.type = $8 AND b.status NOT IN ('cancelled', 'rescheduled')))"

/* The referrals of the summary: made in [$2, $3) in area $1, filtered. */
#define STATS_SCOPE                                                                        \
  "WITH r AS (SELECT r.id, r.state, r.created_at, r.first_attended_at, r.target_start_by," \
  " r.completed_at, r.exited_at, r.rereferral_of, r.minutes_credited, r.hours_confirmed"   \
  " FROM referrals r"                                                                      \
  " WHERE r.area = $1 AND r.created_at >= $2::timestamptz AND r.created_at < "             \
  "$3::timestamptz" STATS_FILTERS ")"

/* Accepted or beyond: every state after acceptance, and withdrawals after it (hours confirmed).
 * Bookings are read per referral (LATERAL, the bookings_referral index): a join lets the planner,
 * which cannot estimate the area's share under row-level security, scan every booking. */
static const ij_stmt STMT_STATS_FIGURES = {
    "stats_figures",
    STATS_SCOPE
    " SELECT f.*, bk.attended, bk.counted FROM (SELECT count(*),"
    " count(*) FILTER (WHERE r.state IN ('accepted', 'scheduled', 'in_progress', 'completed',"
    "   'non_compliant', 'closed') OR (r.state = 'withdrawn' AND r.hours_confirmed IS NOT NULL)),"
    " count(*) FILTER (WHERE r.state = 'rejected'),"
    " count(r.first_attended_at),"
    " count(*) FILTER (WHERE r.first_attended_at <= r.target_start_by),"
    " count(r.completed_at),"
    " count(*) FILTER (WHERE r.exited_at IS NOT NULL AND r.completed_at IS NULL),"
    " count(r.rereferral_of),"
    " coalesce(sum(r.minutes_credited), 0),"
    " count(*) FILTER (WHERE r.minutes_credited > 0),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_attended_at -"
    "   r.created_at) / 3600)"
    " FROM r) f, (SELECT coalesce(sum(x.attended), 0) AS attended,"
    " coalesce(sum(x.counted), 0) AS counted FROM r CROSS JOIN LATERAL (SELECT"
    " count(*) FILTER (WHERE b.status = ANY ($9::text[])) AS attended,"
    " count(*) FILTER (WHERE b.status = ANY ($10::text[])) AS counted"
    " FROM bookings b WHERE b.referral_id = r.id) x) bk",
    10};

/* Every month of the period, with the referrals made in it and how many of those completed. */
static const ij_stmt STMT_STATS_MONTHLY = {
    "stats_monthly",
    STATS_SCOPE
    ", m AS (SELECT generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE"
    " 'UTC'), ($3::timestamptz AT TIME ZONE 'UTC') - interval '1 day', interval '1 month')"
    " AS month)"
    " SELECT m.month::date - DATE '1970-01-01', count(r.id), count(r.completed_at)"
    " FROM m LEFT JOIN r ON date_trunc('month', r.created_at AT TIME ZONE 'UTC') = m.month"
    " GROUP BY m.month ORDER BY m.month",
    8};

static const ij_stmt STMT_STATS_HOURS = {
    "stats_hours_by_type",
    STATS_SCOPE " SELECT t.type, sum(t.minutes), count(DISTINCT t.referral_id)"
                " FROM (SELECT b.referral_id, b.minutes_credited AS minutes,"
                " (SELECT p.type FROM sessions s JOIN placements p ON p.id = s.placement_id"
                "  WHERE s.id = b.session_id) AS type"
                " FROM r CROSS JOIN LATERAL (SELECT b.referral_id, b.session_id, b.minutes_credited"
                " FROM bookings b WHERE b.referral_id = r.id AND b.minutes_credited > 0) b) t"
                " GROUP BY t.type",
    8};

static const char *const k_types[IJ_STATS_TYPES] = {
#define IJ_STATS_TYPE(name) name,
    IJ_PLACEMENT_TYPE_LIST(IJ_STATS_TYPE)
#undef IJ_STATS_TYPE
};

/* The text parameters every statement shares. */
typedef struct {
  char from[IJ_TIME_BUF], to[IJ_TIME_BUF], age_min[16], age_max[16];
  const char *p[10];
} stats_params;

static void params_of(const ij_stats_filter *f, stats_params *sp) {
  /* [from 00:00, the day after `to` 00:00) in UTC */
  ij_time_format((ij_time_us)f->from * IJ_US_PER_DAY, sp->from);
  ij_time_format((ij_time_us)(f->to + 1) * IJ_US_PER_DAY, sp->to);
  snprintf(sp->age_min, sizeof sp->age_min, "%d", f->age_min);
  snprintf(sp->age_max, sizeof sp->age_max, "%d", f->age_max);
  bool age = f->age_max > 0;
  const char *p[10] = {f->area,
                       sp->from,
                       sp->to,
                       f->ward,
                       f->offence_category,
                       age ? sp->age_min : NULL,
                       age ? sp->age_max : NULL,
                       f->placement_type,
                       NULL,
                       NULL};
  memcpy(sp->p, p, sizeof p);
}

/* '{a,b}' of the outcomes for which `pick` holds. */
static void outcome_array(bool (*pick)(ij_outcome), char *buf, size_t size) {
  size_t used = (size_t)snprintf(buf, size, "{");
  for (int o = 0; o < IJ_OUTCOME__COUNT && used < size; o++)
    if (pick((ij_outcome)o))
      used += (size_t)snprintf(buf + used, size - used, "%s%s", used > 1 ? "," : "",
                               ij_outcome_name((ij_outcome)o));
  if (used < size)
    snprintf(buf + used, size - used, "}");
}

void ij_stats_summary_clear(ij_stats_summary *s) {
  if (!s)
    return;
  free(s->months);
  memset(s, 0, sizeof *s);
}

static ij_err read_figures(ij_conn *conn, stats_params *sp, ij_stats_summary *out) {
  char attended[256], counted[256];
  outcome_array(ij_outcome_attended, attended, sizeof attended);
  outcome_array(ij_stats_attendance_counted, counted, sizeof counted);
  sp->p[8] = attended;
  sp->p[9] = counted;
  PGresult *res = NULL;
  ij_err err = ij_db_exec_custom_plan(conn, &STMT_STATS_FIGURES, sp->p, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_INTERNAL;
  }
  int c = 0;
  out->referrals = ij_db_i64(res, 0, c++);
  out->accepted = ij_db_i64(res, 0, c++);
  out->rejected = ij_db_i64(res, 0, c++);
  out->started = ij_db_i64(res, 0, c++);
  out->started_within_target = ij_db_i64(res, 0, c++);
  out->completed = ij_db_i64(res, 0, c++);
  out->non_compliant = ij_db_i64(res, 0, c++);
  out->rereferrals = ij_db_i64(res, 0, c++);
  out->minutes_credited = ij_db_i64(res, 0, c++);
  out->credited_referrals = ij_db_i64(res, 0, c++);
  const char *median = ij_db_str(res, 0, c++);
  out->has_median = median != NULL;
  out->median_hours_to_first_session = median ? strtod(median, NULL) : 0.0;
  out->bookings_attended = ij_db_i64(res, 0, c++);
  out->bookings_counted = ij_db_i64(res, 0, c++);
  PQclear(res);
  return IJ_OK;
}

static ij_err read_monthly(ij_conn *conn, const stats_params *sp, ij_stats_summary *out) {
  PGresult *res = NULL;
  ij_err err = ij_db_exec_custom_plan(conn, &STMT_STATS_MONTHLY, sp->p, &res);
  if (err != IJ_OK)
    return err;
  int n = PQntuples(res);
  out->months = calloc((size_t)n + 1, sizeof *out->months);
  if (!out->months) {
    PQclear(res);
    return IJ_ERR_NOMEM;
  }
  for (int i = 0; i < n; i++) {
    out->months[i].month = (ij_date)ij_db_i64(res, i, 0);
    out->months[i].referrals = ij_db_i64(res, i, 1);
    out->months[i].completed = ij_db_i64(res, i, 2);
  }
  out->nmonths = n;
  PQclear(res);
  return IJ_OK;
}

static ij_err read_hours(ij_conn *conn, const stats_params *sp, ij_stats_summary *out) {
  for (int t = 0; t < IJ_STATS_TYPES; t++)
    out->hours_by_type[t].placement_type = k_types[t];
  PGresult *res = NULL;
  ij_err err = ij_db_exec_custom_plan(conn, &STMT_STATS_HOURS, sp->p, &res);
  if (err != IJ_OK)
    return err;
  for (int i = 0; i < PQntuples(res); i++)
    for (int t = 0; t < IJ_STATS_TYPES; t++)
      if (strcmp(PQgetvalue(res, i, 0), k_types[t]) == 0) {
        out->hours_by_type[t].minutes = ij_db_i64(res, i, 1);
        out->hours_by_type[t].referrals = ij_db_i64(res, i, 2);
      }
  PQclear(res);
  return IJ_OK;
}

ij_err ij_store_stats_summary(ij_conn *conn, const ij_stats_filter *f, ij_stats_summary *out) {
  memset(out, 0, sizeof *out);
  stats_params sp;
  params_of(f, &sp);
  /* one snapshot for the statements, so that the series add up to the figures */
  ij_err err = ij_store_begin_snapshot(conn);
  if (err != IJ_OK)
    return err;
  if ((err = read_figures(conn, &sp, out)) != IJ_OK ||
      (err = read_monthly(conn, &sp, out)) != IJ_OK || (err = read_hours(conn, &sp, out)) != IJ_OK)
    goto done;
  err = ij_store_commit(conn);
done:
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    ij_stats_summary_clear(out);
  }
  return err;
}

/* Checks of exits in [$2, $3] (dates); the due dates bound first, for the area's due-date index:
 * an exit in the period falls due between $2 + 3 months and $3 + 12 months. */
static const ij_stmt STMT_STATS_REOFFENDING = {
    "stats_reoffending",
    "SELECT f.window_months, f.exit_state,"
    " count(*) FILTER (WHERE f.due_on <= $9::date AND f.recorded_at IS NOT NULL),"
    " count(*) FILTER (WHERE f.due_on <= $9::date AND f.recorded_at IS NOT NULL AND f.reoffended),"
    " count(*) FILTER (WHERE f.due_on > $9::date OR f.recorded_at IS NULL)"
    " FROM followup_checks f JOIN referrals r ON r.id = f.referral_id"
    " WHERE f.area = $1 AND f.due_on >= $2::date + interval '3 months'"
    " AND f.due_on <= $3::date + interval '12 months'"
    " AND f.exited_on BETWEEN $2::date AND $3::date" STATS_FILTERS
    " GROUP BY f.window_months, f.exit_state",
    9};

ij_err ij_store_stats_reoffending(ij_conn *conn, const ij_stats_filter *f,
                                  ij_stats_window out[IJ_FOLLOWUP_WINDOW_COUNT]) {
  memset(out, 0, sizeof *out * IJ_FOLLOWUP_WINDOW_COUNT);
  for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++)
    out[w].months = ij_followup_windows[w];
  stats_params sp;
  params_of(f, &sp);
  char from[IJ_DATE_BUF], to[IJ_DATE_BUF], today[IJ_DATE_BUF];
  ij_date_format(f->from, from);
  ij_date_format(f->to, to);
  ij_date_format(f->today, today);
  sp.p[1] = from;
  sp.p[2] = to;
  sp.p[8] = today;
  PGresult *res = NULL;
  ij_err err = ij_db_exec_custom_plan(conn, &STMT_STATS_REOFFENDING, sp.p, &res);
  if (err != IJ_OK)
    return err;
  for (int i = 0; i < PQntuples(res); i++) {
    int months = (int)ij_db_i64(res, i, 0);
    const char *exit = PQgetvalue(res, i, 1);
    for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++) {
      if (out[w].months != months)
        continue;
      ij_stats_cohort *c =
          strcmp(exit, "completed") == 0 ? &out[w].completers : &out[w].non_completers;
      c->cohort = ij_db_i64(res, i, 2);
      c->reoffended = ij_db_i64(res, i, 3);
      c->pending = ij_db_i64(res, i, 4);
    }
  }
  PQclear(res);
  return IJ_OK;
}
