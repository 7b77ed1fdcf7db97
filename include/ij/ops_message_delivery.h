/* The operations on messages going through GOV.UK Notify: the outbox's delivery of an area's due
 * messages, and Notify's delivery receipts.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. */
#ifndef IJ_OPS_MESSAGE_DELIVERY_H
#define IJ_OPS_MESSAGE_DELIVERY_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/domain_notify_delivery.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/message_delivery.h"
#include "ij/store/pool.h"

/* What a sender tells of one request to Notify. */
typedef struct {
  bool abandoned; /* the service is stopping: the message stays due, unrecorded */
  long status;    /* the HTTP status; 0 when no answer came (timeout, connection error) */
  char notify_id[IJ_UUID_BUF]; /* a 2xx answer's "id" ("" when it had none) */
  /* what went wrong, for last_error and the log: Notify's "error: message", or the transfer's
   * failure. Never the API key, the JWT or a token. */
  char error[512];
} ij_notify_answer;

/* Posts one message (borrowed for the call) to Notify and says what came of it in *out (zeroed
 * by the caller). */
typedef void (*ij_message_sender)(const ij_message_delivery *m, void *arg, ij_notify_answer *out);

/* What one delivery call recorded. */
typedef struct {
  int claimed;   /* messages due and claimed */
  int sent;      /* accepted by Notify: "sending" */
  int retried;   /* to be tried again later */
  int failed;    /* given up: refused by Notify, or out of attempts */
  int cancelled; /* reminders no longer wanted */
} ij_message_round;

/* Delivers up to `batch` of an area's messages due at `now` in one transaction on a connection
 * scoped to the area (the scope is cleared afterwards): claims them (row locks, SKIP LOCKED: two
 * instances never send the same message), cancels each reminder the domain says is no longer
 * wanted, hands each other to send and records its outcome as the domain classifies it (sent;
 * tried again after a backoff; failed). Times recorded are `now`. *out: what was recorded (all
 * zero but claimed when the transaction failed: then every message stays due). */
ij_err ij_ops_deliver_messages(ij_conn *conn, const char *area, ij_time_us now, int batch,
                               ij_message_sender send, void *arg, ij_message_round *out);

/* The areas whose messages the outbox serves (a Notify service or messages queued). *out:
 * ij_rows_clear. */
ij_err ij_ops_message_areas(ij_conn *conn, ij_rows *out);

/* Notify's delivery receipt for `area` (from the path: the request is not authenticated by our
 * tokens). IJ_ERR_NOT_FOUND for an area the service does not know; IJ_ERR_UNAUTHENTICATED, before
 * anything else is read or changed, unless bearer_token (NULL when none was sent) hashes (SHA-256)
 * to the area's callback token hash, compared in constant time (an area with none refuses every
 * receipt); IJ_ERR_INVALID with every failing field in errs; IJ_ERR_NOT_FOUND (with
 * *unknown_message set) when the area has no message it names; else the message's status is the
 * receipt's. The token is neither kept nor logged. */
ij_err ij_ops_notify_receipt(ij_conn *conn, const char *area, const char *bearer_token,
                             const ij_notify_receipt_input *in, ij_time_us now,
                             bool *unknown_message, ij_field_errors *errs);

#endif
