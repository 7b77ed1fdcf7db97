/* The commissioners' figures: read on one snapshot, with the domain's rules of what counts. */
#include <string.h>

#include "ij/store/reference.h"
#include "ops_internal.h"

/* Adds an error for a ward filter that is not one of the filter's area (the national scope takes
 * no ward: the request's decoding refuses it); IJ_ERR_INVALID when errs holds any error. */
static ij_err filter_check(ij_conn *conn, const ij_stats_filter *f, ij_field_errors *errs) {
  if (f->ward && f->area && !ij_field_errors_has(errs, "ward")) {
    bool exists = false;
    ij_err err = ij_store_ward_exists(conn, f->area, f->ward, &exists);
    if (err != IJ_OK)
      return err;
    if (!exists)
      ij_field_errors_add(errs, "ward", "is not a ward of this area");
  }
  return errs->count ? IJ_ERR_INVALID : IJ_OK;
}

ij_err ij_ops_stats_summary(ij_conn *conn, const ij_stats_filter *f, ij_field_errors *errs,
                            ij_stats_summary *out) {
  memset(out, 0, sizeof *out);
  ij_err err = filter_check(conn, f, errs);
  if (err != IJ_OK)
    return err;
  err = ij_store_begin_snapshot(conn);
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

ij_err ij_ops_stats_reoffending(ij_conn *conn, const ij_stats_filter *f, ij_field_errors *errs,
                                ij_stats_window out[IJ_FOLLOWUP_WINDOW_COUNT]) {
  ij_err err = filter_check(conn, f, errs);
  return err != IJ_OK ? err : ij_store_stats_reoffending(conn, f, out);
}
