/* Commissioners' statistics: aggregates only (counts, sums and a median) over an area's
 * referrals, bookings and follow-up checks, or over every area; nothing about a person.
 *
 * Ownership: the connection and the filter (and its strings) are borrowed for the call. An
 * ij_stats_summary owns its months until ij_stats_summary_clear; placement type names in it are
 * static. Reoffending figures are copied into the caller's array. */
#ifndef IJ_STORE_STATS_H
#define IJ_STORE_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* What the figures are of. Strings borrowed for the call. */
typedef struct {
  const char *area;             /* NULL: every area, and then national must be true */
  bool national;                /* the national view, named: a filter with neither an area nor
                                   this is refused (IJ_ERR_INTERNAL), never widened to every area */
  ij_date from, to;             /* inclusive: referrals made (summary) or exits (reoffending) */
  const char *ward;             /* NULL: any */
  const char *placement_type;   /* NULL: any; else referrals with a booking on such a placement */
  const char *offence_category; /* NULL: any */
  int age_min, age_max;         /* age on the offence date; age_max 0: any */
  ij_date today;                /* reoffending: windows due on or before today have elapsed */
  int timeout_ms;               /* each statement's bound (statement_timeout); 0: none */
} ij_stats_filter;

/* Whether the filter names its scope: an area, or (national, area NULL) every area. */
bool ij_stats_filter_scoped(const ij_stats_filter *f);

typedef struct {
  ij_date month; /* its first day */
  int64_t referrals;
  int64_t completed; /* of those referrals */
} ij_stats_month;

typedef struct {
  const char *placement_type; /* static: from IJ_PLACEMENT_TYPE_LIST */
  int64_t minutes;            /* credited on bookings of that type */
  int64_t referrals;          /* referrals with credited minutes of that type */
} ij_stats_type_hours;

#define IJ_STATS_TYPES 6

typedef struct {
  int64_t referrals, accepted, rejected, started, started_within_target;
  int64_t completed, non_compliant, rereferrals;
  int64_t minutes_credited, credited_referrals; /* referrals with any minutes credited */
  bool has_median;
  double median_hours_to_first_session;
  int64_t bookings_attended, bookings_counted; /* attendance rate's parts (ij_ops_stats_summary) */
  int64_t bookings_by_outcome[IJ_OUTCOME__COUNT]; /* bookings of the period by recorded outcome */
  int nmonths;
  ij_stats_month *months; /* every month of the period, oldest first (owned) */
  ij_stats_type_hours hours_by_type[IJ_STATS_TYPES]; /* in IJ_PLACEMENT_TYPE_LIST order */
} ij_stats_summary;

/* The raw figures of the summary, in one round trip, inside the caller's read-only snapshot
 * transaction (ij_store_begin_snapshot), so that the series add up to the figures. Leaves
 * bookings_attended and bookings_counted to the caller. *out: ij_stats_summary_clear. */
ij_err ij_store_stats_summary(ij_conn *conn, const ij_stats_filter *f, ij_stats_summary *out);
/* Frees the months and zeroes the summary (NULL and a zeroed summary are ignored). */
void ij_stats_summary_clear(ij_stats_summary *s);

typedef struct {
  int64_t cohort;     /* exits whose window has elapsed and whose check is recorded */
  int64_t reoffended; /* of the cohort */
  int64_t pending;    /* window not elapsed, or check not recorded yet */
} ij_stats_cohort;

typedef struct {
  int months;                     /* 3, 6, 12 */
  ij_stats_cohort completers;     /* exit completed */
  ij_stats_cohort non_completers; /* exit non_compliant */
} ij_stats_window;

/* Reoffending by window and exit, for exits in the period, copied into `out` (nothing to free). */
ij_err ij_store_stats_reoffending(ij_conn *conn, const ij_stats_filter *f,
                                  ij_stats_window out[IJ_FOLLOWUP_WINDOW_COUNT]);

#endif
