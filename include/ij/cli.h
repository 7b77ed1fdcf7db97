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

#endif
