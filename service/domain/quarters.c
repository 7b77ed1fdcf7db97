/* The quarterly return's calendar: quarters of the year, the default period, and which follow-up
 * windows have elapsed for a quarter's exits. */
#include <string.h>

#include "ij/domain_stats.h"

/* month (1-12) and day of the month of a date, from its "YYYY-MM-DD" */
static void month_day(ij_date d, int *month, int *day) {
  char text[IJ_DATE_BUF];
  ij_date_format(d, text);
  *month = (text[5] - '0') * 10 + (text[6] - '0');
  *day = (text[8] - '0') * 10 + (text[9] - '0');
}

ij_date ij_quarter_start(ij_date d) {
  int month, day;
  month_day(d, &month, &day);
  return ij_date_add_months(d - (day - 1), -((month - 1) % 3));
}

ij_date ij_quarter_end(ij_date q) {
  return ij_date_add_months(ij_quarter_start(q), 3) - 1;
}

void ij_quarter_format(ij_date d, char out[8]) {
  char text[IJ_DATE_BUF];
  ij_date_format(d, text);
  int month = (text[5] - '0') * 10 + (text[6] - '0');
  memcpy(out, text, 4);
  out[4] = '-';
  out[5] = 'Q';
  out[6] = (char)('1' + (month - 1) / 3);
  out[7] = 0;
}

void ij_stats_quarterly_default(ij_date today, ij_date *from, ij_date *to) {
  ij_date current = ij_quarter_start(today);
  *to = current - 1;
  *from = ij_date_add_months(current, -12);
}

int ij_stats_quarters(ij_date from, ij_date to, ij_date *starts, int max) {
  ij_date q = ij_quarter_start(from);
  if (q < from)
    q = ij_date_add_months(q, 3);
  int n = 0;
  for (; q <= to && n < max; q = ij_date_add_months(q, 3))
    starts[n++] = q;
  return n;
}

bool ij_stats_quarter_window_elapsed(ij_date q, int months, ij_date today, ij_date *elapses_on) {
  *elapses_on = ij_domain_followup_due(ij_quarter_end(q), months);
  return *elapses_on <= today;
}
