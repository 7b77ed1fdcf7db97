/* The follow-on events: the whole table walked, every state x every combination of the facts the
 * table reads x the role of the person whose change caused it, against an expectation written
 * here from the README and docs/api-contract.md (the lifecycle), independently of the code's table;
 * then every chain of follow-ons fired to its end, as the operations fire them. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

Suite *followons_suite(void);

/* What follows, from the lifecycle: the first booking schedules an accepted referral; the first
 * attended session puts a scheduled one in progress; the attendance that brings the credited hours
 * up to those required completes it; a scheduled referral whose bookings are all cancelled with
 * nothing attended goes back to accepted; the last reoffending check closes a completed or
 * non-compliant referral. NULL: nothing follows. */
static const char *expected_next(ij_state s, bool attended, bool hours_met, bool open,
                                 bool last_check) {
  switch (s) {
  case IJ_STATE_ACCEPTED:
    return open ? "book" : NULL;
  case IJ_STATE_SCHEDULED:
    if (attended)
      return "attend";
    if (hours_met)
      return "complete";
    return open ? NULL : "unbook";
  case IJ_STATE_IN_PROGRESS:
    return hours_met ? "complete" : NULL;
  case IJ_STATE_COMPLETED:
  case IJ_STATE_NON_COMPLIANT:
    return last_check ? "close" : NULL;
  default:
    return NULL;
  }
}

/* Which events the service fires by itself, and whether a person of each role whose change
 * caused it may fire it under their own role (else the service does). */
static bool expected_by_cause(const char *event, ij_roles role) {
  if (strcmp(event, "book") == 0 || strcmp(event, "unbook") == 0)
    return role == IJ_ROLE_COORDINATOR;
  if (strcmp(event, "attend") == 0)
    return role == IJ_ROLE_COORDINATOR || role == IJ_ROLE_SUPERVISOR;
  return false; /* complete, close: the service alone */
}

static const ij_roles k_causes[] = {IJ_ROLE_OFFICER,      IJ_ROLE_COORDINATOR, IJ_ROLE_SUPERVISOR,
                                    IJ_ROLE_COMMISSIONER, IJ_ROLE_ADMIN,       0 /* none */};
#define N_CAUSES (sizeof k_causes / sizeof k_causes[0])

static ij_referral_facts facts_of(ij_state s, unsigned bits) {
  ij_referral_facts f = {
      .state = s,
      .officer_sub = "pc-101",
      .hours_required = 7,
      .minutes_credited = (bits & 2u) ? 7 * 60 : 7 * 60 - 1,
      .unacceptable_absences = 0,
      .warnings = 0,
      .active_bookings = (bits & 4u) ? 1 : 0,
      .attended = (bits & 1u) != 0,
      .last_check_recorded = (bits & 8u) != 0,
  };
  return f;
}

START_TEST(test_walk_followons) {
  ij_state s = (ij_state)_i;
  char report[4000] = "";
  size_t used = 0;
  int wrong = 0;
  for (unsigned bits = 0; bits < 16; bits++) {
    ij_referral_facts f = facts_of(s, bits);
    const char *want =
        expected_next(s, f.attended, bits & 2u, f.active_bookings > 0, f.last_check_recorded);
    for (size_t c = 0; c < N_CAUSES; c++) {
      ij_actor cause = {"pc-101", "Test User", "derbyshire", k_causes[c]};
      ij_event event = IJ_EVENT__COUNT;
      bool by_cause = true;
      bool fires = ij_domain_followon_next(k_causes[c] ? &cause : NULL, &f, &event, &by_cause);
      const char *got = fires ? ij_event_name(event) : NULL;
      bool ok = (want == NULL) == (got == NULL) && (want == NULL || strcmp(want, got) == 0);
      if (ok && want != NULL && by_cause != expected_by_cause(want, k_causes[c]))
        ok = false;
      if (ok && want != NULL) {
        /* the event named can be decided with the actor the operation will use */
        ij_actor system = {"system", "Immediate Justice service", "derbyshire", IJ_ROLE_SYSTEM};
        ij_transition_request req = {.event = event};
        ij_decision d;
        ij_field_errors errs;
        ij_field_errors_init(&errs);
        ij_err err =
            ij_domain_decide(by_cause ? &cause : &system, &f, &req, NULL, false, &d, NULL, &errs);
        ok = err == IJ_OK && d.from == s;
      }
      if (!ok) {
        wrong++;
        if (used < sizeof report - 200)
          used += (size_t)snprintf(report + used, sizeof report - used,
                                   "\n  %s facts 0x%x cause %s: got %s (by cause %d), want %s",
                                   ij_state_name(s), bits,
                                   k_causes[c] ? ij_role_name(k_causes[c]) : "none",
                                   got ? got : "nothing", by_cause, want ? want : "nothing");
      }
    }
  }
  ck_assert_msg(wrong == 0, "%d wrong cells:%s", wrong, report);
}
END_TEST

/* Fired as the operations fire them (state by state until nothing follows), every chain ends
 * within the table's length, in a state from which nothing follows, and never where it began
 * unless nothing fired. */
START_TEST(test_chains_end) {
  size_t rows = 0;
  ij_domain_followons(&rows);
  ck_assert_uint_eq(rows, 5);
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    for (unsigned bits = 0; bits < 16; bits++) {
      ij_referral_facts f = facts_of((ij_state)s, bits);
      ij_actor system = {"system", "Immediate Justice service", "derbyshire", IJ_ROLE_SYSTEM};
      ij_event event;
      size_t steps = 0;
      while (ij_domain_followon_next(&system, &f, &event, NULL)) {
        ck_assert_uint_le(++steps, rows);
        ij_transition_request req = {.event = event};
        ij_decision d;
        ij_field_errors errs;
        ij_field_errors_init(&errs);
        ck_assert_int_eq(ij_domain_decide(&system, &f, &req, NULL, false, &d, NULL, &errs), IJ_OK);
        ck_assert_int_ne(d.to, f.state);
        f.state = d.to;
      }
      /* a scheduled, attended referral with its hours met ends completed, by way of in progress */
      if (s == IJ_STATE_SCHEDULED && bits == (1u | 2u)) {
        ck_assert_uint_eq(steps, 2);
        ck_assert_int_eq(f.state, IJ_STATE_COMPLETED);
      }
    }
  }
}
END_TEST

/* The effects columns of the transition table, as the lifecycle gives them: an exit (completed,
 * non-compliant) tells the force and starts the reoffending checks; non-compliance and withdrawal
 * end the bookings; warnings count. */
START_TEST(test_effects) {
  size_t n = 0;
  const ij_transition_rule *t = ij_domain_transitions(&n);
  for (size_t i = 0; i < n; i++) {
    unsigned want = 0;
    switch (t[i].event) {
    case IJ_EVENT_COMPLETE:
      want = IJ_EFFECT_EXIT | IJ_EFFECT_COMPLETION;
      break;
    case IJ_EVENT_DECLARE_NON_COMPLIANCE:
      want = IJ_EFFECT_EXIT | IJ_EFFECT_CANCEL_BOOKINGS;
      break;
    case IJ_EVENT_WITHDRAW:
      want = IJ_EFFECT_CANCEL_BOOKINGS;
      break;
    case IJ_EVENT_FIRST_WARNING:
    case IJ_EVENT_SECOND_WARNING:
      want = IJ_EFFECT_WARNING;
      break;
    default:
      break;
    }
    ck_assert_msg(t[i].effects == want, "%s: effects 0x%x, want 0x%x", ij_event_name(t[i].event),
                  t[i].effects, want);
  }
  /* the decision carries them, and the warning as a count */
  ij_referral_facts f = facts_of(IJ_STATE_IN_PROGRESS, 0);
  f.unacceptable_absences = 1;
  ij_actor coordinator = {"co-1", "Coordinator", "derbyshire", IJ_ROLE_COORDINATOR};
  ij_transition_request req = {.event = IJ_EVENT_FIRST_WARNING, .reason_code = "absence"};
  ij_decision d;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_decide(&coordinator, &f, &req, NULL, true, &d, NULL, &errs), IJ_OK);
  ck_assert_int_eq(d.warnings_delta, 1);
  ck_assert_uint_eq(d.effects, IJ_EFFECT_WARNING);
  req = (ij_transition_request){.event = IJ_EVENT_DECLARE_NON_COMPLIANCE,
                                .reason_code = "not_engaged",
                                .reason = "Two absences"};
  ck_assert_int_eq(ij_domain_decide(&coordinator, &f, &req, NULL, true, &d, NULL, &errs), IJ_OK);
  ck_assert_int_eq(d.warnings_delta, 0);
  ck_assert_uint_eq(d.effects, IJ_EFFECT_EXIT | IJ_EFFECT_CANCEL_BOOKINGS);
}
END_TEST

START_TEST(test_bad_input) {
  ij_event e;
  ck_assert(!ij_domain_followon_next(NULL, NULL, &e, NULL));
  ij_referral_facts f = facts_of(IJ_STATE__COUNT, 15);
  ck_assert(!ij_domain_followon_next(NULL, &f, &e, NULL));
}
END_TEST

Suite *followons_suite(void) {
  Suite *s = suite_create("followons");
  TCase *tc = tcase_create("table");
  tcase_add_loop_test(tc, test_walk_followons, 0, IJ_STATE__COUNT);
  tcase_add_test(tc, test_chains_end);
  tcase_add_test(tc, test_effects);
  tcase_add_test(tc, test_bad_input);
  suite_add_tcase(s, tc);
  return s;
}
