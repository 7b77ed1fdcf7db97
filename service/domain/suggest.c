/* Booking suggestions: which sessions a referral could be booked on now, and in what order. The
 * rules are the booking's (ij_domain_booking_check); what is here is the window a query reads
 * and the ranking. */
#include <stdlib.h>
#include <string.h>

#include "ij/domain_suggest.h"
#include "domain_internal.h"

ij_err ij_domain_suggest_state(ij_state state, ij_field_errors *errs) {
  /* the booking check looks at the referral's state before the session: with no session facts
   * it answers for the state alone */
  ij_session_facts none;
  memset(&none, 0, sizeof none);
  return ij_domain_state_bookable(state) ? IJ_OK
                                         : ij_domain_booking_check(state, 0, &none, 0, errs);
}

void ij_domain_suggest_window(ij_time_us now, ij_date date_of_birth, int days,
                              ij_suggest_window *out) {
  memset(out, 0, sizeof *out);
  out->after = now;
  out->before = now + (ij_time_us)days * IJ_US_PER_DAY;
  ij_date first = ij_time_date(now), last = ij_time_date(out->before);
  out->age_now = ij_age_years(date_of_birth, first);
  out->age_later = out->age_now;
  out->age_later_from = out->before;
  /* the first day of the window on which the person is older, if any: at most one birthday */
  for (ij_date d = first + 1; d <= last; d++) {
    int age = ij_age_years(date_of_birth, d);
    if (age != out->age_now) {
      out->age_later = age;
      out->age_later_from = (ij_time_us)d * IJ_US_PER_DAY;
      break;
    }
  }
}

static int by_rank(const void *pa, const void *pb) {
  const ij_suggest_candidate *a = pa, *b = pb;
  if (a->within_target != b->within_target)
    return a->within_target ? -1 : 1;
  if (a->facts.starts_at != b->facts.starts_at)
    return a->facts.starts_at < b->facts.starts_at ? -1 : 1;
  if (a->same_ward != b->same_ward)
    return a->same_ward ? -1 : 1;
  return strcmp(a->id ? a->id : "", b->id ? b->id : "");
}

int ij_domain_suggest_rank(const ij_suggest_for *who, ij_suggest_candidate *items, int count,
                           int limit) {
  if (!who || !items || count <= 0 || limit <= 0)
    return 0;
  int kept = 0;
  for (int i = 0; i < count; i++) {
    ij_field_errors why;
    ij_field_errors_init(&why);
    ij_suggest_candidate c = items[i];
    if (c.overlaps ||
        ij_domain_booking_check(who->state, who->date_of_birth, &c.facts, who->now, &why) != IJ_OK)
      continue;
    c.within_target = c.facts.starts_at < who->target_start_by;
    items[kept++] = c;
  }
  qsort(items, (size_t)kept, sizeof *items, by_rank);
  return kept < limit ? kept : limit;
}
