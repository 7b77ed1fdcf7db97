/* Dates and instants: strict parsing, formatting, round trips, negative times, offsets, ages. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

Suite *time_suite(void);

static ij_date date_of(const char *s) {
  ij_date d = -999999;
  ck_assert_msg(ij_date_parse(s, &d) == IJ_OK, "'%s' refused", s);
  return d;
}

static ij_time_us time_of(const char *s) {
  ij_time_us t = 0;
  ck_assert_msg(ij_time_parse(s, &t) == IJ_OK, "'%s' refused", s);
  return t;
}

static void assert_formats(ij_time_us t, const char *want) {
  char buf[IJ_TIME_BUF];
  memset(buf, '#', sizeof buf);
  ij_time_format(t, buf);
  ck_assert_str_eq(buf, want);
}

START_TEST(test_date_parse_valid) {
  ck_assert_int_eq(date_of("1970-01-01"), 0);
  ck_assert_int_eq(date_of("1970-01-02"), 1);
  ck_assert_int_eq(date_of("1969-12-31"), -1);
  ck_assert_int_eq(date_of("2000-03-01") - date_of("2000-02-28"), 2); /* 2000 is a leap year */
  ck_assert_int_eq(date_of("2100-03-01") - date_of("2100-02-28"), 1); /* 2100 is not */
  ck_assert_int_eq(date_of("2024-02-29") + 1, date_of("2024-03-01"));
  ck_assert_int_eq(date_of("1900-01-01"), -25567);
  ck_assert_int_eq(date_of("2026-11-22"), 20779);
  ck_assert_int_eq(date_of("2999-12-31"), 376199);
  /* a NULL out only validates */
  ck_assert_int_eq(ij_date_parse("2026-11-22", NULL), IJ_OK);
}
END_TEST

START_TEST(test_date_parse_invalid) {
  static const char *const bad[] = {
      "2026-02-29",  "2026-13-01",  "2026-00-10", "2026-01-00",
      "2026-01-32",  "2026-04-31",  "1900-02-29", "2100-02-29",
      "2026-1-01",   "2026-01-1",   "26-01-01",   "2026-01-01x",
      "2026-01-01 ", " 2026-01-01", "",           "2026/01/01",
      "20260101",    "+026-01-01",  "1899-12-31", "3000-01-01",
      "2026-01-0a",  "2026-0x-01",  "2026--1-01", "2026-01-01T00:00:00Z",
      "２026-01-01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ij_date d = 12345;
    ck_assert_msg(ij_date_parse(bad[i], &d) == IJ_ERR_INVALID, "'%s' accepted", bad[i]);
    ck_assert_int_eq(d, 12345); /* untouched */
  }
  ck_assert_int_eq(ij_date_parse(NULL, NULL), IJ_ERR_INVALID);
}
END_TEST

/* Every day from 1900 to 2999 against a calendar counted day by day, independently. */
START_TEST(test_date_every_day) {
  static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y = 1900, m = 1, d = 1;
  ij_date expect = -25567;
  while (y <= 2999) {
    char want[32], got[IJ_DATE_BUF];
    snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
    ij_date_format(expect, got);
    ij_date parsed = -1;
    /* assert only on a mismatch: each Check assertion costs a write to the runner */
    if (strcmp(got, want) != 0 || ij_date_parse(want, &parsed) != IJ_OK || parsed != expect) {
      ck_abort_msg("day %d: formatted %s, want %s; parsed back %d", (int)expect, got, want,
                   (int)parsed);
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int len = month_days[m - 1] + (m == 2 && leap ? 1 : 0);
    if (++d > len) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
    expect++;
  }
}
END_TEST

START_TEST(test_date_format_clamps) {
  char buf[IJ_DATE_BUF];
  ij_date_format(INT32_MIN, buf);
  ck_assert_str_eq(buf, "0000-01-01");
  ij_date_format(INT32_MAX, buf);
  ck_assert_str_eq(buf, "9999-12-31");
}
END_TEST

START_TEST(test_time_parse_and_format) {
  ck_assert_int_eq(time_of("1970-01-01T00:00:00Z"), 0);
  ck_assert_int_eq(time_of("1970-01-01T00:00:01Z"), IJ_US_PER_SECOND);
  ck_assert_int_eq(time_of("2026-11-22T19:51:40.123456Z"), INT64_C(1795377100123456));
  assert_formats(INT64_C(1795377100123456), "2026-11-22T19:51:40.123456Z");
  assert_formats(0, "1970-01-01T00:00:00.000000Z");
  assert_formats(1, "1970-01-01T00:00:00.000001Z");
  /* lower-case separators */
  ck_assert_int_eq(time_of("2026-11-22t19:51:40.123456z"), time_of("2026-11-22T19:51:40.123456Z"));
  /* fractions: 1 to 9 digits, truncated to microseconds */
  ck_assert_int_eq(time_of("1970-01-01T00:00:00.5Z"), 500000);
  ck_assert_int_eq(time_of("1970-01-01T00:00:00.12Z"), 120000);
  ck_assert_int_eq(time_of("1970-01-01T00:00:00.123456789Z"), 123456);
  ck_assert_int_eq(time_of("1970-01-01T00:00:00.999999999Z"), 999999);
  ck_assert_int_eq(time_of("1970-01-01T00:00:00.000000Z"), 0);
}
END_TEST

START_TEST(test_time_offsets) {
  ij_time_us utc = time_of("2026-11-22T19:51:40Z");
  ck_assert_int_eq(time_of("2026-11-22T20:51:40+01:00"), utc);
  ck_assert_int_eq(time_of("2026-11-22T14:21:40-05:30"), utc);
  ck_assert_int_eq(time_of("2026-11-23T05:51:40+10:00"), utc); /* across midnight */
  ck_assert_int_eq(time_of("2026-11-22T19:51:40+00:00"), utc);
  ck_assert_int_eq(time_of("2026-11-22T19:51:40-00:00"), utc);
  ck_assert_int_eq(time_of("2026-11-22T19:51:40+23:59"),
                   utc - (23 * 3600 + 59 * 60) * IJ_US_PER_SECOND);
  assert_formats(time_of("2024-03-01T00:30:00+01:00"), "2024-02-29T23:30:00.000000Z");
  assert_formats(time_of("1970-01-01T00:00:00.25+00:01"), "1969-12-31T23:59:00.250000Z");
}
END_TEST

START_TEST(test_time_parse_invalid) {
  static const char *const bad[] = {"2026-11-22T19:51:40",  /* no offset */
                                    "2026-11-22 19:51:40Z", /* space separator */
                                    "2026-11-22T24:00:00Z",
                                    "2026-11-22T23:60:00Z",
                                    "2026-11-22T23:59:60Z",
                                    "2026-11-22T1:51:40Z",
                                    "2026-11-22T19:51Z",
                                    "2026-11-22T19:51:40.Z",
                                    "2026-11-22T19:51:40.1234567890Z",
                                    "2026-11-22T19:51:40+0100",
                                    "2026-11-22T19:51:40+01",
                                    "2026-11-22T19:51:40+24:00",
                                    "2026-11-22T19:51:40+01:60",
                                    "2026-11-22T19:51:40ZZ",
                                    "2026-11-22T19:51:40Z ",
                                    "2026-02-29T00:00:00Z",
                                    "2026-11-22",
                                    "",
                                    "2026-11-22T19:51:40,5Z",
                                    "2026-11-22T19:51:40.5",
                                    "2026-11-22T19:51:40UTC"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ij_time_us t = 42;
    ck_assert_msg(ij_time_parse(bad[i], &t) == IJ_ERR_INVALID, "'%s' accepted", bad[i]);
    ck_assert_int_eq(t, 42);
  }
  ck_assert_int_eq(ij_time_parse(NULL, NULL), IJ_ERR_INVALID);
}
END_TEST

START_TEST(test_negative_times) {
  ck_assert_int_eq(time_of("1969-12-31T23:59:59.999999Z"), -1);
  assert_formats(-1, "1969-12-31T23:59:59.999999Z");
  assert_formats(-1500000, "1969-12-31T23:59:58.500000Z");
  assert_formats(-IJ_US_PER_DAY, "1969-12-31T00:00:00.000000Z");
  assert_formats(-IJ_US_PER_DAY - 1, "1969-12-30T23:59:59.999999Z");
  ck_assert_int_eq(time_of("1900-01-01T00:00:00Z"), INT64_C(-2208988800) * IJ_US_PER_SECOND);
  assert_formats(INT64_C(-2208988800) * IJ_US_PER_SECOND, "1900-01-01T00:00:00.000000Z");
  ck_assert_int_eq(ij_time_date(0), 0);
  ck_assert_int_eq(ij_time_date(IJ_US_PER_DAY - 1), 0);
  ck_assert_int_eq(ij_time_date(-1), -1);
  ck_assert_int_eq(ij_time_date(-IJ_US_PER_DAY), -1);
  ck_assert_int_eq(ij_time_date(-IJ_US_PER_DAY - 1), -2);
  ck_assert_int_eq(ij_time_date(time_of("2026-11-22T23:59:59.999999Z")), date_of("2026-11-22"));
  ck_assert_int_eq(ij_time_date(time_of("2026-11-23T00:30:00+01:00")), date_of("2026-11-22"));
}
END_TEST

START_TEST(test_time_format_extremes) {
  assert_formats(INT64_MIN, "0000-01-01T00:00:00.000000Z");
  assert_formats(INT64_MAX, "9999-12-31T23:59:59.999999Z");
  assert_formats(time_of("0000-01-01T00:00:00Z"), "0000-01-01T00:00:00.000000Z");
  ij_time_us hi = time_of("9999-12-31T23:59:59.999999Z");
  assert_formats(hi, "9999-12-31T23:59:59.999999Z");
  assert_formats(hi + 1, "9999-12-31T23:59:59.999999Z");
}
END_TEST

START_TEST(test_time_round_trips) {
  /* pseudo-random instants over 1900-2999 and a few around zero */
  uint64_t x = 88172645463325252u;
  const int64_t lo = time_of("1900-01-01T00:00:00Z");
  const int64_t span = time_of("2999-12-31T23:59:59.999999Z") - lo;
  for (int i = 0; i < 200000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    ij_time_us t = i < 2000 ? (ij_time_us)(i - 1000) * 999983 : lo + (int64_t)(x % (uint64_t)span);
    char buf[IJ_TIME_BUF], date[IJ_DATE_BUF];
    ij_time_format(t, buf);
    ij_time_us back = 0;
    ij_err err = ij_time_parse(buf, &back);
    ij_date_format(ij_time_date(t), date); /* the date part agrees with ij_time_date */
    if (strlen(buf) != 27 || err != IJ_OK || back != t || strncmp(buf, date, 10) != 0) {
      ck_abort_msg("%lld formatted %s (date %s), parsed back %lld (%s)", (long long)t, buf, date,
                   (long long)back, ij_err_name(err));
    }
  }
}
END_TEST

START_TEST(test_age_years) {
  ck_assert_int_eq(ij_age_years(date_of("2004-05-01"), date_of("2026-11-20")), 22);
  ck_assert_int_eq(ij_age_years(date_of("2004-05-01"), date_of("2026-05-01")), 22);
  ck_assert_int_eq(ij_age_years(date_of("2004-05-01"), date_of("2026-04-30")), 21);
  ck_assert_int_eq(ij_age_years(date_of("2004-05-01"), date_of("2004-05-01")), 0);
  ck_assert_int_eq(ij_age_years(date_of("2004-12-31"), date_of("2005-01-01")), 0);
  /* 29 February: in common years the birthday counts on 1 March */
  ij_date leap = date_of("2012-02-29");
  ck_assert_int_eq(ij_age_years(leap, date_of("2013-02-28")), 0);
  ck_assert_int_eq(ij_age_years(leap, date_of("2013-03-01")), 1);
  ck_assert_int_eq(ij_age_years(leap, date_of("2016-02-28")), 3);
  ck_assert_int_eq(ij_age_years(leap, date_of("2016-02-29")), 4);
  ck_assert_int_eq(ij_age_years(leap, date_of("2022-02-28")), 9);
  ck_assert_int_eq(ij_age_years(leap, date_of("2022-03-01")), 10);
  /* born 28 February or 1 March: no special case */
  ck_assert_int_eq(ij_age_years(date_of("2012-02-28"), date_of("2013-02-28")), 1);
  ck_assert_int_eq(ij_age_years(date_of("2012-03-01"), date_of("2013-02-28")), 0);
  /* before birth: negative */
  ck_assert_int_lt(ij_age_years(date_of("2004-05-01"), date_of("2004-04-30")), 0);
  ck_assert_int_lt(ij_age_years(date_of("2004-05-01"), date_of("2003-06-01")), 0);
  ck_assert_int_eq(ij_age_years(date_of("2004-05-01"), date_of("2002-05-01")), -2);
}
END_TEST

Suite *time_suite(void) {
  Suite *s = suite_create("time");
  TCase *tc = tcase_create("dates");
  tcase_add_test(tc, test_date_parse_valid);
  tcase_add_test(tc, test_date_parse_invalid);
  tcase_add_test(tc, test_date_every_day);
  tcase_add_test(tc, test_date_format_clamps);
  tcase_add_test(tc, test_age_years);
  suite_add_tcase(s, tc);

  tc = tcase_create("instants");
  tcase_add_test(tc, test_time_parse_and_format);
  tcase_add_test(tc, test_time_offsets);
  tcase_add_test(tc, test_time_parse_invalid);
  tcase_add_test(tc, test_negative_times);
  tcase_add_test(tc, test_time_format_extremes);
  tcase_add_test(tc, test_time_round_trips);
  suite_add_tcase(s, tc);
  return s;
}
