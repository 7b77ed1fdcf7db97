/* The `ij` command line: serve, migrate, seed, token, keygen, routes. */
#ifndef IJ_CLI_H
#define IJ_CLI_H

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

int ij_cli_main(int argc, char **argv);

/* Loads the demo data set (areas, wards, referrals in several states) unless the demo area
 * already has referrals. *created: referrals made by this call. */
ij_err ij_seed_demo(ij_conn *conn, const ij_area_rules *defaults, ij_time_us now, int *created);

/* The areas the demo data set is made in (codes and display names): ij_seed_demo's are
 * derbyshire and nottinghamshire; a test gives its own. Strings borrowed. */
typedef struct {
  const char *demo, *demo_name;     /* eighteen months of a county scheme, and this week's work */
  const char *second, *second_name; /* a smaller scheme, for the national view to compare */
} ij_seed_areas;
/* ij_seed_demo in these areas (unless the demo area already has referrals). */
ij_err ij_seed_demo_areas(ij_conn *conn, const ij_area_rules *defaults, ij_time_us now,
                          const ij_seed_areas *areas, int *created);

#endif
