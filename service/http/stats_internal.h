/* What the statistics' handlers share (stats.c, stats_quarterly.c): the request's filters and
 * period, the turns among statistics requests, suppressed cells as JSON, and the CSV writer.
 * Private to service/http. */
#ifndef IJ_HTTP_STATS_INTERNAL_H
#define IJ_HTTP_STATS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ij/domain_stats.h"
#include "ij/store/stats.h"
#include "ij/store/stats_areas.h"
#include "internal.h"
#include "text_buf.h"

/* ---- the request: filters, period, format ---- */

typedef struct {
  ij_stats_filter f;
  const char *scope; /* "area" (the token's) or "national" (every area: f.area is NULL) */
  const char *label; /* the area's code, or "national" */
  char area_name[IJ_AREA_NAME_MAX]; /* the area's name; "" for the national scope */
  const char *age_band;
  char from[IJ_DATE_BUF], to[IJ_DATE_BUF];
  bool csv;
  ij_suppress_rules rules;
  ij_field_errors errs; /* the query's; ops adds a ward that is not the area's */
} stats_request;

/* Parses and checks the query; sends 403/422 and returns false when it cannot serve. The
 * default period is the 12 months to today, or with `quarterly` the last four full quarters. */
bool ij_stats_request_of(ij_ctx *ctx, stats_request *sr, bool quarterly);
/* Takes a turn among the statistics requests reading at once (sends 503 and returns false when
 * none comes in time); pair with ij_stats_leave. */
bool ij_stats_enter(ij_ctx *ctx);
void ij_stats_leave(ij_ctx *ctx);

/* ---- figures after suppression ---- */

/* A count cell, primarily suppressed. */
ij_stat_cell ij_stats_counted(const ij_suppress_rules *rules, int64_t n);
/* Hours (one decimal) from minutes, standing for the referrals they were credited to. */
ij_stat_cell ij_stats_hours_cell(const ij_suppress_rules *rules, int64_t minutes,
                                 int64_t referrals);
/* {"value", "suppressed"} (new reference). */
json_t *ij_stats_cell_json(const ij_stat_cell *c, bool integer);
/* The rate's 95% interval where the rate is shown; false where it is withheld. */
bool ij_stats_rate_interval(const ij_stat_rate *r, ij_interval *ci);
/* Rounded half away from zero to four decimal places. */
double ij_stats_four_decimals(double v);
/* area, scope, from, to, filters, thresholds (new reference). */
json_t *ij_stats_envelope(const stats_request *sr);

/* ---- CSV (RFC 4180) ---- */

/* The leading columns of every row. */
typedef struct {
  const char *area, *from, *to;
  const char *a, *b; /* the two breakdown columns of this file ("" when none) */
} csv_row;

void ij_stats_put(text_buf *b, const char *s);
void ij_stats_put_field(text_buf *b, const char *s, bool last);
/* A row: the lead, the measure, value, ci_low, ci_high, numerator, denominator, suppressed. */
void ij_stats_put_cell(text_buf *b, const csv_row *row, const char *measure, const ij_stat_cell *c,
                       bool integer);
void ij_stats_put_rate(text_buf *b, const csv_row *row, const char *measure, const ij_stat_rate *r);
/* Sends the text as an attachment "<what>-<label>-<from>-<to>.csv" and frees it. */
void ij_stats_send_csv(ij_ctx *ctx, text_buf *b, const char *what, const stats_request *sr);

#endif
