/* Read replicas: how far a hot standby's data is behind the primary's, so that reads may be
 * routed to it while it is close enough.
 *
 * Ownership: the connection is borrowed for the call; the lag is copied into the caller's struct
 * (nothing to free). */
#ifndef IJ_STORE_REPLICA_H
#define IJ_STORE_REPLICA_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* How far the data a connection reads is behind the primary's. */
typedef struct {
  bool standby;          /* the server is a hot standby (in recovery) */
  bool known;            /* false: a standby that cannot tell (nothing replayed since it started,
                            and not caught up); lag_seconds and data_as_of are then 0 */
  double lag_seconds;    /* 0 on a primary, and on a standby that is connected to its primary and
                            has replayed all it received; else now - the last replayed commit */
  ij_time_us data_as_of; /* every transaction the primary committed before this is visible */
} ij_replica_lag;

/* One statement on its own (outside a transaction). Measured before the statements whose
 * staleness it states, it bounds them: replay only moves forward, so a snapshot taken after it
 * sees at least as much. */
ij_err ij_store_replica_lag(ij_conn *conn, ij_replica_lag *out);

#endif
