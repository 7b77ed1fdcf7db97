/* The Idempotency-Key rules walked whole: every byte a key may hold and its lengths, every status
 * a handler may answer with against the keeping table, and every case a repeated key meets. */
#include <check.h>
#include <string.h>

#include "ij/domain_idempotency.h"

Suite *idempotency_suite(void);

START_TEST(test_key_bytes_and_lengths) {
  char key[IJ_IDEM_KEY_MAX + 2];
  for (int c = 1; c < 256; c++) {
    key[0] = 'k';
    key[1] = (char)c;
    key[2] = 0;
    bool printable = c >= 0x21 && c <= 0x7e;
    ck_assert_msg(ij_domain_idem_key_ok(key) == printable, "byte 0x%02x", c);
  }
  for (int n = 0; n <= IJ_IDEM_KEY_MAX + 1; n++) {
    memset(key, 'a', (size_t)n);
    key[n] = 0;
    ck_assert_msg(ij_domain_idem_key_ok(key) == (n >= 1 && n <= IJ_IDEM_KEY_MAX), "length %d", n);
  }
  ck_assert(!ij_domain_idem_key_ok(NULL));
  ck_assert(ij_domain_idem_key_ok("register-7f3a:sign-in:2026-12-04T09:00Z"));
  ck_assert(!ij_domain_idem_key_ok("has space"));
}
END_TEST

START_TEST(test_keep_table_covers_every_status_once) {
  int n;
  const ij_idem_keep_rule *rules = ij_domain_idem_keep_rules(&n);
  ck_assert_int_gt(n, 0);
  ck_assert_int_eq(rules[0].lo, 100);
  ck_assert_int_eq(rules[n - 1].hi, 599);
  for (int i = 0; i < n; i++) {
    ck_assert_msg(rules[i].lo <= rules[i].hi, "row %d is empty", i);
    ck_assert_msg(rules[i].why && rules[i].why[0], "row %d gives no reason", i);
    if (i > 0)
      ck_assert_msg(rules[i].lo == rules[i - 1].hi + 1, "a gap or overlap before row %d", i);
  }
  for (int s = 100; s <= 599; s++) {
    int rows = 0;
    bool keep = false;
    for (int i = 0; i < n; i++)
      if (s >= rules[i].lo && s <= rules[i].hi) {
        rows++;
        keep = rules[i].keep;
      }
    ck_assert_msg(rows == 1, "status %d is in %d rows", s, rows);
    ck_assert_msg(ij_domain_idem_keeps(s) == keep, "status %d", s);
  }
  ck_assert(!ij_domain_idem_keeps(0));
  ck_assert(!ij_domain_idem_keeps(600));
}
END_TEST

START_TEST(test_keep_what_the_routes_answer) {
  /* successes and refusals of the request are kept: a repeat gets the same answer */
  static const int kept[] = {200, 201, 400, 403, 404, 409, 412, 413, 415, 422, 428};
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
    ck_assert_msg(ij_domain_idem_keeps(kept[i]), "%d not kept", kept[i]);
  /* an answer that asks for the request again is not: the retry runs */
  static const int not_kept[] = {408, 425, 429, 500, 502, 503, 504};
  for (size_t i = 0; i < sizeof not_kept / sizeof not_kept[0]; i++)
    ck_assert_msg(!ij_domain_idem_keeps(not_kept[i]), "%d kept", not_kept[i]);
}
END_TEST

START_TEST(test_judge_every_case) {
  const ij_time_us at = 1764840000LL * 1000000;
  const ij_time_us nows[] = {at, at + 1, at + IJ_IDEM_TAKE_OVER_US - 1, at + IJ_IDEM_TAKE_OVER_US,
                             at + 10 * IJ_IDEM_TAKE_OVER_US};
  for (int same = 0; same < 2; same++)
    for (int answered = 0; answered < 2; answered++)
      for (size_t t = 0; t < sizeof nows / sizeof nows[0]; t++) {
        ij_idem_seen seen = {same, answered, at};
        ij_idem_verdict want = !same                                  ? IJ_IDEM_MISMATCH
                               : answered                             ? IJ_IDEM_REPLAY
                               : nows[t] - at >= IJ_IDEM_TAKE_OVER_US ? IJ_IDEM_TAKE_OVER
                                                                      : IJ_IDEM_RUNNING;
        ck_assert_msg(ij_domain_idem_judge(&seen, nows[t]) == want,
                      "same %d answered %d after %lld us", same, answered,
                      (long long)(nows[t] - at));
      }
}
END_TEST

Suite *idempotency_suite(void) {
  Suite *s = suite_create("idempotency");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_key_bytes_and_lengths);
  tcase_add_test(tc, test_keep_table_covers_every_status_once);
  tcase_add_test(tc, test_keep_what_the_routes_answer);
  tcase_add_test(tc, test_judge_every_case);
  suite_add_tcase(s, tc);
  return s;
}
