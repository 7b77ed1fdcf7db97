/* Private to the outbox: the transfer that outbox.c's webhook deliveries and notify.c's requests
 * to GOV.UK Notify share. */
#ifndef IJ_OUTBOX_INTERNAL_H
#define IJ_OUTBOX_INTERNAL_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "ij/ops_message_delivery.h"

/* Every transfer's limit: a receiver that has not answered in this time is tried again later. */
#define IJ_OUTBOX_TIMEOUT_MS 10000L

/* Runs the transfer set up on c on the multi handle m, looking at the stop flag (may be NULL)
 * every 50 ms, so that a stop request never waits for a slow receiver: *abandoned then. */
CURLcode ij_outbox_perform(CURLM *m, CURL *c, atomic_bool *stop, bool *abandoned);

/* Posts one message to Notify (<base_url>/v2/notifications/sms or /email) with a JWT made from
 * the area's service id and secret key (HS256, iat the real clock), on the handles given (c is
 * reset first); *out says what came of it (zeroed here). The key and the JWT appear nowhere in
 * out->error. */
void ij_outbox_notify_post(CURLM *m, CURL *c, atomic_bool *stop, const ij_message_delivery *msg,
                           ij_notify_answer *out);

#endif
