/* Dates and instants: proleptic Gregorian calendar arithmetic (days from civil and back), no
 * libc time functions, no locale, no clock reads. */
#include <string.h>

#include "ij/domain.h"

typedef struct {
  int64_t year;
  int month; /* 1-12 */
  int day;   /* 1-31 */
} civil_date;

static bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m) {
  static const int k_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && is_leap(y)) ? 29 : k_days[m - 1];
}

/* Days since 1970-01-01 of a valid civil date. Years are counted from March so that the leap
 * day ends a year; eras are 400-year cycles of 146097 days. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  if (m <= 2) {
    y -= 1;
  }
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t year_of_era = y - era * 400;                            /* 0..399 */
  int64_t month_from_march = (m + 9) % 12;                        /* March 0 .. February 11 */
  int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1; /* 0..365 */
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

static civil_date civil_from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t day_of_era = z - era * 146097; /* 0..146096 */
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t month_from_march = (5 * day_of_year + 2) / 153;
  civil_date c;
  c.day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  c.month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  c.year = year_of_era + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

/* Reads exactly n ASCII digits; false (without reading further) at the first non-digit. */
static bool read_digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static void put_digits(char *p, int64_t v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    p[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

/* "YYYY-MM-DD" at the start of s (not necessarily followed by NUL), a real date in years
 * min_year..max_year. */
static bool parse_date_prefix(const char *s, int min_year, int max_year, int64_t *days) {
  int y, m, d;
  if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &m) || s[7] != '-' ||
      !read_digits(s + 8, 2, &d)) {
    return false;
  }
  if (y < min_year || y > max_year || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
    return false;
  }
  *days = days_from_civil(y, m, d);
  return true;
}

ij_err ij_date_parse(const char *s, ij_date *out) {
  int64_t days;
  if (s == NULL || !parse_date_prefix(s, 1900, 2999, &days) || s[10] != '\0') {
    return IJ_ERR_INVALID;
  }
  if (out != NULL) {
    *out = (ij_date)days;
  }
  return IJ_OK;
}

/* Formatting covers years 0000-9999; values outside are clamped to that range. */
static int64_t min_format_days(void) {
  return days_from_civil(0, 1, 1);
}
static int64_t max_format_days(void) {
  return days_from_civil(9999, 12, 31);
}

static void format_civil(const civil_date *c, char *p) {
  put_digits(p, c->year, 4);
  p[4] = '-';
  put_digits(p + 5, c->month, 2);
  p[7] = '-';
  put_digits(p + 8, c->day, 2);
}

void ij_date_format(ij_date d, char out[IJ_DATE_BUF]) {
  int64_t days = d;
  if (days < min_format_days()) {
    days = min_format_days();
  } else if (days > max_format_days()) {
    days = max_format_days();
  }
  civil_date c = civil_from_days(days);
  format_civil(&c, out);
  out[10] = '\0';
}

ij_err ij_time_parse(const char *s, ij_time_us *out) {
  int64_t days;
  int hh, mi, ss;
  if (s == NULL || !parse_date_prefix(s, 0, 9999, &days) || (s[10] != 'T' && s[10] != 't') ||
      !read_digits(s + 11, 2, &hh) || s[13] != ':' || !read_digits(s + 14, 2, &mi) ||
      s[16] != ':' || !read_digits(s + 17, 2, &ss)) {
    return IJ_ERR_INVALID;
  }
  if (hh > 23 || mi > 59 || ss > 59) {
    return IJ_ERR_INVALID;
  }
  const char *p = s + 19;
  int64_t micros = 0;
  if (*p == '.') {
    p++;
    int n = 0;
    while (*p >= '0' && *p <= '9') {
      if (n < 6) {
        micros = micros * 10 + (*p - '0');
      }
      n++;
      p++;
    }
    if (n < 1 || n > 9) {
      return IJ_ERR_INVALID;
    }
    for (; n < 6; n++) {
      micros *= 10;
    }
  }
  int64_t offset_seconds = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om;
    int sign = *p == '-' ? -1 : 1;
    if (!read_digits(p + 1, 2, &oh) || p[3] != ':' || !read_digits(p + 4, 2, &om) || oh > 23 ||
        om > 59) {
      return IJ_ERR_INVALID;
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
    p += 6;
  } else {
    return IJ_ERR_INVALID;
  }
  if (*p != '\0') {
    return IJ_ERR_INVALID;
  }
  int64_t seconds = days * 86400 + hh * 3600 + mi * 60 + ss - offset_seconds;
  if (out != NULL) {
    *out = seconds * IJ_US_PER_SECOND + micros;
  }
  return IJ_OK;
}

/* Floor division and its non-negative remainder, without overflow for any t. */
static int64_t floor_div(int64_t t, int64_t d, int64_t *rem) {
  int64_t q = t / d;
  int64_t r = t % d;
  if (r < 0) {
    q -= 1;
    r += d;
  }
  if (rem != NULL) {
    *rem = r;
  }
  return q;
}

void ij_time_format(ij_time_us t, char out[IJ_TIME_BUF]) {
  int64_t rem;
  int64_t days = floor_div(t, IJ_US_PER_DAY, &rem);
  if (days < min_format_days()) {
    days = min_format_days();
    rem = 0;
  } else if (days > max_format_days()) {
    days = max_format_days();
    rem = IJ_US_PER_DAY - 1;
  }
  civil_date c = civil_from_days(days);
  int64_t secs = rem / IJ_US_PER_SECOND;
  format_civil(&c, out);
  out[10] = 'T';
  put_digits(out + 11, secs / 3600, 2);
  out[13] = ':';
  put_digits(out + 14, secs / 60 % 60, 2);
  out[16] = ':';
  put_digits(out + 17, secs % 60, 2);
  out[19] = '.';
  put_digits(out + 20, rem % IJ_US_PER_SECOND, 6);
  out[26] = 'Z';
  out[27] = '\0';
}

ij_date ij_time_date(ij_time_us t) {
  return (ij_date)floor_div(t, IJ_US_PER_DAY, NULL);
}

int ij_age_years(ij_date dob, ij_date on) {
  civil_date b = civil_from_days(dob);
  civil_date o = civil_from_days(on);
  int64_t age = o.year - b.year;
  /* Not yet had this year's birthday. A 29 February birthday compares greater than 28 February
   * and less than 1 March, so in a common year it counts on 1 March. */
  if (o.month < b.month || (o.month == b.month && o.day < b.day)) {
    age -= 1;
  }
  return (int)age;
}

ij_date ij_date_add_months(ij_date d, int months) {
  civil_date c = civil_from_days(d);
  int64_t total = c.year * 12 + (c.month - 1) + months;
  int64_t y = total >= 0 ? total / 12 : -((-total + 11) / 12);
  int m = (int)(total - y * 12) + 1;
  int day = c.day;
  int last = days_in_month(y, m);
  if (day > last)
    day = last;
  return (ij_date)days_from_civil(y, m, day);
}
