#ifndef IJ_TEST_HTTP_SUITES_H
#define IJ_TEST_HTTP_SUITES_H

#include <check.h>

#include "support.h"

Suite *http_auth_suite(void);
Suite *http_referrals_suite(void);
Suite *http_concurrency_suite(void);
Suite *http_notices_suite(void);
Suite *http_worklists_suite(void);
Suite *http_bookings_suite(void);
Suite *http_followups_suite(void);
Suite *http_placements_suite(void);
Suite *http_stats_suite(void);
Suite *http_stats_quarterly_suite(void);
/* The kept aggregates against the figures' definitions (test_stats_exact.c). */
Suite *http_stats_exact_suite(void);
Suite *http_metrics_suite(void);
Suite *http_access_log_suite(void);
Suite *http_read_routing_suite(void);
Suite *http_apart_suite(void);
Suite *http_amend_search_suite(void);
Suite *http_refdata_suite(void);
Suite *http_register_suite(void);
Suite *http_attendance_suite(void);
Suite *http_notices_progress_suite(void);
Suite *http_races_suite(void);
Suite *http_suggestions_suite(void);
Suite *http_idempotency_suite(void);
Suite *http_messages_suite(void);
Suite *http_message_delivery_suite(void);
Suite *http_notify_settings_suite(void);
Suite *http_stats_areas_suite(void);
Suite *http_subject_access_suite(void);
/* Erasure by retention alone, and the access log's retention (test_erasure.c). */
Suite *http_erasure_suite(void);

/* Per-test fixture: a server on a spare port and a fresh area (set by setup). */
extern ts_server *S;
extern char AREA[IJ_AREA_MAX];
void http_setup(void);
void http_teardown(void);

#endif
