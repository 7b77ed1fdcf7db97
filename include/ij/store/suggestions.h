/* Booking suggestions: the sessions of an area that a person could be booked on, read in one
 * statement within the bounds the domain gives (ij/domain_suggest.h).
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_suggested_sessions owns its items and their strings until
 * ij_suggested_sessions_clear. */
#ifndef IJ_STORE_SUGGESTIONS_H
#define IJ_STORE_SUGGESTIONS_H

#include <stdbool.h>

#include "ij/domain_suggest.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/pool.h"

/* A session as a suggestion shows it, with what the booking check reads. */
typedef struct {
  char id[IJ_UUID_BUF];
  ij_time_us starts_at, ends_at;
  bool cancelled;
  int capacity;
  int booked;
  int min_age;
  char placement_id[IJ_UUID_BUF];
  const char *placement_name, *placement_type, *ward, *supervisor_sub, *supervisor_name;
} ij_suggested_session;

typedef struct {
  int count;
  ij_suggested_session *items;
  void *owner_;
} ij_suggested_sessions;
/* Frees the items and their strings and zeroes the list (NULL and a zeroed list are ignored). */
void ij_suggested_sessions_clear(ij_suggested_sessions *list);

/* The area's sessions within `w` (starting after w->after and before w->before; a placement's
 * minimum age as w sets it) that are not cancelled, have a place left, on which nobody holding a
 * place has a non-association in force with person_id, and that do not overlap a place
 * person_id holds (as the constraint bookings_no_overlap counts places); by start, the sessions
 * of `ward` first among those starting together, then by id; at most `limit`. *out:
 * ij_suggested_sessions_clear. */
ij_err ij_store_session_suggestions(ij_conn *conn, const char *area, const char *person_id,
                                    const char *ward, const ij_suggest_window *w, int limit,
                                    ij_suggested_sessions *out);

#endif
