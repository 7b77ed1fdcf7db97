/* Retention: when a referral's personal data is erased. */
#include "domain_internal.h"

bool ij_domain_state_ended(ij_state s) {
  return s == IJ_STATE_CLOSED || s == IJ_STATE_REJECTED || s == IJ_STATE_WITHDRAWN;
}

unsigned ij_domain_ended_states(void) {
  return ij_domain_state_set(ij_domain_state_ended);
}

ij_time_us ij_domain_retention_cutoff(ij_time_us now, int months) {
  if (months < 1)
    months = 1; /* never the present: a referral that just ended is always kept */
  return (ij_time_us)ij_date_add_months(ij_time_date(now), -months) * IJ_US_PER_DAY;
}
