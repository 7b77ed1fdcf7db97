/* HTTP tests: the service runs inside the test process on a spare port; calls go over HTTP. */
#include <stdlib.h>
#include <unistd.h>

#include "suites.h"

ts_server *S;
char AREA[IJ_AREA_MAX];

void http_setup(void) {
  S = ts_server_start(8);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  ts_new_area(c, AREA);
  ij_store_release(S->store, c);
}

void http_teardown(void) {
  ts_server_stop(S);
  S = NULL;
}

int main(void) {
  const char *log = getenv("IJ_TEST_RESPONSE_LOG");
  if (log)
    unlink(log);     /* this run's responses only */
  ts_database_url(); /* migrate and make keys once, before the tests fork */
  SRunner *sr = srunner_create(http_auth_suite());
  srunner_add_suite(sr, http_referrals_suite());
  srunner_add_suite(sr, http_concurrency_suite());
  srunner_add_suite(sr, http_notices_suite());
  srunner_add_suite(sr, http_worklists_suite());
  srunner_add_suite(sr, http_bookings_suite());
  srunner_add_suite(sr, http_followups_suite());
  srunner_add_suite(sr, http_placements_suite());
  srunner_add_suite(sr, http_stats_suite());
  srunner_add_suite(sr, http_stats_quarterly_suite());
  srunner_add_suite(sr, http_stats_exact_suite());
  srunner_add_suite(sr, http_stats_areas_suite());
  srunner_add_suite(sr, http_metrics_suite());
  srunner_add_suite(sr, http_access_log_suite());
  srunner_add_suite(sr, http_subject_access_suite());
  srunner_add_suite(sr, http_erasure_suite());
  srunner_add_suite(sr, http_register_suite());
  srunner_add_suite(sr, http_read_routing_suite());
  srunner_add_suite(sr, http_apart_suite());
  srunner_add_suite(sr, http_amend_search_suite());
  srunner_add_suite(sr, http_refdata_suite());
  srunner_add_suite(sr, http_attendance_suite());
  srunner_add_suite(sr, http_messages_suite());
  srunner_add_suite(sr, http_notices_progress_suite());
  srunner_add_suite(sr, http_races_suite());
  srunner_add_suite(sr, http_suggestions_suite());
  srunner_add_suite(sr, http_idempotency_suite());
  srunner_add_suite(sr, http_message_delivery_suite());
  srunner_add_suite(sr, http_notify_settings_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
