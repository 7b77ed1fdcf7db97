/* The quarterly return: each quarter's figures on one snapshot, so that the quarters of one
 * answer are of the same moment. */
#include <string.h>

#include "ij/ops_stats_quarterly.h"
#include "ij/store/reference.h"
#include "ops_internal.h"

ij_err ij_ops_stats_quarterly(ij_conn *conn, const ij_stats_filter *f, ij_field_errors *errs,
                              ij_stats_quarter out[IJ_STATS_MAX_QUARTERS], int *count) {
  *count = 0;
  if (f->ward && f->area && !ij_field_errors_has(errs, "ward")) {
    bool exists = false;
    ij_err err = ij_store_ward_exists(conn, f->area, f->ward, &exists);
    if (err != IJ_OK)
      return err;
    if (!exists)
      ij_field_errors_add(errs, "ward", "is not a ward of this area");
  }
  if (errs->count)
    return IJ_ERR_INVALID;
  ij_date starts[IJ_STATS_MAX_QUARTERS];
  int n = ij_stats_quarters(f->from, f->to, starts, IJ_STATS_MAX_QUARTERS);
  ij_err err = ij_store_begin_snapshot(conn);
  for (int i = 0; i < n && err == IJ_OK; i++)
    err = ij_store_stats_quarter(conn, f, starts[i], ij_quarter_end(starts[i]), &out[i]);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    return err;
  }
  *count = n;
  return IJ_OK;
}
