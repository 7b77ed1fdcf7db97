/* The sets of states the operations pass to the store's queries: each must hold exactly the
 * states its predicate names (walked over every state), and nothing beyond the last state, since
 * the store turns every bit it is given into a state name. */
#include <check.h>
#include <limits.h>

#include "ij/domain.h"

Suite *state_sets_suite(void);

static void assert_set_matches(unsigned set, bool (*holds)(ij_state)) {
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    bool in = (set & (1u << s)) != 0;
    ck_assert_msg(in == holds((ij_state)s), "%s: in the set %d, predicate %d",
                  ij_state_name((ij_state)s), in, holds((ij_state)s));
  }
  unsigned all =
      IJ_STATE__COUNT == sizeof(unsigned) * CHAR_BIT ? ~0u : (1u << IJ_STATE__COUNT) - 1u;
  ck_assert_uint_eq(set & ~all, 0);
}

START_TEST(test_clock_states) {
  unsigned set = ij_domain_clock_states();
  assert_set_matches(set, ij_domain_state_clock_runs);
  ck_assert_uint_eq(set, (1u << IJ_STATE_SUBMITTED) | (1u << IJ_STATE_ACCEPTED) |
                             (1u << IJ_STATE_SCHEDULED));
  /* the set the overdue queries use agrees with the overdue rule applied to one referral */
  for (int s = 0; s < IJ_STATE__COUNT; s++)
    ck_assert_int_eq(ij_domain_referral_overdue((ij_state)s, false, 0, 1), (set & (1u << s)) != 0);
}
END_TEST

START_TEST(test_ended_states) {
  unsigned set = ij_domain_ended_states();
  assert_set_matches(set, ij_domain_state_ended);
  ck_assert_uint_eq(set, (1u << IJ_STATE_CLOSED) | (1u << IJ_STATE_REJECTED) |
                             (1u << IJ_STATE_WITHDRAWN));
  /* retention never erases a referral whose start clock still runs */
  ck_assert_uint_eq(set & ij_domain_clock_states(), 0);
}
END_TEST

Suite *state_sets_suite(void) {
  Suite *s = suite_create("state_sets");
  TCase *tc = tcase_create("state_sets");
  tcase_add_test(tc, test_clock_states);
  tcase_add_test(tc, test_ended_states);
  suite_add_tcase(s, tc);
  return s;
}
