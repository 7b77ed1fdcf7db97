/* Retention, area by area: the cut-off and the states that have ended are the domain's, the
 * erasure the store's. */
#include <string.h>

#include "ij/ops.h"
#include "ij/store/reference.h"
#include "ij/store/retention.h"

static ij_err erase_area(ij_store *store, const char *area, ij_time_us cutoff, int batch,
                         ij_time_us now, ij_retention_totals *out) {
  ij_conn *conn = NULL;
  ij_err err = ij_store_acquire(store, &conn);
  if (err != IJ_OK)
    return err;
  ij_store_scope(conn, area);
  for (;;) {
    int referrals = 0, people = 0;
    err = ij_store_retention_erase(conn, area, ij_domain_ended_states(), cutoff, now, batch,
                                   &referrals, &people);
    if (err != IJ_OK)
      break;
    out->referrals += referrals;
    out->people += people;
    if (referrals < batch)
      break; /* the last batch: nothing more is due (or the rest is locked: the next run) */
  }
  ij_store_release(store, conn);
  return err;
}

ij_err ij_ops_retention(ij_store *store, const char *area, int months, int batch, ij_time_us now,
                        ij_retention_totals *out) {
  memset(out, 0, sizeof *out);
  if (!store || months < 1 || batch < 1)
    return IJ_ERR_INVALID;
  ij_time_us cutoff = ij_domain_retention_cutoff(now, months);
  if (area) {
    out->areas = 1;
    return erase_area(store, area, cutoff, batch, now, out);
  }
  ij_conn *conn = NULL;
  ij_err err = ij_store_acquire(store, &conn);
  if (err != IJ_OK)
    return err;
  ij_rows areas;
  err = ij_store_area_codes(conn, &areas);
  ij_store_release(store, conn); /* each area takes its own loan, scoped to it */
  for (int i = 0; err == IJ_OK && i < areas.count; i++) {
    out->areas++;
    err = erase_area(store, ij_rows_get(&areas, i, 0), cutoff, batch, now, out);
  }
  ij_rows_clear(&areas);
  return err;
}
