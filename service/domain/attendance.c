/* Attendance as it happens on site: signing a person in on arrival, the times a sign-out gives,
 * and the minutes of a session already worked, so that no outcome credits time not yet worked. */
#include <limits.h>
#include <stddef.h>

#include "domain_internal.h"

#define US_PER_MINUTE (60 * IJ_US_PER_SECOND)

static const char *const k_sign_in_messages[IJ_SIGN_IN__COUNT] = {
    [IJ_SIGN_IN_OK] = "the person can be signed in",
    [IJ_SIGN_IN_REFERRAL_STATE] = "the referral is not scheduled or in progress: only a person "
                                  "with a scheduled or in-progress referral is signed in",
    [IJ_SIGN_IN_NOT_BOOKED] = "the booking has an outcome already, or was cancelled or "
                              "rescheduled: only a booking still open is signed in",
    [IJ_SIGN_IN_TOO_EARLY] = "the session has not started: sign-in opens 30 minutes before its "
                             "start",
    [IJ_SIGN_IN_ENDED] = "the session has ended: record its outcome instead of signing in",
};

const char *ij_domain_sign_in_message(ij_sign_in_refusal r) {
  return (unsigned)r < IJ_SIGN_IN__COUNT ? k_sign_in_messages[r] : NULL;
}

static ij_sign_in_refusal sign_in_refusal(ij_state state, const ij_booking_facts *b,
                                          ij_time_us now) {
  if (state != IJ_STATE_SCHEDULED && state != IJ_STATE_IN_PROGRESS) {
    return IJ_SIGN_IN_REFERRAL_STATE;
  }
  if (b->has_outcome || !b->holds_place) {
    return IJ_SIGN_IN_NOT_BOOKED;
  }
  if (b->signed_in_at != 0) {
    return IJ_SIGN_IN_OK; /* signed in already: nothing changes, whatever the time */
  }
  if (now < b->starts_at - IJ_SIGN_IN_OPENS_US) {
    return IJ_SIGN_IN_TOO_EARLY;
  }
  if (now >= b->ends_at) {
    return IJ_SIGN_IN_ENDED;
  }
  return IJ_SIGN_IN_OK;
}

ij_err ij_domain_sign_in_check(ij_state referral_state, const ij_booking_facts *b, ij_time_us now,
                               bool *already, ij_sign_in_refusal *refusal, ij_field_errors *errs) {
  if (b == NULL || already == NULL) {
    return IJ_ERR_INTERNAL;
  }
  ij_sign_in_refusal r = sign_in_refusal(referral_state, b, now);
  if (refusal != NULL) {
    *refusal = r;
  }
  *already = r == IJ_SIGN_IN_OK && b->signed_in_at != 0;
  if (r == IJ_SIGN_IN_OK) {
    return IJ_OK;
  }
  ij_field_errors_add(errs, "booking", "%s", k_sign_in_messages[r]);
  return IJ_ERR_CONFLICT;
}

/* ---- the times a sign-out gives ---- */

static bool finish_before_start(const ij_worked_times *t) {
  return t->finished_at < t->started_at;
}
static bool start_before_sign_in(const ij_worked_times *t) {
  return t->signed_in_at != 0 && t->started_at < t->signed_in_at - IJ_START_TOLERANCE_US;
}
static bool start_in_future(const ij_worked_times *t) {
  return t->started_at > t->now;
}
static bool worked_too_long(const ij_worked_times *t) {
  return t->finished_at - t->started_at > (int64_t)IJ_SESSION_MAX_HOURS * IJ_US_PER_HOUR;
}

/* clang-format off */
static const ij_worked_rule k_worked_rules[] = {
  {"finished_at", finish_before_start,
   "must not be before started_at"},
  {"started_at", start_before_sign_in,
   "must not be more than 15 minutes before the person was signed in"},
  {"started_at", start_in_future,
   "must not be in the future: credit only time already worked"},
  {"finished_at", worked_too_long,
   "must be at most 24 hours after started_at"},
};
/* clang-format on */

const ij_worked_rule *ij_domain_worked_rules(size_t *count) {
  if (count != NULL) {
    *count = sizeof k_worked_rules / sizeof k_worked_rules[0];
  }
  return k_worked_rules;
}

int ij_domain_worked_check(const ij_worked_times *t, ij_field_errors *errs) {
  int problems = 0;
  for (size_t i = 0; t != NULL && i < sizeof k_worked_rules / sizeof k_worked_rules[0]; i++) {
    const ij_worked_rule *rule = &k_worked_rules[i];
    if (!rule->broken(t) || ij_field_errors_has(errs, rule->field)) {
      continue;
    }
    ij_field_errors_add(errs, rule->field, "%s", rule->message);
    problems++;
  }
  return problems;
}

static int whole_minutes(int64_t us) {
  if (us <= 0) {
    return 0;
  }
  int64_t minutes = us / US_PER_MINUTE;
  return minutes > INT_MAX ? INT_MAX : (int)minutes;
}

int ij_domain_minutes_worked(ij_time_us started_at, ij_time_us finished_at, ij_time_us now) {
  ij_time_us end = finished_at < now ? finished_at : now;
  return whole_minutes(end - started_at);
}

int ij_domain_session_elapsed_minutes(ij_time_us starts_at, ij_time_us ends_at, ij_time_us now) {
  ij_time_us end = ends_at < now ? ends_at : now;
  return whole_minutes(end - starts_at);
}

ij_err ij_domain_bulk_outcome_check(const ij_outcome_input *in, int n, ij_field_errors *errs) {
  if (in == NULL) {
    return IJ_ERR_INTERNAL;
  }
  int problems = 0;
  if (n < 1 || n > IJ_BULK_OUTCOME_MAX) {
    ij_field_errors_add(errs, "booking_ids", "must list 1 to %d bookings of the session",
                        IJ_BULK_OUTCOME_MAX);
    problems++;
  }
  if (in->outcome == IJ_OUTCOME_RESCHEDULED) {
    ij_field_errors_add(errs, "outcome",
                        "rescheduled is recorded one booking at a time: each person moves to a "
                        "session of their own");
    problems++;
  }
  return problems ? IJ_ERR_INVALID : IJ_OK;
}
