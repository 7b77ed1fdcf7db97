/* Area rules and the 48-hour start clock. "now" is always passed in. */
#include "domain_internal.h"

static const ij_area_rules k_default_rules = {
    .hours_min = 2,
    .hours_max = 20,
    .hours_default = 7,
    .target_start_hours = 48,
};

const ij_area_rules *ij_domain_rules_or_default(const ij_area_rules *rules) {
  return rules != NULL ? rules : &k_default_rules;
}

ij_time_us ij_domain_target_start_by(ij_time_us referred_at, const ij_area_rules *rules) {
  rules = ij_domain_rules_or_default(rules);
  int64_t delta = (int64_t)rules->target_start_hours * IJ_US_PER_HOUR; /* fits: |int| * 3.6e9 */
  if (delta > 0 && referred_at > INT64_MAX - delta) {
    return INT64_MAX;
  }
  if (delta < 0 && referred_at < INT64_MIN - delta) {
    return INT64_MIN;
  }
  return referred_at + delta;
}

bool ij_domain_state_clock_runs(ij_state s) {
  /* From referral until the first attended session (which moves the referral to in_progress). */
  return s == IJ_STATE_SUBMITTED || s == IJ_STATE_ACCEPTED || s == IJ_STATE_SCHEDULED;
}

unsigned ij_domain_clock_states(void) {
  return ij_domain_state_set(ij_domain_state_clock_runs);
}

bool ij_domain_referral_overdue(ij_state s, bool attended, ij_time_us target_start_by,
                                ij_time_us now) {
  return ij_domain_state_clock_runs(s) && !attended && now > target_start_by;
}
