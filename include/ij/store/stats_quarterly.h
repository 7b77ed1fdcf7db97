/* The quarterly return's figures: for one quarter, the summary's figures of the referrals made in
 * it (split by age on the offence date) and the reoffending of the exits in it, by the same
 * database functions as the summary and the reoffending figures (ij/store/stats.h), so that a
 * quarter's figures are those figures for that quarter's dates.
 *
 * Ownership: the connection and the filter are borrowed for the call; the figures are copied into
 * the caller's struct (nothing to free). */
#ifndef IJ_STORE_STATS_QUARTERLY_H
#define IJ_STORE_STATS_QUARTERLY_H

#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"
#include "ij/store/stats.h"

typedef struct {
  ij_date start, end;                  /* the quarter's first and last days */
  int64_t referrals, under_18, adults; /* age on the offence date: under IJ_ADULT_AGE, or not */
  int64_t started, started_within_target, completed, non_compliant;
  int64_t minutes_credited, credited_referrals;
  ij_stats_window reoffending[IJ_FOLLOWUP_WINDOW_COUNT]; /* of exits in the quarter */
} ij_stats_quarter;

/* The raw figures of the quarter [start, end] under the filter's other terms (its period and age
 * band are ignored; f->today decides which checks are due), in one round trip, inside the
 * caller's read-only snapshot transaction (ij_store_begin_snapshot). */
ij_err ij_store_stats_quarter(ij_conn *conn, const ij_stats_filter *f, ij_date start, ij_date end,
                              ij_stats_quarter *out);

#endif
