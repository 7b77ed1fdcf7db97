/* Role permissions, and the area rules' clock: target start and overdue. */
#include <check.h>

#include "ij/domain.h"

Suite *perms_suite(void);

START_TEST(test_permissions_matrix) {
  /* action x role, written from README.md and docs/api-contract.md: officers refer, follow their
   * referrals, see their bookings and notices; coordinators triage, run placements, sessions,
   * bookings and work lists; supervisors see their placements and sessions and record attendance;
   * admins read notices and the access log; commissioners never see a person, and national
   * commissioners alone read every area's statistics together. The system role is
   * never granted. */
  static const struct {
    ij_action action;
    bool officer, coordinator, supervisor, commissioner, admin, national;
  } k_matrix[] = {
      {IJ_ACTION_REFERRAL_CREATE, true, false, false, false, false, false},
      {IJ_ACTION_REFERRAL_READ, true, true, false, false, false, false},
      {IJ_ACTION_REFERRAL_LIST, true, true, false, false, false, false},
      {IJ_ACTION_REFERRAL_TRANSITION, true, true, false, false, false, false},
      {IJ_ACTION_PLACEMENT_WRITE, false, true, false, false, false, false},
      {IJ_ACTION_PLACEMENT_READ, false, true, true, false, false, false},
      {IJ_ACTION_SESSION_WRITE, false, true, false, false, false, false},
      {IJ_ACTION_SESSION_READ, false, true, true, false, false, false},
      {IJ_ACTION_BOOKING_WRITE, false, true, false, false, false, false},
      {IJ_ACTION_BOOKING_READ, true, true, true, false, false, false},
      {IJ_ACTION_OUTCOME_RECORD, false, true, true, false, false, false},
      {IJ_ACTION_WORKLIST_READ, false, true, false, false, false, false},
      {IJ_ACTION_NOTICE_READ, true, true, false, false, true, false},
      {IJ_ACTION_FOLLOWUP_READ, false, true, false, false, false, false},
      {IJ_ACTION_FOLLOWUP_WRITE, false, true, false, false, false, false},
      {IJ_ACTION_STATS_READ, false, true, false, true, true, true},
      {IJ_ACTION_STATS_NATIONAL, false, false, false, false, false, true},
      {IJ_ACTION_ACCESS_LOG_READ, false, false, false, false, true, false},
      {IJ_ACTION_NON_ASSOCIATION, false, true, false, false, false, false},
      {IJ_ACTION_REFERRAL_AMEND, true, true, false, false, false, false},
      {IJ_ACTION_PERSON_READ, true, true, false, false, false, false},
      {IJ_ACTION_REFDATA_WRITE, false, false, false, false, true, false},
      {IJ_ACTION_REFDATA_AUDIT_READ, false, false, false, false, true, false},
      {IJ_ACTION_AREA_RULES_READ, true, true, false, false, true, false},
      {IJ_ACTION_SUPERVISOR_READ, false, true, false, false, true, false},
      {IJ_ACTION_SUPERVISOR_WRITE, false, false, false, false, true, false},
      {IJ_ACTION_WALK_IN, false, true, true, false, false, false},
      {IJ_ACTION_REGISTER_READ, false, true, true, false, false, false},
      {IJ_ACTION_WEBHOOK_ADMIN, false, false, false, false, true, false},
      {IJ_ACTION_MESSAGE_READ, false, true, false, false, true, false},
      {IJ_ACTION_SUBJECT_ACCESS, false, false, false, false, true, false},
  };
  ck_assert_int_eq(sizeof k_matrix / sizeof k_matrix[0], IJ_ACTION__COUNT);
  for (size_t i = 0; i < sizeof k_matrix / sizeof k_matrix[0]; i++) {
    ij_action a = k_matrix[i].action;
    ck_assert_int_eq(a, (int)i); /* rows in the header's order, one per action */
    const struct {
      ij_roles role;
      bool may;
    } cells[] = {{IJ_ROLE_OFFICER, k_matrix[i].officer},
                 {IJ_ROLE_COORDINATOR, k_matrix[i].coordinator},
                 {IJ_ROLE_SUPERVISOR, k_matrix[i].supervisor},
                 {IJ_ROLE_COMMISSIONER, k_matrix[i].commissioner},
                 {IJ_ROLE_ADMIN, k_matrix[i].admin},
                 {IJ_ROLE_NATIONAL, k_matrix[i].national}};
    ij_roles allowed = 0, refused = 0;
    for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
      ck_assert_msg(ij_domain_may(cells[k].role, a) == cells[k].may, "action %zu, role %s", i,
                    ij_role_name(cells[k].role));
      if (cells[k].may) {
        allowed |= cells[k].role;
      } else {
        refused |= cells[k].role;
      }
    }
    ck_assert_int_eq(ij_domain_may(0, a), false);
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_SYSTEM, a), false);
    /* any one allowed role in a set is enough; no set of refused roles adds up to one */
    ck_assert_uint_ne(allowed, 0);
    for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
      if (cells[k].may) {
        ck_assert_int_eq(ij_domain_may(cells[k].role | refused | IJ_ROLE_SYSTEM, a), true);
      }
    }
    ck_assert_int_eq(ij_domain_may(refused | IJ_ROLE_SYSTEM, a), false);
    ck_assert_int_eq(ij_domain_may(IJ_ROLES_HUMAN, a), true);
  }
  ck_assert_int_eq(ij_domain_may(IJ_ROLES_HUMAN, IJ_ACTION__COUNT), false);
  ck_assert_int_eq(ij_domain_may(IJ_ROLES_HUMAN, (ij_action)-1), false);
}
END_TEST

START_TEST(test_target_start_by) {
  const ij_area_rules rules = {2, 20, 7, 48};
  const ij_area_rules fast = {2, 20, 7, 24};
  ij_time_us t = 0;
  ck_assert_int_eq(ij_time_parse("2026-11-22T19:51:40.5Z", &t), IJ_OK);
  ij_time_us want = 0;
  ck_assert_int_eq(ij_time_parse("2026-11-24T19:51:40.5Z", &want), IJ_OK);
  ck_assert_int_eq(ij_domain_target_start_by(t, &rules), want);
  ck_assert_int_eq(ij_domain_target_start_by(t, NULL), want); /* the default is 48 hours */
  ck_assert_int_eq(ij_domain_target_start_by(t, &fast), t + 24 * IJ_US_PER_HOUR);
  /* no overflow at the far end */
  ck_assert_int_eq(ij_domain_target_start_by(INT64_MAX - 1, &rules), INT64_MAX);
}
END_TEST

START_TEST(test_clock_states) {
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    bool runs = s == IJ_STATE_SUBMITTED || s == IJ_STATE_ACCEPTED || s == IJ_STATE_SCHEDULED;
    ck_assert_int_eq(ij_domain_state_clock_runs((ij_state)s), runs);
  }
}
END_TEST

START_TEST(test_overdue) {
  const ij_time_us target = 1000 * IJ_US_PER_HOUR;
  ck_assert(!ij_domain_referral_overdue(IJ_STATE_SUBMITTED, false, target, target));
  ck_assert(ij_domain_referral_overdue(IJ_STATE_SUBMITTED, false, target, target + 1));
  ck_assert(ij_domain_referral_overdue(IJ_STATE_ACCEPTED, false, target, target + 1));
  ck_assert(ij_domain_referral_overdue(IJ_STATE_SCHEDULED, false, target, target + 1));
  ck_assert(!ij_domain_referral_overdue(IJ_STATE_SCHEDULED, true, target, target + 1));
  ck_assert(!ij_domain_referral_overdue(IJ_STATE_IN_PROGRESS, false, target, target + 1));
  ck_assert(!ij_domain_referral_overdue(IJ_STATE_WITHDRAWN, false, target, target + 1));
  ck_assert(!ij_domain_referral_overdue(IJ_STATE_REJECTED, false, target, target + 1));
  ck_assert(!ij_domain_referral_overdue(IJ_STATE_CLOSED, false, target, target + 1));
}
END_TEST

Suite *perms_suite(void) {
  Suite *s = suite_create("perms");
  TCase *tc = tcase_create("permissions");
  tcase_add_test(tc, test_permissions_matrix);
  suite_add_tcase(s, tc);
  tc = tcase_create("clock");
  tcase_add_test(tc, test_target_start_by);
  tcase_add_test(tc, test_clock_states);
  tcase_add_test(tc, test_overdue);
  suite_add_tcase(s, tc);
  return s;
}
