/* The quarterly return's figures: the summary's and the reoffending figures' own database
 * functions (migrations 010, 012 and 014: ij_stats_figures, ij_stats_reoffending), called for one
 * quarter, so that every definition (a referral of the period, started, within target, completed,
 * non-compliant, the hours, a check that counts) is the summary's. The age split is the summary's
 * age filter: age on the offence date, between the bounds. */
#include <stdio.h>
#include <string.h>

#include "ij/store/stats_quarterly.h"
#include "db.h"

/* $1 area (NULL: national), $2/$3 the period [from, to) as timestamps, $4 ward, $5 offence
 * category, $6/$7 age band, $8 placement type: NULL when not used. */
static const ij_stmt STMT_QUARTER_FIGURES = {
    "stats_quarter_figures",
    "SELECT referrals, started, started_within_target, completed, non_compliant,"
    " minutes_credited, credited_referrals FROM ij_stats_figures($1, $2::timestamptz,"
    " $3::timestamptz, $4, $5, $6::int, $7::int, $8)",
    8};

/* The same, counting the referrals of an age band only. */
static const ij_stmt STMT_QUARTER_AGES = {
    "stats_quarter_ages",
    "SELECT referrals FROM ij_stats_figures($1, $2::timestamptz, $3::timestamptz, $4, $5, $6::int,"
    " $7::int, $8)",
    8};

/* Checks of exits in [$2, $3] (dates); $9 today. */
static const ij_stmt STMT_QUARTER_REOFFENDING = {
    "stats_quarter_reoffending",
    "SELECT * FROM ij_stats_reoffending($1, $2::date, $3::date, $4, $5, $6::int, $7::int, $8,"
    " $9::date)",
    9};

#define AGE_MAX "200" /* the summary's oldest age band ends there */

static ij_err read_figures(PGresult *res, ij_stats_quarter *out) {
  if (PQntuples(res) != 1)
    return IJ_ERR_INTERNAL;
  int c = 0;
  out->referrals = ij_db_i64(res, 0, c++);
  out->started = ij_db_i64(res, 0, c++);
  out->started_within_target = ij_db_i64(res, 0, c++);
  out->completed = ij_db_i64(res, 0, c++);
  out->non_compliant = ij_db_i64(res, 0, c++);
  out->minutes_credited = ij_db_i64(res, 0, c++);
  out->credited_referrals = ij_db_i64(res, 0, c++);
  return IJ_OK;
}

static void read_reoffending(PGresult *res, ij_stats_quarter *out) {
  for (int i = 0; i < PQntuples(res); i++) {
    int months = (int)ij_db_i64(res, i, 0);
    const char *exit = PQgetvalue(res, i, 1);
    for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++) {
      ij_stats_window *win = &out->reoffending[w];
      if (win->months != months)
        continue;
      ij_stats_cohort *c = strcmp(exit, "completed") == 0 ? &win->completers : &win->non_completers;
      c->cohort = ij_db_i64(res, i, 2);
      c->reoffended = ij_db_i64(res, i, 3);
      c->pending = ij_db_i64(res, i, 4);
    }
  }
}

ij_err ij_store_stats_quarter(ij_conn *conn, const ij_stats_filter *f, ij_date start, ij_date end,
                              ij_stats_quarter *out) {
  memset(out, 0, sizeof *out);
  if (!ij_stats_filter_scoped(f))
    return IJ_ERR_INTERNAL;
  out->start = start;
  out->end = end;
  for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++)
    out->reoffending[w].months = ij_followup_windows[w];
  /* [start 00:00, the day after end 00:00) in UTC, as the summary's period */
  char from_ts[IJ_TIME_BUF], to_ts[IJ_TIME_BUF], from[IJ_DATE_BUF], to[IJ_DATE_BUF],
      today[IJ_DATE_BUF], timeout[24], adult[16], under[16];
  ij_time_format((ij_time_us)start * IJ_US_PER_DAY, from_ts);
  ij_time_format((ij_time_us)(end + 1) * IJ_US_PER_DAY, to_ts);
  ij_date_format(start, from);
  ij_date_format(end, to);
  ij_date_format(f->today, today);
  snprintf(timeout, sizeof timeout, "%d", f->timeout_ms > 0 ? f->timeout_ms : 0);
  snprintf(adult, sizeof adult, "%d", IJ_ADULT_AGE);
  snprintf(under, sizeof under, "%d", IJ_ADULT_AGE - 1);
  const char *p_all[8] = {f->area, from_ts,          to_ts, f->ward, f->offence_category, NULL,
                          NULL,    f->placement_type};
  const char *p_under[8] = {f->area, from_ts,          to_ts, f->ward, f->offence_category, "0",
                            under,   f->placement_type};
  const char *p_adults[8] = {f->area, from_ts,          to_ts, f->ward, f->offence_category, adult,
                             AGE_MAX, f->placement_type};
  const char *p_reoffending[9] = {
      f->area, from, to, f->ward, f->offence_category, NULL, NULL, f->placement_type, today};
  const char *p_scope[2] = {timeout, f->national ? "national" : "area"};
  PGresult *figures = NULL, *under_18 = NULL, *adults = NULL, *reoffending = NULL;
  const ij_db_step steps[] = {{&IJ_STMT_STATS_SCOPE, p_scope, NULL},
                              {&STMT_QUARTER_FIGURES, p_all, &figures},
                              {&STMT_QUARTER_AGES, p_under, &under_18},
                              {&STMT_QUARTER_AGES, p_adults, &adults},
                              {&STMT_QUARTER_REOFFENDING, p_reoffending, &reoffending}};
  ij_err err = ij_db_batch(conn, steps, 5);
  if (err == IJ_OK)
    err = read_figures(figures, out);
  if (err == IJ_OK && (PQntuples(under_18) != 1 || PQntuples(adults) != 1))
    err = IJ_ERR_INTERNAL;
  if (err == IJ_OK) {
    out->under_18 = ij_db_i64(under_18, 0, 0);
    out->adults = ij_db_i64(adults, 0, 0);
    read_reoffending(reoffending, out);
  }
  PQclear(figures);
  PQclear(under_18);
  PQclear(adults);
  PQclear(reoffending);
  return err;
}
