/* The unit test runners, no database (Check forks per test). Built twice: with IJ_TEST_DOMAIN as
 * test_domain, the domain's suites linked with the domain library alone; without it as test_unit,
 * the other pure parts. */
#include <check.h>
#include <stdlib.h>

/* Each suite is defined in its own file under tests/unit/. */
#ifdef IJ_TEST_DOMAIN
#define IJ_UNIT_SUITES(X)  \
  X(apart_suite)           \
  X(amend_suite)           \
  X(attendance_suite)      \
  X(bookings_suite)        \
  X(followons_suite)       \
  X(followups_suite)       \
  X(idempotency_suite)     \
  X(interval_suite)        \
  X(messages_suite)        \
  X(errors_suite)          \
  X(names_suite)           \
  X(notice_rules_suite)    \
  X(outcomes_suite)        \
  X(perms_suite)           \
  X(placements_suite)      \
  X(refdata_suite)         \
  X(register_suite)        \
  X(state_sets_suite)      \
  X(suggest_suite)         \
  X(suppress_suite)        \
  X(text_suite)            \
  X(time_suite)            \
  X(transitions_suite)     \
  X(notify_delivery_suite) \
  X(notify_suite)          \
  X(validate_suite)
#else
#define IJ_UNIT_SUITES(X) \
  X(accept_suite)         \
  X(auth_suite)           \
  X(config_suite)         \
  X(digest_suite)         \
  X(ids_suite)            \
  X(jsonw_suite)          \
  X(log_suite)            \
  X(routes_suite)
#endif

#define IJ_DECLARE_SUITE(fn) Suite *fn(void);
IJ_UNIT_SUITES(IJ_DECLARE_SUITE)
#undef IJ_DECLARE_SUITE

int main(void) {
  Suite *(*const suites[])(void) = {
#define IJ_SUITE_ENTRY(fn) fn,
      IJ_UNIT_SUITES(IJ_SUITE_ENTRY)
#undef IJ_SUITE_ENTRY
  };
  SRunner *runner = srunner_create(suites[0]());
  for (size_t i = 1; i < sizeof suites / sizeof suites[0]; i++) {
    srunner_add_suite(runner, suites[i]());
  }
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
