/* Role permissions, and the area rules' clock: target start and overdue. */
#include <check.h>

#include "ij/domain.h"

Suite *perms_suite(void);

START_TEST(test_permissions_matrix) {
  /* action x role, written from SPEC.md: officers refer and follow their referrals, coordinators
   * triage; commissioners never see a person; supervisors and admins have no referral actions. */
  static const struct {
    ij_action action;
    bool officer, coordinator, supervisor, commissioner, admin;
  } k_matrix[] = {
      {IJ_ACTION_REFERRAL_CREATE, true, false, false, false, false},
      {IJ_ACTION_REFERRAL_READ, true, true, false, false, false},
      {IJ_ACTION_REFERRAL_LIST, true, true, false, false, false},
      {IJ_ACTION_REFERRAL_TRANSITION, true, true, false, false, false},
  };
  ck_assert_int_eq(sizeof k_matrix / sizeof k_matrix[0], IJ_ACTION__COUNT);
  for (size_t i = 0; i < sizeof k_matrix / sizeof k_matrix[0]; i++) {
    ij_action a = k_matrix[i].action;
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_OFFICER, a), k_matrix[i].officer);
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_COORDINATOR, a), k_matrix[i].coordinator);
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_SUPERVISOR, a), k_matrix[i].supervisor);
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_COMMISSIONER, a), k_matrix[i].commissioner);
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_ADMIN, a), k_matrix[i].admin);
    ck_assert_int_eq(ij_domain_may(0, a), false);
    /* any one allowed role in a set is enough */
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_COMMISSIONER | IJ_ROLE_OFFICER, a), true);
    ck_assert_int_eq(ij_domain_may(IJ_ROLE_COMMISSIONER | IJ_ROLE_ADMIN | IJ_ROLE_SUPERVISOR, a),
                     false);
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
