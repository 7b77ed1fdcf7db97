/* The national commissioner's comparison of areas: the summary's figures grouped by area (the
 * database functions of migration 024, with the definitions of migration 012's), and an area's
 * name. Aggregates only; suppression is the domain's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/stats_areas.h"
#include "ij/str.h"
#include "db.h"

/* $1/$2 the period, $3 offence category, $4/$5 age band, $6 placement type: NULL when not used. */
static const ij_stmt STMT_STATS_AREAS = {
    "stats_areas",
    "SELECT * FROM ij_stats_areas($1::timestamptz, $2::timestamptz, $3, $4::int, $5::int, $6)", 6};

static const ij_stmt STMT_STATS_AREAS_BOOKINGS = {
    "stats_areas_bookings",
    "SELECT * FROM ij_stats_areas_bookings($1::timestamptz, $2::timestamptz, $3, $4::int,"
    " $5::int, $6)",
    6};

static const ij_stmt STMT_AREA_NAME = {"area_name", "SELECT name FROM areas WHERE code = $1", 1};

void ij_stats_areas_free(ij_stats_area *rows) {
  free(rows);
}

static void copy_text(char *out, size_t size, const char *s) {
  ij_str_copy(out, size, s ? s : "");
}

static ij_err read_areas(PGresult *figures, PGresult *bookings, ij_stats_area **rows, int *n) {
  int count = PQntuples(figures);
  ij_stats_area *a = calloc((size_t)count + 1, sizeof *a);
  if (!a)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < count; i++) {
    copy_text(a[i].code, sizeof a[i].code, ij_db_str(figures, i, 0));
    copy_text(a[i].name, sizeof a[i].name, ij_db_str(figures, i, 1));
    ij_stats_summary *s = &a[i].figures;
    int c = 2;
    s->referrals = ij_db_i64(figures, i, c++);
    s->accepted = ij_db_i64(figures, i, c++);
    s->rejected = ij_db_i64(figures, i, c++);
    s->started = ij_db_i64(figures, i, c++);
    s->started_within_target = ij_db_i64(figures, i, c++);
    s->completed = ij_db_i64(figures, i, c++);
    s->non_compliant = ij_db_i64(figures, i, c++);
  }
  for (int i = 0; i < PQntuples(bookings); i++) {
    const char *area = PQgetvalue(bookings, i, 0);
    ij_outcome o;
    if (ij_outcome_parse(PQgetvalue(bookings, i, 1), &o) != IJ_OK)
      continue;
    for (int k = 0; k < count; k++)
      if (strcmp(a[k].code, area) == 0)
        a[k].figures.bookings_by_outcome[o] += ij_db_i64(bookings, i, 2);
  }
  *rows = a;
  *n = count;
  return IJ_OK;
}

ij_err ij_store_stats_areas(ij_conn *conn, const ij_stats_filter *f, ij_stats_area **rows, int *n) {
  *rows = NULL;
  *n = 0;
  if (!f->national || !ij_stats_filter_scoped(f))
    return IJ_ERR_INTERNAL; /* every area's figures: only for a filter that names the nation */
  /* [from 00:00, the day after `to` 00:00) in UTC, as the summary's */
  char from[IJ_TIME_BUF], to[IJ_TIME_BUF], age_min[16], age_max[16], timeout_ms[24];
  ij_time_format((ij_time_us)f->from * IJ_US_PER_DAY, from);
  ij_time_format((ij_time_us)(f->to + 1) * IJ_US_PER_DAY, to);
  snprintf(age_min, sizeof age_min, "%d", f->age_min);
  snprintf(age_max, sizeof age_max, "%d", f->age_max);
  snprintf(timeout_ms, sizeof timeout_ms, "%d", f->timeout_ms > 0 ? f->timeout_ms : 0);
  bool age = f->age_max > 0;
  const char *p[6] = {
      from, to, f->offence_category, age ? age_min : NULL, age ? age_max : NULL, f->placement_type};
  const char *scope[2] = {timeout_ms, "national"};
  PGresult *figures = NULL, *bookings = NULL;
  const ij_db_step steps[] = {{&IJ_STMT_STATS_SCOPE, scope, NULL},
                              {&STMT_STATS_AREAS, p, &figures},
                              {&STMT_STATS_AREAS_BOOKINGS, p, &bookings}};
  ij_err err = ij_db_batch(conn, steps, 3);
  if (err == IJ_OK)
    err = read_areas(figures, bookings, rows, n);
  PQclear(figures);
  PQclear(bookings);
  return err;
}

ij_err ij_store_area_name(ij_conn *conn, const char *area, char *out, size_t size) {
  const char *params[1] = {area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_AREA_NAME, params, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) == 1)
    copy_text(out, size, ij_db_str(res, 0, 0));
  else
    err = IJ_ERR_NOT_FOUND;
  PQclear(res);
  return err;
}
