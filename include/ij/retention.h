/* The retention schedule: a thread of `ij serve` that runs ij_ops_retention every so many hours.
 * Several instances may run it at once: erasure skips rows another transaction holds. */
#ifndef IJ_RETENTION_H
#define IJ_RETENTION_H

#include "ij/error.h"
#include "ij/store/pool.h"

typedef struct ij_retention_worker ij_retention_worker;

/* Starts the thread on the pool (borrowed: it must outlive the worker): a first run a minute
 * after the start, then one every `interval_hours` (1 to 8760); referrals are erased `months`
 * (1 to 1200) after they ended, and the access log's rows `access_log_months` (6 to 1200) after
 * they were written. *out: ij_retention_stop. */
ij_err ij_retention_start(ij_store *store, int months, int access_log_months, int interval_hours,
                          ij_retention_worker **out);
/* Stops the thread (a run in progress finishes its current batch first) and frees it. NULL is
 * ignored. */
void ij_retention_stop(ij_retention_worker *worker);

#endif
