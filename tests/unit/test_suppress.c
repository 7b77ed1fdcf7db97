/* Small-number suppression of the commissioners' figures: every rule, with the default and with
 * other thresholds; the age bands and the period arithmetic of the statistics. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ij/domain.h"

Suite *suppress_suite(void);

static const ij_suppress_rules k_default = {5, 10};

static ij_date d(const char *s) {
  ij_date out = 0;
  ck_assert_int_eq(ij_date_parse(s, &out), IJ_OK);
  return out;
}

START_TEST(counts_of_one_to_four_are_suppressed) {
  for (int64_t n = 0; n <= 20; n++) {
    ij_stat_cell c = ij_stat_count(n);
    ij_suppress_cell(&k_default, &c);
    ck_assert_msg(c.suppressed == (n >= 1 && n <= 4), "count %lld", (long long)n);
    ck_assert(ij_suppress_primary(&k_default, n) == (n >= 1 && n <= 4));
  }
  /* zero is shown: it discloses nothing */
  ij_stat_cell zero = ij_stat_count(0);
  ij_suppress_cell(&k_default, &zero);
  ck_assert(!zero.suppressed);
}
END_TEST

START_TEST(thresholds_are_configurable) {
  ij_suppress_rules three = {3, 4};
  for (int64_t n = 0; n <= 6; n++) {
    ij_stat_cell c = ij_stat_count(n);
    ij_suppress_cell(&three, &c);
    ck_assert_msg(c.suppressed == (n == 1 || n == 2), "count %lld", (long long)n);
  }
  ij_stat_cell num = ij_stat_count(3), den = ij_stat_count(4);
  ij_stat_rate r = ij_suppress_rate(&three, &num, &den);
  ck_assert(!r.suppressed);
  ck_assert_double_eq_tol(r.value, 0.75, 1e-12);
  r = ij_suppress_rate(&k_default, &num, &den); /* under the defaults: 3 of 4 is withheld */
  ck_assert(r.suppressed);
  /* min_count 1 suppresses nothing */
  ij_suppress_rules none = {1, 1};
  ij_stat_cell one = ij_stat_count(1);
  ij_suppress_cell(&none, &one);
  ck_assert(!one.suppressed);
}
END_TEST

START_TEST(hours_are_suppressed_by_the_people_behind_them) {
  ij_stat_cell hours = {35.5, 3, false}; /* 35.5 hours of three people */
  ij_suppress_cell(&k_default, &hours);
  ck_assert(hours.suppressed);
  ij_stat_cell many = {2.0, 7, false};
  ij_suppress_cell(&k_default, &many);
  ck_assert(!many.suppressed);
}
END_TEST

START_TEST(a_rate_needs_a_denominator_of_ten) {
  ij_stat_cell num = ij_stat_count(6), den = ij_stat_count(8);
  ij_suppress_cell(&k_default, &num);
  ij_suppress_cell(&k_default, &den);
  ij_stat_rate r = ij_suppress_rate(&k_default, &num, &den);
  ck_assert(r.suppressed); /* 8 < 10 */
  ck_assert(r.numerator_shown && r.denominator_shown);
  ck_assert_int_eq(r.numerator, 6);
  ck_assert_int_eq(r.denominator, 8);

  den = ij_stat_count(10);
  r = ij_suppress_rate(&k_default, &num, &den);
  ck_assert(!r.suppressed);
  ck_assert_double_eq_tol(r.value, 0.6, 1e-12);

  /* zero over ten is a rate of zero; zero over zero is withheld */
  ij_stat_cell zero = ij_stat_count(0);
  r = ij_suppress_rate(&k_default, &zero, &den);
  ck_assert(!r.suppressed);
  ck_assert_double_eq_tol(r.value, 0.0, 1e-12);
  r = ij_suppress_rate(&k_default, &zero, &zero);
  ck_assert(r.suppressed);
}
END_TEST

START_TEST(a_rate_with_a_suppressed_part_is_withheld) {
  /* numerator 3 (suppressed) over 12: withheld, the numerator hidden, the denominator shown */
  ij_stat_cell num = ij_stat_count(3), den = ij_stat_count(12);
  ij_suppress_cell(&k_default, &num);
  ij_suppress_cell(&k_default, &den);
  ij_stat_rate r = ij_suppress_rate(&k_default, &num, &den);
  ck_assert(r.suppressed);
  ck_assert(!r.numerator_shown);
  ck_assert(r.denominator_shown);
  /* a numerator suppressed by the secondary rule counts the same */
  ij_stat_cell num2 = ij_stat_count(7);
  num2.suppressed = true;
  r = ij_suppress_rate(&k_default, &num2, &den);
  ck_assert(r.suppressed);
  /* a suppressed denominator (with a large threshold of its own) withholds it too */
  ij_suppress_rules low = {5, 1};
  ij_stat_cell small = ij_stat_count(2), tiny = ij_stat_count(4);
  ij_suppress_cell(&low, &small);
  ij_suppress_cell(&low, &tiny);
  r = ij_suppress_rate(&low, &small, &tiny);
  ck_assert(r.suppressed);
  ck_assert(!r.denominator_shown);
}
END_TEST

static void group_of(ij_stat_cell *cells, const int64_t *counts, size_t n) {
  for (size_t i = 0; i < n; i++) {
    cells[i] = ij_stat_count(counts[i]);
    ij_suppress_cell(&k_default, &cells[i]);
  }
}

START_TEST(one_suppressed_cell_takes_the_next_smallest_with_it) {
  /* 12 = 3 + 0 + 9: the 3 could be derived from the total and the 9, so the 9 goes too (the 0
   * is skipped: zero is shown and not "the next smallest non-zero") */
  const int64_t counts[] = {3, 0, 9};
  ij_stat_cell cells[3];
  group_of(cells, counts, 3);
  ck_assert_int_eq(ij_suppress_group(cells, 3), 2);
  ck_assert(cells[0].suppressed && !cells[1].suppressed && cells[2].suppressed);

  /* the smallest of several, ties to the first */
  const int64_t more[] = {20, 7, 2, 7, 30};
  ij_stat_cell c5[5];
  group_of(c5, more, 5);
  ck_assert_int_eq(ij_suppress_group(c5, 5), 1);
  ck_assert(!c5[0].suppressed && c5[1].suppressed && c5[2].suppressed && !c5[3].suppressed &&
            !c5[4].suppressed);
}
END_TEST

START_TEST(two_suppressed_cells_need_nothing_more) {
  const int64_t counts[] = {3, 4, 9};
  ij_stat_cell cells[3];
  group_of(cells, counts, 3);
  ck_assert_int_eq(ij_suppress_group(cells, 3), -1);
  ck_assert(cells[0].suppressed && cells[1].suppressed && !cells[2].suppressed);
  /* none suppressed: nothing to protect */
  const int64_t fine[] = {5, 0, 9};
  group_of(cells, fine, 3);
  ck_assert_int_eq(ij_suppress_group(cells, 3), -1);
  ck_assert(!cells[0].suppressed && !cells[1].suppressed && !cells[2].suppressed);
  /* one suppressed and only zeros beside it: nothing else to take (the total is that cell) */
  const int64_t alone[] = {0, 2, 0};
  group_of(cells, alone, 3);
  ck_assert_int_eq(ij_suppress_group(cells, 3), -1);
  ck_assert(!cells[0].suppressed && cells[1].suppressed && !cells[2].suppressed);
  ck_assert_int_eq(ij_suppress_group(cells, 0), -1);
}
END_TEST

START_TEST(secondary_suppression_of_hours_goes_by_hours) {
  /* hours by placement type: 10.0 h of 2 people (suppressed), 40 h of 6, 12.5 h of 9 */
  ij_stat_cell cells[3] = {{10.0, 2, false}, {40.0, 6, false}, {12.5, 9, false}};
  for (int i = 0; i < 3; i++)
    ij_suppress_cell(&k_default, &cells[i]);
  ck_assert_int_eq(ij_suppress_group(cells, 3), 2);
  ck_assert(cells[0].suppressed && !cells[1].suppressed && cells[2].suppressed);
}
END_TEST

START_TEST(age_bands) {
  int lo = 0, hi = 0;
  ck_assert_int_eq(ij_stats_age_band_parse("10-17", &lo, &hi), IJ_OK);
  ck_assert_int_eq(lo, 10);
  ck_assert_int_eq(hi, 17);
  ck_assert_int_eq(ij_stats_age_band_parse("18-24", &lo, &hi), IJ_OK);
  ck_assert_int_eq(lo, 18);
  ck_assert_int_eq(hi, 24);
  ck_assert_int_eq(ij_stats_age_band_parse("25+", &lo, &hi), IJ_OK);
  ck_assert_int_eq(lo, 25);
  ck_assert_int_ge(hi, 120);
  const char *bad[] = {"", "25", "18-25", "25 ", "10-17,18-24", "adult"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_int_eq(ij_stats_age_band_parse(bad[i], &lo, &hi), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_stats_age_band_parse(NULL, &lo, &hi), IJ_ERR_INVALID);
}
END_TEST

START_TEST(attendance_counts_outcomes_that_were_owed) {
  for (int o = 0; o < IJ_OUTCOME__COUNT; o++) {
    bool expect = o != IJ_OUTCOME_CANCELLED && o != IJ_OUTCOME_RESCHEDULED &&
                  o != IJ_OUTCOME_ABSENT_ACCEPTABLE;
    ck_assert_msg(ij_stats_attendance_counted((ij_outcome)o) == expect, "%s",
                  ij_outcome_name((ij_outcome)o));
    /* every attended outcome is in the denominator */
    if (ij_outcome_attended((ij_outcome)o))
      ck_assert(ij_stats_attendance_counted((ij_outcome)o));
  }
  ck_assert(!ij_stats_attendance_counted(IJ_OUTCOME__COUNT));
}
END_TEST

START_TEST(the_default_period_and_its_months) {
  ck_assert_int_eq(ij_stats_default_from(d("2026-11-22")), d("2025-11-23"));
  ck_assert_int_eq(ij_stats_default_from(d("2024-02-29")), d("2023-03-01"));
  ck_assert_int_eq(ij_stats_months_between(d("2025-11-23"), d("2026-11-22")), 13);
  ck_assert_int_eq(ij_stats_months_between(d("2026-01-01"), d("2026-01-31")), 1);
  ck_assert_int_eq(ij_stats_months_between(d("2025-12-31"), d("2026-01-01")), 2);
  ck_assert_int_eq(ij_stats_months_between(d("2026-03-01"), d("2026-02-01")), 0);
}
END_TEST

Suite *suppress_suite(void) {
  Suite *s = suite_create("suppress");
  TCase *tc = tcase_create("suppress");
  tcase_add_test(tc, counts_of_one_to_four_are_suppressed);
  tcase_add_test(tc, thresholds_are_configurable);
  tcase_add_test(tc, hours_are_suppressed_by_the_people_behind_them);
  tcase_add_test(tc, a_rate_needs_a_denominator_of_ten);
  tcase_add_test(tc, a_rate_with_a_suppressed_part_is_withheld);
  tcase_add_test(tc, one_suppressed_cell_takes_the_next_smallest_with_it);
  tcase_add_test(tc, two_suppressed_cells_need_nothing_more);
  tcase_add_test(tc, secondary_suppression_of_hours_goes_by_hours);
  tcase_add_test(tc, age_bands);
  tcase_add_test(tc, attendance_counts_outcomes_that_were_owed);
  tcase_add_test(tc, the_default_period_and_its_months);
  suite_add_tcase(s, tc);
  return s;
}
