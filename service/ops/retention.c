/* Retention, area by area: the cut-offs and the states that have ended are the domain's, the
 * erasure the store's. */
#include <string.h>

#include "ij/ops.h"
#include "ij/store/reference.h"
#include "ij/store/retention.h"

/* The run's cut-offs: referrals that ended before `referrals`, access-log rows written before
 * `access_log` (0: the log is kept). */
typedef struct {
  ij_time_us referrals;
  ij_time_us access_log;
} cutoffs;

static ij_err erase_area(ij_store *store, const char *area, const cutoffs *cut, int batch,
                         ij_time_us now, ij_retention_totals *out) {
  ij_conn *conn = NULL;
  ij_err err = ij_store_acquire(store, &conn);
  if (err != IJ_OK)
    return err;
  ij_store_scope(conn, area);
  for (;;) {
    int referrals = 0, people = 0;
    err = ij_store_retention_erase(conn, area, ij_domain_ended_states(), cut->referrals, now, batch,
                                   &referrals, &people);
    if (err != IJ_OK)
      break;
    out->referrals += referrals;
    out->people += people;
    if (referrals < batch)
      break; /* the last batch: nothing more is due (or the rest is locked: the next run) */
  }
  while (err == IJ_OK && cut->access_log) {
    int rows = 0;
    err = ij_store_access_log_erase(conn, area, cut->access_log, batch, &rows);
    if (err != IJ_OK)
      break;
    out->access_log += rows;
    if (rows < batch)
      break;
  }
  ij_store_release(store, conn);
  return err;
}

ij_err ij_ops_retention_run(ij_store *store, const char *area, const ij_retention_policy *policy,
                            ij_time_us now, ij_retention_totals *out) {
  memset(out, 0, sizeof *out);
  if (!store || !policy || policy->months < 1 || policy->batch < 1 ||
      (policy->access_log_months != 0 && policy->access_log_months < 6))
    return IJ_ERR_INVALID;
  cutoffs cut = {
      ij_domain_retention_cutoff(now, policy->months),
      policy->access_log_months ? ij_domain_retention_cutoff(now, policy->access_log_months) : 0};
  if (area) {
    out->areas = 1;
    return erase_area(store, area, &cut, policy->batch, now, out);
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
    err = erase_area(store, ij_rows_get(&areas, i, 0), &cut, policy->batch, now, out);
  }
  ij_rows_clear(&areas);
  return err;
}

ij_err ij_ops_retention(ij_store *store, const char *area, int months, int batch, ij_time_us now,
                        ij_retention_totals *out) {
  ij_retention_policy policy = {months, 0, batch};
  return ij_ops_retention_run(store, area, &policy, now, out);
}
