/* The follow-on events: what the service fires by itself after a change, as a table beside the
 * transition table. The operations ask ij_domain_followon_next after every change to a referral
 * and fire what it names until nothing follows, so that no operation carries its own copy of
 * "attend, then complete, then close". */
#include <stddef.h>

#include "domain_internal.h"

/* clang-format off */
static const ij_followon_rule k_followons[] = {
  /* event,              attended,     hours met,    bookings open, last check */
  /* a booking holds a place for an accepted referral: it is scheduled */
  {IJ_EVENT_BOOK,        IJ_FACT_ANY,  IJ_FACT_ANY,  IJ_FACT_YES,   IJ_FACT_ANY},
  /* the first attended session puts a scheduled referral in progress */
  {IJ_EVENT_ATTEND,      IJ_FACT_YES,  IJ_FACT_ANY,  IJ_FACT_ANY,   IJ_FACT_ANY},
  /* the credited hours reach those required */
  {IJ_EVENT_COMPLETE,    IJ_FACT_ANY,  IJ_FACT_YES,  IJ_FACT_ANY,   IJ_FACT_ANY},
  /* no booking holds a place and nothing was attended: back to accepted, to be booked again */
  {IJ_EVENT_UNBOOK,      IJ_FACT_NO,   IJ_FACT_ANY,  IJ_FACT_NO,    IJ_FACT_ANY},
  /* the last reoffending check is recorded */
  {IJ_EVENT_CLOSE,       IJ_FACT_ANY,  IJ_FACT_ANY,  IJ_FACT_ANY,   IJ_FACT_YES},
};
/* clang-format on */

const ij_followon_rule *ij_domain_followons(size_t *count) {
  if (count != NULL) {
    *count = sizeof k_followons / sizeof k_followons[0];
  }
  return k_followons;
}

static bool holds(ij_fact_test test, bool fact) {
  return test == IJ_FACT_ANY || (test == IJ_FACT_YES) == fact;
}

bool ij_domain_followon_next(const ij_actor *cause, const ij_referral_facts *facts, ij_event *event,
                             bool *by_cause) {
  if (facts == NULL || (unsigned)facts->state >= IJ_STATE__COUNT) {
    return false;
  }
  const ij_transition_rule *table = ij_domain_transitions(NULL);
  bool hours_met = facts->minutes_credited >= (int64_t)facts->hours_required * 60;
  for (size_t i = 0; i < sizeof k_followons / sizeof k_followons[0]; i++) {
    const ij_followon_rule *f = &k_followons[i];
    const ij_transition_rule *rule = &table[f->event];
    if ((rule->from_mask & (1u << facts->state)) == 0 || !holds(f->attended, facts->attended) ||
        !holds(f->hours_met, hours_met) || !holds(f->bookings_open, facts->active_bookings > 0) ||
        !holds(f->last_check, facts->last_check_recorded)) {
      continue;
    }
    if (event != NULL) {
      *event = f->event;
    }
    if (by_cause != NULL) {
      *by_cause = cause != NULL && ij_domain_effective_roles(rule, cause, facts) != 0;
    }
    return true;
  }
  return false;
}
