/* Messages on their way to GOV.UK Notify: claiming an area's due queued messages for the outbox,
 * recording what Notify answered, and applying Notify's delivery receipts.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_message_batch owns its items and their strings until ij_message_batch_clear; area
 * lists come back as ij_rows the caller owns until ij_rows_clear. */
#ifndef IJ_STORE_MESSAGE_DELIVERY_H
#define IJ_STORE_MESSAGE_DELIVERY_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* One queued message claimed for delivery, with what sending it needs. Strings live in the
 * batch's owner_. */
typedef struct {
  const char *id; /* the message's id: the request's reference */
  const char *kind;
  const char *channel;         /* "sms" or "email" */
  const char *to_address;      /* the phone number or e-mail address */
  const char *template_id;     /* Notify's template id */
  const char *personalisation; /* a JSON object of strings, as text ("{}" when none) */
  int attempts;                /* failed attempts so far */
  /* the area's Notify service; each NULL when the area has none (any more) */
  const char *base_url;
  const char *service_id;
  const char *secret_key; /* never to be logged, shown or kept anywhere else */
  /* the booking a reminder is about (booking_status NULL when the message has no booking) */
  const char *booking_status;
  bool session_cancelled;
  ij_time_us session_starts_at;
} ij_message_delivery;

typedef struct {
  int count;
  ij_message_delivery *items;
  void *owner_;
} ij_message_batch;

/* The areas that have a Notify service or queued messages (ij_message_areas(): a function that
 * returns only area codes, so it needs no area). *out: ij_rows_clear. */
ij_err ij_store_message_areas(ij_conn *conn, ij_rows *out);

/* In a transaction the caller has begun, on a connection scoped to `area`: locks up to `limit` of
 * the area's queued messages due at `now` (next_attempt_at <= now), the longest due first,
 * skipping those another transaction holds (so that several workers never send the same message
 * at once). The locks last until the caller commits. *out: ij_message_batch_clear. */
ij_err ij_store_messages_claim(ij_conn *conn, const char *area, ij_time_us now, int limit,
                               ij_message_batch *out);
/* Frees the items and their strings and zeroes the batch (NULL and a zeroed batch are ignored). */
void ij_message_batch_clear(ij_message_batch *batch);

/* A claimed message Notify accepted: status "sending", notify_id (NULL when the answer named
 * none), sent_at and status_at `at`, last_error cleared (attempts counts the failed ones). */
ij_err ij_store_message_sent(ij_conn *conn, const char *id, const char *notify_id, ij_time_us at);
/* A claimed message to try again: attempts, next_attempt_at and last_error (borrowed; kept to 500
 * characters) as given; it stays queued. */
ij_err ij_store_message_retry(ij_conn *conn, const char *id, int attempts,
                              ij_time_us next_attempt_at, const char *error);
/* A claimed message given up: status "failed" at `at`, attempts and last_error as given. */
ij_err ij_store_message_failed(ij_conn *conn, const char *id, int attempts, const char *error,
                               ij_time_us at);
/* A claimed message no longer wanted (a reminder whose booking ended): status "cancelled". */
ij_err ij_store_message_cancelled(ij_conn *conn, const char *id, ij_time_us at);

/* The area's receipt settings: *area_known false for an area the service does not know; *has_hash
 * true and hash[] the SHA-256 of the area's callback token when one is set. */
ij_err ij_store_notify_callback_hash(ij_conn *conn, const char *area, bool *area_known,
                                     bool *has_hash, unsigned char hash[32]);

/* Applies a delivery receipt to the area's message whose id is `reference` (a UUID) or, with
 * reference NULL, whose notify_id is `notify_id`, on a connection scoped to `area`: status and
 * status_at as given, notify_id kept (set from the receipt when the message had none).
 * IJ_ERR_NOT_FOUND when the area has no such message (or only one never sent: not_sent). */
ij_err ij_store_message_receipt(ij_conn *conn, const char *area, const char *reference,
                                const char *notify_id, const char *status, ij_time_us status_at);

#endif
