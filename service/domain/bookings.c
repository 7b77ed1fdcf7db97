/* Booking a referral onto a session: the early answer before the store takes its row locks.
 * The store enforces capacity and overlaps again under concurrency (constraints, locks). */
#include "domain_internal.h"

bool ij_domain_state_bookable(ij_state s) {
  return s == IJ_STATE_ACCEPTED || s == IJ_STATE_SCHEDULED || s == IJ_STATE_IN_PROGRESS;
}

ij_err ij_domain_booking_check(ij_state state, ij_date date_of_birth, const ij_session_facts *s,
                               ij_time_us now, ij_field_errors *errs) {
  return ij_domain_booking_check_mode(IJ_BOOKING_ORDINARY, NULL, state, date_of_birth, s, now,
                                      errs);
}
