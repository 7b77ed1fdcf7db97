/* Messages to people through GOV.UK Notify: an area's message context (is there a Notify service,
 * its reminder time, Welsh, its templates), writing a message row, a referral's messages, the
 * bookings a reminder may be due for, and the failed reminders' work list.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_rows the store fills owns its cells until ij_rows_clear. */
#ifndef IJ_STORE_MESSAGES_H
#define IJ_STORE_MESSAGES_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/domain_messages.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/pool.h"

/* An area's message context, copied (no strings to free). */
typedef struct {
  bool configured;      /* the area has a Notify service (area_notify with a service_id) */
  bool welsh;           /* the area sends Welsh */
  int reminder_minutes; /* the reminder's London wall-clock time, minutes since midnight */
  char ids[IJ_MESSAGE_KIND_COUNT][2][2][IJ_UUID_BUF];    /* template ids, "" for none */
  ij_message_templates templates[IJ_MESSAGE_KIND_COUNT]; /* pointing into ids */
} ij_message_context;

/* Reads the area's context in one statement. configured false (IJ_OK) when the area has no
 * Notify service: then nothing else is read. */
ij_err ij_store_message_context(ij_conn *conn, const char *area, ij_message_context *out);

/* A message to write. Strings borrowed; NULL for SQL NULL. */
typedef struct {
  const char *area, *referral_id, *booking_id;
  const char *kind, *recipient, *channel, *to, *language, *template_id;
  const char *status; /* "queued" or "not_sent" */
  const char *reason; /* the not-sent reason, else NULL */
  const ij_message_field *fields;
  int nfields;
} ij_message_write;

/* Inserts the message (its next attempt at `at` when queued). A reminder the booking has already
 * for the recipient is not written again (*made false). */
ij_err ij_store_message_add(ij_conn *conn, const ij_message_write *m, ij_time_us at, bool *made);

/* A booking's session as a message needs it, one row: starts_at and ends_at (microseconds), the
 * place (the placement's location, else its name), what to bring ("" when none), the booking's
 * status, whether the session is cancelled ("t"/"f"), the booking's created_at (microseconds).
 * IJ_ERR_NOT_FOUND when the booking is not the area's. *out: ij_rows_clear. */
ij_err ij_store_message_booking(ij_conn *conn, const char *area, const char *booking_id,
                                ij_rows *out);
/* The label of the placement type of a referral's work: of its latest booking that credited
 * minutes, else of its latest booking; NULL cell when it has none. *out: ij_rows_clear. */
ij_err ij_store_message_work_type(ij_conn *conn, const char *area, const char *referral_id,
                                  ij_rows *out);
/* The bookings of a session still booked: booking id, referral id. *out: ij_rows_clear. */
ij_err ij_store_session_booked(ij_conn *conn, const char *area, const char *session_id,
                               ij_rows *out);

/* The bookings of the area that may owe a reminder: booked, on a session not cancelled starting
 * after `from` and at or before `to`, with no reminder written: booking id, referral id, status,
 * starts_at and created_at (microseconds), by start. *out: ij_rows_clear. */
ij_err ij_store_reminder_candidates(ij_conn *conn, const char *area, ij_time_us from, ij_time_us to,
                                    ij_rows *out);

/* Whether the referral is the area's (IJ_ERR_NOT_FOUND if not), then its messages oldest first:
 * id, kind, recipient, channel, to_address, language, status, reason, booking_id, template_id,
 * attempts, last_error, created_at, sent_at, status_at (microseconds; NULL when unset).
 * *out: ij_rows_clear. */
ij_err ij_store_messages_of_referral(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_rows *out);

/* The messages to people about their sessions that failed, and the reminders that were not
 * sent, for sessions starting after `now`, oldest session first (at most limit): message id,
 * referral id, person name, phone, booking id, session starts_at (microseconds), recipient,
 * channel, status, reason, last_error, status_at (microseconds), kind, session ends_at
 * (microseconds), placement name. *out: ij_rows_clear. */
ij_err ij_store_messages_failed(ij_conn *conn, const char *area, ij_time_us now, int limit,
                                ij_rows *out);

#endif
