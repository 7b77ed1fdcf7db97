/* The national commissioner's comparison of areas, read on one snapshot, with the domain's rules
 * of what counts; and an area's name for the statistics' answers. */
#include <string.h>

#include "ops_internal.h"

/* The attendance rate's parts, as ij_ops_stats_summary counts them. */
static void count_attendance(ij_stats_summary *s) {
  s->bookings_attended = s->bookings_counted = 0;
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    if (ij_outcome_attended((ij_outcome)o))
      s->bookings_attended += s->bookings_by_outcome[o];
    if (ij_stats_attendance_counted((ij_outcome)o))
      s->bookings_counted += s->bookings_by_outcome[o];
  }
}

/* Adds an area's counts to the totals. */
static void add_area(ij_stats_summary *t, const ij_stats_summary *s) {
  t->referrals += s->referrals;
  t->accepted += s->accepted;
  t->rejected += s->rejected;
  t->started += s->started;
  t->started_within_target += s->started_within_target;
  t->completed += s->completed;
  t->non_compliant += s->non_compliant;
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++)
    t->bookings_by_outcome[o] += s->bookings_by_outcome[o];
}

ij_err ij_ops_stats_areas(ij_conn *conn, const ij_stats_filter *f, ij_stats_area **rows, int *n,
                          ij_stats_summary *totals) {
  memset(totals, 0, sizeof *totals);
  *rows = NULL;
  *n = 0;
  ij_err err = ij_store_begin_snapshot(conn);
  if (err == IJ_OK)
    err = ij_store_stats_areas(conn, f, rows, n);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    ij_stats_areas_free(*rows);
    *rows = NULL;
    *n = 0;
    return err;
  }
  for (int i = 0; i < *n; i++) {
    count_attendance(&(*rows)[i].figures);
    add_area(totals, &(*rows)[i].figures);
  }
  count_attendance(totals);
  return IJ_OK;
}

ij_err ij_ops_area_name(ij_conn *conn, const char *area, char *out, size_t size) {
  ij_err err = ij_store_area_name(conn, area, out, size);
  if (err == IJ_ERR_NOT_FOUND && size > 0) {
    out[0] = 0; /* a token's area the service does not know: its figures are zeros, unnamed */
    return IJ_OK;
  }
  return err;
}
