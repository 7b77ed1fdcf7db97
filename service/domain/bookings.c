/* Booking a referral onto a session: the early answer before the store takes its row locks.
 * The store enforces capacity and overlaps again under concurrency (constraints, locks). */
#include "domain_internal.h"

bool ij_domain_state_bookable(ij_state s) {
  return s == IJ_STATE_ACCEPTED || s == IJ_STATE_SCHEDULED || s == IJ_STATE_IN_PROGRESS;
}

ij_err ij_domain_booking_check(ij_state state, ij_date date_of_birth, const ij_session_facts *s,
                               ij_time_us now, ij_field_errors *errs) {
  if (s == NULL || (unsigned)state >= IJ_STATE__COUNT) {
    return IJ_ERR_INTERNAL;
  }
  if (!ij_domain_state_bookable(state)) {
    ij_field_errors_add(errs, "referral",
                        "the referral is %s; only an accepted, scheduled or in-progress referral "
                        "can be booked onto a session",
                        ij_state_name(state));
    return IJ_ERR_TRANSITION;
  }
  if (s->cancelled) {
    ij_field_errors_add(errs, "session_id", "the session has been cancelled");
    return IJ_ERR_CONFLICT;
  }
  if (s->starts_at <= now) {
    ij_field_errors_add(errs, "session_id",
                        "the session has already started; choose a session that starts later");
    return IJ_ERR_CONFLICT;
  }
  if (s->referral_booked) {
    ij_field_errors_add(errs, "session_id", "the referral is booked on this session already");
    return IJ_ERR_CONFLICT;
  }
  if (s->non_associated) {
    /* the other person is not named: whoever books may not be allowed to know who they are */
    ij_field_errors_add(errs, "session_id",
                        "the person cannot be placed on this session; choose another session");
    return IJ_ERR_CONFLICT;
  }
  if (s->booked >= s->capacity) {
    ij_field_errors_add(errs, "session_id", "the session is full (%d of %d places taken)",
                        s->booked, s->capacity);
    return IJ_ERR_CONFLICT;
  }
  int age = ij_age_years(date_of_birth, ij_time_date(s->starts_at));
  if (age < 0) {
    ij_field_errors_add(errs, "session_id",
                        "the person's date of birth is after the day of the session");
    return IJ_ERR_CONFLICT;
  }
  if (age < s->min_age) {
    ij_field_errors_add(errs, "session_id",
                        "the person will be %d on the day of the session, under the placement's "
                        "minimum age of %d",
                        age, s->min_age);
    return IJ_ERR_CONFLICT;
  }
  return IJ_OK;
}
