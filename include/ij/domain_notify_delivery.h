/* Delivering messages through GOV.UK Notify: what an answer to a request means, how long to wait
 * before trying again, and which delivery receipts are accepted. Pure domain: no I/O, no clock
 * reads ("now" is passed in); strings passed in are borrowed for the call. */
#ifndef IJ_DOMAIN_NOTIFY_DELIVERY_H
#define IJ_DOMAIN_NOTIFY_DELIVERY_H

#include <stdbool.h>

#include "ij/domain.h"

/* What became of one request to Notify. */
typedef enum {
  IJ_NOTIFY_SENT,     /* 2xx: Notify accepted the message (status "sending") */
  IJ_NOTIFY_RETRY,    /* 429, 5xx, no answer (timeout, connection error): try again later */
  IJ_NOTIFY_PERMANENT /* any other answer (a 4xx): Notify refused it, it will refuse it again */
} ij_notify_outcome;

/* The outcome of a request that got HTTP status `status`; 0 for no answer at all. */
ij_notify_outcome ij_domain_notify_classify(long status);

/* Failed attempts after which a message that Notify keeps failing to take is given up. */
#define IJ_NOTIFY_MAX_ATTEMPTS 10
/* The longest wait between two attempts. */
#define IJ_NOTIFY_BACKOFF_CAP_SECONDS 3600

/* The wait, in seconds, after the attempts-th failed attempt (1 or more): 2^attempts, at most
 * IJ_NOTIFY_BACKOFF_CAP_SECONDS (2, 4, 8 ... 3600). */
long ij_domain_notify_backoff_seconds(int attempts);

/* After a failed attempt: `attempts_before` failed attempts came before it and `now` is when it
 * failed. false when the message is to be given up (the attempt just made is the
 * IJ_NOTIFY_MAX_ATTEMPTS-th, or the outcome was permanent); else true and *next set to when to
 * try again. *attempts_after: the count to record (attempts_before + 1). */
bool ij_domain_notify_retry(ij_notify_outcome outcome, int attempts_before, ij_time_us now,
                            int *attempts_after, ij_time_us *next);

/* The statuses a delivery receipt may carry, as Notify spells them and messages.status stores
 * them. */
#define IJ_NOTIFY_RECEIPT_STATUSES \
  "delivered", "permanent-failure", "temporary-failure", "technical-failure"
/* Whether a receipt's status is one of IJ_NOTIFY_RECEIPT_STATUSES (exact). */
bool ij_domain_notify_receipt_status(const char *status);

/* A delivery receipt as the request carried it (the http layer's decoding: each field NULL when
 * absent or null, and *_type_ok false when present with another JSON type than a string).
 * body_error: IJ_OK, or why the body could not be read at all (IJ_ERR_MEDIA_TYPE,
 * IJ_ERR_MALFORMED), reported only after the caller is known to be Notify. */
typedef struct {
  ij_err body_error;
  const char *id; /* Notify's notification id */
  bool id_type_ok;
  const char *reference; /* ours: the message's id */
  bool reference_type_ok;
  const char *status;
  bool status_type_ok;
  const char *completed_at; /* when Notify delivered it or gave up; may be absent */
  bool completed_at_type_ok;
} ij_notify_receipt_input;

#define IJ_NOTIFY_UUID_BUF 37

/* A receipt that passed ij_domain_notify_receipt_check: ids in canonical lower case. */
typedef struct {
  char notify_id[IJ_NOTIFY_UUID_BUF];
  bool has_reference; /* reference names one of our messages (a UUID); else look up by notify_id */
  char reference[IJ_NOTIFY_UUID_BUF];
  const char *status;   /* one of IJ_NOTIFY_RECEIPT_STATUSES (static) */
  ij_time_us status_at; /* completed_at when given, else now */
} ij_notify_receipt;

/* Checks a receipt: id a UUID (required); reference null, or a string (a UUID names our message;
 * any other string is someone else's reference and the receipt is looked up by id); status
 * required and one of IJ_NOTIFY_RECEIPT_STATUSES; completed_at absent, null or an RFC 3339
 * time. Every failing field is named in errs at once; IJ_ERR_INVALID then. A body that could not
 * be read: its body_error, no field errors. */
ij_err ij_domain_notify_receipt_check(const ij_notify_receipt_input *in, ij_time_us now,
                                      ij_notify_receipt *out, ij_field_errors *errs);

/* Whether a queued reminder is still to be sent when the outbox claims it: its booking is still
 * "booked", its session not cancelled and not yet started at now. */
bool ij_domain_reminder_still_wanted(const char *booking_status, bool session_cancelled,
                                     ij_time_us session_starts_at, ij_time_us now);

#endif
