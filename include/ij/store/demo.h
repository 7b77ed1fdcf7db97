/* Demo data the store makes in bulk for `ij seed`: placements and their sessions around a given
 * day.
 *
 * Ownership: the connection and `area` are borrowed for the call; the session ids come back as
 * ij_rows the caller owns until ij_rows_clear. */
#ifndef IJ_STORE_DEMO_H
#define IJ_STORE_DEMO_H

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* Demo data: three placements in the area with a session each day from three days before `now`
 * to four days after (09:00-13:00 UTC); the ids of the sessions that have ended and of those yet
 * to start, by start time. *past and *future: ij_rows_clear. */
ij_err ij_store_demo_sessions(ij_conn *conn, const char *area, ij_time_us now, ij_rows *past,
                              ij_rows *future);
/* This connection's commits stop waiting for the disk: synchronous_commit off, for the session
 * (a bulk load that a crash may lose and that can be made again). */
ij_err ij_store_demo_fast_writes(ij_conn *conn);
/* This connection's session stops adding each write's contribution to the kept statistics
 * (migration 039); *deferred tells whether the database honoured it, which it does only for a
 * session of the tables' owner (otherwise nothing changed). */
ij_err ij_store_demo_defer_stats(ij_conn *conn, bool *deferred);
/* Ends the deferral and computes every kept figure again from the rows (ij_stats_rebuild, set-
 * based), in one transaction. */
ij_err ij_store_demo_rebuild_stats(ij_conn *conn);

#endif
