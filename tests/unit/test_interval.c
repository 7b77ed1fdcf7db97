/* The Wilson score interval: published and hand-computed values, and its properties over every k
 * of every n up to 200; the quarterly return's calendar. */
#include <check.h>
#include <math.h>

#include "ij/domain_stats.h"

Suite *interval_suite(void);

static void expect(int64_t k, int64_t n, double low, double high) {
  ij_interval i;
  ck_assert(ij_wilson_interval(k, n, &i));
  ck_assert_msg(fabs(i.low - low) < 5e-5 && fabs(i.high - high) < 5e-5,
                "%lld/%lld: [%.6f, %.6f], expected [%.4f, %.4f]", (long long)k, (long long)n, i.low,
                i.high, low, high);
}

/* Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
 * Medicine 17, table II, method 3 (the score method without continuity correction). */
START_TEST(published_values) {
  expect(81, 263, 0.2553, 0.3662);
  expect(15, 148, 0.0624, 0.1605);
  expect(0, 20, 0.0, 0.1611);
  expect(1, 29, 0.0061, 0.1718);
}
END_TEST

/* By hand: centre (p + z^2/2n) / (1 + z^2/n), half z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n). */
START_TEST(hand_computed_values) {
  expect(0, 10, 0.0, 0.2775);    /* z^2/(n + z^2) = 3.8415/13.8415 */
  expect(10, 10, 0.7225, 1.0);   /* its mirror */
  expect(5, 10, 0.2366, 0.7634); /* 0.5 +- 1.96 sqrt(0.025 + 0.0096) / 1.38415 */
  expect(77, 100, 0.6785, 0.8416);
  expect(23, 30, 0.5907, 0.8821); /* "77% did not reoffend" on thirty people */
  expect(1, 1, 0.2065, 1.0);
}
END_TEST

START_TEST(no_interval_without_people) {
  ij_interval i = {-1, -1};
  ck_assert(!ij_wilson_interval(0, 0, &i));
  ck_assert(!ij_wilson_interval(1, 0, &i));
  ck_assert(!ij_wilson_interval(-1, 10, &i));
  ck_assert(!ij_wilson_interval(11, 10, &i));
  ck_assert(!ij_wilson_interval(0, -3, &i));
  ck_assert(i.low == -1 && i.high == -1); /* untouched */
}
END_TEST

START_TEST(properties_over_every_k_of_every_n) {
  for (int64_t n = 1; n <= 200; n++) {
    double previous_width = 2.0;
    for (int64_t k = 0; k <= n; k++) {
      ij_interval i, mirror;
      ck_assert(ij_wilson_interval(k, n, &i));
      ck_assert(ij_wilson_interval(n - k, n, &mirror));
      double p = (double)k / (double)n;
      ck_assert_msg(0.0 <= i.low && i.low <= p && p <= i.high && i.high <= 1.0,
                    "%lld/%lld: [%f, %f]", (long long)k, (long long)n, i.low, i.high);
      ck_assert_msg(i.low < i.high, "%lld/%lld is empty", (long long)k, (long long)n);
      ck_assert_msg(fabs(i.low - (1.0 - mirror.high)) < 1e-12 &&
                        fabs(i.high - (1.0 - mirror.low)) < 1e-12,
                    "%lld/%lld does not mirror %lld/%lld", (long long)k, (long long)n,
                    (long long)(n - k), (long long)n);
      ck_assert((k == 0) == (i.low == 0.0));
      ck_assert((k == n) == (i.high == 1.0));
      /* narrowest at the ends, widest in the middle: the width grows up to k = n/2 */
      double width = i.high - i.low;
      if (2 * k <= n)
        ck_assert_msg(k == 0 || width >= previous_width - 1e-12, "%lld/%lld", (long long)k,
                      (long long)n);
      previous_width = width;
    }
  }
  /* more people, a narrower interval, at the same proportion */
  for (int64_t n = 2; n <= 200; n += 2) {
    ij_interval small, large;
    ck_assert(ij_wilson_interval(n / 2, n, &small));
    ck_assert(ij_wilson_interval(n, 2 * n, &large));
    ck_assert(large.high - large.low < small.high - small.low);
  }
}
END_TEST

static ij_date d(const char *s) {
  ij_date out = 0;
  ck_assert_int_eq(ij_date_parse(s, &out), IJ_OK);
  return out;
}

static void expect_date(ij_date got, const char *want) {
  char text[IJ_DATE_BUF];
  ij_date_format(got, text);
  ck_assert_str_eq(text, want);
}

START_TEST(quarters_of_the_calendar) {
  static const struct {
    const char *day, *start, *end, *name;
  } cases[] = {{"2025-01-01", "2025-01-01", "2025-03-31", "2025-Q1"},
               {"2025-03-31", "2025-01-01", "2025-03-31", "2025-Q1"},
               {"2025-04-01", "2025-04-01", "2025-06-30", "2025-Q2"},
               {"2024-08-15", "2024-07-01", "2024-09-30", "2024-Q3"},
               {"2024-12-31", "2024-10-01", "2024-12-31", "2024-Q4"},
               {"2024-02-29", "2024-01-01", "2024-03-31", "2024-Q1"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    expect_date(ij_quarter_start(d(cases[i].day)), cases[i].start);
    expect_date(ij_quarter_end(d(cases[i].day)), cases[i].end);
    char name[8];
    ij_quarter_format(d(cases[i].day), name);
    ck_assert_str_eq(name, cases[i].name);
  }
  /* every day of four years lies in its quarter, which starts on the 1st of Jan/Apr/Jul/Oct */
  for (ij_date day = d("2023-01-01"); day <= d("2026-12-31"); day++) {
    ij_date q = ij_quarter_start(day);
    ck_assert(q <= day && day <= ij_quarter_end(day));
    ck_assert(ij_quarter_end(day) + 1 == ij_quarter_start(ij_quarter_end(day) + 1));
    char text[IJ_DATE_BUF];
    ij_date_format(q, text);
    ck_assert(text[8] == '0' && text[9] == '1');
    ck_assert(text[5] == '0' || text[6] == '0');
  }
}
END_TEST

START_TEST(the_default_period_is_the_last_four_full_quarters) {
  ij_date from, to;
  ij_stats_quarterly_default(d("2026-12-05"), &from, &to);
  expect_date(from, "2025-10-01");
  expect_date(to, "2026-09-30");
  ij_stats_quarterly_default(d("2026-01-01"), &from, &to);
  expect_date(from, "2025-01-01");
  expect_date(to, "2025-12-31");
  ij_date starts[IJ_STATS_MAX_QUARTERS];
  ck_assert_int_eq(ij_stats_quarters(from, to, starts, IJ_STATS_MAX_QUARTERS), 4);
}
END_TEST

START_TEST(quarters_whose_start_falls_in_the_period) {
  ij_date s[IJ_STATS_MAX_QUARTERS];
  ck_assert_int_eq(ij_stats_quarters(d("2025-01-01"), d("2025-12-31"), s, 8), 4);
  expect_date(s[0], "2025-01-01");
  expect_date(s[3], "2025-10-01");
  /* a period starting mid-quarter leaves that quarter out; one ending on a quarter's first day
   * takes it in */
  ck_assert_int_eq(ij_stats_quarters(d("2025-01-02"), d("2025-10-01"), s, 8), 3);
  expect_date(s[0], "2025-04-01");
  expect_date(s[2], "2025-10-01");
  ck_assert_int_eq(ij_stats_quarters(d("2025-02-01"), d("2025-03-31"), s, 8), 0);
  ck_assert_int_eq(ij_stats_quarters(d("2015-01-01"), d("2024-12-31"), s, 8), 8); /* bounded */
  ij_date all[IJ_STATS_MAX_QUARTERS];
  ck_assert_int_eq(ij_stats_quarters(d("2015-01-01"), d("2024-12-31"), all, IJ_STATS_MAX_QUARTERS),
                   40);
}
END_TEST

START_TEST(a_window_elapses_when_the_quarters_last_exit_is_due) {
  ij_date on;
  /* 2025-Q1's last exit (31 March) is due for its 3-month check on 30 June */
  ck_assert(!ij_stats_quarter_window_elapsed(d("2025-01-01"), 3, d("2025-06-29"), &on));
  expect_date(on, "2025-06-30");
  ck_assert(ij_stats_quarter_window_elapsed(d("2025-01-01"), 3, d("2025-06-30"), &on));
  ck_assert(!ij_stats_quarter_window_elapsed(d("2025-01-01"), 12, d("2026-03-30"), &on));
  expect_date(on, "2026-03-31");
  ck_assert(ij_stats_quarter_window_elapsed(d("2025-01-01"), 6, d("2026-03-30"), &on));
}
END_TEST

Suite *interval_suite(void) {
  Suite *s = suite_create("interval");
  TCase *tc = tcase_create("wilson");
  tcase_add_test(tc, published_values);
  tcase_add_test(tc, hand_computed_values);
  tcase_add_test(tc, no_interval_without_people);
  tcase_add_test(tc, properties_over_every_k_of_every_n);
  suite_add_tcase(s, tc);
  TCase *q = tcase_create("quarters");
  tcase_add_test(q, quarters_of_the_calendar);
  tcase_add_test(q, the_default_period_is_the_last_four_full_quarters);
  tcase_add_test(q, quarters_whose_start_falls_in_the_period);
  tcase_add_test(q, a_window_elapses_when_the_quarters_last_exit_is_due);
  suite_add_tcase(s, q);
  return s;
}
