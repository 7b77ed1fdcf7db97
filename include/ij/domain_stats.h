/* The statistics' confidence intervals: how sure a rate is, given how many people it rests on.
 * Pure C (libm), part of the domain library. */
#ifndef IJ_DOMAIN_STATS_H
#define IJ_DOMAIN_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"

/* z for a two-sided 95% interval (the 0.975 quantile of the standard normal distribution). */
#define IJ_INTERVAL_Z95 1.959964

/* An interval of a proportion, both ends within [0, 1]. */
typedef struct {
  double low, high;
} ij_interval;

/* The Wilson score interval at 95% of k successes in n (Wilson 1927; Newcombe 1998, method 3),
 * which, unlike p +- z*sqrt(p(1-p)/n), stays within [0, 1] and is not empty at k = 0 or k = n.
 * True with *out set when 0 <= k <= n and n > 0; false (no interval) otherwise. */
bool ij_wilson_interval(int64_t k, int64_t n, ij_interval *out);

/* ---- the quarterly return -------------------------------------------------------------------
 * Calendar quarters (January, April, July, October), as dates (days since 1970-01-01, UTC). */
#define IJ_STATS_MAX_QUARTERS (IJ_STATS_MAX_MONTHS / 3 + 1)

/* The first day of the quarter holding d. */
ij_date ij_quarter_start(ij_date d);
/* The last day of the quarter starting (or holding) q. */
ij_date ij_quarter_end(ij_date q);
/* "YYYY-Qn" of the quarter holding d (buffer of at least 8 bytes). */
void ij_quarter_format(ij_date d, char out[8]);
/* The return's default period: the last four full quarters before today's quarter. */
void ij_stats_quarterly_default(ij_date today, ij_date *from, ij_date *to);
/* The first days of the quarters whose first day falls in [from, to], oldest first, into
 * starts[max]; returns how many (at most max). */
int ij_stats_quarters(ij_date from, ij_date to, ij_date *starts, int max);
/* Whether the follow-up window of `months` has elapsed by `today` for every exit of the quarter
 * starting q (the check of its last day is due); *elapses_on: that day. */
bool ij_stats_quarter_window_elapsed(ij_date q, int months, ij_date today, ij_date *elapses_on);

#endif
