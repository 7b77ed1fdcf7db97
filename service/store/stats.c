/* Commissioners' statistics: counts, sums and a median over an area's referrals (or every area's:
 * the national view) and their follow-up checks. The statements are database functions
 * (PL/pgSQL, migrations 010 and 012) that return aggregates only: they read what the figures need
 * of a referral's bookings from the referral itself (kept there by a trigger) through one covering
 * index, and are planned for their arguments. Suppression is the domain's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/stats.h"
#include "db.h"

/* $1 area (NULL: national), $2/$3 the period, $4 ward, $5 offence category, $6/$7 age band, $8
 * placement type: NULL when not used. */
static const ij_stmt STMT_STATS_FIGURES = {
    "stats_figures",
    "SELECT * FROM ij_stats_figures($1, $2::timestamptz, $3::timestamptz, $4, $5, $6::int,"
    " $7::int, $8)",
    8};

static const ij_stmt STMT_STATS_MONTHLY = {
    "stats_monthly",
    "SELECT * FROM ij_stats_monthly($1, $2::timestamptz, $3::timestamptz, $4, $5, $6::int,"
    " $7::int, $8)",
    8};

/* ("status", status, bookings, 0) and ("type", placement type, minutes, referrals) rows. */
static const ij_stmt STMT_STATS_BOOKINGS = {
    "stats_bookings",
    "SELECT * FROM ij_stats_bookings($1, $2::timestamptz, $3::timestamptz, $4, $5, $6::int,"
    " $7::int, $8)",
    8};

/* Sent first in every statistics transaction: $1 a bound on each statement (milliseconds; 0: the
 * role's or database's statement_timeout holds), so that a costly period (the national view over
 * years) gives up rather than holding a connection for minutes (57014, answered 503); $2 the scope,
 * "national" or "area": the statistics functions give every area's figures for a NULL area only
 * when the transaction names the national scope (migration 035). */
const ij_stmt IJ_STMT_STATS_SCOPE = {
    "stats_scope",
    "SELECT CASE WHEN $1::text::int > 0 THEN set_config('statement_timeout', $1::text, true) END,"
    " set_config('ij.stats_scope', $2, true)",
    2};

static const char *const k_types[IJ_STATS_TYPES] = {
#define IJ_STATS_TYPE(name) name,
    IJ_PLACEMENT_TYPE_LIST(IJ_STATS_TYPE)
#undef IJ_STATS_TYPE
};

/* The text parameters every statement shares. */
typedef struct {
  char from[IJ_TIME_BUF], to[IJ_TIME_BUF], age_min[16], age_max[16], timeout_ms[24];
  const char *p[9];
  const char *scope[2];
} stats_params;

/* A filter that names neither an area nor the national view is a caller's mistake: refused, never
 * read as every area. */
bool ij_stats_filter_scoped(const ij_stats_filter *f) {
  return f->national ? f->area == NULL : f->area != NULL && f->area[0] != '\0';
}

static void params_of(const ij_stats_filter *f, stats_params *sp) {
  /* [from 00:00, the day after `to` 00:00) in UTC */
  ij_time_format((ij_time_us)f->from * IJ_US_PER_DAY, sp->from);
  ij_time_format((ij_time_us)(f->to + 1) * IJ_US_PER_DAY, sp->to);
  snprintf(sp->age_min, sizeof sp->age_min, "%d", f->age_min);
  snprintf(sp->age_max, sizeof sp->age_max, "%d", f->age_max);
  snprintf(sp->timeout_ms, sizeof sp->timeout_ms, "%d", f->timeout_ms > 0 ? f->timeout_ms : 0);
  sp->scope[0] = sp->timeout_ms;
  sp->scope[1] = f->national ? "national" : "area";
  bool age = f->age_max > 0;
  const char *p[9] = {f->area,
                      sp->from,
                      sp->to,
                      f->ward,
                      f->offence_category,
                      age ? sp->age_min : NULL,
                      age ? sp->age_max : NULL,
                      f->placement_type,
                      NULL};
  memcpy(sp->p, p, sizeof p);
}

void ij_stats_summary_clear(ij_stats_summary *s) {
  if (!s)
    return;
  free(s->months);
  memset(s, 0, sizeof *s);
}

static ij_err read_figures(PGresult *res, ij_stats_summary *out) {
  if (PQntuples(res) != 1)
    return IJ_ERR_INTERNAL;
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
  return IJ_OK;
}

static ij_err read_monthly(PGresult *res, ij_stats_summary *out) {
  int n = PQntuples(res);
  out->months = calloc((size_t)n + 1, sizeof *out->months);
  if (!out->months)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < n; i++) {
    out->months[i].month = (ij_date)ij_db_i64(res, i, 0);
    out->months[i].referrals = ij_db_i64(res, i, 1);
    out->months[i].completed = ij_db_i64(res, i, 2);
  }
  out->nmonths = n;
  return IJ_OK;
}

/* The bookings by outcome, and the minutes by placement type. */
static void read_bookings(PGresult *res, ij_stats_summary *out) {
  for (int t = 0; t < IJ_STATS_TYPES; t++)
    out->hours_by_type[t].placement_type = k_types[t];
  for (int i = 0; i < PQntuples(res); i++) {
    const char *kind = PQgetvalue(res, i, 0), *key = PQgetvalue(res, i, 1);
    int64_t amount = ij_db_i64(res, i, 2);
    ij_outcome o;
    if (strcmp(kind, "status") == 0 && ij_outcome_parse(key, &o) == IJ_OK) {
      out->bookings_by_outcome[o] += amount;
    } else if (strcmp(kind, "type") == 0) {
      for (int t = 0; t < IJ_STATS_TYPES; t++)
        if (strcmp(key, k_types[t]) == 0) {
          out->hours_by_type[t].minutes = amount;
          out->hours_by_type[t].referrals = ij_db_i64(res, i, 3);
        }
    }
  }
}

ij_err ij_store_stats_summary(ij_conn *conn, const ij_stats_filter *f, ij_stats_summary *out) {
  memset(out, 0, sizeof *out);
  if (!ij_stats_filter_scoped(f))
    return IJ_ERR_INTERNAL;
  stats_params sp;
  params_of(f, &sp);
  /* the three statements in one round trip, in the caller's snapshot */
  PGresult *figures = NULL, *monthly = NULL, *bookings = NULL;
  const ij_db_step steps[] = {{&IJ_STMT_STATS_SCOPE, sp.scope, NULL},
                              {&STMT_STATS_FIGURES, sp.p, &figures},
                              {&STMT_STATS_MONTHLY, sp.p, &monthly},
                              {&STMT_STATS_BOOKINGS, sp.p, &bookings}};
  ij_err err = ij_db_batch(conn, steps, 4);
  if (err == IJ_OK && (err = read_figures(figures, out)) == IJ_OK &&
      (err = read_monthly(monthly, out)) == IJ_OK)
    read_bookings(bookings, out);
  PQclear(figures);
  PQclear(monthly);
  PQclear(bookings);
  if (err != IJ_OK)
    ij_stats_summary_clear(out);
  return err;
}

/* Checks of exits in [$2, $3] (dates); $9 today. */
static const ij_stmt STMT_STATS_REOFFENDING = {
    "stats_reoffending",
    "SELECT * FROM ij_stats_reoffending($1, $2::date, $3::date, $4, $5, $6::int, $7::int, $8,"
    " $9::date)",
    9};

ij_err ij_store_stats_reoffending(ij_conn *conn, const ij_stats_filter *f,
                                  ij_stats_window out[IJ_FOLLOWUP_WINDOW_COUNT]) {
  memset(out, 0, sizeof *out * IJ_FOLLOWUP_WINDOW_COUNT);
  for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++)
    out[w].months = ij_followup_windows[w];
  if (!ij_stats_filter_scoped(f))
    return IJ_ERR_INTERNAL;
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
  const ij_db_step steps[] = {{&IJ_STMT_STATS_SCOPE, sp.scope, NULL},
                              {&STMT_STATS_REOFFENDING, sp.p, &res}};
  ij_err err = ij_db_batch(conn, steps, 2);
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
