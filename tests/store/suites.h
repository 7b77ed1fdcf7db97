/* The store suites beyond test_store.c's own, added to its runner. */
#ifndef IJ_TEST_STORE_SUITES_H
#define IJ_TEST_STORE_SUITES_H

#include <check.h>

/* Several instances on one database: outbox workers, a crash mid-delivery, retention, migrations
 * started together (test_outbox_instances.c). */
Suite *store_instances_suite(void);
/* Idempotency-Key claims and kept answers (test_idempotency_store.c). */
Suite *store_idempotency_suite(void);
/* Messages to GOV.UK Notify: the claim, its results and the receipts
 * (test_message_delivery_store.c). */
Suite *store_message_delivery_suite(void);
/* The demo data set of `ij seed`: realistic, the same every time, loaded once (test_seed.c). */
Suite *store_seed_suite(void);

/* A row read as one record: the decoder against written cases and PostgreSQL's own text
 * (test_record_store.c). */
Suite *store_record_suite(void);

#endif
