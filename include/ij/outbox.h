/* The outbox worker: delivers outcome notices and victim updates to each area's webhook.
 * At least once: a notice is marked delivered only after a 2xx answer, so a receiver may see one
 * twice (after a crash) and de-duplicates on the X-Notice-Id header (the notice's id). Several
 * workers, in one process or many, may run at once: each notice is claimed by one of them. */
#ifndef IJ_OUTBOX_H
#define IJ_OUTBOX_H

#include "ij/error.h"
#include "ij/store/pool.h"

typedef struct {
  int interval_ms; /* the pause between rounds, 10 to 3600000 */
  int batch;       /* notices claimed per round, 1 to 1000 */
} ij_outbox_options;

typedef struct ij_outbox ij_outbox;

/* Starts the worker thread on the pool (borrowed: it must outlive the worker). It holds one of
 * the pool's connections while it delivers. *out: ij_outbox_stop. */
ij_err ij_outbox_start(ij_store *store, const ij_outbox_options *opts, ij_outbox **out);
/* Stops the worker promptly (a transfer in progress is abandoned and its notice retried later),
 * waits for its thread and frees it. NULL is ignored. */
void ij_outbox_stop(ij_outbox *outbox);

/* One round, synchronously, on the calling thread: claims up to `batch` due notices, posts each
 * (10 second timeout) and records the answer. *delivered and *failed (either may be NULL): how
 * many. IJ_ERR_UNAVAILABLE when the database cannot be reached. */
ij_err ij_outbox_run_once(ij_store *store, int batch, int *delivered, int *failed);

#endif
