/* Walk-ins and paper registers: the booking modes as a table, and the late-entry rules for
 * sessions, bookings and outcomes entered after the event. "now" is always passed in. */
#include <string.h>

#include "domain_internal.h"

static const ij_booking_mode_rule k_modes[IJ_BOOKING_MODE__COUNT] = {
    {IJ_BOOKING_ORDINARY, "booking", IJ_ROLE_COORDINATOR, false, IJ_FACT_NO, IJ_FACT_NO, NULL,
     "choose a session that starts later, or add the person as a walk-in"},
    {IJ_BOOKING_WALK_IN, "walk_in", IJ_ROLE_COORDINATOR | IJ_ROLE_SUPERVISOR, false, IJ_FACT_YES,
     IJ_FACT_NO, "book the referral on it instead",
     "a coordinator enters it as a late entry, with a reason"},
    {IJ_BOOKING_LATE_ENTRY, "late_entry", IJ_ROLE_COORDINATOR, true, IJ_FACT_YES, IJ_FACT_YES,
     "add the person as a walk-in or book them instead", NULL},
};

const ij_booking_mode_rule *ij_domain_booking_modes(size_t *count) {
  if (count) {
    *count = IJ_BOOKING_MODE__COUNT;
  }
  return k_modes;
}

ij_err ij_domain_booking_mode_may(ij_booking_mode mode, ij_roles roles, ij_field_errors *errs) {
  if ((unsigned)mode >= IJ_BOOKING_MODE__COUNT) {
    return IJ_ERR_INTERNAL;
  }
  if ((roles & k_modes[mode].roles) == 0) {
    ij_field_errors_add(errs, mode == IJ_BOOKING_LATE_ENTRY ? "late_entry_reason" : "session_id",
                        mode == IJ_BOOKING_LATE_ENTRY
                            ? "only a coordinator enters a paper register after the event"
                            : "your role may not add people to this session");
    return IJ_ERR_FORBIDDEN;
  }
  return IJ_OK;
}

ij_err ij_domain_late_entry_reason(const char *reason, bool required, ij_field_errors *errs) {
  if (reason == NULL) {
    if (!required) {
      return IJ_OK;
    }
    ij_field_errors_add(errs, "late_entry_reason",
                        "is required: the session is over, and an entry made afterwards says why");
    return IJ_ERR_INVALID;
  }
  if (ij_text_is_blank(reason)) {
    ij_field_errors_add(errs, "late_entry_reason", "must not be blank");
    return IJ_ERR_INVALID;
  }
  if (strlen(reason) > IJ_LATE_ENTRY_REASON_MAX) {
    ij_field_errors_add(errs, "late_entry_reason", "must be at most %d bytes",
                        IJ_LATE_ENTRY_REASON_MAX);
    return IJ_ERR_INVALID;
  }
  if (ij_text_has_control(reason)) {
    ij_field_errors_add(errs, "late_entry_reason", "must not hold control characters");
    return IJ_ERR_INVALID;
  }
  return IJ_OK;
}

/* Whether the instant test holds for `yes` under `t`. */
static bool fits(ij_fact_test t, bool yes) {
  return t == IJ_FACT_ANY || (t == IJ_FACT_YES) == yes;
}

/* The session's time against the mode: NULL when it fits, else why not. */
static const char *time_refusal(const ij_booking_mode_rule *rule, bool started, bool ended,
                                const char **hint) {
  if (!fits(rule->started, started)) {
    *hint = started ? rule->hint_late : rule->hint_early;
    return started ? "the session has already started" : "the session has not started yet";
  }
  if (!fits(rule->ended, ended)) {
    *hint = ended ? rule->hint_late : rule->hint_early;
    return ended ? "the session is over" : "the session is not over yet";
  }
  return NULL;
}

ij_err ij_domain_booking_check_mode(ij_booking_mode mode, const char *late_entry_reason,
                                    ij_state state, ij_date date_of_birth,
                                    const ij_session_facts *s, ij_time_us now,
                                    ij_field_errors *errs) {
  if (s == NULL || (unsigned)mode >= IJ_BOOKING_MODE__COUNT || (unsigned)state >= IJ_STATE__COUNT) {
    return IJ_ERR_INTERNAL;
  }
  const ij_booking_mode_rule *rule = &k_modes[mode];
  if (!rule->reason && late_entry_reason != NULL) {
    ij_field_errors_add(errs, "late_entry_reason",
                        "is only for a session that is over, entered from a paper register");
    return IJ_ERR_INVALID;
  }
  ij_err err = ij_domain_late_entry_reason(late_entry_reason, rule->reason, errs);
  if (err != IJ_OK) {
    return err;
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
  const char *hint = NULL;
  const char *why = time_refusal(rule, s->starts_at <= now, s->ends_at <= now, &hint);
  if (why != NULL) {
    ij_field_errors_add(errs, "session_id", "%s; %s", why, hint ? hint : "choose another session");
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

ij_err ij_domain_outcome_late_entry(ij_roles roles, bool booking_late, const char *reason,
                                    ij_time_us session_ends_at, ij_time_us now, bool *late,
                                    ij_field_errors *errs) {
  *late = booking_late || reason != NULL;
  if (!*late) {
    return IJ_OK;
  }
  if ((roles & IJ_ROLE_COORDINATOR) == 0) {
    ij_field_errors_add(errs, "late_entry_reason",
                        booking_late
                            ? "the booking was entered from a paper register: only a "
                              "coordinator records its outcome"
                            : "only a coordinator enters a paper register after the event");
    return IJ_ERR_FORBIDDEN;
  }
  if (reason != NULL && session_ends_at > now) {
    ij_field_errors_add(errs, "late_entry_reason", "is only for a session that is over");
    return IJ_ERR_INVALID;
  }
  return ij_domain_late_entry_reason(reason, true, errs);
}
