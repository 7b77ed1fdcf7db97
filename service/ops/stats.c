/* The commissioners' figures: read on one snapshot, with the domain's rules of what counts. */
#include <string.h>

#include "ops_internal.h"

ij_err ij_ops_stats_summary(ij_conn *conn, const ij_stats_filter *f, ij_stats_summary *out) {
  memset(out, 0, sizeof *out);
  ij_err err = ij_store_begin_snapshot(conn);
  if (err == IJ_OK)
    err = ij_store_stats_summary(conn, f, out);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    ij_stats_summary_clear(out);
    return err;
  }
  /* which bookings count as attended, and which count at all, is the domain's */
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    if (ij_outcome_attended((ij_outcome)o))
      out->bookings_attended += out->bookings_by_outcome[o];
    if (ij_stats_attendance_counted((ij_outcome)o))
      out->bookings_counted += out->bookings_by_outcome[o];
  }
  return IJ_OK;
}

ij_err ij_ops_stats_reoffending(ij_conn *conn, const ij_stats_filter *f,
                                ij_stats_window out[IJ_FOLLOWUP_WINDOW_COUNT]) {
  return ij_store_stats_reoffending(conn, f, out);
}
