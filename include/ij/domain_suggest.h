/* Booking suggestions: the sessions a referral could be booked on now, best first. Every rule a
 * suggestion must satisfy is the booking's own (ij_domain_booking_check): a suggestion is a
 * session that POST /v1/referrals/{id}/bookings would accept at the same instant. Pure domain: no
 * I/O, no clock reads; strings passed in are borrowed for the call. */
#ifndef IJ_DOMAIN_SUGGEST_H
#define IJ_DOMAIN_SUGGEST_H

#include <stdbool.h>

#include "ij/domain.h"

#define IJ_SUGGEST_DAYS 28         /* how far ahead suggestions look */
#define IJ_SUGGEST_LIMIT_DEFAULT 5 /* suggestions given when the caller names no limit */
#define IJ_SUGGEST_LIMIT_MAX 20

/* Whether a referral in `state` may have suggestions: IJ_OK when it may be booked at all, else
 * the booking's own refusal (IJ_ERR_TRANSITION with its field error on "referral"). */
ij_err ij_domain_suggest_state(ij_state state, ij_field_errors *errs);

/* The sessions worth reading, as bounds a query can apply: starting after `after` (a session that
 * has started is no longer booked ahead) and before `before`; and, since a person's age moves at
 * most once in the window, a placement's minimum age is met when it is at most age_now, or at
 * most age_later on a session starting at or after age_later_from (the person's birthday in the
 * window, 00:00 UTC; `before` when there is none). Exact: a session outside these bounds fails
 * the booking's age or time rule, one inside passes them. */
typedef struct {
  ij_time_us after;
  ij_time_us before;
  int age_now;
  int age_later;
  ij_time_us age_later_from;
} ij_suggest_window;

/* The window for a person born on date_of_birth, looking `days` ahead of now. */
void ij_domain_suggest_window(ij_time_us now, ij_date date_of_birth, int days,
                              ij_suggest_window *out);

/* One session that might be suggested: what the booking check reads, whether the person holds
 * another place at an overlapping time (the store's bookings_no_overlap refuses that booking),
 * and what the ranking reads. `id` is borrowed; `ref` is the caller's own (an index into its
 * rows, say), carried through the ranking. */
typedef struct {
  const char *id;
  int ref;
  ij_session_facts facts;
  bool overlaps;
  bool same_ward;     /* the placement is in the referral's ward */
  bool within_target; /* set by ij_domain_suggest_rank: starts before target_start_by */
} ij_suggest_candidate;

/* The referral the suggestions are for. */
typedef struct {
  ij_state state;
  ij_date date_of_birth;
  ij_time_us target_start_by;
  ij_time_us now;
} ij_suggest_for;

/* Keeps the candidates the booking would accept (ij_domain_booking_check passes, no overlap),
 * best first: those starting before target_start_by, then the earliest start, then (among
 * sessions starting together) the referral's own ward, then by id; at most `limit` of them.
 * Reorders `items` in place and returns how many lead it (0 to limit). */
int ij_domain_suggest_rank(const ij_suggest_for *who, ij_suggest_candidate *items, int count,
                           int limit);

#endif
