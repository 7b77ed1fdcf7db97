/* Coordinators' work lists: referrals awaiting triage, referrals past their start target,
 * sessions coming up with who is booked, and bookings whose outcome is due. Read-only views over
 * referrals, sessions and bookings, each a keyset-paged list.
 *
 * Ownership: the connection and the cursor are borrowed for the call. A page owns its items,
 * their strings and (for sessions) their bookings until its *_clear; the items must not be
 * cleared one by one. */
#ifndef IJ_STORE_WORKLISTS_H
#define IJ_STORE_WORKLISTS_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/pool.h"
#include "ij/store/referrals.h"

/* A keyset position in a work list: the list's sort instant and the row's id. */
typedef struct {
  bool has;
  ij_time_us at;
  char id[IJ_UUID_BUF];
} ij_worklist_cursor;

/* Referrals awaiting triage (submitted), oldest first (keyset on created_at, id). Items are
 * summaries as ij_store_referral_list gives them. *out: ij_referral_page_clear. */
ij_err ij_store_worklist_triage(ij_conn *conn, const char *area, const ij_worklist_cursor *after,
                                int limit, ij_referral_page *out);
/* Referrals in a state of `clock_states` (bit 1u << state: the states in which the start clock
 * runs, ij_domain_clock_states), with nothing attended, past target_start_by at `now`; most
 * overdue first (keyset on target_start_by, id). *out: ij_referral_page_clear. */
ij_err ij_store_worklist_overdue(ij_conn *conn, const char *area, unsigned clock_states,
                                 ij_time_us now, const ij_worklist_cursor *after, int limit,
                                 ij_referral_page *out);

/* Someone on a work list's session. Strings live in the page. */
typedef struct {
  const char *id;
  const char *referral_id;
  const char *person_name;
  const char *status; /* "booked" or an outcome */
} ij_worklist_booking;

/* A session on the work list. Strings and bookings live in the page. */
typedef struct {
  const char *id;
  ij_time_us starts_at, ends_at;
  int capacity, booked;
  const char *supervisor_sub, *supervisor_name;
  const char *placement_id, *placement_name, *placement_type, *ward;
  const char *location; /* NULL when the placement gives none */
  int nbookings;
  ij_worklist_booking *bookings; /* who holds (or held) a place: not cancelled or rescheduled */
} ij_worklist_session;

typedef struct {
  int count;
  ij_worklist_session *items;
  bool more;
  void *owner_;
} ij_worklist_session_page;

/* Sessions of the area starting in [from, to), not cancelled, by start time (keyset on
 * starts_at, id), each with its bookings. *out: ij_worklist_session_page_clear. */
ij_err ij_store_worklist_sessions(ij_conn *conn, const char *area, ij_time_us from, ij_time_us to,
                                  const ij_worklist_cursor *after, int limit,
                                  ij_worklist_session_page *out);
/* Frees the items, their strings and bookings and zeroes the page (NULL and a zeroed page are
 * ignored). */
void ij_worklist_session_page_clear(ij_worklist_session_page *page);

/* A booking whose outcome is due. Strings live in the page. */
typedef struct {
  const char *id; /* the booking's */
  int version;    /* the booking's, for If-Match on its outcome */
  const char *referral_id;
  const char *person_name;
  const char *session_id;
  ij_time_us starts_at, ends_at;
  const char *placement_id, *placement_name;
  const char *supervisor_sub, *supervisor_name; /* the session's */
} ij_outcome_due;

typedef struct {
  int count;
  ij_outcome_due *items;
  bool more;
  void *owner_;
} ij_outcome_due_page;

/* Bookings still "booked" whose session ended before `now`, oldest end first (keyset on ends_at,
 * id). *out: ij_outcome_due_page_clear. */
ij_err ij_store_worklist_outcomes_due(ij_conn *conn, const char *area, ij_time_us now,
                                      const ij_worklist_cursor *after, int limit,
                                      ij_outcome_due_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_outcome_due_page_clear(ij_outcome_due_page *page);

#endif
