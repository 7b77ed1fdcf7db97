/* The outbox worker: delivers outcome notices and victim updates to each area's webhook, and
 * messages to people through each area's GOV.UK Notify service.
 * At least once: a notice is marked delivered only after a 2xx answer, so a receiver may see one
 * twice (after a crash) and de-duplicates on the X-Notice-Id header (the notice's id). When the
 * area has a signing secret, each delivery carries X-IJ-Signature (ij_outbox_signature). Several
 * workers, in one process or many, may run at once: each notice is claimed by one of them. */
#ifndef IJ_OUTBOX_H
#define IJ_OUTBOX_H

#include <stddef.h>

#include "ij/domain.h"
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

/* The signature header's value for a delivery of `body` (borrowed, the exact bytes posted) at
 * unix time t with the area's secret (borrowed; never logged): "t=<t>,v1=<hex>", the hex being
 * HMAC-SHA256(secret, "<t>." + body) in lower case. A receiver recomputes it from the header's t
 * and the body it got, compares in constant time, and refuses a t too far from its own clock.
 * IJ_ERR_INVALID for a NULL argument or size < IJ_SIGNATURE_BUF. */
#define IJ_SIGNATURE_BUF 96
ij_err ij_outbox_signature(const char *secret, long long t, const char *body, char *out,
                           size_t size);

/* One round, synchronously, on the calling thread: claims up to `batch` due notices of each area,
 * posts each (10 second timeout) and records the answer, then does the same with each area's
 * messages due now (ij_outbox_run_once_at). *delivered and *failed (either may be NULL): how many
 * notices. IJ_ERR_UNAVAILABLE when the database cannot be reached. */
ij_err ij_outbox_run_once(ij_store *store, int batch, int *delivered, int *failed);

/* The same round with `now` as the messages' clock (a test's): the messages due are those whose
 * next attempt is at or before now, and the times recorded are now; each request's JWT is still
 * issued at the real time, as Notify requires. Messages go to GOV.UK Notify (POST
 * <base_url>/v2/notifications/sms or /email, reference = the message's id); a 2xx makes a message
 * "sending", a 429, 5xx, timeout or connection error puts it off (2^attempts s, at most an hour;
 * "failed" after 10 attempts), any other answer makes it "failed" with Notify's error. A queued
 * reminder whose booking has ended, or whose session was cancelled or has started, is "cancelled"
 * unsent. *sent: messages Notify accepted; *failed: attempts that failed (either may be NULL). */
ij_err ij_outbox_run_once_at(ij_store *store, int batch, ij_time_us now, int *sent, int *failed);

#endif
