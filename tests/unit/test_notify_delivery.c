/* Delivery through GOV.UK Notify: every HTTP status's outcome, the backoff over every attempt,
 * the receipts' statuses and fields, and when a queued reminder is still wanted. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ij/domain_messages.h"
#include "ij/domain_notify_delivery.h"

Suite *notify_delivery_suite(void);

static const ij_time_us k_now = INT64_C(1796000000) * IJ_US_PER_SECOND;

START_TEST(every_status_has_one_outcome) {
  ck_assert_int_eq(ij_domain_notify_classify(0), IJ_NOTIFY_RETRY);
  for (long s = 100; s <= 599; s++) {
    ij_notify_outcome want;
    if (s >= 200 && s <= 299)
      want = IJ_NOTIFY_SENT;
    else if (s == 429 || s >= 500)
      want = IJ_NOTIFY_RETRY;
    else
      want = IJ_NOTIFY_PERMANENT;
    ck_assert_msg(ij_domain_notify_classify(s) == want, "status %ld", s);
  }
  /* the answers Notify documents */
  ck_assert_int_eq(ij_domain_notify_classify(201), IJ_NOTIFY_SENT);
  ck_assert_int_eq(ij_domain_notify_classify(400), IJ_NOTIFY_PERMANENT); /* BadRequestError */
  ck_assert_int_eq(ij_domain_notify_classify(403), IJ_NOTIFY_PERMANENT); /* AuthError */
  ck_assert_int_eq(ij_domain_notify_classify(429), IJ_NOTIFY_RETRY);     /* RateLimitError */
  ck_assert_int_eq(ij_domain_notify_classify(500), IJ_NOTIFY_RETRY);     /* Exception */
}
END_TEST

START_TEST(backoff_doubles_to_an_hour) {
  long want = 2;
  for (int a = 1; a <= 40; a++) {
    ck_assert_int_eq(ij_domain_notify_backoff_seconds(a), want);
    want = want * 2 > 3600 ? 3600 : want * 2;
  }
  ck_assert_int_eq(ij_domain_notify_backoff_seconds(11), 2048);
  ck_assert_int_eq(ij_domain_notify_backoff_seconds(12), 3600);
  ck_assert_int_eq(ij_domain_notify_backoff_seconds(1000000), 3600);
  ck_assert_int_eq(ij_domain_notify_backoff_seconds(0), 2);
}
END_TEST

START_TEST(retries_until_the_tenth_attempt) {
  for (int before = 0; before < 15; before++) {
    int after = -1;
    ij_time_us next = -1;
    bool again = ij_domain_notify_retry(IJ_NOTIFY_RETRY, before, k_now, &after, &next);
    ck_assert_int_eq(after, before + 1);
    if (before + 1 < IJ_NOTIFY_MAX_ATTEMPTS) {
      ck_assert_msg(again, "attempt %d", before + 1);
      ck_assert_int_eq(next,
                       k_now + ij_domain_notify_backoff_seconds(before + 1) * IJ_US_PER_SECOND);
    } else {
      ck_assert_msg(!again, "attempt %d", before + 1);
      ck_assert_int_eq(next, 0);
    }
    /* a refusal is never retried, a success is no failure */
    ck_assert(!ij_domain_notify_retry(IJ_NOTIFY_PERMANENT, before, k_now, &after, &next));
    ck_assert_int_eq(after, before + 1);
    ck_assert(!ij_domain_notify_retry(IJ_NOTIFY_SENT, before, k_now, &after, &next));
  }
  /* the first failure waits 2 s, the second 4 s */
  int after;
  ij_time_us next;
  ck_assert(ij_domain_notify_retry(IJ_NOTIFY_RETRY, 0, k_now, &after, &next));
  ck_assert_int_eq(next - k_now, 2 * IJ_US_PER_SECOND);
  ck_assert(ij_domain_notify_retry(IJ_NOTIFY_RETRY, 1, k_now, &after, &next));
  ck_assert_int_eq(next - k_now, 4 * IJ_US_PER_SECOND);
}
END_TEST

START_TEST(receipt_statuses) {
  const char *ok[] = {IJ_NOTIFY_RECEIPT_STATUSES};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    ck_assert(ij_domain_notify_receipt_status(ok[i]));
  ck_assert_int_eq(sizeof ok / sizeof ok[0], 4);
  const char *bad[] = {"sending",    "created", "pending", "sent",      "failed",   "Delivered",
                       "delivered ", "",        "queued",  "cancelled", "not_sent", NULL};
  for (int i = 0; bad[i]; i++)
    ck_assert_msg(!ij_domain_notify_receipt_status(bad[i]), "%s", bad[i]);
  ck_assert(!ij_domain_notify_receipt_status(NULL));
}
END_TEST

static ij_notify_receipt_input input(const char *id, const char *reference, const char *status,
                                     const char *completed_at) {
  ij_notify_receipt_input in = {IJ_OK, id, true, reference, true, status, true, completed_at, true};
  return in;
}

START_TEST(a_good_receipt) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_notify_receipt r;
  ij_notify_receipt_input in =
      input("740E5834-3A29-46B4-9A6F-16142FDE533A", "8d7f1a62-0b9e-4d8c-9a55-2f0c3e6a1b2c",
            "permanent-failure", "2026-12-05T18:00:01.500000Z");
  ck_assert_int_eq(ij_domain_notify_receipt_check(&in, k_now, &r, &errs), IJ_OK);
  ck_assert_int_eq(errs.count, 0);
  ck_assert_str_eq(r.notify_id, "740e5834-3a29-46b4-9a6f-16142fde533a");
  ck_assert(r.has_reference);
  ck_assert_str_eq(r.reference, "8d7f1a62-0b9e-4d8c-9a55-2f0c3e6a1b2c");
  ck_assert_str_eq(r.status, "permanent-failure");
  ij_time_us at;
  ck_assert_int_eq(ij_time_parse("2026-12-05T18:00:01.5Z", &at), IJ_OK);
  ck_assert_int_eq(r.status_at, at);

  /* no completed_at: now; a reference of someone else's making: found by id */
  in = input("740e5834-3a29-46b4-9a6f-16142fde533a", "their-own-ref", "delivered", NULL);
  ck_assert_int_eq(ij_domain_notify_receipt_check(&in, k_now, &r, &errs), IJ_OK);
  ck_assert(!r.has_reference);
  ck_assert_int_eq(r.status_at, k_now);
  in = input("740e5834-3a29-46b4-9a6f-16142fde533a", NULL, "temporary-failure", NULL);
  ck_assert_int_eq(ij_domain_notify_receipt_check(&in, k_now, &r, &errs), IJ_OK);
  ck_assert(!r.has_reference);
  ck_assert_int_eq(errs.count, 0);
}
END_TEST

START_TEST(every_bad_field_is_named) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_notify_receipt r;
  ij_notify_receipt_input in = input("not-a-uuid", NULL, "sending", "yesterday");
  ck_assert_int_eq(ij_domain_notify_receipt_check(&in, k_now, &r, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 3);
  ck_assert(ij_field_errors_has(&errs, "id"));
  ck_assert(ij_field_errors_has(&errs, "status"));
  ck_assert(ij_field_errors_has(&errs, "completed_at"));

  /* missing, and of the wrong types */
  ij_field_errors_init(&errs);
  ij_notify_receipt_input none = {IJ_OK, NULL, true, NULL, false, NULL, true, NULL, false};
  ck_assert_int_eq(ij_domain_notify_receipt_check(&none, k_now, &r, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 4);
  ck_assert(ij_field_errors_has(&errs, "id"));
  ck_assert(ij_field_errors_has(&errs, "reference"));
  ck_assert(ij_field_errors_has(&errs, "status"));
  ck_assert(ij_field_errors_has(&errs, "completed_at"));
  ij_field_errors_init(&errs);
  ij_notify_receipt_input types = {IJ_OK, NULL, false, NULL, true, NULL, false, NULL, true};
  ck_assert_int_eq(ij_domain_notify_receipt_check(&types, k_now, &r, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 2);

  /* a body that could not be read is reported as such, with no field named */
  ij_field_errors_init(&errs);
  ij_notify_receipt_input unread = {
      IJ_ERR_MALFORMED, NULL, true, NULL, true, NULL, true, NULL, true};
  ck_assert_int_eq(ij_domain_notify_receipt_check(&unread, k_now, &r, &errs), IJ_ERR_MALFORMED);
  unread.body_error = IJ_ERR_MEDIA_TYPE;
  ck_assert_int_eq(ij_domain_notify_receipt_check(&unread, k_now, &r, &errs), IJ_ERR_MEDIA_TYPE);
  ck_assert_int_eq(errs.count, 0);

  /* almost UUIDs */
  const char *ids[] = {
      "740e5834-3a29-46b4-9a6f-16142fde533",  "740e5834-3a29-46b4-9a6f-16142fde533aa",
      "740e58343a2946b49a6f16142fde533a",     "740e5834-3a29-46b4-9a6f_16142fde533a",
      "g40e5834-3a29-46b4-9a6f-16142fde533a", NULL};
  for (int i = 0; ids[i]; i++) {
    ij_field_errors_init(&errs);
    in = input(ids[i], NULL, "delivered", NULL);
    ck_assert_int_eq(ij_domain_notify_receipt_check(&in, k_now, &r, &errs), IJ_ERR_INVALID);
    ck_assert_int_eq(errs.count, 1);
    ck_assert_str_eq(errs.items[0].field, "id");
  }
}
END_TEST

START_TEST(a_reminder_is_wanted_while_its_booking_stands) {
  const char *statuses[] = {"booked", "cancelled", "attended_complied", "did_not_attend", NULL};
  for (int i = 0; statuses[i]; i++)
    for (int cancelled = 0; cancelled <= 1; cancelled++)
      for (int when = -1; when <= 1; when++) {
        bool want = i == 0 && !cancelled && when > 0;
        ck_assert_msg(ij_domain_reminder_still_wanted(
                          statuses[i], cancelled, k_now + when * IJ_US_PER_SECOND, k_now) == want,
                      "%s %d %d", statuses[i], cancelled, when);
      }
  ck_assert(!ij_domain_reminder_still_wanted(NULL, false, k_now + IJ_US_PER_DAY, k_now));
}
END_TEST

Suite *notify_delivery_suite(void) {
  Suite *s = suite_create("notify_delivery");
  TCase *tc = tcase_create("notify_delivery");
  tcase_add_test(tc, every_status_has_one_outcome);
  tcase_add_test(tc, backoff_doubles_to_an_hour);
  tcase_add_test(tc, retries_until_the_tenth_attempt);
  tcase_add_test(tc, receipt_statuses);
  tcase_add_test(tc, a_good_receipt);
  tcase_add_test(tc, every_bad_field_is_named);
  tcase_add_test(tc, a_reminder_is_wanted_while_its_booking_stands);
  suite_add_tcase(s, tc);
  return s;
}
