/* UK local time (Europe/London) by the rule, without a time-zone database: BST (UTC+1) from
 * 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October; and the
 * day-before reminder's due time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain_internal.h"
#include "ij/domain_messages.h"

static ij_date date_of_ymd(int y, int m, int d) {
  char buf[IJ_DATE_BUF + 8];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  ij_date out = 0;
  ij_date_parse(buf, &out);
  return out;
}

/* The last Sunday of a month of 31 days (March, October). */
static ij_date last_sunday(int y, int m) {
  ij_date last = date_of_ymd(y, m, 31);
  int wd = (int)(((int64_t)last % 7 + 7) % 7); /* 0 Thursday ... 3 Sunday */
  return last - ((wd - 3 + 7) % 7);
}

static int64_t floor_div64(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

ij_time_us ij_london_offset(ij_time_us t) {
  char buf[IJ_DATE_BUF];
  ij_date_format(ij_time_date(t), buf);
  int y = atoi(buf);
  ij_time_us start = (ij_time_us)last_sunday(y, 3) * IJ_US_PER_DAY + IJ_US_PER_HOUR;
  ij_time_us end = (ij_time_us)last_sunday(y, 10) * IJ_US_PER_DAY + IJ_US_PER_HOUR;
  return t >= start && t < end ? IJ_US_PER_HOUR : 0;
}

ij_date ij_london_date(ij_time_us t) {
  return (ij_date)floor_div64(t + ij_london_offset(t), IJ_US_PER_DAY);
}

int ij_london_minutes(ij_time_us t) {
  ij_time_us local = t + ij_london_offset(t);
  ij_time_us in_day = local - floor_div64(local, IJ_US_PER_DAY) * IJ_US_PER_DAY;
  return (int)(in_day / (60 * IJ_US_PER_SECOND));
}

ij_time_us ij_london_instant(ij_date d, int minutes) {
  ij_time_us local = (ij_time_us)d * IJ_US_PER_DAY + (ij_time_us)minutes * 60 * IJ_US_PER_SECOND;
  /* BST when the instant an hour earlier than the wall clock read as UTC is in BST, else GMT
   * when the wall clock read as UTC is in GMT: a time in the repeated autumn hour is its first
   * (BST) instant; one in the skipped spring hour reads as GMT */
  if (ij_london_offset(local - IJ_US_PER_HOUR) == IJ_US_PER_HOUR)
    return local - IJ_US_PER_HOUR;
  return local;
}

ij_time_us ij_domain_reminder_due_at(ij_time_us session_starts_at, int reminder_minutes) {
  return ij_london_instant(ij_london_date(session_starts_at) - 1, reminder_minutes);
}

bool ij_domain_reminder_still_wanted(const char *booking_status, bool session_cancelled,
                                     ij_time_us session_starts_at, ij_time_us now) {
  return booking_status && strcmp(booking_status, "booked") == 0 && !session_cancelled &&
         now < session_starts_at;
}

bool ij_domain_reminder_due(const char *booking_status, bool session_cancelled,
                            ij_time_us session_starts_at, ij_time_us booked_at,
                            int reminder_minutes, ij_time_us now) {
  if (!ij_domain_reminder_still_wanted(booking_status, session_cancelled, session_starts_at, now))
    return false;
  ij_time_us due = ij_domain_reminder_due_at(session_starts_at, reminder_minutes);
  return now >= due && booked_at <= due;
}

bool ij_domain_cancellation_told(ij_time_us session_starts_at, ij_time_us now) {
  return now < session_starts_at;
}

ij_err ij_domain_clock_parse(const char *s, int *minutes) {
  if (!s || strlen(s) < 5 || s[2] != ':')
    return IJ_ERR_INVALID;
  for (int i = 0; i < 5; i++)
    if (i != 2 && (s[i] < '0' || s[i] > '9'))
      return IJ_ERR_INVALID;
  if (s[5] != '\0' &&
      !(s[5] == ':' && s[6] >= '0' && s[6] <= '5' && s[7] >= '0' && s[7] <= '9' && s[8] == '\0'))
    return IJ_ERR_INVALID;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59)
    return IJ_ERR_INVALID;
  *minutes = h * 60 + m;
  return IJ_OK;
}
