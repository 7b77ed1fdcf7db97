/* Attendance as it happens: the sign-in window and its refusals, every rule on the times a
 * sign-out gives (each broken alone, and all at once), the minutes worked and elapsed, and the
 * outcome's credit limited to time already worked: the two-hour session started ten seconds ago
 * credits nothing without times worked. */
#include <check.h>
#include <string.h>

#include "ij/domain.h"

Suite *attendance_suite(void);

#define MINUTE (60 * IJ_US_PER_SECOND)

static ij_time_us at(const char *text) {
  ij_time_us t = 0;
  ck_assert_msg(ij_time_parse(text, &t) == IJ_OK, "bad time %s", text);
  return t;
}

/* An open booking on a two-hour session, 10:00-12:00 UTC on 25 November 2026. */
static ij_booking_facts booked(void) {
  ij_booking_facts b = {
      .holds_place = true,
      .starts_at = at("2026-11-25T10:00:00Z"),
      .ends_at = at("2026-11-25T12:00:00Z"),
  };
  return b;
}

static ij_referral_facts referral(int hours, int64_t credited) {
  ij_referral_facts r = {.state = IJ_STATE_SCHEDULED,
                         .officer_sub = "pc-1",
                         .hours_required = hours,
                         .minutes_credited = credited,
                         .active_bookings = 1};
  return r;
}

/* ---- sign-in ---- */

static ij_sign_in_refusal sign_in(ij_state state, const ij_booking_facts *b, ij_time_us now,
                                  bool *already) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_sign_in_refusal why = IJ_SIGN_IN__COUNT;
  ij_err err = ij_domain_sign_in_check(state, b, now, already, &why, &errs);
  if (why == IJ_SIGN_IN_OK) {
    ck_assert_int_eq(err, IJ_OK);
    ck_assert_int_eq(errs.count, 0);
  } else {
    ck_assert_int_eq(err, IJ_ERR_CONFLICT);
    ck_assert_int_eq(errs.count, 1);
    ck_assert_str_eq(errs.items[0].field, "booking");
    ck_assert_str_eq(errs.items[0].message, ij_domain_sign_in_message(why));
  }
  return why;
}

/* Every refusal, each made to happen alone, in the order they are tried. */
START_TEST(test_sign_in_refusals) {
  ij_sign_in_refusal r = (ij_sign_in_refusal)_i;
  ij_booking_facts b = booked();
  ij_state state = IJ_STATE_SCHEDULED;
  ij_time_us now = at("2026-11-25T10:00:10Z");
  switch (r) {
  case IJ_SIGN_IN_OK:
    break;
  case IJ_SIGN_IN_REFERRAL_STATE:
    state = IJ_STATE_ACCEPTED;
    break;
  case IJ_SIGN_IN_NOT_BOOKED:
    b.has_outcome = true;
    break;
  case IJ_SIGN_IN_TOO_EARLY:
    now = at("2026-11-25T09:29:59Z");
    break;
  case IJ_SIGN_IN_ENDED:
    now = at("2026-11-25T12:00:00Z");
    break;
  default:
    ck_abort_msg("refusal %d has no case", _i);
  }
  ck_assert_ptr_nonnull(ij_domain_sign_in_message(r));
  bool already = true;
  ck_assert_int_eq(sign_in(state, &b, now, &already), r);
  ck_assert(!already);
}
END_TEST

START_TEST(test_sign_in_window_edges) {
  ij_booking_facts b = booked();
  bool already;
  ck_assert_int_eq(sign_in(IJ_STATE_SCHEDULED, &b, at("2026-11-25T09:30:00Z"), &already),
                   IJ_SIGN_IN_OK);
  ck_assert_int_eq(sign_in(IJ_STATE_IN_PROGRESS, &b, at("2026-11-25T11:59:59Z"), &already),
                   IJ_SIGN_IN_OK);
  /* every state but scheduled and in progress is refused */
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    bool open = s == IJ_STATE_SCHEDULED || s == IJ_STATE_IN_PROGRESS;
    ck_assert_int_eq(sign_in((ij_state)s, &b, at("2026-11-25T10:00:00Z"), &already),
                     open ? IJ_SIGN_IN_OK : IJ_SIGN_IN_REFERRAL_STATE);
  }
  b.holds_place = false; /* cancelled or rescheduled */
  ck_assert_int_eq(sign_in(IJ_STATE_SCHEDULED, &b, at("2026-11-25T10:00:00Z"), &already),
                   IJ_SIGN_IN_NOT_BOOKED);
  ck_assert_ptr_null(ij_domain_sign_in_message(IJ_SIGN_IN__COUNT));
}
END_TEST

/* A second sign-in is accepted and changes nothing, even after the window closed. */
START_TEST(test_sign_in_twice) {
  ij_booking_facts b = booked();
  b.signed_in_at = at("2026-11-25T09:50:00Z");
  bool already = false;
  ck_assert_int_eq(sign_in(IJ_STATE_IN_PROGRESS, &b, at("2026-11-25T10:30:00Z"), &already),
                   IJ_SIGN_IN_OK);
  ck_assert(already);
  ck_assert_int_eq(sign_in(IJ_STATE_IN_PROGRESS, &b, at("2026-11-25T13:00:00Z"), &already),
                   IJ_SIGN_IN_OK);
  ck_assert(already);
}
END_TEST

/* ---- the times a sign-out gives ---- */

static ij_worked_times good_times(void) {
  ij_worked_times t = {.started_at = at("2026-11-25T10:00:00Z"),
                       .finished_at = at("2026-11-25T11:00:00Z"),
                       .signed_in_at = at("2026-11-25T09:55:00Z"),
                       .now = at("2026-11-25T11:30:00Z")};
  return t;
}

/* Each rule of the table broken alone: only its field is named, with its message; and on the
 * boundary it holds. */
START_TEST(test_worked_rules_each) {
  size_t n = 0;
  const ij_worked_rule *rules = ij_domain_worked_rules(&n);
  ck_assert_uint_eq(n, 4);
  ck_assert_int_lt(_i, (int)n);
  const ij_worked_rule *rule = &rules[_i];
  ij_worked_times t = good_times(), edge = good_times();
  if (rule->broken == rules[0].broken) { /* finished before started */
    t.finished_at = t.started_at - 1;
    edge.finished_at = edge.started_at;
  } else if (rule->broken == rules[1].broken) { /* started long before the sign-in */
    t.started_at = t.signed_in_at - 15 * MINUTE - 1;
    edge.started_at = edge.signed_in_at - 15 * MINUTE;
  } else if (rule->broken == rules[2].broken) { /* started in the future */
    t.started_at = t.now + 1;
    t.finished_at = t.started_at + MINUTE;
    edge.started_at = edge.now;
    edge.finished_at = edge.now + MINUTE;
  } else { /* more than 24 hours */
    t.finished_at = t.started_at + 24 * IJ_US_PER_HOUR + 1;
    edge.finished_at = edge.started_at + 24 * IJ_US_PER_HOUR;
  }
  ck_assert(rule->broken(&t));
  ck_assert(!rule->broken(&edge));
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_worked_check(&t, &errs), 1);
  ck_assert_str_eq(errs.items[0].field, rule->field);
  ck_assert_str_eq(errs.items[0].message, rule->message);
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_worked_check(&edge, &errs), 0);
}
END_TEST

START_TEST(test_worked_rules_together) {
  ij_worked_times t = good_times();
  t.started_at = t.now + MINUTE;         /* in the future, and long after... */
  t.finished_at = t.started_at - MINUTE; /* ...the finish */
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_worked_check(&t, &errs), 2);
  ck_assert(ij_field_errors_has(&errs, "started_at"));
  ck_assert(ij_field_errors_has(&errs, "finished_at"));
  /* without a sign-in, only the other rules apply */
  t = good_times();
  t.signed_in_at = 0;
  t.started_at = at("2026-11-25T06:00:00Z");
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_worked_check(&t, &errs), 0);
}
END_TEST

START_TEST(test_minutes_worked_and_elapsed) {
  ij_time_us start = at("2026-11-25T10:00:00Z"), end = at("2026-11-25T12:00:00Z");
  ck_assert_int_eq(ij_domain_minutes_worked(start, end, at("2026-11-25T13:00:00Z")), 120);
  ck_assert_int_eq(ij_domain_minutes_worked(start, end, at("2026-11-25T10:30:59Z")), 30);
  ck_assert_int_eq(ij_domain_minutes_worked(start, end, at("2026-11-25T09:00:00Z")), 0);
  ck_assert_int_eq(ij_domain_minutes_worked(end, start, at("2026-11-25T13:00:00Z")), 0);
  ck_assert_int_eq(ij_domain_session_elapsed_minutes(start, end, at("2026-11-25T10:00:10Z")), 0);
  ck_assert_int_eq(ij_domain_session_elapsed_minutes(start, end, at("2026-11-25T11:15:00Z")), 75);
  ck_assert_int_eq(ij_domain_session_elapsed_minutes(start, end, at("2026-11-26T00:00:00Z")), 120);
  ck_assert_int_eq(ij_domain_session_elapsed_minutes(start, end, at("2026-11-25T09:00:00Z")), 0);
}
END_TEST

/* ---- outcomes credit only time already worked ---- */

typedef struct {
  ij_err err;
  ij_outcome_effect eff;
  ij_field_errors errs;
} result;

static result decide(const ij_outcome_input *in, const ij_booking_facts *b,
                     const ij_referral_facts *r, const char *now) {
  result res;
  ij_field_errors_init(&res.errs);
  res.err = ij_domain_outcome_decide(in, b, r, at(now), &res.eff, &res.errs);
  return res;
}

START_TEST(test_outcome_without_times_capped_by_elapsed) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  ij_outcome_input in = {.outcome = IJ_OUTCOME_ATTENDED_COMPLIED};
  /* the two-hour session started ten seconds ago: 120 minutes cannot be credited */
  result res = decide(&in, &b, &r, "2026-11-25T10:00:10Z");
  ck_assert_int_eq(res.err, IJ_ERR_CONFLICT);
  ck_assert_str_eq(res.errs.items[0].field, "outcome");
  /* nor with a penalty that leaves more than has run */
  in.has_penalty = true;
  in.penalty_minutes = 30;
  ck_assert_int_eq(decide(&in, &b, &r, "2026-11-25T11:29:00Z").err, IJ_ERR_CONFLICT);
  res = decide(&in, &b, &r, "2026-11-25T11:30:00Z");
  ck_assert_int_eq(res.err, IJ_OK);
  ck_assert_int_eq(res.eff.minutes_credited, 90);
  /* what is owed caps first: 30 minutes owed, 40 run */
  in.has_penalty = false;
  r = referral(2, 90);
  res = decide(&in, &b, &r, "2026-11-25T10:40:00Z");
  ck_assert_int_eq(res.err, IJ_OK);
  ck_assert_int_eq(res.eff.minutes_credited, 30);
  /* after the end, the whole session */
  r = referral(20, 0);
  res = decide(&in, &b, &r, "2026-11-25T12:00:00Z");
  ck_assert_int_eq(res.err, IJ_OK);
  ck_assert_int_eq(res.eff.minutes_credited, 120);
  /* outcomes that credit nothing are not limited */
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    if (ij_outcome_attended((ij_outcome)o) || ij_outcome_frees_place((ij_outcome)o))
      continue;
    ij_outcome_input other = {.outcome = (ij_outcome)o};
    if (o == IJ_OUTCOME_ABSENT_ACCEPTABLE)
      other.absence_reason = "medical";
    ck_assert_int_eq(decide(&other, &b, &r, "2026-11-25T10:00:10Z").err, IJ_OK);
  }
}
END_TEST

static ij_outcome_input sign_out(const char *started, const char *finished) {
  ij_outcome_input in = {.outcome = IJ_OUTCOME_ATTENDED_COMPLIED, .has_worked = true};
  in.started_at = at(started);
  in.finished_at = at(finished);
  return in;
}

START_TEST(test_sign_out_credit) {
  ij_booking_facts b = booked();
  b.signed_in_at = at("2026-11-25T09:50:00Z");
  ij_referral_facts r = referral(20, 0);
  /* capped by now: finished at the session's end, signed out at 11:00 */
  ij_outcome_input in = sign_out("2026-11-25T10:00:00Z", "2026-11-25T12:00:00Z");
  result res = decide(&in, &b, &r, "2026-11-25T11:00:00Z");
  ck_assert_int_eq(res.err, IJ_OK);
  ck_assert_int_eq(res.eff.minutes_credited, 60);
  ck_assert(res.eff.attended);
  /* less penalties */
  in.has_penalty = true;
  in.penalty_minutes = 15;
  res = decide(&in, &b, &r, "2026-11-25T11:00:00Z");
  ck_assert_int_eq(res.eff.minutes_credited, 45);
  /* capped by what is owed */
  in.has_penalty = false;
  r = referral(2, 100);
  res = decide(&in, &b, &r, "2026-11-25T13:00:00Z");
  ck_assert_int_eq(res.err, IJ_OK);
  ck_assert_int_eq(res.eff.minutes_credited, 20);
  /* the times worked, not the session, even before its end */
  r = referral(20, 0);
  in = sign_out("2026-11-25T09:45:00Z", "2026-11-25T10:05:00Z");
  res = decide(&in, &b, &r, "2026-11-25T10:10:00Z");
  ck_assert_int_eq(res.err, IJ_OK);
  ck_assert_int_eq(res.eff.minutes_credited, 20);
}
END_TEST

START_TEST(test_sign_out_refusals) {
  ij_booking_facts b = booked();
  ij_referral_facts r = referral(20, 0);
  ij_outcome_input in = sign_out("2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
  /* not signed in */
  result res = decide(&in, &b, &r, "2026-11-25T11:00:00Z");
  ck_assert_int_eq(res.err, IJ_ERR_CONFLICT);
  ck_assert_str_eq(res.errs.items[0].field, "booking");
  /* signed out already */
  b.signed_in_at = at("2026-11-25T09:55:00Z");
  b.has_outcome = true;
  res = decide(&in, &b, &r, "2026-11-25T11:00:00Z");
  ck_assert_int_eq(res.err, IJ_ERR_CONFLICT);
  ck_assert_str_eq(res.errs.items[0].field, "booking");
  /* every failing field at once */
  b.has_outcome = false;
  in = sign_out("2026-11-25T11:05:00Z", "2026-11-25T11:00:00Z");
  in.outcome = IJ_OUTCOME_ABSENT_UNACCEPTABLE;
  in.amendment_reason = "x";
  in.behaviour = "great";
  res = decide(&in, &b, &r, "2026-11-25T11:01:00Z");
  ck_assert_int_eq(res.err, IJ_ERR_INVALID);
  const char *fields[] = {"outcome", "started_at", "finished_at", "amendment_reason", "behaviour"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    ck_assert_msg(ij_field_errors_has(&res.errs, fields[i]), "no error on %s", fields[i]);
}
END_TEST

/* An amendment of a signed-out booking keeps crediting the times worked. */
START_TEST(test_amend_signed_out) {
  ij_booking_facts b = booked();
  b.signed_in_at = at("2026-11-25T09:55:00Z");
  b.started_at = at("2026-11-25T10:00:00Z");
  b.finished_at = at("2026-11-25T10:50:00Z");
  b.has_outcome = true;
  b.previous = IJ_OUTCOME_ATTENDED_COMPLIED;
  b.previous_minutes = 50;
  ij_referral_facts r = referral(20, 50);
  ij_outcome_input in = {.outcome = IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY,
                         .amendment_reason = "recorded the wrong code"};
  result res = decide(&in, &b, &r, "2026-11-25T11:00:00Z");
  ck_assert_int_eq(res.err, IJ_OK);
  ck_assert_int_eq(res.eff.minutes_credited, 50);
  ck_assert_int_eq(res.eff.minutes_delta, 0);
  ck_assert_int_eq(res.eff.breaches_delta, 1);
}
END_TEST

Suite *attendance_suite(void) {
  Suite *s = suite_create("attendance");
  TCase *tc = tcase_create("sign_in");
  tcase_add_loop_test(tc, test_sign_in_refusals, 0, IJ_SIGN_IN__COUNT);
  tcase_add_test(tc, test_sign_in_window_edges);
  tcase_add_test(tc, test_sign_in_twice);
  suite_add_tcase(s, tc);
  tc = tcase_create("sign_out");
  tcase_add_loop_test(tc, test_worked_rules_each, 0, 4);
  tcase_add_test(tc, test_worked_rules_together);
  tcase_add_test(tc, test_minutes_worked_and_elapsed);
  tcase_add_test(tc, test_sign_out_credit);
  tcase_add_test(tc, test_sign_out_refusals);
  tcase_add_test(tc, test_amend_signed_out);
  suite_add_tcase(s, tc);
  tc = tcase_create("time_worked");
  tcase_add_test(tc, test_outcome_without_times_capped_by_elapsed);
  suite_add_tcase(s, tc);
  return s;
}
