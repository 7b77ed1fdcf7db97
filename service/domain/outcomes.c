/* Attendance outcomes on a booking (Community Payback conventions): their names and kinds, and
 * what recording one does to the booking and its referral (minutes, breaches, places). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "domain_internal.h"

static const char *const k_outcome_names[IJ_OUTCOME__COUNT] = {
#define IJ_OUTCOME_NAME_ENTRY(code, name) [code] = name,
    IJ_OUTCOME_LIST(IJ_OUTCOME_NAME_ENTRY)
#undef IJ_OUTCOME_NAME_ENTRY
};

#define IJ_LIST_ENTRY(name) name,
static const char *const k_absence_reasons[] = {IJ_ABSENCE_REASON_LIST(IJ_LIST_ENTRY)};
static const char *const k_ratings[] = {IJ_RATING_LIST(IJ_LIST_ENTRY)};
#undef IJ_LIST_ENTRY
#define N_ABSENCE_REASONS (sizeof k_absence_reasons / sizeof k_absence_reasons[0])
#define N_RATINGS (sizeof k_ratings / sizeof k_ratings[0])

const char *ij_outcome_name(ij_outcome o) {
  return (unsigned)o < IJ_OUTCOME__COUNT ? k_outcome_names[o] : NULL;
}

ij_err ij_outcome_parse(const char *s, ij_outcome *out) {
  for (int i = 0; s != NULL && i < IJ_OUTCOME__COUNT; i++) {
    if (strcmp(s, k_outcome_names[i]) == 0) {
      if (out != NULL) {
        *out = (ij_outcome)i;
      }
      return IJ_OK;
    }
  }
  return IJ_ERR_INVALID;
}

bool ij_outcome_attended(ij_outcome o) {
  return o == IJ_OUTCOME_ATTENDED_COMPLIED || o == IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY ||
         o == IJ_OUTCOME_SENT_HOME_BEHAVIOUR || o == IJ_OUTCOME_SENT_HOME_SERVICE_ISSUE;
}

bool ij_outcome_breach(ij_outcome o) {
  return o == IJ_OUTCOME_ABSENT_UNACCEPTABLE || o == IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY ||
         o == IJ_OUTCOME_SENT_HOME_BEHAVIOUR;
}

bool ij_outcome_frees_place(ij_outcome o) {
  return o == IJ_OUTCOME_RESCHEDULED || o == IJ_OUTCOME_CANCELLED;
}

static bool is_absent(ij_outcome o) {
  return o == IJ_OUTCOME_ABSENT_ACCEPTABLE || o == IJ_OUTCOME_ABSENT_UNACCEPTABLE;
}

static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(s, list[i]) == 0) {
      return true;
    }
  }
  return false;
}

/* "a, b, c" into buf (truncated if it must be). */
static void join(const char *const *list, size_t n, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < size; i++) {
    int w = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", list[i]);
    if (w < 0) {
      break;
    }
    used += (size_t)w;
  }
}

/* The session's length in whole minutes; 0 for an empty or inverted session. */
static int session_minutes(const ij_booking_facts *b) {
  if (b->ends_at <= b->starts_at) {
    return 0;
  }
  int64_t minutes = (b->ends_at - b->starts_at) / (60 * IJ_US_PER_SECOND);
  return minutes > INT_MAX ? INT_MAX : (int)minutes;
}

/* The data of the request, every problem collected; returns the number of problems. */
static int check_input(const ij_outcome_input *in, const ij_booking_facts *b, ij_time_us now,
                       ij_field_errors *errs) {
  int problems = 0;
  char names[160];
  if ((unsigned)in->outcome >= IJ_OUTCOME__COUNT) {
    join(k_outcome_names, IJ_OUTCOME__COUNT, names, sizeof names);
    ij_field_errors_add(errs, "outcome", "must be one of %s", names);
    problems++;
  }
  bool attended = ij_outcome_attended(in->outcome);

  if (in->outcome == IJ_OUTCOME_ABSENT_ACCEPTABLE) {
    if (in->absence_reason == NULL) {
      ij_field_errors_add(errs, "absence_reason", "is required for absent_acceptable");
      problems++;
    } else if (!in_list(in->absence_reason, k_absence_reasons, N_ABSENCE_REASONS)) {
      join(k_absence_reasons, N_ABSENCE_REASONS, names, sizeof names);
      ij_field_errors_add(errs, "absence_reason", "must be one of %s", names);
      problems++;
    }
  } else if (in->absence_reason != NULL) {
    ij_field_errors_add(errs, "absence_reason", "is recorded only with absent_acceptable");
    problems++;
  }

  if (in->has_penalty) {
    int length = session_minutes(b);
    if (!attended) {
      ij_field_errors_add(errs, "penalty_minutes", "is recorded only with an attended outcome");
      problems++;
    } else if (in->penalty_minutes < 0 || in->penalty_minutes > length) {
      ij_field_errors_add(errs, "penalty_minutes",
                          "must be between 0 and %d minutes (the session's length)", length);
      problems++;
    }
  }

  const struct {
    const char *field;
    const char *value;
  } ratings[] = {{"behaviour", in->behaviour}, {"work_quality", in->work_quality}};
  for (size_t i = 0; i < sizeof ratings / sizeof ratings[0]; i++) {
    if (ratings[i].value == NULL) {
      continue;
    }
    if (!attended) {
      ij_field_errors_add(errs, ratings[i].field, "is rated only for an attended outcome");
      problems++;
    } else if (!in_list(ratings[i].value, k_ratings, N_RATINGS)) {
      join(k_ratings, N_RATINGS, names, sizeof names);
      ij_field_errors_add(errs, ratings[i].field, "must be one of %s", names);
      problems++;
    }
  }

  if (in->notes != NULL && strlen(in->notes) > IJ_MAX_NOTE) {
    ij_field_errors_add(errs, "notes", "is too long (at most %d bytes)", IJ_MAX_NOTE);
    problems++;
  }

  if (in->outcome == IJ_OUTCOME_RESCHEDULED && !in->has_rescheduled_session) {
    ij_field_errors_add(errs, "rescheduled_session_id",
                        "is required for rescheduled: the session the person is moved to");
    problems++;
  } else if (in->outcome != IJ_OUTCOME_RESCHEDULED && in->has_rescheduled_session) {
    ij_field_errors_add(errs, "rescheduled_session_id", "is used only with rescheduled");
    problems++;
  }

  if (in->has_worked) {
    if (!attended && (unsigned)in->outcome < IJ_OUTCOME__COUNT) {
      ij_field_errors_add(errs, "outcome",
                          "a sign-out records an attended outcome: attended_complied, "
                          "attended_failed_to_comply, sent_home_behaviour or "
                          "sent_home_service_issue");
      problems++;
    }
    ij_worked_times t = {in->started_at, in->finished_at, b->signed_in_at, now};
    problems += ij_domain_worked_check(&t, errs);
    if (in->amendment_reason != NULL) {
      ij_field_errors_add(errs, "amendment_reason",
                          "is not used by a sign-out; amend an outcome with the outcome endpoint");
      problems++;
    }
  } else if (b->has_outcome) {
    if (ij_text_is_blank(in->amendment_reason)) {
      ij_field_errors_add(errs, "amendment_reason",
                          "is required: the booking has an outcome already, and changing it is "
                          "an amendment");
      problems++;
    } else if (strlen(in->amendment_reason) > IJ_MAX_NOTE) {
      ij_field_errors_add(errs, "amendment_reason", "is too long (at most %d bytes)", IJ_MAX_NOTE);
      problems++;
    }
  } else if (in->amendment_reason != NULL) {
    ij_field_errors_add(errs, "amendment_reason",
                        "is used only to amend an outcome; this booking has none yet");
    problems++;
  }
  return problems;
}

/* What the booking and its referral allow; false with an error on "outcome" when they do not. */
static bool check_conflicts(const ij_outcome_input *in, const ij_booking_facts *b,
                            const ij_referral_facts *r, ij_time_us now, ij_field_errors *errs) {
  if (r->state != IJ_STATE_SCHEDULED && r->state != IJ_STATE_IN_PROGRESS) {
    const char *state = ij_state_name(r->state);
    if (r->state == IJ_STATE_SUBMITTED || r->state == IJ_STATE_ACCEPTED) {
      ij_field_errors_add(errs, "outcome",
                          "the referral is %s, not scheduled or in progress: outcomes are "
                          "recorded only for a scheduled or in-progress referral",
                          state != NULL ? state : "in an unknown state");
    } else {
      ij_field_errors_add(errs, "outcome",
                          "the referral has ended (%s): its outcomes can no longer be recorded or "
                          "amended",
                          state != NULL ? state : "unknown state");
    }
    return false;
  }
  if (!b->has_outcome && !b->holds_place) {
    ij_field_errors_add(errs, "outcome",
                        "the booking was cancelled or rescheduled; record the outcome on the "
                        "booking that replaced it");
    return false;
  }
  if (b->has_outcome && ij_outcome_frees_place(in->outcome)) {
    ij_field_errors_add(errs, "outcome",
                        "a recorded outcome cannot be amended to %s; cancel or reschedule "
                        "only a booking that has no outcome yet",
                        ij_outcome_name(in->outcome));
    return false;
  }
  if ((ij_outcome_attended(in->outcome) || is_absent(in->outcome)) && b->starts_at > now) {
    ij_field_errors_add(errs, "outcome",
                        "the session has not started yet: attendance can be recorded once it "
                        "has begun");
    return false;
  }
  return true;
}

ij_err ij_domain_outcome_decide(const ij_outcome_input *in, const ij_booking_facts *booking,
                                const ij_referral_facts *referral, ij_time_us now,
                                ij_outcome_effect *out, ij_field_errors *errs) {
  if (in == NULL || booking == NULL || referral == NULL || out == NULL) {
    return IJ_ERR_INTERNAL;
  }
  memset(out, 0, sizeof *out);
  if (in->has_worked && booking->has_outcome) {
    ij_field_errors_add(errs, "booking",
                        "has an outcome already (signed out): amend it with the outcome endpoint");
    return IJ_ERR_CONFLICT;
  }
  if (in->has_worked && booking->signed_in_at == 0) {
    ij_field_errors_add(errs, "booking", "is not signed in: sign the person in on arrival first");
    return IJ_ERR_CONFLICT;
  }
  if (check_input(in, booking, now, errs) > 0) {
    return IJ_ERR_INVALID;
  }
  if (!check_conflicts(in, booking, referral, now, errs)) {
    return IJ_ERR_CONFLICT;
  }

  int64_t previous = booking->has_outcome ? booking->previous_minutes : 0;
  int64_t credited = 0;
  if (ij_outcome_attended(in->outcome)) {
    /* the times worked: a sign-out's, else those an earlier sign-out recorded, else the session */
    bool timed = booking->started_at != 0 && booking->finished_at != 0;
    int base = in->has_worked ? ij_domain_minutes_worked(in->started_at, in->finished_at, now)
               : timed ? ij_domain_minutes_worked(booking->started_at, booking->finished_at, now)
                       : session_minutes(booking);
    credited = (int64_t)base - (in->has_penalty ? in->penalty_minutes : 0);
    if (credited < 0) {
      credited = 0;
    }
    /* What the referral still owes, this booking's previous minutes counted back. */
    int64_t owed = (int64_t)referral->hours_required * 60 - (referral->minutes_credited - previous);
    if (owed < 0) {
      owed = 0;
    }
    if (credited > owed) {
      credited = owed;
    }
    /* without times worked, credit only what the session has run so far */
    int elapsed = ij_domain_session_elapsed_minutes(booking->starts_at, booking->ends_at, now);
    if (!in->has_worked && !timed && credited > elapsed) {
      ij_field_errors_add(errs, "outcome",
                          "the session has run %d of its %d minutes, so %d minutes cannot be "
                          "credited yet: sign the person out with the times worked, or record "
                          "the outcome once the session has ended",
                          elapsed, session_minutes(booking), (int)credited);
      return IJ_ERR_CONFLICT;
    }
  }
  out->minutes_credited = (int)credited;
  out->minutes_delta = (int)(credited - previous);
  out->breaches_delta = (ij_outcome_breach(in->outcome) ? 1 : 0) -
                        (booking->has_outcome && ij_outcome_breach(booking->previous) ? 1 : 0);
  out->places_delta = booking->holds_place && ij_outcome_frees_place(in->outcome) ? -1 : 0;
  out->attended = ij_outcome_attended(in->outcome);
  return IJ_OK;
}
