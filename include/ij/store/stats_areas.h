/* The national commissioner's comparison of areas: the summary's figures (the same definitions as
 * ij_store_stats_summary's) for every area at once, and an area's name.
 *
 * Ownership: the connection and the filter are borrowed for the call; *rows is the caller's, freed
 * with ij_stats_areas_free. */
#ifndef IJ_STORE_STATS_AREAS_H
#define IJ_STORE_STATS_AREAS_H

#include <stddef.h>

#include "ij/ids.h"
#include "ij/store/stats.h"

#define IJ_AREA_NAME_MAX 256 /* an area's name as kept here (longer names are cut) */

typedef struct {
  char code[IJ_AREA_MAX];
  char name[IJ_AREA_NAME_MAX];
  /* referrals, accepted, rejected, started, started_within_target, completed, non_compliant and
   * bookings_by_outcome; the rest (hours, median, months) stay zero */
  ij_stats_summary figures;
} ij_stats_area;

/* Every area known to the service, in code order, with its figures for the filter (f->area and
 * f->ward are ignored: both name one area), inside the caller's snapshot transaction. Leaves
 * bookings_attended and bookings_counted to the caller. *rows: ij_stats_areas_free. */
ij_err ij_store_stats_areas(ij_conn *conn, const ij_stats_filter *f, ij_stats_area **rows, int *n);
void ij_stats_areas_free(ij_stats_area *rows);

/* The area's name into out (size bytes); IJ_ERR_NOT_FOUND for an unknown area. */
ij_err ij_store_area_name(ij_conn *conn, const char *area, char *out, size_t size);

#endif
