/* The quarterly return for the Police and Crime Commissioner: the raw figures of each quarter of a
 * period, read on one snapshot (suppression is the caller's, with the domain's rules).
 *
 * Ownership: the connection, the filter and errs are borrowed for the call; the quarters are
 * copied into the caller's array (nothing to free). */
#ifndef IJ_OPS_STATS_QUARTERLY_H
#define IJ_OPS_STATS_QUARTERLY_H

#include "ij/domain_stats.h"
#include "ij/ops.h"
#include "ij/store/stats_quarterly.h"

/* The quarters whose first day falls in [f->from, f->to] (at most IJ_STATS_MAX_QUARTERS), each
 * whole, oldest first, into out; *count says how many. IJ_ERR_INVALID (with a field error in
 * errs, beside those already there) for a ward that is not one of the filter's area. */
ij_err ij_ops_stats_quarterly(ij_conn *conn, const ij_stats_filter *f, ij_field_errors *errs,
                              ij_stats_quarter out[IJ_STATS_MAX_QUARTERS], int *count);

#endif
