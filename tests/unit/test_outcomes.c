/* Attendance outcomes: names and kinds, every data check and conflict with both sides of its
 * boundary, the order of checks, and the effects over the whole matrix of outcome x (first
 * recording, amendment of each recorded outcome). Expectations are written from
 * docs/api-contract.md ("Bookings and attendance"), not derived from the code. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

Suite *outcomes_suite(void);

/* Written out from docs/api-contract.md, in the header's order: attended (hours may be credited),
 * breach (counts towards enforcement), frees the place (the booking stops holding it). */
static const struct {
  const char *name;
  bool attended, breach, frees;
} k_kinds[] = {
    {"attended_complied", true, false, false},  {"attended_failed_to_comply", true, true, false},
    {"sent_home_behaviour", true, true, false}, {"sent_home_service_issue", true, false, false},
    {"absent_acceptable", false, false, false}, {"absent_unacceptable", false, true, false},
    {"rescheduled", false, false, true},        {"cancelled", false, false, true},
};
#define N_KINDS (sizeof k_kinds / sizeof k_kinds[0])

static const char *const k_absence_reasons[] = {"medical", "family_childcare", "employment",
                                                "court_legal", "stood_down"};
static const char *const k_ratings[] = {"excellent", "good", "satisfactory", "unsatisfactory",
                                        "poor"};

static ij_time_us at(const char *text) {
  ij_time_us t = 0;
  ck_assert_msg(ij_time_parse(text, &t) == IJ_OK, "bad time %s", text);
  return t;
}

#define MINUTE (60 * IJ_US_PER_SECOND)
#define SESSION_MINUTES 420 /* 09:00 to 16:00 */

/* A booked place on a session of 25 November 2026, 09:00-16:00 UTC, no outcome yet. */
static ij_booking_facts booked(void) {
  ij_booking_facts b = {
      .has_outcome = false,
      .previous = IJ_OUTCOME_ATTENDED_COMPLIED,
      .previous_minutes = 0,
      .holds_place = true,
      .starts_at = at("2026-11-25T09:00:00Z"),
      .ends_at = at("2026-11-25T16:00:00Z"),
  };
  return b;
}

/* The same booking with an outcome recorded that credited `minutes`. */
static ij_booking_facts recorded(ij_outcome previous, int minutes) {
  ij_booking_facts b = booked();
  b.has_outcome = true;
  b.previous = previous;
  b.previous_minutes = minutes;
  return b;
}

/* An in-progress referral of 20 hours with `credited` minutes so far. */
static ij_referral_facts referral(int hours, int credited) {
  ij_referral_facts r = {
      .state = IJ_STATE_IN_PROGRESS,
      .officer_sub = "pc-101",
      .hours_required = hours,
      .minutes_credited = credited,
      .unacceptable_absences = 0,
      .warnings = 0,
      .active_bookings = 1,
      .attended = true,
      .last_check_recorded = false,
  };
  return r;
}

/* The smallest valid input for an outcome: the data it requires and nothing else. */
static ij_outcome_input input(ij_outcome o) {
  ij_outcome_input in = {.outcome = o};
  if (o == IJ_OUTCOME_ABSENT_ACCEPTABLE) {
    in.absence_reason = "medical";
  }
  if (o == IJ_OUTCOME_RESCHEDULED) {
    in.has_rescheduled_session = true;
  }
  return in;
}

#define AFTER "2026-11-25T17:00:00Z" /* the session has ended */

typedef struct {
  ij_err err;
  ij_outcome_effect eff;
  ij_field_errors errs;
} result;

static result decide_at(const ij_outcome_input *in, const ij_booking_facts *b,
                        const ij_referral_facts *r, ij_time_us now) {
  result res;
  ij_field_errors_init(&res.errs);
  memset(&res.eff, 0x5a, sizeof res.eff); /* outputs are always written */
  res.err = ij_domain_outcome_decide(in, b, r, now, &res.eff, &res.errs);
  return res;
}

static result decide(const ij_outcome_input *in, const ij_booking_facts *b,
                     const ij_referral_facts *r) {
  return decide_at(in, b, r, at(AFTER));
}

static const ij_field_error *find_error(const ij_field_errors *errs, const char *field) {
  for (int i = 0; i < errs->count; i++) {
    if (strcmp(errs->items[i].field, field) == 0) {
      return &errs->items[i];
    }
  }
  return NULL;
}

static void assert_ok(result r) {
  ck_assert_msg(r.err == IJ_OK, "got %s: %s %s", ij_err_name(r.err),
                r.errs.count > 0 ? r.errs.items[0].field : "",
                r.errs.count > 0 ? r.errs.items[0].message : "");
  ck_assert_int_eq(r.errs.count, 0);
}

/* IJ_ERR_INVALID with an error on `field` among `count` errors. */
static void assert_invalid(result r, const char *field, int count) {
  ck_assert_msg(r.err == IJ_ERR_INVALID, "got %s, want invalid on %s", ij_err_name(r.err), field);
  ck_assert_msg(find_error(&r.errs, field) != NULL, "no error on %s", field);
  ck_assert_int_eq(r.errs.count, count);
}

/* IJ_ERR_CONFLICT with the one error on "outcome", holding `words`. */
static void assert_conflict(result r, const char *words) {
  ck_assert_msg(r.err == IJ_ERR_CONFLICT, "got %s, want conflict (%s)", ij_err_name(r.err), words);
  ck_assert_int_eq(r.errs.count, 1);
  ck_assert_str_eq(r.errs.items[0].field, "outcome");
  ck_assert_msg(strstr(r.errs.items[0].message, words) != NULL, "\"%s\" lacks \"%s\"",
                r.errs.items[0].message, words);
}

static void assert_zero_effect(const ij_outcome_effect *e) {
  ck_assert_int_eq(e->minutes_credited, 0);
  ck_assert_int_eq(e->minutes_delta, 0);
  ck_assert_int_eq(e->breaches_delta, 0);
  ck_assert_int_eq(e->places_delta, 0);
  ck_assert(!e->attended);
}

/* ---- names and kinds ------------------------------------------------------------------------ */

START_TEST(test_outcome_names) {
  ck_assert_uint_eq(N_KINDS, IJ_OUTCOME__COUNT);
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    ck_assert_str_eq(ij_outcome_name((ij_outcome)o), k_kinds[o].name);
    ij_outcome back = IJ_OUTCOME__COUNT;
    ck_assert_int_eq(ij_outcome_parse(k_kinds[o].name, &back), IJ_OK);
    ck_assert_int_eq(back, o);
  }
  ck_assert_int_eq(ij_outcome_parse("cancelled", NULL), IJ_OK);
  ck_assert_ptr_null(ij_outcome_name(IJ_OUTCOME__COUNT));
  ck_assert_ptr_null(ij_outcome_name((ij_outcome)-1));
  ij_outcome out = IJ_OUTCOME_CANCELLED;
  const char *bad[] = {"",       "Attended_complied", "attended", "attended_complied ",
                       "booked", "absent-acceptable"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_int_eq(ij_outcome_parse(bad[i], &out), IJ_ERR_INVALID);
  }
  ck_assert_int_eq(ij_outcome_parse(NULL, &out), IJ_ERR_INVALID);
  ck_assert_int_eq(out, IJ_OUTCOME_CANCELLED);
}
END_TEST

START_TEST(test_outcome_kinds) {
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    ck_assert_msg(ij_outcome_attended((ij_outcome)o) == k_kinds[o].attended, "%s", k_kinds[o].name);
    ck_assert_msg(ij_outcome_breach((ij_outcome)o) == k_kinds[o].breach, "%s", k_kinds[o].name);
    ck_assert_msg(ij_outcome_frees_place((ij_outcome)o) == k_kinds[o].frees, "%s", k_kinds[o].name);
  }
  const ij_outcome out_of_range[] = {(ij_outcome)IJ_OUTCOME__COUNT, (ij_outcome)-1};
  for (size_t i = 0; i < 2; i++) {
    ck_assert(!ij_outcome_attended(out_of_range[i]));
    ck_assert(!ij_outcome_breach(out_of_range[i]));
    ck_assert(!ij_outcome_frees_place(out_of_range[i]));
  }
}
END_TEST

/* ---- the data: each field, refused where it does not belong ---------------------------------- */

START_TEST(test_minimal_inputs_accepted) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    ij_outcome_input in = input((ij_outcome)o);
    assert_ok(decide(&in, &b, &r));
  }
}
END_TEST

START_TEST(test_unknown_outcome) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  ij_outcome_input in = {.outcome = (ij_outcome)IJ_OUTCOME__COUNT};
  result res = decide(&in, &b, &r);
  assert_invalid(res, "outcome", 1);
  ck_assert_ptr_nonnull(strstr(find_error(&res.errs, "outcome")->message, "attended_complied"));
  in.outcome = (ij_outcome)-1;
  assert_invalid(decide(&in, &b, &r), "outcome", 1);
}
END_TEST

START_TEST(test_absence_reason) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  ij_outcome_input in = input(IJ_OUTCOME_ABSENT_ACCEPTABLE);
  for (size_t i = 0; i < sizeof k_absence_reasons / sizeof k_absence_reasons[0]; i++) {
    in.absence_reason = k_absence_reasons[i];
    assert_ok(decide(&in, &b, &r));
  }
  in.absence_reason = NULL;
  result res = decide(&in, &b, &r);
  assert_invalid(res, "absence_reason", 1);
  ck_assert_ptr_nonnull(strstr(find_error(&res.errs, "absence_reason")->message, "required"));
  const char *bad[] = {"", "Medical", "sick", "medical ", "stood-down"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    in.absence_reason = bad[i];
    res = decide(&in, &b, &r);
    assert_invalid(res, "absence_reason", 1);
    ck_assert_ptr_nonnull(strstr(find_error(&res.errs, "absence_reason")->message, "stood_down"));
  }
  /* refused with every other outcome, even a valid reason */
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    if (o == IJ_OUTCOME_ABSENT_ACCEPTABLE) {
      continue;
    }
    in = input((ij_outcome)o);
    in.absence_reason = "medical";
    assert_invalid(decide(&in, &b, &r), "absence_reason", 1);
  }
}
END_TEST

START_TEST(test_penalty_minutes) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    ij_outcome_input in = input((ij_outcome)o);
    in.has_penalty = true;
    in.penalty_minutes = 0;
    if (!k_kinds[o].attended) {
      /* refused with a non-attended outcome, even 0 */
      assert_invalid(decide(&in, &b, &r), "penalty_minutes", 1);
      continue;
    }
    result res = decide(&in, &b, &r);
    assert_ok(res);
    ck_assert_int_eq(res.eff.minutes_credited, SESSION_MINUTES);
    in.penalty_minutes = 60;
    res = decide(&in, &b, &r);
    assert_ok(res);
    ck_assert_int_eq(res.eff.minutes_credited, SESSION_MINUTES - 60);
    in.penalty_minutes = SESSION_MINUTES - 1;
    res = decide(&in, &b, &r);
    assert_ok(res);
    ck_assert_int_eq(res.eff.minutes_credited, 1);
    in.penalty_minutes = SESSION_MINUTES; /* the whole session */
    res = decide(&in, &b, &r);
    assert_ok(res);
    ck_assert_int_eq(res.eff.minutes_credited, 0);
    ck_assert_int_eq(res.eff.minutes_delta, 0);
    ck_assert(res.eff.attended);
    in.penalty_minutes = SESSION_MINUTES + 1;
    res = decide(&in, &b, &r);
    assert_invalid(res, "penalty_minutes", 1);
    ck_assert_ptr_nonnull(strstr(find_error(&res.errs, "penalty_minutes")->message, "420"));
    in.penalty_minutes = -1;
    assert_invalid(decide(&in, &b, &r), "penalty_minutes", 1);
    /* a penalty value without has_penalty is no penalty */
    in.has_penalty = false;
    in.penalty_minutes = 9999;
    res = decide(&in, &b, &r);
    assert_ok(res);
    ck_assert_int_eq(res.eff.minutes_credited, SESSION_MINUTES);
  }
}
END_TEST

START_TEST(test_session_length_in_whole_minutes) {
  ij_referral_facts r = referral(20, 0);
  ij_booking_facts b = booked();
  b.ends_at = b.starts_at + 60 * MINUTE - 1; /* 59 whole minutes */
  ij_outcome_input in = input(IJ_OUTCOME_ATTENDED_COMPLIED);
  result res = decide(&in, &b, &r);
  assert_ok(res);
  ck_assert_int_eq(res.eff.minutes_credited, 59);
  in.has_penalty = true;
  in.penalty_minutes = 59;
  assert_ok(decide(&in, &b, &r));
  in.penalty_minutes = 60;
  assert_invalid(decide(&in, &b, &r), "penalty_minutes", 1);
  /* an inverted or empty session credits nothing and takes no penalty */
  b.ends_at = b.starts_at;
  in.penalty_minutes = 0;
  res = decide(&in, &b, &r);
  assert_ok(res);
  ck_assert_int_eq(res.eff.minutes_credited, 0);
  in.penalty_minutes = 1;
  assert_invalid(decide(&in, &b, &r), "penalty_minutes", 1);
  b.ends_at = b.starts_at - MINUTE;
  in.has_penalty = false;
  res = decide(&in, &b, &r);
  assert_ok(res);
  ck_assert_int_eq(res.eff.minutes_credited, 0);
  /* 24 hours */
  b = booked();
  b.ends_at = b.starts_at + 24 * 60 * MINUTE;
  res = decide_at(&in, &b, &r, b.ends_at); /* once it has run its length */
  assert_ok(res);
  ck_assert_int_eq(res.eff.minutes_credited, 20 * 60); /* capped at the hours owed */
}
END_TEST

START_TEST(test_ratings) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  const char *const fields[] = {"behaviour", "work_quality"};
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    for (size_t f = 0; f < 2; f++) {
      ij_outcome_input in = input((ij_outcome)o);
      const char **slot = f == 0 ? &in.behaviour : &in.work_quality;
      if (!k_kinds[o].attended) {
        *slot = "good";
        assert_invalid(decide(&in, &b, &r), fields[f], 1);
        continue;
      }
      for (size_t k = 0; k < sizeof k_ratings / sizeof k_ratings[0]; k++) {
        *slot = k_ratings[k];
        assert_ok(decide(&in, &b, &r));
      }
      const char *bad[] = {"", "Good", "very_good", "ok"};
      for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        *slot = bad[k];
        result res = decide(&in, &b, &r);
        assert_invalid(res, fields[f], 1);
        ck_assert_ptr_nonnull(strstr(find_error(&res.errs, fields[f])->message, "excellent"));
      }
    }
  }
  /* both at once */
  ij_outcome_input in = input(IJ_OUTCOME_SENT_HOME_BEHAVIOUR);
  in.behaviour = "poor";
  in.work_quality = "unsatisfactory";
  assert_ok(decide(&in, &b, &r));
  in = input(IJ_OUTCOME_ABSENT_UNACCEPTABLE);
  in.behaviour = "poor";
  in.work_quality = "poor";
  assert_invalid(decide(&in, &b, &r), "work_quality", 2);
}
END_TEST

START_TEST(test_notes) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  static char notes[IJ_MAX_NOTE + 2];
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    /* notes go with any outcome */
    ij_outcome_input in = input((ij_outcome)o);
    in.notes = "Worked well with the team; left at 15:30 with leave.";
    assert_ok(decide(&in, &b, &r));
    memset(notes, 'n', IJ_MAX_NOTE);
    notes[IJ_MAX_NOTE] = '\0';
    in.notes = notes;
    assert_ok(decide(&in, &b, &r));
    notes[IJ_MAX_NOTE] = 'n';
    notes[IJ_MAX_NOTE + 1] = '\0';
    assert_invalid(decide(&in, &b, &r), "notes", 1);
  }
}
END_TEST

START_TEST(test_rescheduled_session) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  ij_outcome_input in = input(IJ_OUTCOME_RESCHEDULED);
  in.has_rescheduled_session = false;
  result res = decide(&in, &b, &r);
  assert_invalid(res, "rescheduled_session_id", 1);
  ck_assert_ptr_nonnull(
      strstr(find_error(&res.errs, "rescheduled_session_id")->message, "required"));
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    if (o == IJ_OUTCOME_RESCHEDULED) {
      continue;
    }
    in = input((ij_outcome)o);
    in.has_rescheduled_session = true;
    assert_invalid(decide(&in, &b, &r), "rescheduled_session_id", 1);
  }
}
END_TEST

START_TEST(test_amendment_reason) {
  ij_referral_facts r = referral(20, 0);
  /* a first recording takes none */
  ij_booking_facts b = booked();
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    ij_outcome_input in = input((ij_outcome)o);
    in.amendment_reason = "typo";
    assert_invalid(decide(&in, &b, &r), "amendment_reason", 1);
    in.amendment_reason = "";
    assert_invalid(decide(&in, &b, &r), "amendment_reason", 1);
  }
  /* an amendment needs one, not blank, not too long */
  b = recorded(IJ_OUTCOME_ABSENT_UNACCEPTABLE, 0);
  ij_outcome_input in = input(IJ_OUTCOME_ABSENT_ACCEPTABLE);
  in.amendment_reason = NULL;
  result res = decide(&in, &b, &r);
  assert_invalid(res, "amendment_reason", 1);
  ck_assert_ptr_nonnull(strstr(find_error(&res.errs, "amendment_reason")->message, "required"));
  in.amendment_reason = "";
  assert_invalid(decide(&in, &b, &r), "amendment_reason", 1);
  in.amendment_reason = " \t\n";
  assert_invalid(decide(&in, &b, &r), "amendment_reason", 1);
  static char reason[IJ_MAX_NOTE + 2];
  memset(reason, 'a', IJ_MAX_NOTE);
  reason[IJ_MAX_NOTE] = '\0';
  in.amendment_reason = reason;
  assert_ok(decide(&in, &b, &r));
  reason[IJ_MAX_NOTE] = 'a';
  reason[IJ_MAX_NOTE + 1] = '\0';
  assert_invalid(decide(&in, &b, &r), "amendment_reason", 1);
  in.amendment_reason = "GP letter received";
  assert_ok(decide(&in, &b, &r));
}
END_TEST

START_TEST(test_invalid_data_all_collected) {
  ij_booking_facts b = recorded(IJ_OUTCOME_ATTENDED_COMPLIED, 420);
  ij_referral_facts r = referral(20, 420);
  ij_outcome_input in = {
      .outcome = IJ_OUTCOME_ABSENT_UNACCEPTABLE,
      .absence_reason = "medical",
      .has_penalty = true,
      .penalty_minutes = 10,
      .behaviour = "good",
      .work_quality = "good",
      .has_rescheduled_session = true,
      .amendment_reason = NULL,
  };
  static char notes[IJ_MAX_NOTE + 2];
  memset(notes, 'n', IJ_MAX_NOTE + 1);
  notes[IJ_MAX_NOTE + 1] = '\0';
  in.notes = notes;
  result res = decide(&in, &b, &r);
  ck_assert_int_eq(res.err, IJ_ERR_INVALID);
  const char *const fields[] = {"absence_reason",  "penalty_minutes", "behaviour",
                                "work_quality",    "notes",           "rescheduled_session_id",
                                "amendment_reason"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    ck_assert_msg(find_error(&res.errs, fields[i]) != NULL, "no error on %s", fields[i]);
  }
  ck_assert_int_eq(res.errs.count, 7);
  assert_zero_effect(&res.eff);
}
END_TEST

/* ---- conflicts ------------------------------------------------------------------------------ */

START_TEST(test_referral_must_be_scheduled_or_in_progress) {
  /* _i is a state */
  ij_state st = (ij_state)_i;
  bool open = st == IJ_STATE_SCHEDULED || st == IJ_STATE_IN_PROGRESS;
  bool ended = st == IJ_STATE_REJECTED || st == IJ_STATE_COMPLETED ||
               st == IJ_STATE_NON_COMPLIANT || st == IJ_STATE_WITHDRAWN || st == IJ_STATE_CLOSED;
  ij_referral_facts r = referral(20, 0);
  r.state = st;
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    /* first recording and amendment alike */
    ij_booking_facts first = booked();
    ij_booking_facts amend = recorded(IJ_OUTCOME_ATTENDED_COMPLIED, 420);
    ij_outcome_input in = input((ij_outcome)o);
    result res = decide(&in, &first, &r);
    if (open) {
      assert_ok(res);
    } else {
      assert_conflict(res, ended ? "has ended" : "not scheduled or in progress");
      ck_assert_ptr_nonnull(strstr(res.errs.items[0].message, ij_state_name(st)));
      assert_zero_effect(&res.eff);
    }
    if (k_kinds[o].frees) {
      continue; /* an amendment to these is refused on its own (below) */
    }
    in.amendment_reason = "corrected";
    res = decide(&in, &amend, &r);
    if (open) {
      assert_ok(res);
    } else {
      assert_conflict(res, ended ? "has ended" : "not scheduled or in progress");
    }
  }
}
END_TEST

START_TEST(test_cancelled_or_rescheduled_booking) {
  /* The booking no longer holds its place and has no outcome: it was cancelled or rescheduled. */
  ij_booking_facts b = booked();
  b.holds_place = false;
  ij_referral_facts r = referral(20, 0);
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    ij_outcome_input in = input((ij_outcome)o);
    result res = decide(&in, &b, &r);
    assert_conflict(res, "cancelled or rescheduled");
    assert_zero_effect(&res.eff);
  }
  /* an amendment reason is still refused first: there is no outcome to amend */
  ij_outcome_input in = input(IJ_OUTCOME_ATTENDED_COMPLIED);
  in.amendment_reason = "late entry";
  assert_invalid(decide(&in, &b, &r), "amendment_reason", 1);
}
END_TEST

START_TEST(test_amend_to_rescheduled_or_cancelled) {
  ij_referral_facts r = referral(20, 420);
  for (int p = 0; p < IJ_OUTCOME__COUNT; p++) {
    if (k_kinds[p].frees) {
      continue; /* not a recorded outcome */
    }
    ij_booking_facts b = recorded((ij_outcome)p, k_kinds[p].attended ? 420 : 0);
    const ij_outcome to[] = {IJ_OUTCOME_RESCHEDULED, IJ_OUTCOME_CANCELLED};
    for (size_t k = 0; k < 2; k++) {
      ij_outcome_input in = input(to[k]);
      in.amendment_reason = "booked by mistake";
      result res = decide(&in, &b, &r);
      assert_conflict(res, "cannot be amended");
      ck_assert_ptr_nonnull(strstr(res.errs.items[0].message, ij_outcome_name(to[k])));
      assert_zero_effect(&res.eff);
    }
  }
}
END_TEST

START_TEST(test_session_must_have_started) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  ij_time_us start = b.starts_at;
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    ij_outcome_input in = input((ij_outcome)o);
    /* a microsecond before the start */
    result res = decide_at(&in, &b, &r, start - 1);
    if (k_kinds[o].frees) {
      assert_ok(res); /* rescheduled and cancelled may be recorded before */
      ck_assert_int_eq(res.eff.places_delta, -1);
    } else {
      assert_conflict(res, "has not started");
      assert_zero_effect(&res.eff);
    }
    /* well before */
    res = decide_at(&in, &b, &r, at("2026-11-01T00:00:00Z"));
    ck_assert_int_eq(res.err, k_kinds[o].frees ? IJ_OK : IJ_ERR_CONFLICT);
    /* at the start, and while it runs: an outcome that credits minutes only once they are
     * worked (test_attendance.c), the others at once */
    if (!k_kinds[o].attended) {
      assert_ok(decide_at(&in, &b, &r, start));
      assert_ok(decide_at(&in, &b, &r, start + 60 * MINUTE));
    } else {
      assert_conflict(decide_at(&in, &b, &r, start), "cannot be credited yet");
      assert_ok(decide_at(&in, &b, &r, b.ends_at));
    }
  }
  /* at the end, an attended outcome credits the whole session (never for a future one) */
  ij_outcome_input in = input(IJ_OUTCOME_ATTENDED_COMPLIED);
  result res = decide_at(&in, &b, &r, b.ends_at);
  ck_assert_int_eq(res.eff.minutes_credited, SESSION_MINUTES);
  /* an amendment of a session not started (only reachable with bad data): still refused */
  ij_booking_facts amend = recorded(IJ_OUTCOME_ABSENT_UNACCEPTABLE, 0);
  in.amendment_reason = "corrected";
  assert_conflict(decide_at(&in, &amend, &r, start - 1), "has not started");
}
END_TEST

START_TEST(test_order_of_checks) {
  /* invalid data before any conflict */
  ij_referral_facts ended = referral(20, 0);
  ended.state = IJ_STATE_COMPLETED;
  ij_booking_facts b = booked();
  b.holds_place = false;
  ij_outcome_input in = input(IJ_OUTCOME_ATTENDED_COMPLIED);
  in.behaviour = "great";
  result res = decide_at(&in, &b, &ended, b.starts_at - 1);
  assert_invalid(res, "behaviour", 1);
  ck_assert_ptr_null(find_error(&res.errs, "outcome"));
  /* then the referral's state before the booking's */
  in.behaviour = NULL;
  assert_conflict(decide_at(&in, &b, &ended, b.starts_at - 1), "has ended");
  /* the booking's (cancelled or rescheduled) before the session's start */
  ij_referral_facts open = referral(20, 0);
  assert_conflict(decide_at(&in, &b, &open, b.starts_at - 1), "cancelled or rescheduled");
  /* an amendment to cancelled before the session's start */
  ij_booking_facts amend = recorded(IJ_OUTCOME_ABSENT_UNACCEPTABLE, 0);
  in = input(IJ_OUTCOME_CANCELLED);
  in.amendment_reason = "mistake";
  assert_conflict(decide_at(&in, &amend, &open, amend.starts_at - 1), "cannot be amended");
}
END_TEST

START_TEST(test_caller_bugs) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  ij_outcome_input in = input(IJ_OUTCOME_ATTENDED_COMPLIED);
  ij_outcome_effect eff;
  ij_time_us now = at(AFTER);
  ck_assert_int_eq(ij_domain_outcome_decide(NULL, &b, &r, now, &eff, NULL), IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_domain_outcome_decide(&in, NULL, &r, now, &eff, NULL), IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_domain_outcome_decide(&in, &b, NULL, now, &eff, NULL), IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_domain_outcome_decide(&in, &b, &r, now, NULL, NULL), IJ_ERR_INTERNAL);
  /* errs is optional */
  ck_assert_int_eq(ij_domain_outcome_decide(&in, &b, &r, now, &eff, NULL), IJ_OK);
  ck_assert_int_eq(eff.minutes_credited, SESSION_MINUTES);
  in.behaviour = "bad";
  ck_assert_int_eq(ij_domain_outcome_decide(&in, &b, &r, now, &eff, NULL), IJ_ERR_INVALID);
  r.state = IJ_STATE_CLOSED;
  in.behaviour = NULL;
  ck_assert_int_eq(ij_domain_outcome_decide(&in, &b, &r, now, &eff, NULL), IJ_ERR_CONFLICT);
  r.state = (ij_state)IJ_STATE__COUNT; /* not scheduled or in progress either */
  ck_assert_int_eq(ij_domain_outcome_decide(&in, &b, &r, now, &eff, NULL), IJ_ERR_CONFLICT);
}
END_TEST

/* ---- minutes and the owed cap --------------------------------------------------------------- */

/* Records attended_complied with a penalty on a referral of `hours` with `credited` minutes, on a
 * booking that previously credited `previous` (an amendment when previous >= 0). */
static ij_outcome_effect credit(int hours, int credited, int previous, int penalty) {
  ij_booking_facts b = previous >= 0 ? recorded(IJ_OUTCOME_ATTENDED_COMPLIED, previous) : booked();
  ij_referral_facts r = referral(hours, credited);
  ij_outcome_input in = input(IJ_OUTCOME_ATTENDED_COMPLIED);
  in.has_penalty = penalty > 0;
  in.penalty_minutes = penalty;
  if (previous >= 0) {
    in.amendment_reason = "corrected the penalty";
  }
  result res = decide(&in, &b, &r);
  assert_ok(res);
  return res.eff;
}

#define FIRST (-1)

START_TEST(test_owed_cap) {
  /* 7 hours = 420 minutes required; the session is 420 minutes */
  ij_outcome_effect e = credit(7, 0, FIRST, 0); /* owes exactly the session */
  ck_assert_int_eq(e.minutes_credited, 420);
  ck_assert_int_eq(e.minutes_delta, 420);
  e = credit(7, 1, FIRST, 0); /* owes 419: one short */
  ck_assert_int_eq(e.minutes_credited, 419);
  ck_assert_int_eq(e.minutes_delta, 419);
  e = credit(8, 59, FIRST, 0); /* owes 421: the session is less */
  ck_assert_int_eq(e.minutes_credited, 420);
  e = credit(7, 300, FIRST, 0); /* owes 120 */
  ck_assert_int_eq(e.minutes_credited, 120);
  ck_assert_int_eq(e.minutes_delta, 120);
  e = credit(7, 300, FIRST, 300); /* 120 after the penalty: exactly what is owed */
  ck_assert_int_eq(e.minutes_credited, 120);
  e = credit(7, 300, FIRST, 301); /* 119 after the penalty: less than owed */
  ck_assert_int_eq(e.minutes_credited, 119);
  e = credit(7, 420, FIRST, 0); /* owes nothing */
  ck_assert_int_eq(e.minutes_credited, 0);
  ck_assert_int_eq(e.minutes_delta, 0);
  ck_assert(e.attended);
  e = credit(7, 500, FIRST, 0); /* over-credited (hours lowered): never negative */
  ck_assert_int_eq(e.minutes_credited, 0);
  ck_assert_int_eq(e.minutes_delta, 0);
}
END_TEST

START_TEST(test_owed_cap_counts_back_this_booking) {
  /* This booking credited 420 of the referral's 420 (7 hours): amending counts them back. */
  ij_outcome_effect e = credit(7, 420, 420, 60);
  ck_assert_int_eq(e.minutes_credited, 360);
  ck_assert_int_eq(e.minutes_delta, -60);
  e = credit(7, 420, 420, 0); /* the same again: no change */
  ck_assert_int_eq(e.minutes_credited, 420);
  ck_assert_int_eq(e.minutes_delta, 0);
  /* Other bookings credited 300 of 420; this one 120. Less penalty does not exceed the owed. */
  e = credit(7, 420, 120, 0);
  ck_assert_int_eq(e.minutes_credited, 120);
  ck_assert_int_eq(e.minutes_delta, 0);
  e = credit(7, 420, 120, 301);
  ck_assert_int_eq(e.minutes_credited, 119);
  ck_assert_int_eq(e.minutes_delta, -1);
  /* With hours to spare, the amendment credits the whole session less the penalty. */
  e = credit(20, 600, 300, 0);
  ck_assert_int_eq(e.minutes_credited, 420);
  ck_assert_int_eq(e.minutes_delta, 120);
  /* A first recording ignores whatever previous_minutes holds. */
  ij_booking_facts b = booked();
  b.previous_minutes = 999;
  b.previous = IJ_OUTCOME_SENT_HOME_BEHAVIOUR;
  ij_referral_facts r = referral(7, 0);
  ij_outcome_input in = input(IJ_OUTCOME_ATTENDED_COMPLIED);
  result res = decide(&in, &b, &r);
  assert_ok(res);
  ck_assert_int_eq(res.eff.minutes_credited, 420);
  ck_assert_int_eq(res.eff.minutes_delta, 420);
  ck_assert_int_eq(res.eff.breaches_delta, 0);
}
END_TEST

/* ---- effects: outcome x (first recording, amendment of each recorded outcome) ---------------- */

/* Hand-written cells, each from the rules in docs/api-contract.md. */
START_TEST(test_effect_examples) {
  static const struct {
    int previous; /* -1: first recording, else an outcome */
    int previous_minutes;
    ij_outcome outcome;
    ij_outcome_effect want;
  } cells[] = {
      {-1, 0, IJ_OUTCOME_ATTENDED_COMPLIED, {420, 420, 0, 0, true}},
      {-1, 0, IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY, {420, 420, 1, 0, true}},
      {-1, 0, IJ_OUTCOME_SENT_HOME_BEHAVIOUR, {420, 420, 1, 0, true}},
      {-1, 0, IJ_OUTCOME_SENT_HOME_SERVICE_ISSUE, {420, 420, 0, 0, true}},
      {-1, 0, IJ_OUTCOME_ABSENT_ACCEPTABLE, {0, 0, 0, 0, false}},
      {-1, 0, IJ_OUTCOME_ABSENT_UNACCEPTABLE, {0, 0, 1, 0, false}},
      {-1, 0, IJ_OUTCOME_RESCHEDULED, {0, 0, 0, -1, false}},
      {-1, 0, IJ_OUTCOME_CANCELLED, {0, 0, 0, -1, false}},
      {IJ_OUTCOME_ATTENDED_COMPLIED, 420, IJ_OUTCOME_ABSENT_UNACCEPTABLE, {0, -420, 1, 0, false}},
      {IJ_OUTCOME_ABSENT_UNACCEPTABLE, 0, IJ_OUTCOME_ABSENT_ACCEPTABLE, {0, 0, -1, 0, false}},
      {IJ_OUTCOME_ABSENT_UNACCEPTABLE, 0, IJ_OUTCOME_ATTENDED_COMPLIED, {420, 420, -1, 0, true}},
      {IJ_OUTCOME_SENT_HOME_BEHAVIOUR,
       200,
       IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY,
       {420, 220, 0, 0, true}},
      {IJ_OUTCOME_SENT_HOME_SERVICE_ISSUE,
       180,
       IJ_OUTCOME_SENT_HOME_BEHAVIOUR,
       {420, 240, 1, 0, true}},
      {IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY,
       420,
       IJ_OUTCOME_ABSENT_ACCEPTABLE,
       {0, -420, -1, 0, false}},
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
    ij_booking_facts b = cells[i].previous < 0
                             ? booked()
                             : recorded((ij_outcome)cells[i].previous, cells[i].previous_minutes);
    ij_referral_facts r = referral(20, 600);
    ij_outcome_input in = input(cells[i].outcome);
    if (b.has_outcome) {
      in.amendment_reason = "corrected";
    }
    result res = decide(&in, &b, &r);
    assert_ok(res);
    const ij_outcome_effect *w = &cells[i].want;
    ck_assert_msg(res.eff.minutes_credited == w->minutes_credited &&
                      res.eff.minutes_delta == w->minutes_delta &&
                      res.eff.breaches_delta == w->breaches_delta &&
                      res.eff.places_delta == w->places_delta && res.eff.attended == w->attended,
                  "cell %zu: got {%d, %d, %d, %d, %d}", i, res.eff.minutes_credited,
                  res.eff.minutes_delta, res.eff.breaches_delta, res.eff.places_delta,
                  res.eff.attended);
  }
}
END_TEST

/* _i is the outcome recorded; every previous state of the booking, computed from k_kinds. */
START_TEST(test_effect_matrix) {
  ij_outcome now_o = (ij_outcome)_i;
  /* first recording, then an amendment of each recorded (place-holding) outcome */
  for (int p = -1; p < IJ_OUTCOME__COUNT; p++) {
    bool amend = p >= 0;
    if (amend && k_kinds[p].frees) {
      continue; /* a cancelled or rescheduled booking has no outcome to amend */
    }
    int previous_minutes = amend && k_kinds[p].attended ? 300 : 0;
    ij_booking_facts b = amend ? recorded((ij_outcome)p, previous_minutes) : booked();
    ij_referral_facts r = referral(20, 600); /* owes 600 + this booking's previous minutes */
    ij_outcome_input in = input(now_o);
    if (amend) {
      in.amendment_reason = "corrected after the supervisor's call";
    }
    result res = decide(&in, &b, &r);
    char cell[96];
    snprintf(cell, sizeof cell, "%s over %s", k_kinds[now_o].name,
             amend ? k_kinds[p].name : "(booked)");
    if (amend && k_kinds[now_o].frees) {
      ck_assert_msg(res.err == IJ_ERR_CONFLICT, "%s: %s", cell, ij_err_name(res.err));
      continue;
    }
    ck_assert_msg(res.err == IJ_OK, "%s: %s", cell, ij_err_name(res.err));
    int want_credited = k_kinds[now_o].attended ? SESSION_MINUTES : 0;
    int want_breaches = (k_kinds[now_o].breach ? 1 : 0) - (amend && k_kinds[p].breach ? 1 : 0);
    int want_places = !amend && k_kinds[now_o].frees ? -1 : 0;
    ck_assert_msg(res.eff.minutes_credited == want_credited, "%s: credited %d", cell,
                  res.eff.minutes_credited);
    ck_assert_msg(res.eff.minutes_delta == want_credited - previous_minutes, "%s: delta %d", cell,
                  res.eff.minutes_delta);
    ck_assert_msg(res.eff.breaches_delta == want_breaches, "%s: breaches %d", cell,
                  res.eff.breaches_delta);
    ck_assert_msg(res.eff.places_delta == want_places, "%s: places %d", cell, res.eff.places_delta);
    ck_assert_msg(res.eff.attended == k_kinds[now_o].attended, "%s: attended", cell);
  }
}
END_TEST

Suite *outcomes_suite(void) {
  Suite *s = suite_create("outcomes");
  TCase *tc = tcase_create("names");
  tcase_add_test(tc, test_outcome_names);
  tcase_add_test(tc, test_outcome_kinds);
  suite_add_tcase(s, tc);

  tc = tcase_create("data");
  tcase_add_test(tc, test_minimal_inputs_accepted);
  tcase_add_test(tc, test_unknown_outcome);
  tcase_add_test(tc, test_absence_reason);
  tcase_add_test(tc, test_penalty_minutes);
  tcase_add_test(tc, test_session_length_in_whole_minutes);
  tcase_add_test(tc, test_ratings);
  tcase_add_test(tc, test_notes);
  tcase_add_test(tc, test_rescheduled_session);
  tcase_add_test(tc, test_amendment_reason);
  tcase_add_test(tc, test_invalid_data_all_collected);
  suite_add_tcase(s, tc);

  tc = tcase_create("conflicts");
  tcase_add_loop_test(tc, test_referral_must_be_scheduled_or_in_progress, 0, IJ_STATE__COUNT);
  tcase_add_test(tc, test_cancelled_or_rescheduled_booking);
  tcase_add_test(tc, test_amend_to_rescheduled_or_cancelled);
  tcase_add_test(tc, test_session_must_have_started);
  tcase_add_test(tc, test_order_of_checks);
  tcase_add_test(tc, test_caller_bugs);
  suite_add_tcase(s, tc);

  tc = tcase_create("effects");
  tcase_add_test(tc, test_owed_cap);
  tcase_add_test(tc, test_owed_cap_counts_back_this_booking);
  tcase_add_test(tc, test_effect_examples);
  tcase_add_loop_test(tc, test_effect_matrix, 0, IJ_OUTCOME__COUNT);
  suite_add_tcase(s, tc);
  return s;
}
