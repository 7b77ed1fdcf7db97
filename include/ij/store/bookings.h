/* Bookings and attendance: a referral's place on a session, the outcome recorded on it (attended,
 * absent, rescheduled...) and the history of those outcomes.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_booking_list owns its items and their strings until ij_booking_list_clear; outcome
 * histories come back as ij_rows the caller owns until ij_rows_clear. */
#ifndef IJ_STORE_BOOKINGS_H
#define IJ_STORE_BOOKINGS_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/audit.h"
#include "ij/store/pool.h"

/* Takes a place on the session and inserts the booking, in the caller's transaction, marked as a
 * walk-in or a late entry (late_entry_reason, or NULL) as the operation decided.
 * IJ_ERR_CONFLICT with a field error on "session_id" when the session is full or cancelled, when
 * the person is booked on an overlapping session, or when the referral is booked on it already. */
ij_err ij_store_booking_insert(ij_conn *conn, const char *area, const char *booking_id,
                               const char *referral_id, const char *person_id,
                               const char *session_id, bool walk_in, const char *late_entry_reason,
                               ij_time_us at, ij_field_errors *errs);

/* A booking as stored. Strings live in the list (ij_booking_list_clear). */
typedef struct {
  char id[IJ_UUID_BUF];
  char referral_id[IJ_UUID_BUF];
  char session_id[IJ_UUID_BUF];
  char placement_id[IJ_UUID_BUF];
  const char *placement_name;
  const char *person_name;
  const char *supervisor_sub; /* the session's */
  ij_time_us starts_at, ends_at;
  const char *status; /* "booked" or an outcome name */
  const char *absence_reason;
  int penalty_minutes;
  int minutes_credited;
  const char *behaviour, *work_quality, *notes;
  const char *rescheduled_to;
  int version;
  ij_time_us created_at, updated_at;
  bool walk_in;                       /* added once its session had started */
  const char *late_entry_reason;      /* added after its session was over (NULL: not) */
  ij_time_us signed_in_at;            /* 0: not signed in */
  ij_time_us started_at, finished_at; /* the times worked a sign-out gave; 0: none */
} ij_booking;

typedef struct {
  int count;
  ij_booking *items;
  void *owner_;
} ij_booking_list;
/* Frees the items and their strings and zeroes the list (NULL and a zeroed list are ignored). */
void ij_booking_list_clear(ij_booking_list *list);

/* One booking (lock: FOR UPDATE within the caller's transaction). IJ_ERR_NOT_FOUND when not in
 * the area. The list owns the strings: ij_booking_list_clear. */
ij_err ij_store_booking_get(ij_conn *conn, const char *area, const char *id, bool lock,
                            ij_booking_list *out);
/* Every booking of a referral, by start time. *out: ij_booking_list_clear. */
ij_err ij_store_bookings_of_referral(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_booking_list *out);

/* One booking and the outcomes recorded on it (as ij_store_booking_outcomes gives them), read in
 * one round trip on one snapshot. IJ_ERR_NOT_FOUND when not in the area. *booking:
 * ij_booking_list_clear; *outcomes: ij_rows_clear (both zeroed on failure). */
ij_err ij_store_booking_with_outcomes(ij_conn *conn, const char *area, const char *id,
                                      ij_booking_list *booking, ij_rows *outcomes);
/* The outcomes recorded on a booking, oldest first: seq, status, minutes_credited,
 * amendment_reason, actor_sub, actor_name, actor_role, at (microseconds). *out: ij_rows_clear. */
ij_err ij_store_booking_outcomes(ij_conn *conn, const char *area, const char *booking_id,
                                 ij_rows *out);

/* An outcome to record. Strings borrowed for the call. */
typedef struct {
  const char *status;
  const char *absence_reason;
  int penalty_minutes;
  int minutes_credited;
  const char *behaviour, *work_quality, *notes;
  const char *rescheduled_to; /* the new booking's id, or NULL */
  const char *amendment_reason;
  ij_time_us started_at, finished_at; /* a sign-out's times worked; 0: keep those recorded */
} ij_booking_outcome_record;

/* Records an outcome on a booking at expected_version (else IJ_ERR_STALE), appends it to the
 * booking's outcome history, and frees the session place when `free_place`. */
ij_err ij_store_booking_record(ij_conn *conn, const char *area, const char *booking_id,
                               int expected_version, const ij_booking_outcome_record *rec,
                               bool free_place, const ij_audit *audit);

/* Signs the person in at `at` on a booking at expected_version that is open (status booked) and
 * not signed in yet, in the caller's transaction; IJ_ERR_STALE otherwise. */
ij_err ij_store_booking_sign_in(ij_conn *conn, const char *area, const char *booking_id,
                                int expected_version, ij_time_us at);

/* Cancels a referral's open bookings (status booked), frees their places, and lowers the
 * referral's active_bookings; in the caller's transaction. *cancelled: how many. */
ij_err ij_store_bookings_cancel_open(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_time_us at, int *cancelled);

#endif
