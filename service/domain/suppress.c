/* Statistics: small-number suppression as official statistics do it, the age bands of the
 * filters, and the period arithmetic. Pure: the figures come in, the decisions go out. */
#include <string.h>

#include "domain_internal.h"

ij_stat_cell ij_stat_count(int64_t count) {
  ij_stat_cell c = {(double)count, count, false};
  return c;
}

bool ij_suppress_primary(const ij_suppress_rules *rules, int64_t basis) {
  return basis > 0 && basis < rules->min_count;
}

void ij_suppress_cell(const ij_suppress_rules *rules, ij_stat_cell *cell) {
  if (ij_suppress_primary(rules, cell->basis))
    cell->suppressed = true;
}

/* a is smaller than b: by value, then basis (position breaks the remaining ties) */
static bool smaller(const ij_stat_cell *a, const ij_stat_cell *b) {
  if (a->value != b->value)
    return a->value < b->value;
  return a->basis < b->basis;
}

int ij_suppress_group(ij_stat_cell *cells, size_t n) {
  size_t suppressed = 0;
  for (size_t i = 0; i < n; i++)
    if (cells[i].suppressed)
      suppressed++;
  if (suppressed != 1)
    return -1;
  int pick = -1;
  for (size_t i = 0; i < n; i++) {
    const ij_stat_cell *c = &cells[i];
    if (c->suppressed || (c->value == 0 && c->basis == 0))
      continue;
    if (pick < 0 || smaller(c, &cells[pick]))
      pick = (int)i;
  }
  if (pick >= 0)
    cells[pick].suppressed = true;
  return pick;
}

ij_stat_rate ij_suppress_rate(const ij_suppress_rules *rules, const ij_stat_cell *numerator,
                              const ij_stat_cell *denominator) {
  ij_stat_rate r;
  memset(&r, 0, sizeof r);
  r.numerator = numerator->basis;
  r.denominator = denominator->basis;
  r.numerator_shown = !numerator->suppressed;
  r.denominator_shown = !denominator->suppressed;
  r.suppressed = numerator->suppressed || denominator->suppressed ||
                 denominator->basis < rules->min_denominator || denominator->basis <= 0;
  if (!r.suppressed)
    r.value = (double)r.numerator / (double)r.denominator;
  return r;
}

ij_err ij_stats_age_band_parse(const char *s, int *min_age, int *max_age) {
  static const struct {
    const char *name;
    int min, max;
  } bands[] = {{"10-17", 10, 17}, {"18-24", 18, 24}, {"25+", 25, 200}};
  for (size_t i = 0; s && i < sizeof bands / sizeof bands[0]; i++)
    if (strcmp(s, bands[i].name) == 0) {
      *min_age = bands[i].min;
      *max_age = bands[i].max;
      return IJ_OK;
    }
  return IJ_ERR_INVALID;
}

bool ij_stats_attendance_counted(ij_outcome o) {
  return o >= 0 && o < IJ_OUTCOME__COUNT && o != IJ_OUTCOME_CANCELLED &&
         o != IJ_OUTCOME_RESCHEDULED && o != IJ_OUTCOME_ABSENT_ACCEPTABLE;
}

ij_date ij_stats_default_from(ij_date today) {
  return ij_date_add_months(today, -12) + 1;
}

/* year * 12 + month - 1 of a date */
static int month_index(ij_date d) {
  char text[IJ_DATE_BUF];
  ij_date_format(d, text);
  int year = 0, month = 0;
  for (int i = 0; i < 4; i++)
    year = year * 10 + (text[i] - '0');
  month = (text[5] - '0') * 10 + (text[6] - '0');
  return year * 12 + month - 1;
}

int ij_stats_months_between(ij_date from, ij_date to) {
  return month_index(to) - month_index(from) + 1;
}
